//! Test databases: every test gets its own, so tests run in parallel.
//!
//! - SQLite: a fresh file in a temporary folder, removed afterwards.
//! - PostgreSQL: a fresh database created through `TEST_POSTGRES_URL`
//!   (e.g. `postgres://postgres@127.0.0.1:5432/test`) and dropped afterwards.
//!   Without that variable the PostgreSQL half of each test is skipped, unless
//!   `CHECKOFF_REQUIRE_POSTGRES=1` (set by the test script and CI), which turns
//!   the missing URL into a failure so the second engine cannot drop out silently.
#![allow(dead_code)]

pub mod client;

use app::domain::ids::{ProgramId, UserId};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use app::storage::{DatabaseUrl, Db, PoolConfig};
use sqlx::{ConnectOptions, Connection};

/// The repository's own content tree, loaded once per test binary.
pub fn catalog() -> std::sync::Arc<app::content::Catalog> {
    static CATALOG: std::sync::OnceLock<std::sync::Arc<app::content::Catalog>> = std::sync::OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
            std::sync::Arc::new(app::content::load(&dir).unwrap_or_else(|e| panic!("content/ is invalid:\n{e}")))
        })
        .clone()
}

/// Server configuration for in-process tests.
pub fn test_config() -> server::config::Config {
    use clap::Parser;
    let content = concat!(env!("CARGO_MANIFEST_DIR"), "/../content");
    server::config::Cli::parse_from(["server", "--site-url", "http://127.0.0.1:3000", "--content-dir", content]).config
}

pub struct TestDb {
    pub db: Db,
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    // Boxed: the options are large beside a TempDir.
    Postgres { admin: Box<sqlx::postgres::PgConnectOptions>, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A migrated database on a fresh SQLite file.
    pub async fn sqlite() -> TestDb {
        TestDb::sqlite_at(None).await
    }

    /// A fresh SQLite file migrated up to `version` (all when None): for
    /// tests of an upgrade over older data.
    #[allow(dead_code)]
    pub async fn sqlite_at(version: Option<i64>) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = DatabaseUrl::Sqlite { path: dir.path().join("test.db") };
        let db = Db::connect(&url, &PoolConfig::default()).await.expect("open sqlite");
        match version {
            Some(v) => db.migrate_to(v).await.expect("migrate sqlite"),
            None => db.migrate().await.expect("migrate sqlite"),
        }
        TestDb { db, url, cleanup: Cleanup::Sqlite(dir) }
    }

    /// A migrated, freshly created PostgreSQL database, or None when no test
    /// server is configured.
    pub async fn postgres() -> Option<TestDb> {
        TestDb::postgres_at(None).await
    }

    /// As [`TestDb::sqlite_at`], on PostgreSQL.
    #[allow(dead_code)]
    pub async fn postgres_at(version: Option<i64>) -> Option<TestDb> {
        let admin_url = postgres_admin_url()?;
        let admin = sqlx::postgres::PgConnectOptions::from_str(&admin_url).expect("TEST_POSTGRES_URL");
        let name = format!(
            "checkoff_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros()
        );
        let mut conn = admin.connect().await.expect("connect to TEST_POSTGRES_URL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        conn.close().await.ok();
        let options = admin.clone().database(&name);
        let url = DatabaseUrl::Postgres { options: Box::new(options), display: name.clone() };
        let cfg = PoolConfig { pg_max_connections: 8, ..PoolConfig::default() };
        let db = Db::connect(&url, &cfg).await.expect("open postgres");
        match version {
            Some(v) => db.migrate_to(v).await.expect("migrate postgres"),
            None => db.migrate().await.expect("migrate postgres"),
        }
        Some(TestDb { db, url, cleanup: Cleanup::Postgres { admin: Box::new(admin), name } })
    }
}

pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("CHECKOFF_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("CHECKOFF_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set");
            }
            eprintln!("skipped: TEST_POSTGRES_URL is not set");
            None
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin, name } = &self.cleanup {
            // Drop runs inside the test's runtime; do the async clean-up on a
            // thread of its own.
            let (admin, name, db) = ((**admin).clone(), name.clone(), self.db.clone());
            let handle = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                rt.block_on(async move {
                    db.close().await;
                    let mut conn = admin.connect().await.ok()?;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
                        .execute(&mut conn)
                        .await
                        .ok()?;
                    Some(())
                })
            });
            let _ = handle.join();
        }
    }
}

/// Declares a storage test that runs once per engine, as `NAME::sqlite` and
/// `NAME::postgres`. `NAME` is an `async fn(&Db)` in the same file.
#[macro_export]
macro_rules! both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::common::TestDb::sqlite().await;
                super::$name(&t.db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) = $crate::common::TestDb::postgres().await else { return };
                super::$name(&t.db).await;
            }
        }
    )*};
}

