//! The line parser for requirements files (see the module doc for the grammar).

use std::borrow::Cow;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use pep508_rs::{Requirement, VerbatimUrl};

use super::local::{Editable, looks_unnamed, parse_located};
use super::vcs;
use super::{
    InputError, InputErrorKind, InputRequirement, LocalPaths, Manifest, Origin, OriginKind,
    ReadOptions, join_relative,
};

/// Reads `path` (or stdin when it is `-`) and every file it includes into a manifest.
///
/// `kind` says whether the file's requirements are requirements (a source file) or constraints
/// (a file given with `-c`).
///
/// # Errors
/// When a file cannot be read, a line is malformed, an option is unknown, files include each
/// other in a cycle, or a local requirement's path cannot be used. The error names the file,
/// line and the chain of including files.
pub fn read_manifest(
    path: &Path,
    kind: OriginKind,
    options: ReadOptions<'_>,
) -> Result<Manifest, InputError> {
    let mut reader = Reader {
        options,
        manifest: Manifest::default(),
        stack: Vec::new(),
    };
    reader.read_file(path, kind)?;
    Ok(reader.manifest)
}

struct Reader<'a> {
    options: ReadOptions<'a>,
    manifest: Manifest,
    /// Files being read, outermost first, with the line that included the next one.
    stack: Vec<(PathBuf, usize)>,
}

/// A logical line: continuations joined, comments removed, with its first physical line number.
struct LogicalLine {
    number: usize,
    text: String,
}

