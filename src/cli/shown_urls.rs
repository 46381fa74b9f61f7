//! How the URLs of indexes and find-links locations appear in what `resolve` writes (the lock's
//! header and its `--index-url`/`--extra-index-url`/`--find-links` lines) and in errors about
//! them: never with a secret. A lock is committed to a repository, so a password or token
//! typed into an index URL must not reach it.
//!
//! A `${NAME}` reference, as an input's option line wrote it, is written back as the reference
//! (whoever installs from the lock sets the variable, as pip expands it there too); a literal
//! password (or a user name alone, which pip treats as a token) becomes `****`, and
//! [`ShownUrls::hid_secret`] says so, so that `resolve` can warn that installing then needs the
//! credentials from netrc or a keyring.

use std::cell::Cell;
use std::collections::HashMap;

use url::Url;

use super::settings::Options;
use crate::inputs::{IndexOptions, Variables};
use crate::lockfile::Lock;
use crate::types::RedactedUrl;

/// What replaces a literal secret.
const HIDDEN: &str = "****";

/// `text` (a URL as typed, `${NAME}` references unexpanded) with a literal password or token
/// replaced by `****`, and whether one was. References, the user name beside a password, and
/// text that is no URL at all are kept. Works on the text, so it also serves a URL that does
/// not parse (for the error saying so).
#[must_use]
pub(super) fn hide_credentials(text: &str) -> (String, bool) {
    let Some(scheme_end) = text.find("://") else {
        return (text.to_string(), false);
    };
    let authority_start = scheme_end + 3;
    let rest = &text[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, hid) = hide_userinfo(&rest[..authority_len]);
    let shown = format!(
        "{}{authority}{}",
        &text[..authority_start],
        &rest[authority_len..]
    );
    (shown, hid)
}

/// `message` with the credentials of every URL in it hidden, as [`hide_credentials`] hides
/// them: what errors are printed through, whatever produced their text (a parser quoting the
/// line, say).
#[must_use]
pub(super) fn hide_credentials_in(message: &str) -> String {
    let mut shown = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(scheme_end) = rest.find("://") {
        let authority_start = scheme_end + 3;
        shown.push_str(&rest[..authority_start]);
        let after = &rest[authority_start..];
        let authority_len = after
            .find(|c: char| "/?#`'\"<>()".contains(c) || c.is_whitespace())
            .unwrap_or(after.len());
        shown.push_str(&hide_userinfo(&after[..authority_len]).0);
        rest = &after[authority_len..];
    }
    shown.push_str(rest);
    shown
}

/// An authority (`user:password@host:port`) with a literal password or token hidden, and
/// whether one was.
fn hide_userinfo(authority: &str) -> (String, bool) {
    let Some(at) = authority.rfind('@') else {
        return (authority.to_string(), false);
    };
    let (userinfo, host) = authority.split_at(at);
    let shown_userinfo = match userinfo.split_once(':') {
        Some((_, password)) if password.is_empty() || is_reference(password) => {
            return (authority.to_string(), false);
        }
        Some((user, _)) => format!("{user}:{HIDDEN}"),
        None if userinfo.is_empty() || is_reference(userinfo) => {
            return (authority.to_string(), false);
        }
        None => HIDDEN.to_string(),
    };
    (format!("{shown_userinfo}{host}"), true)
}

/// The index and find-links URLs of the command line, environment and configuration (named
/// indexes included).
pub(super) fn typed_urls(options: &Options) -> Vec<&str> {
    let environment = &options.pip_environment;
    options
        .index_url
        .iter()
        .chain(&options.extra_index_url)
        .chain(&options.find_links)
        .chain(&environment.index_url)
        .chain(&environment.extra_index_urls)
        .chain(&environment.find_links)
        .chain(options.named_indexes.iter().map(|index| &index.url))
        .map(String::as_str)
        .collect()
}

