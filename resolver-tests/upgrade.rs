//! The upgrade workflow: the pins of an existing output file are kept unless they no longer fit,
//! `-P NAME` frees one package, `-U` frees all.

use crate::support::{ServerOptions, TestIndex, TestPackage};
use crate::{Project, index, pins};

/// An index where every package has a 1.0 and, when `newer` is set, a 2.0.
fn index_with(newer: bool) -> TestIndex {
    let mut packages = Vec::new();
    for name in ["a", "b", "c", "d"] {
        packages.push(TestPackage::new(name, "1.0"));
        if newer {
            packages.push(TestPackage::new(name, "2.0"));
        }
    }
    index(packages, ServerOptions::default())
}

#[test]
fn existing_pins_are_kept_until_freed() {
    let project = Project::new();
    project.write("requirements.in", "a\nb\n");
    // Kept alive to the end: dropped, its port could be given to the next index, whose pages
    // would then be the cached ones of this one (fresh for the TTL), and `-P a` below would
    // see no a 2.0 (it failed that way once in CI).
    let older = index_with(false);
    project.resolve(&older, &["requirements.in"]).expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==1.0", "b==1.0"]
    );

    // Newer versions appear; adding a package keeps the old pins and takes the newest of the new one.
    let newer = index_with(true);
    project.write("requirements.in", "a\nb\nc\n");
    project.resolve(&newer, &["requirements.in"]).expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==1.0", "b==1.0", "c==2.0"]
    );

    // Removing a requirement removes its pin.
    project.write("requirements.in", "a\nb\n");
    project.resolve(&newer, &["requirements.in"]).expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==1.0", "b==1.0"]
    );

    // -P frees one package only.
    project
        .resolve(&newer, &["-P", "a", "requirements.in"])
        .expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==2.0", "b==1.0"]
    );

    // -U frees them all.
    project
        .resolve(&newer, &["--upgrade", "requirements.in"])
        .expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==2.0", "b==2.0"]
    );
}

#[test]
fn a_pin_that_blocks_the_solution_is_dropped_with_a_note() {
    let project = Project::new();
    project.write("requirements.in", "a\nd\n");
    // Kept alive, so that the next index gets another port (see above).
    let older = index_with(false);
    project.resolve(&older, &["requirements.in"]).expect_code(0);
    project.write("requirements.in", "a\nd>=2\n");
    let run = project.resolve(&index_with(true), &["requirements.in"]);
    run.expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==1.0", "d==2.0"]
    );
    assert!(
        run.stderr.contains("`d` moved from 1.0 to 2.0"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("`a` moved"), "{}", run.stderr);
}

#[test]
fn check_passes_on_a_fresh_lock_and_fails_with_a_diff_after_an_edit() {
    let server = index_with(true);
    let project = Project::new();
    project.write("requirements.in", "a\n");
    let missing = project.resolve(&server, &["--check", "requirements.in"]);
    missing.expect_code(1);
    assert!(missing.stdout.contains("+a==2.0"), "{}", missing.stdout);
    assert!(
        !project.path().join("requirements.txt").exists(),
        "--check writes nothing"
    );

    project
        .resolve(&server, &["requirements.in"])
        .expect_code(0);
    let fresh = project.read("requirements.txt");
    let current = project.resolve(&server, &["--check", "requirements.in"]);
    current.expect_code(0);
    assert_eq!(current.stdout, "");

    project.write("requirements.in", "a\nb<2\n");
    let stale = project.resolve(&server, &["--check", "requirements.in"]);
    stale.expect_code(1);
    assert!(
        stale.stdout.contains("--- requirements.txt") && stale.stdout.contains("+b==1.0"),
        "{}",
        stale.stdout
    );
    assert!(
        stale.stderr.contains("is not up to date"),
        "{}",
        stale.stderr
    );
    assert_eq!(
        project.read("requirements.txt"),
        fresh,
        "--check writes nothing"
    );
}

#[test]
fn upgrade_package_with_a_specifier_frees_and_constrains_it() {
    let packages = |versions: &[&str]| {
        let mut packages = vec![TestPackage::new("b", "1.0"), TestPackage::new("b", "2.0")];
        packages.extend(
            versions
                .iter()
                .map(|version| TestPackage::new("a", version)),
        );
        index(packages, ServerOptions::default())
    };
    let project = Project::new();
    project.write("requirements.in", "a\nb\n");
    project
        .resolve(&packages(&["1.0"]), &["requirements.in"])
        .expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==1.0", "b==2.0"]
    );

    let newer = packages(&["1.0", "1.5", "2.0"]);
    // `a` is freed but held below 2; `b` keeps its pin; `c` is constrained but not added.
    let run = project.resolve(&newer, &["-P", "a<2", "-P", "c>1", "requirements.in"]);
    run.expect_code(0);
    let lock = project.read("requirements.txt");
    assert_eq!(pins(&lock), ["a==1.5", "b==2.0"], "{lock}");
    assert!(
        lock.contains("a==1.5\n    # via -r requirements.in\n"),
        "{lock}"
    );
    assert!(!lock.contains("upgrade"), "-P is not in the header: {lock}");

    // The next plain run keeps the new pin, as pip-compile does.
    project.resolve(&newer, &["requirements.in"]).expect_code(0);
    assert_eq!(
        pins(&project.read("requirements.txt")),
        ["a==1.5", "b==2.0"]
    );

    // A specifier that cannot be met is a conflict, not a silent pin.
    let conflict = project.resolve(&newer, &["-P", "a>3", "requirements.in"]);
    conflict.expect_code(1);
    assert!(conflict.stderr.contains("a>3"), "{}", conflict.stderr);

    let bad = project.resolve(&newer, &["-P", "a<<2", "requirements.in"]);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("invalid `--upgrade-package a<<2`"),
        "{}",
        bad.stderr
    );
}
