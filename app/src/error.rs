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

    /// Refuses a line break or control character in a one-line field (a
    /// name, an address), next to the field (`domain::text`).
    pub fn one_line(field: &str, value: &str) -> Result<(), AppError> {
        crate::domain::text::check(value, crate::domain::text::TextKind::SingleLine)
            .map_err(|e| AppError::field(field, e.to_string()))
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

    /// In the browser: the call failed on its way (network, an answer that
    /// did not decode). On the server: the request itself was wrong (a
    /// missing or malformed argument: 400, with a sentence, never the
    /// deserializer's detail), or something failed around our code (500).
    /// The detail is logged without the request's text.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            let kind = match &value {
                // On the server, decoding can only fail on the request's
                // arguments (results are decoded in the browser).
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                    tracing::info!("server function called with missing or malformed arguments");
                    return AppError::BadRequest(
                        "The request is missing a value, or a value is not in the expected form.".into(),
                    );
                }
                ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                    return AppError::BadRequest("This address does not take that kind of request.".into());
                }
                ServerFnErrorErr::Registration(_) => return AppError::NotFound,
                ServerFnErrorErr::Request(_) => "request",
                ServerFnErrorErr::ServerError(_) => "server error",
                ServerFnErrorErr::MiddlewareError(_) => "middleware",
                ServerFnErrorErr::Serialization(_) => "serialization",
                ServerFnErrorErr::Response(_) => "response",
            };
            tracing::error!(kind, "server function failed outside its body");
            AppError::Internal
        }
        #[cfg(not(feature = "ssr"))]
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
impl From<crate::csv_export::CsvError> for AppError {
    fn from(err: crate::csv_export::CsvError) -> Self {
        tracing::error!(error = %err, "CSV export failed");
        AppError::Internal
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
