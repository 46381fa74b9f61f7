//! Output writers: a [`Resolution`](crate::resolver::Resolution) and options in, text out.
//!
//! Writers do no IO and read no settings: the CLI decides where the text goes (atomically).

mod json;
mod requirements_txt;

pub use json::{JsonContext, write_json};
pub use requirements_txt::{AnnotationStyle, Header, WriteOptions, is_git, write_requirements_txt};
