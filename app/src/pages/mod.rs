//! Pages: one module per route. Views only; data comes from `crate::api`.

pub mod account;
pub mod admin;
pub mod competencies;
pub mod editions;
pub mod externship;
pub mod home;
pub mod join;
pub mod module;
pub mod modules;
pub mod not_found;
pub mod people;
pub mod reports;
pub mod sign_in;
pub mod student;
