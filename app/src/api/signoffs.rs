//! Competency sign-offs: a student's competency record, the evaluation
//! sheet and signing, corrections, requests to a preceptor, the lab session
//! list and a program's requirements. Thin: each function authorizes with
//! `domain::access`, applies `domain::{competency, evaluation}`, and stores
//! through `storage::signoffs`.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

use crate::domain::checklist::ChecklistStep;
use crate::domain::competency::{CompetencyStatus, Requirement};
use crate::domain::evaluation::StepMark;
use crate::error::AppError;

/// One competency on a student's record (and Master Competency Checklist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyRow {
    pub code: String,
    pub title: String,
    pub domain: String,
    pub status: CompetencyStatus,
    pub counted_passes: u8,
    pub required_passes: u8,
    /// "lab or externship", "externship"…
    pub where_label: String,
    pub attempts: u32,
    /// The pass that completed the requirement: date (UTC), setting, evaluator.
    pub completed_on: Option<String>,
    pub completed_setting: Option<String>,
    pub completed_by: Option<String>,
    /// The student may ask their preceptor (requirement allows the externship).
    pub externship_allowed: bool,
    pub request_open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyRecordView {
    pub program_id: i64,
    pub program_name: String,
    pub student_id: i64,
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
        self.rows.iter().filter(|r| r.status == CompetencyStatus::Complete).count()
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
    pub steps: Vec<StepResultView>,
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
    pub program_id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub code: String,
    pub title: String,
    pub domain: String,
    pub status: CompetencyStatus,
    pub counted_passes: u8,
    pub required_passes: u8,
    pub where_label: String,
    pub records: Vec<SignoffView>,
}

/// What an evaluator needs to mark and sign an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetView {
    pub program_id: i64,
    pub program_name: String,
    pub student_id: i64,
    pub student_name: String,
    pub code: String,
    pub title: String,
    pub affective: bool,
    pub steps: Vec<ChecklistStep>,
    pub pass_percent: u8,
    pub checklist_version: String,
    /// Settings this evaluator may sign in, for this competency ("lab", "externship").
    pub settings: Vec<String>,
    pub attestation: String,
    /// An open request from the student for this competency, answered by signing.
    pub request_id: Option<i64>,
    pub status: CompetencyStatus,
}

