//! The dependencies a `setup.py` declares, read without running it.
//!
//! Many old sdists have no `.egg-info` (they were made with distutils, or with a custom `sdist`
//! command) and no static `PKG-INFO`, so their only record of their dependencies is the call
//! to `setup()`. A build would run that call with setuptools; the wheel's `Requires-Dist` then
//! comes from exactly three of its keywords: `install_requires`, `extras_require` and (for
//! `Requires-Python`) `python_requires` — plus `setup.cfg`, read by `setup_cfg`, and plugins,
//! which only act on keywords of their own (`pbr=True`, …).
//!
//! So this file reads the call when, and only when, those values are written as literals:
//!
//! - `setup` is imported from `setuptools` or `distutils.core` (a modern build runs distutils'
//!   `setup()` through setuptools, so `install_requires` counts there too) and every call to
//!   it declares the same dependencies (a `try`/`except` retry without extensions is common),
//!   with keyword arguments only, or `**name` of a dict that is a literal by the same rules
//!   as below, changed only by module-level `name['key'] = value` lines before the call;
//! - every keyword is one setuptools or distutils knows: an unknown one may belong to a plugin
//!   that computes dependencies;
//! - the three values are literals (strings, lists, tuples, dicts, `None`, `+` of those), or
//!   names bound once, at module level, to such a literal, and never changed afterwards
//!   (no `.append`, `[...] =`, `+=`, loop or import rebinding them; no `exec`/`globals()` or
//!   `from elsewhere import *` in the file, which could rebind anything).
//!
//! Anything else (a comprehension, a function call such as `open('requirements.txt')`, a
//! conditional) means the dependencies depend on running code: [`NotStatic`] says what, and
//! the caller treats the sdist as needing a build. The reader is a tokenizer plus a parser of
//! literal expressions; it never evaluates code.

use std::collections::HashSet;

use self::literal::{Argument, Parser, Value};
use self::tokenize::{Kind, Token, tokenize};
use super::setuptools::{Given, NotStatic, SetuptoolsDeclaration};

mod literal;
mod tokenize;

/// `setup()` keywords of setuptools and distutils that never add dependencies. Anything else
/// (`pbr=True`, `distclass=…`, `cffi_modules=…`, …) may, so the reader refuses it.
const HARMLESS_KEYWORDS: &[&str] = &[
    "author",
    "author_email",
    "classifiers",
    "cmdclass",
    "data_files",
    "dependency_links",
    "description",
    "download_url",
    "eager_resources",
    "entry_points",
    "exclude_package_data",
    "ext_modules",
    "ext_package",
    "headers",
    "include_package_data",
    "keywords",
    "libraries",
    "license",
    "license_file",
    "license_files",
    "long_description",
    "long_description_content_type",
    "maintainer",
    "maintainer_email",
    "name",
    "namespace_packages",
    "obsoletes",
    "options",
    "package_data",
    "package_dir",
    "packages",
    "platforms",
    "project_urls",
    "provides",
    // distutils' `requires` becomes `Requires:` (PEP 314), which installers ignore.
    "requires",
    "py_modules",
    "script_args",
    "script_name",
    "scripts",
    // Build-time requirements: they do not appear in the wheel's metadata. Plugins they bring
    // act through keywords of their own, which are refused.
    "setup_requires",
    "test_loader",
    "test_suite",
    "tests_require",
    "url",
    "use_2to3",
    "use_2to3_exclude_fixers",
    "use_2to3_fixers",
    "convert_2to3_doctests",
    "use_scm_version",
    "version",
    "zip_safe",
];

/// Names whose presence means any module-level name may be rebound invisibly.
const DYNAMIC_NAMESPACE: &[&str] = &[
    "exec",
    "execfile",
    "eval",
    "globals",
    "locals",
    "vars",
    "setattr",
    "__dict__",
    "__builtins__",
];

/// Statement keywords after which a name is being bound, not read.
const BINDING_KEYWORDS: &[&str] = &[
    "for", "as", "del", "global", "nonlocal", "import", "def", "class", "lambda",
];

