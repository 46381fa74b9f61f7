//! Inputs for the properties: random bytes, a soup of the tokens the parsers care about, and
//! realistic seed files mutated by bit flips, truncations, insertions, duplications and
//! deletions (what a fuzzer does, scaled down to a fixed number of cases).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::Input;

/// Pieces that are meaningful to one parser or another: brackets, quotes, separators, line
/// ends, option and header prefixes, markup, escapes, odd Unicode and bytes that are not UTF-8.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "<",
    ">",
    "\"",
    "'",
    "\"\"\"",
    "\\",
    "\\\n",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    ";",
    ":",
    ",",
    "@",
    "=",
    "==",
    "~=",
    ">=",
    "!=",
    "===",
    "*",
    "#",
    "# ",
    "--hash=",
    "sha256:",
    "-r ",
    "-c ",
    "-e ",
    "--index-url ",
    "-i",
    "-",
    ".",
    "..",
    "/",
    "file://",
    "https://",
    "git+",
    "#egg=",
    "extra == ",
    "python_version",
    " and ",
    " or ",
    "not",
    "in",
    "${A}",
    "%",
    "%%",
    "Requires-Dist: ",
    "Name: ",
    "Version: ",
    "Metadata-Version: 2.4\n",
    "Dynamic: ",
    "\n\n",
    "<a href=\"",
    "</a>",
    "<base href=\"",
    "&amp;",
    "&#",
    "<!--",
    "-->",
    "data-requires-python=\"",
    "data-dist-info-metadata=\"",
    "{\"files\":[",
    "\"url\":",
    "null",
    "true",
    "1e999",
    "-0",
    "[[packages]]",
    "[project]",
    "dependencies = [",
    "version = ",
    "lock-version = \"1.0\"",
    "setup(",
    "install_requires=",
    "**",
    "+",
    "import ",
    "from ",
    "lambda",
    "\u{0}",
    "\u{feff}",
    "\u{2028}",
    "\u{10ffff}",
    "é",
    "İ",
    "ß",
    "demo",
    "1.0",
    "a",
    "-py3-none-any.whl",
    ".tar.gz",
    ".zip",
    "PK\u{3}\u{4}",
    "PK\u{1}\u{2}",
    "PK\u{5}\u{6}",
];

/// An edit of a seed input; positions are picked relative to the input's length.
#[derive(Clone, Debug)]
enum Edit {
    FlipBit(Index, u8),
    SetByte(Index, u8),
    Truncate(Index),
    Insert(Index, Vec<u8>),
    Duplicate { from: Index, len: usize, to: Index },
    Delete(Index, usize),
}

fn insertion() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        select(TOKENS).prop_map(|token| token.as_bytes().to_vec()),
        vec(any::<u8>(), 1..6),
        // A long run of one token: deep nesting, long names, many lines.
        (select(TOKENS), 16..400usize).prop_map(|(token, times)| token.repeat(times).into_bytes()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), 0..8u8).prop_map(|(at, bit)| Edit::FlipBit(at, bit)),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Edit::SetByte(at, byte)),
        1 => any::<Index>().prop_map(Edit::Truncate),
        4 => (any::<Index>(), insertion()).prop_map(|(at, bytes)| Edit::Insert(at, bytes)),
        1 => (any::<Index>(), 1..64usize, any::<Index>())
            .prop_map(|(from, len, to)| Edit::Duplicate { from, len, to }),
        2 => (any::<Index>(), 1..32usize).prop_map(|(at, len)| Edit::Delete(at, len)),
    ]
}

/// A position in `0..=len`.
fn position(at: &Index, len: usize) -> usize {
    at.index(len + 1)
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = data.len();
        match edit {
            Edit::FlipBit(at, bit) if len > 0 => data[at.index(len)] ^= 1 << bit,
            Edit::SetByte(at, byte) if len > 0 => data[at.index(len)] = *byte,
            Edit::FlipBit(..) | Edit::SetByte(..) => {}
            Edit::Truncate(at) => data.truncate(position(at, len)),
            Edit::Insert(at, bytes) => {
                let at = position(at, len);
                data.splice(at..at, bytes.iter().copied());
            }
            Edit::Duplicate {
                from,
                len: count,
                to,
            } => {
                let start = position(from, len);
                let end = (start + count).min(len);
                let copy = data[start..end].to_vec();
                let to = position(to, len);
                data.splice(to..to, copy);
            }
            Edit::Delete(at, count) => {
                let start = position(at, len);
                let end = (start + count).min(len);
                data.drain(start..end);
            }
        }
    }
    data
}

/// Tokens joined at random: structured enough to get past the first checks of a parser.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    vec(select(TOKENS), 0..96).prop_map(|tokens| tokens.concat().into_bytes())
}

/// Mutations of one of `seeds`.
pub(super) fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (select(seeds), vec(edit(), 0..10)).prop_map(|(seed, edits)| apply(seed, &edits))
}

/// Mostly mutated seeds, some token soup and some random bytes.
pub(super) fn input(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Input> {
    prop_oneof![
        6 => mutated(seeds),
        2 => soup(),
        1 => vec(any::<u8>(), 0..512),
    ]
    .prop_map(Input)
}
