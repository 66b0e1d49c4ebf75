//! Dashboard benchmark (not a test): seeds a synthetic program (`server
//! seed`: by default 2,000 students in cohorts of 200, 100 competencies) into
//! a fresh SQLite file and a fresh PostgreSQL database, then times the
//! director's views on it as the server computes them (`service::reports`, the
//! server function's work without HTTP and rendering):
//!
//! - (a) the dashboard of one 200-student cohort (target: under 200 ms);
//! - (b) the accreditation summary of the whole program (target: under 1 s);
//! - (c) the dashboard of the whole program (no target; for scale);
//! - (d) one cohort's printable Master Competency Checklists (no target).
//!
//! Before timing, it recounts every seeded record against the dashboard's
//! tallies (migration 0007), which the bulk inserts maintained by trigger.
//!
//! Each view: two warm-up runs, then BENCH_RUNS runs; min / p50 / p95. A
//! target is met when the p95 is under it.
//!
//! Run: `cargo bench -p server --bench dashboard`. Settings: BENCH_STUDENTS
//! (default 2000), BENCH_COMPETENCIES (default 100), BENCH_RUNS (default 20),
//! BENCH_SEED (default 42). PostgreSQL: TEST_POSTGRES_URL (default
//! postgres://postgres@127.0.0.1:5432/test) is the admin connection that
//! creates a scratch database, dropped at the end; skipped, with a note,
//! when it cannot be reached. After seeding PostgreSQL the benchmark runs
//! VACUUM ANALYZE, as autovacuum does within a minute or two of a bulk load
//! (statistics, and the visibility map index-only scans need); SQLite is
//! left as the application leaves it (no ANALYZE statistics).
#![allow(clippy::unwrap_used)] // a test: a panic is a failed test

use std::str::FromStr;
use std::time::{Duration, Instant};

use app::content::Catalog;
use app::domain::cohort::StudentFilter;
use app::service::reports;
use app::storage::{DatabaseUrl, Db, PoolConfig};
use server::seed::{self, SeedOptions, SeedReport};
use sqlx::{ConnectOptions, Connection};

const COHORT_TARGET: Duration = Duration::from_millis(200);
const SUMMARY_TARGET: Duration = Duration::from_secs(1);

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

struct Figures {
    engine: &'static str,
    view: String,
    rows: usize,
    min: Duration,
    p50: Duration,
    p95: Duration,
    target: Option<Duration>,
}

