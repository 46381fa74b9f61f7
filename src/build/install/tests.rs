use std::io::Write as _;

use zip::write::SimpleFileOptions;

use super::*;
use crate::build::interpreter::tests::python_or_skip;

/// Writes a wheel holding `members` (name, Unix mode, bytes) into `dir`.
fn wheel(dir: &Path, file_name: &str, members: &[(&str, u32, &[u8])]) -> PathBuf {
    let path = dir.join(file_name);
    let mut writer = zip::ZipWriter::new(File::create(&path).unwrap());
    for (name, mode, bytes) in members {
        let options = SimpleFileOptions::default().unix_permissions(*mode);
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
    path
}

const ENTRY_POINTS: &[u8] = b"[console_scripts]\n\
demo = demo.cli:main\n\
demo-extra = demo.cli:main [fancy]\n\
\n\
[gui_scripts]\n\
demo-gui = demo.cli:Gui.run\n\
\n\
[pinwheel.plugins]\n\
ignored = demo:nothing\n";

fn demo_wheel(dir: &Path) -> PathBuf {
    wheel(
        dir,
        "demo-1.0-py3-none-any.whl",
        &[
            ("demo/__init__.py", 0o644, b"VALUE = 42\n"),
            (
                "demo/cli.py",
                0o644,
                b"def main():\n    print('hello from demo')\n\nclass Gui:\n    @staticmethod\n    def run():\n        print('gui')\n",
            ),
            ("demo/bin/tool", 0o755, b"\x7fELF not really"),
            ("demo-paths.pth", 0o644, b"import sys\n"),
            ("demo-1.0.data/scripts/demo-script", 0o644, b"#!python\nprint('script')\n"),
            ("demo-1.0.data/scripts/demo.sh", 0o644, b"#!/bin/sh\necho sh\n"),
            ("demo-1.0.data/purelib/demo_pure.py", 0o644, b"PURE = 1\n"),
            ("Demo-1.0.data/platlib/demo_plat.py", 0o644, b"PLAT = 1\n"),
            ("demo-1.0.data/headers/demo.h", 0o644, b"int demo;\n"),
            ("demo-1.0.data/data/share/demo.txt", 0o644, b"data\n"),
            ("demo-1.0.dist-info/METADATA", 0o644, b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"),
            ("demo-1.0.dist-info/WHEEL", 0o644, b"Wheel-Version: 1.0\n"),
            ("demo-1.0.dist-info/entry_points.txt", 0o644, ENTRY_POINTS),
        ],
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_wheel_is_unpacked_as_an_installer_would() {
    let dir = tempfile::tempdir().unwrap();
    let python = Interpreter::unprobed(PathBuf::from("/usr/bin/python3"));
    let env = EnvLayout::new(dir.path().join("env"));
    install_wheel(&demo_wheel(dir.path()), &env, &python).unwrap();

    let site = env.site_dir();
    for file in [
        "demo/__init__.py",
        "demo/cli.py",
        "demo/bin/tool",
        "demo-paths.pth",
        "demo_pure.py",
        "demo_plat.py",
        "demo-1.0.dist-info/METADATA",
        "demo-1.0.dist-info/entry_points.txt",
    ] {
        assert!(site.join(file).is_file(), "{file} missing from site/");
    }
    assert!(!site.join("demo-1.0.data").exists());
    assert!(env.headers_dir().join("demo/demo.h").is_file());
    assert!(env.data_dir().join("share/demo.txt").is_file());

    let bin = env.scripts_dir();
    let script = std::fs::read_to_string(bin.join("demo-script")).unwrap();
    assert_eq!(script, "#!/usr/bin/python3\nprint('script')\n");
    let shell = std::fs::read_to_string(bin.join("demo.sh")).unwrap();
    assert_eq!(shell, "#!/bin/sh\necho sh\n");
    for name in ["demo", "demo-extra", "demo-gui"] {
        let wrapper = std::fs::read_to_string(bin.join(name)).unwrap();
        assert!(wrapper.starts_with("#!/usr/bin/python3\n"), "{wrapper}");
    }
    assert!(
        !bin.join("ignored").exists(),
        "only script sections make scripts"
    );
    #[cfg(unix)]
    {
        for name in ["demo-script", "demo.sh", "demo", "demo-extra", "demo-gui"] {
            assert_eq!(mode(&bin.join(name)), 0o755, "{name}");
        }
        assert_eq!(mode(&site.join("demo/bin/tool")), 0o755);
        assert_ne!(mode(&site.join("demo/cli.py")) & 0o111, 0o111);
    }
}

#[test]
fn console_scripts_run_with_the_interpreter() {
    let Some(python) = python_or_skip("console_scripts_run_with_the_interpreter") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let env = EnvLayout::new(dir.path().join("env with space"));
    install_wheel(&demo_wheel(dir.path()), &env, &python).unwrap();
    for (name, expected) in [
        ("demo", "hello from demo\n"),
        ("demo-gui", "gui\n"),
        ("demo-script", "script\n"),
    ] {
        // Run the way a backend would: by path, with no PYTHONPATH.
        let output = std::process::Command::new(env.scripts_dir().join(name))
            .env_clear()
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "{name}");
    }
}

#[test]
fn a_long_or_spaced_interpreter_path_goes_through_sh() {
    let Some(python) = python_or_skip("a_long_or_spaced_interpreter_path_goes_through_sh") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let spaced = dir.path().join("a python's home");
    std::fs::create_dir(&spaced).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(python.path(), spaced.join("python3")).unwrap();
    let python = Interpreter::unprobed(spaced.join("python3"));
    assert!(scripts::shebang(python.path()).starts_with("#!/bin/sh\n"));
    let env = EnvLayout::new(dir.path().join("env"));
    install_wheel(&demo_wheel(dir.path()), &env, &python).unwrap();
    let output = std::process::Command::new(env.scripts_dir().join("demo"))
        .env_clear()
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hello from demo\n");
}

#[test]
fn members_outside_the_root_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let python = Interpreter::unprobed(PathBuf::from("/usr/bin/python3"));
    for evil in [
        "../evil",
        "demo/../../evil",
        "/etc/evil",
        "..\\evil",
        "C:/evil",
    ] {
        let env = EnvLayout::new(dir.path().join("env"));
        let wheel = wheel(
            dir.path(),
            "evil-1.0-py3-none-any.whl",
            &[
                ("evil/__init__.py", 0o644, b""),
                (evil, 0o644, b"gotcha"),
                ("evil-1.0.dist-info/METADATA", 0o644, b"Name: evil\n"),
            ],
        );
        let error = install_wheel(&wheel, &env, &python).unwrap_err();
        assert!(
            matches!(error, InstallError::UnsafePath { ref member, .. } if member == evil),
            "{error:?}"
        );
        assert!(error.to_string().contains(evil), "{error}");
        assert!(!env.root().exists(), "{evil}: something was written");
        assert!(!dir.path().join("evil").exists());
    }
}

#[test]
fn bad_wheels_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let python = Interpreter::unprobed(PathBuf::from("/usr/bin/python3"));
    let env = EnvLayout::new(dir.path().join("env"));
    let no_metadata = wheel(
        dir.path(),
        "a-1.0-py3-none-any.whl",
        &[("a/__init__.py", 0o644, b"")],
    );
    let error = install_wheel(&no_metadata, &env, &python).unwrap_err();
    assert!(error.to_string().contains("not a wheel"), "{error}");

    let bad_entry = wheel(
        dir.path(),
        "b-1.0-py3-none-any.whl",
        &[
            ("b-1.0.dist-info/METADATA", 0o644, b"Name: b\n"),
            (
                "b-1.0.dist-info/entry_points.txt",
                0o644,
                b"[console_scripts]\n../up = b:main\n",
            ),
        ],
    );
    let error = install_wheel(&bad_entry, &env, &python).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("bad entry point `../up = b:main`"),
        "{error}"
    );
    let bad_object = wheel(
        dir.path(),
        "c-1.0-py3-none-any.whl",
        &[
            ("c-1.0.dist-info/METADATA", 0o644, b"Name: c\n"),
            (
                "c-1.0.dist-info/entry_points.txt",
                0o644,
                b"[console_scripts]\nc = os;system('x'):main\n",
            ),
        ],
    );
    let error = install_wheel(&bad_object, &env, &python).unwrap_err();
    assert!(
        matches!(error, InstallError::EntryPoint { .. }),
        "{error:?}"
    );

    let not_zip = dir.path().join("d-1.0-py3-none-any.whl");
    std::fs::write(&not_zip, "not a zip").unwrap();
    let error = install_wheel(&not_zip, &env, &python).unwrap_err();
    assert!(matches!(error, InstallError::Open { .. }), "{error:?}");
}

#[test]
fn safe_relative_paths() {
    for (name, expected) in [
        ("a/b.py", Some("a/b.py")),
        ("./a//b.py", Some("a/b.py")),
        ("a/", Some("a")),
        ("a\\b.py", Some("a/b.py")),
        ("", None),
        ("..", None),
        ("a/../b", None),
        ("/a", None),
        ("\\a", None),
        ("c:/a", None),
        ("a\0b", None),
    ] {
        assert_eq!(safe_relative(name), expected.map(PathBuf::from), "{name:?}");
    }
}
