//! pinwheel: a native replacement for `pip-compile`.
//!
//! Data flows one way: [`inputs`] reads `.in` files into a manifest, [`target`] describes the
//! Python and platform being locked for, the [`resolver`] runs PubGrub and asks its `Source` for
//! project pages and metadata, which [`registry`] provides from the [`index`] client (through the
//! [`cache`]), and [`writers`] turn the resolution into a requirements file. [`lockcheck`] reads a
//! lock back ([`lockfile`]) and checks it against targets; [`download`] fetches the file of each
//! pin for the target. [`cli`] is the only
//! module that prints. See ARCHITECTURE.md for the code map and the invariants.

pub mod types;

pub mod attest;

pub mod cache;
pub mod git;
pub mod index;
pub mod inputs;
pub mod lockfile;
pub mod metadata;
pub mod remote;
pub mod target;

pub mod registry;
pub mod resolver;
pub mod writers;

pub mod build;
pub mod download;
pub mod lockcheck;

pub mod cli;

#[doc(hidden)]
pub mod fuzzing;

#[cfg(test)]
mod fuzz_props;

#[cfg(test)]
mod architecture_tests;