/// A lock's index lines, their `${NAME}` references expanded (from the environment, as pip
/// expands them when it installs from the lock) and the `****` written for a literal password
/// dropped.
pub(super) fn lock_index_options(lock: &Lock, variables: &Variables) -> IndexOptions {
    let expand = |text: &String| drop_placeholder(&variables.expand(text));
    IndexOptions {
        index_url: lock.index_url.as_ref().map(expand),
        extra_index_urls: lock.extra_index_urls.iter().map(expand).collect(),
        find_links: lock.find_links.iter().map(expand).collect(),
        no_index: lock.no_index,
        trusted_hosts: lock.trusted_hosts.clone(),
        ..IndexOptions::default()
    }
}

/// A lock's URL `text` without the `****` that [`hide_credentials`] wrote in place of a
/// password or token: a placeholder is no credential, and sending it would only earn a 401 where
/// the same origin's real credentials (another line's, or `-i`'s) are known.
#[must_use]
fn drop_placeholder(text: &str) -> String {
    let Ok(mut url) = Url::parse(text) else {
        return text.to_string();
    };
    let placeholder =
        url.password() == Some(HIDDEN) || (url.password().is_none() && url.username() == HIDDEN);
    if !placeholder {
        return text.to_string();
    }
    // Only URLs that cannot have credentials refuse these, and those have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.into()
}

/// Whether `text` is made of `${NAME}` references only (pip's form: uppercase letters, digits
/// and `_`).
fn is_reference(text: &str) -> bool {
    let mut rest = text;
    while !rest.is_empty() {
        let Some(body) = rest.strip_prefix("${") else {
            return false;
        };
        let Some(end) = body.find('}') else {
            return false;
        };
        let name = &body[..end];
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'_');
        if !valid {
            return false;
        }
        rest = &body[end + 1..];
    }
    !text.is_empty()
}

/// The shown text of each configured index and find-links URL, found by the URL it parses to
/// (the index client's options hold parsed URLs, credentials included).
pub(super) struct ShownUrls {
    by_url: HashMap<Url, String>,
    hid_secret: Cell<bool>,
}

/// The URLs of `from_files` that were written with `${NAME}` references, parsed, each with the
/// text the lock shows for it: as written (any literal password in it still hidden). The writer
/// uses it for direct URL pins, whose URLs reach it expanded.
pub(super) fn written_urls(from_files: &IndexOptions) -> HashMap<Url, String> {
    from_files
        .written
        .iter()
        .filter_map(|(expanded, written)| {
            let url = Url::parse(expanded).ok()?;
            Some((url, hide_credentials(written).0))
        })
        .collect()
}

impl ShownUrls {
    /// The URLs `typed` on the command line, in the environment or in a configuration file (as
    /// they are: nothing expands references there), and those of the inputs' option lines
    /// (`from_files`, shown as written before `${NAME}` expansion).
    pub(super) fn new(typed: &[&str], from_files: &IndexOptions) -> Self {
        let mut by_url = HashMap::new();
        let from_lines = from_files
            .index_url
            .iter()
            .chain(&from_files.extra_index_urls)
            .chain(&from_files.find_links)
            .map(|expanded| {
                let written = from_files.written.get(expanded).unwrap_or(expanded);
                (expanded.as_str(), written.as_str())
            });
        for (expanded, written) in typed.iter().map(|text| (*text, *text)).chain(from_lines) {
            if let Ok(url) = Url::parse(expanded) {
                by_url.entry(url).or_insert_with(|| written.to_string());
            }
        }
        Self {
            by_url,
            hid_secret: Cell::new(false),
        }
    }

    /// `url` as the lock shows it.
    pub(super) fn show(&self, url: &RedactedUrl) -> String {
        let written = match self.by_url.get(url.expose()) {
            Some(written) => written.clone(),
            // Not configured as such (cannot happen for the client's own URLs): the redacted
            // URL is the safe fallback.
            None => url.to_string(),
        };
        self.show_text(&written)
    }

