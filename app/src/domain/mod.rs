//! Domain types and rules: pure, no I/O, unit-tested. Shared by the server
//! and the browser bundle.

pub mod access;
pub mod checklist;
#[cfg(feature = "ssr")]
pub mod checkpoint;
pub mod cohort;
pub mod competency;
pub mod edition;
pub mod evaluation;
pub mod externship;
pub mod hours;
pub mod ids;
pub mod membership;
pub mod module;
pub mod program;
pub mod quiz;
pub mod reason;
pub mod redirect;
#[cfg(feature = "ssr")]
pub mod roster;
#[cfg(feature = "ssr")]
pub mod signoff_chain;
pub mod status;
pub mod text;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod totp;
