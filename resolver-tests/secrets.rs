//! Credentials in index URLs are sent, never written: a unique password is planted in every
//! place an index URL can come from (`--index-url`, `PIP_INDEX_URL`, an input's
//! `--index-url`/`--extra-index-url` lines, literal and through `${VAR}`, `--find-links`, a
//! direct URL), in a netrc file and as a `keyring` command's answer, the index demands HTTP Basic auth with it, and after
//! `resolve` (`-vv`, `RUST_LOG=trace`, JSON, pylock.toml, index annotations), `check`, `download`, failing
//! runs and `--help`,
//! the password occurs in no output, no file written and nothing in the cache directory.

use std::path::Path;

use base64::Engine as _;

use crate::support::{PageFormat, ServerOptions, TestIndex};
use crate::{Project, Run, small_graph};

/// The user name the test index accepts (not a secret).
const USER: &str = "alice";

/// A password no other test or file uses: the process id and the clock.
fn planted_secret() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!("s3cr3t-{}-{nanos}", std::process::id())
}

/// What the test collects and greps.
struct Outputs {
    /// `(where, bytes)` for each run's stdout and stderr and each file.
    pieces: Vec<(String, Vec<u8>)>,
    /// Checks that failed, reported together at the end (with the secret's whereabouts), so
    /// that one failure does not hide the others.
    problems: Vec<String>,
}

impl Outputs {
    /// Collects `run`'s output, and notes it when it did not exit with `code`.
    fn run(&mut self, label: &str, run: &Run, code: i32) {
        if run.output.status.code() != Some(code) {
            self.problems.push(format!(
                "{label}: `{}` exited with {:?}, not {code}; stderr ends:\n{}",
                run.command,
                run.output.status.code(),
                tail(&run.stderr)
            ));
        }
        self.pieces
            .push((format!("{label}: stdout"), run.output.stdout.clone()));
        self.pieces
            .push((format!("{label}: stderr"), run.output.stderr.clone()));
    }

    /// Notes `problem` unless `holds`.
    fn check(&mut self, holds: bool, problem: impl FnOnce() -> String) {
        if !holds {
            self.problems.push(problem());
        }
    }

    /// Every file under `dir`, recursively, as bytes.
    fn tree(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                self.tree(&path);
            } else {
                self.pieces
                    .push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }

    /// The places where `needle` occurs.
    fn hits(&self, needle: &str) -> Vec<&str> {
        let needle = needle.as_bytes();
        self.pieces
            .iter()
            .filter(|(_, bytes)| bytes.windows(needle.len()).any(|window| window == needle))
            .map(|(label, _)| label.as_str())
            .collect()
    }
}

/// The last lines of `text`.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// A file of the project, or nothing when it was not written.
fn read(project: &Project, name: &str) -> String {
    std::fs::read_to_string(project.path().join(name)).unwrap_or_default()
}

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|word| (*word).to_string()).collect()
}

