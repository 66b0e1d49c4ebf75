//! A program's people on the wire: members, invitations, roster import,
//! placements, the program's audit log; and the student record and a
//! preceptor's students. Each server function reads the request and calls
//! `service::people`.

use crate::domain::ids::{ProgramId, UserId};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::domain::membership::OfferState;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementView {
    pub id: i64,
    pub program_id: ProgramId,
    pub program_name: String,
    pub student_id: UserId,
    pub student_name: String,
    pub preceptor_name: String,
    pub site_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramPeopleView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub members: Vec<MemberView>,
    pub cohorts: Vec<String>,
    pub placements: Vec<PlacementView>,
}

/// The outcome of a roster upload: imported, or every problem by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RosterReport {
    Imported { cohort: String, students_added: usize, accounts_created: usize, already_enrolled: usize, offered: usize },
    Rejected { problems: Vec<(u64, String)> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: String,
    pub kind: String,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleProgressView {
    pub slug: String,
    pub title: String,
    pub read_percent: i32,
    pub attempts: i64,
    pub best_score: Option<i32>,
    pub mastered: bool,
    /// The attempt that counted for mastery: "attempt 3, 2026-11-20, 92%".
    pub counted_attempt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentRecordView {
    pub program_id: ProgramId,
    pub program_name: String,
    pub student_id: UserId,
    pub name: String,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
    /// Module progress counts from this day (joining the program).
    pub joined_on: String,
    pub modules: Vec<ModuleProgressView>,
}

#[server(endpoint = "program-people", input = GetUrl)]
pub async fn program_people(program_id: ProgramId) -> Result<ProgramPeopleView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::program_people(&ctx, &caller, program_id).await
}

/// Invites an instructor, preceptor or student (directors); a director
/// (site administrators only).
#[server(endpoint = "invite")]
pub async fn invite_person(program_id: ProgramId, name: String, email: String, role: String) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::invite_person(&ctx, &caller, program_id, &name, &email, &role).await
}

#[server(endpoint = "roster")]
pub async fn import_roster(program_id: ProgramId, cohort: String, csv: String) -> Result<RosterReport, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::import_roster(&ctx, &caller, program_id, &cohort, &csv).await
}

/// A program's offer to an existing account, as its link shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub program_name: String,
    pub person_name: String,
    pub role: Role,
    pub cohort: Option<String>,
    pub offered_by: Option<String>,
    pub state: OfferState,
}

/// The offer behind a `/join` link. Public: the link's secret is the
/// credential, and it reveals only what the e-mail already said.
#[server(endpoint = "membership-offer", input = GetUrl)]
pub async fn membership_offer(token: String) -> Result<OfferView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::membership_offer(&ctx, &caller, &token).await
}

/// Accepts or declines an offer, once. Public for the same reason.
#[server(endpoint = "answer-membership-offer")]
pub async fn answer_membership_offer(token: String, accept: bool) -> Result<String, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::answer_membership_offer(&ctx, &caller, &token, accept).await
}

#[server(endpoint = "program-audit", input = GetUrl)]
pub async fn program_audit(program_id: ProgramId) -> Result<Vec<AuditView>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::program_audit(&ctx, &caller, program_id).await
}

/// The students placed with the signed-in preceptor (empty for anyone else).
#[server(endpoint = "my-students", input = GetUrl)]
pub async fn my_students() -> Result<Vec<PlacementView>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::my_students(&ctx, &caller).await
}

/// A student's record in a program: who they are and their module progress
/// (competency sign-offs join it with their own issue).
#[server(endpoint = "student-record", input = GetUrl)]
pub async fn student_record(program_id: ProgramId, student_id: UserId) -> Result<StudentRecordView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::people::student_record(&ctx, &caller, program_id, student_id).await
}
