//! A program's people: members, invitations, roster import, placements, the
//! program's audit log, offers to existing accounts; and the student record
//! and a preceptor's students.

use super::{Caller, Context};
use crate::api::people::{
    AuditView, MemberView, ModuleProgressView, OfferView, PlacementView, ProgramPeopleView, RosterReport,
    StudentRecordView,
};
use crate::auth::{RequestAuth, SignedIn};
use crate::domain::access::{Action, Role};
use crate::domain::ids::{ProgramId, UserId};
use crate::domain::membership::{OfferState, check_cohort_name};
use crate::domain::roster::parse_roster;
use crate::error::AppError;
use crate::storage::{audit, offers, programs, progress, users};

impl From<programs::Placement> for PlacementView {
    fn from(p: programs::Placement) -> Self {
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

pub fn audit_view(r: audit::AuditRow) -> AuditView {
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

/// A stored role. One that does not parse is a corrupt record: logged with
/// the membership it belongs to and refused, never shown as some other role.
fn stored_role(role: &str, program: ProgramId, user: UserId) -> Result<Role, AppError> {
    Role::parse(role).ok_or_else(|| {
        tracing::error!(program = %program, user = %user, role, "stored membership has an unknown role");
        AppError::Internal
    })
}

pub async fn program_people(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
) -> Result<ProgramPeopleView, AppError> {
    caller.authorize_signed_in(&Action::ManageProgramPeople { program: program_id })?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let members = programs::members(&ctx.db, program_id)
        .await?
        .into_iter()
        .map(|m| {
            Ok(MemberView {
                role: stored_role(&m.role, program_id, m.user_id)?,
                user_id: m.user_id,
                name: m.display_name,
                email: m.email,
                cohort: m.cohort,
                student_number: m.student_number,
                active: m.active,
            })
        })
        .collect::<Result<_, AppError>>()?;
    let cohorts = programs::list_cohorts(&ctx.db, program_id).await?.into_iter().map(|c| c.name).collect();
    let placements = programs::placements_in_program(&ctx.db, program_id).await?.into_iter().map(Into::into).collect();
    Ok(ProgramPeopleView { program_id, program_name: program.name, members, cohorts, placements })
}

/// The caller as the sign-in flows take them (they record the inviter's
/// name, address and browser).
async fn flows_auth(ctx: &Context, caller: &Caller) -> Result<RequestAuth, AppError> {
    let principal = caller.principal().ok_or(AppError::Unauthenticated)?.clone();
    let user = users::get(&ctx.db, principal.user_id).await?.ok_or(AppError::Unauthenticated)?;
    Ok(RequestAuth {
        signed_in: Some(SignedIn { id_hash: String::new(), user, principal, roles: Vec::new() }),
        ip: caller.ip.clone(),
        user_agent: caller.user_agent.clone(),
        ..RequestAuth::default()
    })
}

/// Invites an instructor, preceptor or student (directors); a director
/// (site administrators only).
pub async fn invite_person(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    name: &str,
    email: &str,
    role: &str,
) -> Result<(), AppError> {
    let role = Role::parse(role).ok_or_else(|| AppError::field("role", "Choose a role."))?;
    let action = match role {
        Role::Director => Action::AdministerSite,
        _ => Action::ManageProgramPeople { program: program_id },
    };
    caller.authorize_signed_in(&action)?;
    let auth = flows_auth(ctx, caller).await?;
    crate::auth::flows::invite(&ctx.env(), &auth, program_id, email, name, role).await?;
    Ok(())
}

pub async fn import_roster(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    cohort: &str,
    csv: &str,
) -> Result<RosterReport, AppError> {
    let actor = caller.authorize_signed_in(&Action::ManageProgramPeople { program: program_id })?;
    let cohort = check_cohort_name(cohort).map_err(|message| AppError::field("cohort", message))?;
    let rows = match parse_roster(csv) {
        Ok(rows) => rows,
        Err(problems) => {
            return Ok(RosterReport::Rejected {
                problems: problems.into_iter().map(|p| (p.line, p.message)).collect(),
            });
        }
    };
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
    let inviter = caller.name()?;
    for &index in &outcome.offered {
        let (Some(row), Some(secret)) = (rows.get(index), secrets.get(index)) else { continue };
        let Some(user) = users::find_by_email(&ctx.db, &row.email).await? else { continue };
        crate::auth::flows::send_membership_offer(&env, inviter, &program, &user, Role::Student, secret).await?;
    }
    Ok(RosterReport::Imported {
        cohort,
        students_added: outcome.students_added,
        accounts_created: outcome.accounts_created,
        already_enrolled: outcome.already_enrolled,
        offered: outcome.offered.len(),
    })
}

/// The offer behind a `/join` link. Public: the link's secret is the
/// credential, and it reveals only what the e-mail already said.
pub async fn membership_offer(ctx: &Context, caller: &Caller, token: &str) -> Result<OfferView, AppError> {
    caller.authorize(&Action::SignIn)?;
    let hash = crate::auth::crypto::hash_secret(token.trim());
    let o = offers::by_token(&ctx.db, &hash).await?.ok_or(AppError::NotFound)?;
    Ok(OfferView {
        role: stored_role(&o.role, o.program_id, o.user_id)?,
        state: OfferState::of(o.accepted_at, o.declined_at, o.expires_at, chrono::Utc::now()),
        program_name: o.program_name,
        person_name: o.user_name,
        cohort: o.cohort,
        offered_by: o.offered_by_name,
    })
}

/// Accepts or declines an offer, once. Public for the same reason.
pub async fn answer_membership_offer(
    ctx: &Context,
    caller: &Caller,
    token: &str,
    accept: bool,
) -> Result<String, AppError> {
    use crate::storage::offers::AnswerRefused;
    caller.authorize(&Action::SignIn)?;
    let hash = crate::auth::crypto::hash_secret(token.trim());
    match offers::answer(&ctx.db, &hash, accept, chrono::Utc::now()).await? {
        Ok(o) if accept => Ok(format!("You are now in {}. Sign in to start.", o.program_name)),
        Ok(o) => Ok(format!("You declined to join {}. Nothing was changed.", o.program_name)),
        Err(AnswerRefused::Unknown) => Err(AppError::NotFound),
        Err(AnswerRefused::Expired) => {
            Err(AppError::BadRequest("This offer has expired. Ask the program to send a new one.".into()))
        }
        Err(AnswerRefused::AlreadyAnswered) => Err(AppError::BadRequest("This offer was already answered.".into())),
    }
}

pub async fn program_audit(ctx: &Context, caller: &Caller, program_id: ProgramId) -> Result<Vec<AuditView>, AppError> {
    caller.authorize_signed_in(&Action::ReadProgramAudit { program: program_id })?;
    Ok(audit::for_program(&ctx.db, program_id, 500).await?.into_iter().map(audit_view).collect())
}

/// The students placed with the signed-in preceptor (empty for anyone else).
pub async fn my_students(ctx: &Context, caller: &Caller) -> Result<Vec<PlacementView>, AppError> {
    let me = caller.authorize_signed_in(&Action::OwnAccount)?;
    let placements = programs::placements_for_preceptor(&ctx.db, me.user_id).await?;
    Ok(placements.into_iter().map(Into::into).collect())
}

/// A student's record in a program: who they are and their module progress
/// (competency sign-offs join it with their own issue).
pub async fn student_record(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    student_id: UserId,
) -> Result<StudentRecordView, AppError> {
    caller.authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    // Only what the student did while in this program: a director must not
    // learn what a student did before joining (or in another program).
    let joined =
        programs::joined_at(&ctx.db, program_id, student_id, Role::Student).await?.ok_or(AppError::NotFound)?;
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
