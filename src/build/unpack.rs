//! Unpacking an sdist into a directory, for a build to run in: the archive comes from the
//! internet, so nothing in it may write outside that directory.
//!
//! Refused, with an error naming the archive and the member: absolute paths, `..` components,
//! symbolic links whose target leaves the tree, hard links to anything but a file unpacked
//! before them. Device files and fifos are skipped (a build has no use for them); executable
//! bits are kept (a backend may run a script of the tree), other mode bits are not (no setuid,
//! no world-writable files).
//!
//! Symbolic links are made last, once every file and directory is in place, so that no member
//! is ever written through one; each is then resolved, and one that leads outside the tree is
//! an error. Against archive bombs, an sdist may unpack to 20 times its own size or 512 MiB,
//! whichever is more (cargo's rule for crates), and never past 4 GiB or 200,000 members.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write as _};
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;

use crate::metadata::ZipError;
use crate::metadata::zipfile::{MAX_ENTRY_SIZE, parse_central_directory, read_entry};
use crate::types::{SdistFilename, SdistFormat};

/// The most bytes an sdist may unpack to, however large it is. Real sdists stay far below (the
/// largest on PyPI are a few hundred MiB).
pub const MAX_UNPACKED_SIZE: u64 = 4 * 1024 * 1024 * 1024;

/// How many times its own size an sdist may unpack to (above [`RATIO_FLOOR`]): source trees
/// compress a few times, a bomb thousands of times.
pub const MAX_RATIO: u64 = 20;

/// What any sdist may unpack to, whatever its ratio: a small archive of a large tree is fine.
pub const RATIO_FLOOR: u64 = 512 * 1024 * 1024;

/// The most members an sdist may have.
pub const MAX_MEMBERS: u64 = 200_000;

/// The largest zip sdist read: the zip reader works from memory, so the archive is read whole.
const MAX_ZIP_ARCHIVE: u64 = 1024 * 1024 * 1024;

/// Why an sdist could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// The archive could not be read (missing, truncated, not gzip or tar).
    #[error("cannot read the source distribution `{}`", archive.display())]
    Read {
        /// The archive.
        archive: PathBuf,
        /// The IO, gzip or tar error.
        #[source]
        source: io::Error,
    },
    /// A zip sdist is malformed, or a member is larger than the zip reader reads.
    #[error("cannot read the zip source distribution `{}`", archive.display())]
    Zip {
        /// The archive.
        archive: PathBuf,
        /// What is wrong.
        #[source]
        source: ZipError,
    },
    /// A member would land outside the directory, or links out of it.
    #[error(
        "refusing to unpack the source distribution `{}`: member `{member}` {reason}",
        archive.display()
    )]
    Unsafe {
        /// The archive.
        archive: PathBuf,
        /// The member's path as stored.
        member: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The archive unpacks to more bytes, or has more members, than allowed.
    #[error(
        "refusing to unpack the source distribution `{}`: it has more than {limit} {what} ({rule})",
        archive.display()
    )]
    TooLarge {
        /// The archive.
        archive: PathBuf,
        /// `bytes` or `members`.
        what: &'static str,
        /// The limit.
        limit: u64,
        /// Where the limit comes from.
        rule: String,
    },
    /// A member could not be written.
    #[error("cannot unpack member `{member}` of `{}` to {}", archive.display(), path.display())]
    Write {
        /// The archive.
        archive: PathBuf,
        /// The member.
        member: String,
        /// Where it was being written.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The target directory exists and is not empty.
    #[error("cannot unpack into {}: the directory is not empty", .0.display())]
    NotEmpty(PathBuf),
}

/// Extracts a `.tar.gz` or `.zip` sdist into `into` (an empty or missing directory) and
/// returns the source tree's root: the single top-level directory (PEP 625's
/// `{name}-{version}/`), or `into` itself when members are not under one directory.
///
/// # Errors
/// See [`UnpackError`]. On an error, what was unpacked so far is left in `into`, which the
/// caller (owning the directory) removes.
pub fn unpack_sdist(
    archive: &Path,
    filename: &SdistFilename,
    into: &Path,
) -> Result<PathBuf, UnpackError> {
    unpack_with_limits(archive, filename, into, Limits::DEFAULT)
}

