//! One entry point per parser of outside bytes, for fuzzing.
//!
//! The cargo-fuzz targets in `fuzz/`, the replay of their committed corpus and the property
//! tests (`src/fuzz_props/`) all call these, so that what the fuzzer explores on nightly is
//! exactly what CI replays on stable. Each entry feeds `data` to its parsers, ignores whether
//! they accepted it (an error is a fine answer to garbage) and returns how many items they
//! produced (requirements, files, pins, members), which [`Target::max_items`] bounds: a parser
//! must not make more out of an input than the input holds.
//!
//! Not part of pinwheel's interface: hidden from the docs, and free to change with the parsers.

use std::path::Path;
use std::str::FromStr as _;

use url::Url;

use crate::inputs::{LocalPaths, OriginKind, ReadOptions, Variables, read_manifest};
use crate::metadata::{self, PartialWheel, TailRead};
use crate::types::{
    DistFilename, FileOrigin, IndexFile, PackageName, RedactedUrl, SdistFilename, Version,
    WheelFilename,
};

/// A parser under fuzzing.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The name of its cargo-fuzz target and of its corpus directory, `fuzz/corpus/<name>/`.
    pub name: &'static str,
    /// Feeds one input to the parser; returns how many items came out.
    pub run: fn(&[u8]) -> usize,
    /// The most items an input may produce per byte (archives decompress, so theirs is the
    /// largest ratio deflate reaches).
    pub items_per_byte: usize,
}

impl Target {
    /// The most items an input of `len` bytes may produce.
    #[must_use]
    pub fn max_items(&self, len: usize) -> usize {
        len.saturating_mul(self.items_per_byte)
    }
}

/// Deflate's best ratio is about 1032:1; a generous bound for anything read out of an archive.
const ARCHIVE_ITEMS_PER_BYTE: usize = 1100;

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    Target {
        name: "requirements_file",
        run: requirements_file,
        items_per_byte: 1,
    },
    Target {
        name: "core_metadata",
        run: core_metadata,
        items_per_byte: 1,
    },
    Target {
        name: "filename",
        run: filename,
        items_per_byte: 1,
    },
    Target {
        name: "simple_json",
        run: simple_json,
        items_per_byte: 1,
    },
    Target {
        name: "simple_html",
        run: simple_html,
        items_per_byte: 1,
    },
    Target {
        name: "wheel_zip",
        run: wheel_zip,
        items_per_byte: ARCHIVE_ITEMS_PER_BYTE,
    },
    Target {
        name: "sdist_archive",
        run: sdist_archive,
        items_per_byte: ARCHIVE_ITEMS_PER_BYTE,
    },
    Target {
        name: "setup_py",
        run: setup_py,
        items_per_byte: 1,
    },
    Target {
        name: "project_files",
        run: project_files,
        items_per_byte: 1,
    },
    Target {
        name: "lock",
        run: lock,
        items_per_byte: 1,
    },
    Target {
        name: "pylock",
        run: pylock,
        items_per_byte: 1,
    },
];

/// The target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

/// The project every page and archive is read for.
fn demo() -> PackageName {
    PackageName::from_str("demo").unwrap_or_else(|_| unreachable!("`demo` is a valid name"))
}

fn demo_version() -> Version {
    Version::new([1, 0])
}

fn page_url() -> Url {
    Url::parse("https://index.example/simple/demo/")
        .unwrap_or_else(|_| unreachable!("the page URL literal is valid"))
}

/// A requirements file (`.in` syntax, with includes and options), read as a source and as a
/// constraints file, skipping and reading local paths. The file sits alone in a fresh
/// directory, so includes and local paths name nothing of the machine's.
pub fn requirements_file(data: &[u8]) -> usize {
    let Ok(dir) = tempfile::tempdir() else {
        return 0;
    };
    let path = dir.path().join("requirements.in");
    if std::fs::write(&path, data).is_err() {
        return 0;
    }
    let variables = Variables::none();
    let mut most = 0;
    for local_paths in [LocalPaths::Skip, LocalPaths::Read] {
        for kind in [OriginKind::Requirement, OriginKind::Constraint] {
            let options = ReadOptions {
                variables: &variables,
                local_paths,
            };
            if let Ok(manifest) = read_manifest(&path, kind, options) {
                most = most.max(manifest.requirements.len() + manifest.constraints.len());
            }
        }
    }
    most
}

