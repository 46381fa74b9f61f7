//! `~/.netrc` (or the file `NETRC` names): user names and passwords by host, the second place
//! pip looks for an index's credentials, after the URL itself.
//!
//! The format is a stream of whitespace-separated tokens: `machine NAME` or `default` starts
//! an entry, `login`, `password` and `account` each take a value, and `macdef NAME` swallows a
//! macro up to the next empty line. Unknown tokens are skipped, as a file written for `ftp` or
//! `curl` may hold more than this reads. The file is read once, when the client is created,
//! and the passwords stay in memory: nothing read here is written anywhere.

use std::path::Path;

/// One `machine` (or the `default`) entry.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct NetrcEntry {
    /// `None` for `default`, which matches any host.
    pub(crate) machine: Option<String>,
    pub(crate) login: String,
    pub(crate) password: Option<String>,
}

impl std::fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("machine", &self.machine)
            .field("login", &self.login)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .finish()
    }
}

/// The entries of a netrc file, in file order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Netrc {
    entries: Vec<NetrcEntry>,
}

impl Netrc {
    /// The entries of the file at `path`; none when it cannot be read, as pip (through
    /// requests) carries on without a netrc it cannot read or parse.
    pub(crate) fn read(path: &Path) -> Self {
        std::fs::read_to_string(path)
            .map(|text| Self::parse(&text))
            .unwrap_or_default()
    }

    /// The entries of `text`.
    pub(crate) fn parse(text: &str) -> Self {
        let mut entries: Vec<NetrcEntry> = Vec::new();
        let mut lines = text.lines();
        let mut pending: Vec<String> = Vec::new();
        while let Some(token) = next_token(&mut pending, &mut lines) {
            match token.as_str() {
                "machine" => {
                    let machine = next_token(&mut pending, &mut lines).unwrap_or_default();
                    entries.push(NetrcEntry {
                        machine: Some(machine),
                        login: String::new(),
                        password: None,
                    });
                }
                "default" => entries.push(NetrcEntry {
                    machine: None,
                    login: String::new(),
                    password: None,
                }),
                "login" | "password" | "account" => {
                    let value = next_token(&mut pending, &mut lines).unwrap_or_default();
                    if let Some(entry) = entries.last_mut() {
                        match token.as_str() {
                            "login" => entry.login = value,
                            "password" => entry.password = Some(value),
                            _ => {}
                        }
                    }
                }
                "macdef" => {
                    // The macro's name, then its body up to an empty line.
                    pending.clear();
                    for line in lines.by_ref() {
                        if line.trim().is_empty() {
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        Self { entries }
    }

    /// The entry for `host`: its `machine` entry, else the `default` one. The host is matched
    /// without its port, as requests (which pip uses) asks Python's `netrc` for the URL's
    /// host name only; the first matching `machine` entry wins, as there.
    pub(crate) fn for_host(&self, host: &str) -> Option<&NetrcEntry> {
        self.entries
            .iter()
            .find(|entry| {
                entry
                    .machine
                    .as_deref()
                    .is_some_and(|machine| machine.eq_ignore_ascii_case(host))
            })
            .or_else(|| self.entries.iter().find(|entry| entry.machine.is_none()))
    }
}

/// The next token, reading further lines as needed. A `"quoted value"` may hold spaces.
fn next_token<'a>(
    pending: &mut Vec<String>,
    lines: &mut impl Iterator<Item = &'a str>,
) -> Option<String> {
    while pending.is_empty() {
        let line = lines.next()?;
        if line.trim_start().starts_with('#') {
            continue;
        }
        let mut tokens = split_tokens(line);
        tokens.reverse();
        *pending = tokens;
    }
    pending.pop()
}

/// The tokens of one line: whitespace separates them, double quotes group, `\` escapes.
fn split_tokens(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut token = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => token.extend(chars.next()),
                    _ => token.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                if c == '\\' {
                    token.extend(chars.next());
                } else {
                    token.push(c);
                }
            }
        }
        tokens.push(token);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_then_default_and_macros_are_skipped() {
        let netrc = Netrc::parse(
            "# a comment\nmachine a.example login alice password \"s3 cret\"\n\
             macdef init\nmachine evil login x password y\n\n\
             machine b.example\n  login bob\n  account acct\n  password pw\n\
             default login anon password guest\n",
        );
        let a = netrc.for_host("A.example").unwrap();
        assert_eq!(
            (a.login.as_str(), a.password.as_deref()),
            ("alice", Some("s3 cret"))
        );
        let b = netrc.for_host("b.example").unwrap();
        assert_eq!(
            (b.login.as_str(), b.password.as_deref()),
            ("bob", Some("pw"))
        );
        assert!(netrc.for_host("evil").unwrap().machine.is_none());
        assert_eq!(netrc.for_host("c.example").unwrap().login, "anon");
        assert!(!format!("{netrc:?}").contains("guest"));
    }

    #[test]
    fn a_file_without_default_matches_only_its_machines() {
        let netrc = Netrc::parse("machine host login u password p");
        assert!(netrc.for_host("other").is_none());
        assert!(
            Netrc::read(Path::new("/nonexistent/netrc"))
                .for_host("host")
                .is_none()
        );
    }
}
