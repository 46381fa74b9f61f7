//! Command-line arguments as the user typed them (clap derives only; no logic, no IO).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::pip_compile::Program;
use super::pip_env::PipEnvironment;

/// pinwheel: lock Python requirements for any Python and platform, natively.
#[derive(Debug, Parser)]
#[command(name = "pinwheel", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// pinwheel's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resolve requirements (.in files) into a pinned, hashed requirements file, like pip-compile.
    ///
    /// Exit status: 0 when the output was written (with `--check`: is up to date; with `--each`:
    /// for every file), 1 when the requirements have no solution or `--check` finds the output
    /// stale or missing, 2 for a usage or input error (a bad option, an unreadable input, an
    /// output that is an input, a network or disk failure). With `--each`, the highest code of
    /// the files.
    Resolve(Box<ResolveArgs>),
    /// Check that a lock file installs on one or more targets: every pin exists, is not yanked,
    /// fits the target's Python, has a wheel (or an sdist) for it, and has the index's hashes.
    ///
    /// Exit status: 0 when every pin installs on every target (a pin that only an sdist build
    /// can install is a warning, unless `--require-wheels`), 1 when one does not, 2 when the
    /// check cannot be carried out (unreadable lock, network or cache failure).
    Check(CheckArgs),
    /// Download the file of every pin of a lock for the target into a directory, verified
    /// against the lock's hashes, for `pip install --no-index --find-links DIR`.
    Download(DownloadArgs),
    /// Inspect and shrink the cache: where it is, what is in it, clean it, prune it.
    Cache(CacheArgs),
}

/// Arguments of `pinwheel cache`.
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// What to do with the cache.
    #[command(subcommand)]
    pub command: CacheCommand,

    /// Cache directory.
    #[arg(long, value_name = "DIR", env = "PINWHEEL_CACHE_DIR", global = true)]
    pub cache_dir: Option<PathBuf>,
}

/// `pinwheel cache` subcommands.
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Print the cache directory.
    Dir,
    /// Show the cache's size on disk and its entries by kind.
    Info {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CacheFormatArg::Text)]
        format: CacheFormatArg,
    },
    /// Remove every entry, or only the entries of the named packages.
    Clean {
        /// Packages whose pages, metadata and files to remove (default: everything).
        #[arg(value_name = "PACKAGE")]
        packages: Vec<String>,
    },
    /// Remove old and least recently used entries, and files no entry refers to.
    Prune {
        /// Remove least recently used entries until the cache is at most this big: bytes, or
        /// with a unit (`500M`, `5G`, `1.5GiB`: binary; `KB`, `MB`, `GB`: decimal).
        #[arg(long, value_name = "SIZE")]
        max_size: Option<String>,
        /// Remove entries fetched longer ago than this: `30d`, `12h`, `90m`, `1w`, `1d12h`.
        #[arg(long, value_name = "DURATION")]
        older_than: Option<String>,
    },
}

/// `cache info --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheFormatArg {
    /// For people.
    Text,
    /// For programs.
    Json,
}

