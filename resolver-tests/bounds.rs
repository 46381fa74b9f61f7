//! Bounded reads: a server cannot make pinwheel read an answer without end. An index page
//! sent forever (chunked, no length) is refused once it passes the page limit, and one that
//! declares a length past it is refused before its body is read; a redirect loop ends after
//! ten redirects. Each error names the URL, and nothing is written.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use crate::Project;

/// What `src/index/http.rs` reads of one page at most (`BodyLimit::PAGE`).
const PAGE_LIMIT: u64 = 256 * 1024 * 1024;

/// How the server sends its endless page.
#[derive(Clone, Copy)]
enum Endless {
    /// Chunked, no length, until the client hangs up.
    Chunked,
    /// A declared `Content-Length` of 10 GiB, then zeros until the client hangs up.
    DeclaredLength,
    /// A redirect to the same URL, every time.
    RedirectLoop,
}

/// A server on 127.0.0.1 whose every answer is an endless page; returns its index URL.
fn endless_index(mode: Endless) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                // Read the request head, then answer without end.
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                    line.clear();
                }
                let head = match mode {
                    Endless::Chunked => "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.pypi.simple.v1+json\r\nTransfer-Encoding: chunked\r\n\r\n".to_string(),
                    Endless::DeclaredLength => format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.pypi.simple.v1+json\r\nContent-Length: {}\r\n\r\n",
                        10u64 << 30
                    ),
                    // `Connection: close`, so that each redirect comes on a new connection
                    // and this one ends in order (a reused one closed under the client reads
                    // as a reset, not as a redirect).
                    Endless::RedirectLoop => format!(
                        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/simple/anything/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    ),
                };
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                if let Endless::RedirectLoop = mode {
                    // Close in order: stop writing, then read until the client has closed.
                    let _ = stream.shutdown(std::net::Shutdown::Write);
                    let _ = std::io::copy(&mut reader, &mut std::io::sink());
                    return;
                }
                let block = vec![b' '; 1 << 20];
                let chunk = match mode {
                    Endless::Chunked => {
                        let mut chunk = format!("{:x}\r\n", block.len()).into_bytes();
                        chunk.extend_from_slice(&block);
                        chunk.extend_from_slice(b"\r\n");
                        chunk
                    }
                    Endless::DeclaredLength | Endless::RedirectLoop => block,
                };
                // Ends when pinwheel hangs up.
                while stream.write_all(&chunk).is_ok() {}
            });
        }
    });
    format!("http://127.0.0.1:{port}/simple")
}

#[test]
fn an_endless_page_is_refused_at_the_limit() {
    for mode in [Endless::Chunked, Endless::DeclaredLength] {
        let index = endless_index(mode);
        let project = Project::new();
        project.write("requirements.in", "anything\n");
        let run = project.run(
            &[
                "resolve",
                "--index-url",
                &index,
                "--cache-dir",
                "cache",
                "requirements.in",
            ]
            .map(String::from),
        );
        run.expect_code(2);
        assert!(
            run.stderr
                .contains(&format!("larger than {PAGE_LIMIT} bytes")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("{index}/anything/")),
            "{}",
            run.stderr
        );
        assert!(!project.path().join("requirements.txt").exists());
    }
}

#[test]
fn a_redirect_loop_is_an_error() {
    let index = endless_index(Endless::RedirectLoop);
    let project = Project::new();
    project.write("requirements.in", "anything\n");
    let run = project.run(
        &[
            "resolve",
            "--index-url",
            &index,
            "--cache-dir",
            "cache",
            "requirements.in",
        ]
        .map(String::from),
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains(&format!("{index}/anything/")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("redirect"), "{}", run.stderr);
    assert!(!project.path().join("requirements.txt").exists());
}
