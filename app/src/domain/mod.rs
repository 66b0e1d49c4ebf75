//! Domain types and rules: pure, no I/O, unit-tested. Shared by the server
//! and the browser bundle.

pub mod access;
pub mod checklist;
pub mod module;
pub mod quiz;
#[cfg(feature = "ssr")]
pub mod roster;
pub mod status;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod totp;