/// What an evaluator submits (JSON: steps are a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInput {
    pub program_id: i64,
    pub student_id: i64,
    pub code: String,
    pub setting: String,
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
    pub program_id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub code: String,
    pub title: String,
    pub asked_on: String,
    pub evaluate_path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabStudent {
    pub student_id: i64,
    pub name: String,
    pub cohort: Option<String>,
    pub status: CompetencyStatus,
    pub counted_passes: u8,
    pub required_passes: u8,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabSessionView {
    pub program_id: i64,
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
    pub domain: String,
    pub default: Requirement,
    pub program: Option<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementsView {
    pub program_id: i64,
    pub program_name: String,
    pub rows: Vec<RequirementRow>,
    pub can_edit: bool,
}

#[cfg(feature = "ssr")]
pub use ssr::{Evaluation, corrector_role, load_record, new_evaluation, record_csv, requirement_of};

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::HashMap;

    use super::*;
    use crate::domain::access::{Action, Principal, Role, decide};
    use crate::domain::competency::{AttemptFact, Competency, Setting, completing_attempt, standing};
    use crate::domain::edition::{Edition, RecordKey};
    use crate::domain::signoff_chain::SignoffContent;
    use crate::storage::signoffs::{self, SignoffRow};
    use crate::storage::{Db, programs};

    pub(super) fn date(t: chrono::DateTime<chrono::Utc>) -> String {
        t.format("%Y-%m-%d").to_string()
    }

    pub(super) fn time(t: chrono::DateTime<chrono::Utc>) -> String {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// The requirement in force: the program's own, or the framework's.
    pub fn requirement_of(c: &Competency, overrides: &[(String, Requirement)]) -> Requirement {
        overrides.iter().find(|(code, _)| *code == c.code).map_or(c.requirement, |(_, r)| *r)
    }

    /// Whether a stored record (an evaluation, or a void of one) counts
    /// toward competency `code` of `edition`: its own (edition, code) is that
    /// competency's or one its `same_as` names.
    pub fn counts_toward(edition: &Edition, code: &str, r: &SignoffRow) -> bool {
        edition.keys_of(code).contains(&RecordKey::new(r.edition_id(), &r.competency_code))
    }

    pub(super) fn fact(r: &SignoffRow) -> Option<AttemptFact> {
        let setting = Setting::parse(&r.setting)?;
        (!r.is_void()).then_some(AttemptFact { setting, passed: r.passed, voided: r.voided_by.is_some() })
    }

    /// A student's competency record: every signed-off competency with its
    /// standing, and what completed it. Shared by the page, the printable
    /// checklist and the CSV.
    pub async fn load_record(
        db: &Db,
        edition: &Edition,
        program_id: i64,
        student_id: i64,
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
                let mine = by_code.get(c.code.as_str()).cloned().unwrap_or_default();
                let facts: Vec<AttemptFact> = mine.iter().filter_map(|r| fact(r)).collect();
                let s = standing(requirement, &facts);
                let done = completing_attempt(requirement, &facts).and_then(|i| mine.get(i));
                CompetencyRow {
                    code: c.code.clone(),
                    title: c.title.clone(),
                    domain: c.domain.as_str().to_string(),
                    status: s.status,
                    counted_passes: s.counted_passes,
                    required_passes: s.required_passes,
                    where_label: requirement.setting.label().to_string(),
                    attempts: s.attempts,
                    completed_on: done.map(|r| date(r.signed_at)),
                    completed_setting: done.and_then(|r| Setting::parse(&r.setting)).map(|s| s.label().to_string()),
                    completed_by: done.map(|r| r.evaluator_name.clone()),
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
            viewer_evaluates: !allowed_settings(
                viewer,
                program_id,
                student_id,
                Requirement { attempts: 1, setting: crate::domain::competency::RequiredSetting::Either },
            )
            .is_empty(),
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
                r.code.as_str(),
                r.title.as_str(),
                r.domain.as_str(),
                r.status.label(),
                &r.counted_passes.to_string(),
                &r.required_passes.to_string(),
                r.where_label.as_str(),
                r.completed_on.as_deref().unwrap_or(""),
                r.completed_setting.as_deref().unwrap_or(""),
                r.completed_by.as_deref().unwrap_or(""),
            ])?;
        }
        t.finish()
    }

    /// Settings in which `who` may sign this competency for this student.
    pub(super) fn allowed_settings(
        who: Option<&Principal>,
        program: i64,
        student: i64,
        requirement: Requirement,
    ) -> Vec<Setting> {
        [Setting::Externship, Setting::Lab]
            .into_iter()
            .filter(|s| requirement.setting.allows(*s))
            .filter(|s| decide(who, &Action::EvaluateStudent { program, student, setting: *s }).allowed())
            .collect()
    }

    /// Who evaluated whom, where, and how: everything a new evaluation record
    /// needs besides the marks.
    pub struct Evaluation<'a> {
        pub program_id: i64,
        /// The edition the competency is from (the program's).
        pub edition: &'a str,
        pub student: (i64, &'a str),
        pub evaluator: (i64, &'a str),
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
        submission: &crate::domain::evaluation::Submission,
    ) -> Result<(signoffs::NewSignoff, crate::domain::evaluation::Scored), crate::domain::evaluation::SubmissionError>
    {
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
            evaluator_role: match e.setting {
                Setting::Lab => "instructor",
                Setting::Externship => "preceptor",
            }
            .to_string(),
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
        let record = signoffs::NewSignoff { content, signed_at: e.at };
        Ok((record, scored))
    }

    /// The role a correction is recorded under.
    pub fn corrector_role(p: &Principal, program: i64) -> &'static str {
        if p.has_role(program, Role::Director) {
            "director"
        } else if p.has_role(program, Role::Instructor) {
            "instructor"
        } else {
            "preceptor"
        }
    }
}

