//! The HTTP surface that is not a page: `/healthz`, CSRF refusal, and the
//! binary's start-up errors.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant};

use app::storage::{DatabaseUrl, Db, PoolConfig};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

fn test_config() -> server::config::Config {
    common::test_config()
}

async fn get_json(db: Db, path: &str) -> (StatusCode, serde_json::Value) {
    let app = server::router(&test_config(), db, common::catalog()).unwrap();
    let response = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

async fn healthz_is_ok(db: &Db) {
    let (status, body) = get_json(db.clone(), "/healthz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["engine"], db.engine().as_str());
    assert_eq!(body["migration_version"], body["latest_known_migration"]);
    assert!(body["migration_version"].as_i64().unwrap() >= 1);
}

both_engines!(healthz_is_ok);

#[tokio::test]
async fn healthz_is_503_when_the_sqlite_file_is_corrupted() {
    let t = common::TestDb::sqlite().await;
    let DatabaseUrl::Sqlite { path } = &t.url else { unreachable!() };
    std::fs::write(path, vec![0x5a; 8192]).unwrap();
    let (status, body) = get_json(t.db.clone(), "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test]
async fn healthz_is_503_when_the_sqlite_file_is_gone() {
    let t = common::TestDb::sqlite().await;
    let DatabaseUrl::Sqlite { path } = &t.url else { unreachable!() };
    std::fs::remove_file(path).unwrap();
    let (status, _) = get_json(t.db.clone(), "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!path.exists(), "the health check must not create an empty database");
}

#[tokio::test]
async fn healthz_is_503_when_postgres_refuses_connections() {
    // Port 1 on loopback: nothing listens, connections are refused at once.
    let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/test").unwrap();
    let db =
        Db::connect_lazy(&url, &PoolConfig { acquire_timeout: Duration::from_secs(1), ..Default::default() }).unwrap();
    let started = Instant::now();
    let (status, body) = get_json(db, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["engine"], "postgres");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn healthz_is_503_not_a_hang_when_postgres_never_answers() {
    // A listener that accepts TCP but never speaks: the health check must give
    // up on its own time limit.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = DatabaseUrl::parse(&format!("postgres://postgres@127.0.0.1:{port}/test")).unwrap();
    let db = Db::connect_lazy(&url, &PoolConfig::default()).unwrap();
    let started = Instant::now();
    let (status, body) = get_json(db, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "database did not answer in time");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    drop(silent);
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_reaching_server_functions() {
    let t = common::TestDb::sqlite().await;
    let app = server::router(&test_config(), t.db.clone(), common::catalog()).unwrap();
    let post = |origin: &str, fetch_site: &str| {
        Request::post("/api/status")
            .header("origin", origin)
            .header("sec-fetch-site", fetch_site)
            .body(Body::empty())
            .unwrap()
    };
    let refused = app.clone().oneshot(post("https://evil.example", "cross-site")).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let allowed = app.oneshot(post("http://127.0.0.1:3000", "same-origin")).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
}

/// A forged form on another site, posting with the victim's cookie: refused
/// before the server function runs, and the victim stays signed in.
#[tokio::test]
async fn a_cross_site_post_carrying_a_session_cookie_changes_nothing() {
    let t = common::TestDb::sqlite().await;
    let cast = common::cast(&t.db).await;
    let cookie = common::session_cookie(&t.db, cast.director_a).await;
    let app = server::router(&test_config(), t.db.clone(), common::catalog()).unwrap();
    for (path, body) in [
        ("/api/sign-out", String::new()),
        ("/api/invite", format!("program_id={}&name=Eve&email=eve%40evil.example&role=preceptor", cast.program_a)),
    ] {
        let forged = Request::post(path)
            .header("origin", "https://evil.example")
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(app.clone().oneshot(forged).await.unwrap().status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(app::storage::users::find_by_email(&t.db, "eve@evil.example").await.unwrap().is_none());
    let me = app.oneshot(Request::get("/api/me").header("cookie", &cookie).body(Body::empty()).unwrap()).await.unwrap();
    let body = axum::body::to_bytes(me.into_body(), 1 << 16).await.unwrap();
    let me: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(me["user_id"], cast.director_a.get(), "still signed in: {me}");
}

fn run_server(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_bad_database_url_exits_non_zero_with_one_line_naming_the_variable() {
    for url in ["mysql://root@localhost/x", "sqlite::memory:", "postgres://postgres@127.0.0.1:1/test"] {
        let (code, stderr) = run_server(&["migrate"], &[("DATABASE_URL", url)]);
        assert_ne!(code, 0, "{url}");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{url}: {stderr}");
        assert!(lines[0].starts_with("error: DATABASE_URL: "), "{url}: {stderr}");
    }
}

#[test]
fn migrate_creates_the_default_sqlite_file_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for _ in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("migrate")
            .env_remove("DATABASE_URL")
            .env("DATA_DIR", &data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("(sqlite)"));
    }
    assert!(data.join("checkoff.db").exists());
}

#[test]
fn help_documents_every_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_server")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for var in ["LISTEN_ADDR", "DATABASE_URL", "SITE_URL", "LOG_LEVEL", "DATA_DIR", "SITE_ROOT"] {
        assert!(help.contains(&format!("env: {var}")), "--help lacks {var}:\n{help}");
    }
}

/// `create-admin` makes the first administrator and prints a one-time link
/// that signs them in; the link's secret is not stored, only its hash.
#[tokio::test]
async fn create_admin_prints_a_one_time_link_for_a_new_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("admin.db");
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["create-admin", "--email", "Root@School.example", "--name", "Rita Root"])
        .current_dir(dir.path())
        .env("DATABASE_URL", format!("sqlite:{}", db_path.display()))
        .env("SITE_URL", "https://checkoff.school.example")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let link = stdout
        .lines()
        .find(|l| l.starts_with("https://checkoff.school.example/sign-in/link?token="))
        .unwrap_or_else(|| panic!("no link in: {stdout}"));
    let token = link.rsplit('=').next().unwrap();
    assert_eq!(token.len(), 64);

    let url = DatabaseUrl::parse(&format!("sqlite:{}", db_path.display())).unwrap();
    let db = Db::connect(&url, &PoolConfig::default()).await.unwrap();
    let admin = app::storage::users::find_by_email(&db, "root@school.example").await.unwrap().expect("account created");
    assert!(admin.site_admin);
    assert_eq!(admin.display_name, "Rita Root");
    let raw = db
        .execute_unchecked(&format!("UPDATE one_time_token SET used_at = used_at WHERE token_hash = '{token}'"))
        .await
        .unwrap();
    assert_eq!(raw, 0, "the raw token is not what is stored");
    db.close().await;
}

/// The bundle is served from its precompressed copies: Brotli to browsers
/// that accept it, gzip to the rest, the file itself to clients that ask
/// for neither.
#[tokio::test]
async fn the_bundle_is_served_precompressed() {
    use axum::http::header;
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("checkoff.wasm"), b"\0asm raw bytes").unwrap();
    std::fs::write(pkg.join("checkoff.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("checkoff.wasm.gz"), b"gzip bytes").unwrap();
    let t = common::TestDb::sqlite().await;
    let mut config = common::test_config();
    config.site_root = site.path().to_path_buf();
    let app = server::router(&config, t.db.clone(), common::catalog()).unwrap();
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), &b"brotli bytes"[..]),
        (Some("gzip"), Some("gzip"), &b"gzip bytes"[..]),
        (None, None, &b"\0asm raw bytes"[..]),
    ] {
        let mut request = Request::get("/pkg/checkoff.wasm");
        if let Some(a) = accept {
            request = request.header(header::ACCEPT_ENCODING, a);
        }
        let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(response.headers().get(header::CONTENT_TYPE).unwrap(), "application/wasm");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        assert_eq!(&bytes[..], body, "{accept:?}");
    }
}

/// Building a router while pages render on other runtimes must not stall
/// them. Route generation sets a process-wide flag in leptos_server that
/// leaves every resource created meanwhile pending forever
/// (leptos-rs/leptos#4773); the server generates its route list once per
/// process, so later routers never raise the flag. Without that, this test
/// hangs within a few rounds (each test builds a router, so the suite used
/// to hang about one run in four).
#[test]
fn routers_built_while_pages_render_do_not_stall_them() {
    let rounds = 40;
    let renders = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let t = common::TestDb::sqlite().await;
            let app = server::router(&test_config(), t.db.clone(), common::catalog()).unwrap();
            for round in 0..rounds {
                let page = app.clone().oneshot(Request::get("/sign-in").body(Body::empty()).unwrap());
                let response = tokio::time::timeout(Duration::from_secs(20), page)
                    .await
                    .unwrap_or_else(|_| panic!("round {round}: a page render stalled while routers were built"))
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            }
        })
    });
    let builds = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let t = common::TestDb::sqlite().await;
            for _ in 0..rounds {
                drop(server::router(&test_config(), t.db.clone(), common::catalog()).unwrap());
                tokio::task::yield_now().await;
            }
        })
    });
    builds.join().unwrap();
    renders.join().unwrap();
}

