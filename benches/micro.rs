//! Micro-benchmarks of pinwheel's hot paths, through the library's public API: PEP 440 parsing,
//! specifier → range conversion, wheel-tag ranking, METADATA parsing and index pages.
//!
//! Nothing here touches the network or a cache: every input is a constant, a fixture in
//! `benches/data/`, or generated deterministically below, so two runs measure the same work.
//! Run with `cargo bench --bench micro` (add a filter such as `pages` to run one group).

use std::str::FromStr;
use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use pinwheel::target::{Platform, PythonVersion, Target};

fn main() {
    divan::main();
}

/// CPython 3.12 on `x86_64-manylinux_2_28`: the target every resolve bench uses too.
fn target() -> Target {
    Target::new(
        PythonVersion::from_str("3.12").expect("3.12 is a valid Python version"),
        Platform::from_str("x86_64-manylinux_2_28").expect("a platform name pinwheel accepts"),
    )
}

/// PEP 440 versions and specifier sets as they appear in real metadata and pages.
mod pep440 {
    use super::{Bencher, ItemsCount, black_box};
    use pinwheel::types::{Version, VersionSpecifiers};
    use std::str::FromStr;

    /// Versions in the shapes PyPI pages list: plain releases, long releases, pre, post and dev
    /// releases, epochs and local labels.
    pub(crate) const VERSIONS: &[&str] = &[
        "1.0",
        "1.26.4",
        "2.1.3",
        "2.32.3",
        "0.0.1",
        "24.2",
        "2024.10.18",
        "3.9.0",
        "1.0.0a1",
        "2.0.0b3",
        "3.13.0rc2",
        "1.5.post1",
        "2.0.0.dev20240101",
        "1!2.0",
        "1.2.3+cpu",
        "2.4.1+cu121",
        "0.15.0rc1.post2.dev3",
        "4.12.0",
        "7.1.2",
        "10.4.0",
        "0.23.5",
        "8.3.3",
        "6.0.2",
        "3.1.4",
        "1.17.0",
        "2.9.0.post0",
        "2025.1",
        "0.4.6",
        "23.2",
        "5.4.1",
        "1.3.0",
        "0.9.0",
        "2.18.0",
        "3.10.12",
        "12.2.0",
        "0.1.0a5",
        "1.14.1",
        "4.9.0",
        "2.2.2",
        "0.11.0",
        "3.7.1",
        "1.9.4",
        "2.0.36",
        "6.4.2",
        "0.3.8",
        "1.66.2",
        "0.32.0",
        "5.29.0",
        "1.1.0rc1",
        "3.4.0.post1",
    ];

    /// About fifty specifier sets as found in `Requires-Dist` and `Requires-Python`.
    pub(crate) const SPECIFIERS: &[&str] = &[
        ">=3.8",
        ">=3.9",
        ">=3.10",
        ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*",
        ">=3.7,<4.0",
        "~=3.10",
        ">=1.26.0,<3",
        "<3,>=2.1.0",
        "==2.32.3",
        "==1.*",
        "!=2.6.0,<3.0,>=2.5.3",
        ">=4.9",
        "~=0.23.5",
        ">=2024.2.0",
        "<9,>=8.1.7",
        ">=3.1.18",
        "<2.1,>=2.0.25",
        "!=8.4.0,>=8.2.3",
        ">=0.19",
        "==2024.1.29",
        "<8,>=7.2",
        ">=1.34.0,<2",
        ">=1.0.0rc9",
        "===1.0",
        ">1.0,<=2.0",
        ">=2.8.2",
        "~=1.4.2",
        "<2.0a0",
        ">=0.6",
        ">=19.2.0",
        "!=1.5.*",
        ">=1.21.2,<2.0.0",
        "~=3.5.0",
        ">=6.0.1",
        "<5.0,>=4.8.0",
        "==0.9.0",
        "==20231025.1",
        ">=2021.5.30",
        ">=23.1",
        ">=1.2.0,!=1.3.0,!=1.3.1,<2",
        ">=3.6.2,<4",
        "==1.5+cpu",
        ">=3.0.0",
        "~=2.2",
        ">=5.3,<7",
        "!=3.0.0,!=3.0.1,>=2.0",
        "<1.27,>=1.21.1",
        ">=4.0.0a1",
        "==3.13.*",
    ];

