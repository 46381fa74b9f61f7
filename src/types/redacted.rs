//! URLs that never print their credentials.

use std::fmt;

use url::Url;

/// A URL whose `Display` hides the password (and a token-only user name), so that index URLs
/// with credentials can be logged and written into errors safely.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedactedUrl(Url);

impl RedactedUrl {
    /// Wraps a URL.
    #[must_use]
    pub fn new(url: Url) -> Self {
        Self(url)
    }

    /// The real URL, credentials included: for making requests, never for printing.
    #[must_use]
    pub fn expose(&self) -> &Url {
        &self.0
    }

    /// Whether `url` carries something secret: a password, or a user name alone over a scheme
    /// where it is a token (`https://TOKEN@host/`, as pip reads it). An SSH user name
    /// (`ssh://git@host/repo`) names the account the key logs in to, and is no secret.
    #[must_use]
    pub fn has_secret(url: &Url) -> bool {
        url.password().is_some() || (!url.username().is_empty() && url.scheme() != "ssh")
    }
}

impl fmt::Display for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !Self::has_secret(&self.0) {
            return f.write_str(self.0.as_str());
        }
        let mut shown = self.0.clone();
        // Setting credentials only fails on URLs that cannot have them, which have none.
        if shown.password().is_some() {
            let _ = shown.set_password(Some("****"));
        } else {
            let _ = shown.set_username("****");
        }
        f.write_str(shown.as_str())
    }
}

impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_password_and_token() {
        let with_password =
            RedactedUrl::new(Url::parse("https://user:secret@host/simple/").unwrap());
        assert_eq!(with_password.to_string(), "https://user:****@host/simple/");
        let with_token = RedactedUrl::new(Url::parse("https://token@host/simple/").unwrap());
        assert_eq!(with_token.to_string(), "https://****@host/simple/");
        let plain = RedactedUrl::new(Url::parse("https://host/simple/").unwrap());
        assert_eq!(plain.to_string(), "https://host/simple/");
        let ssh = RedactedUrl::new(Url::parse("ssh://git@host/repo").unwrap());
        assert_eq!(
            ssh.to_string(),
            "ssh://git@host/repo",
            "an SSH user is no secret"
        );
        let ssh_password = RedactedUrl::new(Url::parse("ssh://git:secret@host/repo").unwrap());
        assert_eq!(ssh_password.to_string(), "ssh://git:****@host/repo");
    }
}
