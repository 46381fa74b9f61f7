use std::io::{BufRead as _, BufReader, Read as _};
use std::os::unix::net::UnixListener;

use super::*;
use crate::build::interpreter::tests::python_or_skip;

const METADATA: &str =
    "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: dynamic-dep>=2\n";

/// A source tree whose in-tree backend `backend/mybackend.py` is `code`.
fn tree(code: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("backend")).unwrap();
    std::fs::write(dir.path().join("backend/mybackend.py"), code).unwrap();
    dir
}

fn backend() -> Backend {
    Backend {
        name: "mybackend".to_owned(),
        path: vec!["backend".to_owned()],
    }
}

fn run<'a>(
    python: &'a Interpreter,
    envs: &'a [EnvLayout],
    source_dir: &'a Path,
    backend: &'a Backend,
    timeout: Duration,
) -> HookRun<'a> {
    HookRun {
        interpreter: python,
        envs,
        source_dir,
        backend,
        timeout,
        path_var: Some(OsStr::new("/usr/bin:/bin")),
        // What `cli/settings` would hand in; leaked, as the hook runs borrow it.
        passed_env: Box::leak(super::passed_through(std::env::vars_os()).into_boxed_slice()),
    }
}

const MINUTE: Duration = Duration::from_secs(60);

/// `prepare_metadata_for_build_wheel` writing `METADATA` (a Python expression) into the
/// directory it is given.
fn prepare_metadata(metadata: &str) -> String {
    format!(
        "import os\n\
         def prepare_metadata_for_build_wheel(directory, config_settings=None):\n    \
         os.mkdir(os.path.join(directory, 'demo-1.0.dist-info'))\n    \
         with open(os.path.join(directory, 'demo-1.0.dist-info', 'METADATA'), 'w') as f:\n        \
         f.write({metadata})\n    \
         return 'demo-1.0.dist-info'\n"
    )
}

#[tokio::test]
async fn requires_and_prepared_metadata() {
    let Some(python) = python_or_skip("requires_and_prepared_metadata") else {
        return;
    };
    let code = format!(
        "{}\ndef get_requires_for_build_wheel(config_settings=None):\n    \
         print('backends print on stdout')\n    return ['wheel-dep>=1', 'other; python_version >= \"3\"']\n",
        prepare_metadata(&format!("{METADATA:?}"))
    );
    let source = tree(&code);
    let backend = backend();
    let hooks = run(&python, &[], source.path(), &backend, MINUTE);
    assert_eq!(
        hooks.get_requires_for_build_wheel().await.unwrap(),
        vec![
            "wheel-dep>=1".to_owned(),
            "other; python_version >= \"3\"".to_owned()
        ]
    );
    assert_eq!(hooks.wheel_metadata().await.unwrap(), METADATA.as_bytes());
}

