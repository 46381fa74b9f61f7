//! Re-shapes a release's `Requires-Dist` strings into the other formats sdists carry them in:
//! setuptools' `requires.txt` sections, a `pyproject.toml` `[project]` table and the arguments
//! of a `setup.py`'s `setup()` call.
//!
//! Only the marker shapes test authors write are understood: an `extra == "x"` clause joined to
//! the rest of the marker by top-level `and`. It must not try to be a PEP 508 parser; anything
//! else stays in the marker verbatim.

use std::collections::BTreeMap;

use super::model::TestPackage;

/// A `Requires-Dist` string split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitRequirement {
    /// The requirement without its marker, e.g. `idna>=2`.
    pub requirement: String,
    /// The extra named by an `extra == "…"` clause, if any.
    pub extra: Option<String>,
    /// What is left of the marker once the extra clause is removed, if anything.
    pub marker: Option<String>,
}

/// Splits `requirement; marker` and pulls an `extra == "…"` clause out of the marker.
pub fn split_requirement(line: &str) -> SplitRequirement {
    let (requirement, marker) = match line.split_once(';') {
        Some((requirement, marker)) => (requirement.trim(), marker.trim()),
        None => (line.trim(), ""),
    };
    let mut extra = None;
    let mut rest = Vec::new();
    for clause in marker
        .split(" and ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match (extra.is_none(), extra_clause(clause)) {
            (true, Some(name)) => extra = Some(name),
            _ => rest.push(clause),
        }
    }
    SplitRequirement {
        requirement: requirement.to_owned(),
        extra,
        marker: (!rest.is_empty()).then(|| rest.join(" and ")),
    }
}

/// The extra named by a clause of the form `extra == "x"` (quotes and parentheses optional).
fn extra_clause(clause: &str) -> Option<String> {
    let clause = clause.trim_start_matches('(').trim_end_matches(')').trim();
    let value = clause
        .strip_prefix("extra")?
        .trim_start()
        .strip_prefix("==")?;
    let name = value.trim().trim_matches(|c| c == '"' || c == '\'');
    (!name.is_empty()).then(|| name.to_owned())
}

/// The `requires.txt` setuptools writes into `<name>.egg-info/`: unconditional requirements
/// first, then one `[extra]`, `[:marker]` or `[extra:marker]` section per distinct condition.
pub fn egg_info_requires_txt(package: &TestPackage) -> String {
    let mut unconditional = String::new();
    let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in &package.requires_dist {
        let split = split_requirement(line);
        let header = match (&split.extra, &split.marker) {
            (None, None) => {
                unconditional.push_str(&split.requirement);
                unconditional.push('\n');
                continue;
            }
            (extra, marker) => format!(
                "{}{}",
                extra.as_deref().unwrap_or(""),
                marker.as_ref().map(|m| format!(":{m}")).unwrap_or_default()
            ),
        };
        sections.entry(header).or_default().push(split.requirement);
    }
    // Extras that require nothing still get an (empty) section, as setuptools writes them.
    for extra in &package.provides_extra {
        sections.entry(extra.clone()).or_default();
    }
    let mut text = unconditional;
    for (header, requirements) in sections {
        text.push_str(&format!("\n[{header}]\n"));
        for requirement in requirements {
            text.push_str(&requirement);
            text.push('\n');
        }
    }
    text
}

/// The unconditional requirements and the `extras_require` sections (`extra`, `extra:marker`
/// or `:marker` keys, as setuptools spells them), each in first-seen order.
fn setuptools_sections(package: &TestPackage) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let mut unconditional = Vec::new();
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |key: String, requirement: Option<String>| {
        let index = match sections.iter().position(|(existing, _)| *existing == key) {
            Some(index) => index,
            None => {
                sections.push((key, Vec::new()));
                sections.len() - 1
            }
        };
        sections[index].1.extend(requirement);
    };
    for line in &package.requires_dist {
        let split = split_requirement(line);
        match (&split.extra, &split.marker) {
            (None, None) => unconditional.push(split.requirement),
            (extra, marker) => add(
                format!(
                    "{}{}",
                    extra.as_deref().unwrap_or(""),
                    marker.as_ref().map(|m| format!(":{m}")).unwrap_or_default()
                ),
                Some(split.requirement),
            ),
        }
    }
    for extra in &package.provides_extra {
        add(extra.clone(), None);
    }
    (unconditional, sections)
}