/// The caps of one unpacking (tests lower them).
#[derive(Clone, Copy, Debug)]
struct Limits {
    bytes: u64,
    members: u64,
    ratio: u64,
    ratio_floor: u64,
}

impl Limits {
    const DEFAULT: Self = Self {
        bytes: MAX_UNPACKED_SIZE,
        members: MAX_MEMBERS,
        ratio: MAX_RATIO,
        ratio_floor: RATIO_FLOOR,
    };

    /// The most bytes an archive of `compressed` bytes may unpack to, and the rule that says so.
    fn bytes_for(self, compressed: u64) -> (u64, String) {
        let by_ratio = compressed.saturating_mul(self.ratio).max(self.ratio_floor);
        if by_ratio < self.bytes {
            (
                by_ratio,
                format!(
                    "{} times its {compressed} bytes, or {} bytes for any sdist",
                    self.ratio, self.ratio_floor
                ),
            )
        } else {
            (self.bytes, "the cap for any sdist".to_string())
        }
    }
}

fn unpack_with_limits(
    archive: &Path,
    filename: &SdistFilename,
    into: &Path,
    limits: Limits,
) -> Result<PathBuf, UnpackError> {
    let mut unpacker = Unpacker::new(archive, into, limits)?;
    match filename.format {
        SdistFormat::TarGz => unpacker.tar_gz()?,
        SdistFormat::Zip => unpacker.zip()?,
    }
    unpacker.make_symlinks()?;
    let root = unpacker.root();
    if root == into {
        tracing::debug!(
            "{}: members are not under one directory; the tree is the whole archive",
            archive.display()
        );
    }
    Ok(root)
}

/// A symbolic link to make once everything else is unpacked.
struct Link {
    member: String,
    /// The path below the root, checked.
    relative: PathBuf,
    target: PathBuf,
}

/// The state of one unpacking: where to, what was written, and the running totals.
struct Unpacker<'a> {
    archive: &'a Path,
    into: PathBuf,
    limits: Limits,
    /// The most bytes this archive may unpack to ([`Limits::bytes_for`]), and why.
    max_bytes: (u64, String),
    unpacked_bytes: u64,
    members: u64,
    links: Vec<Link>,
    /// The first component of every member kept, to find the tree's root.
    tops: BTreeSet<PathBuf>,
}

impl<'a> Unpacker<'a> {
    fn new(archive: &'a Path, into: &Path, limits: Limits) -> Result<Self, UnpackError> {
        let write = |source| UnpackError::Write {
            archive: archive.to_path_buf(),
            member: String::new(),
            path: into.to_path_buf(),
            source,
        };
        fs::create_dir_all(into).map_err(write)?;
        if fs::read_dir(into).map_err(write)?.next().is_some() {
            return Err(UnpackError::NotEmpty(into.to_path_buf()));
        }
        let compressed = fs::metadata(archive)
            .map_err(|source| UnpackError::Read {
                archive: archive.to_path_buf(),
                source,
            })?
            .len();
        Ok(Self {
            archive,
            into: into.to_path_buf(),
            limits,
            max_bytes: limits.bytes_for(compressed),
            unpacked_bytes: 0,
            members: 0,
            links: Vec::new(),
            tops: BTreeSet::new(),
        })
    }

