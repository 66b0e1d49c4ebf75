//! Competency sign-offs on the wire: a student's competency record, the
//! evaluation sheet and signing, corrections, requests to a preceptor, the
//! lab session list and a program's requirements. Each server function reads
//! the request and calls `service::signoffs`, where the rules are applied.

use crate::domain::ids::{ProgramId, UserId};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

use crate::domain::checklist::ChecklistStep;
use crate::domain::competency::{CompetencyDomain, CompetencyStatus, Requirement, Setting};
use crate::domain::evaluation::StepMark;
use crate::error::AppError;

/// A competency and where one student stands on it: each row of a record,
/// and the head of a competency's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyStanding {
    pub code: String,
    pub title: String,
    pub domain: CompetencyDomain,
    pub status: CompetencyStatus,
    pub counted_passes: u8,
    pub required_passes: u8,
    /// "lab or externship", "externship"…
    pub where_label: String,
}

/// One competency on a student's record (and Master Competency Checklist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyRow {
    #[serde(flatten)]
    pub competency: CompetencyStanding,
    pub attempts: u32,
    /// The pass that completed the requirement: date (UTC), setting, evaluator.
    pub completed_on: Option<String>,
    pub completed_setting: Option<Setting>,
    pub completed_by: Option<String>,
    /// The student may ask their preceptor (requirement allows the externship).
    pub externship_allowed: bool,
    pub request_open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyRecordView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub student_id: UserId,
    pub student_name: String,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
    /// The viewer is this student (they may ask for sign-offs).
    pub viewer_is_student: bool,
    /// The viewer may evaluate this student (instructor or their preceptor).
    pub viewer_evaluates: bool,
    /// The student's current preceptor, if placed.
    pub preceptor_name: Option<String>,
    pub site_name: Option<String>,
    pub rows: Vec<CompetencyRow>,
    pub generated_at: String,
}

impl CompetencyRecordView {
    pub fn complete(&self) -> usize {
        self.rows.iter().filter(|r| r.competency.status == CompetencyStatus::Complete).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResultView {
    pub text: String,
    pub critical: bool,
    pub met: bool,
    pub comment: String,
}

/// One stored record as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignoffView {
    pub id: i64,
    pub seq: i64,
    pub is_void: bool,
    pub signed_at: String,
    pub evaluator_name: String,
    pub evaluator_role: String,
    pub setting: String,
    pub passed: bool,
    pub score_percent: i32,
    /// `None`: the stored steps could not be read (logged with the record's id).
    pub steps: Option<Vec<StepResultView>>,
    pub comment: String,
    pub attestation: String,
    pub voids_id: Option<i64>,
    pub reason: Option<String>,
    pub voided_by: Option<i64>,
    /// First 12 hex digits of the checklist version.
    pub checklist_version: String,
    pub current_checklist: bool,
    /// The viewer may record a correction voiding this record.
    pub may_correct: bool,
    /// Set when the record was signed as another code, title or edition
    /// than the program's current one: what it was signed as.
    pub recorded_as: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyHistoryView {
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub student_name: String,
    #[serde(flatten)]
    pub competency: CompetencyStanding,
    pub records: Vec<SignoffView>,
}

/// What an evaluator needs to mark and sign an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub student_id: UserId,
    pub student_name: String,
    pub code: String,
    pub title: String,
    pub affective: bool,
    pub steps: Vec<ChecklistStep>,
    pub pass_percent: u8,
    pub checklist_version: String,
    /// Settings this evaluator may sign in, for this competency.
    pub settings: Vec<Setting>,
    pub attestation: String,
    /// An open request from the student for this competency, answered by signing.
    pub request_id: Option<i64>,
    pub status: CompetencyStatus,
    /// What the evaluator sent without JavaScript (a plain form post) when
    /// it was refused: the sheet is shown again with it and the error.
    pub echo: Option<SheetEcho>,
}

/// A plain-form submission of an evaluation sheet, as it was sent, when the
/// server shows the sheet again: refused (with the error), or sent by the
/// "mark every step" button before the page's code arrived (no error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetEcho {
    pub marks: Vec<StepMark>,
    pub comment: String,
    pub attested: bool,
    pub setting: Option<Setting>,
    pub error: Option<AppError>,
}

/// What an evaluator submits (JSON: steps are a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInput {
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub code: String,
    pub setting: Setting,
    pub checklist_version: String,
    pub marks: Vec<StepMark>,
    pub comment: String,
    pub attested: bool,
    pub request_id: Option<i64>,
}

