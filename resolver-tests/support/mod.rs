//! A hermetic Python package index for pinwheel's integration tests.
//!
//! Test authors describe releases with `TestPackage`, pick server behaviour with
//! `ServerOptions`, and call `TestIndex::start`: real wheels and sdists are built in memory and
//! served on 127.0.0.1 over PEP 691 JSON or PEP 503 HTML. This module tree is compiled into the
//! integration-test target only; it must not depend on pinwheel itself, so that the tests judge
//! pinwheel against an independent implementation of the index protocols.

// Each test binary uses only part of the support API and of its re-exports.
#![allow(dead_code, unused_imports)]

pub mod bounded;
pub mod catalog;
pub mod dist_builder;
pub mod index_server;
pub mod model;
pub mod pages;
pub mod ranges;
pub mod requirements;
pub mod setuptools_stub;
pub mod skips;
pub mod tls;

pub use index_server::TestIndex;
pub use model::{
    Fault, HashMode, MetadataMode, PageFormat, RangeMode, SdistKind, ServerOptions, TestFile,
    TestPackage, Validators,
};
pub use setuptools_stub::stub_setuptools;
pub use tls::{ClientAuth, TestPki};
