//! A program's people: members, invitations, roster import, placements, the
//! program's audit log; and the student record and a preceptor's students.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementView {
    pub id: i64,
    pub program_id: i64,
    pub program_name: String,
    pub student_id: i64,
    pub student_name: String,
    pub preceptor_name: String,
    pub site_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramPeopleView {
    pub program_id: i64,
    pub program_name: String,
    pub members: Vec<MemberView>,
    pub cohorts: Vec<String>,
    pub placements: Vec<PlacementView>,
}

/// The outcome of a roster upload: imported, or every problem by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RosterReport {
    Imported { cohort: String, students_added: usize, accounts_created: usize, already_enrolled: usize },
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentRecordView {
    pub program_id: i64,
    pub program_name: String,
    pub student_id: i64,
    pub name: String,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
    pub modules: Vec<ModuleProgressView>,
}

#[cfg(feature = "ssr")]
impl From<crate::storage::programs::Placement> for PlacementView {
    fn from(p: crate::storage::programs::Placement) -> Self {
        PlacementView {
            id: p.id,
            program_id: p.program_id,
            program_name: p.program_name,
            student_id: p.student_id,
            student_name: p.student_name,
            preceptor_name: p.preceptor_name,
            site_name: p.site_name,
        }
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn audit_view(r: crate::storage::audit::AuditRow) -> AuditView {
    AuditView {
        at: r.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        kind: r.kind,
        actor: r.actor_name,
        subject: r.subject_name,
        email: r.email,
        ip: r.ip,
        detail: r.detail,
    }
}

#[server(endpoint = "program-people", input = GetUrl)]
pub async fn program_people(program_id: i64) -> Result<ProgramPeopleView, AppError> {
    use crate::domain::access::Action;
    use crate::storage::programs;
    super::authorize_signed_in(&Action::ManageProgramPeople { program: program_id })?;
    let ctx = super::ServerContext::get()?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let members = programs::members(&ctx.db, program_id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            user_id: m.user_id,
            name: m.display_name,
            email: m.email,
            role: m.role,
            cohort: m.cohort,
            student_number: m.student_number,
            active: m.active,
        })
        .collect();
    let cohorts = programs::list_cohorts(&ctx.db, program_id).await?.into_iter().map(|c| c.name).collect();
    let placements = programs::placements_in_program(&ctx.db, program_id).await?.into_iter().map(Into::into).collect();
    Ok(ProgramPeopleView { program_id, program_name: program.name, members, cohorts, placements })
}

/// Invites an instructor, preceptor or student (directors); a director
/// (site administrators only).
#[server(endpoint = "invite")]
pub async fn invite_person(program_id: i64, name: String, email: String, role: String) -> Result<(), AppError> {
    use crate::domain::access::{Action, Role};
    let role = Role::parse(&role).ok_or_else(|| AppError::field("role", "Choose a role."))?;
    let action = match role {
        Role::Director => Action::AdministerSite,
        _ => Action::ManageProgramPeople { program: program_id },
    };
    super::authorize_signed_in(&action)?;
    let ctx = super::ServerContext::get()?;
    crate::auth::flows::invite(&ctx.env(), &super::request_auth(), program_id, &email, &name, role).await?;
    Ok(())
}

#[server(endpoint = "roster")]
pub async fn import_roster(program_id: i64, cohort: String, csv: String) -> Result<RosterReport, AppError> {
    use crate::domain::access::Action;
    use crate::domain::roster::parse_roster;
    use crate::storage::programs;
    let actor = super::authorize_signed_in(&Action::ManageProgramPeople { program: program_id })?;
    let cohort = cohort.trim().to_string();
    if cohort.is_empty() || cohort.chars().count() > 100 {
        return Err(AppError::field("cohort", "Name the cohort, for example \"Fall 2026\" (up to 100 characters)."));
    }
    let rows = match parse_roster(&csv) {
        Ok(rows) => rows,
        Err(problems) => {
            return Ok(RosterReport::Rejected { problems: problems.into_iter().map(|p| (p.line, p.message)).collect() });
        }
    };
    let ctx = super::ServerContext::get()?;
    programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    match programs::import_roster(&ctx.db, program_id, &cohort, &rows, actor.user_id, chrono::Utc::now()).await? {
        Ok(o) => Ok(RosterReport::Imported {
            cohort,
            students_added: o.students_added,
            accounts_created: o.accounts_created,
            already_enrolled: o.already_enrolled,
        }),
        Err(conflicts) => Ok(RosterReport::Rejected { problems: conflicts.into_iter().map(|c| (c.line, c.message)).collect() }),
    }
}

#[server(endpoint = "program-audit", input = GetUrl)]
pub async fn program_audit(program_id: i64) -> Result<Vec<AuditView>, AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::ReadProgramAudit { program: program_id })?;
    let ctx = super::ServerContext::get()?;
    Ok(crate::storage::audit::for_program(&ctx.db, program_id, 500).await?.into_iter().map(audit_view).collect())
}

/// The students placed with the signed-in preceptor (empty for anyone else).
#[server(endpoint = "my-students", input = GetUrl)]
pub async fn my_students() -> Result<Vec<PlacementView>, AppError> {
    use crate::domain::access::Action;
    let me = super::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = super::ServerContext::get()?;
    let placements = crate::storage::programs::placements_for_preceptor(&ctx.db, me.user_id).await?;
    Ok(placements.into_iter().map(Into::into).collect())
}

/// A student's record in a program: who they are and their module progress
/// (competency sign-offs join it with their own issue).
#[server(endpoint = "student-record", input = GetUrl)]
pub async fn student_record(program_id: i64, student_id: i64) -> Result<StudentRecordView, AppError> {
    use crate::domain::access::Action;
    use crate::storage::{programs, progress};
    super::authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let ctx = super::ServerContext::get()?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let stored = progress::for_student(&ctx.db, student_id).await?;
    let modules = ctx
        .catalog
        .modules()
        .iter()
        .map(|m| {
            let p = stored.iter().find(|p| p.module_slug == m.summary.slug);
            ModuleProgressView {
                slug: m.summary.slug.clone(),
                title: m.summary.title.clone(),
                read_percent: p.map_or(0, |p| p.read_percent),
                attempts: p.map_or(0, |p| p.attempts),
                best_score: p.and_then(|p| p.best_score),
                mastered: p.is_some_and(|p| p.mastered),
            }
        })
        .collect();
    Ok(StudentRecordView {
        program_id,
        program_name: program.name,
        student_id,
        name: member.display_name,
        cohort: member.cohort,
        student_number: member.student_number,
        modules,
    })
}