/// Where packages come from and how the cache is used: shared by every command that reads an
/// index.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Base URL of the package index (PEP 503/691). Default: the `--index-url` line of the
    /// input (for `check`, of the lock), else PyPI.
    #[arg(
        short = 'i',
        long,
        value_name = "URL",
        env = "PIP_INDEX_URL",
        hide_env_values = true
    )]
    pub index_url: Option<String>,

    /// Extra index URLs, tried before the base index (the first index that has a project is the only one used for it).
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,

    /// Local directories or HTML pages of distribution files.
    #[arg(short = 'f', long, value_name = "PATH_OR_URL")]
    pub find_links: Vec<String>,

    /// Ignore package indexes (only --find-links).
    #[arg(long)]
    pub no_index: bool,

    /// Cache directory.
    #[arg(long, value_name = "DIR", env = "PINWHEEL_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Do not read or write the cache.
    #[arg(long, conflicts_with_all = ["offline", "cache_dir"])]
    pub no_cache: bool,

    /// Never use the network: everything must be in the cache.
    #[arg(long, conflicts_with = "refresh")]
    pub offline: bool,

    /// Revalidate every cached index page.
    #[arg(long)]
    pub refresh: bool,

    /// Seconds a cached index page stays fresh.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 600,
        env = "PINWHEEL_CACHE_TTL"
    )]
    pub cache_ttl: u64,

    /// Where a password comes from for an index URL with a user name only: `subprocess` runs
    /// the `keyring` command on PATH (`auto` and `import` do the same: there is no Python to
    /// import keyring into); `disabled` (the default) asks nothing.
    #[arg(long, value_name = "PROVIDER", env = "PIP_KEYRING_PROVIDER")]
    pub keyring_provider: Option<KeyringProviderArg>,

    /// A host (`name`: any port, or `name:port`) whose HTTPS certificate is not verified, as in
    /// pip (repeatable; also `PIP_TRUSTED_HOST`, space-separated), besides the hosts of the
    /// lock's `--trusted-host` lines.
    #[arg(
        long,
        value_name = "HOST",
        env = "PIP_TRUSTED_HOST",
        value_delimiter = ' '
    )]
    pub trusted_host: Vec<String>,
}

/// Arguments of `pinwheel download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The lock file whose pins to download (pip-compile's or pinwheel's output).
    #[arg(short = 'r', long = "requirement", value_name = "FILE")]
    pub requirement: PathBuf,

    /// The directory to put the files in (created when missing).
    #[arg(short = 'd', long = "dest", value_name = "DIR")]
    pub dest: PathBuf,

    /// The target Python and platform.
    #[command(flatten)]
    pub target: TargetArgs,

    /// Where packages come from, and the cache.
    #[command(flatten)]
    pub index: IndexArgs,

    /// Fail on pins without `--hash` values instead of checking them against the index's sha256
    /// (as `pip install --require-hashes`).
    #[arg(long)]
    pub require_hashes: bool,

    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log every request and whether it came from the cache.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The Python and platform a command works for (shared by `resolve` and `download`).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Target Python version: X.Y or X.Y.Z.
    #[arg(long, value_name = "X.Y[.Z]", default_value = "3.12")]
    pub python_version: String,

    /// Target platform (uv's names: linux, macos, windows, x86_64-manylinux_2_28, aarch64-apple-darwin, …). Default: the host's.
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Option<String>,
}

/// Arguments of `pinwheel check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The lock file to check: a requirements file of `name==version` pins (with markers and
    /// hashes), as pinwheel and pip-compile write.
    #[arg(value_name = "FILE")]
    pub lock_file: PathBuf,

    /// Target Python version, X.Y or X.Y.Z (repeatable; default: 3.12).
    #[arg(long, value_name = "X.Y[.Z]")]
    pub python_version: Vec<String>,

    /// Target platform (repeatable; same names as `resolve`; default: the host's). Every Python
    /// version is checked on every platform.
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Vec<String>,

    /// Fail (not just warn) when a pin has no wheel for a target and would be built from its sdist.
    #[arg(long)]
    pub require_wheels: bool,

    /// Output format: a table for people, or JSON (schemas/check.schema.json) for programs.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Where packages come from, and the cache.
    #[command(flatten)]
    pub index: IndexArgs,

    /// Log every request and whether it came from the cache.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `--format` of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One row per pin, one column per target, then the problems and a summary.
    Table,
    /// One JSON document (see schemas/check.schema.json).
    Json,
}

/// Arguments of `pinwheel resolve`.
#[derive(Debug, Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one field per flag, as the user types them"
)]
pub struct ResolveArgs {
    /// Input files: `requirements.in` format (`-` reads stdin), `pyproject.toml` or `setup.cfg`.
    /// Default: `requirements.in`, else `pyproject.toml`, else `setup.cfg`.
    #[arg(value_name = "SRC_FILES")]
    pub src_files: Vec<PathBuf>,

