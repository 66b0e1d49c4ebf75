//! Forms that work before the browser bundle arrives, or without JavaScript.
//!
//! On a clinic's weak signal a page's HTML arrives seconds before its wasm.
//! The evaluation sheet is therefore also a plain HTML form posted to its
//! own address: this handler applies the same service call as the server
//! function, then
//! - on success redirects (303) to the sheet's result view, so reloading it
//!   shows the result and signs nothing twice;
//! - on a refusal renders the same page again, with what was sent and the
//!   error next to its field (`SheetEcho`), answering the error's status.
//!
//! With the bundle present the form is submitted by the page's own code, as
//! before; this path is never taken.

use std::str::FromStr;

use app::api::signoffs::{SheetEcho, SignInput};
use app::auth::session::RequestAuth;
use app::domain::competency::Setting;
use app::domain::evaluation::StepMark;
use app::domain::ids::{ProgramId, UserId};
use app::domain::redirect::percent_encode;
use app::error::AppError;
use app::service::Caller;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;

use crate::AppState;

/// Form bodies of a sheet are a few kilobytes; comments are capped by the
/// service. (The input guard has already refused anything over its limit.)
const MAX_FORM: usize = 256 * 1024;

/// What a plain evaluation form carries, read from its fields: `step` (the
/// index of each ticked step), `comment_{i}` (one per step: a textarea is
/// always sent, so these also give the number of steps), `comment`,
/// `attest`, `setting`, `checklist_version` and `request_id`.
#[derive(Debug, Default, PartialEq)]
pub struct SheetForm {
    pub marks: Vec<StepMark>,
    pub comment: String,
    pub attested: bool,
    pub setting: Option<Setting>,
    pub checklist_version: String,
    pub request_id: Option<i64>,
    /// The "mark every step" button, pressed before the page's code arrived.
    pub mark_all: bool,
}

impl SheetForm {
    pub fn parse(body: &[u8]) -> SheetForm {
        let mut form = SheetForm::default();
        let mut ticked = Vec::new();
        let mut comments: Vec<(usize, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(body) {
            match name.as_ref() {
                "step" => ticked.extend(value.parse::<usize>().ok()),
                "comment" => form.comment = value.into_owned(),
                "attest" => form.attested = !value.is_empty(),
                "setting" => form.setting = Setting::parse(&value),
                "checklist_version" => form.checklist_version = value.into_owned(),
                "request_id" => form.request_id = value.parse().ok(),
                "intent" => form.mark_all = value == "mark-all",
                other => {
                    // A step's index beyond any real checklist is ignored
                    // rather than allowed to size the list.
                    if let Some(i) = other.strip_prefix("comment_").and_then(|i| i.parse::<usize>().ok())
                        && i < 1000
                    {
                        comments.push((i, value.into_owned()));
                    }
                }
            }
        }
        let steps = comments.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
        form.marks = (0..steps)
            .map(|i| StepMark { met: form.mark_all || ticked.contains(&i), comment: String::new() })
            .collect();
        for (i, text) in comments {
            if let Some(mark) = form.marks.get_mut(i) {
                mark.comment = text;
            }
        }
        form
    }
}

/// `POST /programs/{program}/students/{student}/evaluate/{code}`
pub async fn sign_evaluation(
    State(state): State<AppState>,
    Path((program, student, code)): Path<(String, String, String)>,
    req: Request<Body>,
) -> Response {
    let (Ok(program_id), Ok(student_id)) = (ProgramId::from_str(&program), UserId::from_str(&student)) else {
        return AppError::NotFound.into_response();
    };
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return AppError::BadRequest("That form is too large.".into()).into_response();
    };
    let form = SheetForm::parse(&bytes);
    let auth = parts.extensions.get::<RequestAuth>().cloned().unwrap_or_default();
    let caller = Caller::from_auth(&auth);
    // The sheet names one setting when only one is allowed; without one,
    // the service's own check answers (next to the setting field).
    let setting = form.setting.unwrap_or(Setting::Lab);
    let input = SignInput {
        program_id,
        student_id,
        code: code.clone(),
        setting,
        checklist_version: form.checklist_version.clone(),
        marks: form.marks.clone(),
        comment: form.comment.clone(),
        attested: form.attested,
        request_id: form.request_id,
    };
    let lab = parts.uri.query().is_some_and(|q| q.split('&').any(|kv| kv == "lab=1"));
    let outcome = if form.mark_all {
        // Nothing is signed: the sheet comes back with every step ticked.
        Err(None)
    } else {
        app::service::signoffs::sign_evaluation(&state.services, &caller, input).await.map_err(Some)
    };
    match outcome {
        Ok(result) => {
            let location = format!(
                "/programs/{program_id}/students/{student_id}/evaluate/{}?signed={}{}",
                percent_encode(&code),
                result.id,
                if lab { "&lab=1" } else { "" }
            );
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            response
        }
        Err(error) => {
            let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
            parts.extensions.insert(SheetEcho {
                marks: form.marks,
                comment: form.comment,
                attested: form.attested,
                setting: form.setting,
                error,
            });
            // The same page, rendered as for a GET, with what was sent.
            parts.method = Method::GET;
            let services = state.services.clone();
            let options = state.leptos_options.clone();
            let render = leptos_axum::render_app_async_with_context(
                move || provide_context(services.clone()),
                move || app::shell(options.clone()),
            );
            let mut response = render(Request::from_parts(parts, Body::empty())).await.into_response();
            *response.status_mut() = status;
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_sheet_form_reads_ticks_comments_and_attestation() {
        let body = b"step=0&step=2&comment_0=&comment_1=Missed+the+label&comment_2=&comment=Good&attest=on\
                     &setting=lab&checklist_version=abc&request_id=";
        let form = SheetForm::parse(body);
        assert_eq!(form.marks.iter().map(|m| m.met).collect::<Vec<_>>(), vec![true, false, true]);
        assert_eq!(form.marks[1].comment, "Missed the label");
        assert_eq!((form.comment.as_str(), form.attested, form.setting), ("Good", true, Some(Setting::Lab)));
        assert_eq!((form.checklist_version.as_str(), form.request_id), ("abc", None));
        assert!(!form.mark_all);
        let all = SheetForm::parse(b"intent=mark-all&step=1&comment_0=&comment_1=&comment_2=");
        assert!(all.mark_all && all.marks.iter().all(|m| m.met));
    }

    #[test]
    fn junk_in_a_sheet_form_is_ignored_not_trusted() {
        let form = SheetForm::parse(b"step=x&step=99&comment_5000=a&comment_1=b&setting=moon&attest=");
        assert_eq!(form.marks.len(), 2, "steps come from the comment fields, capped");
        assert!(form.marks.iter().all(|m| !m.met), "a tick for a step that is not on the sheet counts for nothing");
        assert_eq!((form.attested, form.setting), (false, None));
    }
}