/// What a `setup.py` passes to `setup()`.
///
/// # Errors
/// [`NotStatic`] when the file is not a single literal `setup()` call as described in the
/// module documentation.
pub(crate) fn read_setup_py(bytes: &[u8]) -> Result<SetuptoolsDeclaration, NotStatic> {
    let source = String::from_utf8_lossy(bytes);
    let tokens = tokenize(&source).map_err(|reason| NotStatic(format!("setup.py: {reason}")))?;
    let module = Module::new(&tokens);
    let mut declarations = Vec::new();
    for open in module.setup_calls()? {
        let mut keywords = Vec::new();
        for argument in Parser::new(&tokens, open + 1).call_arguments()? {
            match argument {
                Argument::Keyword(keyword, value) => keywords.push((keyword, value)),
                Argument::Spread(Value::Name(name)) => {
                    keywords.extend(module.keyword_dict(&name, open)?);
                }
                Argument::Spread(_) => {
                    return Err(NotStatic(
                        "`setup()` is given `**` of a computed value".to_string(),
                    ));
                }
            }
        }
        declarations.push(module.declaration(keywords)?);
    }
    let first = declarations.pop().unwrap_or_default();
    if declarations.iter().any(|other| *other != first) {
        return Err(NotStatic(
            "setup.py calls `setup()` in several places with different dependencies".to_string(),
        ));
    }
    Ok(first)
}

fn not_literal(keyword: &str) -> NotStatic {
    NotStatic(format!(
        "the `{keyword}` given to `setup()` is computed, not written as a literal"
    ))
}

/// A string or a list of strings (setuptools accepts both for requirement lists).
fn strings(value: Value, keyword: &str) -> Result<Vec<String>, NotStatic> {
    match value {
        Value::Str(text) => Ok(vec![text]),
        Value::None => Ok(Vec::new()),
        Value::List(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Str(text) => Ok(text),
                _ => Err(not_literal(keyword)),
            })
            .collect(),
        _ => Err(not_literal(keyword)),
    }
}

/// A dict of `extra` (or `extra:marker`) to requirement lists.
fn extras(value: Value) -> Result<Vec<(String, Vec<String>)>, NotStatic> {
    match value {
        Value::None => Ok(Vec::new()),
        Value::Dict(pairs) => pairs
            .into_iter()
            .map(|(key, value)| match key {
                Value::Str(key) => Ok((key, strings(value, "extras_require")?)),
                _ => Err(not_literal("extras_require")),
            })
            .collect(),
        _ => Err(not_literal("extras_require")),
    }
}

/// The keywords whose values end up in the wheel's dependency metadata.
const DEPENDENCY_KEYWORDS: &[&str] = &["install_requires", "extras_require", "python_requires"];

/// The whole file: where `setup` comes from, where it is called, and what names are bound to.
struct Module<'a> {
    tokens: &'a [Token],
    /// For each token, the index of the first token of its logical line.
    line_of: Vec<usize>,
    /// Whether the file can rebind names invisibly (`exec`, `globals()`, …).
    dynamic_namespace: bool,
}

impl<'a> Module<'a> {
    fn new(tokens: &'a [Token]) -> Self {
        let mut line_of = Vec::with_capacity(tokens.len());
        let mut current = 0;
        for (index, token) in tokens.iter().enumerate() {
            if token.line_start {
                current = index;
            }
            line_of.push(current);
        }
        let dynamic_namespace = tokens.iter().any(|token| {
            matches!(&token.kind, Kind::Name(name) if DYNAMIC_NAMESPACE.contains(&name.as_str()))
        });
        let mut module = Self {
            tokens,
            line_of,
            dynamic_namespace,
        };
        // `from elsewhere import *` may rebind any name.
        for (index, token) in tokens.iter().enumerate() {
            if token.is_name("from") && module.line_of[index] == index {
                let (from, at) = module.dotted_from(index + 1);
                if tokens.get(at).is_some_and(|t| t.is_name("import"))
                    && tokens.get(at + 1).is_some_and(|t| t.is_op("*"))
                    && !matches!(from.as_str(), "setuptools" | "distutils.core")
                {
                    module.dynamic_namespace = true;
                }
            }
        }
        module
    }

