//! The program director's view: the cohort dashboard (students by
//! competencies, hours, the at-risk list, charts) and the accreditation
//! summary. Both read a cohort in a few aggregate queries
//! (`storage::dashboard`) and apply `domain::{competency, cohort}`.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::competency::CompetencyStatus;
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

/// Which students the dashboard lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StudentFilter {
    All,
    AtRisk,
    Incomplete,
    Complete,
}

impl StudentFilter {
    pub const ALL: [StudentFilter; 4] =
        [StudentFilter::All, StudentFilter::AtRisk, StudentFilter::Incomplete, StudentFilter::Complete];

    pub fn as_str(self) -> &'static str {
        match self {
            StudentFilter::All => "all",
            StudentFilter::AtRisk => "at_risk",
            StudentFilter::Incomplete => "incomplete",
            StudentFilter::Complete => "complete",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StudentFilter::All => "All students",
            StudentFilter::AtRisk => "At risk",
            StudentFilter::Incomplete => "Not yet complete",
            StudentFilter::Complete => "Complete",
        }
    }

    pub fn parse(s: &str) -> StudentFilter {
        StudentFilter::ALL.into_iter().find(|f| f.as_str() == s).unwrap_or(StudentFilter::All)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardRow {
    pub student_id: i64,
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
    pub program_id: i64,
    pub program_name: String,
    pub cohorts: Vec<(i64, String)>,
    pub cohort_id: Option<i64>,
    pub filter: StudentFilter,
    /// (code, title, domain).
    pub competencies: Vec<(String, String, String)>,
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
    pub program_id: i64,
    pub program_name: String,
    pub cohorts: Vec<(i64, String)>,
    pub cohort_id: Option<i64>,
    pub cohort_name: String,
    pub figures: crate::domain::cohort::SummaryFigures,
    pub exceptions: Vec<crate::domain::cohort::Exception>,
    pub psychomotor_required: usize,
    pub affective_required: usize,
    /// Preceptors' end-of-externship evaluations: (readiness label, count).
    pub readiness: Vec<(String, usize)>,
    pub site_evaluations: usize,
    pub generated_at: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;

    use chrono::NaiveDate;

    use super::*;
    use crate::content::Catalog;
    use crate::domain::cohort::{PlacementFacts, StudentFacts};
    use crate::domain::competency::{CompetencyDomain, Setting, Tally, standing_of};
    use crate::domain::hours::week_of;
    use crate::storage::{Db, dashboard};

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
    /// applies each competency's requirement to each student.
    pub async fn load_cohort(
        db: &Db,
        catalog: &Catalog,
        program: i64,
        cohort: Option<i64>,
    ) -> Result<Cohort, AppError> {
        let p = crate::storage::programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
        let students = dashboard::students(db, program, cohort).await?;
        let tallies = dashboard::tallies(db, program, cohort).await?;
        let hours = dashboard::hours_sums(db, program, cohort).await?;
        let placements = dashboard::latest_placements(db, program, cohort).await?;
        let overrides = crate::storage::signoffs::requirements(db, program).await?;
        let edition = crate::api::editions::resolve(db, catalog, &p.edition_id).await?;
        let competencies: Vec<&crate::domain::competency::Competency> = edition.signed_off().collect();
        let index: HashMap<&str, usize> = competencies.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
        // A tally row counts toward the competency its (edition, code) maps to.
        let counting = edition.counting_map();
        let row_of: HashMap<i64, usize> = students.iter().enumerate().map(|(i, s)| (s.student_id, i)).collect();
        let mut tally: Vec<Vec<Tally>> = vec![vec![Tally::default(); competencies.len()]; students.len()];
        for t in &tallies {
            let key = crate::domain::edition::RecordKey::new(&t.edition, &t.competency_code);
            let (Some(&r), Some(&k), Some(setting)) = (
                row_of.get(&t.student_id),
                counting.get(&key).and_then(|code| index.get(code.as_str())),
                Setting::parse(&t.setting),
            ) else {
                continue;
            };
            tally[r][k].add(setting, u32::try_from(t.attempts).unwrap_or(0), u32::try_from(t.passes).unwrap_or(0));
        }
        let requirements: Vec<_> =
            competencies.iter().map(|c| crate::domain::competency::requirement_of(c, &overrides)).collect();
        let mut minutes_of: HashMap<(i64, &str), i64> = HashMap::new();
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

    /// Daily figures summed into ISO weeks, every week from the first to the last.
    pub fn by_week(days: &[(NaiveDate, f64)]) -> Vec<(String, f64)> {
        let (Some(first), Some(last)) =
            (days.iter().map(|d| week_of(d.0)).min(), days.iter().map(|d| week_of(d.0)).max())
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut week = first;
        while week <= last && out.len() < 260 {
            out.push((week.to_string(), days.iter().filter(|d| week_of(d.0) == week).map(|d| d.1).sum()));
            week += chrono::Duration::weeks(1);
        }
        out
    }

    /// The dashboard for a cohort (or the whole program), filtered.
    pub async fn dashboard(
        db: &Db,
        catalog: &Catalog,
        program: i64,
        cohort: Option<i64>,
        filter: StudentFilter,
        today: NaiveDate,
    ) -> Result<DashboardView, AppError> {
        use crate::domain::cohort::at_risk;
        use crate::domain::hours::format_hours;
        let p = crate::storage::programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
        let c = load_cohort(db, catalog, program, cohort).await?;
        let approved = dashboard::approved_by_day(db, program, cohort).await?;
        let passes = dashboard::passes_by_day(db, program, cohort).await?;
        let mut complete_per_competency = vec![0u32; c.competencies.len()];
        let mut rows = Vec::new();
        let mut at_risk_count = 0;
        for (r, s) in c.students.iter().enumerate() {
            let row = &c.statuses[r];
            for (k, st) in row.iter().enumerate() {
                if *st == CompetencyStatus::Complete {
                    complete_per_competency[k] += 1;
                }
            }
            let f = &c.facts[r];
            let risks: Vec<String> = at_risk(f, today).iter().map(|x| x.message()).collect();
            if !risks.is_empty() {
                at_risk_count += 1;
            }
            let complete =
                u32::try_from(row.iter().filter(|st| **st == CompetencyStatus::Complete).count()).unwrap_or(u32::MAX);
            let (approved_m, required_m) = f
                .placement
                .as_ref()
                .map_or((0, f.program_required_minutes), |pl| (pl.approved_minutes, pl.required_minutes));
            let all_done = complete as usize == row.len() && approved_m >= required_m;
            let keep = match filter {
                StudentFilter::All => true,
                StudentFilter::AtRisk => !risks.is_empty(),
                StudentFilter::Incomplete => !all_done,
                StudentFilter::Complete => all_done,
            };
            if !keep {
                continue;
            }
            rows.push(DashboardRow {
                student_id: s.student_id,
                name: s.name.clone(),
                cohort: s.cohort.clone(),
                cells: row.iter().map(|st| status_char(*st)).collect(),
                complete,
                approved_hours: format_hours(approved_m),
                required_hours: format_hours(required_m),
                hours_percent: u8::try_from((approved_m * 100).checked_div(required_m).unwrap_or(100).clamp(0, 100))
                    .unwrap_or(100),
                risks,
            });
        }
        let hours_days: Vec<(NaiveDate, f64)> = approved.iter().map(|(d, m)| (*d, *m as f64 / 60.0)).collect();
        let pass_days: Vec<(NaiveDate, f64)> = passes.iter().map(|(d, n)| (*d, *n as f64)).collect();
        let mut running = 0.0;
        let passes_over_time = by_week(&pass_days)
            .into_iter()
            .map(|(w, n)| {
                running += n;
                (w, running)
            })
            .collect();
        Ok(DashboardView {
            program_id: program,
            program_name: p.name,
            cohorts: dashboard::cohorts(db, program).await?,
            cohort_id: cohort,
            filter,
            competencies: c
                .competencies
                .iter()
                .map(|(code, title, d)| (code.clone(), title.clone(), d.as_str().to_string()))
                .collect(),
            rows,
            cohort_size: c.students.len(),
            complete_per_competency,
            at_risk: at_risk_count,
            hours_per_week: by_week(&hours_days),
            passes_over_time,
            today: today.to_string(),
        })
    }

    /// The accreditation summary of a cohort (or the whole program).
    pub async fn summary(
        db: &Db,
        catalog: &Catalog,
        program: i64,
        cohort: Option<i64>,
    ) -> Result<SummaryView, AppError> {
        use crate::domain::externship::Readiness;
        let p = crate::storage::programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
        let c = load_cohort(db, catalog, program, cohort).await?;
        let (figures, exceptions) = crate::domain::cohort::summarize(&c.facts);
        let cohorts = dashboard::cohorts(db, program).await?;
        let in_cohort: std::collections::HashSet<i64> = c.students.iter().map(|s| s.student_id).collect();
        let evaluations: Vec<_> = crate::storage::externship::evaluations_in_program(db, program)
            .await?
            .into_iter()
            .filter(|e| in_cohort.contains(&e.student_id))
            .collect();
        let readiness = Readiness::ALL
            .into_iter()
            .map(|r| {
                (
                    r.label().to_string(),
                    evaluations.iter().filter(|e| e.readiness.as_deref() == Some(r.as_str())).count(),
                )
            })
            .collect();
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
            site_evaluations: evaluations.iter().filter(|e| e.kind == "of_site").count(),
            generated_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        })
    }

    /// Every student's Master Competency Checklist, by name: each is the
    /// student's own record page, computed from the records themselves (not
    /// the dashboard's tallies), as a surveyor would check it.
    pub async fn checklists(
        db: &Db,
        catalog: &Catalog,
        program: i64,
        cohort: Option<i64>,
        viewer: Option<&crate::domain::access::Principal>,
    ) -> Result<Vec<crate::api::signoffs::CompetencyRecordView>, AppError> {
        let students = dashboard::students(db, program, cohort).await?;
        let mut out = Vec::with_capacity(students.len());
        let (_, edition) = crate::api::editions::edition_of_program(db, catalog, program).await?;
        for s in students {
            out.push(crate::service::signoffs::load_record(db, &edition, program, s.student_id, viewer).await?);
        }
        Ok(out)
    }

    /// One row per student: what a surveyor asks for, in a spreadsheet.
    pub fn summary_csv(c: &Cohort) -> Result<String, crate::csv_export::CsvError> {
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
            let (approved, required) = f
                .placement
                .as_ref()
                .map_or((0, f.program_required_minutes), |p| (p.approved_minutes, p.required_minutes));
            let done = f.psychomotor_missing.is_empty()
                && f.affective_missing.is_empty()
                && f.placement.is_some()
                && approved >= required;
            t.row([
                s.name.as_str(),
                s.student_number.as_deref().unwrap_or(""),
                s.cohort.as_deref().unwrap_or(""),
                &f.psychomotor_missing.join(" "),
                &f.affective_missing.join(" "),
                &crate::domain::hours::format_hours(approved),
                &crate::domain::hours::format_hours(required),
                if done { "yes" } else { "no" },
            ])?;
        }
        t.finish()
    }
}

