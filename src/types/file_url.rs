//! A listed file's URL, kept as text until something fetches the file.

use std::fmt;

use url::Url;

/// Where a listed file is downloaded from: an absolute URL without its fragment.
///
/// It is kept as the URL's serialization and parsed only when the file is fetched. A warm
/// resolve decodes the cached records of hundreds of files and fetches none of them (the
/// lock needs their hashes, not their URLs); parsing every URL on decoding was a tenth of the
/// solver thread's work on a universal resolve. Index pages hand over a parsed [`Url`], so
/// only the records of the local cache, written from such a serialization, are taken
/// unparsed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FileUrl(Box<str>);

/// A cached file URL that no longer parses: the cache was changed by something else.
#[derive(Debug, thiserror::Error)]
#[error("its cached URL does not parse ({source}); `pinwheel cache clean` repairs the cache")]
pub struct InvalidFileUrl {
    #[source]
    source: url::ParseError,
}

impl FileUrl {
    /// A URL read back from pinwheel's own cache, which wrote it from a [`Url`]'s
    /// serialization: it is parsed when first needed (see [`FileUrl::parse`]).
    pub(crate) fn from_serialized(text: &str) -> Self {
        Self(text.into())
    }

    /// The URL as text, credentials included: for comparing and cache keys, never for
    /// printing.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it names a local file (`file:`). A serialized URL's scheme is lower case.
    #[must_use]
    pub fn is_local(&self) -> bool {
        self.0.starts_with("file:")
    }

    /// The parsed URL, for fetching the file.
    ///
    /// # Errors
    /// When a URL read back from the cache does not parse; one from an index page always does.
    pub fn parse(&self) -> Result<Url, InvalidFileUrl> {
        Url::parse(&self.0).map_err(|source| InvalidFileUrl { source })
    }
}

impl From<Url> for FileUrl {
    fn from(url: Url) -> Self {
        Self(String::from(url).into_boxed_str())
    }
}

impl fmt::Debug for FileUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As `Url`'s own `Debug` would show it.
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tells_local_files() {
        let url = Url::parse("https://files.example/a/b-1.0.tar.gz?x=1").unwrap();
        let file = FileUrl::from(url.clone());
        assert_eq!(file.as_str(), url.as_str());
        assert_eq!(file.parse().unwrap(), url);
        assert!(!file.is_local());
        let local = FileUrl::from(Url::parse("FILE:///tmp/b-1.0.tar.gz").unwrap());
        assert!(local.is_local(), "the scheme is lower case once serialized");
        assert_eq!(
            FileUrl::from_serialized(local.as_str()).parse().unwrap(),
            local.parse().unwrap()
        );
    }

    #[test]
    fn a_damaged_cached_url_is_an_error() {
        let error = FileUrl::from_serialized("not a url").parse().unwrap_err();
        assert!(error.to_string().contains("cache clean"), "{error}");
    }
}
