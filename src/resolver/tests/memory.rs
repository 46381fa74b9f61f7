//! The in-memory registry the resolver tests run against: distribution records become index
//! files and core metadata, served through the real [`Source`] trait.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use url::Url;

use crate::metadata::parse_core_metadata;
use crate::resolver::{MetadataOutcome, Source, SourceError};
use crate::types::{
    DistFilename, FileOrigin, IndexFile, MetadataAvailability, PackageName, PackedProject,
    ProjectFiles, RedactedUrl, Sha256Digest, Urgency, Yanked,
};

/// One distribution file of the in-memory registry.
pub(super) struct Dist<'a> {
    pub(super) name: &'a str,
    pub(super) version: &'a str,
    pub(super) tag: Option<&'a str>,
    pub(super) requires: Vec<&'a str>,
    pub(super) extras: Vec<&'a str>,
    pub(super) requires_python: Option<&'a str>,
    pub(super) yanked: bool,
    /// An sdist whose metadata only a build could tell.
    pub(super) needs_build: bool,
}

pub(super) fn dist(
    name: &'static str,
    version: &'static str,
    requires: &[&'static str],
) -> Dist<'static> {
    Dist {
        name,
        version,
        tag: Some("py3-none-any"),
        requires: requires.to_vec(),
        extras: Vec::new(),
        requires_python: None,
        yanked: false,
        needs_build: false,
    }
}

/// An sdist-only release whose metadata is dynamic.
pub(super) fn dynamic_sdist(name: &'static str, version: &'static str) -> Dist<'static> {
    Dist {
        tag: None,
        needs_build: true,
        ..dist(name, version, &[])
    }
}

#[derive(Default)]
pub(super) struct MemorySource {
    pub(super) projects: HashMap<PackageName, ProjectFiles>,
    metadata: HashMap<String, String>,
    /// Answer only what somebody waits on: speculative work stays pending until its mark is
    /// raised, so a resolution finishes only if every wait of the solver raises one.
    pub(super) hold_speculative_work: bool,
    /// The files whose metadata was answered, in order.
    pub(super) answered: std::sync::Mutex<Vec<String>>,
    /// The files whose metadata needs a build.
    needs_build: std::collections::HashSet<String>,
    /// A project whose page, or whose files' metadata, fails to arrive, as over a broken
    /// network: [`Source::project`] or [`Source::metadata`] answers a [`SourceError`].
    pub(super) failing: Option<(PackageName, Failing)>,
}

/// Which answer of [`MemorySource::failing`]'s project fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failing {
    /// Its project page.
    Project,
    /// The metadata of each of its files.
    Metadata,
}

impl MemorySource {
    /// The error for `name`'s `what`, when that is what fails.
    fn failure(&self, name: &PackageName, what: Failing) -> Result<(), SourceError> {
        match &self.failing {
            Some((failing, kind)) if failing == name && *kind == what => Err(SourceError::new(
                std::io::Error::other(format!("the test source fails {what:?} of {name}")),
            )),
            _ => Ok(()),
        }
    }
}

impl MemorySource {
    pub(super) fn new(dists: Vec<Dist<'_>>) -> Self {
        let mut source = Self::default();
        for dist in dists {
            let name = PackageName::from_str(dist.name).unwrap();
            let filename = match dist.tag {
                Some(tag) => format!("{}-{}-{tag}.whl", dist.name.replace('-', "_"), dist.version),
                None => format!("{}-{}.tar.gz", dist.name, dist.version),
            };
            let mut text = format!(
                "Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
                dist.name, dist.version
            );
            for requirement in &dist.requires {
                text.push_str(&format!("Requires-Dist: {requirement}\n"));
            }
            for extra in &dist.extras {
                text.push_str(&format!("Provides-Extra: {extra}\n"));
            }
            if let Some(requires_python) = dist.requires_python {
                text.push_str(&format!("Requires-Python: {requires_python}\n"));
            }
            let file = IndexFile {
                dist: DistFilename::parse(&filename, &name).unwrap(),
                url: Url::parse(&format!("https://files.test/{filename}"))
                    .unwrap()
                    .into(),
                sha256: Some(Sha256Digest::of(filename.as_bytes())),
                requires_python: dist.requires_python.map(|text| text.parse().unwrap()),
                yanked: if dist.yanked {
                    Yanked::Yes(String::new())
                } else {
                    Yanked::No
                },
                upload_time: None,
                metadata: MetadataAvailability::NotAdvertised,
                size: None,
                provenance: None,
                filename: filename.clone(),
                origin: FileOrigin::Index(RedactedUrl::new(
                    Url::parse("https://index.test/simple/").unwrap(),
                )),
            };
            if dist.needs_build {
                source.needs_build.insert(filename.clone());
            }
            source.metadata.insert(filename, text);
            source
                .projects
                .entry(name.clone())
                .or_insert_with(|| ProjectFiles::empty(name))
                .files
                .push(file);
        }
        source
    }
}

impl MemorySource {
    /// With `hold_speculative_work`, waits until somebody needs the work `urgency` marks.
    async fn held_until_needed(&self, urgency: &Urgency) {
        while self.hold_speculative_work && !urgency.is_needed() {
            tokio::task::yield_now().await;
        }
    }
}

impl Source for MemorySource {
    async fn project(
        &self,
        name: &PackageName,
        urgency: &Urgency,
    ) -> Result<Arc<PackedProject>, SourceError> {
        self.held_until_needed(urgency).await;
        self.failure(name, Failing::Project)?;
        Ok(Arc::new(self.projects.get(name).map_or_else(
            || PackedProject::empty(name.clone()),
            |files| {
                PackedProject::open(name.clone(), Arc::new(PackedProject::pack(files))).unwrap()
            },
        )))
    }

    async fn metadata(
        &self,
        file: &IndexFile,
        urgency: &Urgency,
    ) -> Result<MetadataOutcome, SourceError> {
        self.held_until_needed(urgency).await;
        self.answered.lock().unwrap().push(file.filename.clone());
        self.failure(file.dist.name(), Failing::Metadata)?;
        if self.needs_build.contains(&file.filename) {
            return Ok(MetadataOutcome::NeedsBuild);
        }
        let text = &self.metadata[&file.filename];
        Ok(MetadataOutcome::Available(Arc::new(
            parse_core_metadata(text.as_bytes()).unwrap(),
        )))
    }

    async fn direct_url(
        &self,
        _: &PackageName,
        url: &Url,
    ) -> Result<(IndexFile, MetadataOutcome), SourceError> {
        panic!("no direct URLs in these tests: {url}")
    }
}
