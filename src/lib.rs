//! pinwheel: a native replacement for `pip-compile`.
//!
//! Data flows one way: [`inputs`] reads `.in` files into a manifest, [`target`] describes the
//! Python and platform being locked for, the resolver asks the index (through the cache) for
//! project pages and metadata, and the writer turns the resolution into a requirements file.
//! See ARCHITECTURE.md for the code map and the invariants.

pub mod types;
pub mod inputs;