    /// Output file; `-` for stdout. Default: the input with `.txt` (`requirements.in` →
    /// `requirements.txt`), or `.lock.txt` for an input that is a `.txt` already
    /// (`requirements.txt` → `requirements.lock.txt`), so an input is never overwritten. Its
    /// directory is created when missing.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Include this optional-dependency group of a pyproject.toml or setup.cfg (repeatable).
    #[arg(long, value_name = "NAME")]
    pub extra: Vec<String>,

    /// Include every optional-dependency group of a pyproject.toml or setup.cfg.
    #[arg(long, conflicts_with = "extra")]
    pub all_extras: bool,

    /// Include this PEP 735 dependency group of a pyproject.toml (repeatable).
    #[arg(long, value_name = "NAME")]
    pub group: Vec<String>,

    /// Target Python version: X.Y or X.Y.Z [default: 3.12]. Repeatable: with several versions
    /// or platforms, every version on every platform is resolved and the lock merges them,
    /// each pin with a marker for the targets it applies to.
    #[arg(long, value_name = "X.Y[.Z]")]
    pub python_version: Vec<String>,

    /// Target platform (uv's names: linux, macos, windows, x86_64-manylinux_2_28, aarch64-apple-darwin, …). Default: the host's. Repeatable, as `--python-version`.
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Vec<String>,

    /// One lock for every platform and every Python from `--python-version` on (else the
    /// `requires-python` of a pyproject.toml input, else 3.12): pins carry the markers where
    /// they apply.
    #[arg(long, conflicts_with = "python_platform")]
    pub universal: bool,

    /// With `--universal`: a platform the lock must install on (same names as
    /// `--python-platform`; repeatable). Every pin that applies there needs a wheel for it or
    /// an sdist, else an older version is chosen, or the run fails naming the package.
    #[arg(long, value_name = "PLATFORM", requires = "universal")]
    pub required_platform: Vec<String>,

    /// Base URL of the package index (PEP 503/691). Default: the inputs' `--index-url` line,
    /// else `PIP_INDEX_URL`, else PyPI.
    #[arg(short = 'i', long, value_name = "URL")]
    pub index_url: Option<String>,

    /// Extra index URLs, tried before the base index (the first index that has a project is the
    /// only one used for it); `PIP_EXTRA_INDEX_URL`'s come first.
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,

    /// Which index a project comes from when several list it: `first-index` (the default) takes
    /// it from the first that lists it and asks no other, so a public index cannot shadow a
    /// private name; `unsafe-first-match` tries every version of the first index that has the
    /// project, then the next index's; `unsafe-best-match` takes the best version of any index.
    /// Also `[tool.pinwheel] index-strategy`.
    #[arg(long, value_name = "STRATEGY")]
    pub index_strategy: Option<IndexStrategyArg>,

    /// After resolving, ask every configured index (explicit ones too) about every locked name
    /// and report the names more than one index serves, on stderr and in `--format json`.
    /// Opt-in, because it tells every index, public ones included, every locked name.
    #[arg(long)]
    pub report_shadowed: bool,

    /// `--report-shadowed`, and fail (exit 1, the output left as it was) when a locked name is
    /// served by more than one index.
    #[arg(long)]
    pub fail_on_shadowed: bool,

    /// Verify the PEP 740 attestations of every locked file whose index serves provenance
    /// (Sigstore chain, transparency log, signature, the file's name and sha256, the Trusted
    /// Publisher) and record each package's publishers in the lock (`# attested:` lines,
    /// pylock.toml's `attestation-identities`). Fails (exit 1, nothing written) when one does
    /// not verify, or when a package the existing output lists as attested lost its
    /// attestation or changed publisher. Also `[tool.pinwheel] verify-attestations`.
    #[arg(long)]
    pub verify_attestations: bool,

