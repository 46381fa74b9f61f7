//! Credentials for the indexes and find-links pages the user configured with a user name and
//! password in the URL (`https://user:token@host/simple/`).
//!
//! The client takes the credentials out of each configured URL when it is created and keeps
//! them here, by origin (scheme, host and port); everything else — page URLs, the file URLs
//! joined onto them, cache keys, the origins written into annotations — holds the URL without
//! them, so no secret can reach the cache or an output by way of a URL. Each request to an
//! origin with credentials gets them back as an `Authorization: Basic` header, as pip sends
//! them to the index's host (files a page lists on that host included). A URL that still holds
//! credentials of its own (a direct URL) keeps them: reqwest moves them into the header itself.
//!
//! A host with no credentials in any configured URL gets those of its netrc entry (the
//! second place pip looks, after the URL). reqwest drops the `Authorization` header when a
//! redirect leads to another host, port or scheme, so credentials never follow a redirect off
//! their origin.
//!
//! A configured URL with a user name and no password (`https://user@host/simple/`) gets its
//! host's netrc entry, else is sent with the user name alone; when the origin answers 401, the
//! keyring is asked with `--keyring-provider subprocess`, as in pip (`keyring get` with the
//! URL, then with its `host:port`), and the request is sent once more with its password. The
//! answer is kept for the run, per origin (realm), and asked for once however many requests
//! get their 401 at the same time; later requests to the origin carry it from the start. An
//! index that never asks for a password never runs the keyring.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use percent_encoding::percent_decode_str;
use reqwest::RequestBuilder;
use tokio::sync::OnceCell;
use url::{Origin, Url};

use super::keyring::{self, KeyringProvider};
use super::netrc::Netrc;

/// A user name and password, percent-decoded. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
struct Credentials {
    username: String,
    password: Option<String>,
    /// The configured URL they came from, without them: the keyring's service name.
    service: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("service", &self.service)
            .finish()
    }
}

/// The keyring's answers, by origin, for the run: `None` when it had no password. Each origin's
/// cell is filled by the first request that needs it; the others wait for that answer.
#[derive(Clone, Default)]
struct KeyringAnswers(Arc<Mutex<HashMap<Origin, Arc<KeyringAnswer>>>>);

/// One origin's keyring answer, filled once.
type KeyringAnswer = OnceCell<Option<String>>;

impl fmt::Debug for KeyringAnswers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyringAnswers(****)")
    }
}

/// The credentials of each origin, from the configured URLs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Credentialed {
    by_origin: HashMap<Origin, Credentials>,
    netrc: Netrc,
    keyring: KeyringProvider,
    keyring_answers: KeyringAnswers,
}

impl Credentialed {
    /// No credentials from URLs yet; `netrc`'s for hosts that have none of those, and
    /// passwords from `keyring` for URLs with a user name only.
    pub(crate) fn new(netrc: Netrc, keyring: KeyringProvider) -> Self {
        Self {
            by_origin: HashMap::new(),
            netrc,
            keyring,
            keyring_answers: KeyringAnswers::default(),
        }
    }

    /// `url` without its user name and password, which are remembered for its origin (the
    /// first URL of an origin with credentials is the one whose credentials are used).
    pub(crate) fn take_from(&mut self, url: &Url) -> Url {
        if url.username().is_empty() && url.password().is_none() {
            return url.clone();
        }
        let decode = |text: &str| percent_decode_str(text).decode_utf8_lossy().into_owned();
        let bare = without_credentials(url);
        let credentials = Credentials {
            username: decode(url.username()),
            password: url.password().map(decode),
            service: bare.to_string(),
        };
        self.by_origin.entry(url.origin()).or_insert(credentials);
        bare
    }

    /// `request` (to `url`) with the credentials of `url`'s origin, when there are some and
    /// `url` has none of its own.
    pub(crate) fn apply(&self, url: &Url, request: RequestBuilder) -> RequestBuilder {
        if !url.username().is_empty() || url.password().is_some() {
            return request;
        }
        let netrc = url.host_str().and_then(|host| self.netrc.for_host(host));
        if let Some(credentials) = self.by_origin.get(&url.origin()) {
            // A user name without a password: the netrc entry, whole, as pip takes it, else
            // the keyring's password for the user name.
            if credentials.password.is_none()
                && let Some(entry) = netrc
            {
                return request.basic_auth(&entry.login, entry.password.as_deref());
            }
            let password = match &credentials.password {
                Some(password) => Some(password.clone()),
                None => self.known_keyring_password(url),
            };
            return request.basic_auth(&credentials.username, password);
        }
        // Matched by host name alone, port and scheme aside, as pip does (requests looks the
        // URL's host name up in the netrc file).
        match netrc {
            Some(entry) => request.basic_auth(&entry.login, entry.password.as_deref()),
            None => request,
        }
    }
}