    #[divan::bench]
    fn parse_versions(bencher: Bencher) {
        bencher.counter(ItemsCount::new(VERSIONS.len())).bench(|| {
            for text in black_box(VERSIONS) {
                black_box(Version::from_str(text).expect("a valid version"));
            }
        });
    }

    #[divan::bench]
    fn parse_specifiers(bencher: Bencher) {
        bencher
            .counter(ItemsCount::new(SPECIFIERS.len()))
            .bench(|| {
                for text in black_box(SPECIFIERS) {
                    black_box(VersionSpecifiers::from_str(text).expect("a valid specifier set"));
                }
            });
    }

    /// Version comparison is what sorting a page's versions and every range check costs.
    #[divan::bench]
    fn sort_versions(bencher: Bencher) {
        let versions: Vec<Version> = VERSIONS
            .iter()
            .map(|text| Version::from_str(text).expect("a valid version"))
            .collect();
        bencher
            .counter(ItemsCount::new(versions.len()))
            .with_inputs(|| versions.clone())
            .bench_local_values(|mut versions| {
                versions.sort_unstable();
                versions
            });
    }
}

/// Specifiers turned into PubGrub ranges: done for every dependency edge the solver sees.
mod ranges {
    use super::pep440::{SPECIFIERS, VERSIONS};
    use super::{Bencher, ItemsCount, black_box};
    use pinwheel::resolver::specifiers_to_range;
    use pinwheel::types::{Version, VersionSpecifiers};
    use std::str::FromStr;

    fn parsed() -> Vec<VersionSpecifiers> {
        SPECIFIERS
            .iter()
            .map(|text| VersionSpecifiers::from_str(text).expect("a valid specifier set"))
            .collect()
    }

    #[divan::bench]
    fn specifiers_to_ranges(bencher: Bencher) {
        let specifiers = parsed();
        bencher
            .counter(ItemsCount::new(specifiers.len()))
            .bench(|| {
                for set in black_box(&specifiers) {
                    black_box(specifiers_to_range(set));
                }
            });
    }

    /// What the provider does with the ranges: test candidate versions against them.
    #[divan::bench]
    fn range_contains(bencher: Bencher) {
        let ranges: Vec<_> = parsed().iter().map(specifiers_to_range).collect();
        let versions: Vec<Version> = VERSIONS
            .iter()
            .map(|text| Version::from_str(text).expect("a valid version"))
            .collect();
        bencher
            .counter(ItemsCount::new(ranges.len() * versions.len()))
            .bench(|| {
                let mut allowed = 0usize;
                for range in black_box(&ranges) {
                    for version in black_box(&versions) {
                        allowed += usize::from(range.contains(version));
                    }
                }
                allowed
            });
    }
}

/// Wheel tag compatibility: ranking the wheels of numpy/pydantic-core-like releases for the
/// cp312 manylinux target, as `VersionMap` does for every file of every project.
mod tags {
    use super::{Bencher, ItemsCount, black_box, target};
    use pinwheel::types::WheelFilename;
    use std::str::FromStr;

    /// Platform tags of a typical binary release (compressed tag sets included).
    const PLATFORMS: &[&str] = &[
        "manylinux_2_17_x86_64.manylinux2014_x86_64",
        "manylinux_2_17_aarch64.manylinux2014_aarch64",
        "manylinux_2_28_x86_64",
        "manylinux_2_28_aarch64",
        "manylinux_2_5_i686.manylinux1_i686.manylinux_2_17_i686.manylinux2014_i686",
        "manylinux_2_17_ppc64le.manylinux2014_ppc64le",
        "manylinux_2_17_s390x.manylinux2014_s390x",
        "musllinux_1_1_x86_64",
        "musllinux_1_2_aarch64",
        "macosx_10_9_x86_64",
        "macosx_11_0_arm64",
        "macosx_10_12_x86_64.macosx_11_0_arm64.macosx_10_12_universal2",
        "win32",
        "win_amd64",
    ];

