//! pip-compile's command line and configuration keys, and what pinwheel does with each.
//!
//! [`OPTIONS`] is the one table of every pip-compile 7.6.2 option: applied (pinwheel does what
//! pip-compile does, perhaps under its own name), ignored with one warning (it cannot change the
//! output), or refused (it would change the output and pinwheel cannot honour it). The command
//! line and the configuration files (`config/`) both read it, so they agree; README's table is
//! checked against it by a test.
//!
//! Options pinwheel applies are fields of `ResolveArgs`; the ignored and refused ones are added
//! to clap's `resolve` command from this table ([`augment`]) and looked at once parsing is done
//! ([`review`]). Invoked under the name `pip-compile`, the binary runs `resolve` ([`Program`]).

use std::ffi::OsString;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches};

use super::config::normalise;

/// The name under which the binary behaves as `pinwheel resolve`.
pub const PIP_COMPILE: &str = "pip-compile";

/// The command the user ran, shown in the lock's header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Program {
    /// `pinwheel resolve`.
    #[default]
    Pinwheel,
    /// The binary under the name `pip-compile` (a symlink or a copy).
    PipCompile,
}

impl Program {
    /// Which program `argv0` (the path the binary was started by) names.
    #[must_use]
    pub fn from_argv0(argv0: &OsString) -> Self {
        // `file_stem` also takes `pip-compile.exe` on Windows.
        if Path::new(argv0)
            .file_stem()
            .is_some_and(|stem| stem == PIP_COMPILE)
        {
            Self::PipCompile
        } else {
            Self::Pinwheel
        }
    }

    /// The command line's first words in the header.
    #[must_use]
    pub fn command(self) -> &'static str {
        match self {
            Self::Pinwheel => "pinwheel resolve",
            Self::PipCompile => PIP_COMPILE,
        }
    }

    /// The arguments clap parses: under the name `pip-compile`, `resolve` is implied.
    #[must_use]
    pub fn arguments(self, mut argv: Vec<OsString>) -> Vec<OsString> {
        if self == Self::PipCompile {
            argv.insert(1.min(argv.len()), OsString::from("resolve"));
        }
        argv
    }
}

