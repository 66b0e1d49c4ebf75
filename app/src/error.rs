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
    /// A form value is wrong: the message is shown next to the input named
    /// `field`, and the form keeps everything typed.
    #[error("{message}")]
    Field { field: String, message: String },
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("The service is busy or unavailable. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on our side. It has been logged.")]
    Internal,
    /// The request never reached our code, or its answer never reached the
    /// browser (network loss at a clinic, a malformed request).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Field { field: field.to_string(), message: message.into() }
    }

    /// The message for one form input, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Field { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }

    /// The HTTP status that says the same as this error: one mapping for
    /// pages, server functions and downloads.
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) | AppError::Field { .. } => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// True for errors that belong next to an input rather than above the form.
    pub fn is_field(&self) -> bool {
        matches!(self, AppError::Field { .. })
    }
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
            StorageError::Conflict(detail) => {
                tracing::info!(%detail, "uniqueness conflict");
                AppError::BadRequest("That already exists.".into())
            }
            other => {
                tracing::error!(error = %other, "storage error");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::auth::flows::AuthError> for AppError {
    fn from(err: crate::auth::flows::AuthError) -> Self {
        use crate::auth::flows::AuthError as E;
        match err {
            E::Throttled { retry_after_secs } => AppError::TooManyAttempts { retry_after_secs },
            E::Field { field, message } => AppError::field(field, message),
            E::InvalidCredentials => AppError::field("password", err.to_string()),
            E::InvalidCode => AppError::field("code", err.to_string()),
            E::NotSignedIn => AppError::Unauthenticated,
            E::LinkUsed | E::LinkExpired | E::LinkUnknown => AppError::BadRequest(err.to_string()),
            E::Storage(e) => e.into(),
            E::Crypto(e) => {
                tracing::error!(error = %e, "crypto failure");
                AppError::Internal
            }
            E::Mail(e) => {
                tracing::error!(error = %e, "mail failure");
                AppError::Unavailable
            }
        }
    }
}