    fn tar_gz(&mut self) -> Result<(), UnpackError> {
        let file = fs::File::open(self.archive).map_err(|source| self.read_error(source))?;
        let mut tar = tar::Archive::new(GzDecoder::new(io::BufReader::new(file)));
        let entries = tar.entries().map_err(|source| self.read_error(source))?;
        for entry in entries {
            let mut entry = entry.map_err(|source| self.read_error(source))?;
            self.count_member()?;
            let member = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let kind = entry.header().entry_type();
            if !(kind.is_file()
                || kind.is_dir()
                || kind.is_symlink()
                || kind.is_hard_link()
                || kind.is_character_special()
                || kind.is_block_special()
                || kind.is_fifo())
            {
                // PAX global headers and the like describe the archive, not a file.
                continue;
            }
            let Some(relative) = self.member_path(&member)? else {
                continue;
            };
            if kind.is_character_special() || kind.is_block_special() || kind.is_fifo() {
                tracing::debug!(
                    "{}: skipping special file `{member}`",
                    self.archive.display()
                );
                continue;
            }
            self.tops.insert(first_component(&relative));
            if kind.is_dir() {
                self.make_dir(&member, &relative)?;
            } else if kind.is_symlink() {
                let target = self.link_target(&member, entry.link_name_bytes())?;
                self.check_symlink(&member, &relative, &target)?;
                self.links.push(Link {
                    member,
                    relative,
                    target,
                });
            } else if kind.is_hard_link() {
                let target = self.link_target(&member, entry.link_name_bytes())?;
                self.copy_hard_link(&member, &relative, &target)?;
            } else {
                let mode = entry.header().mode().unwrap_or(0o644);
                let size = entry.size();
                self.add_bytes(size)?;
                // The header's size was counted; `take` guards against a lying one.
                self.write_file(&member, &relative, &mut (&mut entry).take(size), mode)?;
            }
        }
        Ok(())
    }

    fn zip(&mut self) -> Result<(), UnpackError> {
        let length = fs::metadata(self.archive)
            .map_err(|source| self.read_error(source))?
            .len();
        if length > MAX_ZIP_ARCHIVE {
            return Err(UnpackError::TooLarge {
                archive: self.archive.to_path_buf(),
                what: "bytes",
                limit: MAX_ZIP_ARCHIVE,
                rule: "a zip sdist is read whole".to_string(),
            });
        }
        let bytes = fs::read(self.archive).map_err(|source| self.read_error(source))?;
        let zip_error = |source| UnpackError::Zip {
            archive: self.archive.to_path_buf(),
            source,
        };
        let chunks = crate::metadata::zipfile::Chunks::whole(&bytes);
        let location = crate::metadata::zipfile::locate(&chunks).map_err(zip_error)?;
        let directory = chunks
            .get("central directory", location.offset, location.end())
            .map_err(zip_error)?;
        for entry in parse_central_directory(directory).map_err(zip_error)? {
            self.count_member()?;
            let Some(relative) = self.member_path(&entry.name)? else {
                continue;
            };
            self.tops.insert(first_component(&relative));
            // A zip's symbolic links and modes live in its external attributes, which the zip
            // reader does not keep: every member is unpacked as a plain file or directory, so
            // a link becomes a small file holding its target, which is harmless.
            if entry.name.ends_with('/') {
                self.make_dir(&entry.name, &relative)?;
                continue;
            }
            if entry.uncompressed_size > MAX_ENTRY_SIZE {
                return Err(zip_error(ZipError::TooLarge {
                    name: entry.name.clone(),
                    size: entry.uncompressed_size,
                    limit: MAX_ENTRY_SIZE,
                }));
            }
            self.add_bytes(entry.uncompressed_size)?;
            let local = usize::try_from(entry.local_header_offset)
                .ok()
                .and_then(|offset| bytes.get(offset..))
                .ok_or(ZipError::Truncated {
                    what: "local file header",
                })
                .map_err(zip_error)?;
            let contents = read_entry(local, &entry).map_err(zip_error)?;
            self.write_file(&entry.name, &relative, &mut contents.as_slice(), 0o644)?;
        }
        Ok(())
    }