impl Reader<'_> {
    fn read_file(&mut self, path: &Path, kind: OriginKind) -> Result<(), InputError> {
        if self.stack.iter().any(|(open, _)| open == path) {
            return Err(self.error(path, None, InputErrorKind::IncludeCycle(path.to_path_buf())));
        }
        let content = read_text(path).map_err(|kind| self.error(path, None, kind))?;
        self.manifest.files.push(path.to_path_buf());
        self.stack.push((path.to_path_buf(), 0));
        for mut line in logical_lines(&content) {
            if let Some(top) = self.stack.last_mut() {
                top.1 = line.number;
            }
            // pip expands variables after joining lines and removing comments.
            let mut written = None;
            if let Cow::Owned(expanded) = self.options.variables.expand(&line.text) {
                written = Some(std::mem::replace(&mut line.text, expanded));
            }
            self.read_line(path, kind, &line, written.as_deref())?;
        }
        self.stack.pop();
        Ok(())
    }

    fn read_line(
        &mut self,
        path: &Path,
        kind: OriginKind,
        line: &LogicalLine,
        written: Option<&str>,
    ) -> Result<(), InputError> {
        let at =
            |reader: &Self, error: InputErrorKind| reader.error(path, Some(line.number), error);
        let text = line.text.trim();
        if text.starts_with('-') {
            let option = parse_option(text).map_err(|error| at(self, error))?;
            if let Some(written) = written {
                self.remember_written(&option, written);
                if let (FileOption::Editable(value), Ok(FileOption::Editable(raw))) =
                    (&option, parse_option(written.trim()))
                {
                    self.remember_written_git(value, &raw);
                }
            }
            if let FileOption::Editable(value) = option {
                return self
                    .add_requirement(path, kind, line.number, &value, Editable::Yes)
                    .map_err(|error| at(self, error));
            }
            return self
                .apply_option(path, kind, option)
                .map_err(|error| match error {
                    Applied::Nested(error) => error,
                    Applied::Here(error) => at(self, error),
                });
        }
        let (requirement_text, trailing) = split_trailing_options(text);
        if let Some(written) = written {
            self.remember_written_url(requirement_text, split_trailing_options(written.trim()).0);
        }
        for option in trailing {
            // `--hash` pins a file's digest for pip install; pinwheel writes hashes from the
            // index, so on input it is accepted and has no effect.
            if !option.starts_with("--hash") {
                return Err(at(self, InputErrorKind::UnknownOption(option.to_string())));
            }
        }
        self.add_requirement(path, kind, line.number, requirement_text, Editable::No)
            .map_err(|error| at(self, error))
    }

    fn add_requirement(
        &mut self,
        path: &Path,
        kind: OriginKind,
        line: usize,
        text: &str,
        editable: Editable,
    ) -> Result<(), InputErrorKind> {
        let unnamed = editable == Editable::Yes || looks_unnamed(text);
        if unnamed && kind == OriginKind::Constraint {
            // pip's rule: a constraint only limits a name, so it must have one.
            return Err(InputErrorKind::UnnamedConstraint(text.to_string()));
        }
        if unnamed && self.options.local_paths == LocalPaths::Skip {
            return Ok(());
        }
        let (requirement, local) = if self.options.local_paths == LocalPaths::Skip {
            (parse_requirement(text, path)?, None)
        } else {
            parse_located(text, path, editable)?
        };
        let entry = InputRequirement {
            requirement,
            text: text.to_string(),
            origin: Origin {
                kind,
                file: path.to_path_buf(),
                line,
                project: None,
            },
            local,
        };
        match kind {
            OriginKind::Requirement | OriginKind::CommandLine => {
                self.manifest.requirements.push(entry);
            }
            OriginKind::Constraint => self.manifest.constraints.push(entry),
            OriginKind::Override => self.manifest.overrides.push(entry),
        }
        Ok(())
    }

    fn apply_option(
        &mut self,
        path: &Path,
        kind: OriginKind,
        option: FileOption,
    ) -> Result<(), Applied> {
        let index = &mut self.manifest.index;
        match option {
            FileOption::Requirement(file) => {
                // A `-r` inside a constraints file stays a constraint, as in pip.
                return self
                    .read_file(&join_relative(path, &file), kind)
                    .map_err(Applied::Nested);
            }
            FileOption::Constraint(file) => {
                return self
                    .read_file(&join_relative(path, &file), OriginKind::Constraint)
                    .map_err(Applied::Nested);
            }
            FileOption::IndexUrl(url) => index.index_url = Some(url),
            FileOption::ExtraIndexUrl(url) => super::push_unique(&mut index.extra_index_urls, url),
            FileOption::FindLinks(link) => {
                let link = if looks_like_url(&link) {
                    link
                } else {
                    join_relative(path, &link).display().to_string()
                };
                super::push_unique(&mut index.find_links, link);
            }
            FileOption::NoIndex => index.no_index = true,
            FileOption::Pre => self.manifest.resolver.pre = true,
            FileOption::OnlyBinary(value) => self.manifest.resolver.only_binary.push(value),
            FileOption::NoBinary(value) => self.manifest.resolver.no_binary.push(value),
            FileOption::TrustedHost(host) => super::push_unique(&mut index.trusted_hosts, host),
            // Handled by `read_line`: an editable is a requirement, not a setting.
            FileOption::Editable(_) => {}
        }
        Ok(())
    }

    /// Keeps how an index or find-links URL was written when its `${NAME}` references were
    /// expanded (`written` is the line before expansion): the lock shows the references, never
    /// the values, which may be credentials.
    fn remember_written(&mut self, option: &FileOption, written: &str) {
        let (FileOption::IndexUrl(value)
        | FileOption::ExtraIndexUrl(value)
        | FileOption::FindLinks(value)) = option
        else {
            return;
        };
        if let Ok(
            FileOption::IndexUrl(raw) | FileOption::ExtraIndexUrl(raw) | FileOption::FindLinks(raw),
        ) = parse_option(written.trim())
            && raw != *value
        {
            self.manifest.index.written.insert(value.clone(), raw);
        }
    }

    /// Keeps how a direct URL requirement's URL was written when its `${NAME}` references were
    /// expanded (`written` is the requirement before expansion), for the same reason.
    fn remember_written_url(&mut self, expanded: &str, written: &str) {
        if let (Some(value), Some(raw)) = (direct_url_text(expanded), direct_url_text(written)) {
            if vcs::is_vcs(value) {
                self.remember_written_git(value, raw);
                return;
            }
            if raw != value {
                self.manifest
                    .index
                    .written
                    .insert(value.to_string(), raw.to_string());
            }
        }
    }

    /// The same for a git location (`git+URL@REF#…`, named or `-e`): only the repository part
    /// is kept, since the lock replaces the ref by the commit it named.
    fn remember_written_git(&mut self, expanded: &str, written: &str) {
        if let (Some(value), Some(raw)) = (vcs::remote_text(expanded), vcs::remote_text(written))
            && raw != value
        {
            self.manifest
                .index
                .written
                .insert(value.to_string(), raw.to_string());
        }
    }

    fn error(&self, file: &Path, line: Option<usize>, kind: InputErrorKind) -> InputError {
        // The innermost open file is `file` itself while reading it; the including chain is the
        // rest of the stack, innermost first.
        let included_from = self
            .stack
            .iter()
            .rev()
            .filter(|(open, _)| open != file)
            .cloned()
            .collect();
        InputError {
            file: file.to_path_buf(),
            line,
            included_from,
            kind,
        }
    }
}