    /// Local directories or HTML pages of distribution files; `PIP_FIND_LINKS`' come first.
    #[arg(short = 'f', long, value_name = "PATH_OR_URL")]
    pub find_links: Vec<String>,

    /// Ignore package indexes (only --find-links); also `PIP_NO_INDEX`.
    #[arg(long)]
    pub no_index: bool,

    /// Write the sha256 of every file of each pinned version.
    #[arg(long, overrides_with = "no_generate_hashes")]
    pub generate_hashes: bool,

    /// Do not write hashes (the default).
    #[arg(long, overrides_with = "generate_hashes")]
    pub no_generate_hashes: bool,

    /// Write `# via` annotations (the default).
    #[arg(long, overrides_with = "no_annotate")]
    pub annotate: bool,

    /// Do not write `# via` annotations.
    #[arg(long, overrides_with = "annotate")]
    pub no_annotate: bool,

    /// Style of `# via` annotations [default: split].
    #[arg(long, value_enum)]
    pub annotation_style: Option<AnnotationStyleArg>,

    /// Write the header (the default).
    #[arg(long, overrides_with = "no_header")]
    pub header: bool,

    /// Do not write the header.
    #[arg(long, overrides_with = "header")]
    pub no_header: bool,

    /// Pin packages considered unsafe (pip, setuptools) instead of commenting them out.
    #[arg(long, overrides_with = "no_allow_unsafe")]
    pub allow_unsafe: bool,

    /// Comment unsafe packages out (the default).
    #[arg(long, overrides_with = "allow_unsafe")]
    pub no_allow_unsafe: bool,

    /// Write pins without their extras.
    #[arg(long, overrides_with = "no_strip_extras")]
    pub strip_extras: bool,

    /// Write pins with their extras (the default; pip-compile's spelling).
    #[arg(long, overrides_with = "strip_extras")]
    pub no_strip_extras: bool,

    /// Constraints files (repeatable), as `-c FILE` lines would add.
    #[arg(short = 'c', long, value_name = "FILE")]
    pub constraint: Vec<PathBuf>,

    /// Overrides files (repeatable): each line replaces every requirement on its package,
    /// anywhere in the graph (uv's `--overrides`).
    #[arg(long, value_name = "FILE")]
    pub overrides: Vec<PathBuf>,

    /// Line endings of the output: `lf`, `crlf`, `native`, or `preserve` (those of the existing
    /// output, else of the first input) [default: preserve].
    #[arg(long, value_enum)]
    pub newline: Option<NewlineArg>,

    /// Write `--index-url`/`--extra-index-url` lines into the output (the default).
    #[arg(long, overrides_with = "no_emit_index_url")]
    pub emit_index_url: bool,

    /// Do not write `--index-url`/`--extra-index-url` lines into the output.
    #[arg(long, overrides_with = "emit_index_url")]
    pub no_emit_index_url: bool,

    /// Write `--find-links` lines into the output (the default).
    #[arg(long, overrides_with = "no_emit_find_links")]
    pub emit_find_links: bool,

    /// Do not write `--find-links` lines into the output.
    #[arg(long, overrides_with = "emit_find_links")]
    pub no_emit_find_links: bool,

    /// Write option lines (index, find-links) into the output (the default).
    #[arg(long, overrides_with = "no_emit_options")]
    pub emit_options: bool,

    /// Do not write any option line (index, find-links) into the output.
    #[arg(long, overrides_with = "emit_options")]
    pub no_emit_options: bool,

    /// Write `# from URL` under each pin: the index (or find-links location) it comes from.
    #[arg(long, overrides_with = "no_emit_index_annotation")]
    pub emit_index_annotation: bool,

    /// Do not write `# from URL` annotations (the default).
    #[arg(long, overrides_with = "emit_index_annotation")]
    pub no_emit_index_annotation: bool,