#[tokio::test]
async fn metadata_from_the_wheel_when_the_backend_cannot_prepare_it() {
    let Some(python) = python_or_skip("metadata_from_the_wheel_when_the_backend_cannot_prepare_it")
    else {
        return;
    };
    let code = format!(
        "import os, zipfile\n\
         def build_wheel(directory, config_settings=None, metadata_directory=None):\n    \
         name = 'demo-1.0-py3-none-any.whl'\n    \
         with zipfile.ZipFile(os.path.join(directory, name), 'w') as wheel:\n        \
         wheel.writestr('demo/__init__.py', '')\n        \
         wheel.writestr('demo-1.0.dist-info/METADATA', {METADATA:?})\n        \
         wheel.writestr('demo-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\n')\n    \
         return name\n"
    );
    let source = tree(&code);
    let backend = backend();
    let hooks = run(&python, &[], source.path(), &backend, MINUTE);
    // No `get_requires_for_build_wheel`: nothing more is needed.
    assert_eq!(
        hooks.get_requires_for_build_wheel().await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(hooks.wheel_metadata().await.unwrap(), METADATA.as_bytes());
}

#[tokio::test]
async fn a_failing_hook_shows_its_output_and_how_to_reproduce_it() {
    let Some(python) = python_or_skip("a_failing_hook_shows_its_output_and_how_to_reproduce_it")
    else {
        return;
    };
    let source = tree(
        "def prepare_metadata_for_build_wheel(directory, config_settings=None):\n    \
         print('checking the compiler')\n    \
         raise RuntimeError('the backend says no')\n",
    );
    let backend = backend();
    let hooks = run(&python, &[], source.path(), &backend, MINUTE);
    let error = hooks.wheel_metadata().await.unwrap_err();
    let HookError::Failed {
        hook,
        source_dir,
        status,
        stderr_tail,
        command,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(hook, "prepare_metadata_for_build_wheel");
    assert_eq!(source_dir, source.path());
    assert!(!status.success());
    assert!(
        stderr_tail
            .iter()
            .any(|line| line == "checking the compiler"),
        "{stderr_tail:#?}"
    );
    assert_eq!(
        stderr_tail.last().map(String::as_str),
        Some("RuntimeError: the backend says no")
    );
    assert!(
        error
            .to_string()
            .contains("prepare_metadata_for_build_wheel"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains(&source.path().display().to_string()),
        "{error}"
    );

    // The command fails the same way when run by hand.
    let by_hand = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .output()
        .unwrap();
    assert!(!by_hand.status.success(), "{command}");
    let stderr = String::from_utf8_lossy(&by_hand.stderr);
    assert!(
        stderr.contains("RuntimeError: the backend says no"),
        "{command}\n{stderr}"
    );

    // A backend that cannot even be imported fails the same way.
    let missing = Backend {
        name: "no_such_backend:thing".to_owned(),
        path: Vec::new(),
    };
    let hooks = run(&python, &[], source.path(), &missing, MINUTE);
    let error = hooks.get_requires_for_build_wheel().await.unwrap_err();
    assert!(
        error
            .output_tail()
            .iter()
            .any(|line| line.contains("No module named 'no_such_backend'")),
        "{error:?}"
    );
    // Named after the hook PEP 517 calls first, and reproducible by hand, even though neither
    // metadata hook was reached.
    let error = hooks.wheel_metadata().await.unwrap_err();
    let HookError::Failed { hook, command, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(hook, "prepare_metadata_for_build_wheel");
    let by_hand = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&by_hand.stderr);
    assert!(
        stderr.contains("No module named 'no_such_backend'"),
        "{command}\n{stderr}"
    );
}

/// Whether process `pid` is gone (or dead and waiting to be reaped by someone else).
fn is_gone(pid: u32) -> bool {
    // A killed process may have closed its files (the caller saw its socket close) before it
    // becomes a zombie: wait for its exit on a pidfd rather than read /proc at an unlucky moment.
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return true;
    };
    let Ok(pidfd) = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()) else {
        // Already reaped: gone.
        return true;
    };
    let mut fds = [rustix::event::PollFd::new(
        &pidfd,
        rustix::event::PollFlags::IN,
    )];
    // Not a wait for a moment: the bound only turns a process that never exits into a failure.
    let bound = rustix::event::Timespec {
        tv_sec: 60,
        tv_nsec: 0,
    };
    rustix::event::poll(&mut fds, Some(&bound)).is_ok_and(|ready| ready > 0)
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_hook_past_its_time_limit_is_killed_with_its_children() {
    let Some(python) = python_or_skip("a_hook_past_its_time_limit_is_killed_with_its_children")
    else {
        return;
    };
    let pids = tempfile::tempdir().unwrap();
    let pids_file = pids.path().join("pids");
    let source = tree(&format!(
        "import os, subprocess, sys, time\n\
         def get_requires_for_build_wheel(config_settings=None):\n    \
         child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n    \
         with open({pids_file:?}, 'w') as f:\n        \
         f.write('%d %d' % (os.getpid(), child.pid))\n    \
         time.sleep(600)\n"
    ));
    let backend = backend();
    let hooks = run(
        &python,
        &[],
        source.path(),
        &backend,
        Duration::from_secs(2),
    );
    let error = hooks.get_requires_for_build_wheel().await.unwrap_err();
    assert!(
        matches!(error, HookError::Timeout { ref hook, .. } if hook == "get_requires_for_build_wheel"),
        "{error:?}"
    );
    assert!(error.to_string().contains("within 2 s"), "{error}");
    let pids = std::fs::read_to_string(&pids_file).unwrap();
    for pid in pids.split_whitespace() {
        assert!(is_gone(pid.parse().unwrap()), "process {pid} still runs");
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn dropping_the_future_kills_the_backend() {
    let Some(python) = python_or_skip("dropping_the_future_kills_the_backend") else {
        return;
    };
    let sockets = tempfile::tempdir().unwrap();
    let socket = sockets.path().join("hook.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    // The backend starts a process that reports its pid over the socket and keeps it open
    // until it dies: the test knows it started, and later that it ended, without waiting for a
    // moment. It is a grandchild, which only killing the process group reaches.
    let grandchild = format!(
        "import os, socket, time\n\
         s = socket.socket(socket.AF_UNIX)\n\
         s.connect({socket:?})\n\
         s.sendall(b'%d\\n' % os.getpid())\n\
         time.sleep(600)\n"
    );
    let source = tree(&format!(
        "import subprocess, sys\n\
         def get_requires_for_build_wheel(config_settings=None):\n    \
         subprocess.run([sys.executable, '-c', {grandchild:?}])\n"
    ));
    let backend = backend();
    let hooks = run(&python, &[], source.path(), &backend, MINUTE);
    let accepted = tokio::task::spawn_blocking(move || {
        let (stream, _) = listener.accept().unwrap();
        // Not a wait: a guard so that a surviving process fails the test instead of hanging it.
        stream.set_read_timeout(Some(MINUTE)).unwrap();
        let mut reader = BufReader::new(stream);
        let mut pid = String::new();
        reader.read_line(&mut pid).unwrap();
        (reader, pid.trim().parse::<u32>().unwrap())
    });
    let (mut reader, pid) = tokio::select! {
        result = hooks.get_requires_for_build_wheel() => {
            // Unblock the accepting thread, or the runtime would wait for it forever.
            let _ = std::os::unix::net::UnixStream::connect(&socket);
            panic!("the hook ended: {result:?}")
        }
        accepted = accepted => accepted.unwrap(),
    };
    // The hook's future is dropped here, at the end of `select!`.
    let rest = tokio::task::spawn_blocking(move || {
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).map(|_| rest)
    })
    .await
    .unwrap();
    assert!(
        rest.is_ok_and(|rest| rest.is_empty()),
        "backend {pid} still runs"
    );
    assert!(is_gone(pid), "backend {pid} still runs");
}

#[tokio::test]
async fn build_environments_are_on_sys_path_and_path() {
    let Some(python) = python_or_skip("build_environments_are_on_sys_path_and_path") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let envs = [
        EnvLayout::new(dir.path().join("env1")),
        EnvLayout::new(dir.path().join("env2")),
    ];
    for env in &envs {
        std::fs::create_dir_all(env.site_dir()).unwrap();
        std::fs::create_dir_all(env.scripts_dir()).unwrap();
    }
    // A `.pth` with a path line and one with an import line, in the second environment.
    let extra = dir.path().join("extra modules");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(extra.join("helper_mod.py"), "VALUE = 'from pth'\n").unwrap();
    std::fs::write(
        envs[1].site_dir().join("extra.pth"),
        format!("{}\n", extra.display()),
    )
    .unwrap();
    std::fs::write(
        envs[1].site_dir().join("hook.pth"),
        "import sys; sys.pinwheel_pth = 'ran'\n",
    )
    .unwrap();
    std::fs::write(envs[0].site_dir().join("first_env.py"), "WHERE = 'env1'\n").unwrap();
    let tool = envs[1].scripts_dir().join("fake-tool");
    std::fs::write(&tool, "#!/bin/sh\necho tool\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let source = tree(&prepare_metadata(
        "'Name: demo\\nSummary: ' + __import__('helper_mod').VALUE + ' ' + sys.pinwheel_pth \
         + ' ' + __import__('first_env').WHERE + ' ' + subprocess.check_output(['fake-tool']).decode().strip() + '\\n'",
    ).replace("import os\n", "import os, subprocess, sys\n"));
    let backend = backend();
    let hooks = run(&python, &envs, source.path(), &backend, MINUTE);
    let metadata = hooks.wheel_metadata().await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&metadata),
        "Name: demo\nSummary: from pth ran env1 tool\n"
    );
}

#[tokio::test]
async fn backend_path_must_stay_inside_the_tree() {
    let Some(python) = python_or_skip("backend_path_must_stay_inside_the_tree") else {
        return;
    };
    let source = tree("");
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), source.path().join("link")).unwrap();
    for (entry, reason) in [
        ("../", "leaves the source tree"),
        ("backend/../..", "leaves the source tree"),
        ("link", "leaves the source tree"),
        ("/usr/lib", "leaves the source tree"),
        ("missing", "does not exist"),
    ] {
        let backend = Backend {
            name: "mybackend".to_owned(),
            path: vec![entry.to_owned()],
        };
        let hooks = run(&python, &[], source.path(), &backend, MINUTE);
        let error = hooks.get_requires_for_build_wheel().await.unwrap_err();
        assert!(
            matches!(error, HookError::BackendPath { .. }),
            "{entry}: {error:?}"
        );
        assert!(error.to_string().contains(reason), "{entry}: {error}");
    }
}

