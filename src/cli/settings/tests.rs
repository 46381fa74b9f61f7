use clap::Parser as _;

use super::header::header_command;
use super::*;
use crate::cli::args::{AnnotationStyleArg, CheckArgs, NewlineArg, ResolveArgs};
use crate::cli::config::ConfigOptions;
use crate::lockfile::Lock;

fn check_args(args: &[&str]) -> CheckArgs {
    use clap::Parser as _;
    let line = ["pinwheel", "check"].iter().chain(args);
    match crate::cli::args::Cli::try_parse_from(line).unwrap().command {
        crate::cli::args::Command::Check(args) => args,
        _ => panic!("parsed as another command"),
    }
}

#[test]
fn check_targets_are_every_python_on_every_platform_once() {
    let args = check_args(&[
        "--python-version",
        "3.11",
        "--python-version",
        "3.12",
        "--python-version",
        "3.11",
        "--python-platform",
        "linux",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--python-platform",
        "windows",
        "lock.txt",
    ]);
    let settings = check_settings(&args, &Lock::default(), Path::new("lock.txt")).unwrap();
    let labels: Vec<String> = settings
        .targets
        .iter()
        .map(|named| format!("{} {} = {}", named.python, named.platform, named.target))
        .collect();
    // `linux` and `x86_64-manylinux_2_28` are one platform: it is checked once.
    assert_eq!(
        labels,
        [
            "3.11 linux = CPython 3.11 on x86_64-manylinux_2_28",
            "3.11 windows = CPython 3.11 on x86_64-pc-windows-msvc",
            "3.12 linux = CPython 3.12 on x86_64-manylinux_2_28",
            "3.12 windows = CPython 3.12 on x86_64-pc-windows-msvc",
        ]
    );
    let defaults = check_settings(
        &check_args(&["lock.txt"]),
        &Lock::default(),
        Path::new("lock.txt"),
    )
    .unwrap();
    assert_eq!(defaults.targets.len(), 1);
    assert_eq!(defaults.targets[0].python, DEFAULT_PYTHON_VERSION);
    assert_eq!(*defaults.targets[0].target.platform(), Platform::host());
}

#[test]
fn a_locks_relative_find_links_are_read_beside_it_when_they_exist() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("wheels")).unwrap();
    let beside = dir.path().join("wheels").display().to_string();
    assert_eq!(relative_to_lock("wheels", dir.path()), beside);
    assert_eq!(relative_to_lock("elsewhere", dir.path()), "elsewhere");
    assert_eq!(
        relative_to_lock("https://host.example/links/", dir.path()),
        "https://host.example/links/"
    );
}

use crate::cli::args::{Cli, Command};