/// A student's competency record in a program.
#[server(endpoint = "competency-record", input = GetUrl)]
pub async fn competency_record(program_id: i64, student_id: i64) -> Result<CompetencyRecordView, AppError> {
    use crate::domain::access::Action;
    let who = crate::api::authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let (_, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    load_record(&ctx.db, &edition, program_id, student_id, Some(&who)).await
}

/// Every record of one competency for one student, voided ones included.
#[server(endpoint = "competency-history", input = GetUrl)]
pub async fn competency_history(
    program_id: i64,
    student_id: i64,
    code: String,
) -> Result<CompetencyHistoryView, AppError> {
    use crate::domain::access::{Action, decide};
    use crate::domain::competency::standing;
    use crate::storage::{programs, signoffs};
    let who = crate::api::authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let (_, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = edition.competency(&code).filter(|c| c.domain.is_signed_off()).ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let requirement = ssr::requirement_of(c, &signoffs::requirements(&ctx.db, program_id).await?);
    let records: Vec<_> = signoffs::for_student(&ctx.db, program_id, student_id)
        .await?
        .into_iter()
        .filter(|r| ssr::counts_toward(&edition, &code, r))
        .collect();
    let facts: Vec<_> = records.iter().filter_map(ssr::fact).collect();
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
            let steps: Vec<StepResultView> = serde_json::from_str(&r.steps).unwrap_or_default();
            let may_correct = !r.is_void()
                && r.voided_by.is_none()
                && decide(
                    Some(&who),
                    &Action::CorrectSignoff { program: program_id, student: student_id, signed_by: r.evaluator_id },
                )
                .allowed();
            SignoffView {
                id: r.id,
                seq: r.seq,
                is_void: r.is_void(),
                signed_at: ssr::time(r.signed_at),
                evaluator_name: r.evaluator_name,
                evaluator_role: r.evaluator_role,
                setting: crate::domain::competency::Setting::parse(&r.setting)
                    .map_or(r.setting.clone(), |s| s.label().to_string()),
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
        code: c.code.clone(),
        title: c.title.clone(),
        domain: c.domain.as_str().to_string(),
        status: s.status,
        counted_passes: s.counted_passes,
        required_passes: s.required_passes,
        where_label: requirement.setting.label().to_string(),
        records: views,
    })
}

/// The checklist an evaluator marks. Refused unless the caller may sign
/// this competency for this student in some setting.
#[server(endpoint = "evaluation-sheet", input = GetUrl)]
pub async fn evaluation_sheet(program_id: i64, student_id: i64, code: String) -> Result<SheetView, AppError> {
    use crate::domain::access::Action;
    use crate::domain::competency::{CompetencyDomain, Setting, standing};
    use crate::storage::{programs, signoffs};
    let ctx = crate::api::ServerContext::get()?;
    // Refuse before reading anything of the program: the policy first.
    let who = crate::api::current_principal();
    // Asks the policy about the setting this person would evaluate in, so a
    // refusal carries the policy's own status and reason.
    let ask_policy = || {
        let setting = if who.as_ref().is_some_and(|p| p.placed_students.contains(&(program_id, student_id))) {
            Setting::Externship
        } else {
            Setting::Lab
        };
        crate::api::authorize_signed_in(&Action::EvaluateStudent { program: program_id, student: student_id, setting })
    };
    let any_setting = Requirement { attempts: 1, setting: crate::domain::competency::RequiredSetting::Either };
    if ssr::allowed_settings(who.as_ref(), program_id, student_id, any_setting).is_empty() {
        ask_policy()?;
    }
    let (program, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = edition.competency(&code).filter(|c| c.domain.is_signed_off()).cloned();
    let requirement = match &c {
        Some(c) => ssr::requirement_of(c, &signoffs::requirements(&ctx.db, program_id).await?),
        None => Requirement::DEFAULT,
    };
    let settings = ssr::allowed_settings(who.as_ref(), program_id, student_id, requirement);
    let Some(first) = settings.first().copied() else {
        ask_policy()?;
        // Allowed by role, but the requirement does not accept that setting.
        return Err(AppError::BadRequest(format!(
            "This competency is signed off at the {} only.",
            requirement.setting.label()
        )));
    };
    crate::api::authorize_signed_in(&Action::EvaluateStudent {
        program: program_id,
        student: student_id,
        setting: first,
    })?;
    let c = c.ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let evaluator = crate::api::request_auth().signed_in.map(|s| s.user.display_name).unwrap_or_default();
    let me = who.as_ref().map_or(0, |p| p.user_id);
    let request_id = signoffs::open_requests_for_preceptor(&ctx.db, me)
        .await?
        .into_iter()
        .find(|r| r.program_id == program_id && r.student_id == student_id && r.competency_code == code)
        .map(|r| r.id);
    let records = signoffs::for_student(&ctx.db, program_id, student_id).await?;
    let facts: Vec<_> =
        records.iter().filter(|r| ssr::counts_toward(&edition, &code, r)).filter_map(ssr::fact).collect();
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
        settings: settings.iter().map(|s| s.as_str().to_string()).collect(),
        attestation: crate::domain::evaluation::attestation(&evaluator, &member.display_name, &c),
        request_id,
        status: standing(requirement, &facts).status,
    })
}

