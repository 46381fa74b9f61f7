//! Builds the bytes of test distributions: wheels (real zip archives) and sdists (real
//! `.tar.gz` archives), plus the core metadata text inside them.
//!
//! Everything is deterministic: fixed timestamps, fixed entry order and seeded padding, so a
//! file's sha256 is the same on every run. It must not know about HTTP or index pages.

use std::io::{Cursor, Write};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::model::{SdistKind, TestPackage};
use super::requirements::{
    egg_info_requires_txt, in_tree_backend, pyproject_static_project, requirements_txt, setup_py,
    toml_string,
};

/// Size of the incompressible, stored padding entry placed before the `.dist-info` entries,
/// so reading the metadata through ranges really needs the central directory at the end.
pub const WHEEL_PADDING_BYTES: usize = 100 * 1024;

/// The modification time stamped on every archive entry (2020-01-01T00:00:00).
const FIXED_MTIME_UNIX: u64 = 1_577_836_800;

/// The `METADATA` text of a wheel: Metadata-Version 2.1 with every requirement and extra.
pub fn wheel_metadata(package: &TestPackage) -> String {
    core_metadata(package, "2.1", true)
}

/// Core metadata text with the given `Metadata-Version`; `with_requirements` controls whether
/// `Requires-Dist` lines are written (sdists whose PKG-INFO must not be trusted leave them out).
pub fn core_metadata(package: &TestPackage, version: &str, with_requirements: bool) -> String {
    let mut text = format!(
        "Metadata-Version: {version}\nName: {}\nVersion: {}\n",
        package.name, package.version
    );
    if let Some(requires_python) = &package.requires_python {
        text.push_str(&format!("Requires-Python: {requires_python}\n"));
    }
    for extra in &package.provides_extra {
        text.push_str(&format!("Provides-Extra: {extra}\n"));
    }
    if with_requirements {
        for requirement in &package.requires_dist {
            text.push_str(&format!("Requires-Dist: {requirement}\n"));
        }
    }
    text
}

/// A wheel archive for `package` with the given tag and the default padding.
pub fn build_wheel(package: &TestPackage, tag: &str) -> Vec<u8> {
    build_wheel_with_padding(package, tag, WHEEL_PADDING_BYTES)
}

/// A wheel archive whose first entries are a small module and `padding` stored bytes, followed
/// by the deflated `.dist-info/METADATA`, `WHEEL` and `RECORD`.
pub fn build_wheel_with_padding(package: &TestPackage, tag: &str, padding: usize) -> Vec<u8> {
    let stem = package.filename_stem();
    let dist_info = format!("{stem}-{}.dist-info", package.version);
    let module = format!("{stem}/__init__.py");
    let mut entries: Vec<(String, Vec<u8>, CompressionMethod)> = Vec::new();
    if !package.module_files.iter().any(|(path, _)| *path == module) {
        entries.push((
            module,
            format!("__version__ = {}\n", toml_string(&package.version)).into_bytes(),
            CompressionMethod::Deflated,
        ));
    }
    for (path, contents) in &package.module_files {
        entries.push((
            path.clone(),
            contents.clone().into_bytes(),
            CompressionMethod::Deflated,
        ));
    }
    entries.extend([
        (
            format!("{stem}/_padding.bin"),
            padding_bytes(
                &format!("{}-{}-{tag}", package.name, package.version),
                padding,
            ),
            CompressionMethod::Stored,
        ),
        (
            format!("{dist_info}/METADATA"),
            wheel_metadata(package).into_bytes(),
            CompressionMethod::Deflated,
        ),
        (
            format!("{dist_info}/WHEEL"),
            wheel_file(tag).into_bytes(),
            CompressionMethod::Deflated,
        ),
    ]);
    let record = record_file(&entries, &format!("{dist_info}/RECORD"));

    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let mtime = DateTime::from_date_and_time(2020, 1, 1, 0, 0, 0).expect("fixed date is valid");
    let entries = entries.into_iter().chain(std::iter::once((
        format!("{dist_info}/RECORD"),
        record.into_bytes(),
        CompressionMethod::Deflated,
    )));
    for (path, data, method) in entries {
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(mtime)
            .unix_permissions(0o644);
        writer.start_file(path, options).expect("writing to memory");
        writer.write_all(&data).expect("writing to memory");
    }
    writer.finish().expect("writing to memory").into_inner()
}

/// The `WHEEL` file, with one `Tag:` line per tag of a compressed tag set.
fn wheel_file(tag: &str) -> String {
    let mut parts = tag.splitn(3, '-');
    let (pythons, abis, platforms) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let purelib = abis == "none" && platforms == "any";
    let mut text =
        format!("Wheel-Version: 1.0\nGenerator: pinwheel-testindex\nRoot-Is-Purelib: {purelib}\n");
    for python in pythons.split('.') {
        for abi in abis.split('.') {
            for platform in platforms.split('.') {
                text.push_str(&format!("Tag: {python}-{abi}-{platform}\n"));
            }
        }
    }
    text
}

