//! `server seed` on both engines: the shape it promises (students, cohorts,
//! sign-offs, hours), a sign-off chain that verifies, a dashboard and a
//! summary that load the program with every competency, at least one
//! student at risk, the refusal of a database that has programs, and the
//! same figures from the same seed.

use crate::common;

use std::sync::OnceLock;

use app::content::Catalog;
use app::domain::cohort::StudentFilter;
use app::service::reports;
use app::storage::{Db, dashboard, signoffs};
use server::seed::{self, SeedError, SeedOptions};

/// The repository's catalog, extended to 30 signed-off competencies.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        seed::extended_catalog(&content, 30).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// 30 students in three cohorts of 10 (the older two on externship), 30 competencies.
fn options() -> SeedOptions {
    SeedOptions { cohort_size: 10, ..SeedOptions::new(30, 30, 7) }
}

/// What must come out the same from the same seed (ids aside).
fn shape(view: &app::api::reports::DashboardView) -> Vec<(String, String, u32, String, Vec<String>)> {
    view.rows
        .iter()
        .map(|r| (r.name.clone(), r.cells.clone(), r.complete, r.approved_hours.clone(), r.risks.clone()))
        .collect()
}

async fn seeds_a_synthetic_program(db: &Db) {
    let catalog = catalog();
    let now = chrono::Utc::now();
    let today = now.date_naive();
    let first = seed::run(db, catalog, &options(), now).await.expect("seed");
    let program = first.program_id;
    assert_eq!((first.students, first.cohorts.len(), first.competencies), (30, 3, 30));
    let real = common::catalog().signed_off_competencies().count();
    assert_eq!(first.synthetic_competencies, 30usize.saturating_sub(real));
    assert_eq!(first.placements, 20, "the older two cohorts are on externship");
    assert!(first.evaluations > 0 && first.voids > 0, "{}", first.describe());
    assert!(first.hours_entries > 0 && first.hours_decisions > 0, "{}", first.describe());

    // The chain verifies, every record in it.
    assert_eq!(signoffs::verify_program(db, program).await.unwrap(), Ok(first.signoffs()));
    // The bulk inserts went through the tally triggers like any record.
    assert_eq!(dashboard::verify_tallies(db, program).await.unwrap(), vec![]);
    assert!(!dashboard::tallies(db, program, None).await.unwrap().is_empty());
    let cohorts = dashboard::cohorts(db, program).await.unwrap();
    let names: Vec<&str> = cohorts.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["Cohort 01", "Cohort 02", "Cohort 03"]);
    assert_eq!(dashboard::students(db, program, None).await.unwrap().len(), 30);
    let hours = dashboard::hours_sums(db, program, None).await.unwrap();
    for status in ["approved", "pending"] {
        assert!(hours.iter().any(|h| h.status == status && h.minutes > 0), "no {status} hours: {hours:?}");
    }

    // The director's views: every student, every competency of the
    // program's edition (not only the 30 the seed evaluated), someone at risk.
    let edition_size = catalog.signed_off_competencies().count();
    assert!(edition_size >= 30, "the default edition has {edition_size}");
    let view = reports::load_dashboard(db, catalog, program, None, StudentFilter::All, today).await.unwrap();
    assert_eq!((view.rows.len(), view.cohort_size, view.competencies.len()), (30, 30, edition_size));
    assert!(view.rows.iter().all(|r| r.cells.chars().count() == edition_size));
    assert!(view.rows.iter().any(|r| r.cells.contains('c')), "nobody completed anything");
    assert!(view.at_risk >= 1, "nobody at risk");
    assert!(!view.hours_per_week.is_empty() && !view.passes_over_time.is_empty());
    let oldest =
        reports::load_dashboard(db, catalog, program, Some(cohorts[0].0), StudentFilter::All, today).await.unwrap();
    assert_eq!(oldest.rows.len(), 10);
    let at_risk = reports::load_dashboard(db, catalog, program, None, StudentFilter::AtRisk, today).await.unwrap();
    assert_eq!(at_risk.rows.len(), view.at_risk);
    let summary = reports::load_summary(db, catalog, program, None).await.unwrap();
    assert_eq!(summary.figures.students, 30);
    assert!(!summary.exceptions.is_empty());

    // A database with programs is refused, unless asked for…
    match seed::run(db, catalog, &options(), now).await {
        Err(SeedError::NotEmpty(1)) => {}
        other => panic!("a second seed without --force-new-program: {:?}", other.map(|r| r.program_id)),
    }
    // …and the same seed gives the same program again.
    let second =
        seed::run(db, catalog, &SeedOptions { force_new_program: true, ..options() }, now).await.expect("second seed");
    assert_ne!(second.program_id, program);
    assert_eq!(
        (second.evaluations, second.voids, second.hours_entries, second.hours_decisions),
        (first.evaluations, first.voids, first.hours_entries, first.hours_decisions)
    );
    assert_eq!(signoffs::verify_program(db, second.program_id).await.unwrap(), Ok(second.signoffs()));
    let again = reports::load_summary(db, catalog, second.program_id, None).await.unwrap();
    assert_eq!(again.figures, summary.figures);
    let reasons = |s: &app::api::reports::SummaryView| {
        s.exceptions.iter().map(|e| (e.name.clone(), e.reasons.clone())).collect::<Vec<_>>()
    };
    assert_eq!(reasons(&again), reasons(&summary));
    let view_again =
        reports::load_dashboard(db, catalog, second.program_id, None, StudentFilter::All, today).await.unwrap();
    assert_eq!(shape(&view_again), shape(&view));
    assert_eq!(view_again.at_risk, view.at_risk);
    // The first program's chain is untouched by the second's.
    assert_eq!(signoffs::verify_program(db, program).await.unwrap(), Ok(first.signoffs()));
}

both_engines!(seeds_a_synthetic_program);