    /// Allow prereleases.
    #[arg(short = 'p', long)]
    pub pre: bool,

    /// Prerelease policy (default: if-necessary-or-explicit, a prerelease only when no final
    /// release fits; --pre means allow).
    #[arg(long, value_enum, conflicts_with = "pre")]
    pub prerelease: Option<PrereleaseArg>,

    /// Which versions to prefer: `highest`, `lowest`, or `lowest-direct` (lowest for direct
    /// requirements, highest for the rest) [default: highest].
    #[arg(long, value_enum)]
    pub resolution: Option<ResolutionArg>,

    /// Ignore files uploaded after this time: an RFC 3339 timestamp (`2026-11-01T00:00:00Z`, the
    /// same on every machine), or a `YYYY-MM-DD` date meaning the whole of that day in the local
    /// time zone (`TZ`, else the system's), as uv reads it: files uploaded before the next day's
    /// midnight there.
    #[arg(long, value_name = "TIMESTAMP", visible_alias = "uploaded-prior-to")]
    pub exclude_newer: Option<String>,

    /// Only use wheels for these packages (`:all:` for every package).
    #[arg(long, value_name = "PACKAGES")]
    pub only_binary: Vec<String>,

    /// Never use wheels for these packages (`:all:` for every package).
    #[arg(long, value_name = "PACKAGES")]
    pub no_binary: Vec<String>,

    /// Resolve and compare with the existing output file: exit 0 when it is current, 1 with a
    /// unified diff on stdout when it is stale or missing. Writes nothing.
    #[arg(long, conflicts_with = "upgrade")]
    pub check: bool,

    /// Resolve and print the result to stdout, but write nothing.
    #[arg(short = 'n', long, conflicts_with = "check")]
    pub dry_run: bool,

    /// Compile every SRC file to its own output (`x.in` → `x.txt`) in parallel over one cache
    /// and one HTTP client, then print a summary table. Files whose `-r`/`-c` lines name another
    /// file's output are compiled after it. One file's failure does not stop the others.
    #[arg(long, conflicts_with_all = ["output_file", "with"])]
    pub each: bool,

    /// With `--each`: give packages shared between the outputs the same version in all of them.
    /// With several targets: give a package one version on every target wherever every target
    /// allows it.
    #[arg(long)]
    pub consistent: bool,

    /// Keep the previous output as `x.txt.bak` when replacing it.
    #[arg(long)]
    pub backup: bool,

    /// Requirements given on the command line, comma-separated (repeatable): `--with
    /// numpy,pandas --with 'requests>=2,<3'`. No input file is needed; the output goes to
    /// stdout unless `-o` is given.
    #[arg(long, value_name = "REQUIREMENTS")]
    pub with: Vec<String>,

    /// Output format: a pip-compile requirements file, or a JSON document with pins, hashes,
    /// dependency edges and timing (see schemas/resolve.schema.json).
    #[arg(long, value_enum, default_value_t = OutputFormatArg::RequirementsTxt)]
    pub format: OutputFormatArg,

    /// With pylock.toml output: write only the wheels the target can install (and the sdist),
    /// not every file of each version.
    #[arg(long)]
    pub target_files_only: bool,

    /// A package to treat as unsafe in a requirements file (repeatable); replaces the default
    /// list (pip, setuptools).
    #[arg(long, value_name = "NAME")]
    pub unsafe_package: Vec<String>,

    /// Ignore the pins of the existing output file: move everything to the newest allowed version.
    #[arg(short = 'U', long, overrides_with = "no_upgrade")]
    pub upgrade: bool,

    /// Keep the pins of the existing output file (the default).
    #[arg(long, overrides_with = "upgrade")]
    pub no_upgrade: bool,

    /// Free one package from its existing pin (repeatable); the other pins are kept. With a
    /// specifier (`-P 'django<5'`) the package is also constrained by it, as a `-c` line would.
    #[arg(short = 'P', long, value_name = "NAME[SPEC]")]
    pub upgrade_package: Vec<String>,

