//! The in-memory description of a test index: packages, their files, and how the server behaves.
//!
//! Owns the plain data types test authors fill in and the naming rules derived from them
//! (normalised project names, wheel and sdist filenames). It must not build bytes or serve
//! anything; `dist_builder` and `index_server` do that.

/// One release (name + version) of a project on the test index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPackage {
    /// The project name as written in metadata (need not be normalised).
    pub name: String,
    /// The version string, written verbatim into metadata and filenames.
    pub version: String,
    /// The distribution files of this release.
    pub files: Vec<TestFile>,
    /// PEP 508 requirement strings, e.g. `idna>=2; extra == "socks"`.
    pub requires_dist: Vec<String>,
    /// The `Requires-Python` specifier, if any.
    pub requires_python: Option<String>,
    /// The extras this release declares.
    pub provides_extra: Vec<String>,
    /// The yank reason: `None` = not yanked, `Some("")` = yanked without a reason.
    pub yanked: Option<String>,
    /// The upload time (RFC 3339) shown on the project page, if any.
    pub upload_time: Option<String>,
    /// Files its wheels carry besides the generated `<stem>/__init__.py` (which a file of the
    /// same path replaces): `(path in the wheel, contents)`.
    pub module_files: Vec<(String, String)>,
}

impl TestPackage {
    /// A release with one `py3-none-any` wheel and nothing else.
    pub fn new(name: &str, version: &str) -> TestPackage {
        TestPackage {
            name: name.to_owned(),
            version: version.to_owned(),
            files: vec![TestFile::Wheel {
                tag: "py3-none-any".to_owned(),
            }],
            requires_dist: Vec::new(),
            requires_python: None,
            provides_extra: Vec::new(),
            yanked: None,
            upload_time: None,
            module_files: Vec::new(),
        }
    }

    /// Adds files to its wheels (see [`TestPackage::module_files`]).
    pub fn with_module_files(mut self, files: &[(&str, &str)]) -> TestPackage {
        self.module_files = files
            .iter()
            .map(|(path, contents)| ((*path).to_owned(), (*contents).to_owned()))
            .collect();
        self
    }

    /// Replaces the requirement list.
    pub fn requires(mut self, requirements: &[&str]) -> TestPackage {
        self.requires_dist = requirements.iter().map(|r| (*r).to_owned()).collect();
        self
    }

    /// Replaces the declared extras.
    pub fn extras(mut self, extras: &[&str]) -> TestPackage {
        self.provides_extra = extras.iter().map(|e| (*e).to_owned()).collect();
        self
    }

    /// Sets `Requires-Python`.
    pub fn python(mut self, specifier: &str) -> TestPackage {
        self.requires_python = Some(specifier.to_owned());
        self
    }

    /// Replaces the file list.
    pub fn with_files(mut self, files: Vec<TestFile>) -> TestPackage {
        self.files = files;
        self
    }

    /// Marks every file of this release as yanked with `reason` (may be empty).
    pub fn yank(mut self, reason: &str) -> TestPackage {
        self.yanked = Some(reason.to_owned());
        self
    }

    /// The PEP 503 normalised project name.
    pub fn normalized_name(&self) -> String {
        normalize_name(&self.name)
    }

    /// The name as it appears in filenames and the `.dist-info` directory (`-` becomes `_`).
    pub fn filename_stem(&self) -> String {
        self.name.replace('-', "_")
    }

    /// The filename of `file` for this release.
    pub fn filename(&self, file: &TestFile) -> String {
        match file {
            TestFile::Wheel { tag } | TestFile::Crafted { tag, .. } => {
                format!("{}-{}-{}.whl", self.filename_stem(), self.version, tag)
            }
            TestFile::Sdist(_) => format!("{}-{}.tar.gz", self.filename_stem(), self.version),
            TestFile::Published { filename, .. } => filename.clone(),
        }
    }
}

/// One distribution file of a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestFile {
    /// A wheel with the given compatibility tag triple, e.g. `cp312-cp312-manylinux_2_17_x86_64`.
    Wheel {
        /// The `python-abi-platform` tag (compressed sets like `py2.py3` are allowed).
        tag: String,
    },
    /// A `.tar.gz` source distribution laid out as described by the kind.
    Sdist(SdistKind),
    /// A wheel of exactly these bytes (a crafted archive: duplicate members, headers that
    /// disagree, an entry that expands too far), with no `.metadata` file beside it.
    Crafted {
        /// The compatibility tag triple of its filename.
        tag: String,
        /// The file's bytes.
        bytes: Vec<u8>,
    },
    /// A real published file under its own name, with no `.metadata` file beside it, and,
    /// when given, the PEP 740 provenance object the page links (`provenance` in JSON,
    /// `data-provenance` in HTML) and `<filename>.provenance` serves.
    Published {
        /// The file name, as published.
        filename: String,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// The provenance object's bytes.
        provenance: Option<Vec<u8>>,
    },
}