/// Run by [`parent_environment_is_kept_out`] in a copy of this test binary whose environment
/// holds variables a backend must not see.
const CHILD_MARKER: &str = "PINWHEEL_HOOKS_TEST_CHILD";

#[tokio::test]
async fn parent_environment_is_kept_out() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        // Setting variables in this process would race with the other tests: run a copy.
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "build::hooks::tests::parent_environment_is_kept_out",
                "--nocapture",
            ])
            .env(CHILD_MARKER, "1")
            .env("PYTHONPATH", "/nonexistent")
            .env("PYTHONHOME", "/nonexistent")
            .env("PINWHEEL_PLANTED_SECRET", "hunter2")
            .env(
                "PIP_INDEX_URL",
                "https://user:hunter2@example.invalid/simple",
            )
            .env("LC_ALL", "C.UTF-8")
            .env("HOME", "/home/pinwheel-test")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("1 passed"), "{stdout}\n{stderr}");
        return;
    }
    let Some(python) = python_or_skip("parent_environment_is_kept_out") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let envs = [EnvLayout::new(dir.path().join("env"))];
    std::fs::create_dir_all(envs[0].site_dir()).unwrap();
    let source = tree(&prepare_metadata(
        "json.dumps({'environ': dict(os.environ), 'isolated': sys.flags.isolated, 'path': sys.path})",
    ).replace("import os\n", "import json, os, sys\n"));
    let backend = backend();
    let hooks = run(&python, &envs, source.path(), &backend, MINUTE);
    let seen: Value = serde_json::from_slice(&hooks.wheel_metadata().await.unwrap()).unwrap();
    let environ = &seen["environ"];
    let text = environ.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!text.contains("/nonexistent"), "{text}");
    assert_eq!(
        environ["PYTHONPATH"],
        envs[0].site_dir().to_string_lossy().as_ref()
    );
    assert_eq!(environ["PYTHONNOUSERSITE"], "1");
    assert_eq!(environ["LC_ALL"], "C.UTF-8");
    assert_eq!(environ["HOME"], "/home/pinwheel-test");
    let path = environ["PATH"].as_str().unwrap();
    assert!(
        path.starts_with(&format!("{}:", envs[0].scripts_dir().display())),
        "{path}"
    );
    assert_eq!(seen["isolated"], 1);
    let sys_path = seen["path"].to_string();
    assert!(
        !sys_path.contains("site-packages") && !sys_path.contains("dist-packages"),
        "{sys_path}"
    );
    assert!(
        sys_path.contains(&*envs[0].site_dir().to_string_lossy()),
        "{sys_path}"
    );
}

#[test]
fn hook_futures_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let python = Interpreter::unprobed(PathBuf::from("/usr/bin/python3"));
    let backend = backend();
    let hooks = run(&python, &[], Path::new("."), &backend, MINUTE);
    assert_send(&hooks.get_requires_for_build_wheel());
    assert_send(&hooks.wheel_metadata());
}

#[test]
fn shell_quoting() {
    for (text, quoted) in [
        ("/usr/bin/python3", "/usr/bin/python3"),
        ("a b", "'a b'"),
        ("it's", r"'it'\''s'"),
        ("", "''"),
        ("$HOME", "'$HOME'"),
    ] {
        assert_eq!(sh_quote(text), quoted);
    }
}