/// `METADATA` / `PKG-INFO` headers, and `requires.txt` of an `.egg-info`.
pub fn core_metadata(data: &[u8]) -> usize {
    let requirements = metadata::parse_core_metadata(data)
        .map(|parsed| parsed.requires_dist.len())
        .unwrap_or(0);
    let egg = metadata::parse_requires_txt(data)
        .map(|parsed| parsed.requirements.len())
        .unwrap_or(0);
    requirements.max(egg)
}

/// Wheel and sdist file names, with and without the project's name.
pub fn filename(data: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let project = demo();
    let wheel = WheelFilename::from_str(text).map(|wheel| wheel.tag.expand().count());
    let _ = SdistFilename::parse(text, &project);
    let _ = DistFilename::parse(text, &project);
    let _ = DistFilename::parse_unnamed(text);
    wheel.unwrap_or(0)
}

/// A PEP 691 JSON project page.
pub fn simple_json(data: &[u8]) -> usize {
    simple_json_files(data).len()
}

/// The files a JSON page lists for `demo` (none when it is refused).
pub fn simple_json_files(data: &[u8]) -> Vec<IndexFile> {
    let origin = FileOrigin::Index(RedactedUrl::new(page_url()));
    crate::index::json::parse_simple_json(data, &page_url(), &demo(), &origin)
        .map(|files| files.files)
        .unwrap_or_default()
}

/// A PEP 503 HTML project page, and the same bytes as a find-links page.
pub fn simple_html(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data);
    let origin = FileOrigin::FindLinks(RedactedUrl::new(page_url()));
    let links =
        crate::index::find_links::parse_find_links_html(&text, &page_url(), &demo(), &origin)
            .map(|files| files.files.len())
            .unwrap_or(0);
    simple_html_files(&text).len().max(links)
}

/// The files an HTML simple page links for `demo` (none when it is refused).
pub fn simple_html_files(text: &str) -> Vec<IndexFile> {
    let origin = FileOrigin::Index(RedactedUrl::new(page_url()));
    crate::index::html::parse_simple_html(text, &page_url(), &demo(), &origin)
        .map(|files| files.files)
        .unwrap_or_default()
}

/// A wheel: its central directory, each entry, and METADATA read whole and by byte ranges.
pub fn wheel_zip(data: &[u8]) -> usize {
    let (name, version) = (demo(), demo_version());
    let len = data.len() as u64;
    let mut entries = 0;
    if let Ok(location) = metadata::locate_central_directory(data, len) {
        let start = usize::try_from(location.offset).unwrap_or(usize::MAX);
        let end = usize::try_from(location.end()).unwrap_or(usize::MAX);
        if let Some(directory) = data.get(start..end)
            && let Ok(parsed) = metadata::parse_central_directory(directory)
        {
            entries = parsed.len();
            for entry in &parsed {
                if let Some(local) = usize::try_from(entry.local_header_offset)
                    .ok()
                    .and_then(|offset| data.get(offset..))
                {
                    let _ = metadata::read_entry(local, entry);
                }
            }
        }
    }
    let _ = metadata::metadata_from_wheel(data, &name, &version);
    let _ = ranged_metadata(data, &name, &version);
    entries
}