    fn kind(&self, index: usize) -> Option<&Kind> {
        self.tokens.get(index).map(|token| &token.kind)
    }

    /// What one `setup()` call's keywords declare (later keywords override earlier ones, as
    /// dict items do).
    fn declaration(
        &self,
        keywords: Vec<(String, Value)>,
    ) -> Result<SetuptoolsDeclaration, NotStatic> {
        let mut declaration = SetuptoolsDeclaration::default();
        for (keyword, value) in keywords {
            match keyword.as_str() {
                "install_requires" => {
                    declaration.install_requires = Some(strings(self.resolve(value, 0), &keyword)?);
                }
                "extras_require" => {
                    declaration.extras_require = Some(extras(self.resolve(value, 0))?);
                }
                "python_requires" => {
                    declaration.python_requires = match self.resolve(value, 0) {
                        Value::Str(text) => Some(text),
                        Value::None => None,
                        _ => return Err(not_literal(&keyword)),
                    };
                }
                "name" | "version" => {
                    // Only a source tree needs these (an sdist's file name tells them), so a
                    // computed one is recorded, not refused.
                    let given = match self.resolve(value, 0) {
                        Value::Str(text) => Given::Literal(text),
                        _ => Given::Computed(format!("setup({keyword}=…)")),
                    };
                    if keyword == "name" {
                        declaration.name = given;
                    } else {
                        declaration.version = given;
                    }
                }
                known if HARMLESS_KEYWORDS.contains(&known) => {}
                other => {
                    return Err(NotStatic(format!(
                        "`setup()` is given `{other}`, which is not a setuptools keyword (a \
                         plugin's may compute dependencies)"
                    )));
                }
            }
        }
        Ok(declaration)
    }

    /// The keywords a dict passed as `**name` to the `setup()` call at `call` holds: `name` is
    /// bound once, at module level, to a dict display or `dict(key=value, …)`, then changed
    /// only by module-level `name['key'] = value` lines before the call (and `del name['key']`
    /// of keys that are not about dependencies); everywhere else it is only spread with `**`.
    fn keyword_dict(&self, name: &str, call: usize) -> Result<Vec<(String, Value)>, NotStatic> {
        let opaque = || {
            NotStatic(format!(
                "`setup()` is given `**{name}`, and `{name}` is built or changed by running code"
            ))
        };
        if self.dynamic_namespace {
            return Err(opaque());
        }
        let mut base: Option<Vec<(String, Value)>> = None;
        let mut assigned: Vec<(String, Value)> = Vec::new();
        for (index, token) in self.tokens.iter().enumerate() {
            if !token.is_name(name) || (index > 0 && self.tokens[index - 1].is_op(".")) {
                continue;
            }
            if index > 0 && self.tokens[index - 1].is_op("**") {
                continue;
            }
            match self.occurrence(index) {
                Occurrence::Assigned if base.is_none() && token.indent == 0 => {
                    base = Some(self.dict_at(index + 2).ok_or_else(opaque)?);
                }
                Occurrence::Written => {
                    let key = match (
                        self.kind(index + 1),
                        self.kind(index + 2),
                        self.kind(index + 3),
                    ) {
                        (
                            Some(Kind::Op(open)),
                            Some(Kind::Str {
                                value,
                                formatted: false,
                            }),
                            Some(Kind::Op(close)),
                        ) if open == "[" && close == "]" => value.clone(),
                        _ => return Err(opaque()),
                    };
                    let deleted = index > 0 && self.tokens[index - 1].is_name("del");
                    let item_assignment = token.line_start
                        && token.indent == 0
                        && index < call
                        && self.tokens.get(index + 4).is_some_and(|t| t.is_op("="));
                    if deleted && !DEPENDENCY_KEYWORDS.contains(&key.as_str()) {
                        continue;
                    }
                    if !item_assignment {
                        return Err(opaque());
                    }
                    let mut parser = Parser::new(self.tokens, index + 5);
                    let value = parser.expression(false);
                    if !parser.at_line_end() {
                        return Err(opaque());
                    }
                    assigned.push((key, value));
                }
                _ => return Err(opaque()),
            }
        }
        let mut keywords = base.ok_or_else(opaque)?;
        keywords.extend(assigned);
        Ok(keywords)
    }