/// Two programs and one person in every position the access policy tells
/// apart, for access tests.
pub struct Cast {
    pub site_a: i64,
    /// student_a1 with preceptor_a at Clinic A, four weeks in, six to go.
    pub placement_a1: i64,
    pub program_a: ProgramId,
    pub program_b: ProgramId,
    pub admin: UserId,
    pub director_a: UserId,
    pub instructor_a: UserId,
    pub preceptor_a: UserId,
    /// A preceptor of program A with nobody placed.
    pub preceptor_a2: UserId,
    /// Placed with `preceptor_a`.
    pub student_a1: UserId,
    /// In program A, placed with nobody.
    pub student_a2: UserId,
    pub director_b: UserId,
    pub student_b1: UserId,
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Creates the cast. The administrator has two-step sign-in on (without
/// it an administrator has no administrator powers).
pub async fn cast(db: &Db) -> Cast {
    use app::domain::access::Role;
    use app::storage::{externship, programs, users};
    let t = now();
    // Programs on the default edition, as new programs start.
    let edition = catalog().default_edition().id().to_string();
    let program_a = programs::create_program(db, "Program A", &edition, None, t).await.unwrap();
    let program_b = programs::create_program(db, "Program B", &edition, None, t).await.unwrap();
    let make = async |email: &str, admin: bool| {
        users::create(db, &users::NewUser { email, display_name: email, password_hash: None, site_admin: admin }, t)
            .await
            .unwrap()
    };
    let admin = make("admin@a.example", true).await;
    let director_a = make("director@a.example", false).await;
    let instructor_a = make("instructor@a.example", false).await;
    let preceptor_a = make("preceptor@a.example", false).await;
    let preceptor_a2 = make("preceptor2@a.example", false).await;
    let student_a1 = make("s1@a.example", false).await;
    let student_a2 = make("s2@a.example", false).await;
    let director_b = make("director@b.example", false).await;
    let student_b1 = make("s1@b.example", false).await;
    users::set_pending_totp(db, admin, "JBSWY3DPEHPK3PXP").await.unwrap();
    users::enable_totp(db, admin, 0, t).await.unwrap();
    for (user, program, role) in [
        (director_a, program_a, Role::Director),
        (instructor_a, program_a, Role::Instructor),
        (preceptor_a, program_a, Role::Preceptor),
        (preceptor_a2, program_a, Role::Preceptor),
        (student_a1, program_a, Role::Student),
        (student_a2, program_a, Role::Student),
        (director_b, program_b, Role::Director),
        (student_b1, program_b, Role::Student),
    ] {
        programs::grant_role(db, user, program, role, None, t).await.unwrap();
    }
    let site_a = externship::create_site(
        db,
        program_a,
        &externship::NewSite { name: "Clinic A".into(), ..Default::default() },
        director_a,
        t,
    )
    .await
    .unwrap();
    // Dates around the real today: server functions judge "no future
    // hours" against the clock.
    let today = chrono::Utc::now().date_naive();
    let placement_a1 = externship::create_placement(
        db,
        &externship::NewPlacement {
            program: program_a,
            student: student_a1,
            site_id: site_a,
            preceptors: vec![preceptor_a],
            start: today - chrono::Duration::days(28),
            end: today + chrono::Duration::days(42),
            required_hours: None,
        },
        director_a,
        t,
    )
    .await
    .unwrap();
    Cast {
        site_a,
        placement_a1,
        program_a,
        program_b,
        admin,
        director_a,
        instructor_a,
        preceptor_a,
        preceptor_a2,
        student_a1,
        student_a2,
        director_b,
        student_b1,
    }
}

/// A live session for `user`; returns the `Cookie` header value.
pub async fn session_cookie(db: &Db, user: UserId) -> String {
    use app::auth::crypto;
    let secret = crypto::new_secret().unwrap();
    app::storage::sessions::create(
        db,
        &app::storage::sessions::NewSession {
            id_hash: &crypto::hash_secret(&secret),
            user_id: user,
            awaiting_second_factor: false,
            ip: None,
            user_agent: None,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    format!("{}={secret}", app::auth::session::COOKIE_NAME)
}

/// Stores a graded knowledge-check attempt (`number` as the student's
/// attempt count would give it) without going through the page.
pub async fn record_attempt(
    db: &Db,
    student: UserId,
    slug: &str,
    number: u32,
    result: &app::domain::quiz::QuizResult,
    at: chrono::DateTime<chrono::Utc>,
) -> i64 {
    let draw = app::domain::quiz::Draw { number, questions: Vec::new() };
    let attempt = app::storage::progress::NewAttempt {
        student_id: student,
        module_slug: slug,
        module_version: "v1",
        mastery_percent: 80,
        answers: &[],
        result,
        draw: &draw,
    };
    app::storage::progress::record_attempt(db, &attempt, at).await.unwrap()
}

/// The real `server` binary, serving from `data_dir` on a free port, with
/// everything it prints kept for the test to read.
pub struct ServerProcess {
    pub base: String,
    child: std::process::Child,
    out: std::thread::JoinHandle<String>,
    err: std::thread::JoinHandle<String>,
}

impl ServerProcess {
    /// Starts `server serve` and waits (up to 60 s: start-up validates and
    /// renders all content, which took 9 s on a loaded two-core machine)
    /// until `/healthz` answers.
    pub async fn start(data_dir: &std::path::Path, extra_args: &[&str]) -> ServerProcess {
        use std::io::Read;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["serve", "--listen-addr", &format!("127.0.0.1:{port}")])
            .args(extra_args)
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--content-dir")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../content"))
            .env_remove("DATABASE_URL")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Drain both pipes as the server writes: a full pipe would block it.
        let drain = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                text
            })
        };
        let out = drain(Box::new(child.stdout.take().unwrap()));
        let err = drain(Box::new(child.stderr.take().unwrap()));
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                return ServerProcess { base, child, out, err };
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not start:\n{}{}", out.join().unwrap(), err.join().unwrap());
    }

    /// Stops the server; returns everything it printed.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        format!("{}{}", self.out.join().unwrap(), self.err.join().unwrap())
    }
}