/// Reads METADATA as the index client does, one range at a time, answering each request from
/// `wheel`. Returns the METADATA and the number of ranges asked for, or `None` on an error or
/// when the reader asks for more than [`MAX_RANGE_REQUESTS`] ranges.
pub fn ranged_metadata(wheel: &[u8], name: &PackageName, version: &Version) -> Option<RangedRead> {
    let len = wheel.len() as u64;
    let tail = usize::try_from(metadata::TAIL_REQUEST_SIZE).unwrap_or(usize::MAX);
    let tail_start = wheel.len().saturating_sub(tail);
    let mut partial = PartialWheel::new(len);
    partial
        .add_range(tail_start as u64, wheel[tail_start..].to_vec())
        .ok()?;
    for requests in 0..=MAX_RANGE_REQUESTS {
        match partial.metadata(name, version).ok()? {
            TailRead::Metadata(bytes) => {
                return Some(RangedRead {
                    metadata: bytes,
                    requests,
                });
            }
            TailRead::NeedRange { start, end } => {
                let range = usize::try_from(start).ok()?..usize::try_from(end).ok()?;
                let bytes = wheel.get(range)?.to_vec();
                partial.add_range(start, bytes).ok()?;
            }
        }
    }
    None
}

/// The ranges after the tail the reader may ask for: the central directory (or a ZIP64
/// record), then METADATA's local entry.
pub const MAX_RANGE_REQUESTS: usize = 3;

/// What [`ranged_metadata`] read.
#[derive(Debug)]
pub struct RangedRead {
    /// The METADATA file.
    pub metadata: Vec<u8>,
    /// How many ranges after the tail it took.
    pub requests: usize,
}

/// An sdist, as a `.tar.gz` and as a `.zip`: its static metadata, and unpacking it into a
/// fresh directory.
pub fn sdist_archive(data: &[u8]) -> usize {
    let project = demo();
    let mut most = 0;
    for file in ["demo-1.0.tar.gz", "demo-1.0.zip"] {
        let Ok(filename) = SdistFilename::parse(file, &project) else {
            continue;
        };
        if let Ok(parsed) = metadata::sdist_static_metadata(data, &filename) {
            most = most.max(parsed.requires_dist.len());
        }
        let Ok(dir) = tempfile::tempdir() else {
            continue;
        };
        let archive = dir.path().join(file);
        if std::fs::write(&archive, data).is_ok() {
            let _ =
                crate::build::unpack::unpack_sdist(&archive, &filename, &dir.path().join("tree"));
        }
    }
    most
}

/// A `setup.py`, read without running it (tokenizer and literal parser).
pub fn setup_py(data: &[u8]) -> usize {
    metadata::read_setup_py(data)
        .map(|declaration| declared_requirements(&declaration))
        .unwrap_or(0)
}

/// `pyproject.toml` (`[project]`, `[build-system]`) and `setup.cfg`.
pub fn project_files(data: &[u8]) -> usize {
    let project = metadata::pyproject::static_project(data)
        .ok()
        .flatten()
        .map_or(0, |project| project.requires_dist.len());
    let _ = metadata::pyproject::build_backend(data);
    let _ = metadata::build_system(Some(data));
    let cfg = metadata::read_setup_cfg(data)
        .map(|declaration| declared_requirements(&declaration))
        .unwrap_or(0);
    let _ = metadata::setup_cfg_requirements(data);
    project.max(cfg)
}

/// A requirements-format lock file.
pub fn lock(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data);
    crate::lockfile::parse_lock(&text, Path::new("requirements.txt"))
        .map(|lock| lock.pins.len())
        .unwrap_or(0)
}

/// A `pylock.toml`, and the digest scan `download` uses on it.
pub fn pylock(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data);
    let pins = crate::lockfile::parse_pylock(&text, Path::new("pylock.toml"))
        .map(|lock| lock.pins.len())
        .unwrap_or(0);
    pins.max(crate::lockfile::pylock_file_digests(&text).len())
}

/// The requirement strings a `setup()` call or `setup.cfg` declares.
fn declared_requirements(declaration: &metadata::SetuptoolsDeclaration) -> usize {
    let install = declaration.install_requires.as_ref().map_or(0, Vec::len);
    let extras = declaration
        .extras_require
        .iter()
        .flatten()
        .map(|(_, requirements)| requirements.len())
        .sum::<usize>();
    install + extras
}
