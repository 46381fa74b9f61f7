//! Claims of README.md and ARCHITECTURE.md that no other test proved (#16, point 6): cached
//! pages revalidated with `ETag`/`Last-Modified` and a 304, retries after transient faults,
//! packed pages too large to be read whole, and warm `check` and `--each` runs that send nothing.
//!
//! Each test names the claim it checks; each fails if the claim stops holding.

use std::collections::BTreeMap;

use crate::support::{Fault, ServerOptions, TestIndex, TestPackage, Validators};
use crate::{Project, files_under, index, pins};

fn packages() -> Vec<TestPackage> {
    vec![
        TestPackage::new("app", "1.0").requires(&["lib>=1"]),
        TestPackage::new("lib", "1.0"),
        TestPackage::new("lib", "2.0"),
    ]
}

const PINS: [&str; 2] = ["app==1.0", "lib==2.0"];

/// A lock without its header comment, which names the command line (and so the output file).
fn body(project: &Project, name: &str) -> String {
    project
        .read(name)
        .lines()
        .skip_while(|line| line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The logged requests of each path (`"GET /simple/app/ …"` → `/simple/app/`).
fn requests_per_path(server: &TestIndex) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in server.requests() {
        let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
        *counts.entry(path).or_insert(0) += 1;
    }
    counts
}

/// Resolves `app` once, then again with `--cache-ttl 0`, so that every cached page is stale;
/// returns the server and the project, with the second run's requests in the log.
fn resolve_twice(validators: Validators) -> (TestIndex, Project) {
    let server = index(
        packages(),
        ServerOptions {
            validators,
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project
        .resolve(&server, &["-o", "first.txt", "requirements.in"])
        .expect_code(0);
    assert!(server.not_modified().is_empty(), "{:#?}", server.requests());
    server.clear_requests();
    project
        .resolve(
            &server,
            &["--cache-ttl", "0", "-o", "second.txt", "requirements.in"],
        )
        .expect_code(0);
    assert_eq!(pins(&project.read("second.txt")), PINS);
    assert_eq!(body(&project, "first.txt"), body(&project, "second.txt"));
    // Metadata is immutable: only the pages are asked about again.
    let requests = server.requests();
    assert!(
        !requests.iter().any(|line| line.contains("/files/")),
        "{requests:#?}"
    );
    (server, project)
}

/// The second run's request for each page, which must be there.
fn page_requests(server: &TestIndex) -> Vec<String> {
    let requests = server.requests();
    ["/simple/app/", "/simple/lib/"]
        .iter()
        .map(|page| {
            let found: Vec<&String> = requests
                .iter()
                .filter(|line| line.split(' ').nth(1) == Some(*page))
                .collect();
            assert_eq!(found.len(), 1, "{page} once: {requests:#?}");
            found[0].clone()
        })
        .collect()
}

/// Claim (README, "How the cache works"): a stale page is "revalidated with the validators the
/// server sent": the `ETag` goes back as `If-None-Match`, and a 304 reuses the cached page.
#[test]
fn a_stale_page_is_revalidated_with_its_etag_and_a_304_keeps_the_lock() {
    let (server, _project) = resolve_twice(Validators::ETag);
    for line in page_requests(&server) {
        assert!(line.contains(" if-none-match=\""), "{line}");
    }
    let mut answered = server.not_modified();
    answered.sort();
    assert_eq!(answered, ["/simple/app/", "/simple/lib/"]);
}

/// Claim (README, "How the cache works"): as above, with `Last-Modified` sent back as
/// `If-Modified-Since`.
#[test]
fn a_stale_page_is_revalidated_with_its_last_modified_date() {
    let (server, _project) = resolve_twice(Validators::LastModified);
    let date = crate::support::index_server::PAGES_LAST_MODIFIED;
    for line in page_requests(&server) {
        assert!(
            line.ends_with(&format!(" if-modified-since={date}")),
            "{line}"
        );
        assert!(!line.contains("if-none-match"), "{line}");
    }
    assert_eq!(server.not_modified().len(), 2, "{:#?}", server.requests());
}

/// Claim (README, "How the cache works"): without validators a stale page is "fetched again":
/// a plain request, answered whole.
#[test]
fn a_stale_page_without_validators_is_fetched_again_whole() {
    let (server, _project) = resolve_twice(Validators::None);
    for line in page_requests(&server) {
        assert!(!line.contains(" if-"), "an unconditional request: {line}");
    }
    assert!(server.not_modified().is_empty());
}

/// Claim (`src/index/http.rs`, README "Several indexes"): connection errors, bodies cut off
/// mid-stream and 5xx answers are retried. Every path's first request fails; the run must
/// still succeed, with each path asked exactly twice (the fault, then the retry). Each retry
/// line of `-v` must say `seen`: that the client met the fault meant (no answer at all is not a
/// cut body).
fn recovers_from(fault: Fault, seen: &str) {
    let server = index(
        packages(),
        ServerOptions {
            first_fault: Some(fault),
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let run = project.resolve(&server, &["-v", "--generate-hashes", "requirements.in"]);
    run.expect_code(0);
    assert_eq!(pins(&project.read("requirements.txt")), PINS, "{fault:?}");
    let counts = requests_per_path(&server);
    // Two pages and two metadata files at least: each of them got the fault once.
    assert!(counts.len() >= 4, "{fault:?}: {counts:#?}");
    for (path, count) in &counts {
        assert_eq!(
            *count, 2,
            "{fault:?}: {path} once faulted, once retried: {counts:#?}"
        );
    }
    // The client saw each fault as one (`-v` logs every retry), rather than, say, taking a cut
    // body for a whole one and the server's second request for something else.
    let retries: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.ends_with(", retrying"))
        .collect();
    assert_eq!(retries.len(), counts.len(), "{fault:?}: {}", run.stderr);
    for line in retries {
        assert!(line.contains(seen), "{fault:?}: {line}");
    }
}

#[test]
fn a_503_is_retried() {
    recovers_from(Fault::Unavailable, "-> 503");
}

#[test]
fn a_connection_dropped_without_an_answer_is_retried() {
    recovers_from(Fault::Reset, "error sending request");
}

#[test]
fn a_body_cut_off_short_of_its_length_is_retried() {
    recovers_from(Fault::CutBody, "error decoding response body");
}

/// Claim (`src/index/http.rs`, `Http::stream_to`): a streamed download that fails is fetched
/// again, and "a body cut off mid-stream is fetched again from the start, over whatever the
/// failed attempt wrote": the files must be exactly what the index serves. `lib`'s wheel is
/// large enough (1 MB of noise that does not compress) that half of it passes the 256 KiB the
/// download gathers before writing, so the cut-off attempt leaves bytes in the file.
#[test]
fn a_download_that_fails_midway_is_fetched_again_from_the_start() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: String = (0..1_000_000)
        .map(|_| {
            // xorshift: cheap bytes that deflate cannot shrink much.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'!' + (state % 90) as u8)
        })
        .collect();
    let packages = vec![
        TestPackage::new("app", "1.0").requires(&["lib>=1"]),
        TestPackage::new("lib", "2.0").with_module_files(&[("lib/noise.txt", &noise)]),
    ];
    for (fault, seen) in [
        (Fault::CutBody, "error decoding response body"),
        (Fault::Reset, "error sending request"),
    ] {
        let server = index(
            packages.clone(),
            ServerOptions {
                first_fault: Some(fault),
                ..ServerOptions::default()
            },
        );
        let large = server.file_bytes("lib-2.0-py3-none-any.whl").unwrap().len();
        assert!(large / 2 > 256 * 1024, "{large} bytes");
        let project = Project::new();
        project.write("requirements.in", "app\n");
        project
            .resolve(&server, &["--generate-hashes", "requirements.in"])
            .expect_code(0);
        server.clear_requests();
        let run = project.download("requirements.txt", "wheels", &["-v"]);
        run.expect_code(0);
        let counts = requests_per_path(&server);
        for file in ["app-1.0-py3-none-any.whl", "lib-2.0-py3-none-any.whl"] {
            let written = std::fs::read(project.path().join("wheels").join(file)).unwrap();
            assert!(
                written == server.file_bytes(file).unwrap(),
                "{fault:?}: {file} differs from what the index serves"
            );
            let path = format!("/files/{file}");
            assert_eq!(counts.get(&path), Some(&2), "{fault:?}: {counts:#?}");
        }
        let retries = run
            .stderr
            .lines()
            .filter(|line| line.ends_with(", retrying") && line.contains(seen))
            .count();
        assert_eq!(retries, 2, "{fault:?}: {}", run.stderr);
    }
}

/// Claim (README, "Several indexes"): "a 5xx after the retries … is an error naming it (exit
/// 2)". The page is asked more than once before the run gives up, and the error names its URL.
#[test]
fn a_503_that_outlasts_the_retries_is_exit_2_naming_the_page() {
    let server = index(
        packages(),
        ServerOptions {
            page_status: Some(503),
            ..ServerOptions::default()
        },
    );
    let project = Project::new();
    project.write("requirements.in", "app\n");
    let run = project.resolve(&server, &["requirements.in"]);
    run.expect_code(2);
    let page = format!("{}/app/", server.index_url());
    assert!(
        run.stderr.contains(&page) && run.stderr.contains("503"),
        "{}",
        run.stderr
    );
    let tries = requests_per_path(&server)
        .get("/simple/app/")
        .copied()
        .unwrap_or(0);
    assert!(
        tries > 1,
        "retried before giving up: {:#?}",
        server.requests()
    );
    assert!(!project.path().join("requirements.txt").exists());
}

/// Fails when the page on disk could not be opened or read by position: that is a miss, which
/// the run answers by reading the entry whole (or fetching it again), so the lock alone would
/// not tell. `-vv` logs the failure.
fn opened_from_disk(stderr: &str) {
    assert!(!stderr.contains("packed project page"), "{stderr}");
}

/// The packed page format's trailer: header length (u32 LE), header checksum (u64), magic.
const TRAILER: usize = 4 + 8 + 8;

/// Claim (README, "How the cache works", and `src/cache/mod.rs`): a packed page larger than
/// 64 KiB stays on disk and is read by position (the header from its tail, a version's records
/// where they are), and `--offline` resolves from it with the same result. The page here has a
/// header longer than the 16 KiB of the first tail read, so opening it takes a second read, and
/// the oldest version's records sit at the start of the file, far from the tail.
#[test]
fn a_packed_page_over_64_kib_is_read_from_disk_and_gives_the_same_lock_offline() {
    let releases: Vec<TestPackage> = (0..800)
        .map(|patch| TestPackage::new("big", &format!("1.0.{patch}")))
        .collect();
    let server = index(releases, ServerOptions::default());
    let project = Project::new();
    project.write("old.in", "big==1.0.0\n");
    project.write("new.in", "big\n");
    for name in ["old", "new"] {
        let (input, output) = (format!("{name}.in"), format!("{name}.txt"));
        let run = project.resolve(&server, &["-vv", "-o", &output, &input]);
        run.expect_code(0);
        opened_from_disk(&run.stderr);
    }
    assert_eq!(pins(&project.read("old.txt")), ["big==1.0.0"]);
    assert_eq!(pins(&project.read("new.txt")), ["big==1.0.799"]);

    // The largest entry in the cache's content directory is the page, packed.
    let content = project.cache_dir().join("content-v2");
    let largest = files_under(&content)
        .into_iter()
        .max_by_key(|path| std::fs::metadata(path).unwrap().len())
        .unwrap();
    let packed = std::fs::read(&largest).unwrap();
    assert!(packed.len() > 64 * 1024, "{} bytes", packed.len());
    let trailer = &packed[packed.len() - TRAILER..];
    assert!(trailer[12..].starts_with(b"PWPACK"), "not a packed page");
    let header_len = u32::from_le_bytes(trailer[..4].try_into().unwrap()) as usize;
    assert!(
        header_len + TRAILER > 16 * 1024,
        "the header ({header_len} bytes) fits the first read"
    );

    server.clear_requests();
    for name in ["old", "new"] {
        let (input, output) = (format!("{name}.in"), format!("{name}-offline.txt"));
        let run = project.resolve(&server, &["-vv", "--offline", "-o", &output, &input]);
        run.expect_code(0);
        opened_from_disk(&run.stderr);
        assert_eq!(
            body(&project, &format!("{name}.txt")),
            body(&project, &output)
        );
    }
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
}

/// Claim (README, `pinwheel check`): "a warm cache sends nothing". The pages a resolve cached
/// are the ones `check` needs, under the same keys.
#[test]
fn a_warm_check_sends_nothing() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("requirements.in", "app\n");
    project
        .resolve(&server, &["--generate-hashes", "requirements.in"])
        .expect_code(0);
    server.clear_requests();
    let run = project.check(
        &server,
        &[
            "--python-platform",
            "x86_64-manylinux_2_28",
            "requirements.txt",
        ],
    );
    run.expect_code(0);
    assert!(run.stdout.contains("check passed"), "{}", run.stdout);
    assert_eq!(server.requests(), Vec::<String>::new());
}

/// Claim (README, "How the cache works"): "a warm run within the TTL sends no request at all",
/// with `--each` too, whose files share one cache and one client.
#[test]
fn a_warm_each_sends_nothing() {
    let server = index(packages(), ServerOptions::default());
    let project = Project::new();
    project.write("api.in", "app\n");
    project.write("legacy.in", "lib<2\n");
    let args = ["--each", "--generate-hashes", "api.in", "legacy.in"];
    project.resolve(&server, &args).expect_code(0);
    let cold = [project.read("api.txt"), project.read("legacy.txt")];
    assert_eq!(pins(&cold[0]), PINS);
    assert_eq!(pins(&cold[1]), ["lib==1.0"]);
    server.clear_requests();
    project.resolve(&server, &args).expect_code(0);
    assert_eq!(server.requests(), Vec::<String>::new());
    assert_eq!([project.read("api.txt"), project.read("legacy.txt")], cold);
}