/// The stored result, as the server computed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignResult {
    pub id: i64,
    pub passed: bool,
    pub score_percent: u8,
    pub steps_met: usize,
    pub steps_total: usize,
    pub critical_missed: Vec<String>,
    pub not_met: Vec<String>,
    pub status: CompetencyStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub student_name: String,
    pub code: String,
    pub title: String,
    pub asked_on: String,
    pub evaluate_path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabStudent {
    pub student_id: UserId,
    pub name: String,
    pub cohort: Option<String>,
    pub status: CompetencyStatus,
    pub counted_passes: u8,
    pub required_passes: u8,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabSessionView {
    pub program_id: ProgramId,
    pub program_name: String,
    /// (code, title) of every signed-off competency, for the picker.
    pub competencies: Vec<(String, String)>,
    pub code: String,
    pub title: String,
    pub students: Vec<LabStudent>,
    /// The viewer can evaluate in the lab (instructors).
    pub can_evaluate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementRow {
    pub code: String,
    pub title: String,
    pub domain: CompetencyDomain,
    pub default: Requirement,
    pub program: Option<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementsView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub rows: Vec<RequirementRow>,
    pub can_edit: bool,
}

/// A student's competency record in a program.
#[server(endpoint = "competency-record", input = GetUrl)]
pub async fn competency_record(program_id: ProgramId, student_id: UserId) -> Result<CompetencyRecordView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::record(&ctx, &caller, program_id, student_id).await
}

/// Every record of one competency for one student, voided ones included.
#[server(endpoint = "competency-history", input = GetUrl)]
pub async fn competency_history(
    program_id: ProgramId,
    student_id: UserId,
    code: String,
) -> Result<CompetencyHistoryView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::history(&ctx, &caller, program_id, student_id, &code).await
}

/// The checklist an evaluator marks.
#[server(endpoint = "evaluation-sheet", input = GetUrl)]
pub async fn evaluation_sheet(program_id: ProgramId, student_id: UserId, code: String) -> Result<SheetView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    let mut sheet = crate::service::signoffs::evaluation_sheet(&ctx, &caller, program_id, student_id, &code).await?;
    // Set by the server's plain-form handler when it shows the page again.
    sheet.echo = crate::service::request::extension::<SheetEcho>();
    Ok(sheet)
}

/// The result of a signed evaluation, for the page a plain form post is
/// redirected to (so reloading it shows the result and signs nothing).
#[server(endpoint = "signed-result", input = GetUrl)]
pub async fn signed_result(
    program_id: ProgramId,
    student_id: UserId,
    code: String,
    signoff_id: i64,
) -> Result<SignResult, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::signed_result(&ctx, &caller, program_id, student_id, &code, signoff_id).await
}

/// Signs an evaluation; the server computes the result from the marks.
#[server(endpoint = "sign-evaluation", input = Json)]
pub async fn sign_evaluation(input: SignInput) -> Result<SignResult, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::sign_evaluation(&ctx, &caller, input).await
}

/// Records a correction: a new record voiding an earlier one, with a reason.
#[server(endpoint = "void-signoff")]
pub async fn void_signoff(program_id: ProgramId, signoff_id: i64, reason: String) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::void_signoff(&ctx, &caller, program_id, signoff_id, &reason).await
}

/// A student asks their preceptor to sign off a competency; answers the
/// preceptor's name.
#[server(endpoint = "request-signoff")]
pub async fn request_signoff(program_id: ProgramId, code: String) -> Result<String, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::request_signoff(&ctx, &caller, program_id, &code).await
}

/// Open sign-off requests addressed to the signed-in preceptor.
#[server(endpoint = "my-requests", input = GetUrl)]
pub async fn my_requests() -> Result<Vec<RequestView>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::my_requests(&ctx, &caller).await
}

/// Every student of a program on one competency (a lab session).
#[server(endpoint = "lab-session", input = GetUrl)]
pub async fn lab_session(program_id: ProgramId, code: Option<String>) -> Result<LabSessionView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::lab_session(&ctx, &caller, program_id, code.as_deref()).await
}

/// The program's requirement per competency, default and own.
#[server(endpoint = "program-requirements", input = GetUrl)]
pub async fn program_requirements(program_id: ProgramId) -> Result<RequirementsView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::program_requirements(&ctx, &caller, program_id).await
}

/// Sets the program's own requirement for a competency (directors).
#[server(endpoint = "set-requirement")]
pub async fn set_requirement(
    program_id: ProgramId,
    code: String,
    attempts: String,
    setting: String,
) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::signoffs::set_requirement(&ctx, &caller, program_id, &code, &attempts, &setting).await
}
