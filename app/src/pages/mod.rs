//! Pages: one module per route. Views only; data comes from `crate::api`.

pub mod home;
pub mod not_found;
