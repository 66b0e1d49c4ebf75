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
//!
//! Every other form is a Leptos `ActionForm`, which without script posts to
//! its server function; Leptos then redirects back to the page on success.
//! A refusal would otherwise show the browser the bare error:
//! [`show_refused_form`] renders the page the form was on again, with what
//! was sent (passwords left out) and the error (`FormEcho`), answering the
//! error's status.

use std::str::FromStr;

use app::api::signoffs::{SheetEcho, SignInput};
use app::auth::session::RequestAuth;
use app::components::form::FormEcho;
use app::domain::competency::Setting;
use app::domain::evaluation::StepMark;
use app::domain::ids::{ProgramId, UserId};
use app::domain::redirect::percent_encode;
use app::error::AppError;
use app::service::Caller;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
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
            let mut response = render_page(&state, Request::from_parts(parts, Body::empty())).await;
            *response.status_mut() = status;
            response
        }
    }
}

/// A form post from a page without script: the browser asks for HTML and
/// sends the form encoding (a server function called by the page's code asks
/// for its own encoding).
fn is_plain_form_post(req: &Request<Body>) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header(header::ACCEPT).contains("text/html")
        && header(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
}

/// The page a plain form was posted from: the `Referer`'s path and query,
/// if it is on this site.
fn page_posted_from(req: &Request<Body>, origin: &str) -> Option<axum::http::Uri> {
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let rest = referer.strip_prefix(origin)?;
    if !rest.starts_with('/') || rest.starts_with("//") {
        return None;
    }
    rest.parse().ok()
}

/// The cookie that carries a refused plain post to the page it came from.
const ECHO_COOKIE: &str = "checkoff_echo";
/// Browsers keep cookies up to about 4 KB; a longer echo is shown in place.
const MAX_ECHO_COOKIE: usize = 3800;

/// A refused post on its way back to its page.
#[derive(serde::Serialize, serde::Deserialize)]
struct EchoCookie {
    page: String,
    echo: FormEcho,
}

/// The page a plain form names (`__page`, see `EchoScope`) or, failing
/// that, the one the browser says it came from; on this site only, and
/// never a server function's address.
fn page_of_form(sent: &[u8], referer: Option<axum::http::Uri>) -> Option<axum::http::Uri> {
    let named = form_urlencoded::parse(sent)
        .find(|(name, _)| name == "__page")
        .map(|(_, page)| page.into_owned())
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .and_then(|p| p.parse::<axum::http::Uri>().ok());
    named.or(referer).filter(|uri| !uri.path().starts_with("/api/"))
}

/// Middleware: a plain form post that its server function refused goes back
/// to the page it came from (303, the echo in a short-lived cookie), which
/// is rendered with a `FormEcho`; a success goes where the server function
/// sends it, or back to that page. Requests with scripts are untouched.
pub async fn show_refused_form(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    if req.method() == Method::GET {
        return with_echo(&state, req, next).await;
    }
    if !is_plain_form_post(&req) {
        return next.run(req).await;
    }
    let referer = page_posted_from(&req, &state.site.origin);
    let (parts, body) = req.into_parts();
    let Ok(sent) = axum::body::to_bytes(body, MAX_FORM).await else {
        return AppError::BadRequest("That form is too large.".into()).into_response();
    };
    let Some(page) = page_of_form(&sent, referer) else {
        return next.run(Request::from_parts(parts, Body::from(sent))).await;
    };
    let action = parts.uri.path().to_string();
    let mut again = parts.clone();
    let response = next.run(Request::from_parts(parts, Body::from(sent.clone()))).await;
    let (mut answer, body) = response.into_parts();
    if !answer.status.is_client_error() {
        // Leptos sends a plain post back where the browser says it came from;
        // after a refused post that is the server function, not the page.
        if answer.status.is_redirection()
            && answer.headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).is_some_and(|l| l.contains("/api/"))
            && let Ok(v) = HeaderValue::from_str(&page.to_string())
        {
            answer.headers.insert(header::LOCATION, v);
            answer.status = StatusCode::SEE_OTHER;
        }
        return Response::from_parts(answer, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return AppError::Internal.into_response();
    };
    // Only a server function's own refusal is shown on the page; anything
    // else (a refused cross-site post, a body over the limit) goes as it is.
    let Ok(error) = serde_json::from_slice::<AppError>(&bytes) else {
        return Response::from_parts(answer, Body::from(bytes));
    };
    let fields = form_urlencoded::parse(&sent)
        // Secrets never travel back: passwords, and one-time link tokens
        // (the cookie would keep them for two minutes).
        .filter(|(name, _)| !name.contains("password") && !name.contains("token") && name != "__page")
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    let echo = FormEcho { action, fields, error };
    let cookie = serde_json::to_string(&EchoCookie { page: page.to_string(), echo: echo.clone() })
        .map(|json| percent_encoding::utf8_percent_encode(&json, percent_encoding::NON_ALPHANUMERIC).to_string())
        .ok()
        .filter(|c| c.len() <= MAX_ECHO_COOKIE);
    if let Some(cookie) = cookie {
        let secure = if state.site.https { "; Secure" } else { "" };
        let mut back = StatusCode::SEE_OTHER.into_response();
        if let (Ok(location), Ok(cookie)) = (
            HeaderValue::from_str(&page.to_string()),
            HeaderValue::from_str(&format!(
                "{ECHO_COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age=120{secure}"
            )),
        ) {
            back.headers_mut().insert(header::LOCATION, location);
            back.headers_mut().insert(header::SET_COOKIE, cookie);
            return back;
        }
    }
    // Too long for a cookie: the page is shown at the server function's
    // address (it works; with scripts it is not hydrated).
    again.method = Method::GET;
    again.uri = page;
    again.headers.remove(header::CONTENT_TYPE);
    again.headers.remove(header::CONTENT_LENGTH);
    again.extensions.insert(echo);
    let mut shown = render_page(&state, Request::from_parts(again, Body::empty())).await;
    *shown.status_mut() = answer.status;
    shown
}

/// A GET carrying an echo cookie for this very page is rendered with it,
/// once: the cookie is cleared in the answer. (The page answers 200: it is
/// shown as asked; the refused post was answered 303.)
async fn with_echo(state: &AppState, mut req: Request<Body>, next: Next) -> Response {
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(ECHO_COOKIE).and_then(|rest| rest.strip_prefix('=')).map(str::to_string));
    let Some(cookie) = cookie else {
        return next.run(req).await;
    };
    let here = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let echo = percent_encoding::percent_decode_str(&cookie)
        .decode_utf8()
        .ok()
        .and_then(|json| serde_json::from_str::<EchoCookie>(&json).ok())
        .filter(|c| c.page == here);
    let Some(echo) = echo else {
        // For another page (the user went elsewhere): leave it to expire.
        return next.run(req).await;
    };
    req.extensions_mut().insert(echo.echo);
    let mut response = next.run(req).await;
    let secure = if state.site.https { "; Secure" } else { "" };
    if let Ok(v) = HeaderValue::from_str(&format!("{ECHO_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"))
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// A page, rendered as for a GET of `req`'s address.
async fn render_page(state: &AppState, req: Request<Body>) -> Response {
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || provide_context(services.clone()),
        move || app::shell(options.clone()),
    );
    render(req).await.into_response()
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
