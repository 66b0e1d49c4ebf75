//! Competency sign-offs: a student's competency record, the evaluation sheet
//! and signing, corrections, requests to a preceptor, the lab session list
//! and a program's requirements.
//!
//! The rules are `domain::{access, competency, evaluation}`; records are
//! appended through `storage::signoffs` (the program's hash chain). This
//! module is also the one place a record is assembled ([`new_evaluation`],
//! [`new_void`]): the server functions, the demo data and the benchmarks use
//! them.

use std::collections::HashMap;

use super::{Caller, Context};
use crate::api::signoffs::{
    CompetencyHistoryView, CompetencyRecordView, CompetencyRow, CompetencyStanding, LabSessionView, LabStudent,
    RequestView, RequirementRow, RequirementsView, SheetView, SignInput, SignResult, SignoffView, StepResultView,
};
use crate::domain::access::{Action, Principal, ProgramId, Role, UserId};
use crate::domain::competency::{
    AttemptFact, Competency, CompetencyDomain, RequiredSetting, Requirement, Setting, Standing, Tally,
    completing_attempt, requirement_of, standing, standing_of,
};
use crate::domain::edition::{Edition, RecordKey};
use crate::domain::evaluation::{Scored, Submission, SubmissionError, corrector_role, evaluator_role};
use crate::domain::reason::{ReasonFor, check_reason};
use crate::domain::signoff_chain::SignoffContent;
use crate::error::AppError;
use crate::service::editions::edition_of_program;
use crate::storage::signoffs::{self, NewSignoff, SignoffRow};
use crate::storage::{Db, programs, users};

pub(crate) fn date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

pub(crate) fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Whether a stored record (an evaluation, or a void of one) counts toward
/// competency `code` of `edition`: its own (edition, code) is that
/// competency's or one its `same_as` names.
pub fn counts_toward(edition: &Edition, code: &str, r: &SignoffRow) -> bool {
    edition.keys_of(code).contains(&RecordKey::new(r.edition_id(), &r.competency_code))
}

/// What a stored evaluation says to the standing rules. A setting that does
/// not parse is a corrupt record: reported, and not counted.
fn fact(r: &SignoffRow) -> Option<AttemptFact> {
    if r.is_void() {
        return None;
    }
    let Some(setting) = Setting::parse(&r.setting) else {
        tracing::error!(signoff = r.id, program = %r.program_id, setting = %r.setting, "stored sign-off has an unknown setting");
        return None;
    };
    Some(AttemptFact { setting, passed: r.passed, voided: r.voided_by.is_some() })
}

/// A competency of the program's edition that is signed off (psychomotor or
/// affective), or not found.
fn signed_off<'e>(edition: &'e Edition, code: &str) -> Result<&'e Competency, AppError> {
    edition.competency(code).filter(|c| c.domain.is_signed_off()).ok_or(AppError::NotFound)
}

/// The requirement in force for one competency of a program.
async fn requirement(db: &Db, program: ProgramId, c: &Competency) -> Result<Requirement, AppError> {
    Ok(requirement_of(c, &signoffs::requirements(db, program).await?))
}

/// Counts of standing evaluations per student on competency `code` (one
/// student's when `student` is given), from the tallies kept in the same
/// transaction as every record: a sign-off or a sheet reads a few rows
/// instead of every record of the student.
async fn tallies_by_student(
    db: &Db,
    program: ProgramId,
    edition: &Edition,
    code: &str,
    student: Option<UserId>,
) -> Result<HashMap<UserId, Tally>, AppError> {
    let mut tallies: HashMap<UserId, Tally> = HashMap::new();
    for t in crate::storage::dashboard::tallies_on(db, program, &edition.keys_of(code), student).await? {
        let (Some(setting), Ok(attempts), Ok(passes)) =
            (Setting::parse(&t.setting), u32::try_from(t.attempts), u32::try_from(t.passes))
        else {
            tracing::error!(program = %program, student = %t.student_id, setting = %t.setting, "a stored tally could not be read");
            continue;
        };
        tallies.entry(t.student_id).or_default().add(setting, attempts, passes);
    }
    Ok(tallies)
}

