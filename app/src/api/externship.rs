//! The externship on the wire: sites and placements (staff), hours entries
//! (students), verification and corrections (preceptors, staff), and the
//! end-of-externship evaluations. Each server function reads the request and
//! calls `service::externship`, where the rules are applied.

use crate::domain::ids::{ProgramId, UserId};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

use crate::domain::externship::{EvaluationKind, Readiness};
use crate::domain::hours::EntryStatus;
use crate::error::AppError;

/// One hours entry as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: i64,
    pub student_id: UserId,
    /// "2026-11-23".
    pub date: String,
    /// "Mon 23 Nov".
    pub day: String,
    /// "08:00–16:00", or empty for a duration.
    pub times: String,
    pub minutes: i32,
    pub hours: String,
    pub activities: String,
    pub codes: String,
    pub status: EntryStatus,
    pub status_label: String,
    /// "Approved by Pat Lee, 24 Nov 2026".
    pub decided: Option<String>,
    pub reason: Option<String>,
    pub corrects_id: Option<i64>,
}

/// A week of a student's entries (entries are verified a week at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekView {
    pub week_start: String,
    pub label: String,
    pub entries: Vec<EntryView>,
    pub pending_ids: Vec<i64>,
    pub pending_hours: String,
    pub approved_hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalsView {
    pub approved: String,
    pub pending: String,
    pub returned: String,
    pub required: String,
    pub percent: u8,
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementSummary {
    pub id: i64,
    pub site_name: String,
    pub preceptors: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub required_hours: i32,
    pub active: bool,
}

/// A student's hours page: what they logged, where it stands, and what the
/// viewer may do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoursPageView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub student_id: UserId,
    pub student_name: String,
    pub placement: Option<PlacementSummary>,
    pub totals: TotalsView,
    pub weeks: Vec<WeekView>,
    /// Approved hours per week, oldest first: (Monday, hours).
    pub per_week: Vec<(String, f64)>,
    pub can_log: bool,
    pub can_verify: bool,
    pub can_correct: bool,
    /// The student may evaluate their site; the preceptor may evaluate the student.
    pub can_evaluate_site: bool,
    pub can_evaluate_student: bool,
    pub evaluations: Vec<EvaluationView>,
    pub competencies: Vec<(String, String)>,
    pub today: String,
}

/// A submitted end-of-externship evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationView {
    pub kind: EvaluationKind,
    pub kind_label: String,
    pub author_name: String,
    pub submitted_at: String,
    /// (item, rating label, comment). `None`: the stored ratings could not be
    /// read (logged with the record's id).
    pub ratings: Option<Vec<(String, String, String)>>,
    /// Sent as its label, as the page shows it.
    #[serde(with = "crate::domain::externship::readiness_label")]
    pub readiness: Option<Readiness>,
    /// A readiness is stored but could not be read (logged with the record's id).
    pub readiness_unreadable: bool,
    pub comments: String,
}

/// Pending hours of one student in one week, for their preceptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyGroup {
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub student_name: String,
    pub week_label: String,
    pub entry_ids: Vec<i64>,
    pub entries: Vec<EntryView>,
    pub hours: String,
}

/// A decision on one entry or a week of them (JSON: ids are a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideInput {
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub entry_ids: Vec<i64>,
    /// "approve" or "return".
    pub decision: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
    pub changed: usize,
    pub hours: String,
    /// Entries someone else decided first (a co-preceptor): left as they were.
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternshipSetupView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub required_hours: i32,
    pub sites: Vec<SiteView>,
    pub placements: Vec<(PlacementSummary, UserId, String)>,
    /// (id, name) of the program's students and preceptors.
    pub students: Vec<(UserId, String)>,
    pub preceptors: Vec<(UserId, String)>,
}

/// The end-of-externship evaluation form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationFormView {
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub student_name: String,
    pub site_name: String,
    pub kind: EvaluationKind,
    pub items: Vec<String>,
    pub already: Option<EvaluationView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationInput {
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub kind: EvaluationKind,
    pub form: crate::domain::externship::EvaluationForm,
}

/// A student's hours, placement and end-of-externship evaluations.
#[server(endpoint = "hours", input = GetUrl)]
pub async fn hours_page(program_id: ProgramId, student_id: UserId) -> Result<HoursPageView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::hours_page(&ctx, &caller, program_id, student_id).await
}

