//! Output writers: a [`Resolution`](crate::resolver::Resolution) and options in, text out.
//!
//! Writers do no IO and read no settings: the CLI decides where the text goes (atomically).

mod json;
mod pylock;
mod requirements_txt;

pub use json::{JsonContext, ShadowedName, write_json};
pub use pylock::{PylockOptions, is_pylock_path, keep_target_files, write_pylock};
pub use requirements_txt::{
    AnnotationStyle, FORK_PREFIX, Header, WriteOptions, is_git, write_requirements_txt,
};