/// Signed-in pages of every role, rendered by 64 requests at once in the
/// real binary: every answer is a 200 and nothing in the server's log is a
/// panic or an error. (Under 64 concurrent signed-in requests the server
/// once logged a reactive value read after its owner was disposed.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signed_in_pages_rendered_concurrently_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&DatabaseUrl::default_in(dir.path()), &PoolConfig::default()).await.unwrap();
    db.migrate().await.unwrap();
    let cast = common::cast(&db).await;
    // Records, so the pages have something to show.
    let c = common::client::Client::new(&db);
    for code in ["I.P.2.b", "I.P.1.a"] {
        let (status, body) = c.sign(cast.instructor_a, cast.program_a, cast.student_a1, code, "lab", |_| true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (a, s1) = (cast.program_a, cast.student_a1);
    let mut requests: Vec<(String, String)> = Vec::new();
    for (user, paths) in [
        (
            cast.student_a1,
            vec![
                "/".to_string(),
                "/modules".into(),
                "/modules/venipuncture".into(),
                format!("/programs/{a}/students/{s1}"),
                format!("/programs/{a}/students/{s1}/hours"),
                format!("/programs/{a}/students/{s1}/competencies/I.P.2.b"),
            ],
        ),
        (
            cast.preceptor_a,
            vec![
                "/".to_string(),
                format!("/programs/{a}/students/{s1}/evaluate/I.P.2.b"),
                format!("/programs/{a}/students/{s1}/hours"),
            ],
        ),
        (cast.instructor_a, vec![format!("/programs/{a}/lab"), format!("/programs/{a}/students/{s1}")]),
        (
            cast.director_a,
            vec![
                format!("/programs/{a}/dashboard"),
                format!("/programs/{a}/students/{s1}/checklist"),
                format!("/programs/{a}/people"),
            ],
        ),
    ] {
        let cookie = common::session_cookie(&db, user).await;
        requests.extend(paths.into_iter().map(|p| (cookie.clone(), p)));
    }
    drop(c);
    db.close().await;
    let server = common::ServerProcess::start(dir.path(), &[]).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let requests = std::sync::Arc::new(requests);
    let mut tasks = Vec::new();
    for task in 0..64 {
        let (client, base, requests) = (client.clone(), server.base.clone(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for round in 0..4 {
                let (cookie, path) = &requests[(task + round * 7) % requests.len()];
                match client.get(format!("{base}{path}")).header("cookie", cookie).send().await {
                    Ok(r) if r.status() == StatusCode::OK => {
                        let _ = r.bytes().await;
                    }
                    Ok(r) => failures.push(format!("{path}: {}", r.status())),
                    Err(e) => failures.push(format!("{path}: {e}")),
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for t in tasks {
        failures.extend(t.await.unwrap());
    }
    let log = server.stop();
    assert!(failures.is_empty(), "{} requests failed: {failures:?}\n{log}", failures.len());
    assert!(!log.contains("panicked"), "a render panicked:\n{log}");
    assert!(!log.contains("ERROR"), "the server logged an error:\n{log}");
    assert!(!log.contains("without its script policy"), "a page left without its policy:\n{log}");
}
