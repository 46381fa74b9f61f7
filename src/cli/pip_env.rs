//! pip's environment variables that pip-compile honours through pip, read once per run.
//!
//! They are pip's defaults, under what pip-compile passes to pip: `PIP_INDEX_URL` is used when
//! neither the command line, the configuration nor an input's `--index-url` line names an index;
//! pip appends the command line's `--extra-index-url` and `--find-links` to the variables'
//! (whitespace-separated) lists, and ORs the flags. Like pip-compile, pinwheel writes what they
//! add into the options block (`--find-links /opt/wheels`) but not into the header's command
//! line, which says what was typed. (`check` and `download` read `PIP_INDEX_URL` through clap.)

use anyhow::{Result, bail};
use clap::ValueEnum as _;

use super::args::KeyringProviderArg;

/// The values of `PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`, `PIP_FIND_LINKS`, `PIP_PRE`,
/// `PIP_NO_INDEX`, `PIP_TRUSTED_HOST` and `PIP_KEYRING_PROVIDER`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipEnvironment {
    /// `PIP_INDEX_URL`.
    pub index_url: Option<String>,
    /// `PIP_EXTRA_INDEX_URL`, split on whitespace.
    pub extra_index_urls: Vec<String>,
    /// `PIP_FIND_LINKS`, split on whitespace.
    pub find_links: Vec<String>,
    /// `PIP_PRE`.
    pub pre: bool,
    /// `PIP_NO_INDEX`.
    pub no_index: bool,
    /// `PIP_TRUSTED_HOST`, split on whitespace.
    pub trusted_hosts: Vec<String>,
    /// `PIP_KEYRING_PROVIDER`, under the command line's and the configuration's.
    pub keyring_provider: Option<KeyringProviderArg>,
}

impl PipEnvironment {
    /// Reads the variables through `get` (the process environment in the binary).
    ///
    /// # Errors
    /// When `PIP_PRE` or `PIP_NO_INDEX` is not a truth value pip accepts.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let list = |name: &str| {
            get(name)
                .map(|value| value.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default()
        };
        let flag = |name: &str| match get(name) {
            Some(value) => truth(name, &value),
            None => Ok(false),
        };
        Ok(Self {
            index_url: get("PIP_INDEX_URL").filter(|url| !url.trim().is_empty()),
            extra_index_urls: list("PIP_EXTRA_INDEX_URL"),
            find_links: list("PIP_FIND_LINKS"),
            pre: flag("PIP_PRE")?,
            no_index: flag("PIP_NO_INDEX")?,
            trusted_hosts: list("PIP_TRUSTED_HOST"),
            keyring_provider: match get("PIP_KEYRING_PROVIDER") {
                Some(value) if !value.trim().is_empty() => Some(
                    KeyringProviderArg::from_str(value.trim(), true).map_err(|_| {
                        anyhow::anyhow!(
                            "invalid `PIP_KEYRING_PROVIDER={value}`: expected auto, disabled, import or subprocess"
                        )
                    })?,
                ),
                _ => None,
            },
        })
    }

    /// The process environment's values.
    ///
    /// # Errors
    /// As [`PipEnvironment::read`].
    pub fn from_process() -> Result<Self> {
        Self::read(|name| std::env::var(name).ok())
    }
}

/// pip's truth values (those of distutils' `strtobool`), any case.
fn truth(name: &str, value: &str) -> Result<bool> {
    match value.trim().to_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Ok(true),
        "n" | "no" | "f" | "false" | "off" | "0" | "" => Ok(false),
        _ => bail!("invalid `{name}={value}`: expected a truth value such as `1`, `true` or `no`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<PipEnvironment> {
        PipEnvironment::read(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_string())
        })
    }

    #[test]
    fn lists_split_on_whitespace_and_flags_take_pips_truth_values() {
        let environment = read(&[
            ("PIP_FIND_LINKS", " /opt/wheels\t/srv/more "),
            ("PIP_EXTRA_INDEX_URL", "https://a.example/simple"),
            ("PIP_PRE", "Yes"),
            ("PIP_NO_INDEX", "off"),
            ("PIP_INDEX_URL", "https://mirror.example/simple"),
        ])
        .unwrap();
        assert_eq!(
            environment.index_url.as_deref(),
            Some("https://mirror.example/simple")
        );
        assert_eq!(environment.find_links, ["/opt/wheels", "/srv/more"]);
        assert_eq!(environment.extra_index_urls, ["https://a.example/simple"]);
        assert!(environment.pre);
        assert!(!environment.no_index);
        assert_eq!(read(&[]).unwrap(), PipEnvironment::default());
        let error = read(&[("PIP_PRE", "maybe")]).unwrap_err().to_string();
        assert!(error.contains("PIP_PRE=maybe"), "{error}");
        let keyring = read(&[("PIP_KEYRING_PROVIDER", "Subprocess")]).unwrap();
        assert_eq!(
            keyring.keyring_provider,
            Some(KeyringProviderArg::Subprocess)
        );
        let error = read(&[("PIP_KEYRING_PROVIDER", "gnome")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("PIP_KEYRING_PROVIDER=gnome"), "{error}");
    }
}
