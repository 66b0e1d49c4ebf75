#![recursion_limit = "256"]
//! Checkoff's application crate.
//!
//! Where things live (one home per concern):
//! - [`domain`]: pure types and rules, no I/O, unit-tested. Compiled for both
//!   the server and the browser.
//! - [`storage`] (server only): sqlx, one module per aggregate, running the same
//!   SQL on SQLite and PostgreSQL.
//! - [`auth`] (server only): who someone is: passwords, sessions, one-time
//!   links, two-step sign-in, mail. Who may do what is `domain::access`.
//! - [`service`] (server only): one module per area; authorize, apply the
//!   domain's rules, store. Everything that acts on records comes through it.
//! - [`api`]: Leptos server functions and the types they carry: adapters that
//!   read the request and call [`service`].
//! - [`pages`] and [`components`]: views only.
//! - [`error`]: error types and the one place they are mapped to what users see.

pub mod api;
pub mod app;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod components;
#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod csv_export;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod storage;

pub use app::{App, shell};

/// Entry point of the browser bundle: attaches the reactive system to the
/// server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
