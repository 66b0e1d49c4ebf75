//! Error types, and the one place they are mapped to what a user sees.
//!
//! Server code returns precise errors ([`crate::storage::StorageError`], domain
//! errors); at the server-function boundary they become an [`AppError`], whose
//! `Display` is the sentence shown to the user. Details that could leak
//! internals (SQL, file paths) are logged on the server, never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You do not have access to this.")]
    Forbidden,
    #[error("We could not find that.")]
    NotFound,
    /// A request the user (or a tampered client) got wrong; the text says how.
    #[error("{0}")]
    BadRequest(String),
    #[error("The service is busy or unavailable. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on our side. It has been logged.")]
    Internal,
    /// The request never reached our code, or its answer never reached the
    /// browser (network loss at a clinic, a malformed request).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<crate::storage::StorageError> for AppError {
    fn from(err: crate::storage::StorageError) -> Self {
        use crate::storage::StorageError;
        match err {
            StorageError::Unavailable(_) | StorageError::Timeout(_) => {
                tracing::warn!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            StorageError::NotFound => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "storage error");
                AppError::Internal
            }
        }
    }
}
