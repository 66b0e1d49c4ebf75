//! Pages: one module per route. Views only; data comes from `crate::api`.

pub mod home;
pub mod module;
pub mod modules;
pub mod not_found;
