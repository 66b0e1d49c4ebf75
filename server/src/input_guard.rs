//! The one place every request's text is checked before any handler, page
//! or server function sees it:
//!
//! - a body larger than [`MAX_BODY_BYTES`] answers 413, with a sentence, not
//!   a 500 from deep inside a server function;
//! - the path and query may hold no control character at all, and a body
//!   (form fields, JSON strings, anything else) none but newline, carriage
//!   return and tab (`app::domain::text`). PostgreSQL refuses NUL in text and
//!   SQLite stores it; refusing it here gives both engines one rule, and no
//!   handler can forget it. Which fields may span lines is the domain's
//!   business (`TextKind`), checked where each field is validated.
//!
//! Refusals answer 4xx with a plain message: JSON (`AppError`) under
//! `/api/`, where the browser's server-function client reads it, and plain
//! text elsewhere.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::domain::text::is_forbidden_control;
use app::error::AppError;

/// Largest request body accepted: a 2,000-student roster or a whole
/// competency framework as CSV is a few hundred kilobytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How long a request body may take to arrive once its headers have: a phone
/// on a weak signal sends a form in well under a second; a client that
/// stalls holds a task and a connection until this ends it.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy)]
pub struct InputLimits {
    pub max_body: usize,
    pub body_read: Duration,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits { max_body: MAX_BODY_BYTES, body_read: BODY_READ_TIMEOUT }
    }
}

pub async fn check_input(State(limits): State<InputLimits>, req: Request<Body>, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    if let Some(problem) = url_problem(req.uri()) {
        return refuse(api, StatusCode::BAD_REQUEST, problem);
    }
    if !has_body(&req) {
        return next.run(req).await;
    }
    let too_large = || refuse(api, StatusCode::PAYLOAD_TOO_LARGE, "The request is too large (at most 1 MB).");
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let read = tokio::time::timeout(limits.body_read, axum::body::to_bytes(body, limits.max_body)).await;
    let Ok(read) = read else {
        let mut response =
            refuse(api, StatusCode::REQUEST_TIMEOUT, "The request took too long to arrive. Please try again.");
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    };
    let bytes = match read {
        Ok(b) => b,
        Err(e) => {
            // Over the limit, or the client stopped sending (a read timeout).
            if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) {
                return too_large();
            }
            return refuse(api, StatusCode::BAD_REQUEST, "The request body could not be read.");
        }
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if let Some(problem) = body_problem(content_type, &bytes) {
        return refuse(api, StatusCode::BAD_REQUEST, problem);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn has_body(req: &Request<Body>) -> bool {
    !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS)
}

const CONTROL_IN_URL: &str = "The address holds a control character. Check the link was copied whole.";
const CONTROL_IN_TEXT: &str = "The text holds a control character (such as NUL). Remove it and try again.";
const NOT_UTF8: &str = "The text is not valid UTF-8.";

/// A problem with the decoded path or query, if any.
fn url_problem(uri: &axum::http::Uri) -> Option<&'static str> {
    let decoded = percent_encoding::percent_decode_str(uri.path()).decode_utf8().ok()?;
    if decoded.chars().any(char::is_control) {
        return Some(CONTROL_IN_URL);
    }
    let query = uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
        .then_some(CONTROL_IN_URL)
}

/// A problem with the body's text, if any. Bodies that are not valid for
/// their type are left to the handler, which answers 400 itself.
fn body_problem(content_type: &str, bytes: &Bytes) -> Option<&'static str> {
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let bad = |s: &str| s.chars().any(is_forbidden_control);
    match mime.as_str() {
        "application/x-www-form-urlencoded" => {
            let decoded: Vec<u8> = percent_encoding::percent_decode(bytes).collect();
            if std::str::from_utf8(&decoded).is_err() {
                return Some(NOT_UTF8);
            }
            form_urlencoded::parse(bytes).any(|(k, v)| bad(&k) || bad(&v)).then_some(CONTROL_IN_TEXT)
        }
        "application/json" => {
            let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
            json_has_control(&value).then_some(CONTROL_IN_TEXT)
        }
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => bad(text).then_some(CONTROL_IN_TEXT),
            // Binary bodies are not ours to judge; no route takes one today.
            Err(_) => None,
        },
    }
}

fn json_has_control(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.chars().any(is_forbidden_control),
        Value::Array(items) => items.iter().any(json_has_control),
        Value::Object(map) => map.iter().any(|(k, v)| k.chars().any(is_forbidden_control) || json_has_control(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn refuse(api: bool, status: StatusCode, message: &str) -> Response {
    if api {
        let body = serde_json::to_string(&AppError::BadRequest(message.to_string()))
            .unwrap_or_else(|_| "\"BadRequest\"".to_string());
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    } else {
        (status, message.to_string()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_controls_are_refused() {
        let uri = |s: &str| s.parse::<axum::http::Uri>().unwrap();
        assert_eq!(url_problem(&uri("/programs/1/students/2")), None);
        assert_eq!(url_problem(&uri("/modules?q=caf%C3%A9+au+lait")), None);
        assert_eq!(url_problem(&uri("/programs/1/students/2/competencies/I.P.1%00")), Some(CONTROL_IN_URL));
        assert_eq!(url_problem(&uri("/sign-in?next=/%09/evil.example")), Some(CONTROL_IN_URL));
        assert_eq!(url_problem(&uri("/api/lab-session?program_id=1&code=%0A")), Some(CONTROL_IN_URL));
    }

    #[test]
    fn bodies_may_hold_line_breaks_but_no_other_control() {
        let form = "application/x-www-form-urlencoded";
        let ok = Bytes::from_static(b"reason=line+one%0D%0Aline%09two&x=1");
        assert_eq!(body_problem(form, &ok), None);
        assert_eq!(body_problem(form, &Bytes::from_static(b"name=a%00b")), Some(CONTROL_IN_TEXT));
        assert_eq!(body_problem(form, &Bytes::from_static(b"name=a%1Bb")), Some(CONTROL_IN_TEXT));
        assert_eq!(body_problem(form, &Bytes::from_static(b"name=%FF")), Some(NOT_UTF8));
        let json = "application/json; charset=utf-8";
        assert_eq!(body_problem(json, &Bytes::from_static(br#"{"a":["x\ny"]}"#)), None);
        assert_eq!(body_problem(json, &Bytes::from_static(br#"{"a":["x\u0000y"]}"#)), Some(CONTROL_IN_TEXT));
        assert_eq!(body_problem(json, &Bytes::from_static(br#"{"a\u0007":1}"#)), Some(CONTROL_IN_TEXT));
        assert_eq!(body_problem(json, &Bytes::from_static(b"not json")), None);
        assert_eq!(body_problem("text/csv", &Bytes::from_static(b"a,b\r\n\x00")), Some(CONTROL_IN_TEXT));
    }
}