    /// About 500 wheel file names: three projects shaped like numpy (one ABI per CPython),
    /// pydantic-core (including free-threaded and PyPy builds) and cryptography (abi3 wheels
    /// plus a pure-Python fallback elsewhere).
    pub(crate) fn wheel_filenames() -> Vec<String> {
        let mut names = Vec::new();
        for version in ["2.1.3", "2.2.0", "2.2.1"] {
            for python in ["cp310", "cp311", "cp312", "cp313"] {
                for platform in PLATFORMS {
                    names.push(format!("numpy-{version}-{python}-{python}-{platform}.whl"));
                }
            }
            names.push(format!(
                "numpy-{version}-pp310-pypy310_pp73-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
            ));
        }
        for version in ["2.27.1", "2.27.2", "2.33.2"] {
            for (python, abi) in [
                ("cp39", "cp39"),
                ("cp310", "cp310"),
                ("cp311", "cp311"),
                ("cp312", "cp312"),
                ("cp313", "cp313"),
                ("cp313", "cp313t"),
            ] {
                for platform in PLATFORMS {
                    names.push(format!(
                        "pydantic_core-{version}-{python}-{abi}-{platform}.whl"
                    ));
                }
            }
            for pypy in ["pp39-pypy39_pp73", "pp310-pypy310_pp73"] {
                names.push(format!(
                    "pydantic_core-{version}-{pypy}-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
                ));
            }
        }
        for version in ["43.0.3", "44.0.0"] {
            for python in ["cp37", "cp39"] {
                for platform in PLATFORMS {
                    names.push(format!(
                        "cryptography-{version}-{python}-abi3-{platform}.whl"
                    ));
                }
            }
            names.push(format!("cryptography-{version}-py3-none-any.whl"));
        }
        names
    }

    /// Building the target's ordered tag list (once per run).
    #[divan::bench]
    fn build_target() -> pinwheel::target::Target {
        target()
    }

    /// Ranking wheels whose names are already parsed: the lookup alone.
    #[divan::bench]
    fn rank_parsed_wheels(bencher: Bencher) {
        let target = target();
        let wheels: Vec<WheelFilename> = wheel_filenames()
            .iter()
            .map(|name| WheelFilename::from_str(name).expect("a valid wheel file name"))
            .collect();
        bencher.counter(ItemsCount::new(wheels.len())).bench(|| {
            black_box(&wheels)
                .iter()
                .filter_map(|wheel| target.wheel_priority(&wheel.tag))
                .max()
        });
    }

    /// Parsing each file name, then ranking it: what a page of wheels costs end to end.
    #[divan::bench]
    fn parse_and_rank_wheels(bencher: Bencher) {
        let target = target();
        let names = wheel_filenames();
        bencher.counter(ItemsCount::new(names.len())).bench(|| {
            black_box(&names)
                .iter()
                .filter_map(|name| {
                    let wheel = WheelFilename::from_str(name).expect("a valid wheel file name");
                    target.wheel_priority(&wheel.tag)
                })
                .max()
        });
    }
}

/// `METADATA` parsing: once per distribution whose dependencies the solver asks for.
mod metadata {
    use super::{Bencher, BytesCount, black_box};
    use pinwheel::metadata::parse_core_metadata;

    /// A realistic wheel METADATA: 42 `Requires-Dist` lines with extras and markers, classifiers
    /// and a description body (which the parser must skip).
    const METADATA: &[u8] = include_bytes!("data/METADATA");

    #[divan::bench]
    fn parse_core_metadata_42_requirements(bencher: Bencher) {
        bencher
            .counter(BytesCount::of_slice(METADATA))
            .bench(|| parse_core_metadata(black_box(METADATA)).expect("the fixture parses"));
    }
}

/// Index pages of 2,000 files, in both formats the client reads, and the step that follows a
/// page in every resolve: grouping its files by version and picking each version's best file.
mod pages {
    use super::{Bencher, BytesCount, ItemsCount, LazyLock, black_box, target};
    use pinwheel::index::html::parse_simple_html;
    use pinwheel::index::json::parse_simple_json;
    use pinwheel::resolver::{
        PrereleasePermission, SelectionContext, SelectionOptions, VersionMap, VersionOrder,
    };
    use pinwheel::types::{BlockSource, PackageName, PackedProject};
    use pubgrub::Ranges;
    use sha2::{Digest as _, Sha256};
    use std::fmt::Write as _;
    use std::str::FromStr;
    use std::sync::Arc;
    use url::Url;

    /// Files per page: numpy and its peers list a few thousand.
    const FILES: usize = 2_000;

    /// One listed file, before it is written out as HTML or JSON.
    struct ListedFile {
        filename: String,
        url: String,
        sha256: String,
        metadata_sha256: String,
        requires_python: &'static str,
        yanked: Option<&'static str>,
        upload_time: String,
        size: u64,
    }