impl Credentialed {
    /// The keyring's password for `url`'s origin, when it has been asked already.
    fn known_keyring_password(&self, url: &Url) -> Option<String> {
        let answers = self.keyring_answers.0.lock().ok()?;
        answers.get(&url.origin())?.get()?.clone()
    }

    /// After `url` answered 401: whether the keyring has a password for the user name the
    /// origin's configured URL gives without one, so that the request is worth sending again.
    /// Asked once per origin for the run (concurrent requests wait for the one answer), with
    /// the configured URL first and then `host:port`, as pip asks.
    pub(crate) async fn keyring_after_401(&self, url: &Url) -> bool {
        if self.keyring == KeyringProvider::Disabled
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return false;
        }
        let Some(credentials) = self
            .by_origin
            .get(&url.origin())
            .filter(|credentials| credentials.password.is_none())
        else {
            return false;
        };
        // The netrc entry is what `apply` sends for the origin: a keyring answer would not be.
        if url
            .host_str()
            .and_then(|host| self.netrc.for_host(host))
            .is_some()
        {
            return false;
        }
        let cell = {
            let Ok(mut answers) = self.keyring_answers.0.lock() else {
                return false;
            };
            Arc::clone(answers.entry(url.origin()).or_default())
        };
        let answer = cell
            .get_or_init(|| async {
                let netloc = match (url.host_str(), url.port()) {
                    (Some(host), Some(port)) => format!("{host}:{port}"),
                    (Some(host), None) => host.to_string(),
                    (None, _) => String::new(),
                };
                match keyring::password(&credentials.service, &credentials.username).await {
                    Some(password) => Some(password),
                    None => keyring::password(&netloc, &credentials.username).await,
                }
            })
            .await;
        answer.is_some()
    }
}

/// `url` without user name and password: what cache keys and anything shown are made of.
#[must_use]
pub(crate) fn without_credentials(url: &Url) -> Url {
    let mut bare = url.clone();
    // Only URLs that cannot have credentials refuse these, and those have none.
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    bare
}

/// The text a cache key holds for `url`: the URL without credentials, so that no secret is
/// written into the cache's index files and a changed password still finds the entries.
#[must_use]
pub(crate) fn key_url(url: &Url) -> String {
    without_credentials(url).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `Authorization` header `store` puts on a request to `url`.
    fn authorization(store: &Credentialed, url: &str) -> Option<String> {
        let url = Url::parse(url).unwrap();
        let request = store
            .apply(&url, reqwest::Client::new().get(url.clone()))
            .build()
            .unwrap();
        request
            .headers()
            .get(reqwest::header::AUTHORIZATION)
            .map(|value| value.to_str().unwrap().to_string())
    }

    #[test]
    fn credentials_are_taken_out_and_sent_to_their_origin_only() {
        let mut store = Credentialed::default();
        let index = Url::parse("https://user:p%40ss@host/simple/").unwrap();
        let bare = store.take_from(&index);
        assert_eq!(bare.as_str(), "https://host/simple/");
        assert!(!format!("{store:?}").contains("p@ss"));
        let header = |url: &str| authorization(&store, url);
        // base64("user:p@ss")
        assert_eq!(
            header("https://host/files/a.whl").as_deref(),
            Some("Basic dXNlcjpwQHNz")
        );
        assert_eq!(header("https://other/simple/"), None);
        assert_eq!(header("http://host/simple/"), None);
    }

    #[test]
    fn netrc_credentials_go_to_their_host_when_no_url_has_some() {
        let netrc = Netrc::parse(
            "machine host login n password from-netrc\nmachine other login o password o",
        );
        let mut store = Credentialed::new(netrc, KeyringProvider::Disabled);
        store.take_from(&Url::parse("https://user:pw@other/simple/").unwrap());
        let header = |url: &str| authorization(&store, url);
        // base64("n:from-netrc"), on any port of the host
        assert_eq!(
            header("https://host:8443/simple/").as_deref(),
            Some("Basic bjpmcm9tLW5ldHJj")
        );
        // base64("user:pw"): the URL's credentials win over the netrc entry
        assert_eq!(
            header("https://other/simple/").as_deref(),
            Some("Basic dXNlcjpwdw==")
        );
        assert_eq!(header("https://third/simple/"), None);
    }

    #[test]
    fn a_user_name_without_password_takes_the_netrc_entry() {
        let mut store = Credentialed::new(
            Netrc::parse("machine host login n password from-netrc"),
            KeyringProvider::Disabled,
        );
        let url = Url::parse("https://someone@host/simple/").unwrap();
        let bare = store.take_from(&url);
        let request = store
            .apply(&bare, reqwest::Client::new().get(bare.clone()))
            .build()
            .unwrap();
        // base64("n:from-netrc")
        assert_eq!(
            request.headers()[reqwest::header::AUTHORIZATION],
            "Basic bjpmcm9tLW5ldHJj"
        );
    }
}
