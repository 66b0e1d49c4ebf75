//! Sign-off write benchmark (not a test): signed evaluations per second
//! under concurrent evaluators, on SQLite and PostgreSQL, through the whole
//! HTTP path (session lookup, policy, scoring, the chain-head lock, insert,
//! audit event, the student's new standing). A realistic mix: each
//! evaluator is a different instructor with their own session, signing
//! students of a 400-student program on ten competencies in turn. Every
//! failed request is counted: a "database busy" or "locked" error must
//! never reach an evaluator. Ends by verifying the chain.
//!
//! Run: `cargo bench -p server --bench signoffs`. Settings: BENCH_SECONDS
//! (default 5 per engine), BENCH_CONCURRENCY (default 16 evaluators),
//! BENCH_STUDENTS (default 400). PostgreSQL runs when TEST_POSTGRES_URL is set.
#![allow(clippy::unwrap_used)] // a test: a panic is a failed test

use app::domain::ids::UserId;
use std::time::{Duration, Instant};

#[path = "../tests/it/common/mod.rs"]
#[allow(unused_macros)]
mod common;

/// Competencies signed in turn: lab-signed psychomotor skills of the
/// default edition.
const CODES: [&str; 10] =
    ["I.P.2.b", "I.P.1.a", "I.P.1.b", "I.P.1.c", "I.P.1.d", "I.P.1.e", "I.P.2.a", "I.P.2.c", "I.P.3", "I.P.4.a"];

async fn run(label: &str, db: &app::storage::Db, seconds: u64, concurrency: usize, students: usize) {
    use app::domain::access::Role;
    use app::storage::{programs, users};
    let cast = common::cast(db).await;
    let t = common::now();
    // A member of program A with `role`, named after it.
    let member = async |role: Role, i: usize| {
        let name = format!("{} {i}", role.as_str());
        let email = format!("bench-{}-{i}@a.example", role.as_str());
        let new = users::NewUser { email: &email, display_name: &name, password_hash: None, site_admin: false };
        let id = users::create(db, &new, t).await.unwrap();
        programs::grant_role(db, id, cast.program_a, role, None, t).await.unwrap();
        id
    };
    let mut roster = Vec::with_capacity(students);
    for i in 0..students {
        roster.push(member(Role::Student, i).await);
    }
    let mut cookies = Vec::with_capacity(concurrency);
    for i in 0..concurrency {
        cookies.push(common::session_cookie(db, member(Role::Instructor, i).await).await);
    }
    let app = server::router(&common::test_config(), db.clone(), common::catalog()).expect("router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(server::serve::serve(listener, app, server::serve::ServeLimits::default(), std::future::pending()));
    let url = format!("http://{addr}/api/sign-evaluation");
    let catalog = common::catalog();
    let body = |student: UserId, code: &str| {
        let competency = catalog.competency(code).unwrap_or_else(|| panic!("{code} is in the catalog"));
        serde_json::json!({ "input": {
            "program_id": cast.program_a, "student_id": student, "code": competency.code, "setting": "lab",
            "checklist_version": competency.version,
            "marks": competency.steps.iter().map(|_| serde_json::json!({ "met": true, "comment": "" })).collect::<Vec<_>>(),
            "comment": "", "attested": true, "request_id": null,
        }})
        .to_string()
    };
    // Every evaluator's requests, prepared: students in a stride that
    // spreads them over the roster, competencies in turn.
    let payloads: Vec<std::sync::Arc<Vec<String>>> = (0..concurrency)
        .map(|e| {
            std::sync::Arc::new(
                (0..512)
                    .map(|n| body(roster[(e * 37 + n * 13) % roster.len()], CODES[(e + n) % CODES.len()]))
                    .collect(),
            )
        })
        .collect();
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (cookie, payloads) in cookies.into_iter().zip(payloads) {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            let mut n = 0;
            while Instant::now() < deadline {
                let payload = &payloads[n % payloads.len()];
                n += 1;
                let t = Instant::now();
                let sent = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("cookie", &cookie)
                    .body(payload.clone())
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    Ok(r) => errors.push(format!("{} {}", r.status(), r.text().await.unwrap_or_default())),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for t in tasks {
        let (l, e) = t.await.expect("task");
        all.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let verified = app::storage::signoffs::verify_program(db, cast.program_a).await.expect("verify");
    println!(
        "{label:<11} {:>9.0} {:>10} {:>10} {:>10} {:>7}   ({} sign-offs in {:.1} s; chain: {})",
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(all.last().copied().unwrap_or_default()),
        errors.len(),
        all.len(),
        elapsed.as_secs_f64(),
        match verified {
            Ok(n) => format!("{n} records verified"),
            Err(e) => format!("BROKEN: {e}"),
        }
    );
    if let Some(first) = errors.first() {
        println!("            first error: {}", first.chars().take(200).collect::<String>());
    }
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY").ok().and_then(|s| s.parse().ok()).unwrap_or(16);
    let students: usize = std::env::var("BENCH_STUDENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(400).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        println!(
            "Checkoff sign-off write benchmark: {concurrency} concurrent evaluators, {students} students and 10 competencies in one program's chain, {seconds} s per engine, {} cores",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
        );
        println!("{:<11} {:>9} {:>10} {:>10} {:>10} {:>7}", "engine", "writes/s", "p50", "p99", "max", "errors");
        let t = common::TestDb::sqlite().await;
        run("SQLite", &t.db, seconds, concurrency, students).await;
        drop(t);
        if let Some(t) = common::TestDb::postgres().await {
            run("PostgreSQL", &t.db, seconds, concurrency, students).await;
        }
    });
}
