//! Downloads that are not pages: a student's Master Competency Checklist as
//! CSV (what a site surveyor asks for) and the competency framework as CSV
//! (the import format). Access is decided by the same policy as the pages.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use app::auth::RequestAuth;
use app::content::Catalog;
use app::csv_export::CsvError;
use app::domain::access::{Action, Decision, ProgramId, UserId, decide};
use app::error::AppError;
use app::service::{Caller, Context, reports, signoffs};
use app::storage::Db;

fn csv_response(filename: &str, body: Result<String, CsvError>, private: bool) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => return refusal(AppError::from(e)),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn refusal(error: AppError) -> Response {
    error.into_response()
}

/// Asks the policy, as every server function does; a refusal is the
/// response to send (and is logged with what was asked for).
fn authorize(who: Option<&app::domain::access::Principal>, action: &Action, what: &str) -> Result<(), AppError> {
    match decide(who, action) {
        Decision::Allow => Ok(()),
        Decision::NeedsSignIn => Err(AppError::Unauthenticated),
        Decision::Deny(reason) => {
            tracing::warn!(reason, ?action, what, "access denied");
            Err(AppError::Forbidden)
        }
    }
}

/// `/programs/{program}/students/{student}/checklist.csv`
pub async fn master_checklist_csv(
    State(ctx): State<Context>,
    Extension(auth): Extension<RequestAuth>,
    Path((program, student)): Path<(ProgramId, UserId)>,
) -> Response {
    let caller = Caller::from_auth(&auth);
    match signoffs::record(&ctx, &caller, program, student).await {
        Ok(record) => {
            let slug: String = record
                .student_name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
                .collect();
            csv_response(&format!("master-competency-checklist-{slug}.csv"), signoffs::record_csv(&record), true)
        }
        Err(e) => e.into_response(),
    }
}

/// `/competencies.csv`: the framework in the import format (public, like the modules).
#[derive(Debug, serde::Deserialize)]
pub struct EditionQuery {
    edition: Option<String>,
}

/// `/competencies.csv[?edition=ID]`: a shipped framework edition in the
/// import format (public, like the modules); the default edition without one.
pub async fn framework_csv(
    State(catalog): State<Arc<Catalog>>,
    axum::extract::Query(q): axum::extract::Query<EditionQuery>,
) -> Response {
    let edition = match q.edition.as_deref() {
        Some(id) => match catalog.edition(id) {
            Some(e) => e,
            None => return refusal(AppError::NotFound),
        },
        None => catalog.default_edition(),
    };
    let name = format!("competency-framework-{}.csv", edition.id());
    csv_response(&name, app::content::framework::to_csv(&edition.competencies), false)
}

#[derive(Debug, serde::Deserialize)]
pub struct CohortQuery {
    #[serde(default)]
    cohort: i64,
}

/// `/programs/{program}/summary.csv?cohort=`: the accreditation summary, a
/// row per student (directors).
pub async fn summary_csv(
    State(ctx): State<Context>,
    Extension(auth): Extension<RequestAuth>,
    Path(program): Path<ProgramId>,
    axum::extract::Query(q): axum::extract::Query<CohortQuery>,
) -> Response {
    let caller = Caller::from_auth(&auth);
    match reports::summary_csv(&ctx, &caller, program, q.cohort).await {
        Ok(body) => csv_response(&format!("accreditation-summary-program-{program}.csv"), Ok(body), true),
        Err(e) => e.into_response(),
    }
}

/// `/programs/{program}/checkpoints.jsonl`: the program's signed checkpoints
/// with the public keys that verify them, for a director to keep off the
/// server (`server verify-signoffs --checkpoints FILE` checks them later).
pub async fn checkpoints_file(
    State(db): State<Db>,
    State(signer): State<Option<Arc<crate::checkpoints::Signer>>>,
    Extension(auth): Extension<RequestAuth>,
    Path(program): Path<ProgramId>,
) -> Response {
    let who = auth.signed_in.map(|s| s.principal);
    if let Err(refused) = authorize(who.as_ref(), &Action::ViewProgramReports { program }, "checkpoints") {
        return refusal(refused);
    }
    let Some(signer) = signer else {
        return refusal(AppError::NotFound);
    };
    match crate::checkpoints::download(&signer, &db, program).await {
        Ok(text) => {
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson; charset=utf-8"));
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"signoff-checkpoints-program-{program}.jsonl\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, program = %program, "could not build the checkpoint file");
            refusal(AppError::Internal)
        }
    }
}
