//! `--remote-cache URL`: which store, where, with which credentials, and how it is shown.
//! A password in the URL is never shown: [`RemoteSpec`]'s `Display` and `Debug` hide it.

use std::fmt;

use url::Url;

/// Whether this runner writes what it fetched (`read-write`, the default) or only reads
/// (`read-only`: pull-request runners, which must not decide what other runners lock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RemoteMode {
    /// Read, and write what was fetched from the index.
    #[default]
    ReadWrite,
    /// Read only.
    ReadOnly,
}

/// The kinds of store.
#[derive(Clone, PartialEq, Eq)]
pub enum RemoteKind {
    /// `redis://[user[:password]@]host[:port][/db]`.
    Redis {
        /// `redis://host:port` without credentials.
        endpoint: String,
        /// The user name, if any.
        username: Option<String>,
        /// The password, if any.
        password: Option<String>,
        /// The database number.
        db: i64,
    },
    /// `s3://bucket[/prefix]?endpoint=URL&region=NAME&anonymous=true&imds=true`; credentials
    /// from the AWS environment (`AWS_ACCESS_KEY_ID`, …).
    S3 {
        /// The bucket.
        bucket: String,
        /// The key prefix (the URL's path).
        root: String,
        /// An S3-compatible endpoint; AWS's when absent.
        endpoint: Option<String>,
        /// The region (default `us-east-1`).
        region: String,
        /// Send unsigned requests (a public bucket, a test server).
        anonymous: bool,
        /// Ask the EC2 instance-metadata endpoint for credentials: off unless asked for, since
        /// outside AWS that probe only waits.
        imds: bool,
    },
    /// `file:///shared/dir`: a directory (NFS and the like).
    File {
        /// The directory.
        root: String,
    },
}

/// A parsed `--remote-cache`, with its mode.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteSpec {
    /// The store.
    pub kind: RemoteKind,
    /// Read-write or read-only.
    pub mode: RemoteMode,
    /// Whether packed index pages are shared (`--remote-cache-pages`, on by default).
    pub pages: bool,
}

/// A `--remote-cache` value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid remote cache `{shown}`: {reason}")]
pub struct RemoteSpecError {
    /// The value, password hidden.
    pub shown: String,
    /// What is wrong.
    pub reason: String,
}

impl RemoteSpec {
    /// Parses `text` (`redis://…`, `s3://…`, `file://…`).
    ///
    /// # Errors
    /// On another scheme, or a URL without the parts its scheme needs.
    pub fn parse(text: &str, mode: RemoteMode) -> Result<Self, RemoteSpecError> {
        let failed = |reason: &str| RemoteSpecError {
            shown: hidden(text),
            reason: reason.to_string(),
        };
        let url = Url::parse(text).map_err(|error| failed(&error.to_string()))?;
        let query = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        let kind = match url.scheme() {
            "redis" | "rediss" => {
                let host = url.host_str().ok_or_else(|| failed("no host"))?;
                let port = url.port().unwrap_or(6379);
                let db = match url.path().trim_matches('/') {
                    "" => 0,
                    db => db
                        .parse()
                        .map_err(|_| failed("the path must be a database number"))?,
                };
                let decode = |text: &str| {
                    percent_encoding::percent_decode_str(text)
                        .decode_utf8_lossy()
                        .into_owned()
                };
                RemoteKind::Redis {
                    endpoint: format!("{}://{host}:{port}", url.scheme()),
                    username: Some(decode(url.username())).filter(|name| !name.is_empty()),
                    password: url.password().map(decode),
                    db,
                }
            }
            "s3" => RemoteKind::S3 {
                bucket: url
                    .host_str()
                    .filter(|bucket| !bucket.is_empty())
                    .ok_or_else(|| failed("no bucket"))?
                    .to_string(),
                root: format!("/{}", url.path().trim_matches('/')),
                endpoint: query("endpoint"),
                region: query("region").unwrap_or_else(|| "us-east-1".to_string()),
                anonymous: query("anonymous").as_deref() == Some("true"),
                imds: query("imds").as_deref() == Some("true"),
            },
            "file" => RemoteKind::File {
                root: url
                    .to_file_path()
                    .map_err(|()| failed("not a local path"))?
                    .display()
                    .to_string(),
            },
            other => {
                return Err(failed(&format!(
                    "the scheme `{other}` is not one of redis, rediss, s3, file"
                )));
            }
        };
        Ok(Self {
            kind,
            mode,
            pages: true,
        })
    }
}

/// `text` with the password of a URL replaced by `****`.
fn hidden(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("****"));
            url.to_string()
        }
        _ => text.to_string(),
    }
}

impl fmt::Display for RemoteSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RemoteKind::Redis {
                endpoint,
                username,
                password,
                db,
            } => {
                let credentials = match (username, password) {
                    (_, Some(_)) => format!("{}:****@", username.as_deref().unwrap_or("")),
                    (Some(user), None) => format!("{user}@"),
                    (None, None) => String::new(),
                };
                let (scheme, rest) = endpoint.split_once("://").unwrap_or(("redis", endpoint));
                write!(f, "{scheme}://{credentials}{rest}/{db}")
            }
            RemoteKind::S3 {
                bucket,
                root,
                endpoint,
                ..
            } => match endpoint {
                Some(endpoint) => write!(f, "s3://{bucket}{root} at {endpoint}"),
                None => write!(f, "s3://{bucket}{root}"),
            },
            RemoteKind::File { root } => write!(f, "file://{root}"),
        }
    }
}

impl fmt::Debug for RemoteSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RemoteSpec({self}, {:?}, pages: {})",
            self.mode, self.pages
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_and_passwords_never_shown() {
        let redis =
            RemoteSpec::parse("redis://:s3cret@127.0.0.1:6380/2", RemoteMode::ReadOnly).unwrap();
        assert_eq!(redis.to_string(), "redis://:****@127.0.0.1:6380/2");
        assert!(!format!("{redis:?}").contains("s3cret"));
        let RemoteKind::Redis { password, db, .. } = &redis.kind else {
            panic!("{redis:?}")
        };
        assert_eq!((password.as_deref(), *db), (Some("s3cret"), 2));

        let s3 = RemoteSpec::parse(
            "s3://bucket/fleet/cache?endpoint=http://127.0.0.1:8333&anonymous=true",
            RemoteMode::ReadWrite,
        )
        .unwrap();
        assert_eq!(
            s3.to_string(),
            "s3://bucket/fleet/cache at http://127.0.0.1:8333"
        );
        let RemoteKind::S3 {
            anonymous,
            imds,
            region,
            ..
        } = &s3.kind
        else {
            panic!("{s3:?}")
        };
        assert!(*anonymous && !*imds);
        assert_eq!(region, "us-east-1");

        let error = RemoteSpec::parse("ftp://u:pw@host/x", RemoteMode::ReadWrite).unwrap_err();
        assert!(!error.to_string().contains("pw@"), "{error}");
        assert!(RemoteSpec::parse("redis://host/notanumber", RemoteMode::ReadWrite).is_err());
    }
}