    /// The keyword/value pairs of the dict display or `dict(…)` call at `index`, which must
    /// make up the rest of its logical line.
    fn dict_at(&self, index: usize) -> Option<Vec<(String, Value)>> {
        let mut parser = Parser::new(self.tokens, index);
        let pairs = if self.tokens.get(index)?.is_name("dict")
            && self.tokens.get(index + 1).is_some_and(|t| t.is_op("("))
        {
            parser.position += 2;
            let mut pairs = Vec::new();
            for argument in parser.call_arguments().ok()? {
                match argument {
                    Argument::Keyword(keyword, value) => pairs.push((keyword, value)),
                    Argument::Spread(_) => return None,
                }
            }
            pairs
        } else {
            let Value::Dict(pairs) = parser.expression(false) else {
                return None;
            };
            pairs
                .into_iter()
                .map(|(key, value)| match key {
                    Value::Str(key) => Some((key, value)),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?
        };
        parser.at_line_end().then_some(pairs)
    }

    /// The indexes of the `(` of every call to setuptools' or distutils' `setup`.
    fn setup_calls(&self) -> Result<Vec<usize>, NotStatic> {
        let imports = self.imports();
        if imports.shadowed {
            return Err(NotStatic(
                "setup.py defines or imports a `setup` of its own".to_string(),
            ));
        }
        if !imports.from_setuptools {
            return Err(NotStatic(
                "setup.py does not import `setup` from setuptools or distutils".to_string(),
            ));
        }
        let mut calls = Vec::new();
        for (index, token) in self.tokens.iter().enumerate() {
            let Kind::Name(name) = &token.kind else {
                continue;
            };
            if !self
                .tokens
                .get(index + 1)
                .is_some_and(|next| next.is_op("("))
            {
                continue;
            }
            let previous = index.checked_sub(1).map(|previous| &self.tokens[previous]);
            if previous.is_some_and(|previous| previous.is_name("def") || previous.is_name("class"))
            {
                continue;
            }
            let attribute = previous.is_some_and(|previous| previous.is_op("."));
            if attribute {
                // `setuptools.setup(…)`; other objects' `setup` methods are not ours.
                if name == "setup" && imports.modules.contains(&self.dotted_before(index - 1)) {
                    calls.push(index + 1);
                }
            } else if imports.aliases.contains(name) {
                calls.push(index + 1);
            } else if name == "setup" {
                return Err(NotStatic(
                    "setup.py calls a `setup` it does not import from setuptools".to_string(),
                ));
            }
        }
        if calls.is_empty() {
            return Err(NotStatic("setup.py never calls `setup()`".to_string()));
        }
        Ok(calls)
    }

    /// `a.b.c` for the dotted name ending just before the `.` at `dot`.
    fn dotted_before(&self, dot: usize) -> String {
        let mut parts = Vec::new();
        let mut index = dot;
        while index > 0 {
            let Some(Kind::Name(part)) = self.kind(index - 1) else {
                break;
            };
            parts.push(part.clone());
            if index >= 2 && self.tokens[index - 2].is_op(".") {
                index -= 2;
            } else {
                break;
            }
        }
        parts.reverse();
        parts.join(".")
    }

    /// What the imports bind `setup` to.
    fn imports(&self) -> Imports {
        let mut imports = Imports::default();
        let setup_modules = ["setuptools", "distutils.core"];
        for (index, token) in self.tokens.iter().enumerate() {
            if token.is_name("from") && self.line_of[index] == index {
                let (module, mut at) = self.dotted_from(index + 1);
                if !self.tokens.get(at).is_some_and(|t| t.is_name("import")) {
                    continue;
                }
                at += 1;
                let ours = setup_modules.contains(&module.as_str());
                for (name, alias) in self.imported_names(at) {
                    if name == "*" && ours {
                        imports.from_setuptools = true;
                        imports.aliases.insert("setup".to_string());
                    } else if name == "setup" && ours {
                        imports.from_setuptools = true;
                        imports.aliases.insert(alias);
                    } else if alias == "setup" {
                        imports.shadowed = true;
                    }
                }
            } else if token.is_name("import") && self.line_of[index] == index {
                let mut at = index + 1;
                loop {
                    let (module, next) = self.dotted_from(at);
                    at = next;
                    let alias = if self.tokens.get(at).is_some_and(|t| t.is_name("as")) {
                        let alias = match self.kind(at + 1) {
                            Some(Kind::Name(alias)) => alias.clone(),
                            _ => String::new(),
                        };
                        at += 2;
                        alias
                    } else {
                        module.clone()
                    };
                    if setup_modules.contains(&module.as_str()) {
                        imports.from_setuptools = true;
                        imports.modules.insert(alias);
                    } else if module == "distutils" {
                        // `import distutils` then `distutils.core.setup(…)`.
                        imports.from_setuptools = true;
                        imports.modules.insert(format!("{alias}.core"));
                    } else if alias == "setup" {
                        imports.shadowed = true;
                    }
                    if self.tokens.get(at).is_some_and(|t| t.is_op(",")) {
                        at += 1;
                    } else {
                        break;
                    }
                }
            } else if token.is_name("setup")
                && (self
                    .tokens
                    .get(index + 1)
                    .is_some_and(|t| t.is_op("=") && t.depth == 0)
                    || (index > 0 && self.tokens[index - 1].is_name("def"))
                    || (index > 0 && self.tokens[index - 1].is_name("class")))
            {
                imports.shadowed = true;
            }
        }
        imports
    }

    /// The dotted name starting at `index` and the index after it.
    fn dotted_from(&self, mut index: usize) -> (String, usize) {
        let mut parts = Vec::new();
        while let Some(Kind::Name(part)) = self.kind(index) {
            parts.push(part.clone());
            index += 1;
            if self.tokens.get(index).is_some_and(|t| t.is_op(".")) {
                index += 1;
            } else {
                break;
            }
        }
        (parts.join("."), index)
    }

    /// `(name, alias)` pairs of `from m import a, b as c` starting after `import`.
    fn imported_names(&self, mut index: usize) -> Vec<(String, String)> {
        let line = self.line_of.get(index).copied();
        let mut names = Vec::new();
        while let Some(token) = self.tokens.get(index) {
            if self.line_of.get(index).copied() != line {
                break;
            }
            match &token.kind {
                Kind::Name(name) => {
                    if self.tokens.get(index + 1).is_some_and(|t| t.is_name("as"))
                        && let Some(Kind::Name(alias)) = self.kind(index + 2)
                    {
                        names.push((name.clone(), alias.clone()));
                        index += 3;
                        continue;
                    }
                    names.push((name.clone(), name.clone()));
                }
                Kind::Op(op) if op == "*" => names.push(("*".to_string(), "*".to_string())),
                _ => {}
            }
            index += 1;
        }
        names
    }

    /// `value` with names replaced by what they are bound to and sums added up.
    fn resolve(&self, value: Value, depth: u8) -> Value {
        if depth > 8 {
            return Value::Opaque;
        }
        match value {
            Value::Name(name) => self
                .definition(&name)
                .map_or(Value::Opaque, |value| self.resolve(value, depth + 1)),
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .map(|item| self.resolve(item, depth + 1))
                    .collect(),
            ),
            Value::Dict(pairs) => Value::Dict(
                pairs
                    .into_iter()
                    .map(|(key, value)| {
                        (self.resolve(key, depth + 1), self.resolve(value, depth + 1))
                    })
                    .collect(),
            ),
            Value::Sum(terms) => {
                let terms: Vec<Value> = terms
                    .into_iter()
                    .map(|term| self.resolve(term, depth + 1))
                    .collect();
                if terms.iter().all(|term| matches!(term, Value::List(_))) {
                    Value::List(
                        terms
                            .into_iter()
                            .flat_map(|term| match term {
                                Value::List(items) => items,
                                _ => Vec::new(),
                            })
                            .collect(),
                    )
                } else if terms.iter().all(|term| matches!(term, Value::Str(_))) {
                    Value::Str(
                        terms
                            .into_iter()
                            .map(|term| match term {
                                Value::Str(text) => text,
                                _ => String::new(),
                            })
                            .collect(),
                    )
                } else {
                    Value::Opaque
                }
            }
            other => other,
        }
    }

    /// The literal a name is bound to: its only binding is `name = <literal>` at module level
    /// and nothing else writes to it.
    fn definition(&self, name: &str) -> Option<Value> {
        if self.dynamic_namespace {
            return None;
        }
        let mut value_at = None;
        for (index, token) in self.tokens.iter().enumerate() {
            if !token.is_name(name) {
                continue;
            }
            match self.occurrence(index) {
                Occurrence::Read => {}
                Occurrence::Written => return None,
                Occurrence::Assigned => {
                    if value_at.is_some() || token.indent != 0 {
                        return None;
                    }
                    value_at = Some(index + 2);
                }
            }
        }
        let mut parser = Parser::new(self.tokens, value_at?);
        let value = parser.expression(false);
        parser.at_line_end().then_some(value)
    }

    /// How the name at `index` is used.
    fn occurrence(&self, index: usize) -> Occurrence {
        let token = &self.tokens[index];
        let line = self.line_of[index];
        let next = self.tokens.get(index + 1);
        if index > 0 && self.tokens[index - 1].is_op(".") {
            // `something.name`: an attribute, not the module-level name.
            return Occurrence::Read;
        }
        if index > 0
            && let Kind::Name(previous) = &self.tokens[index - 1].kind
            && BINDING_KEYWORDS.contains(&previous.as_str())
        {
            return Occurrence::Written;
        }
        if let Some(Kind::Name(first)) = self.kind(line)
            && matches!(first.as_str(), "from" | "import" | "def" | "class")
        {
            return Occurrence::Written;
        }
        if let Some(Kind::Op(op)) = next.map(|next| &next.kind) {
            let augmented = op.len() >= 2
                && op.ends_with('=')
                && !matches!(op.as_str(), "==" | "!=" | "<=" | ">=");
            if op == "." || op == "[" || augmented {
                return Occurrence::Written;
            }
        }
        if token.depth > 0 {
            // Inside brackets `name =` is a keyword argument, not an assignment.
            return Occurrence::Read;
        }
        // Is the name a target of an assignment on its logical line?
        let end = self.line_of[index..]
            .iter()
            .position(|&start| start != line)
            .map_or(self.tokens.len(), |offset| index + offset);
        let equals: Vec<usize> = (line..end)
            .filter(|&at| self.tokens[at].is_op("=") && self.tokens[at].depth == 0)
            .collect();
        match equals.first() {
            Some(&first) if index < first => {
                if index == line && first == index + 1 && equals.len() == 1 {
                    Occurrence::Assigned
                } else {
                    Occurrence::Written
                }
            }
            Some(_) if equals.iter().any(|&at| at > index) => Occurrence::Written,
            _ => Occurrence::Read,
        }
    }
}

enum Occurrence {
    Read,
    /// `name = value`, alone on its line.
    Assigned,
    /// Any other binding or mutation.
    Written,
}

#[derive(Default)]
struct Imports {
    /// Whether `setup` comes from setuptools or distutils at all.
    from_setuptools: bool,
    /// Local names bound to setuptools' or distutils' `setup`.
    aliases: HashSet<String>,
    /// Module names `setup` can be reached through (`setuptools`, `distutils.core`, aliases).
    modules: HashSet<String>,
    /// Whether `setup` is also defined or imported from elsewhere.
    shadowed: bool,
}

#[cfg(test)]
mod tests;