    /// A URL `text` as typed, as the lock shows it.
    pub(super) fn show_text(&self, text: &str) -> String {
        let (shown, hid) = hide_credentials(text);
        if hid {
            self.hid_secret.set(true);
        }
        shown
    }

    /// Whether a literal secret was replaced by `****` in something shown.
    pub(super) fn hid_secret(&self) -> bool {
        self.hid_secret.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_secrets_are_hidden_and_references_kept() {
        let cases = [
            (
                "https://user:pw@host/simple/",
                "https://user:****@host/simple/",
                true,
            ),
            (
                "https://token@host/simple/",
                "https://****@host/simple/",
                true,
            ),
            (
                "https://user:${TOKEN}@host/simple/",
                "https://user:${TOKEN}@host/simple/",
                false,
            ),
            (
                "https://${USER}:${TOKEN}@h/s",
                "https://${USER}:${TOKEN}@h/s",
                false,
            ),
            (
                "https://${TOKEN}@host/simple/",
                "https://${TOKEN}@host/simple/",
                false,
            ),
            // A password that is not only references is a literal one.
            ("https://u:x${TOKEN}@h/", "https://u:****@h/", true),
            (
                "https://u:p@${HOST}/simple",
                "https://u:****@${HOST}/simple",
                true,
            ),
            // An `@` after the authority is no userinfo.
            ("https://host/simple/a@b", "https://host/simple/a@b", false),
            (
                "https://u:p@host:port/x",
                "https://u:****@host:port/x",
                true,
            ),
            ("https://host/simple/", "https://host/simple/", false),
            ("./wheels", "./wheels", false),
            ("https://user:@host/", "https://user:@host/", false),
        ];
        for (text, shown, hid) in cases {
            assert_eq!(hide_credentials(text), (shown.to_string(), hid), "{text}");
        }
    }

    #[test]
    fn messages_lose_the_secrets_of_every_url_in_them() {
        let message = "invalid requirement `a @ http://u:pw@h:port/a.whl`: see https://t0k@x/s \
                       and https://${TOKEN}@y/ (https://host/a@b)";
        assert_eq!(
            hide_credentials_in(message),
            "invalid requirement `a @ http://u:****@h:port/a.whl`: see https://****@x/s \
             and https://${TOKEN}@y/ (https://host/a@b)"
        );
        assert_eq!(hide_credentials_in("no URL: a@b"), "no URL: a@b");
    }

    #[test]
    fn placeholders_are_dropped_when_a_lock_is_read() {
        assert_eq!(
            drop_placeholder("https://u:****@host/simple/"),
            "https://host/simple/"
        );
        assert_eq!(
            drop_placeholder("https://****@host/simple/"),
            "https://host/simple/"
        );
        assert_eq!(
            drop_placeholder("https://u:pw@host/simple/"),
            "https://u:pw@host/simple/"
        );
        assert_eq!(drop_placeholder("./wheels"), "./wheels");
    }

    #[test]
    fn option_lines_show_urls_as_written() {
        let expanded = "https://u:secret@host/simple/".to_string();
        let mut from_files = IndexOptions {
            extra_index_urls: vec![expanded.clone(), "https://t0ken@other/simple/".into()],
            ..IndexOptions::default()
        };
        from_files
            .written
            .insert(expanded.clone(), "https://u:${TOKEN}@host/simple/".into());
        let shown = ShownUrls::new(&["https://me:pw@cli/simple/"], &from_files);
        let show = |text: &str| shown.show(&RedactedUrl::new(Url::parse(text).unwrap()));
        assert_eq!(show(&expanded), "https://u:${TOKEN}@host/simple/");
        assert!(!shown.hid_secret());
        assert_eq!(
            show("https://t0ken@other/simple/"),
            "https://****@other/simple/"
        );
        assert_eq!(
            show("https://me:pw@cli/simple/"),
            "https://me:****@cli/simple/"
        );
        assert_eq!(show("https://x:y@unknown/"), "https://x:****@unknown/");
        assert!(shown.hid_secret());
    }
}
