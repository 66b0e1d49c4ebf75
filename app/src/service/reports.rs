//! The program director's reports: the cohort dashboard (students by
//! competencies, hours, the at-risk list, charts), the accreditation summary
//! (and its CSV) and every student's printable Master Competency Checklist.
//! Each reads a cohort in a few aggregate queries (`storage::dashboard`) and
//! applies `domain::{competency, cohort, hours}`.
//!
//! The entry points ask the policy (`Action::ViewProgramReports`) first; the
//! `load_*` functions below them are for callers that already have (the
//! benchmarks and tests, which have no request).

use crate::domain::ids::UserId;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{Caller, Context};
use crate::api::reports::{DashboardRow, DashboardView, SummaryView, status_char};
use crate::api::signoffs::CompetencyRecordView;
use crate::content::Catalog;
use crate::domain::access::{Action, Principal, ProgramId};
use crate::domain::cohort::{PlacementFacts, StudentFacts, StudentFilter, at_risk, cumulative, summarize};
use crate::domain::competency::{
    Competency, CompetencyDomain, CompetencyStatus, Setting, Tally, requirement_of, standing_of,
};
use crate::domain::edition::RecordKey;
use crate::domain::externship::{EvaluationKind, Readiness};
use crate::domain::hours::{by_week, format_hours, percent_of};
use crate::error::AppError;
use crate::service::editions::{edition_of_program, resolve};
use crate::service::signoffs::{load_record, time};
use crate::storage::{Db, dashboard, externship, programs, signoffs};

/// A cohort id from a link: 0 (or less) means every cohort.
fn cohort_of(cohort_id: i64) -> Option<i64> {
    (cohort_id > 0).then_some(cohort_id)
}

/// The cohort dashboard, filtered (`filter` as the link names it).
pub async fn dashboard(
    ctx: &Context,
    caller: &Caller,
    program: ProgramId,
    cohort_id: i64,
    filter: &str,
) -> Result<DashboardView, AppError> {
    caller.authorize_signed_in(&Action::ViewProgramReports { program })?;
    let today = chrono::Utc::now().date_naive();
    load_dashboard(&ctx.db, &ctx.catalog, program, cohort_of(cohort_id), StudentFilter::parse(filter), today).await
}

/// The accreditation summary of a cohort (or the whole program).
pub async fn summary(
    ctx: &Context,
    caller: &Caller,
    program: ProgramId,
    cohort_id: i64,
) -> Result<SummaryView, AppError> {
    caller.authorize_signed_in(&Action::ViewProgramReports { program })?;
    load_summary(&ctx.db, &ctx.catalog, program, cohort_of(cohort_id)).await
}

/// The accreditation summary as CSV, a row per student (the download).
pub async fn summary_csv(
    ctx: &Context,
    caller: &Caller,
    program: ProgramId,
    cohort_id: i64,
) -> Result<String, AppError> {
    caller.authorize_signed_in(&Action::ViewProgramReports { program })?;
    let c = load_cohort(&ctx.db, &ctx.catalog, program, cohort_of(cohort_id)).await?;
    Ok(cohort_csv(&c)?)
}

/// Every student's Master Competency Checklist in one printable document.
pub async fn checklists(
    ctx: &Context,
    caller: &Caller,
    program: ProgramId,
    cohort_id: i64,
) -> Result<Vec<CompetencyRecordView>, AppError> {
    let who = caller.authorize_signed_in(&Action::ViewProgramReports { program })?;
    load_checklists(&ctx.db, &ctx.catalog, program, cohort_of(cohort_id), Some(who)).await
}

/// Everything the dashboard and summary know about a cohort.
pub struct Cohort {
    pub students: Vec<dashboard::StudentRow>,
    /// (code, title, domain) of every signed-off competency.
    pub competencies: Vec<(String, String, CompetencyDomain)>,
    /// Status per student (same order as `students`), per competency.
    pub statuses: Vec<Vec<CompetencyStatus>>,
    pub facts: Vec<StudentFacts>,
}

