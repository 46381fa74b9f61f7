//! Named indexes (`[[tool.pinwheel.index]]`, `[tool.pinwheel.sources]`) and
//! `--index-strategy`, settled into what the index client takes: the URLs it searches, the
//! packages pinned to one index, and the credentials the environment gives named indexes.

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use url::Url;

use crate::cli::args::IndexStrategyArg;
use crate::cli::config::{NamedIndex, Sources};
use crate::cli::shown_urls::hide_credentials;
use crate::index::{IndexPins, IndexStrategy};
use crate::types::RedactedUrl;

/// `--index-strategy`, the default when not given.
pub(super) fn index_strategy(arg: Option<IndexStrategyArg>) -> IndexStrategy {
    match arg {
        None | Some(IndexStrategyArg::FirstIndex) => IndexStrategy::FirstIndex,
        Some(IndexStrategyArg::UnsafeFirstMatch) => IndexStrategy::UnsafeFirstMatch,
        Some(IndexStrategyArg::UnsafeBestMatch) => IndexStrategy::UnsafeBestMatch,
    }
}

/// The named indexes' URLs, sorted into what the client needs.
#[derive(Default)]
pub(super) struct NamedUrls {
    /// The non-explicit ones but the default, in order: searched after the extra indexes.
    pub(super) searched: Vec<RedactedUrl>,
    /// The `default = true` one: the base index unless `--index-url` names another.
    pub(super) default: Option<RedactedUrl>,
    /// Sources and explicit indexes.
    pub(super) pins: IndexPins,
    /// The URLs with the credentials the environment gives named indexes.
    pub(super) credentials: Vec<RedactedUrl>,
}

/// Sorts `named` into [`NamedUrls`], with the credentials of
/// `PINWHEEL_INDEX_<NAME>_USERNAME` and `_PASSWORD`; `sources` pins packages to them (config
/// checked that every source names an index).
pub(super) fn named_urls(named: &[NamedIndex], sources: Option<&Sources>) -> Result<NamedUrls> {
    let mut urls = NamedUrls::default();
    let mut by_name = HashMap::new();
    for index in named {
        let url = Url::parse(&index.url)
            .with_context(|| {
                format!(
                    "index `{}`: invalid URL `{}`",
                    index.name,
                    hide_credentials(&index.url).0
                )
            })
            .map(RedactedUrl::new)?;
        let prefix = index.variable_prefix();
        let username = std::env::var(format!("{prefix}USERNAME")).ok();
        let password = std::env::var(format!("{prefix}PASSWORD")).ok();
        if username.is_some() || password.is_some() {
            let mut credentialed = url.expose().clone();
            // Only URLs that cannot be a base (no host) refuse credentials; `http(s)` indexes
            // always take them.
            let taken = credentialed
                .set_username(username.as_deref().unwrap_or_default())
                .and_then(|()| credentialed.set_password(password.as_deref()));
            if taken.is_err() {
                bail!("index `{}`: its URL cannot carry credentials", index.name);
            }
            urls.credentials.push(RedactedUrl::new(credentialed));
        }
        if index.explicit {
            urls.pins.explicit.push(url.clone());
        } else if index.default {
            urls.default = Some(url.clone());
        } else {
            urls.searched.push(url.clone());
        }
        by_name.insert(index.name.as_str(), url);
    }
    for (package, name) in sources.into_iter().flatten() {
        let url = by_name.get(name.as_str()).with_context(|| {
            format!(
                "`{package}` is pinned to index `{name}`, which no [[tool.pinwheel.index]] names"
            )
        })?;
        urls.pins.by_package.insert(package.clone(), url.clone());
    }
    Ok(urls)
}