/// A `setup.py` as distutils-era projects wrote them: `setup` from `distutils.core`, the
/// requirements in a module-level list, `extras_require` as a dict literal. With `computed`,
/// `install_requires` is read from `requirements.txt` when the file runs instead (the caller
/// ships that file), which no static reader may pretend to know.
pub fn setup_py(package: &TestPackage, computed: bool) -> String {
    let (unconditional, sections) = setuptools_sections(package);
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|item| python_string(item)).collect();
        format!("[{}]", quoted.join(", "))
    };
    let mut text = String::from("#!/usr/bin/env python\nfrom distutils.core import setup\n\n");
    if computed {
        text.push_str(
            "with open('requirements.txt') as f:\n    REQUIRES = f.read().splitlines()\n",
        );
    } else {
        text.push_str(&format!("REQUIRES = {}\n", list(&unconditional)));
    }
    text.push_str("\nsetup(\n");
    text.push_str(&format!("    name={},\n", python_string(&package.name)));
    text.push_str(&format!(
        "    version={},\n",
        python_string(&package.version)
    ));
    text.push_str("    packages=['pkg'],\n    install_requires=REQUIRES,\n");
    if !sections.is_empty() {
        text.push_str("    extras_require={\n");
        for (key, requirements) in &sections {
            text.push_str(&format!(
                "        {}: {},\n",
                python_string(key),
                list(requirements)
            ));
        }
        text.push_str("    },\n");
    }
    if let Some(requires_python) = &package.requires_python {
        text.push_str(&format!(
            "    python_requires={},\n",
            python_string(requires_python)
        ));
    }
    text.push_str(")\n");
    text
}

/// The unconditional requirements, one a line, as a `requirements.txt`.
pub fn requirements_txt(package: &TestPackage) -> String {
    setuptools_sections(package)
        .0
        .iter()
        .map(|requirement| format!("{requirement}\n"))
        .collect()
}

/// A single-quoted Python string literal.
fn python_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The `[project]` table of a static `pyproject.toml`: `dependencies` and one
/// `optional-dependencies` array per extra.
pub fn pyproject_static_project(package: &TestPackage) -> String {
    let mut dependencies = Vec::new();
    let mut optional: BTreeMap<String, Vec<String>> = package
        .provides_extra
        .iter()
        .map(|extra| (extra.clone(), Vec::new()))
        .collect();
    for line in &package.requires_dist {
        let split = split_requirement(line);
        let requirement = match &split.marker {
            Some(marker) => format!("{}; {marker}", split.requirement),
            None => split.requirement.clone(),
        };
        match split.extra {
            Some(extra) => optional.entry(extra).or_default().push(requirement),
            None => dependencies.push(requirement),
        }
    }
    let mut text = format!(
        "[project]\nname = {}\nversion = {}\n",
        toml_string(&package.name),
        toml_string(&package.version)
    );
    if let Some(requires_python) = &package.requires_python {
        text.push_str(&format!(
            "requires-python = {}\n",
            toml_string(requires_python)
        ));
    }
    text.push_str(&format!("dependencies = {}\n", toml_array(&dependencies)));
    if !optional.is_empty() {
        text.push_str("\n[project.optional-dependencies]\n");
        for (extra, requirements) in optional {
            text.push_str(&format!(
                "{} = {}\n",
                toml_string(&extra),
                toml_array(&requirements)
            ));
        }
    }
    text
}

/// A TOML basic string.
pub fn toml_string(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// A one-line TOML array of basic strings.
fn toml_array(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| toml_string(v)).collect();
    format!("[{}]", items.join(", "))
}

/// The in-tree PEP 517 backend of `SdistKind::InTreeBackend` (or of `FailingBackend` with
/// `failing`): `prepare_metadata_for_build_wheel` copies `_build/METADATA.in` into the
/// metadata directory, so the dependencies are known only once the backend runs.
pub fn in_tree_backend(package: &TestPackage, failing: bool) -> String {
    let dist_info = format!("{}-{}.dist-info", package.filename_stem(), package.version);
    let failure = if failing {
        "    raise RuntimeError('planted failure: this backend refuses to build')\n"
    } else {
        ""
    };
    format!(
        "import os\nimport sys\n\nHERE = os.path.dirname(os.path.abspath(__file__))\n\n\n\
         def get_requires_for_build_wheel(config_settings=None):\n    return []\n\n\n\
         def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):\n\
         \x20   print('in-tree backend: preparing the metadata', file=sys.stderr)\n\
         {failure}\
         \x20   target = os.path.join(metadata_directory, {dist_info})\n\
         \x20   os.makedirs(target)\n\
         \x20   with open(os.path.join(HERE, 'METADATA.in')) as source:\n\
         \x20       text = source.read()\n\
         \x20   with open(os.path.join(target, 'METADATA'), 'w') as out:\n\
         \x20       out.write(text)\n\
         \x20   return {dist_info}\n\n\n\
         def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n\
         \x20   raise RuntimeError('the test backend builds no wheels')\n",
        dist_info = python_string(&dist_info),
    )
}