    /// Read options from this TOML file's `[tool.pinwheel]` and `[tool.pip-tools]` tables
    /// instead of looking for `pyproject.toml` and `.pip-tools.toml` beside the inputs.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read no configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// Cache directory.
    #[arg(long, value_name = "DIR", env = "PINWHEEL_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Do not read or write the cache.
    #[arg(long, conflicts_with_all = ["offline", "cache_dir"])]
    pub no_cache: bool,

    /// Never use the network: everything must be in the cache.
    #[arg(long, conflicts_with = "refresh")]
    pub offline: bool,

    /// Revalidate every cached index page.
    #[arg(short = 'r', long, visible_alias = "rebuild")]
    pub refresh: bool,

    /// Seconds a cached index page stays fresh [default: 600].
    #[arg(long, value_name = "SECONDS", env = "PINWHEEL_CACHE_TTL")]
    pub cache_ttl: Option<u64>,

    /// A cache shared by a fleet of runners, behind the local one: `redis://[:PASSWORD@]HOST[:PORT][/DB]`,
    /// `s3://BUCKET/PREFIX?endpoint=URL&region=NAME` (AWS credentials from the environment),
    /// or `file:///shared/dir`. Core metadata, sdist builds and index pages are shared.
    /// Never a reason to fail. Also `[tool.pinwheel] remote-cache`.
    #[arg(
        long,
        value_name = "URL",
        env = "PINWHEEL_REMOTE_CACHE",
        hide_env_values = true
    )]
    pub remote_cache: Option<String>,

    /// `read-write` (the default) or `read-only` (runners that must not write, such as pull
    /// requests'). Also `[tool.pinwheel] remote-cache-mode`.
    #[arg(long, value_name = "MODE", env = "PINWHEEL_REMOTE_CACHE_MODE")]
    pub remote_cache_mode: Option<RemoteCacheModeArg>,

    /// Whether index pages are shared through the remote cache too (`true`, the default, or
    /// `false`: only entries named by a sha256 are shared; every runner asks the index for
    /// its pages). Also `[tool.pinwheel] remote-cache-pages`.
    #[arg(long, value_name = "BOOL", env = "PINWHEEL_REMOTE_CACHE_PAGES")]
    pub remote_cache_pages: Option<bool>,

    /// Probe `<file>.metadata` even when the index does not advertise it, before range reads.
    /// Off by default: measured slower on this machine's PyPI mirror (see README).
    #[arg(long, hide = true)]
    pub probe_metadata: bool,

    /// The Python that builds sdists whose metadata is dynamic: a path, or a name on PATH.
    /// Default: the first `python3.X` on PATH matching the target's version, else `python3`.
    #[arg(long, value_name = "PYTHON", env = "PINWHEEL_PYTHON")]
    pub python: Option<PathBuf>,

    /// Never run a build: a version whose metadata only a build can tell is not used.
    #[arg(long)]
    pub no_build: bool,

    /// Seconds one build hook may run before it is killed [default: 600].
    #[arg(long, value_name = "SECONDS", env = "PINWHEEL_BUILD_TIMEOUT")]
    pub build_timeout: Option<u64>,

    /// How many builds run at once [default: 2].
    #[arg(long, value_name = "N")]
    pub build_jobs: Option<usize>,

    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log every request and whether it came from the cache.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// With `--generate-hashes`, take the hashes of pins whose version did not change from the
    /// existing output when the index lists none (the default).
    #[arg(long, overrides_with = "no_reuse_hashes")]
    pub reuse_hashes: bool,

    /// Download the files the index lists without a hash, even if the existing output has theirs.
    #[arg(long, overrides_with = "reuse_hashes")]
    pub no_reuse_hashes: bool,

    /// A CA bundle (PEM) to check servers' certificates with, instead of the system's.
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// A client certificate and its private key, in one PEM file, for servers that ask for one.
    #[arg(long, value_name = "FILE")]
    pub client_cert: Option<PathBuf>,

    /// Where a password comes from for an index URL with a user name only, when the index
    /// answers 401: `subprocess` runs the `keyring` command on PATH (`auto` and `import` do the
    /// same: there is no Python to import keyring into); `disabled` (the default) asks nothing.
    /// Also `[tool.pinwheel] keyring-provider`, then `PIP_KEYRING_PROVIDER`.
    #[arg(long, value_name = "PROVIDER")]
    pub keyring_provider: Option<KeyringProviderArg>,

    /// A host (`name`: any port, or `name:port`) whose HTTPS certificate is not verified, as in
    /// pip; also `PIP_TRUSTED_HOST`. Written as a `--trusted-host` line (repeatable).
    #[arg(long, value_name = "HOST")]
    pub trusted_host: Vec<String>,

    /// Write `--trusted-host` lines into the output (the default).
    #[arg(long, overrides_with = "no_emit_trusted_host")]
    pub emit_trusted_host: bool,

    /// Do not write `--trusted-host` lines into the output.
    #[arg(long, overrides_with = "emit_trusted_host")]
    pub no_emit_trusted_host: bool,

    /// Colour log lines even when stderr is not a terminal.
    #[arg(long, overrides_with = "no_color")]
    pub color: bool,

    /// Never colour log lines.
    #[arg(long, overrides_with = "color")]
    pub no_color: bool,

    /// How the binary was invoked (`pip-compile` or `pinwheel resolve`): set after parsing.
    #[arg(skip)]
    pub program: Program,

    /// pip's environment variables pinwheel honours: set after parsing.
    #[arg(skip)]
    pub pip_environment: PipEnvironment,
}