/// The cohort dashboard (directors). `cohort_id` 0 means every cohort.
#[server(endpoint = "program-dashboard", input = GetUrl)]
pub async fn program_dashboard(program_id: i64, cohort_id: i64, filter: String) -> Result<DashboardView, AppError> {
    use crate::domain::access::Action;
    crate::api::authorize_signed_in(&Action::ViewProgramReports { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let cohort = (cohort_id > 0).then_some(cohort_id);
    ssr::dashboard(
        &ctx.db,
        &ctx.catalog,
        program_id,
        cohort,
        StudentFilter::parse(&filter),
        chrono::Utc::now().date_naive(),
    )
    .await
}

/// The accreditation summary (directors). `cohort_id` 0 means every cohort.
#[server(endpoint = "accreditation-summary", input = GetUrl)]
pub async fn accreditation_summary(program_id: i64, cohort_id: i64) -> Result<SummaryView, AppError> {
    use crate::domain::access::Action;
    crate::api::authorize_signed_in(&Action::ViewProgramReports { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    ssr::summary(&ctx.db, &ctx.catalog, program_id, (cohort_id > 0).then_some(cohort_id)).await
}

/// Every student's Master Competency Checklist in one printable document.
#[server(endpoint = "cohort-checklists", input = GetUrl)]
pub async fn cohort_checklists(
    program_id: i64,
    cohort_id: i64,
) -> Result<Vec<crate::api::signoffs::CompetencyRecordView>, AppError> {
    use crate::domain::access::Action;
    let who = crate::api::authorize_signed_in(&Action::ViewProgramReports { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    ssr::checklists(&ctx.db, &ctx.catalog, program_id, (cohort_id > 0).then_some(cohort_id), Some(&who)).await
}
