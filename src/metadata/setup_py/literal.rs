//! A parser of literal Python expressions over `setup.py`'s tokens: strings, lists, tuples,
//! sets, dicts, `None`, names and `+`, and call arguments. It evaluates nothing; whatever needs
//! running code to know is [`Value::Opaque`].

use super::tokenize::{Kind, Token};
use crate::metadata::setuptools::NotStatic;

/// One argument of a call.
pub(super) enum Argument {
    /// `keyword=value`.
    Keyword(String, Value),
    /// `**value`.
    Spread(Value),
}

/// The value of an expression as far as a literal reading can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Value {
    Str(String),
    /// A list, tuple or set.
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// A bare name, to be resolved against module-level assignments.
    Name(String),
    /// `a + b + …`.
    Sum(Vec<Value>),
    None,
    /// Anything that needs running code to know: calls, attributes, comprehensions, numbers…
    Opaque,
}

/// How deep brackets may nest in a literal that is read: far past any real `setup.py`, and
/// far short of what overflows a 2 MiB stack.
pub(super) const MAX_DEPTH: usize = 32;

/// A parser of literal expressions over the token list.
pub(super) struct Parser<'a> {
    tokens: &'a [Token],
    pub(super) position: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(tokens: &'a [Token], position: usize) -> Self {
        Self { tokens, position }
    }

    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.position)
    }

    fn at_op(&self, op: &str) -> bool {
        self.peek().is_some_and(|token| token.is_op(op))
    }

    /// Whether the next token ends the expression being read: a separator, a closing bracket,
    /// a new logical line, the end of the file (or `:` in a dict key).
    fn at_terminator(&self, colon: bool) -> bool {
        match self.peek() {
            None => true,
            Some(token) if token.line_start => true,
            Some(token) => match &token.kind {
                Kind::Op(op) => {
                    matches!(op.as_str(), "," | ")" | "]" | "}" | ";") || (colon && op == ":")
                }
                _ => false,
            },
        }
    }

    /// Whether the logical line ends here.
    pub(super) fn at_line_end(&self) -> bool {
        self.peek()
            .is_none_or(|token| token.line_start || token.is_op(";"))
    }

    /// The keyword arguments (and `**` spreads) of a call, from after its `(` to its `)`.
    pub(super) fn call_arguments(&mut self) -> Result<Vec<Argument>, NotStatic> {
        let malformed = || NotStatic("cannot read the arguments of `setup()`".to_string());
        let mut arguments = Vec::new();
        loop {
            if self.at_op(")") {
                self.position += 1;
                return Ok(arguments);
            }
            let token = self.peek().ok_or_else(malformed)?;
            if token.is_op("**") {
                self.position += 1;
                arguments.push(Argument::Spread(self.expression(false)));
            } else if token.is_op("*") {
                return Err(NotStatic(
                    "`setup()` is given arguments with `*`".to_string(),
                ));
            } else {
                let keyword = match &token.kind {
                    Kind::Name(name)
                        if self
                            .tokens
                            .get(self.position + 1)
                            .is_some_and(|next| next.is_op("=")) =>
                    {
                        name.clone()
                    }
                    _ => {
                        return Err(NotStatic(
                            "`setup()` is given positional arguments".to_string(),
                        ));
                    }
                };
                self.position += 2;
                let value = self.expression(false);
                arguments.push(Argument::Keyword(keyword, value));
            }
            if self.at_op(",") {
                self.position += 1;
            } else if !self.at_op(")") {
                return Err(malformed());
            }
        }
    }

    /// One expression: primaries joined by `+`; anything else makes it [`Value::Opaque`] and
    /// is skipped up to the expression's end.
    pub(super) fn expression(&mut self, colon: bool) -> Value {
        let mut terms = vec![self.primary(colon)];
        loop {
            if self.at_terminator(colon) {
                break;
            }
            if self.at_op("+") {
                self.position += 1;
                terms.push(self.primary(colon));
                continue;
            }
            self.skip_rest(colon);
            return Value::Opaque;
        }
        if terms.len() == 1 {
            terms.pop().unwrap_or(Value::Opaque)
        } else {
            Value::Sum(terms)
        }
    }

    fn primary(&mut self, colon: bool) -> Value {
        let Some(token) = self.peek() else {
            return Value::Opaque;
        };
        match &token.kind {
            Kind::Str { .. } => {
                let mut text = String::new();
                let mut known = true;
                while let Some(Token {
                    kind: Kind::Str { value, formatted },
                    line_start,
                    ..
                }) = self.peek()
                {
                    if *line_start && !text.is_empty() {
                        break;
                    }
                    text.push_str(value);
                    known &= !formatted;
                    self.position += 1;
                }
                if known {
                    Value::Str(text)
                } else {
                    Value::Opaque
                }
            }
            Kind::Name(name) => {
                self.position += 1;
                match name.as_str() {
                    "None" => Value::None,
                    "True" | "False" => Value::Opaque,
                    _ => Value::Name(name.clone()),
                }
            }
            Kind::Number => {
                self.position += 1;
                Value::Opaque
            }
            // Each bracket is one level of recursion here: past the bound, the group is skipped
            // whole (iteratively) and read as not a literal, instead of overflowing the stack.
            Kind::Op(op) if token.depth >= MAX_DEPTH && matches!(op.as_str(), "(" | "[" | "{") => {
                self.position += 1;
                self.skip_group();
                Value::Opaque
            }
            Kind::Op(op) => match op.as_str() {
                "[" => {
                    self.position += 1;
                    self.items("]").map_or(Value::Opaque, Value::List)
                }
                "(" => {
                    self.position += 1;
                    let (items, trailing_comma) = match self.items_with_comma(")") {
                        Some(parsed) => parsed,
                        None => return Value::Opaque,
                    };
                    match <[Value; 1]>::try_from(items) {
                        Ok([single]) if !trailing_comma => single,
                        Ok([single]) => Value::List(vec![single]),
                        Err(items) => Value::List(items),
                    }
                }
                "{" => {
                    self.position += 1;
                    self.braces()
                }
                _ => {
                    self.skip_rest(colon);
                    Value::Opaque
                }
            },
        }
    }

    /// Items up to `close` (consumed); `None` when they are not a plain display.
    fn items(&mut self, close: &str) -> Option<Vec<Value>> {
        self.items_with_comma(close).map(|(items, _)| items)
    }

    /// Items up to `close` (consumed), and whether the last one had a trailing comma.
    fn items_with_comma(&mut self, close: &str) -> Option<(Vec<Value>, bool)> {
        let mut items = Vec::new();
        let mut trailing_comma = false;
        loop {
            if self.at_op(close) {
                self.position += 1;
                return Some((items, trailing_comma));
            }
            self.peek()?;
            if self.at_op("*") || self.at_op("**") {
                self.skip_rest(false);
                items.push(Value::Opaque);
            } else {
                items.push(self.expression(false));
            }
            trailing_comma = false;
            if self.at_op(",") {
                self.position += 1;
                trailing_comma = true;
            } else if !self.at_op(close) {
                self.skip_group();
                return None;
            }
        }
    }

    /// After `{`: a dict or a set display.
    fn braces(&mut self) -> Value {
        if self.at_op("}") {
            self.position += 1;
            return Value::Dict(Vec::new());
        }
        let mut pairs = Vec::new();
        let mut set_items = Vec::new();
        loop {
            if self.at_op("**") {
                self.skip_group();
                return Value::Opaque;
            }
            let first = self.expression(true);
            if self.at_op(":") && set_items.is_empty() {
                self.position += 1;
                let value = self.expression(false);
                pairs.push((first, value));
            } else if pairs.is_empty() {
                set_items.push(first);
            } else {
                self.skip_group();
                return Value::Opaque;
            }
            if self.at_op(",") {
                self.position += 1;
                if self.at_op("}") {
                    self.position += 1;
                    break;
                }
            } else if self.at_op("}") {
                self.position += 1;
                break;
            } else {
                self.skip_group();
                return Value::Opaque;
            }
        }
        if pairs.is_empty() {
            Value::List(set_items)
        } else {
            Value::Dict(pairs)
        }
    }

    /// Skips to the end of the current expression (see [`Self::at_terminator`]), stepping over
    /// bracketed groups whole.
    fn skip_rest(&mut self, colon: bool) {
        while !self.at_terminator(colon) {
            let Some(token) = self.peek() else {
                return;
            };
            self.position += 1;
            if matches!(&token.kind, Kind::Op(op) if matches!(op.as_str(), "(" | "[" | "{")) {
                self.skip_group();
            }
        }
    }

    /// Skips past the bracket that closes the innermost open group.
    fn skip_group(&mut self) {
        let mut depth = 1usize;
        while let Some(token) = self.peek() {
            self.position += 1;
            if let Kind::Op(op) = &token.kind {
                match op.as_str() {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => {
                        depth -= 1;
                        if depth == 0 {
                            return;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