/// Loads a cohort (or the whole program) in five aggregate queries and
/// applies each competency's requirement to each student. The caller has
/// asked the policy. A tally that cannot be read (an unknown setting, a
/// negative count) is a corrupt row: logged with its ids, and not counted.
pub async fn load_cohort(
    db: &Db,
    catalog: &Catalog,
    program: ProgramId,
    cohort: Option<i64>,
) -> Result<Cohort, AppError> {
    let p = programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
    let students = dashboard::students(db, program, cohort).await?;
    let tallies = dashboard::tallies(db, program, cohort).await?;
    let hours = dashboard::hours_sums(db, program, cohort).await?;
    let placements = dashboard::latest_placements(db, program, cohort).await?;
    let overrides = signoffs::requirements(db, program).await?;
    let edition = resolve(db, catalog, &p.edition_id).await?;
    let competencies: Vec<&Competency> = edition.signed_off().collect();
    let index: HashMap<&str, usize> = competencies.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
    // A tally row counts toward the competency its (edition, code) maps to.
    let counting = edition.counting_map();
    let row_of: HashMap<UserId, usize> = students.iter().enumerate().map(|(i, s)| (s.student_id, i)).collect();
    let mut tally: Vec<Vec<Tally>> = vec![vec![Tally::default(); competencies.len()]; students.len()];
    for t in &tallies {
        let key = RecordKey::new(&t.edition, &t.competency_code);
        let (Some(&r), Some(&k)) =
            (row_of.get(&t.student_id), counting.get(&key).and_then(|code| index.get(code.as_str())))
        else {
            // A student outside the cohort, or a competency this edition does not count.
            continue;
        };
        let (Some(setting), Ok(attempts), Ok(passes)) =
            (Setting::parse(&t.setting), u32::try_from(t.attempts), u32::try_from(t.passes))
        else {
            tracing::error!(
                program = %program,
                student = %t.student_id,
                edition = %t.edition,
                competency = %t.competency_code,
                setting = %t.setting,
                attempts = t.attempts,
                passes = t.passes,
                "a stored tally could not be read"
            );
            continue;
        };
        tally[r][k].add(setting, attempts, passes);
    }
    let requirements: Vec<_> = competencies.iter().map(|c| requirement_of(c, &overrides)).collect();
    let mut minutes_of: HashMap<(UserId, &str), i64> = HashMap::new();
    for h in &hours {
        *minutes_of.entry((h.student_id, h.status.as_str())).or_default() += h.minutes;
    }
    let mut statuses = Vec::with_capacity(students.len());
    let mut facts = Vec::with_capacity(students.len());
    for (r, s) in students.iter().enumerate() {
        let row: Vec<CompetencyStatus> =
            (0..competencies.len()).map(|k| standing_of(requirements[k], tally[r][k]).status).collect();
        let missing = |d: CompetencyDomain| -> Vec<String> {
            competencies
                .iter()
                .zip(&row)
                .filter(|(c, st)| c.domain == d && **st != CompetencyStatus::Complete)
                .map(|(c, _)| c.code.clone())
                .collect()
        };
        // No row for a status: no hours in it.
        let minutes = |status: &str| minutes_of.get(&(s.student_id, status)).copied().unwrap_or(0);
        let placement = placements.iter().find(|pl| pl.student_id == s.student_id).map(|pl| PlacementFacts {
            start: pl.start_date,
            end: pl.end_date,
            required_minutes: i64::from(pl.required_hours) * 60,
            approved_minutes: minutes("approved"),
            pending_minutes: minutes("pending"),
        });
        facts.push(StudentFacts {
            student_id: s.student_id,
            name: s.name.clone(),
            psychomotor_missing: missing(CompetencyDomain::Psychomotor),
            affective_missing: missing(CompetencyDomain::Affective),
            placement,
            program_required_minutes: i64::from(p.required_externship_hours) * 60,
        });
        statuses.push(row);
    }
    Ok(Cohort {
        students,
        competencies: competencies.iter().map(|c| (c.code.clone(), c.title.clone(), c.domain)).collect(),
        statuses,
        facts,
    })
}

/// The dashboard for a cohort (or the whole program), filtered. The caller
/// has asked the policy.
pub async fn load_dashboard(
    db: &Db,
    catalog: &Catalog,
    program: ProgramId,
    cohort: Option<i64>,
    filter: StudentFilter,
    today: NaiveDate,
) -> Result<DashboardView, AppError> {
    let p = programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
    let c = load_cohort(db, catalog, program, cohort).await?;
    let approved = dashboard::approved_by_day(db, program, cohort).await?;
    let passes = dashboard::passes_by_day(db, program, cohort).await?;
    let mut complete_per_competency = vec![0u32; c.competencies.len()];
    let mut rows = Vec::new();
    let mut at_risk_count = 0;
    for ((s, row), f) in c.students.iter().zip(&c.statuses).zip(&c.facts) {
        for (k, st) in row.iter().enumerate() {
            if *st == CompetencyStatus::Complete {
                complete_per_competency[k] += 1;
            }
        }
        let risks: Vec<String> = at_risk(f, today).iter().map(|x| x.message()).collect();
        if !risks.is_empty() {
            at_risk_count += 1;
        }
        if !filter.keeps(!risks.is_empty(), f.finished()) {
            continue;
        }
        let complete =
            u32::try_from(row.iter().filter(|st| **st == CompetencyStatus::Complete).count()).unwrap_or(u32::MAX);
        let (approved_m, required_m) = f.hours();
        rows.push(DashboardRow {
            student_id: s.student_id,
            name: s.name.clone(),
            cohort: s.cohort.clone(),
            cells: row.iter().map(|st| status_char(*st)).collect(),
            complete,
            approved_hours: format_hours(approved_m),
            required_hours: format_hours(required_m),
            hours_percent: percent_of(approved_m, required_m),
            risks,
        });
    }
    let hours_days: Vec<(NaiveDate, f64)> = approved.iter().map(|(d, m)| (*d, *m as f64 / 60.0)).collect();
    let pass_days: Vec<(NaiveDate, f64)> = passes.iter().map(|(d, n)| (*d, *n as f64)).collect();
    Ok(DashboardView {
        program_id: program,
        program_name: p.name,
        cohorts: dashboard::cohorts(db, program).await?,
        cohort_id: cohort,
        filter,
        competencies: c.competencies,
        rows,
        cohort_size: c.students.len(),
        complete_per_competency,
        at_risk: at_risk_count,
        hours_per_week: by_week(&hours_days),
        passes_over_time: cumulative(by_week(&pass_days)),
        today: today.to_string(),
    })
}