/// What pinwheel does with an option, on the command line or in a configuration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Treatment {
    /// pinwheel does it; the text says how when it is not obvious.
    Applied(&'static str),
    /// Accepted, ignored with one warning saying why: it cannot change the output.
    Ignored(&'static str),
    /// An error saying why: it would change the output, and pinwheel cannot honour it.
    Refused(&'static str),
    /// Not an option of this side (a pip-sync key has no command-line flag here).
    Absent,
}

/// The flags an ignored or refused option is parsed as (applied ones are `ResolveArgs` fields).
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// `--name`.
    Flag,
    /// `--name` and `--no-name`.
    Negatable,
    /// `--name VALUE`, repeatable, with these values allowed (any when empty).
    Value(&'static str, &'static [&'static str]),
}

/// One pip-compile option.
#[derive(Debug)]
pub struct PipCompileOption {
    /// The long name (`max-rounds`); a configuration key normalises to it, `-` as `_`.
    pub long: &'static str,
    /// The short flag, if pip-compile has one.
    pub short: Option<char>,
    /// Further configuration spellings pip-tools accepts (`resolver-name`), and `no-` forms.
    pub aliases: &'static [&'static str],
    /// How the command line takes it.
    pub shape: Shape,
    /// On the command line.
    pub command_line: Treatment,
    /// In `[tool.pip-tools]` (and `.pip-tools.toml`).
    pub config: Treatment,
}

use Shape::{Flag, Negatable, Value};
use Treatment::{Absent, Applied, Ignored, Refused};

const PER_RUN: Treatment = Ignored("it is a per-run option; pass it on the command line");
const NO_EFFECT: Treatment = Ignored("it has no effect in a configuration file");
const PIP_SYNC: Treatment = Ignored("it is a pip-sync option");
const NO_BUILDS: &str =
    "pinwheel builds only to read metadata and does not lock build dependencies";
const PIP_ARGS: &str = "pinwheel does not run pip";
const PIP_ARGS_REFUSED: &str = "it carries pip options that change the resolution, which pinwheel would not apply; give pinwheel the options themselves";

/// An option pinwheel applies on both sides.
const fn applied(long: &'static str, short: Option<char>, how: &'static str) -> PipCompileOption {
    PipCompileOption {
        long,
        short,
        aliases: &[],
        shape: Flag,
        command_line: Applied(how),
        config: Applied(how),
    }
}

/// Every option of pip-compile 7.6.2 (`pip-compile --help`), in its order, then pip-sync's keys
/// that may share `[tool.pip-tools]`.
pub const OPTIONS: &[PipCompileOption] = &[
    PipCompileOption {
        config: NO_EFFECT,
        ..applied("help", Some('h'), "")
    },
    PipCompileOption {
        config: NO_EFFECT,
        ..applied("version", None, "pinwheel's version")
    },
    PipCompileOption {
        aliases: &["no-color"],
        config: PER_RUN,
        ..applied("color", None, "colours of pinwheel's log lines")
    },
    PipCompileOption {
        config: PER_RUN,
        ..applied("verbose", Some('v'), "")
    },
    PipCompileOption {
        config: PER_RUN,
        ..applied("quiet", Some('q'), "")
    },
    PipCompileOption {
        config: PER_RUN,
        ..applied("dry-run", Some('n'), "")
    },
    applied("pre", Some('p'), ""),
    PipCompileOption {
        config: PER_RUN,
        ..applied(
            "rebuild",
            Some('r'),
            "as `--refresh`: every cached index page is revalidated",
        )
    },
    PipCompileOption {
        aliases: &["extras"],
        ..applied("extra", None, "")
    },
    applied("all-extras", None, ""),
    applied("find-links", Some('f'), ""),
    applied("index-url", Some('i'), ""),
    applied("no-index", None, ""),
    applied("extra-index-url", None, ""),
    applied("cert", None, "replaces the system's CA certificates"),
    applied(
        "client-cert",
        None,
        "sent to servers that ask for a client certificate",
    ),
    applied(
        "trusted-host",
        None,
        "an HTTPS server on the host is used even when its certificate cannot be verified; written with `--emit-trusted-host`",
    ),
    applied("uploaded-prior-to", None, "as `--exclude-newer`"),
    PipCompileOption {
        aliases: &["no-header"],
        ..applied("header", None, "")
    },
    PipCompileOption {
        aliases: &["no-emit-trusted-host"],
        ..applied(
            "emit-trusted-host",
            None,
            "`--trusted-host` lines in the options block",
        )
    },
    PipCompileOption {
        aliases: &["no-annotate"],
        ..applied("annotate", None, "")
    },
    applied("annotation-style", None, ""),
    PipCompileOption {
        aliases: &["no-upgrade"],
        ..applied("upgrade", Some('U'), "")
    },
    PipCompileOption {
        aliases: &["upgrade-packages"],
        ..applied("upgrade-package", Some('P'), "")
    },
    applied("output-file", Some('o'), ""),
    applied("newline", None, ""),
    PipCompileOption {
        aliases: &["no-allow-unsafe"],
        ..applied("allow-unsafe", None, "")
    },
    PipCompileOption {
        aliases: &["no-strip-extras"],
        ..applied("strip-extras", None, "")
    },
    applied("generate-hashes", None, ""),
    PipCompileOption {
        aliases: &["no-reuse-hashes"],
        ..applied(
            "reuse-hashes",
            None,
            "hashes of unchanged pins come from the existing output when the index lists none",
        )
    },
    PipCompileOption {
        long: "max-rounds",
        short: None,
        aliases: &[],
        shape: Value("INTEGER", &[]),
        command_line: Ignored("pinwheel's resolver has no rounds"),
        config: Ignored("pinwheel's resolver has no rounds"),
    },
    PipCompileOption {
        long: "build-isolation",
        short: None,
        aliases: &["no-build-isolation"],
        shape: Negatable,
        command_line: Ignored("pinwheel always builds in an isolated environment of its own"),
        config: Ignored("pinwheel always builds in an isolated environment of its own"),
    },
    PipCompileOption {
        aliases: &["no-emit-find-links"],
        ..applied("emit-find-links", None, "")
    },
    PipCompileOption {
        config: Ignored("pip-tools' cache is not pinwheel's"),
        ..applied("cache-dir", None, "pinwheel's cache directory")
    },
    PipCompileOption {
        long: "pip-args",
        short: None,
        aliases: &["pip-args-str"],
        shape: Value("TEXT", &[]),
        command_line: Ignored(PIP_ARGS),
        config: Ignored(PIP_ARGS),
    },
    PipCompileOption {
        long: "resolver",
        short: None,
        aliases: &["resolver-name"],
        shape: Value("NAME", &["legacy", "backtracking"]),
        command_line: Ignored("pinwheel has its own resolver"),
        config: Ignored("pinwheel has its own resolver"),
    },
    PipCompileOption {
        aliases: &["no-emit-index-url"],
        ..applied("emit-index-url", None, "")
    },
    PipCompileOption {
        aliases: &["no-emit-options"],
        ..applied("emit-options", None, "")
    },
    applied("unsafe-package", None, ""),
    PipCompileOption {
        config: NO_EFFECT,
        ..applied("config", None, "")
    },
    PipCompileOption {
        config: NO_EFFECT,
        ..applied("no-config", None, "")
    },
    applied("constraint", Some('c'), ""),
    PipCompileOption {
        long: "build-deps-for",
        short: None,
        aliases: &["build-deps-targets"],
        shape: Value("TARGET", &["editable", "sdist", "wheel"]),
        command_line: Refused(NO_BUILDS),
        config: Refused(NO_BUILDS),
    },
    PipCompileOption {
        long: "all-build-deps",
        short: None,
        aliases: &[],
        shape: Flag,
        command_line: Refused(NO_BUILDS),
        config: Refused(NO_BUILDS),
    },
    PipCompileOption {
        long: "only-build-deps",
        short: None,
        aliases: &[],
        shape: Flag,
        command_line: Refused(NO_BUILDS),
        config: Refused(NO_BUILDS),
    },
    PipCompileOption {
        command_line: Absent,
        config: NO_EFFECT,
        ..applied("src-files", None, "")
    },
    PipCompileOption {
        aliases: &["force", "python-executable", "user", "user-only"],
        command_line: Absent,
        config: PIP_SYNC,
        ..applied("ask", None, "")
    },
];

/// The table's option a configuration key (normalised, `_` for `-`) names.
#[must_use]
pub fn option_of_key(normalised: &str) -> Option<&'static PipCompileOption> {
    OPTIONS.iter().find(|option| {
        std::iter::once(option.long)
            .chain(option.aliases.iter().copied())
            .any(|name| normalise(name) == normalised)
    })
}

/// What a `[tool.pip-tools]` key with this value comes to, when pinwheel does not apply it:
/// `Ignored` (a warning) or `Refused` (an error). `None` when the key is applied or unknown.
#[must_use]
pub fn config_treatment(normalised: &str, value: &toml::Value) -> Option<Treatment> {
    let option = option_of_key(normalised)?;
    match option.config {
        Applied(_) => None,
        // `all-build-deps = false` asks for nothing pinwheel cannot do.
        Refused(reason) if asks_for_something(value) => Some(Refused(reason)),
        Refused(_) => Some(Ignored("it is off")),
        Ignored(reason) if option.long == "pip-args" => Some(
            value
                .as_str()
                .and_then(pip_args_refusal)
                .map_or(Ignored(reason), |_| Refused(PIP_ARGS_REFUSED)),
        ),
        Ignored(reason) => Some(Ignored(reason)),
        Absent => None,
    }
}

/// Whether a configuration value turns its option on: `true`, a non-empty string or array.
fn asks_for_something(value: &toml::Value) -> bool {
    match value {
        toml::Value::Boolean(on) => *on,
        toml::Value::String(text) => !text.is_empty(),
        toml::Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

/// `--trusted-host` lines for the options block (after the index and find-links lines, as
/// pip-compile writes them), unless `--no-emit-trusted-host`.
#[must_use]
pub fn trusted_host_lines(emit: bool, hosts: &[String]) -> Vec<String> {
    if !emit {
        return Vec::new();
    }
    hosts
        .iter()
        .map(|host| format!("--trusted-host {host}"))
        .collect()
}

/// The `--no-` flag of a [`Shape::Negatable`] option: its first alias.
fn negation(option: &PipCompileOption) -> Option<&'static str> {
    match option.shape {
        Negatable => option.aliases.first().copied(),
        Flag | Value(..) => None,
    }
}

/// Heading of the ignored and refused options in `resolve --help`.
const HEADING: &str = "pip-compile options pinwheel does not use";

/// Adds the ignored and refused options of [`OPTIONS`] to the `resolve` subcommand, gives it
/// `--version`, and names it `pip-compile` in usage lines when invoked so.
#[must_use]
pub fn augment(command: clap::Command, program: Program) -> clap::Command {
    command.mut_subcommand("resolve", |mut resolve| {
        for option in OPTIONS {
            let help = match option.command_line {
                Applied(_) | Absent => continue,
                Ignored(reason) => format!("Ignored with a warning: {reason}."),
                Refused(reason) => format!("Refused: {reason}."),
            };
            // The long name is the clap id: ResolveArgs' own ids use `_`, so they cannot clash.
            let long = option.long;
            let arg = Arg::new(long).long(long).help(help).help_heading(HEADING);
            resolve = match option.shape {
                Flag => resolve.arg(arg.action(ArgAction::SetTrue)),
                Negatable => {
                    let no = negation(option).unwrap_or(long);
                    resolve
                        .arg(arg.action(ArgAction::SetTrue).overrides_with(no))
                        .arg(
                            Arg::new(no)
                                .long(no)
                                .action(ArgAction::SetTrue)
                                .overrides_with(long)
                                .hide(true),
                        )
                }
                Value(name, choices) => {
                    let arg = arg.value_name(name).action(ArgAction::Append);
                    resolve.arg(if choices.is_empty() {
                        // `--pip-args '--no-cache-dir'`: the value starts with a dash.
                        arg.allow_hyphen_values(true)
                    } else {
                        arg.value_parser(choices.to_vec())
                    })
                }
            };
        }
        resolve = resolve
            .version(env!("CARGO_PKG_VERSION"))
            .display_name("pinwheel");
        if program == Program::PipCompile {
            resolve = resolve.bin_name(PIP_COMPILE);
        }
        resolve
    })
}

/// Looks at the ignored and refused options typed on `resolve`'s command line: one warning for
/// each ignored one, an error for the first refused one.
///
/// # Errors
/// When a refused option was given, or `--pip-args` carries index or resolution options.
pub fn review(matches: &ArgMatches) -> Result<Vec<String>, String> {
    let mut warnings = Vec::new();
    for option in OPTIONS {
        let typed = typed_flags(matches, option);
        let Some(first) = typed.first() else {
            continue;
        };
        match option.command_line {
            Refused(reason) => return Err(format!("`{first}` is not supported: {reason}")),
            Ignored(reason) => {
                if option.long == "pip-args" {
                    for value in matches
                        .get_many::<String>(option.long)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(refusal) = pip_args_refusal(value) {
                            return Err(format!("`--pip-args '{value}'`: {refusal}"));
                        }
                    }
                }
                warnings.push(format!("`{first}` is ignored: {reason}"));
            }
            Applied(_) | Absent => {}
        }
    }
    Ok(warnings)
}

/// The flags of `option` given on the command line, as `--name` or `--no-name`.
fn typed_flags(matches: &ArgMatches, option: &PipCompileOption) -> Vec<String> {
    std::iter::once(option.long)
        .chain(negation(option))
        .filter(|name| {
            matches.try_get_raw(name).is_ok_and(|raw| raw.is_some())
                && matches.value_source(name) == Some(ValueSource::CommandLine)
        })
        .map(|name| format!("--{name}"))
        .collect()
}

/// pip options that change which versions or files are found: pinwheel has its own flag for
/// each, which must be used instead of passing it through `--pip-args`.
const PIP_RESOLUTION_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--no-index",
    "-f",
    "--find-links",
    "--trusted-host",
    "--cert",
    "--client-cert",
    "--pre",
    "--only-binary",
    "--no-binary",
    "--prefer-binary",
    "-c",
    "--constraint",
    "--no-deps",
    "--ignore-requires-python",
    "--python-version",
    "--platform",
    "--implementation",
    "--abi",
    "--uploaded-prior-to",
    "--use-deprecated",
    "--use-feature",
    "--upgrade-strategy",
    // Not a resolution option, but one pinwheel has a flag of its own for, which a pip argument
    // would silently not set.
    "--keyring-provider",
];

/// Why pinwheel refuses a `--pip-args` value, when it carries an option in
/// [`PIP_RESOLUTION_OPTIONS`] (which pip would apply to the resolution and pinwheel would not).
#[must_use]
pub fn pip_args_refusal(text: &str) -> Option<String> {
    let found = split_words(text).into_iter().find_map(|word| {
        PIP_RESOLUTION_OPTIONS.iter().find(|option| {
            word == **option
                || word.starts_with(&format!("{option}="))
                // `-ihttps://…`: a short option glued to its value.
                || (option.len() == 2 && word.starts_with(**option) && !word.starts_with("--"))
        })
    })?;
    Some(format!(
        "pinwheel does not run pip, so it would not apply `{found}`; give pinwheel the option itself"
    ))
}

/// Words of a shell-like command line: whitespace separates them, quotes group them.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for character in text.chars() {
        match (quote, character) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(character);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests;
