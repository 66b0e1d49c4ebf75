//! Server functions: thin. Each one authorizes, calls the domain, and
//! stores; errors become [`AppError`] in one place (`crate::error`).

use leptos::prelude::*;

use crate::domain::status::ServerStatus;
use crate::error::AppError;

pub mod accounts;
pub mod admin;
pub mod editions;
pub mod externship;
pub mod modules;
pub mod people;
pub mod reports;
pub mod signoffs;

#[cfg(feature = "ssr")]
pub use context::{ServerContext, authorize, authorize_signed_in, current_principal, request_auth, set_cookie};

/// Every server function's endpoint and the policy action it checks, for
/// reviewers and for the test that fails when a server function is added
/// without an entry here (`server/tests/it/policy.rs`).
pub const ENDPOINT_POLICY: &[(&str, &str)] = &[
    ("/api/status", "CheckServerStatus: public"),
    ("/api/modules", "ReadModules: public; progress shown only for the signed-in student (OwnProgress)"),
    ("/api/module", "ReadModules: public"),
    ("/api/module-body", "ReadModules: public"),
    ("/api/quiz", "ReadModules: public grading; stored only for the signed-in student (OwnProgress)"),
    ("/api/reading", "OwnProgress: signed-in students only"),
    ("/api/me", "OwnAccount: public; returns only the caller's own account, or nothing"),
    ("/api/sign-in", "SignIn: public"),
    ("/api/sign-in-code", "SignIn: public; needs a session awaiting its second factor"),
    ("/api/sign-in-link-request", "SignIn: public; same answer whether or not the address has an account"),
    ("/api/sign-in-link-info", "SignIn: public; answers only to the holder of the link's secret"),
    ("/api/sign-in-link", "SignIn: public; the link's secret is the credential"),
    ("/api/password-reset-request", "SignIn: public; same answer whether or not the address has an account"),
    ("/api/password-reset", "SignIn: public; the link's secret is the credential"),
    ("/api/password", "OwnAccount: signed-in"),
    ("/api/sign-out", "SignIn: public (signing out a signed-out visitor does nothing)"),
    ("/api/two-factor-begin", "OwnAccount: signed-in"),
    ("/api/two-factor-confirm", "OwnAccount: signed-in"),
    ("/api/two-factor-disable", "OwnAccount: signed-in; not administrators"),
    ("/api/program-people", "ManageProgramPeople: the program's directors, site administrators"),
    ("/api/invite", "ManageProgramPeople (instructors, preceptors, students); AdministerSite (directors)"),
    ("/api/roster", "ManageProgramPeople"),
    ("/api/membership-offer", "SignIn: public; answers only to the holder of the offer link's secret"),
    ("/api/answer-membership-offer", "SignIn: public; the offer link's secret is the credential, and answers once"),
    ("/api/program-audit", "ReadProgramAudit: the program's directors, site administrators"),
    ("/api/my-students", "OwnAccount: signed-in; lists only students placed with the caller"),
    ("/api/student-record", "ViewStudentRecord: the student, the program's staff, their preceptors"),
    ("/api/competency-record", "ViewStudentRecord: the student, the program's staff, their preceptors"),
    ("/api/competency-history", "ViewStudentRecord; corrections offered where CorrectSignoff allows"),
    (
        "/api/evaluation-sheet",
        "EvaluateStudent in a setting the requirement accepts: instructors (lab), the student's preceptor (externship)",
    ),
    (
        "/api/sign-evaluation",
        "EvaluateStudent { setting }: instructors in the lab, the student's own preceptor at the externship; never oneself",
    ),
    ("/api/void-signoff", "CorrectSignoff: the program's instructors and directors, or the preceptor who signed it"),
    ("/api/request-signoff", "RequestSignoff: the program's students, for themselves only"),
    (
        "/api/my-requests",
        "OwnAccount: lists only requests addressed to the caller, for students still placed with them",
    ),
    ("/api/lab-session", "ViewProgramCompetencies: the program's instructors and directors"),
    ("/api/program-requirements", "ViewProgramCompetencies"),
    ("/api/program-editions", "ViewProgramCompetencies: the program's instructors and directors"),
    ("/api/edition-switch-preview", "ManageRequirements: the program's directors"),
    ("/api/switch-edition", "ManageRequirements: the program's directors"),
    ("/api/framework-import", "ManageRequirements: the program's directors"),
    ("/api/quiz-attempt", "ReadModules: public; a signed-in student gets their own next attempt"),
    ("/api/set-requirement", "ManageRequirements: the program's directors"),
    ("/api/hours", "ViewStudentRecord: the student, the program's staff, their preceptors"),
    ("/api/log-hours", "OwnExternship: the student, for themselves, at their active placement"),
    ("/api/withdraw-hours", "OwnExternship: the student, their own pending entries"),
    ("/api/decide-hours", "VerifyHours: the student's own preceptors; every entry must be that student's"),
    ("/api/correct-hours", "CorrectHours: the program's instructors and directors, the student's preceptors"),
    ("/api/hours-to-verify", "OwnAccount: lists only entries on placements the caller precepts"),
    ("/api/externship-setup", "ManagePlacements: the program's instructors and directors"),
    ("/api/add-site", "ManagePlacements"),
    ("/api/placement", "ManagePlacements"),
    ("/api/end-placement", "ManagePlacements"),
    ("/api/externship-evaluation-form", "VerifyHours (of the student) or OwnExternship (of the site)"),
    ("/api/submit-externship-evaluation", "VerifyHours (of the student) or OwnExternship (of the site)"),
    ("/api/program-dashboard", "ViewProgramReports: the program's directors"),
    ("/api/accreditation-summary", "ViewProgramReports: the program's directors"),
    ("/api/cohort-checklists", "ViewProgramReports: the program's directors"),
    ("/api/admin-programs", "AdministerSite"),
    ("/api/admin-program", "AdministerSite"),
    ("/api/admin-audit", "AdministerSite"),
    ("/api/admin-outbox", "AdministerSite"),
];