/// The accreditation summary of a cohort (or the whole program). The caller
/// has asked the policy. An evaluation whose kind or readiness cannot be
/// read is logged with its id and not counted.
pub async fn load_summary(
    db: &Db,
    catalog: &Catalog,
    program: ProgramId,
    cohort: Option<i64>,
) -> Result<SummaryView, AppError> {
    let p = programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
    let c = load_cohort(db, catalog, program, cohort).await?;
    let (figures, exceptions) = summarize(&c.facts);
    let cohorts = dashboard::cohorts(db, program).await?;
    let in_cohort: HashSet<UserId> = c.students.iter().map(|s| s.student_id).collect();
    let mut readiness_of: Vec<Readiness> = Vec::new();
    let mut site_evaluations = 0;
    for e in externship::evaluations_in_program(db, program).await? {
        if !in_cohort.contains(&e.student_id) {
            continue;
        }
        let Some(kind) = EvaluationKind::parse(&e.kind) else {
            tracing::error!(evaluation = e.id, program = %program, kind = %e.kind, "a stored evaluation has an unknown kind");
            continue;
        };
        site_evaluations += usize::from(kind == EvaluationKind::OfSite);
        match e.readiness.as_deref().map(|r| (r, Readiness::parse(r))) {
            None => {}
            Some((_, Some(r))) => readiness_of.push(r),
            Some((r, None)) => {
                tracing::error!(evaluation = e.id, program = %program, readiness = %r, "a stored evaluation has an unknown readiness");
            }
        }
    }
    let readiness = Readiness::ALL.into_iter().map(|r| (r, readiness_of.iter().filter(|x| **x == r).count())).collect();
    Ok(SummaryView {
        program_id: program,
        program_name: p.name,
        cohort_name: cohort
            .and_then(|id| cohorts.iter().find(|(c, _)| *c == id).map(|(_, n)| n.clone()))
            .unwrap_or_else(|| "All cohorts".into()),
        cohorts,
        cohort_id: cohort,
        figures,
        exceptions,
        psychomotor_required: c.competencies.iter().filter(|x| x.2 == CompetencyDomain::Psychomotor).count(),
        affective_required: c.competencies.iter().filter(|x| x.2 == CompetencyDomain::Affective).count(),
        readiness,
        site_evaluations,
        generated_at: time(chrono::Utc::now()),
    })
}

/// Every student's Master Competency Checklist, by name: each is the
/// student's own record page, computed from the records themselves (not
/// the dashboard's tallies), as a surveyor would check it. The caller has
/// asked the policy.
pub async fn load_checklists(
    db: &Db,
    catalog: &Catalog,
    program: ProgramId,
    cohort: Option<i64>,
    viewer: Option<&Principal>,
) -> Result<Vec<CompetencyRecordView>, AppError> {
    let students = dashboard::students(db, program, cohort).await?;
    let mut out = Vec::with_capacity(students.len());
    let (_, edition) = edition_of_program(db, catalog, program).await?;
    for s in students {
        out.push(load_record(db, &edition, program, s.student_id, viewer).await?);
    }
    Ok(out)
}

/// One row per student: what a surveyor asks for, in a spreadsheet.
pub fn cohort_csv(c: &Cohort) -> Result<String, crate::csv_export::CsvError> {
    let mut t = crate::csv_export::CsvTable::new(&[
        "student",
        "student_id",
        "cohort",
        "psychomotor_missing",
        "affective_missing",
        "approved_hours",
        "required_hours",
        "all_complete",
    ])?;
    for (s, f) in c.students.iter().zip(&c.facts) {
        let (approved, required) = f.hours();
        t.row([
            s.name.as_str(),
            s.student_number.as_deref().unwrap_or(""),
            s.cohort.as_deref().unwrap_or(""),
            &f.psychomotor_missing.join(" "),
            &f.affective_missing.join(" "),
            &format_hours(approved),
            &format_hours(required),
            if f.all_complete() { "yes" } else { "no" },
        ])?;
    }
    t.finish()
}