/// Signs an evaluation. The result is computed here from the marks; the
/// record is appended to the program's chain with who, what, when, where.
#[server(endpoint = "sign-evaluation", input = Json)]
pub async fn sign_evaluation(input: SignInput) -> Result<SignResult, AppError> {
    use crate::domain::access::Action;
    use crate::domain::competency::{Setting, standing};
    use crate::domain::evaluation::Submission;
    use crate::storage::{programs, signoffs};
    let setting = Setting::parse(&input.setting)
        .ok_or_else(|| AppError::field("setting", "Choose where you observed the attempt."))?;
    let who = crate::api::authorize_signed_in(&Action::EvaluateStudent {
        program: input.program_id,
        student: input.student_id,
        setting,
    })?;
    let ctx = crate::api::ServerContext::get()?;
    let (_, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, input.program_id).await?;
    let c = edition.competency(&input.code).filter(|c| c.domain.is_signed_off()).ok_or(AppError::NotFound)?;
    if input.checklist_version != c.version {
        return Err(AppError::field(
            "steps",
            "This checklist was updated since the page was opened. Reload the page and mark it again.",
        ));
    }
    let overrides = signoffs::requirements(&ctx.db, input.program_id).await?;
    let requirement = ssr::requirement_of(c, &overrides);
    if !requirement.setting.allows(setting) {
        return Err(AppError::field(
            "setting",
            format!("This competency is signed off at the {} only.", requirement.setting.label()),
        ));
    }
    let member =
        programs::student_in_program(&ctx.db, input.program_id, input.student_id).await?.ok_or(AppError::NotFound)?;
    let auth = crate::api::request_auth();
    let evaluator = auth.signed_in.as_ref().map(|s| s.user.display_name.clone()).ok_or(AppError::Unauthenticated)?;
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
    let evaluation = ssr::Evaluation {
        program_id: input.program_id,
        edition: edition.id(),
        student: (input.student_id, &member.display_name),
        evaluator: (who.user_id, &evaluator),
        setting,
        request_id,
        at: chrono::Utc::now(),
        ip: Some(auth.ip.clone()),
        user_agent: auth.user_agent.clone(),
    };
    let (record, scored) =
        ssr::new_evaluation(c, evaluation, &submission).map_err(|e| AppError::field(&e.field(), e.to_string()))?;
    let appended = signoffs::append(&ctx.db, &record).await?;
    let records = signoffs::for_student(&ctx.db, input.program_id, input.student_id).await?;
    let facts: Vec<_> =
        records.iter().filter(|r| ssr::counts_toward(&edition, &c.code, r)).filter_map(ssr::fact).collect();
    let text = |i: &usize| c.steps.get(*i).map(|s| s.text.clone()).unwrap_or_default();
    Ok(SignResult {
        id: appended.id,
        passed: scored.passed,
        score_percent: scored.score_percent,
        steps_met: scored.steps_met,
        steps_total: scored.steps_total,
        critical_missed: scored.critical_missed.iter().map(text).collect(),
        not_met: if c.domain == crate::domain::competency::CompetencyDomain::Affective {
            scored.not_met.iter().map(text).collect()
        } else {
            Vec::new()
        },
        status: standing(requirement, &facts).status,
    })
}