    /// A numpy-shaped project: 80 releases (some release candidates), each an sdist and 24
    /// wheels; two releases are yanked. Digests are the sha256 of the file name, so the page is
    /// the same on every run and looks like PyPI's.
    fn listed_files() -> Vec<ListedFile> {
        let platforms = [
            "manylinux_2_17_x86_64.manylinux2014_x86_64",
            "manylinux_2_17_aarch64.manylinux2014_aarch64",
            "musllinux_1_2_x86_64",
            "macosx_11_0_arm64",
            "macosx_10_9_x86_64",
            "win_amd64",
        ];
        let mut files = Vec::with_capacity(FILES);
        for release in 0..80u32 {
            let (minor, patch) = (release / 4, release % 4);
            let version = if patch == 0 && minor % 3 == 0 {
                format!("1.{minor}.0rc1")
            } else {
                format!("1.{minor}.{patch}")
            };
            let requires_python = if minor < 10 { ">=3.9" } else { ">=3.10" };
            let yanked =
                matches!(release, 13 | 57).then_some("broken wheels, use the next release");
            let mut names = vec![format!("benchpkg-{version}.tar.gz")];
            for python in ["cp310", "cp311", "cp312", "cp313"] {
                for platform in platforms {
                    names.push(format!(
                        "benchpkg-{version}-{python}-{python}-{platform}.whl"
                    ));
                }
            }
            for (index, filename) in names.into_iter().enumerate() {
                let sha256 = hex(&Sha256::digest(filename.as_bytes()));
                let metadata_sha256 = hex(&Sha256::digest(sha256.as_bytes()));
                let url = format!(
                    "https://files.pythonhosted.org/packages/{}/{}/{}/{filename}",
                    &sha256[..2],
                    &sha256[2..4],
                    &sha256[4..60]
                );
                files.push(ListedFile {
                    filename,
                    url,
                    sha256,
                    metadata_sha256,
                    requires_python,
                    yanked,
                    upload_time: format!(
                        "2024-{:02}-{:02}T{:02}:{:02}:17.123456Z",
                        1 + release % 12,
                        1 + release % 28,
                        index % 24,
                        index % 60
                    ),
                    size: 4_000_000 + u64::from(release) * 1_024 + index as u64,
                });
            }
        }
        files
    }

    fn hex(bytes: &[u8]) -> String {
        bytes
            .iter()
            .fold(String::with_capacity(64), |mut out, byte| {
                let _ = write!(out, "{byte:02x}");
                out
            })
    }

    /// The page as this machine's mirror serves it (PEP 503 with PEP 592/658/714 attributes
    /// and the mirror's `data-upload-time`), entities escaped as PyPI escapes them.
    static HTML: LazyLock<String> = LazyLock::new(|| {
        let mut page = String::from(
            "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" \
             content=\"1.1\">\n    <title>Links for benchpkg</title>\n  </head>\n  <body>\n    \
             <h1>Links for benchpkg</h1>\n",
        );
        for file in listed_files() {
            let requires_python = file
                .requires_python
                .replace('>', "&gt;")
                .replace('<', "&lt;");
            let yanked = file
                .yanked
                .map(|reason| format!(" data-yanked=\"{reason}\""))
                .unwrap_or_default();
            let _ = writeln!(
                page,
                "    <a href=\"{}#sha256={}\" data-requires-python=\"{requires_python}\"{yanked} \
                 data-dist-info-metadata=\"sha256={}\" data-core-metadata=\"sha256={}\" \
                 data-upload-time=\"{}\">{}</a><br />",
                file.url,
                file.sha256,
                file.metadata_sha256,
                file.metadata_sha256,
                file.upload_time,
                file.filename
            );
        }
        page.push_str("  </body>\n</html>\n<!--SERIAL 25374123-->\n");
        page
    });

    /// The same page as PEP 691 JSON (`application/vnd.pypi.simple.v1+json`, API 1.1).
    static JSON: LazyLock<String> = LazyLock::new(|| {
        let files: Vec<serde_json::Value> = listed_files()
            .into_iter()
            .map(|file| {
                serde_json::json!({
                    "filename": file.filename,
                    "url": file.url,
                    "hashes": { "sha256": file.sha256 },
                    "requires-python": file.requires_python,
                    "yanked": file.yanked.map_or(serde_json::Value::Bool(false), Into::into),
                    "core-metadata": { "sha256": file.metadata_sha256 },
                    "dist-info-metadata": { "sha256": file.metadata_sha256 },
                    "upload-time": file.upload_time,
                    "size": file.size,
                })
            })
            .collect();
        serde_json::json!({
            "meta": { "api-version": "1.1", "_last-serial": 25_374_123 },
            "name": "benchpkg",
            "files": files,
        })
        .to_string()
    });