/// The `RECORD` file: `path,sha256=<urlsafe base64>,size` per entry, then RECORD itself.
fn record_file(entries: &[(String, Vec<u8>, CompressionMethod)], record_path: &str) -> String {
    let mut text = String::new();
    for (path, data, _) in entries {
        let digest = Sha256::digest(data);
        text.push_str(&format!(
            "{path},sha256={},{}\n",
            urlsafe_base64_nopad(&digest),
            data.len()
        ));
    }
    text.push_str(&format!("{record_path},,\n"));
    text
}

/// Base64 with the URL-safe alphabet and no padding, as wheel RECORD files use.
fn urlsafe_base64_nopad(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            text.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    text
}

/// `len` pseudo-random bytes from a xorshift generator seeded by `seed`: incompressible, but
/// identical on every run.
fn padding_bytes(seed: &str, len: usize) -> Vec<u8> {
    let mut state = seed.bytes().fold(0x9E37_79B9_7F4A_7C15u64, |s, b| {
        (s ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    }) | 1;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

/// A `.tar.gz` source distribution for `package` laid out as `kind` says.
pub fn build_sdist(package: &TestPackage, kind: SdistKind) -> Vec<u8> {
    let stem = package.filename_stem();
    let root = format!("{stem}-{}", package.version);
    let build_system =
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n";
    let mut files: Vec<(String, String)> = vec![(
        format!("{root}/{stem}/__init__.py"),
        format!("__version__ = {}\n", toml_string(&package.version)),
    )];
    match kind {
        SdistKind::PkgInfo22 => {
            files.push((
                format!("{root}/PKG-INFO"),
                core_metadata(package, "2.2", true),
            ));
            files.push((format!("{root}/pyproject.toml"), build_system.to_owned()));
        }
        SdistKind::PyprojectStatic => {
            files.push((
                format!("{root}/PKG-INFO"),
                core_metadata(package, "2.1", false),
            ));
            files.push((
                format!("{root}/pyproject.toml"),
                format!("{build_system}\n{}", pyproject_static_project(package)),
            ));
        }
        SdistKind::EggInfoRequires => {
            let pkg_info = core_metadata(package, "2.1", false);
            files.push((format!("{root}/PKG-INFO"), pkg_info.clone()));
            files.push((format!("{root}/pyproject.toml"), build_system.to_owned()));
            files.push((format!("{root}/{stem}.egg-info/PKG-INFO"), pkg_info));
            files.push((
                format!("{root}/{stem}.egg-info/requires.txt"),
                egg_info_requires_txt(package),
            ));
        }
        SdistKind::Dynamic => {
            files.push((
                format!("{root}/PKG-INFO"),
                core_metadata(package, "2.1", false),
            ));
            let dynamic = if package.provides_extra.is_empty() {
                "[\"dependencies\"]"
            } else {
                "[\"dependencies\", \"optional-dependencies\"]"
            };
            files.push((
                format!("{root}/pyproject.toml"),
                format!(
                    "{build_system}\n[project]\nname = {}\nversion = {}\ndynamic = {dynamic}\n",
                    toml_string(&package.name),
                    toml_string(&package.version)
                ),
            ));
        }
        SdistKind::InTreeBackend | SdistKind::FailingBackend => {
            files.push((
                format!("{root}/PKG-INFO"),
                core_metadata(package, "2.1", false),
            ));
            files.push((
                format!("{root}/pyproject.toml"),
                format!(
                    "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n\n[project]\nname = {}\nversion = {}\ndynamic = [\"dependencies\", \"optional-dependencies\"]\n",
                    toml_string(&package.name),
                    toml_string(&package.version)
                ),
            ));
            files.push((
                format!("{root}/_build/backend.py"),
                in_tree_backend(package, kind == SdistKind::FailingBackend),
            ));
            files.push((
                format!("{root}/_build/METADATA.in"),
                core_metadata(package, "2.1", true),
            ));
        }
        SdistKind::SetupPy | SdistKind::SetupPyComputed => {
            let computed = kind == SdistKind::SetupPyComputed;
            files.push((
                format!("{root}/PKG-INFO"),
                core_metadata(package, "1.1", false),
            ));
            files.push((format!("{root}/setup.py"), setup_py(package, computed)));
            if computed {
                files.push((
                    format!("{root}/requirements.txt"),
                    requirements_txt(package),
                ));
            }
        }
    }
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    for (path, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(FIXED_MTIME_UNIX);
        header.set_uid(0);
        header.set_gid(0);
        builder
            .append_data(&mut header, path, contents.as_bytes())
            .expect("writing to memory");
    }
    builder
        .into_inner()
        .and_then(GzEncoder::finish)
        .expect("writing to memory")
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