    /// The member's path below the root, or `None` for the root itself (`./`).
    fn member_path(&self, member: &str) -> Result<Option<PathBuf>, UnpackError> {
        let path = Path::new(member);
        let mut relative = PathBuf::new();
        for component in path.components() {
            match component {
                Component::Normal(part) => relative.push(part),
                Component::CurDir => {}
                Component::ParentDir => return Err(self.unsafe_member(member, "contains `..`")),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(self.unsafe_member(member, "has an absolute path"));
                }
            }
        }
        Ok((!relative.as_os_str().is_empty()).then_some(relative))
    }

    fn link_target(&self, member: &str, target: Option<Cow<'_>>) -> Result<PathBuf, UnpackError> {
        match target {
            Some(target) if !target.is_empty() => {
                Ok(PathBuf::from(String::from_utf8_lossy(&target).into_owned()))
            }
            _ => Err(self.unsafe_member(member, "is a link without a target")),
        }
    }

    /// A symbolic link's target must be relative and, read from the link's directory, stay
    /// inside the tree. (Links through other links are caught once all exist, see
    /// [`Unpacker::make_symlinks`].)
    fn check_symlink(
        &self,
        member: &str,
        relative: &Path,
        target: &Path,
    ) -> Result<(), UnpackError> {
        let leaves = || {
            self.unsafe_member(
                member,
                &format!(
                    "is a symbolic link to `{}`, outside the tree",
                    target.display()
                ),
            )
        };
        let mut depth = relative.components().count().saturating_sub(1);
        for component in target.components() {
            match component {
                Component::Normal(_) => depth += 1,
                Component::CurDir => {}
                Component::ParentDir => depth = depth.checked_sub(1).ok_or_else(leaves)?,
                Component::RootDir | Component::Prefix(_) => return Err(leaves()),
            }
        }
        Ok(())
    }

    /// A hard link's target is another member, named from the root: unpacked as a copy of
    /// that file, so that no two paths of the tree share one inode.
    fn copy_hard_link(
        &mut self,
        member: &str,
        relative: &Path,
        target: &Path,
    ) -> Result<(), UnpackError> {
        let target_text = target.to_string_lossy().into_owned();
        let Some(target_relative) = self.member_path(&target_text).map_err(|_| {
            self.unsafe_member(
                member,
                &format!("is a hard link to `{target_text}`, outside the tree"),
            )
        })?
        else {
            return Err(self.unsafe_member(member, "is a hard link to the tree's root"));
        };
        let source = self.into.join(&target_relative);
        let is_file = fs::symlink_metadata(&source).is_ok_and(|metadata| metadata.is_file());
        if !is_file {
            return Err(self.unsafe_member(
                member,
                &format!(
                    "is a hard link to `{target_text}`, which is not a file unpacked before it"
                ),
            ));
        }
        let size = fs::metadata(&source).map_or(0, |metadata| metadata.len());
        self.add_bytes(size)?;
        let destination = self.destination(member, relative)?;
        fs::copy(&source, &destination)
            .map(|_| ())
            .map_err(|source| self.write_error(member, &destination, source))
    }

    /// Makes the symbolic links, then resolves each: one that leads outside the tree through
    /// other links is an error, one that leads nowhere is removed (nothing can use it, and a
    /// build writing through it could create a file anywhere once its target appeared).
    fn make_symlinks(&mut self) -> Result<(), UnpackError> {
        let links = std::mem::take(&mut self.links);
        for link in &links {
            let destination = self.destination(&link.member, &link.relative)?;
            make_symlink(&link.target, &destination)
                .map_err(|source| self.write_error(&link.member, &destination, source))?;
        }
        let root = fs::canonicalize(&self.into)
            .map_err(|source| self.write_error("", &self.into.clone(), source))?;
        for link in &links {
            let path = self.into.join(&link.relative);
            match fs::canonicalize(&path) {
                Ok(resolved) if resolved.starts_with(&root) => {}
                Ok(_) => {
                    return Err(self.unsafe_member(
                        &link.member,
                        &format!(
                            "is a symbolic link to `{}`, which leads outside the tree",
                            link.target.display()
                        ),
                    ));
                }
                // No link was made (see `make_symlink`), so there is nothing to check.
                Err(_) if fs::symlink_metadata(&path).is_err() => {}
                Err(_) => {
                    tracing::debug!(
                        "{}: removing `{}`, a symbolic link to nothing",
                        self.archive.display(),
                        link.member
                    );
                    fs::remove_file(&path)
                        .map_err(|source| self.write_error(&link.member, &path, source))?;
                }
            }
        }
        Ok(())
    }

    fn make_dir(&self, member: &str, relative: &Path) -> Result<(), UnpackError> {
        let path = self.into.join(relative);
        fs::create_dir_all(&path).map_err(|source| self.write_error(member, &path, source))
    }

    fn write_file(
        &self,
        member: &str,
        relative: &Path,
        contents: &mut dyn Read,
        mode: u32,
    ) -> Result<(), UnpackError> {
        let path = self.destination(member, relative)?;
        let mut write = || -> io::Result<()> {
            let mut file = fs::File::create(&path)?;
            io::copy(contents, &mut file)?;
            file.flush()?;
            set_mode(&file, mode)
        };
        write().map_err(|source| self.write_error(member, &path, source))
    }

    /// Where a member goes, its parent directories made.
    fn destination(&self, member: &str, relative: &Path) -> Result<PathBuf, UnpackError> {
        let path = self.into.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|source| self.write_error(member, parent, source))?;
        }
        Ok(path)
    }

    fn count_member(&mut self) -> Result<(), UnpackError> {
        self.members += 1;
        if self.members > self.limits.members {
            return Err(UnpackError::TooLarge {
                archive: self.archive.to_path_buf(),
                what: "members",
                limit: self.limits.members,
                rule: "the cap for any sdist".to_string(),
            });
        }
        Ok(())
    }

    fn add_bytes(&mut self, size: u64) -> Result<(), UnpackError> {
        self.unpacked_bytes = self.unpacked_bytes.saturating_add(size);
        if self.unpacked_bytes > self.max_bytes.0 {
            return Err(UnpackError::TooLarge {
                archive: self.archive.to_path_buf(),
                what: "bytes",
                limit: self.max_bytes.0,
                rule: self.max_bytes.1.clone(),
            });
        }
        Ok(())
    }

    /// The single top-level directory, when every member is below it; else the directory.
    fn root(&self) -> PathBuf {
        match self.tops.iter().collect::<Vec<_>>().as_slice() {
            [only] => {
                let candidate = self.into.join(only);
                let is_dir =
                    fs::symlink_metadata(&candidate).is_ok_and(|metadata| metadata.is_dir());
                if is_dir { candidate } else { self.into.clone() }
            }
            _ => self.into.clone(),
        }
    }

    fn read_error(&self, source: io::Error) -> UnpackError {
        UnpackError::Read {
            archive: self.archive.to_path_buf(),
            source,
        }
    }

    fn write_error(&self, member: &str, path: &Path, source: io::Error) -> UnpackError {
        UnpackError::Write {
            archive: self.archive.to_path_buf(),
            member: member.to_string(),
            path: path.to_path_buf(),
            source,
        }
    }

    fn unsafe_member(&self, member: &str, reason: &str) -> UnpackError {
        UnpackError::Unsafe {
            archive: self.archive.to_path_buf(),
            member: member.to_string(),
            reason: reason.to_string(),
        }
    }
}

type Cow<'a> = std::borrow::Cow<'a, [u8]>;

fn first_component(relative: &Path) -> PathBuf {
    relative
        .components()
        .next()
        .map(|component| PathBuf::from(component.as_os_str()))
        .unwrap_or_default()
}

/// Executable members stay executable (0o755); every other file is 0o644.
#[cfg(unix)]
fn set_mode(file: &fs::File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = if mode & 0o111 == 0 { 0o644 } else { 0o755 };
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// Elsewhere a symbolic link needs privileges or knows whether its target is a directory;
/// sdists rarely hold any (setuptools' `sdist` copies their targets), so none is made.
#[cfg(not(unix))]
fn make_symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests;
