//! Domain types and rules: pure, no I/O, unit-tested. Shared by the server
//! and the browser bundle.

pub mod access;
pub mod checklist;
pub mod module;
pub mod quiz;
pub mod status;