/// Records a correction: a new record voiding an earlier one, with a reason.
/// Both stay on the record.
#[server(endpoint = "void-signoff")]
pub async fn void_signoff(program_id: i64, signoff_id: i64, reason: String) -> Result<(), AppError> {
    use crate::domain::access::Action;
    use crate::domain::reason::{ReasonFor, check_reason};
    use crate::domain::signoff_chain::SignoffContent;
    use crate::storage::signoffs;
    // Signed in first; the record's facts decide the rest.
    let me = crate::api::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = crate::api::ServerContext::get()?;
    let original = signoffs::get(&ctx.db, program_id, signoff_id).await?;
    let Some(original) = original else {
        // Same refusal for a record that does not exist as for one the caller may not see.
        crate::api::authorize_signed_in(&Action::ViewProgramCompetencies { program: program_id })?;
        return Err(AppError::NotFound);
    };
    crate::api::authorize_signed_in(&Action::CorrectSignoff {
        program: program_id,
        student: original.student_id,
        signed_by: original.evaluator_id,
    })?;
    if original.is_void() || original.voided_by.is_some() {
        return Err(AppError::BadRequest("That record is already voided.".into()));
    }
    let reason = check_reason(&reason, ReasonFor::VoidSignoff).map_err(|e| AppError::field("reason", e.to_string()))?;
    let auth = crate::api::request_auth();
    let name = auth.signed_in.as_ref().map(|s| s.user.display_name.clone()).unwrap_or_default();
    signoffs::append(
        &ctx.db,
        &signoffs::NewSignoff {
            content: SignoffContent {
                program_id,
                seq: 0,
                kind: "void".into(),
                student_id: original.student_id,
                student_name: original.student_name.clone(),
                evaluator_id: me.user_id,
                evaluator_name: name.clone(),
                evaluator_role: ssr::corrector_role(&me, program_id).to_string(),
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
                    ssr::time(original.signed_at)
                ),
                voids_id: Some(original.id),
                reason: Some(reason),
                request_id: None,
                signed_at: String::new(),
                ip: Some(auth.ip.clone()),
                user_agent: auth.user_agent.clone(),
                // A void belongs to the edition of the record it voids.
                edition: original.edition.clone(),
            },
            signed_at: chrono::Utc::now(),
        },
    )
    .await
    .map_err(|e| match e {
        crate::storage::StorageError::Conflict(_) => AppError::BadRequest("That record is already voided.".into()),
        other => other.into(),
    })?;
    Ok(())
}

