//! Accounts on the server: passwords, secrets, sessions, mail and the
//! sign-in flows. Who may do what is decided in `crate::domain::access`; this
//! module only establishes who someone is.

pub mod crypto;
pub mod flows;
pub mod mail;
pub mod session;

pub use session::{AuthSettings, RequestAuth, SignedIn};