/// The outcome of applying an option: an error of a nested file already carries its own place.
enum Applied {
    Nested(InputError),
    Here(InputErrorKind),
}

impl From<InputErrorKind> for Applied {
    fn from(kind: InputErrorKind) -> Self {
        Self::Here(kind)
    }
}

fn read_text(path: &Path) -> Result<String, InputErrorKind> {
    let bytes = if path == Path::new("-") {
        let mut buffer = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buffer)
            .map_err(InputErrorKind::Read)?;
        buffer
    } else {
        std::fs::read(path).map_err(InputErrorKind::Read)?
    };
    String::from_utf8(bytes).map_err(|_| InputErrorKind::NotUtf8)
}

/// Joins `\` continuations and removes comments and blank lines.
fn logical_lines(content: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut pending: Option<LogicalLine> = None;
    for (index, physical) in content.lines().enumerate() {
        let (body, continues) = match physical.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (physical, false),
        };
        let line = pending.get_or_insert_with(|| LogicalLine {
            number: index + 1,
            text: String::new(),
        });
        line.text.push_str(body);
        if !continues && let Some(mut line) = pending.take() {
            line.text = strip_comment(&line.text).trim().to_string();
            if !line.text.is_empty() {
                lines.push(line);
            }
        }
    }
    if let Some(mut line) = pending.take() {
        line.text = strip_comment(&line.text).trim().to_string();
        if !line.text.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// Removes a comment: `#` at the start of the line or after whitespace (a `#` inside a URL, as
/// in `#sha256=`, is not a comment).
fn strip_comment(line: &str) -> &str {
    let mut previous_is_space = true;
    for (index, character) in line.char_indices() {
        if character == '#' && previous_is_space {
            return &line[..index];
        }
        previous_is_space = character.is_whitespace();
    }
    line
}

/// Splits `req --hash=… --hash=…` into the requirement and its trailing option tokens: options
/// start at the first ` -` outside a quoted marker string.
/// The URL of a `name @ URL` requirement as written: after the first `@` (a name has none),
/// up to the first whitespace (before a marker or an option).
fn direct_url_text(requirement: &str) -> Option<&str> {
    let (_, rest) = requirement.split_once('@')?;
    let url = rest.split_whitespace().next()?;
    url.contains("://").then_some(url.trim_end_matches(';'))
}

fn split_trailing_options(text: &str) -> (&str, Vec<&str>) {
    let mut quote: Option<char> = None;
    let mut previous_is_space = false;
    for (index, character) in text.char_indices() {
        match (quote, character) {
            (Some(open), c) if c == open => quote = None,
            (None, '"' | '\'') => quote = Some(character),
            (None, '-') if previous_is_space => {
                return (
                    text[..index].trim_end(),
                    text[index..].split_whitespace().collect(),
                );
            }
            _ => {}
        }
        previous_is_space = character.is_whitespace();
    }
    (text, Vec::new())
}

fn looks_like_url(text: &str) -> bool {
    text.contains("://")
}

/// An option line of a requirements file.
#[derive(Debug, PartialEq, Eq)]
enum FileOption {
    Requirement(String),
    Constraint(String),
    IndexUrl(String),
    ExtraIndexUrl(String),
    FindLinks(String),
    NoIndex,
    Pre,
    OnlyBinary(String),
    NoBinary(String),
    TrustedHost(String),
    Editable(String),
}

/// Parses `-r file`, `-rfile`, `--requirement=file`, `--requirement file` and the other options.
fn parse_option(text: &str) -> Result<FileOption, InputErrorKind> {
    let (flag, inline_value) = split_flag(text);
    let value = || -> Result<String, InputErrorKind> {
        let value = inline_value.map(str::trim).unwrap_or_default();
        if value.is_empty() {
            Err(InputErrorKind::MissingValue(flag.to_string()))
        } else {
            Ok(value.to_string())
        }
    };
    let no_value = || -> Result<(), InputErrorKind> {
        match inline_value.map(str::trim) {
            None | Some("") => Ok(()),
            Some(extra) => Err(InputErrorKind::UnknownOption(format!("{flag} {extra}"))),
        }
    };
    Ok(match flag {
        "-r" | "--requirement" => FileOption::Requirement(value()?),
        "-c" | "--constraint" => FileOption::Constraint(value()?),
        "-i" | "--index-url" => FileOption::IndexUrl(value()?),
        "--extra-index-url" => FileOption::ExtraIndexUrl(value()?),
        "-f" | "--find-links" => FileOption::FindLinks(value()?),
        "--trusted-host" => FileOption::TrustedHost(value()?),
        "--no-index" => {
            no_value()?;
            FileOption::NoIndex
        }
        "--pre" => {
            no_value()?;
            FileOption::Pre
        }
        "--only-binary" => FileOption::OnlyBinary(value()?),
        "--no-binary" => FileOption::NoBinary(value()?),
        "-e" | "--editable" => FileOption::Editable(value()?),
        _ => return Err(InputErrorKind::UnknownOption(flag.to_string())),
    })
}

/// Splits an option line into its flag and value: `--flag=value`, `--flag value`, `-rvalue`,
/// `-r value`.
fn split_flag(text: &str) -> (&str, Option<&str>) {
    if let Some(long) = text.strip_prefix("--") {
        let end = long
            .find(|c: char| c == '=' || c.is_whitespace())
            .map_or(text.len(), |i| i + 2);
        let (flag, rest) = text.split_at(end);
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        return (flag, Some(rest).filter(|rest| !rest.trim().is_empty()));
    }
    // Short options are one letter; the value may follow directly (`-rbase.in`).
    let end = text
        .char_indices()
        .nth(2)
        .map_or(text.len(), |(index, _)| index);
    let (flag, rest) = text.split_at(end);
    (flag, Some(rest).filter(|rest| !rest.trim().is_empty()))
}

/// Parses a PEP 508 line, turning the parser's marker warnings into errors: pep508_rs drops an
/// invalid marker silently otherwise, which would change what the user asked for.
pub(super) fn parse_requirement(
    text: &str,
    file: &Path,
) -> Result<Requirement<VerbatimUrl>, InputErrorKind> {
    crate::types::check_requirement(text).map_err(|error| InputErrorKind::InvalidRequirement {
        text: text.to_string(),
        message: error.to_string(),
    })?;
    let mut warnings = Vec::new();
    let directory = file.parent().unwrap_or(Path::new("."));
    let requirement = Requirement::<VerbatimUrl>::parse_reporter(
        text,
        directory,
        &mut |_kind, warning: String| {
            warnings.push(warning);
        },
    )
    .map_err(|error| InputErrorKind::InvalidRequirement {
        text: text.to_string(),
        message: error.message.to_string(),
    })?;
    if let Some(warning) = warnings.into_iter().next() {
        return Err(InputErrorKind::InvalidRequirement {
            text: text.to_string(),
            message: warning,
        });
    }
    Ok(requirement)
}

#[cfg(test)]
mod tests;