/// A student asks their preceptor to observe and sign off a competency; the
/// preceptor gets an e-mail with a one-time link to the evaluation.
#[server(endpoint = "request-signoff")]
pub async fn request_signoff(program_id: i64, code: String) -> Result<String, AppError> {
    use crate::domain::access::Action;
    use crate::domain::competency::Setting;
    use crate::storage::{programs, signoffs, users};
    let me = crate::api::authorize_signed_in(&Action::RequestSignoff { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let (_, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = edition.competency(&code).filter(|c| c.domain.is_signed_off()).ok_or(AppError::NotFound)?;
    let requirement = ssr::requirement_of(c, &signoffs::requirements(&ctx.db, program_id).await?);
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
        match signoffs::open_request(&ctx.db, program_id, me.user_id, placement.preceptor_id, &code, now).await? {
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
#[server(endpoint = "my-requests", input = GetUrl)]
pub async fn my_requests() -> Result<Vec<RequestView>, AppError> {
    use crate::domain::access::Action;
    let me = crate::api::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = crate::api::ServerContext::get()?;
    let rows = crate::storage::signoffs::open_requests_for_preceptor(&ctx.db, me.user_id).await?;
    let mut editions = std::collections::HashMap::new();
    for r in &rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = editions.entry(r.program_id) {
            let (_, e) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, r.program_id).await?;
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
            asked_on: ssr::date(r.created_at),
        })
        .collect())
}

/// Every student of a program on one competency, for an instructor running a
/// lab session (several students on one skill in a row).
#[server(endpoint = "lab-session", input = GetUrl)]
pub async fn lab_session(program_id: i64, code: Option<String>) -> Result<LabSessionView, AppError> {
    use crate::domain::access::{Action, Role};
    use crate::domain::competency::{Setting, Tally, standing_of};
    use crate::storage::{programs, signoffs};
    let who = crate::api::authorize_signed_in(&Action::ViewProgramCompetencies { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let (program, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let competencies: Vec<(String, String)> = edition.signed_off().map(|c| (c.code.clone(), c.title.clone())).collect();
    let code = code.filter(|c| !c.is_empty()).or_else(|| competencies.first().map(|c| c.0.clone())).unwrap_or_default();
    let c = edition.competency(&code).filter(|c| c.domain.is_signed_off()).ok_or(AppError::NotFound)?;
    let requirement = ssr::requirement_of(c, &signoffs::requirements(&ctx.db, program_id).await?);
    // The tallies, not the records: one row per student and setting.
    let mut tallies: std::collections::HashMap<i64, Tally> = std::collections::HashMap::new();
    for t in crate::storage::dashboard::tallies_on(&ctx.db, program_id, &edition.keys_of(&code)).await? {
        if let Some(setting) = Setting::parse(&t.setting) {
            tallies.entry(t.student_id).or_default().add(
                setting,
                u32::try_from(t.attempts).unwrap_or(0),
                u32::try_from(t.passes).unwrap_or(0),
            );
        }
    }
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
    Ok(LabSessionView {
        program_id,
        program_name: program.name,
        competencies,
        code: c.code.clone(),
        title: c.title.clone(),
        students,
        can_evaluate,
    })
}

/// The program's requirement per competency, default and own.
#[server(endpoint = "program-requirements", input = GetUrl)]
pub async fn program_requirements(program_id: i64) -> Result<RequirementsView, AppError> {
    use crate::domain::access::{Action, decide};
    use crate::storage::signoffs;
    let who = crate::api::authorize_signed_in(&Action::ViewProgramCompetencies { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let (program, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let overrides = signoffs::requirements(&ctx.db, program_id).await?;
    let rows = edition
        .signed_off()
        .map(|c| RequirementRow {
            code: c.code.clone(),
            title: c.title.clone(),
            domain: c.domain.as_str().to_string(),
            default: c.requirement,
            program: overrides.iter().find(|(code, _)| *code == c.code).map(|(_, r)| *r),
        })
        .collect();
    let can_edit = decide(Some(&who), &Action::ManageRequirements { program: program_id }).allowed();
    Ok(RequirementsView { program_id, program_name: program.name, rows, can_edit })
}

/// Sets the program's own requirement for a competency (directors).
#[server(endpoint = "set-requirement")]
pub async fn set_requirement(program_id: i64, code: String, attempts: String, setting: String) -> Result<(), AppError> {
    use crate::domain::access::Action;
    use crate::domain::competency::RequiredSetting;
    let me = crate::api::authorize_signed_in(&Action::ManageRequirements { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let (_, edition) = crate::api::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let c = edition.competency(&code).filter(|c| c.domain.is_signed_off()).ok_or(AppError::NotFound)?;
    let attempts = attempts.trim().parse::<i64>().unwrap_or(0);
    let attempts = Requirement::validate(attempts).map_err(|message| AppError::field("attempts", message))?;
    let setting = RequiredSetting::parse(&setting)
        .ok_or_else(|| AppError::field("setting", "Choose lab, externship or either."))?;
    crate::storage::signoffs::set_requirement(
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