/// Where a source distribution keeps its dependency information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdistKind {
    /// `PKG-INFO` with Metadata-Version 2.2 and no `Dynamic` fields: trustworthy static metadata.
    PkgInfo22,
    /// `PKG-INFO` 2.1 (without `Requires-Dist`) and a `pyproject.toml` with a fully static
    /// `[project]` table.
    PyprojectStatic,
    /// `PKG-INFO` 2.1 (without `Requires-Dist`) and `<name>.egg-info/requires.txt` with
    /// `[extra]` / `[:marker]` sections generated from `requires_dist`.
    EggInfoRequires,
    /// `PKG-INFO` 2.1 (without `Requires-Dist`) and a `pyproject.toml` declaring the
    /// dependencies dynamic; no egg-info: only a build could tell the dependencies.
    Dynamic,
    /// What distutils' `sdist` made: `PKG-INFO` 1.1 (no `Requires-Dist`) and a `setup.py`
    /// passing literal `install_requires`/`extras_require` to `setup()`; no egg-info, no
    /// `pyproject.toml`.
    SetupPy,
    /// As [`SdistKind::SetupPy`], but `install_requires` is computed when `setup.py` runs (read
    /// from a `requirements.txt` in the sdist): only a build could tell the dependencies.
    SetupPyComputed,
    /// `PKG-INFO` 2.1 (no `Requires-Dist`), a `pyproject.toml` declaring the dependencies
    /// dynamic and naming an in-tree backend (`backend-path = ["_build"]`, no build
    /// requirements), which writes the full METADATA when
    /// `prepare_metadata_for_build_wheel` runs: a build needs only Python, no index.
    InTreeBackend,
    /// As [`SdistKind::InTreeBackend`], but the backend prints a line to stderr and raises
    /// `RuntimeError("planted failure: …")`.
    FailingBackend,
}

/// How the test server behaves; every combination is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerOptions {
    /// The project page format.
    pub pages: PageFormat,
    /// Whether wheels' `.metadata` files exist and are advertised.
    pub metadata: MetadataMode,
    /// How `Range` requests on files are answered.
    pub ranges: RangeMode,
    /// Whether pages list each file's sha256.
    pub hashes: HashMode,
    /// Distribution files are sent half, then the response hangs (no more bytes, no end) until
    /// the server stops: a download caught in the middle, for interrupting it.
    pub stall_files: bool,
    /// Every project page answers this status instead (a 503 from an index that is down).
    pub page_status: Option<u16>,
    /// The cache validators project pages carry, which a conditional request must match for a
    /// 304 Not Modified.
    pub validators: Validators,
    /// A fault served to the first request of every path (pages and files alike); later
    /// requests of that path are answered normally, as from an index that recovered.
    pub first_fault: Option<Fault>,
}

/// The cache validators of project pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Validators {
    /// None, as this machine's PyPI mirror: a client can only fetch a page again whole.
    #[default]
    None,
    /// An `ETag` (the quoted sha256 of the page); `If-None-Match` with it is answered 304.
    ETag,
    /// A `Last-Modified` date (the same for every page); `If-Modified-Since` with exactly that
    /// date is answered 304.
    LastModified,
}

/// A transient failure of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 503 Service Unavailable, with no body.
    Unavailable,
    /// The connection is dropped before any byte of a response is sent.
    Reset,
    /// The real answer's headers with a `Content-Length` of its whole body, then half of the
    /// body, then the connection is closed.
    CutBody,
}

/// Whether project pages list file hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashMode {
    /// Every file's sha256 is on the page (`hashes` in JSON, a `#sha256=` fragment in HTML).
    #[default]
    Listed,
    /// No hashes at all, as some private indexes and plain file servers do.
    Omitted,
    /// Every file's listed sha256 is wrong (that of its name), as a tampered or broken mirror
    /// would serve: whatever is downloaded whole must be refused.
    Wrong,
}

/// The project page format, served whatever the request's `Accept` header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageFormat {
    /// PEP 691 JSON (`application/vnd.pypi.simple.v1+json`).
    #[default]
    Json,
    /// PEP 503 HTML (`text/html`).
    Html,
}

/// Availability of PEP 658 `.metadata` files for wheels (sdists never have one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetadataMode {
    /// The `.metadata` file exists and the page advertises it with its hash.
    #[default]
    Advertised,
    /// The `.metadata` file exists but the page does not mention it.
    Unadvertised,
    /// No `.metadata` file: requests for it get 404.
    Absent,
    /// The `.metadata` file exists and is advertised, with a wrong sha256 (that of its
    /// name), as a tampered mirror would serve: the metadata must be refused.
    WrongDigest,
}

impl MetadataMode {
    /// The sha256 the page advertises for a `.metadata` file whose real one is `sha`, if the
    /// page advertises it at all.
    pub fn advertised<'a>(self, sha: &'a str, wrong: &'a str) -> Option<&'a str> {
        match self {
            Self::Advertised => Some(sha),
            Self::WrongDigest => Some(wrong),
            Self::Unadvertised | Self::Absent => None,
        }
    }
}

/// How file requests carrying a `Range` header are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RangeMode {
    /// 206 Partial Content with `Content-Range`; `HEAD` says `Accept-Ranges: bytes`.
    #[default]
    Honoured,
    /// The header is ignored: 200 with the full body; no `Accept-Ranges` header anywhere.
    Refused,
    /// 416 Range Not Satisfiable for any `Range` request, although `HEAD` still says
    /// `Accept-Ranges: bytes` (a server that promises ranges and then fails them).
    Rejected,
}

/// PEP 503 normalisation: lowercase, with every run of `-`, `_` and `.` collapsed to `-`.
pub fn normalize_name(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator_run {
                normalized.push('-');
            }
            in_separator_run = true;
        } else {
            normalized.extend(c.to_lowercase());
            in_separator_run = false;
        }
    }
    normalized
}