/// `--keyring-provider`, with pip's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyringProviderArg {
    /// pip's default (the keyring module, else the command): here the command.
    Auto,
    /// Ask no keyring.
    Disabled,
    /// pip's imported keyring module: here the command.
    Import,
    /// The `keyring` command on PATH.
    Subprocess,
}

/// `--remote-cache-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RemoteCacheModeArg {
    /// Read, and write what this run fetched.
    ReadWrite,
    /// Read only.
    ReadOnly,
}

/// `--index-strategy`, with uv's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndexStrategyArg {
    /// Only the first index that lists a project.
    FirstIndex,
    /// Every index; the first index's versions before the next one's.
    UnsafeFirstMatch,
    /// Every index; the best version wherever it is.
    UnsafeBestMatch,
}

/// `--annotation-style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnnotationStyleArg {
    /// `# via` on its own lines.
    Split,
    /// `# via` on the pin's line.
    Line,
}

/// `--resolution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResolutionArg {
    /// Newest allowed versions.
    Highest,
    /// Oldest allowed versions.
    Lowest,
    /// Oldest for direct requirements, newest for the rest.
    LowestDirect,
}

/// `resolve --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormatArg {
    /// pip-compile's requirements.txt format.
    RequirementsTxt,
    /// A JSON document for programs.
    Json,
    /// A PEP 751 `pylock.toml` lock (implied by `-o pylock.toml` or `-o pylock.NAME.toml`).
    #[value(alias = "pylock.toml")]
    PylockToml,
}

/// `--newline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewlineArg {
    /// `\n`.
    Lf,
    /// `\r\n`.
    Crlf,
    /// The platform's.
    Native,
    /// Those of the existing output, else of the first input, else `\n`.
    Preserve,
}

/// `--prerelease`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrereleaseArg {
    /// Never.
    Disallow,
    /// Always.
    Allow,
    /// When no final release fits, transitive requirements included.
    IfNecessary,
    /// Only for packages a first-party requirement names a prerelease of, when no final
    /// release fits.
    Explicit,
    /// The same as if-necessary (which covers a first-party prerelease specifier too).
    IfNecessaryOrExplicit,
}
