//! Server functions: wire types and thin adapters. Each one reads the
//! request (`service::request::call`) and calls `crate::service`, which
//! authorizes, applies the domain and stores; errors become [`AppError`] in
//! one place (`crate::error`).

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
    ("/api/signed-result", "ViewStudentRecord: the student, the program's staff, their preceptors"),
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

/// The engine and schema version this server runs on. Public: it reveals no
/// record, and it lets a visitor check the app is alive end to end.
#[server(endpoint = "status")]
pub async fn check_server() -> Result<ServerStatus, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::status::check_server(&ctx, &caller).await
}
