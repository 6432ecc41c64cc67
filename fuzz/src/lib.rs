//! The checks behind the fuzz targets, shared with the crate's corpus replay test.

pub mod differential;
pub mod roundtrip;
pub mod webhook;