/// One student's standing on a competency, from the tallies.
async fn standing_from_tallies(
    db: &Db,
    program: ProgramId,
    edition: &Edition,
    c: &Competency,
    requirement: Requirement,
    student: UserId,
) -> Result<Standing, AppError> {
    let tallies = tallies_by_student(db, program, edition, &c.code, Some(student)).await?;
    Ok(standing_of(requirement, tallies.get(&student).copied().unwrap_or_default()))
}

/// A competency and where a student stands on it, as the wire carries it.
fn standing_view(c: &Competency, requirement: Requirement, s: &Standing) -> CompetencyStanding {
    CompetencyStanding {
        code: c.code.clone(),
        title: c.title.clone(),
        domain: c.domain,
        status: s.status,
        counted_passes: s.counted_passes,
        required_passes: s.required_passes,
        where_label: requirement.setting.label().to_string(),
    }
}

/// A student's competency record in a program.
pub async fn record(
    ctx: &Context,
    caller: &Caller,
    program: ProgramId,
    student: UserId,
) -> Result<CompetencyRecordView, AppError> {
    let who = caller.authorize_signed_in(&Action::ViewStudentRecord { program, student })?;
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, program).await?;
    load_record(&ctx.db, &edition, program, student, Some(who)).await
}

/// A student's competency record: every signed-off competency with its
/// standing, and what completed it. Shared by the page, the printable
/// checklist and the CSV. The caller has asked the policy.
pub(crate) async fn load_record(
    db: &Db,
    edition: &Edition,
    program_id: ProgramId,
    student_id: UserId,
    viewer: Option<&Principal>,
) -> Result<CompetencyRecordView, AppError> {
    let program = programs::get_program(db, program_id).await?.ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let overrides = signoffs::requirements(db, program_id).await?;
    let records = signoffs::for_student(db, program_id, student_id).await?;
    let open = signoffs::open_requests_of_student(db, program_id, student_id).await?;
    // The student's own placement: a printed cohort loads this once per student.
    let placement = crate::storage::externship::active_placement_of(db, program_id, student_id).await?;
    // Each record counts toward the competency of this edition its own
    // edition and code map to (`domain::edition`), if any.
    let counting = edition.counting_map();
    let mut by_code: HashMap<&str, Vec<&SignoffRow>> = HashMap::new();
    for r in records.iter().filter(|r| !r.is_void()) {
        if let Some(code) = counting.get(&RecordKey::new(r.edition_id(), &r.competency_code)) {
            by_code.entry(code.as_str()).or_default().push(r);
        }
    }
    let rows = edition
        .signed_off()
        .map(|c| {
            let requirement = requirement_of(c, &overrides);
            let mine = by_code.get(c.code.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            // Attempt facts and records in step: a record that is not a fact
            // (a corrupt setting) is left out of both.
            let counted: Vec<(&SignoffRow, AttemptFact)> = mine.iter().filter_map(|r| Some((*r, fact(r)?))).collect();
            let facts: Vec<AttemptFact> = counted.iter().map(|(_, f)| *f).collect();
            let s = standing(requirement, &facts);
            let done = completing_attempt(requirement, &facts).and_then(|i| counted.get(i)).map(|(r, f)| (*r, f));
            CompetencyRow {
                competency: standing_view(c, requirement, &s),
                attempts: s.attempts,
                completed_on: done.map(|(r, _)| date(r.signed_at)),
                completed_setting: done.map(|(_, f)| f.setting),
                completed_by: done.map(|(r, _)| r.evaluator_name.clone()),
                externship_allowed: requirement.setting.allows(Setting::Externship),
                request_open: open.iter().any(|o| o.competency_code == c.code),
            }
        })
        .collect();
    Ok(CompetencyRecordView {
        program_id,
        program_name: program.name,
        student_id,
        student_name: member.display_name,
        cohort: member.cohort,
        student_number: member.student_number,
        viewer_is_student: viewer.is_some_and(|p| p.user_id == student_id),
        viewer_evaluates: !allowed_settings(viewer, program_id, student_id, Requirement::DEFAULT).is_empty(),
        preceptor_name: placement
            .as_ref()
            .filter(|p| !p.preceptors.is_empty())
            .map(|p| p.preceptors.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(", ")),
        site_name: placement.map(|p| p.site_name),
        rows,
        generated_at: time(chrono::Utc::now()),
    })
}

/// The Master Competency Checklist as CSV (what a site surveyor asks for).
pub fn record_csv(record: &CompetencyRecordView) -> Result<String, crate::csv_export::CsvError> {
    let mut t = crate::csv_export::CsvTable::new(&[
        "program",
        "student",
        "student_id",
        "cohort",
        "code",
        "competency",
        "domain",
        "status",
        "successful_attempts",
        "required",
        "where",
        "completed_on_utc",
        "setting",
        "evaluator",
    ])?;
    for r in &record.rows {
        t.row([
            record.program_name.as_str(),
            record.student_name.as_str(),
            record.student_number.as_deref().unwrap_or(""),
            record.cohort.as_deref().unwrap_or(""),
            r.competency.code.as_str(),
            r.competency.title.as_str(),
            r.competency.domain.as_str(),
            r.competency.status.label(),
            &r.competency.counted_passes.to_string(),
            &r.competency.required_passes.to_string(),
            r.competency.where_label.as_str(),
            r.completed_on.as_deref().unwrap_or(""),
            r.completed_setting.map_or("", |s| s.label()),
            r.completed_by.as_deref().unwrap_or(""),
        ])?;
    }
    t.finish()
}

/// Settings in which `who` may sign this competency for this student.
fn allowed_settings(
    who: Option<&Principal>,
    program: ProgramId,
    student: UserId,
    requirement: Requirement,
) -> Vec<Setting> {
    [Setting::Externship, Setting::Lab]
        .into_iter()
        .filter(|s| requirement.setting.allows(*s))
        .filter(|s| {
            crate::domain::access::decide(who, &Action::EvaluateStudent { program, student, setting: *s }).allowed()
        })
        .collect()
}

/// Every record of one competency for one student, voided ones included.
pub async fn history(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    student_id: UserId,
    code: &str,
) -> Result<CompetencyHistoryView, AppError> {
    caller.authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = signed_off(&edition, code)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let requirement = requirement(&ctx.db, program_id, c).await?;
    let records: Vec<_> = signoffs::for_student(&ctx.db, program_id, student_id)
        .await?
        .into_iter()
        .filter(|r| counts_toward(&edition, code, r))
        .collect();
    let facts: Vec<_> = records.iter().filter_map(fact).collect();
    let s = standing(requirement, &facts);
    let views = records
        .into_iter()
        .rev()
        .map(|r| {
            let recorded_as = (r.edition_id() != edition.id()
                || r.competency_code != c.code
                || r.competency_title != c.title)
                .then(|| {
                    let under = ctx
                        .catalog
                        .edition(r.edition_id())
                        .map_or_else(|| r.edition_id().to_string(), |e| e.info.name.clone());
                    format!("{} · {} ({under})", r.competency_code, r.competency_title)
                });
            // A record whose steps do not read is shown as unreadable, never
            // as a record without steps.
            let steps = match serde_json::from_str::<Vec<StepResultView>>(&r.steps) {
                Ok(steps) => Some(steps),
                Err(e) => {
                    tracing::error!(signoff = r.id, program = %program_id, error = %e, "stored sign-off steps could not be read");
                    None
                }
            };
            let may_correct = !r.is_void()
                && r.voided_by.is_none()
                && caller.may(&Action::CorrectSignoff {
                    program: program_id,
                    student: student_id,
                    signed_by: r.evaluator_id,
                });
            SignoffView {
                id: r.id,
                seq: r.seq,
                is_void: r.is_void(),
                signed_at: time(r.signed_at),
                evaluator_name: r.evaluator_name,
                evaluator_role: r.evaluator_role,
                setting: Setting::parse(&r.setting).map_or(r.setting.clone(), |s| s.label().to_string()),
                passed: r.passed,
                score_percent: r.score_percent,
                steps,
                comment: r.comment,
                attestation: r.attestation,
                voids_id: r.voids_id,
                reason: r.reason,
                voided_by: r.voided_by,
                current_checklist: r.checklist_version == c.version,
                checklist_version: r.checklist_version.chars().take(12).collect(),
                may_correct,
                recorded_as,
            }
        })
        .collect();
    Ok(CompetencyHistoryView {
        program_id,
        student_id,
        student_name: member.display_name,
        competency: standing_view(c, requirement, &s),
        records: views,
    })
}

/// The checklist an evaluator marks. Refused, before anything of the program
/// is read, unless the caller may sign this student in some setting.
pub async fn evaluation_sheet(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    student_id: UserId,
    code: &str,
) -> Result<SheetView, AppError> {
    let who = caller.principal();
    // Asks the policy about the setting this person would evaluate in, so a
    // refusal carries the policy's own status and reason.
    let ask_policy = || {
        let setting = if who.is_some_and(|p| p.placed_students.contains(&(program_id, student_id))) {
            Setting::Externship
        } else {
            Setting::Lab
        };
        caller.authorize_signed_in(&Action::EvaluateStudent { program: program_id, student: student_id, setting })
    };
    let any_setting = Requirement { attempts: 1, setting: RequiredSetting::Either };
    if allowed_settings(who, program_id, student_id, any_setting).is_empty() {
        ask_policy()?;
    }
    let (program, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = edition.competency(code).filter(|c| c.domain.is_signed_off());
    let requirement = match c {
        Some(c) => requirement(&ctx.db, program_id, c).await?,
        None => Requirement::DEFAULT,
    };
    let settings = allowed_settings(who, program_id, student_id, requirement);
    let Some(first) = settings.first().copied() else {
        ask_policy()?;
        // Allowed by role, but the requirement does not accept that setting.
        return Err(AppError::BadRequest(format!(
            "This competency is signed off at the {} only.",
            requirement.setting.label()
        )));
    };
    let me = caller.authorize_signed_in(&Action::EvaluateStudent {
        program: program_id,
        student: student_id,
        setting: first,
    })?;
    let c = c.ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let request_id = signoffs::open_requests_for_preceptor(&ctx.db, me.user_id)
        .await?
        .into_iter()
        .find(|r| r.program_id == program_id && r.student_id == student_id && r.competency_code == code)
        .map(|r| r.id);
    let standing = standing_from_tallies(&ctx.db, program_id, &edition, c, requirement, student_id).await?;
    Ok(SheetView {
        program_id,
        program_name: program.name,
        student_id,
        student_name: member.display_name.clone(),
        code: c.code.clone(),
        title: c.title.clone(),
        affective: c.domain == CompetencyDomain::Affective,
        steps: c.steps.clone(),
        pass_percent: c.pass_percent,
        checklist_version: c.version.clone(),
        settings,
        attestation: crate::domain::evaluation::attestation(caller.name()?, &member.display_name, c),
        request_id,
        status: standing.status,
        echo: None,
    })
}

/// Signs an evaluation. The result is computed here from the marks; the
/// record is appended to the program's chain with who, what, when, where.
pub async fn sign_evaluation(ctx: &Context, caller: &Caller, input: SignInput) -> Result<SignResult, AppError> {
    let setting = input.setting;
    let who = caller.authorize_signed_in(&Action::EvaluateStudent {
        program: input.program_id,
        student: input.student_id,
        setting,
    })?;
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, input.program_id).await?;
    let c = signed_off(&edition, &input.code)?;
    if input.checklist_version != c.version {
        return Err(AppError::field(
            "steps",
            "This checklist was updated since the page was opened. Reload the page and mark it again.",
        ));
    }
    let requirement = requirement(&ctx.db, input.program_id, c).await?;
    if !requirement.setting.allows(setting) {
        return Err(AppError::field(
            "setting",
            format!("This competency is signed off at the {} only.", requirement.setting.label()),
        ));
    }
    let member =
        programs::student_in_program(&ctx.db, input.program_id, input.student_id).await?.ok_or(AppError::NotFound)?;
    // A request is answered only by the preceptor it was sent to, for its
    // student and competency; any other id sent along is dropped.
    let request_id = match input.request_id {
        Some(id) => signoffs::open_requests_for_preceptor(&ctx.db, who.user_id)
            .await?
            .into_iter()
            .find(|r| {
                r.id == id
                    && r.program_id == input.program_id
                    && r.student_id == input.student_id
                    && r.competency_code == c.code
            })
            .map(|r| r.id),
        None => None,
    };
    let submission = Submission { marks: input.marks, comment: input.comment, attested: input.attested };
    let evaluation = Evaluation {
        program_id: input.program_id,
        edition: edition.id(),
        student: (input.student_id, &member.display_name),
        evaluator: (who.user_id, caller.name()?),
        setting,
        request_id,
        at: chrono::Utc::now(),
        ip: Some(caller.ip.clone()),
        user_agent: caller.user_agent.clone(),
    };
    let (record, scored) =
        new_evaluation(c, evaluation, &submission).map_err(|e| AppError::field(&e.field(), e.to_string()))?;
    let appended = signoffs::append(&ctx.db, &record).await?;
    // The tallies were updated in the append's transaction: they include
    // this record.
    let standing = standing_from_tallies(&ctx.db, input.program_id, &edition, c, requirement, input.student_id).await?;
    let text = |i: &usize| c.steps.get(*i).map(|s| s.text.clone());
    Ok(SignResult {
        id: appended.id,
        passed: scored.passed,
        score_percent: scored.score_percent,
        steps_met: scored.steps_met,
        steps_total: scored.steps_total,
        critical_missed: scored.critical_missed.iter().filter_map(text).collect(),
        not_met: if c.domain == CompetencyDomain::Affective {
            scored.not_met.iter().filter_map(text).collect()
        } else {
            Vec::new()
        },
        status: standing.status,
    })
}

/// The result of a stored evaluation, as signing it answered, for anyone
/// who may read the student's record (which every evaluator of the student
/// may: the program's instructors, the student's preceptors).
pub async fn signed_result(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    student_id: UserId,
    code: &str,
    signoff_id: i64,
) -> Result<SignResult, AppError> {
    caller.authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let r = signoffs::get(&ctx.db, program_id, signoff_id).await?.ok_or(AppError::NotFound)?;
    if r.student_id != student_id || r.competency_code != code || r.is_void() {
        return Err(AppError::NotFound);
    }
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = signed_off(&edition, code)?;
    let steps: Vec<StepResultView> = serde_json::from_str(&r.steps).map_err(|e| {
        tracing::error!(signoff = r.id, program = %program_id, error = %e, "stored sign-off steps could not be read");
        AppError::Internal
    })?;
    let requirement = requirement(&ctx.db, program_id, c).await?;
    let standing = standing_from_tallies(&ctx.db, program_id, &edition, c, requirement, student_id).await?;
    let missed = |critical_only: bool| {
        steps.iter().filter(|s| !s.met && (s.critical || !critical_only)).map(|s| s.text.clone()).collect()
    };
    Ok(SignResult {
        id: r.id,
        passed: r.passed,
        score_percent: u8::try_from(r.score_percent.clamp(0, 100)).unwrap_or(0),
        steps_met: steps.iter().filter(|s| s.met).count(),
        steps_total: steps.len(),
        critical_missed: missed(true),
        not_met: if c.domain == CompetencyDomain::Affective { missed(false) } else { Vec::new() },
        status: standing.status,
    })
}

/// Who evaluated whom, where, and how: everything a new evaluation record
/// needs besides the marks.
pub struct Evaluation<'a> {
    pub program_id: ProgramId,
    /// The edition the competency is from (the program's).
    pub edition: &'a str,
    pub student: (UserId, &'a str),
    pub evaluator: (UserId, &'a str),
    pub setting: Setting,
    pub request_id: Option<i64>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Scores a submission against a competency (the domain rules) and builds
/// the record to append. The one place an evaluation record is made: the
/// server function, the demo data and the benchmark all use it.
pub fn new_evaluation(
    c: &Competency,
    e: Evaluation<'_>,
    submission: &Submission,
) -> Result<(NewSignoff, Scored), SubmissionError> {
    let scored = crate::domain::evaluation::score(c, submission)?;
    let steps: Vec<StepResultView> = c
        .steps
        .iter()
        .zip(&submission.marks)
        .map(|(s, m)| StepResultView {
            text: s.text.clone(),
            critical: s.critical,
            met: m.met,
            comment: m.comment.trim().to_string(),
        })
        .collect();
    let content = SignoffContent {
        program_id: e.program_id,
        // Assigned in chain order when the record is appended.
        seq: 0,
        kind: "evaluation".into(),
        student_id: e.student.0,
        student_name: e.student.1.to_string(),
        evaluator_id: e.evaluator.0,
        evaluator_name: e.evaluator.1.to_string(),
        evaluator_role: evaluator_role(e.setting).as_str().to_string(),
        competency_code: c.code.clone(),
        competency_title: c.title.clone(),
        checklist_version: c.version.clone(),
        setting: e.setting.as_str().to_string(),
        // Serializing plain strings and booleans cannot fail.
        steps: serde_json::to_string(&steps).unwrap_or_else(|_| "[]".into()),
        comment: submission.comment.trim().to_string(),
        passed: scored.passed,
        score_percent: i64::from(scored.score_percent),
        attestation: crate::domain::evaluation::attestation(e.evaluator.1, e.student.1, c),
        voids_id: None,
        reason: None,
        request_id: e.request_id,
        signed_at: String::new(),
        ip: e.ip,
        user_agent: e.user_agent,
        edition: Some(e.edition.to_string()),
    };
    Ok((NewSignoff { content, signed_at: e.at }, scored))
}

/// The record that voids `original`: who corrects it, why, and from where.
/// Both records stay in the chain.
pub fn new_void(original: &SignoffRow, corrector: (&Principal, &str), reason: String, caller: &Caller) -> NewSignoff {
    let (me, name) = corrector;
    let content = SignoffContent {
        program_id: original.program_id,
        seq: 0,
        kind: "void".into(),
        student_id: original.student_id,
        student_name: original.student_name.clone(),
        evaluator_id: me.user_id,
        evaluator_name: name.to_string(),
        evaluator_role: corrector_role(me, original.program_id).as_str().to_string(),
        competency_code: original.competency_code.clone(),
        competency_title: original.competency_title.clone(),
        checklist_version: original.checklist_version.clone(),
        setting: original.setting.clone(),
        steps: "[]".into(),
        comment: String::new(),
        passed: false,
        score_percent: 0,
        attestation: format!(
            "I, {name}, void record {} ({} of {}, signed {}).",
            original.id,
            original.competency_code,
            original.student_name,
            time(original.signed_at)
        ),
        voids_id: Some(original.id),
        reason: Some(reason),
        request_id: None,
        signed_at: String::new(),
        ip: Some(caller.ip.clone()),
        user_agent: caller.user_agent.clone(),
        // A void belongs to the edition of the record it voids.
        edition: original.edition.clone(),
    };
    NewSignoff { content, signed_at: chrono::Utc::now() }
}

/// Records a correction: a new record voiding an earlier one, with a reason.
pub async fn void_signoff(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    signoff_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    // Signed in first; the record's facts decide the rest.
    caller.authorize_signed_in(&Action::OwnAccount)?;
    let Some(original) = signoffs::get(&ctx.db, program_id, signoff_id).await? else {
        // Same refusal for a record that does not exist as for one the caller may not see.
        caller.authorize_signed_in(&Action::ViewProgramCompetencies { program: program_id })?;
        return Err(AppError::NotFound);
    };
    let me = caller.authorize_signed_in(&Action::CorrectSignoff {
        program: program_id,
        student: original.student_id,
        signed_by: original.evaluator_id,
    })?;
    if original.is_void() || original.voided_by.is_some() {
        return Err(AppError::BadRequest("That record is already voided.".into()));
    }
    let reason = check_reason(reason, ReasonFor::VoidSignoff).map_err(|e| AppError::field("reason", e.to_string()))?;
    let record = new_void(&original, (me, caller.name()?), reason, caller);
    // Someone voiding it first breaks a uniqueness rule (`Unique::SignoffVoidedOnce`).
    signoffs::append(&ctx.db, &record).await?;
    Ok(())
}

/// A student asks their preceptor to observe and sign off a competency; the
/// preceptor gets an e-mail with a one-time link to the evaluation. Answers
/// the preceptor's name.
pub async fn request_signoff(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    code: &str,
) -> Result<String, AppError> {
    let me = caller.authorize_signed_in(&Action::RequestSignoff { program: program_id })?;
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = signed_off(&edition, code)?;
    let requirement = requirement(&ctx.db, program_id, c).await?;
    if !requirement.setting.allows(Setting::Externship) {
        return Err(AppError::BadRequest(format!("{} is signed off in the campus lab: ask your instructor.", c.title)));
    }
    let placement = programs::placements_in_program(&ctx.db, program_id)
        .await?
        .into_iter()
        .find(|p| p.student_id == me.user_id)
        .ok_or_else(|| {
            AppError::BadRequest("You have no externship placement yet, so there is no preceptor to ask.".into())
        })?;
    let now = chrono::Utc::now();
    let request_id =
        match signoffs::open_request(&ctx.db, program_id, me.user_id, placement.preceptor_id, code, now).await? {
            signoffs::RequestOutcome::Opened(id) => Some(id),
            signoffs::RequestOutcome::AlreadyOpen(_) => None,
            signoffs::RequestOutcome::TooMany => {
                let max = crate::domain::competency::MAX_OPEN_REQUESTS;
                return Err(AppError::BadRequest(format!(
                    "You have {max} requests waiting for your preceptor. Ask again when they have answered some."
                )));
            }
        };
    if let Some(request_id) = request_id {
        let preceptor = users::get(&ctx.db, placement.preceptor_id).await?.ok_or(AppError::NotFound)?;
        let next = format!("/programs/{program_id}/students/{}/evaluate/{code}?request={request_id}", me.user_id);
        crate::auth::flows::send_signoff_request(
            &ctx.env(),
            &preceptor,
            &placement.student_name,
            &format!("{} ({})", c.title, c.code),
            &next,
        )
        .await?;
    }
    Ok(placement.preceptor_name)
}

/// Open sign-off requests addressed to the signed-in preceptor.
pub async fn my_requests(ctx: &Context, caller: &Caller) -> Result<Vec<RequestView>, AppError> {
    let me = caller.authorize_signed_in(&Action::OwnAccount)?;
    let rows = signoffs::open_requests_for_preceptor(&ctx.db, me.user_id).await?;
    let mut editions = HashMap::new();
    for r in &rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = editions.entry(r.program_id) {
            let (_, e) = edition_of_program(&ctx.db, &ctx.catalog, r.program_id).await?;
            slot.insert(e);
        }
    }
    Ok(rows
        .into_iter()
        // Only students still placed with them: an ended placement ends the request's reach.
        .filter(|r| me.placed_students.contains(&(r.program_id, r.student_id)))
        .map(|r| RequestView {
            id: r.id,
            program_id: r.program_id,
            student_id: r.student_id,
            student_name: r.student_name,
            title: editions
                .get(&r.program_id)
                .and_then(|e| e.competency(&r.competency_code))
                .map_or_else(|| r.competency_code.clone(), |c| c.title.clone()),
            evaluate_path: format!(
                "/programs/{}/students/{}/evaluate/{}?request={}",
                r.program_id, r.student_id, r.competency_code, r.id
            ),
            code: r.competency_code,
            asked_on: date(r.created_at),
        })
        .collect())
}

/// Every student of a program on one competency, for an instructor running a
/// lab session (several students on one skill in a row). No code: the first
/// competency of the edition.
pub async fn lab_session(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    code: Option<&str>,
) -> Result<LabSessionView, AppError> {
    let who = caller.authorize_signed_in(&Action::ViewProgramCompetencies { program: program_id })?;
    let (program, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let competencies: Vec<(String, String)> = edition.signed_off().map(|c| (c.code.clone(), c.title.clone())).collect();
    let code = code.filter(|c| !c.is_empty()).or_else(|| competencies.first().map(|c| c.0.as_str()));
    let c = signed_off(&edition, code.ok_or(AppError::NotFound)?)?;
    let requirement = requirement(&ctx.db, program_id, c).await?;
    // The tallies, not the records: one row per student and setting.
    let tallies = tallies_by_student(&ctx.db, program_id, &edition, &c.code, None).await?;
    let students = programs::members(&ctx.db, program_id)
        .await?
        .into_iter()
        .filter(|m| m.role == Role::Student.as_str())
        .map(|m| {
            let s = standing_of(requirement, tallies.get(&m.user_id).copied().unwrap_or_default());
            LabStudent {
                student_id: m.user_id,
                name: m.display_name,
                cohort: m.cohort,
                status: s.status,
                counted_passes: s.counted_passes,
                required_passes: s.required_passes,
                attempts: s.attempts,
            }
        })
        .collect();
    let can_evaluate = requirement.setting.allows(Setting::Lab) && who.has_role(program_id, Role::Instructor);
    let (code, title) = (c.code.clone(), c.title.clone());
    Ok(LabSessionView { program_id, program_name: program.name, competencies, code, title, students, can_evaluate })
}

/// The program's requirement per competency, default and own.
pub async fn program_requirements(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
) -> Result<RequirementsView, AppError> {
    caller.authorize_signed_in(&Action::ViewProgramCompetencies { program: program_id })?;
    let (program, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let overrides = signoffs::requirements(&ctx.db, program_id).await?;
    let rows = edition
        .signed_off()
        .map(|c| RequirementRow {
            code: c.code.clone(),
            title: c.title.clone(),
            domain: c.domain,
            default: c.requirement,
            program: overrides.iter().find(|(code, _)| *code == c.code).map(|(_, r)| *r),
        })
        .collect();
    let can_edit = caller.may(&Action::ManageRequirements { program: program_id });
    Ok(RequirementsView { program_id, program_name: program.name, rows, can_edit })
}

/// Sets the program's own requirement for a competency (directors). The
/// values come from a form: each bad one is an error next to its field.
pub async fn set_requirement(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    code: &str,
    attempts: &str,
    setting: &str,
) -> Result<(), AppError> {
    let me = caller.authorize_signed_in(&Action::ManageRequirements { program: program_id })?;
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = signed_off(&edition, code)?;
    let attempts = attempts
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::field("attempts", "Successful attempts must be a whole number from 1 to 50."))?;
    let attempts = Requirement::validate(attempts).map_err(|message| AppError::field("attempts", message))?;
    let setting = RequiredSetting::parse(setting)
        .ok_or_else(|| AppError::field("setting", "Choose lab, externship or either."))?;
    signoffs::set_requirement(
        &ctx.db,
        program_id,
        &c.code,
        Requirement { attempts, setting },
        me.user_id,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}