#[test]
fn a_planted_password_is_sent_but_never_written() {
    let secret = planted_secret();
    let server = TestIndex::start_with_basic_auth(
        small_graph(),
        ServerOptions {
            // HTML, so that the index's project pages also serve as find-links pages.
            pages: PageFormat::Html,
            ..ServerOptions::default()
        },
        USER,
        &secret,
    );
    let origin = server
        .index_url()
        .trim_end_matches("/simple")
        .trim_start_matches("http://")
        .to_string();
    let with_secret = format!("http://{USER}:{secret}@{origin}/simple/");
    let project = Project::new();
    let cache = project.cache_dir().display().to_string();
    let trace = [("RUST_LOG", "trace")];
    let mut outputs = Outputs {
        pieces: Vec::new(),
        problems: Vec::new(),
    };

    // The command line, with everything that prints URLs on.
    project.write("requirements.in", "app\n");
    let resolve = |extra: &[&str], env: &[(&str, &str)]| {
        let mut all = args(&[
            "resolve",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--cache-dir",
            &cache,
        ]);
        all.extend(args(extra));
        project.run_with_env(&all, env)
    };
    let run = resolve(
        &[
            "--index-url",
            &with_secret,
            "--find-links",
            &format!("http://{USER}:{secret}@{origin}/simple/lib/"),
            "--generate-hashes",
            "--emit-index-annotation",
            "-vv",
            "-o",
            "cli.txt",
            "requirements.in",
        ],
        &trace,
    );
    outputs.run("resolve --index-url", &run, 0);
    let lock = read(&project, "cli.txt");
    outputs.check(
        lock.contains("app==1.0")
            && lock.contains(&format!("--index-url http://{USER}:****@{origin}/simple/")),
        || format!("cli.txt: no pins, or the password is not hidden:\n{lock}"),
    );
    outputs.check(run.stderr.matches("netrc").count() == 1, || {
        "resolve --index-url: not one warning that installing needs netrc or keyring".into()
    });

    // The JSON document, with the index from the environment.
    let run = resolve(
        &[
            "--format",
            "json",
            "-o",
            "lock.json",
            "-vv",
            "requirements.in",
        ],
        &[("PIP_INDEX_URL", &with_secret), ("RUST_LOG", "trace")],
    );
    outputs.run("resolve PIP_INDEX_URL --format json", &run, 0);

    // A pylock.toml, whose URLs (the index's, a direct URL's) lose their credentials altogether.
    project.write(
        "pylock.in",
        &format!("app\nlib @ http://{USER}:{secret}@{origin}/files/lib-1.0-py3-none-any.whl\n"),
    );
    let run = resolve(
        &[
            "--index-url",
            &with_secret,
            "-o",
            "pylock.toml",
            "-vv",
            "pylock.in",
        ],
        &trace,
    );
    outputs.run("resolve -o pylock.toml", &run, 0);

    // Option lines of an input, literal and through `${VAR}` references, and a direct URL.
    // Another URL of the same index (no trailing slash), so that both lines are written.
    let extra = with_secret.trim_end_matches('/');
    project.write(
        "lines.in",
        &format!(
            "--index-url http://${{PW_USER}}:${{PW_TOKEN}}@{origin}/simple/\n\
             --extra-index-url {extra}\n\
             app\n\
             lib @ http://{USER}:{secret}@{origin}/files/lib-1.0-py3-none-any.whl\n"
        ),
    );
    let run = resolve(
        &["--emit-index-annotation", "--refresh", "-vv", "lines.in"],
        &[
            ("PW_USER", USER),
            ("PW_TOKEN", &secret),
            ("RUST_LOG", "trace"),
        ],
    );
    outputs.run("resolve lines.in", &run, 0);
    let lock = read(&project, "lines.txt");
    outputs.check(
        lock.contains(&format!(
            "--index-url http://${{PW_USER}}:${{PW_TOKEN}}@{origin}/simple/"
        )),
        || format!("lines.txt: a reference does not stay a reference:\n{lock}"),
    );
    outputs.check(
        lock.contains(&format!(
            "--extra-index-url http://{USER}:****@{origin}/simple\n"
        )),
        || format!("lines.txt: a literal password is not hidden:\n{lock}"),
    );
    outputs.check(run.stderr.matches("netrc").count() == 1, || {
        "resolve lines.in: not one warning that installing needs netrc or keyring".into()
    });

    // A direct URL written with references keeps them, like an index URL, and nothing is
    // hidden, so nothing is said about netrc.
    project.write(
        "refs.in",
        &format!(
            "--index-url http://${{PW_USER}}:${{PW_TOKEN}}@{origin}/simple/\n\
             lib @ http://${{PW_USER}}:${{PW_TOKEN}}@{origin}/files/lib-1.0-py3-none-any.whl\n"
        ),
    );
    let run = resolve(
        &["-vv", "refs.in"],
        &[("PW_USER", USER), ("PW_TOKEN", &secret)],
    );
    outputs.run("resolve refs.in", &run, 0);
    let lock = read(&project, "refs.txt");
    outputs.check(
        lock.contains(&format!(
            "lib @ http://${{PW_USER}}:${{PW_TOKEN}}@{origin}/files/lib-1.0-py3-none-any.whl"
        )),
        || format!("refs.txt: a direct URL's reference does not stay a reference:\n{lock}"),
    );
    outputs.check(!run.stderr.contains("netrc"), || {
        format!(
            "resolve refs.in: a warning though nothing was hidden:\n{}",
            run.stderr
        )
    });

    // `--each`: both files hide a password, and the run says so once.
    project.write("each-a.in", "app\n");
    project.write("each-b.in", "app\n");
    let run = resolve(
        &[
            "--each",
            "--index-url",
            &with_secret,
            "each-a.in",
            "each-b.in",
        ],
        &[],
    );
    outputs.run("resolve --each", &run, 0);
    outputs.check(run.stderr.matches("netrc").count() == 1, || {
        format!(
            "resolve --each: not one warning that installing needs netrc or keyring:\n{}",
            run.stderr
        )
    });

    // The lock's references are expanded when it is read back.
    let run = project.run_with_env(
        &args(&[
            "check",
            "lines.txt",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--cache-dir",
            &cache,
            "--refresh",
        ]),
        &[("PW_USER", USER), ("PW_TOKEN", &secret)],
    );
    outputs.run("check lines.txt", &run, 0);

    // `check` and `download` of the lock, authenticating with `-i`.
    for format in ["table", "json"] {
        let run = project.run_with_env(
            &args(&[
                "check",
                "cli.txt",
                "--python-platform",
                "x86_64-manylinux_2_28",
                "--format",
                format,
                "--index-url",
                &with_secret,
                "--cache-dir",
                &cache,
                "-vv",
            ]),
            &trace,
        );
        outputs.run(&format!("check --format {format}"), &run, 0);
    }
    let run = project.run_with_env(
        &args(&[
            "download",
            "-r",
            "cli.txt",
            "-d",
            "dist",
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--index-url",
            &with_secret,
            "--cache-dir",
            &cache,
            "--refresh",
            "-vv",
        ]),
        &trace,
    );
    outputs.run("download", &run, 0);

    // The credentials from a netrc file, for an index URL without them.
    let bare = format!("http://{origin}/simple/");
    let netrc = project.write(
        "netrc",
        &format!("machine 127.0.0.1 login {USER} password {secret}\n"),
    );
    let netrc = netrc.display().to_string();
    let run = resolve(
        &[
            "--index-url",
            &bare,
            "--refresh",
            "--generate-hashes",
            "-vv",
            "-o",
            "netrc.txt",
            "requirements.in",
        ],
        &[("NETRC", netrc.as_str()), ("RUST_LOG", "trace")],
    );
    outputs.run("resolve with netrc", &run, 0);

    // The password from a `keyring` command, for an index URL with the user name only.
    let script = project.write(
        "bin/keyring",
        &format!("#!/bin/sh\n[ \"$1\" = get ] && [ \"$3\" = {USER} ] && echo '{secret}'\n"),
    );
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        project.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let with_user = format!("http://{USER}@{origin}/simple/");
    let run = resolve(
        &[
            "--index-url",
            &with_user,
            "--keyring-provider",
            "subprocess",
            "--refresh",
            "--generate-hashes",
            "--emit-index-annotation",
            "-vv",
            "-o",
            "keyring.txt",
            "requirements.in",
        ],
        &[("PATH", path.as_str()), ("RUST_LOG", "trace")],
    );
    outputs.run("resolve with keyring", &run, 0);

    // Failures: no such project, no server, a URL that does not parse.
    project.write("missing.in", "no-such-project\n");
    let run = resolve(&["--index-url", &with_secret, "-vv", "missing.in"], &trace);
    outputs.run("resolve missing", &run, 1);
    let unreachable = format!("http://{USER}:{secret}@127.0.0.1:1/simple/");
    let run = resolve(
        &[
            "--index-url",
            &unreachable,
            "--refresh",
            "-vv",
            "requirements.in",
            "-o",
            "x.txt",
        ],
        &trace,
    );
    outputs.run("resolve unreachable", &run, 2);
    let unparsable = format!("http://{USER}:{secret}@127.0.0.1:port/simple/");
    let run = resolve(
        &["--index-url", &unparsable, "requirements.in", "-o", "y.txt"],
        &[],
    );
    outputs.run("resolve unparsable", &run, 2);
    project.write(
        "bad.in",
        &format!("lib @ http://{USER}:{secret}@127.0.0.1:port/lib-1.0-py3-none-any.whl\n"),
    );
    let run = resolve(&["--index-url", &with_secret, "bad.in"], &[]);
    outputs.run("resolve bad.in", &run, 2);

    // Help shows environment values unless told not to.
    let run = project.run_with_env(
        &args(&["resolve", "--help"]),
        &[("PIP_INDEX_URL", &with_secret)],
    );
    outputs.run("resolve --help", &run, 0);
    let run = project.run_with_env(
        &args(&["check", "--help"]),
        &[("PIP_INDEX_URL", &with_secret)],
    );
    outputs.run("check --help", &run, 0);

    outputs.tree(project.path());
    // The files that hold the secret because the test wrote it there: the inputs.
    let inputs = ["lines.in", "pylock.in", "bad.in", "netrc", "bin/keyring"]
        .map(|name| project.path().join(name).display().to_string());
    outputs.pieces.retain(|(label, _)| !inputs.contains(label));
    let cache_files = outputs
        .pieces
        .iter()
        .filter(|(label, _)| label.contains("cache"))
        .count();
    outputs.check(cache_files > 0, || {
        "the cache directory was not written".into()
    });
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{secret}"));
    let mut problems = std::mem::take(&mut outputs.problems);
    for needle in [secret.as_str(), credentials.as_str()] {
        let hits = outputs.hits(needle);
        if !hits.is_empty() {
            problems.push(format!("`{needle}` was written to: {hits:#?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