/// Two warm-up runs, then `runs` timed ones; `f` returns the rows shown.
async fn measure(
    engine: &'static str,
    view: String,
    target: Option<Duration>,
    runs: usize,
    f: impl AsyncFn() -> usize,
) -> Figures {
    for _ in 0..2 {
        f().await;
    }
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        rows = f().await;
        times.push(t.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    Figures { engine, view, rows, min: times[0], p50: pct(0.50), p95: pct(0.95), target }
}

async fn views(engine: &'static str, db: &Db, catalog: &Catalog, report: &SeedReport, runs: usize) -> Vec<Figures> {
    let program = report.program_id;
    let today = report.today;
    let (cohort, cohort_name) = report.cohorts[0].clone();
    let size = app::storage::dashboard::students(db, program, Some(cohort)).await.expect("students").len();
    // The generator's bulk inserts went through the tally triggers: recount
    // every record and compare, once, outside the timed views.
    let t = Instant::now();
    let mismatches = app::storage::dashboard::verify_tallies(db, program).await.expect("verify tallies");
    assert!(mismatches.is_empty(), "{engine}: {} tally rows disagree; first: {}", mismatches.len(), mismatches[0]);
    println!(
        "{engine}: dashboard tallies match all {} records (recounted in {:.1} s)",
        report.signoffs(),
        t.elapsed().as_secs_f64()
    );
    let mut out = Vec::new();
    out.push(
        measure(
            engine,
            format!("(a) dashboard, {cohort_name} ({size} students)"),
            Some(COHORT_TARGET),
            runs,
            async || {
                reports::load_dashboard(db, catalog, program, Some(cohort), StudentFilter::All, today)
                    .await
                    .expect("dashboard")
                    .rows
                    .len()
            },
        )
        .await,
    );
    out.push(
        measure(
            engine,
            format!("(b) summary, whole program ({})", report.students),
            Some(SUMMARY_TARGET),
            runs,
            async || reports::load_summary(db, catalog, program, None).await.expect("summary").figures.students,
        )
        .await,
    );
    out.push(
        measure(engine, format!("(c) dashboard, whole program ({})", report.students), None, runs, async || {
            reports::load_dashboard(db, catalog, program, None, StudentFilter::All, today)
                .await
                .expect("dashboard")
                .rows
                .len()
        })
        .await,
    );
    // The printable document reads each student's records themselves; fewer
    // runs, as one run reads a whole cohort's records.
    out.push(
        measure(
            engine,
            format!("(d) printable checklists, {cohort_name} ({size} students)"),
            None,
            runs.div_ceil(4),
            async || {
                reports::load_checklists(db, catalog, program, Some(cohort), None).await.expect("checklists").len()
            },
        )
        .await,
    );
    out
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn seeded(engine: &str, report: &SeedReport, size: &str) {
    println!(
        "{engine}: seeded in {:.1} s; {size}; {} sign-off rows ({} voids), {} hours rows, {} placements",
        report.elapsed.as_secs_f64(),
        report.signoffs(),
        report.voids,
        report.hours_entries,
        report.placements
    );
}

async fn sqlite(catalog: &Catalog, options: &SeedOptions, runs: usize) -> Vec<Figures> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let db =
        Db::connect(&DatabaseUrl::Sqlite { path: path.clone() }, &PoolConfig::default()).await.expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    let report = seed::run(&db, catalog, options, chrono::Utc::now()).await.expect("seed sqlite");
    let len = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal = len(&dir.path().join("bench.db-wal"));
    seeded("SQLite", &report, &format!("file {} (+ WAL {})", mb(len(&path)), mb(wal)));
    let figures = views("SQLite", &db, catalog, &report, runs).await;
    db.close().await;
    figures
}

async fn postgres(catalog: &Catalog, options: &SeedOptions, runs: usize) -> Vec<Figures> {
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    let admin = match sqlx::postgres::PgConnectOptions::from_str(&admin_url) {
        Ok(a) => a,
        Err(e) => {
            println!("PostgreSQL: skipped (TEST_POSTGRES_URL: {e})");
            return Vec::new();
        }
    };
    let mut conn = match tokio::time::timeout(Duration::from_secs(5), admin.connect()).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            println!("PostgreSQL: skipped (cannot connect to {admin_url}: {e})");
            return Vec::new();
        }
        Err(_) => {
            println!("PostgreSQL: skipped ({admin_url} did not answer within 5 s)");
            return Vec::new();
        }
    };
    let name = format!("checkoff_bench_{}_{}", std::process::id(), chrono::Utc::now().timestamp());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .expect("create scratch database");
    let url = DatabaseUrl::Postgres { options: Box::new(admin.clone().database(&name)), display: name.clone() };
    let db = Db::connect(&url, &PoolConfig::default()).await.expect("open postgres");
    db.migrate().await.expect("migrate postgres");
    let report = seed::run(&db, catalog, options, chrono::Utc::now()).await.expect("seed postgres");
    let analyzed = Instant::now();
    let mut scratch = admin.clone().database(&name).connect().await.expect("connect to the scratch database");
    sqlx::raw_sql("VACUUM (ANALYZE)").execute(&mut scratch).await.expect("vacuum analyze");
    scratch.close().await.ok();
    let size: i64 =
        sqlx::query_scalar("SELECT pg_database_size($1)").bind(&name).fetch_one(&mut conn).await.unwrap_or(0);
    seeded(
        "PostgreSQL",
        &report,
        &format!(
            "database {} (VACUUM ANALYZE {:.1} s)",
            mb(u64::try_from(size).unwrap_or(0)),
            analyzed.elapsed().as_secs_f64()
        ),
    );
    let figures = views("PostgreSQL", &db, catalog, &report, runs).await;
    db.close().await;
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
        .execute(&mut conn)
        .await
    {
        println!("PostgreSQL: could not drop the scratch database {name}: {e}");
    }
    conn.close().await.ok();
    figures
}

fn main() {
    let students: usize = env_or("BENCH_STUDENTS", 2000);
    let competencies: usize = env_or("BENCH_COMPETENCIES", 100);
    let runs: usize = env_or("BENCH_RUNS", 20);
    let options = SeedOptions { progress: true, ..SeedOptions::new(students, competencies, env_or("BENCH_SEED", 42)) };
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let catalog = seed::extended_catalog(&content, competencies).unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    println!(
        "Checkoff dashboard benchmark: {students} students in cohorts of {}, {competencies} competencies, seed {}, \
         {runs} runs per view after 2 warm-up runs, {} cores",
        options.cohort_size,
        options.seed,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let mut all = rt.block_on(sqlite(&catalog, &options, runs));
    all.extend(rt.block_on(postgres(&catalog, &options, runs)));
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    println!();
    println!(
        "{:<11} {:<44} {:>6} {:>10} {:>10} {:>10} {:>8} {:>5}",
        "engine", "view", "rows", "min", "p50", "p95", "target", "met"
    );
    for f in &all {
        let (target, met) = match f.target {
            Some(t) => (ms(t), if f.p95 < t { "yes" } else { "NO" }),
            None => ("-".to_string(), "-"),
        };
        println!(
            "{:<11} {:<44} {:>6} {:>10} {:>10} {:>10} {:>8} {:>5}",
            f.engine,
            f.view,
            f.rows,
            ms(f.min),
            ms(f.p50),
            ms(f.p95),
            target,
            met
        );
    }
}
