//! The team workflow: `--each` over many inputs, `--consistent`, `--backup`, `--with` and
//! `--format json`.

use crate::support::{ServerOptions, TestPackage};
use crate::{Project, index, pins};

fn graph() -> Vec<TestPackage> {
    vec![
        TestPackage::new("web", "1.0").requires(&["http>=1"]),
        TestPackage::new("http", "1.0"),
        TestPackage::new("http", "2.0"),
        TestPackage::new("tool", "3.0"),
    ]
}

#[test]
fn each_compiles_every_input_and_a_broken_one_fails_alone() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("api.in", "web\n");
    project.write("legacy.in", "http<2\n");
    // Layered: dev.in is constrained by api.in's output, so it must be compiled after it.
    project.write("dev.in", "-c api.txt\ntool\nhttp\n");
    project.write("broken.in", "missing-package\n");
    let run = project.resolve(
        &server,
        &["--each", "api.in", "legacy.in", "dev.in", "broken.in"],
    );
    run.expect_code(1);
    assert_eq!(pins(&project.read("api.txt")), ["http==2.0", "web==1.0"]);
    assert_eq!(pins(&project.read("legacy.txt")), ["http==1.0"]);
    let dev = project.read("dev.txt");
    assert_eq!(pins(&dev), ["http==2.0", "tool==3.0"], "{dev}");
    assert!(dev.contains("-c api.txt"), "{dev}");
    assert!(!project.path().join("broken.txt").exists());
    for row in ["api.in ", "legacy.in ", "dev.in ", "broken.in "] {
        assert!(run.stderr.contains(row), "no row for {row}: {}", run.stderr);
    }
    assert!(run.stderr.contains("failed: "), "{}", run.stderr);
    assert!(run.stderr.contains("4 files, 1 failed"), "{}", run.stderr);
}

#[test]
fn consistent_gives_shared_packages_one_version() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("api.in", "web\n");
    project.write("legacy.in", "http<2\n");
    project
        .resolve(&server, &["--each", "api.in", "legacy.in"])
        .expect_code(0);
    assert!(pins(&project.read("api.txt")).contains(&"http==2.0".to_string()));

    project
        .resolve(
            &server,
            &["--each", "--consistent", "--backup", "api.in", "legacy.in"],
        )
        .expect_code(0);
    assert_eq!(pins(&project.read("api.txt")), ["http==1.0", "web==1.0"]);
    assert_eq!(pins(&project.read("legacy.txt")), ["http==1.0"]);
    assert!(
        pins(&project.read("api.txt.bak")).contains(&"http==2.0".to_string()),
        "--backup keeps the replaced file"
    );
}

#[test]
fn consistent_fails_when_the_inputs_cannot_agree() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("new.in", "http>=2\n");
    project.write("old.in", "http<2\n");
    let run = project.resolve(&server, &["--each", "--consistent", "new.in", "old.in"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("cannot share one set of versions"),
        "{}",
        run.stderr
    );
}

#[test]
fn with_takes_requirements_from_the_command_line_and_writes_to_stdout() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    let run = project.resolve(&server, &["--with", "web,tool", "--with", "http>=1,<2"]);
    run.expect_code(0);
    assert_eq!(pins(&run.stdout), ["http==1.0", "tool==3.0", "web==1.0"]);
    assert!(
        run.stdout
            .contains("    # via\n    #   --with\n    #   web\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_output_has_pins_hashes_edges_and_timing() {
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    let run = project.resolve(&server, &["--with", "web", "--format", "json"]);
    run.expect_code(0);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(document["format"], 1);
    let pins = document["pins"].as_array().unwrap();
    assert_eq!(pins.len(), 2, "{document}");
    assert_eq!(pins[0]["name"], "http");
    assert_eq!(pins[0]["version"], "2.0");
    assert_eq!(
        pins[0]["hashes"][0],
        format!(
            "sha256:{}",
            server.sha256_of("http-2.0-py3-none-any.whl").unwrap()
        )
    );
    let edges = document["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|edge| edge["from"]["input"]["source"] == "--with"
                && edge["to"] == "web"
                && edge["requirement"] == "web"),
        "{document}"
    );
    assert!(
        edges
            .iter()
            .any(|edge| edge["from"]["package"]["name"] == "web"
                && edge["from"]["package"]["version"] == "1.0"
                && edge["to"] == "http"
                && edge["requirement"] == "http>=1"),
        "{document}"
    );
    assert!(document["timing"]["total_ms"].is_u64(), "{document}");
    assert!(
        document["timing"]["requests"].as_u64().unwrap() > 0,
        "{document}"
    );
}

fn resolve_schema() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/resolve.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn json_output_validates_against_the_committed_schema() {
    let schema = resolve_schema();
    jsonschema::meta::validate(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let server = index(graph(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "web\n");
    project.write("constraints.txt", "http<3\n");
    let run = project.resolve(
        &server,
        &[
            "--with",
            "tool",
            "-c",
            "constraints.txt",
            "--format",
            "json",
            "-o",
            "-",
            "requirements.in",
        ],
    );
    run.expect_code(0);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
    // The schema is strict enough to catch a broken document.
    let mut broken = document.clone();
    broken["pins"][0]["hashes"][0] = serde_json::json!("md5:00");
    broken["edges"][0]["from"] = serde_json::json!({ "somewhere": {} });
    assert!(validator.iter_errors(&broken).count() >= 2, "{broken:#}");
}
