//! Metadata builds: the fallback for a source tree (an sdist, a git checkout, a local project)
//! whose metadata cannot be read statically. It sits above the resolver and the index, as
//! `registry` does, because a build resolves and fetches its build requirements and runs
//! Python, which neither `metadata` nor `inputs` may do.

pub mod hooks;
pub mod install;
pub mod interpreter;
pub mod unpack;
