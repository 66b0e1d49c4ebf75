//! The program director's reports on the wire: the cohort dashboard
//! (students by competencies, hours, the at-risk list, charts), the
//! accreditation summary and the printable checklists. Each server function
//! reads the request and calls `service::reports`.

use crate::domain::ids::{ProgramId, UserId};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::competency::{CompetencyDomain, CompetencyStatus};
use crate::domain::externship::Readiness;
use crate::error::AppError;

/// A status as one character, so a 200 × 100 grid travels to the browser
/// as 200 short strings rather than 20,000 JSON values.
pub fn status_char(s: CompetencyStatus) -> char {
    match s {
        CompetencyStatus::NotStarted => 'n',
        CompetencyStatus::Attempted => 'a',
        CompetencyStatus::PassedInLab => 'l',
        CompetencyStatus::PassedAtExternship => 'x',
        CompetencyStatus::Complete => 'c',
    }
}

pub fn status_of_char(c: char) -> CompetencyStatus {
    match c {
        'a' => CompetencyStatus::Attempted,
        'l' => CompetencyStatus::PassedInLab,
        'x' => CompetencyStatus::PassedAtExternship,
        'c' => CompetencyStatus::Complete,
        _ => CompetencyStatus::NotStarted,
    }
}

pub use crate::domain::cohort::StudentFilter;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardRow {
    pub student_id: UserId,
    pub name: String,
    pub cohort: Option<String>,
    /// One [`status_char`] per competency of [`DashboardView::competencies`].
    pub cells: String,
    pub complete: u32,
    pub approved_hours: String,
    pub required_hours: String,
    pub hours_percent: u8,
    pub risks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub cohorts: Vec<(i64, String)>,
    pub cohort_id: Option<i64>,
    pub filter: StudentFilter,
    /// (code, title, domain).
    pub competencies: Vec<(String, String, CompetencyDomain)>,
    /// Students shown (after the filter).
    pub rows: Vec<DashboardRow>,
    /// Students in the cohort (before the filter).
    pub cohort_size: usize,
    /// Students complete per competency, over the cohort.
    pub complete_per_competency: Vec<u32>,
    pub at_risk: usize,
    /// Approved hours per week, over the cohort: (Monday, hours).
    pub hours_per_week: Vec<(String, f64)>,
    /// Passed evaluations to date, cumulative by week: (Monday, count).
    pub passes_over_time: Vec<(String, f64)>,
    pub today: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub cohorts: Vec<(i64, String)>,
    pub cohort_id: Option<i64>,
    pub cohort_name: String,
    pub figures: crate::domain::cohort::SummaryFigures,
    pub exceptions: Vec<crate::domain::cohort::Exception>,
    pub psychomotor_required: usize,
    pub affective_required: usize,
    /// Preceptors' end-of-externship evaluations: (readiness label, count).
    pub readiness: Vec<(Readiness, usize)>,
    pub site_evaluations: usize,
    pub generated_at: String,
}

/// The cohort dashboard (directors). `cohort_id` 0 means every cohort.
#[server(endpoint = "program-dashboard", input = GetUrl)]
pub async fn program_dashboard(
    program_id: ProgramId,
    cohort_id: i64,
    filter: String,
) -> Result<DashboardView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::reports::dashboard(&ctx, &caller, program_id, cohort_id, &filter).await
}

/// The accreditation summary (directors). `cohort_id` 0 means every cohort.
#[server(endpoint = "accreditation-summary", input = GetUrl)]
pub async fn accreditation_summary(program_id: ProgramId, cohort_id: i64) -> Result<SummaryView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::reports::summary(&ctx, &caller, program_id, cohort_id).await
}

/// Every student's Master Competency Checklist in one printable document.
#[server(endpoint = "cohort-checklists", input = GetUrl)]
pub async fn cohort_checklists(
    program_id: ProgramId,
    cohort_id: i64,
) -> Result<Vec<crate::api::signoffs::CompetencyRecordView>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::reports::checklists(&ctx, &caller, program_id, cohort_id).await
}