fn args(line: &[&str]) -> ResolveArgs {
    let cli = Cli::try_parse_from(
        ["pinwheel", "resolve"]
            .iter()
            .chain(line)
            .copied()
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let Command::Resolve(args) = cli.command else {
        panic!("parsed as another command");
    };
    *args
}

fn configured() -> ConfigOptions {
    ConfigOptions {
        generate_hashes: Some(true),
        annotate: Some(false),
        annotation_style: Some(AnnotationStyleArg::Line),
        python_version: Some(vec!["3.11".into()]),
        extra_index_url: Some(vec!["https://config.example/simple/".into()]),
        upgrade_package: Some(vec!["a".into()]),
        cache_ttl: Some(5),
        ..ConfigOptions::default()
    }
}

#[test]
fn command_line_beats_config_beats_defaults() {
    let defaults = Options::merge(&args(&[]), ConfigOptions::default()).unwrap();
    assert!(!defaults.generate_hashes && defaults.annotate && defaults.header);
    assert_eq!(defaults.python_version, [DEFAULT_PYTHON]);
    assert_eq!(defaults.cache_ttl, DEFAULT_CACHE_TTL);
    assert_eq!(defaults.newline, NewlineArg::Preserve);

    let from_config = Options::merge(&args(&[]), configured()).unwrap();
    assert!(from_config.generate_hashes && !from_config.annotate);
    assert_eq!(from_config.annotation_style, AnnotationStyleArg::Line);
    assert_eq!(from_config.python_version, ["3.11"]);
    assert_eq!(
        from_config.extra_index_url,
        ["https://config.example/simple/"]
    );
    assert_eq!(from_config.cache_ttl, 5);

    let typed = args(&[
        "--no-generate-hashes",
        "--annotate",
        "--annotation-style",
        "split",
        "--python-version",
        "3.13",
        "--extra-index-url",
        "https://cli.example/simple/",
        "--cache-ttl",
        "7",
    ]);
    let from_cli = Options::merge(&typed, configured()).unwrap();
    assert!(!from_cli.generate_hashes && from_cli.annotate);
    assert_eq!(from_cli.annotation_style, AnnotationStyleArg::Split);
    assert_eq!(from_cli.python_version, ["3.13"]);
    // A repeatable option given on the command line replaces the configured list.
    assert_eq!(from_cli.extra_index_url, ["https://cli.example/simple/"]);
    assert_eq!(from_cli.cache_ttl, 7);
}

#[test]
fn the_last_of_a_flag_and_its_no_form_wins() {
    let options = Options::merge(
        &args(&[
            "--no-header",
            "--header",
            "--allow-unsafe",
            "--no-allow-unsafe",
        ]),
        ConfigOptions {
            header: Some(false),
            allow_unsafe: Some(true),
            ..ConfigOptions::default()
        },
    )
    .unwrap();
    assert!(options.header);
    assert!(!options.allow_unsafe);
}

#[test]
fn upgrade_packages_are_names_with_optional_constraints() {
    let plain = UpgradePackage::from_str("Django").unwrap();
    assert_eq!(plain.name, PackageName::from_str("django").unwrap());
    assert!(plain.constraint.is_none());
    let constrained = UpgradePackage::from_str("django<5").unwrap();
    assert_eq!(constrained.name, PackageName::from_str("django").unwrap());
    assert_eq!(
        constrained.constraint.unwrap().to_string(),
        "django<5",
        "the whole requirement is the constraint"
    );
    let marked = UpgradePackage::from_str("six ; python_version < '3'").unwrap();
    assert!(marked.constraint.is_some());
    for bad in ["django<<5", "", "django @ https://example.com/django.whl"] {
        let error = UpgradePackage::from_str(bad).unwrap_err();
        assert!(
            format!("{error:#}").contains("invalid `--upgrade-package"),
            "{bad}: {error:#}"
        );
    }
    let options = Options::merge(&args(&["-P", "b>=2", "-P", "c"]), configured()).unwrap();
    let names: Vec<String> = options
        .upgrade_package
        .iter()
        .map(|package| package.name.to_string())
        .collect();
    assert_eq!(
        names,
        ["b", "c"],
        "-P on the command line replaces the config's"
    );
}

#[test]
fn the_header_shows_the_options_in_effect_including_configured_ones() {
    let sources = [PathBuf::from("requirements.in")];
    let options = Options::merge(&args(&["--pre"]), configured()).unwrap();
    assert_eq!(
        header_command(&options, &sources),
        "pinwheel resolve --annotation-style=line --extra-index-url=https://config.example/simple/ --generate-hashes --no-annotate --pre --python-version=3.11 requirements.in"
    );
    let explicit = Options::merge(
        &args(&[
            "--config",
            "ci/pinwheel.toml",
            "--emit-index-annotation",
            "-P",
            "a<2",
        ]),
        ConfigOptions::default(),
    )
    .unwrap();
    assert_eq!(
        header_command(&explicit, &sources),
        "pinwheel resolve --config=ci/pinwheel.toml --emit-index-annotation requirements.in"
    );
    let default_name = Options::merge(
        &args(&["--config", "pyproject.toml"]),
        ConfigOptions::default(),
    )
    .unwrap();
    assert_eq!(
        header_command(&default_name, &sources),
        "pinwheel resolve requirements.in"
    );
}

#[test]
fn timestamps_accept_rfc3339_and_dates_meaning_the_whole_day() {
    let utc = || jiff::tz::TimeZone::UTC;
    assert_eq!(
        parse_timestamp_in("2026-11-02T00:00:00Z", utc).unwrap(),
        parse_timestamp_in("2026-11-01", utc).unwrap()
    );
    let hawaii = || jiff::tz::TimeZone::fixed(jiff::tz::offset(-10));
    assert_eq!(
        parse_timestamp_in("2026-11-02T10:00:00Z", utc).unwrap(),
        parse_timestamp_in("2026-11-01", hawaii).unwrap()
    );
    assert!(parse_timestamp("yesterday").is_err());
}

#[test]
fn default_output_replaces_the_extension() {
    assert_eq!(
        default_output(Path::new("reqs/api.in")),
        PathBuf::from("reqs/api.txt")
    );
    assert_eq!(
        default_output(Path::new("requirements.txt")),
        PathBuf::from("requirements.lock.txt")
    );
    assert_eq!(
        default_output(Path::new("app/pyproject.toml")),
        PathBuf::from("app/requirements.txt")
    );
}

#[test]
fn selectors_read_all_none_and_names() {
    let values = [":all:".to_string()];
    assert_eq!(selector(values.iter()).unwrap(), PackageSelector::All);
    let values = [
        ":all:".to_string(),
        ":none:".to_string(),
        "Foo_Bar,baz".to_string(),
    ];
    let PackageSelector::Some(names) = selector(values.iter()).unwrap() else {
        panic!("expected names")
    };
    assert!(names.contains(&PackageName::from_str("foo-bar").unwrap()));
}
