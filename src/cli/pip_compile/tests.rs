use clap::CommandFactory as _;

use super::*;
use crate::cli::args::Cli;
use crate::cli::config;

/// README's table of pip-compile's options, made from [`OPTIONS`].
fn markdown_table() -> String {
    let cell = |treatment: Treatment, long: &str| match treatment {
        Applied("") => "applied".to_string(),
        Applied(how) => format!("applied: {how}"),
        Ignored(reason) if long == "pip-args" => format!(
            "warned: {reason}; refused when it carries pip's index or resolution options (`-i`, `-f`, `--pre`, `--only-binary`, `-c`, …)"
        ),
        Ignored(reason) => format!("warned: {reason}"),
        Refused(reason) => format!("refused: {reason}"),
        Absent => "—".to_string(),
    };
    let mut table = String::from(
        "| pip-compile option | on the command line | in `[tool.pip-tools]` |\n|---|---|---|\n",
    );
    flag_rows(&mut table, cell);
    for option in OPTIONS
        .iter()
        .filter(|option| option.command_line == Absent)
    {
        // Keys without a flag: the sources are positional, pip-sync's keys are pip-sync's.
        let keys: Vec<String> = std::iter::once(option.long)
            .chain(option.aliases.iter().copied())
            .map(|key| format!("`{key}` (key)"))
            .collect();
        table.push_str(&format!(
            "| {} | — | {} |\n",
            keys.join(", "),
            cell(option.config, option.long)
        ));
    }
    table
}

/// The rows of the options that are flags.
fn flag_rows(table: &mut String, cell: impl Fn(Treatment, &str) -> String) {
    for option in OPTIONS
        .iter()
        .filter(|option| option.command_line != Absent)
    {
        let mut names: Vec<String> = option.short.iter().map(|c| format!("`-{c}`")).collect();
        names.push(format!("`--{}`", option.long));
        names.extend(
            option
                .aliases
                .iter()
                .filter(|alias| alias.starts_with("no-"))
                .map(|alias| format!("`--{alias}`")),
        );
        let others: Vec<String> = option
            .aliases
            .iter()
            .filter(|alias| !alias.starts_with("no-"))
            .map(|alias| format!("`{alias}`"))
            .collect();
        let mut name = names.join(", ");
        if !others.is_empty() {
            name = format!("{name} (keys: {})", others.join(", "));
        }
        table.push_str(&format!(
            "| {name} | {} | {} |\n",
            cell(option.command_line, option.long),
            cell(option.config, option.long)
        ));
    }
}

#[test]
fn readme_has_the_table_of_pip_compile_options() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's table of pip-compile options differs from pip_compile::OPTIONS; it should read:\n{table}"
    );
}

#[test]
fn every_pip_compile_flag_is_a_flag_of_resolve() {
    let mut command = augment(Cli::command(), Program::Pinwheel);
    command.build();
    let resolve = command.find_subcommand("resolve").unwrap();
    let flag = |long: &str| {
        resolve
            .get_arguments()
            .find(|arg| {
                arg.get_long() == Some(long)
                    || arg
                        .get_all_aliases()
                        .is_some_and(|aliases| aliases.contains(&long))
            })
            .or_else(|| {
                (long == "version" || long == "help").then(|| resolve.get_arguments().next())?
            })
    };
    for option in OPTIONS
        .iter()
        .filter(|option| option.command_line != Absent)
    {
        let arg = flag(option.long).unwrap_or_else(|| panic!("`--{}` is not a flag", option.long));
        if let Some(short) = option.short
            && option.long != "help"
        {
            assert_eq!(arg.get_short(), Some(short), "`--{}`", option.long);
        }
        for negation in option
            .aliases
            .iter()
            .filter(|alias| alias.starts_with("no-"))
        {
            assert!(flag(negation).is_some(), "`--{negation}` is not a flag");
        }
    }
}

#[test]
fn every_applied_configuration_key_is_read() {
    for option in OPTIONS {
        let names = std::iter::once(option.long).chain(option.aliases.iter().copied());
        for name in names {
            let key = config::normalise(name);
            match option.config {
                Applied(_) => assert!(config::is_key(&key), "`{name}` is not a configuration key"),
                _ => assert!(
                    !config::is_key(&key) || option.long == "cache-dir",
                    "`{name}` is both a key and {:?}",
                    option.config
                ),
            }
        }
    }
}

#[test]
fn pip_args_with_index_or_resolution_options_are_refused() {
    for refused in [
        "--index-url https://x.example/simple",
        "-ihttps://x.example/simple",
        "--no-cache-dir --pre",
        "'--only-binary=:all:'",
        "-c constraints.txt",
        "--keyring-provider subprocess",
    ] {
        assert!(pip_args_refusal(refused).is_some(), "{refused}");
    }
    for harmless in [
        "",
        "--no-cache-dir",
        "--timeout 60 --retries 2",
        "-v",
        "--progress-bar off",
    ] {
        assert_eq!(pip_args_refusal(harmless), None, "{harmless}");
    }
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(split_words(r#" a 'b c' "d"e  "" "#), ["a", "b c", "de", ""]);
}

#[test]
fn the_name_pip_compile_implies_resolve() {
    let program = Program::from_argv0(&OsString::from("/usr/local/bin/pip-compile"));
    assert_eq!(program, Program::PipCompile);
    assert_eq!(
        program.arguments(vec!["pip-compile".into(), "-U".into()]),
        [OsString::from("pip-compile"), "resolve".into(), "-U".into()]
    );
    assert_eq!(
        Program::from_argv0(&OsString::from("pinwheel")),
        Program::Pinwheel
    );
    assert_eq!(
        Program::from_argv0(&OsString::from(r"C:\bin\pip-compile.exe")),
        if cfg!(windows) {
            Program::PipCompile
        } else {
            Program::Pinwheel
        }
    );
}
