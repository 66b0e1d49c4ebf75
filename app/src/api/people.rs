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
    pub program_id: i64,
    pub program_name: String,
    pub student_id: i64,
    pub name: String,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
    /// Module progress counts from this day (joining the program).
    pub joined_on: String,
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
    AppError::one_line("cohort", &cohort)?;
    let rows = match parse_roster(&csv) {
        Ok(rows) => rows,
        Err(problems) => {
            return Ok(RosterReport::Rejected {
                problems: problems.into_iter().map(|p| (p.line, p.message)).collect(),
            });
        }
    };
    let ctx = super::ServerContext::get()?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    // A link secret for every row, used for the rows that name an existing
    // account: those people are asked, not enrolled.
    let secrets =
        rows.iter().map(|_| crate::auth::crypto::new_secret()).collect::<Result<Vec<_>, _>>().map_err(|e| {
            tracing::error!(error = %e, "could not make offer links");
            AppError::Internal
        })?;
    let hashes: Vec<String> = secrets.iter().map(|s| crate::auth::crypto::hash_secret(s)).collect();
    let env = ctx.env();
    let expires = env.now + crate::auth::flows::MEMBERSHIP_OFFER_LIFETIME;
    let outcome = match programs::import_roster(
        &ctx.db,
        program_id,
        &cohort,
        &rows,
        programs::OfferTerms { tokens: &hashes, expires },
        actor.user_id,
        env.now,
    )
    .await?
    {
        Ok(o) => o,
        Err(conflicts) => {
            return Ok(RosterReport::Rejected {
                problems: conflicts.into_iter().map(|c| (c.line, c.message)).collect(),
            });
        }
    };
    let inviter = super::request_auth().signed_in.map(|s| s.user.display_name).unwrap_or_default();
    for &index in &outcome.offered {
        let (Some(row), Some(secret)) = (rows.get(index), secrets.get(index)) else { continue };
        let Some(user) = crate::storage::users::find_by_email(&ctx.db, &row.email).await? else { continue };
        crate::auth::flows::send_membership_offer(
            &env,
            &inviter,
            &program,
            &user,
            crate::domain::access::Role::Student,
            secret,
        )
        .await?;
    }
    Ok(RosterReport::Imported {
        cohort,
        students_added: outcome.students_added,
        accounts_created: outcome.accounts_created,
        already_enrolled: outcome.already_enrolled,
        offered: outcome.offered.len(),
    })
}

/// A program's offer to an existing account, as its link shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub program_name: String,
    pub person_name: String,
    pub role: String,
    pub cohort: Option<String>,
    pub offered_by: Option<String>,
    /// "open", "accepted", "declined" or "expired".
    pub state: String,
}

/// The offer behind a `/join` link. Public: the link's secret is the
/// credential, and it reveals only what the e-mail already said.
#[server(endpoint = "membership-offer", input = GetUrl)]
pub async fn membership_offer(token: String) -> Result<OfferView, AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    let hash = crate::auth::crypto::hash_secret(token.trim());
    let o = crate::storage::offers::by_token(&ctx.db, &hash).await?.ok_or(AppError::NotFound)?;
    let state = if o.accepted_at.is_some() {
        "accepted"
    } else if o.declined_at.is_some() {
        "declined"
    } else if o.expires_at <= chrono::Utc::now() {
        "expired"
    } else {
        "open"
    };
    Ok(OfferView {
        program_name: o.program_name,
        person_name: o.user_name,
        role: o.role,
        cohort: o.cohort,
        offered_by: o.offered_by_name,
        state: state.to_string(),
    })
}

/// Accepts or declines an offer, once. Public for the same reason.
#[server(endpoint = "answer-membership-offer")]
pub async fn answer_membership_offer(token: String, accept: bool) -> Result<String, AppError> {
    use crate::storage::offers::AnswerRefused;
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    let hash = crate::auth::crypto::hash_secret(token.trim());
    match crate::storage::offers::answer(&ctx.db, &hash, accept, chrono::Utc::now()).await? {
        Ok(o) if accept => Ok(format!("You are now in {}. Sign in to start.", o.program_name)),
        Ok(o) => Ok(format!("You declined to join {}. Nothing was changed.", o.program_name)),
        Err(AnswerRefused::Unknown) => Err(AppError::NotFound),
        Err(AnswerRefused::Expired) => {
            Err(AppError::BadRequest("This offer has expired. Ask the program to send a new one.".into()))
        }
        Err(AnswerRefused::AlreadyAnswered) => Err(AppError::BadRequest("This offer was already answered.".into())),
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
    // Only what the student did while in this program: a director must not
    // learn what a student did before joining (or in another program).
    let joined = programs::joined_at(&ctx.db, program_id, student_id, crate::domain::access::Role::Student)
        .await?
        .ok_or(AppError::NotFound)?;
    let stored = progress::for_student_since(&ctx.db, student_id, joined).await?;
    let mastering = progress::mastering_attempts(&ctx.db, student_id, joined).await?;
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
                counted_attempt: mastering.iter().find(|a| a.0 == m.summary.slug).map(|(_, n, at, score)| {
                    let n = n.map_or_else(String::new, |n| format!("attempt {n}, "));
                    format!("{n}{}, {score}%", at.format("%Y-%m-%d"))
                }),
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
        joined_on: joined.format("%Y-%m-%d").to_string(),
        modules,
    })
}