/// The signed-in student logs hours at their placement.
#[server(endpoint = "log-hours")]
pub async fn log_hours(
    program_id: ProgramId,
    date: String,
    start: String,
    end: String,
    hours: String,
    activities: String,
    competencies: String,
) -> Result<EntryView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    let form = crate::service::externship::HoursForm { date, start, end, hours, activities };
    crate::service::externship::log_hours(&ctx, &caller, program_id, &form, &competencies).await
}

/// The student withdraws a pending entry (a mistake they noticed first).
#[server(endpoint = "withdraw-hours")]
pub async fn withdraw_hours(program_id: ProgramId, entry_id: i64) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::withdraw_hours(&ctx, &caller, program_id, entry_id).await
}

/// The preceptor approves or returns one entry or a week of them.
#[server(endpoint = "decide-hours", input = Json)]
pub async fn decide_hours(input: DecideInput) -> Result<Decided, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::decide_hours(&ctx, &caller, &input).await
}

/// Corrects approved hours: the entry is voided and the corrected one stored
/// in its place, approved by the corrector, with the reason on both.
#[server(endpoint = "correct-hours")]
pub async fn correct_hours(
    program_id: ProgramId,
    student_id: UserId,
    entry_id: i64,
    date: String,
    start: String,
    end: String,
    hours: String,
    activities: String,
    reason: String,
) -> Result<EntryView, AppError> {
    use crate::service::externship::{Correction, HoursForm};
    let (ctx, caller) = crate::service::request::call()?;
    let form = HoursForm { date, start, end, hours, activities };
    let correction = Correction { program_id, student_id, entry_id, form, reason };
    crate::service::externship::correct_hours(&ctx, &caller, &correction).await
}

/// Pending hours on the signed-in preceptor's placements, a group per
/// student and week (empty for anyone else).
#[server(endpoint = "hours-to-verify", input = GetUrl)]
pub async fn hours_to_verify() -> Result<Vec<VerifyGroup>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::hours_to_verify(&ctx, &caller).await
}

/// Sites and placements of a program, with the people to place.
#[server(endpoint = "externship-setup", input = GetUrl)]
pub async fn externship_setup(program_id: ProgramId) -> Result<ExternshipSetupView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::externship_setup(&ctx, &caller, program_id).await
}

/// Adds a clinic site to the program.
#[server(endpoint = "add-site")]
pub async fn add_site(
    program_id: ProgramId,
    name: String,
    address: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
) -> Result<i64, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    let draft = crate::domain::externship::SiteDraft { name, address, contact_name, contact_email, contact_phone };
    crate::service::externship::add_site(&ctx, &caller, program_id, &draft).await
}

/// Places a student at a site with one or two preceptors, for given dates.
#[server(endpoint = "placement")]
pub async fn place_student(
    program_id: ProgramId,
    student_id: String,
    site_id: String,
    preceptor_id: String,
    co_preceptor_id: String,
    start: String,
    end: String,
    required_hours: String,
) -> Result<i64, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    let form = crate::service::externship::PlacementForm {
        student_id,
        site_id,
        preceptor_id,
        co_preceptor_id,
        start,
        end,
        required_hours,
    };
    crate::service::externship::place_student(&ctx, &caller, program_id, &form).await
}

/// Ends a placement early (or records that it ended).
#[server(endpoint = "end-placement")]
pub async fn end_placement(program_id: ProgramId, placement_id: i64) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::end_placement(&ctx, &caller, program_id, placement_id).await
}

/// The end-of-externship evaluation form: the preceptor's of the student
/// (`of_student`), or the student's of their site (`of_site`).
#[server(endpoint = "externship-evaluation-form", input = GetUrl)]
pub async fn externship_evaluation_form(
    program_id: ProgramId,
    student_id: UserId,
    kind: String,
) -> Result<EvaluationFormView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::evaluation_form(&ctx, &caller, program_id, student_id, &kind).await
}

/// Submits an end-of-externship evaluation (once per author and placement).
#[server(endpoint = "submit-externship-evaluation", input = Json)]
pub async fn submit_externship_evaluation(input: EvaluationInput) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::externship::submit_evaluation(&ctx, &caller, &input).await
}