    fn page_url() -> Url {
        Url::parse("https://pypi.org/simple/benchpkg/").expect("a valid URL")
    }

    /// The index the generated page belongs to.
    fn origin() -> pinwheel::types::FileOrigin {
        pinwheel::types::FileOrigin::Index(pinwheel::types::RedactedUrl::new(
            Url::parse("https://pypi.org/simple/").expect("a valid URL"),
        ))
    }

    fn project() -> PackageName {
        PackageName::from_str("benchpkg").expect("a valid project name")
    }

    #[divan::bench]
    fn parse_html_2000_files(bencher: Bencher) {
        let (url, project) = (page_url(), project());
        let body = HTML.as_str();
        let parsed = parse_simple_html(body, &url, &project, &origin()).expect("the page parses");
        assert_eq!(parsed.files.len(), FILES, "every generated file is listed");
        bencher.counter(BytesCount::of_str(body)).bench(|| {
            parse_simple_html(black_box(body), &url, &project, &origin()).expect("the page parses")
        });
    }

    #[divan::bench]
    fn parse_json_2000_files(bencher: Bencher) {
        let (url, project) = (page_url(), project());
        let body = JSON.as_bytes();
        let parsed = parse_simple_json(body, &url, &project, &origin()).expect("the page parses");
        assert_eq!(parsed.files.len(), FILES, "every generated file is listed");
        bencher.counter(BytesCount::of_slice(body)).bench(|| {
            parse_simple_json(black_box(body), &url, &project, &origin()).expect("the page parses")
        });
    }

    /// Files → versions with their best file for cp312 manylinux (tags, `Requires-Python`,
    /// yanked and `--exclude-newer` checks included).
    #[divan::bench]
    fn version_map_2000_files(bencher: Bencher) {
        let target = target();
        let files = parse_simple_json(JSON.as_bytes(), &page_url(), &project(), &origin())
            .expect("the page parses");
        let options = SelectionOptions {
            exclude_newer: Some(
                jiff::Timestamp::from_str("2026-11-01T00:00:00Z").expect("a valid timestamp"),
            ),
            ..SelectionOptions::default()
        };
        bencher
            .counter(ItemsCount::new(files.files.len()))
            .bench(|| VersionMap::new(black_box(&files), &target, &options));
    }

    /// What a warm resolve does with a cached page instead of parsing it: open the packed form
    /// (header only) and judge the newest version, as the solver's first choice does.
    #[divan::bench]
    fn packed_open_and_newest_version_2000_files(bencher: Bencher) {
        let files = parse_simple_json(JSON.as_bytes(), &page_url(), &project(), &origin())
            .expect("the page parses");
        let bytes: Arc<Vec<u8>> = Arc::new(PackedProject::pack(&files));
        let context = Arc::new(SelectionContext {
            files: pinwheel::resolver::FilesFor::Target(target()),
            options: SelectionOptions::default(),
        });
        let all = Ranges::full();
        let never_yanked = |_: &pinwheel::types::Version| false;
        bencher.counter(BytesCount::new(bytes.len())).bench(|| {
            let packed = PackedProject::open(project(), Arc::clone(&bytes) as Arc<dyn BlockSource>)
                .expect("the page opens");
            let versions = VersionMap::lazy(Arc::new(packed), Arc::clone(&context));
            versions
                .choose_preferring(
                    &all,
                    PrereleasePermission::Forbidden,
                    &never_yanked,
                    None,
                    VersionOrder::NewestFirst,
                )
                .cloned()
        });
    }

    /// Packing a parsed page, which a cold resolve does once per project before caching it.
    #[divan::bench]
    fn pack_2000_files(bencher: Bencher) {
        let files = parse_simple_json(JSON.as_bytes(), &page_url(), &project(), &origin())
            .expect("the page parses");
        bencher
            .counter(ItemsCount::new(files.files.len()))
            .bench(|| PackedProject::pack(black_box(&files)));
    }
}
