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

/// A download or a route outside Leptos answers with the status and the
/// sentence of its error, as plain text.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let mut response = (self.status(), self.to_string()).into_response();
        // A refusal or a failure must not be kept by a proxy or the browser.
        response
            .headers_mut()
            .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
        response
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Encodes the error for the browser and, on the server, gives the
    /// response the status the error means (400 for a bad form value, 401,
    /// 403, 404, 429, 503), so that logs, monitoring and clients see a
    /// user's mistake as one and not as a crash. Server functions otherwise
    /// answer every error with 500.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(self.status());
        }
        // Encoding a plain enum of strings does not fail; should it, the
        // browser still gets an error it can read.
        <JsonEncoding as leptos::server_fn::Encodes<AppError>>::encode(self)
            .unwrap_or_else(|_| leptos::server_fn::Bytes::from_static(b"\"Internal\""))
    }

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
            StorageError::Unique(rule) => {
                tracing::info!(?rule, "a uniqueness rule refused a write");
                unique_rule_error(rule)
            }
            StorageError::Conflict(detail) => {
                tracing::info!(%detail, "a write conflicts with stored records");
                AppError::BadRequest("That conflicts with what is already recorded.".into())
            }
            other => {
                tracing::error!(error = %other, "storage error");
                AppError::Internal
            }
        }
    }
}

/// What a broken uniqueness rule means to the person who wrote: next to the
/// field they can change, or a sentence when the write was a repeat.
#[cfg(feature = "ssr")]
fn unique_rule_error(rule: crate::storage::Unique) -> AppError {
    use crate::storage::Unique;
    match rule {
        Unique::UserEmail => AppError::field("email", "An account with this e-mail address exists already."),
        Unique::ProgramName => AppError::field("name", "A program with this name exists already."),
        Unique::CohortName => AppError::field("cohort", "This program has a cohort with this name already."),
        Unique::SiteName => AppError::field("name", "The program already has a site by this name."),
        Unique::StudentNumber => {
            AppError::field("student_number", "Another student of this program has this student id.")
        }
        Unique::SignoffVoidedOnce => AppError::BadRequest("That record is already voided.".into()),
        Unique::HoursCorrectedOnce => AppError::BadRequest("Those hours have already been corrected.".into()),
        Unique::EvaluationOnce => AppError::BadRequest("You have already submitted this evaluation.".into()),
        Unique::EditionSource => AppError::BadRequest("This file has been imported already.".into()),
        Unique::QuizAttemptNumber => AppError::BadRequest(
            "This attempt was already submitted (perhaps in another tab). Reload the page for your next attempt."
                .into(),
        ),
        // Chain positions and secrets are chosen by the server: a clash is a
        // race the caller can retry, not a mistake of theirs.
        Unique::SignoffSeq | Unique::OfferToken => AppError::Unavailable,
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
