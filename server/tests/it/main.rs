//! The integration tests, as one test binary (one link of the app and
//! Leptos instead of one per file: faster CI, a smaller `target/`). One
//! module per area; storage-backed tests run on SQLite and PostgreSQL
//! through `both_engines!` (see `common`).
//!
//! Run one area with `cargo test -p server --test it policy::`.
#![allow(clippy::unwrap_used)] // a test: a panic is a failed test

#[macro_use]
mod common;

mod accounts;
mod editions;
mod externship;
mod http;
mod modules;
mod pages;
mod policy;
mod progress;
mod security;
mod seed;
mod signoffs;
mod storage;