#[cfg(feature = "ssr")]
mod context {
    use std::sync::Arc;

    use crate::auth::flows::Env;
    use crate::auth::mail::Mailer;
    use crate::auth::{AuthSettings, RequestAuth};
    use crate::domain::access::{Action, Decision, Principal, decide};
    use crate::error::AppError;
    use crate::storage::Db;
    use leptos::prelude::use_context;

    /// What every server function and page can reach on the server.
    #[derive(Clone, Debug)]
    pub struct ServerContext {
        pub db: Db,
        /// The content tree, validated and rendered at start-up.
        pub catalog: Arc<crate::content::Catalog>,
        pub auth: Arc<AuthSettings>,
        pub mailer: Mailer,
    }

    impl ServerContext {
        pub fn get() -> Result<ServerContext, AppError> {
            use_context::<ServerContext>().ok_or_else(|| {
                tracing::error!("ServerContext missing from the request context");
                AppError::Internal
            })
        }

        /// What the sign-in flows need, at this instant.
        pub fn env(&self) -> Env<'_> {
            Env { db: &self.db, settings: &self.auth, mailer: &self.mailer, now: chrono::Utc::now() }
        }
    }

    /// Who this request comes from, as the server's session middleware found
    /// it (`server::session_layer`). A request that did not pass through it
    /// is treated as signed out.
    pub fn request_auth() -> RequestAuth {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
            .unwrap_or_default()
    }

    /// The signed-in person, if any.
    pub fn current_principal() -> Option<Principal> {
        request_auth().signed_in.map(|s| s.principal)
    }

    /// Sets a cookie on the response (sign-in, sign-out).
    pub fn set_cookie(value: &str) {
        use axum::http::{HeaderValue, header::SET_COOKIE};
        match (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(value)) {
            (Some(res), Ok(v)) => res.append_header(SET_COOKIE, v),
            _ => tracing::error!("could not set a cookie: no response options in context"),
        }
    }

    /// Asks the policy; maps its answer to the error the user sees, and logs
    /// refusals.
    pub fn authorize(action: &Action) -> Result<Option<Principal>, AppError> {
        let who = current_principal();
        check(who, action)
    }

    /// Like [`authorize`], for actions that need a signed-in person.
    pub fn authorize_signed_in(action: &Action) -> Result<Principal, AppError> {
        authorize(action)?.ok_or(AppError::Unauthenticated)
    }

    fn check(who: Option<Principal>, action: &Action) -> Result<Option<Principal>, AppError> {
        use axum::http::StatusCode;
        let refuse = |status: StatusCode, error: AppError| {
            // The HTTP status says what the JSON body says, for clients
            // and for the access matrix test.
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(status);
            }
            Err(error)
        };
        match decide(who.as_ref(), action) {
            Decision::Allow => Ok(who),
            Decision::NeedsSignIn => refuse(StatusCode::UNAUTHORIZED, AppError::Unauthenticated),
            Decision::Deny(reason) => {
                tracing::warn!(reason, ?action, user = who.as_ref().map(|p| p.user_id), "access denied");
                refuse(StatusCode::FORBIDDEN, AppError::Forbidden)
            }
        }
    }
}

/// The engine and schema version this server runs on. Public: it reveals no
/// record, and it lets a visitor check the app is alive end to end.
#[server(endpoint = "status")]
pub async fn check_server() -> Result<ServerStatus, AppError> {
    authorize(&crate::domain::access::Action::CheckServerStatus)?;
    let ctx = ServerContext::get()?;
    let health = ctx.db.health(std::time::Duration::from_secs(3)).await?;
    Ok(ServerStatus {
        engine: health.engine.as_str().to_string(),
        engine_version: health.engine_version,
        migration_version: health.migration_version,
    })
}
