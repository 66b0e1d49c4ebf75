//! What attacks this suite tries, in one place (issue 12; OWASP ASVS 5.0
//! Level 2). Each test names the attack and the defence; storage-backed ones
//! run on SQLite and PostgreSQL.
//!
//! 1. Stored XSS: names with markup on every page that shows a name, in the
//!    `<title>` and the body (`names_with_markup_stay_text_on_every_page`).
//! 2. Open redirect after sign-in (`sign_in_only_redirects_to_this_site`).
//! 3. CSV formula injection (`csv_exports_neutralise_formulas`).
//! 4. Malformed, oversized and control-character input answers 4xx with a
//!    plain message (`bad_input_is_a_4xx_with_a_plain_message`).
//! 5. Racing the cap on open sign-off requests (`the_request_cap_holds_under_a_race`).
//! 6. Guessing through unthrottled forms, and flooding mail requests
//!    (`password_and_code_checks_are_throttled`, `mail_requests_are_limited_per_address`).
//! 7. Pulling another program's student, and their history, into a program
//!    (`an_existing_account_joins_only_by_accepting`).
//! 8. Headers, slow clients, secrets in logs (`pages_carry_a_strict_policy`,
//!    `a_client_that_never_finishes_is_dropped`, `query_strings_never_reach_the_log`).
//! 9. Rewriting sign-off history with database access
//!    (`a_rewritten_history_fails_its_signed_checkpoints`).

use crate::common;
use app::domain::ids::UserId;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt;

use app::storage::{Db, Engine};
use common::client::Client;

/// A name that closes the title, opens a script, breaks out of an
/// attribute, and carries an event handler.
const MARKUP: &str = "Eve</title><script>alert(1)</script><img src=x onerror=alert(2)>\"'";

/// The text between the first `<title>` and `</title>`.
fn title_of(html: &str) -> &str {
    let start = html.find("<title>").map(|i| i + "<title>".len()).unwrap_or(0);
    let end = html[start..].find("</title>").map_or(start, |i| start + i);
    &html[start..end]
}

/// No executable trace of the payload anywhere in the document.
fn assert_inert(path: &str, html: &str) {
    // Escaped, the payload is harmless text (`&lt;img src=x onerror=…`);
    // live, it opens a tag.
    for live in ["<script>alert", "<img src=x"] {
        if let Some(at) = html.find(live) {
            let from = at.saturating_sub(300);
            panic!("{path}: the payload is live ({live}) here:\n{}", &html[from..(at + 200).min(html.len())]);
        }
    }
    let title = title_of(html);
    assert!(!title.contains('<') && !title.contains('>'), "{path}: markup in <title>: {title}");
}

// ---- 1. Stored XSS through names -------------------------------------------

async fn names_with_markup_stay_text_on_every_page(db: &Db) {
    let cast = common::cast(db).await;
    let (a, s) = (cast.program_a, cast.student_a1);
    for sql in [
        format!(
            "UPDATE app_user SET display_name = '{}' WHERE id IN ({}, {})",
            MARKUP.replace('\'', "''"),
            s,
            cast.preceptor_a
        ),
        format!("UPDATE program SET name = 'Program {}' WHERE id = {a}", MARKUP.replace('\'', "''")),
        format!("UPDATE site SET name = 'Site {}' WHERE id = {}", MARKUP.replace('\'', "''"), cast.site_a),
    ] {
        db.execute_unchecked(&sql).await.unwrap();
    }
    let c = Client::new(db);
    // A record signed by the preceptor, so evaluator names show too.
    let (status, body) = c.sign(cast.preceptor_a, a, s, "I.P.1.a", "externship", |_| true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let escaped_name = "Eve&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;";
    // (path, who, whether the title names the student)
    let pages: Vec<(String, UserId, bool)> = vec![
        (format!("/programs/{a}/students/{s}"), cast.director_a, true),
        (format!("/programs/{a}/students/{s}/checklist"), cast.director_a, true),
        (format!("/programs/{a}/students/{s}/hours"), cast.director_a, true),
        (format!("/programs/{a}/students/{s}/competencies/I.P.1.a"), cast.director_a, true),
        (format!("/programs/{a}/students/{s}/evaluate/I.P.1.b"), cast.preceptor_a, true),
        (format!("/programs/{a}/students/{s}/externship-evaluation?kind=of_student"), cast.preceptor_a, true),
        (format!("/programs/{a}/students/{s}/externship-evaluation?kind=of_site"), s, false),
        (format!("/programs/{a}/checklists"), cast.director_a, false),
        (format!("/programs/{a}/dashboard"), cast.director_a, false),
        (format!("/programs/{a}/summary"), cast.director_a, false),
        (format!("/programs/{a}/people"), cast.director_a, false),
        (format!("/programs/{a}/externship"), cast.director_a, false),
        (format!("/programs/{a}/lab?code=I.P.1.a"), cast.instructor_a, false),
        ("/account".to_string(), s, false),
        ("/".to_string(), s, false),
    ];
    for (path, who, names_student) in pages {
        let (status, html) = c.get(Some(who), &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
        assert_inert(&path, &html);
        if names_student {
            assert!(title_of(&html).contains(escaped_name), "{path}: title {:?}", title_of(&html));
        }
    }
}

// ---- 2. Open redirect --------------------------------------------------------

async fn sign_in_only_redirects_to_this_site(db: &Db) {
    let cast = common::cast(db).await;
    let hash = app::auth::crypto::hash_password("correct horse battery").unwrap();
    app::storage::users::set_password(db, cast.student_a1, &hash).await.unwrap();
    let app = server::router(&common::test_config(), db.clone(), common::catalog()).unwrap();
    // (form-encoded `next`, where the browser must be sent)
    let cases = [
        ("%2Fprograms%2F1%2Fpeople", "/programs/1/people"),
        ("%2F%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%0A%2Fevil.example", "/"),
        ("%2F%0D%0A%2Fevil.example", "/"),
        ("%2F+%2Fevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("javascript%3Aalert(1)", "/"),
        ("%2F%E3%80%80%2Fevil.example", "/"),
    ];
    for (next, expected) in cases {
        // A plain form post (a browser without the bundle: 302) and the
        // bundle's own call (it follows the Location header itself).
        for accept in ["text/html,application/xhtml+xml", "application/json"] {
            let body = format!("email=s1%40a.example&password=correct+horse+battery&next={next}");
            let request = Request::post("/api/sign-in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, accept)
                .body(Body::from(body))
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            if accept.starts_with("text/html") {
                assert_eq!(response.status(), StatusCode::FOUND, "next={next}");
            }
            let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
            assert_eq!(location, expected, "next={next}");
        }
    }
    // Control characters never reach the redirect (where they used to drop
    // the connection): the request is refused with a 400 before any handler.
    for next in ["%2F%01%2Fevil.example", "%2F%00", "%2F%7F%2Fx"] {
        let (status, body) = Client::new(db)
            .form(None, "/api/sign-in", &format!("email=s1%40a.example&password=correct+horse+battery&next={next}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "next={next}: {body}");
    }
}

// ---- 3. CSV formula injection ------------------------------------------------

async fn csv_exports_neutralise_formulas(db: &Db) {
    let cast = common::cast(db).await;
    let (a, s) = (cast.program_a, cast.student_a1);
    let formula_name = "=HYPERLINK(\"http://evil.example\",\"click\")";
    let cohort = "-2+3";
    let number = "+1 555 0100";
    let program = "@SUM(1,1)";
    let evaluator = "\tcmd";
    db.execute_unchecked(&format!(
        "INSERT INTO cohort (program_id, name, created_at) VALUES ({a}, '{cohort}', '2026-01-01T00:00:00Z')"
    ))
    .await
    .ok();
    for sql in [
        format!("UPDATE app_user SET display_name = '{}' WHERE id = {s}", formula_name.replace('\'', "''")),
        format!("UPDATE app_user SET display_name = '{evaluator}' WHERE id = {}", cast.instructor_a),
        format!("UPDATE program SET name = '{program}' WHERE id = {a}"),
        format!(
            "UPDATE membership SET student_number = '{number}', cohort_id = (SELECT id FROM cohort WHERE name = '{cohort}') \
             WHERE user_id = {s} AND program_id = {a} AND role = 'student'"
        ),
    ] {
        db.execute_unchecked(&sql).await.unwrap();
    }
    let c = Client::new(db);
    let (status, body) = c.sign(cast.instructor_a, a, s, "I.P.1.a", "lab", |_| true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for path in [format!("/programs/{a}/summary.csv?cohort=0"), format!("/programs/{a}/students/{s}/checklist.csv")] {
        let (status, text) = c.get(Some(cast.director_a), &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let cells: Vec<String> =
            reader.records().flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>()).collect();
        for cell in &cells {
            let first = cell.chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\0')),
                "{path}: live formula cell {cell:?}"
            );
        }
        assert!(cells.contains(&format!("'{formula_name}")), "{path}: {cells:?}");
        assert!(cells.contains(&format!("'{number}")), "{path}: {cells:?}");
        assert!(cells.contains(&format!("'{cohort}")), "{path}: {cells:?}");
        if path.ends_with("checklist.csv") {
            assert!(cells.contains(&format!("'{program}")), "{path}: {cells:?}");
            assert!(cells.contains(&format!("'{evaluator}")), "{path}: {cells:?}");
        }
    }
}

// ---- 4. Bad input --------------------------------------------------------------

/// A 4xx whose body is a sentence, not a deserializer's or database's detail.
fn assert_plain_4xx(what: &str, status: StatusCode, body: &str, expected: StatusCode) {
    assert_eq!(status, expected, "{what}: {body}");
    for leak in [
        "serde",
        "expected value",
        "expected `",
        "line 1",
        "column",
        "invalid digit",
        "sqlx",
        "SQL",
        "panicked",
        "0x00",
    ] {
        assert!(!body.contains(leak), "{what}: the answer leaks detail ({leak}): {body}");
    }
}

async fn bad_input_is_a_4xx_with_a_plain_message(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let a = cast.program_a;
    // Oversized bodies: 413, before any server function reads them.
    let big = format!("email=x%40a.example&password={}", "a".repeat(2 << 20));
    let (status, body) = c.form(None, "/api/sign-in", &big).await;
    assert_plain_4xx("oversized form", status, &body, StatusCode::PAYLOAD_TOO_LARGE);
    // Malformed JSON, missing arguments, numbers out of range: 400.
    let req = Request::post("/api/quiz").header(header::CONTENT_TYPE, "application/json");
    let (status, body) = c.send(None, req, Body::from("{\"slug\": ")).await;
    assert_plain_4xx("malformed JSON", status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = c.form(None, "/api/sign-in", "email=x%40a.example").await;
    assert_plain_4xx("missing argument", status, &body, StatusCode::BAD_REQUEST);
    let (status, body) =
        c.get(Some(cast.director_a), "/api/student-record?program_id=99999999999999999999999&student_id=1").await;
    assert_plain_4xx("number out of range", status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = c.get(Some(cast.director_a), "/api/student-record?program_id=abc&student_id=1").await;
    assert_plain_4xx("not a number", status, &body, StatusCode::BAD_REQUEST);
    // NUL and other controls: refused alike on both engines (PostgreSQL
    // used to answer 500, SQLite stored them).
    let nul_cases: Vec<(&str, String)> = vec![
        ("/api/invite", format!("program_id={a}&name=Ana%00Diaz&email=ana%40a.example&role=preceptor")),
        ("/api/invite", format!("program_id={a}&name=Ana%1BDiaz&email=ana%40a.example&role=preceptor")),
        // A line break is text in a comment, not in a name.
        ("/api/invite", format!("program_id={a}&name=Ana%0ADiaz&email=ana%40a.example&role=preceptor")),
        (
            "/api/add-site",
            format!("program_id={a}&name=Clinic%0D%0AB&address=&contact_name=&contact_email=&contact_phone="),
        ),
        (
            "/api/roster",
            format!("program_id={a}&cohort=Fall&csv=name%2Cemail%2Cstudent+id%0AAna%00%2Cana%40a.example%2CS1"),
        ),
        (
            "/api/add-site",
            format!("program_id={a}&name=Clinic%00&address=&contact_name=&contact_email=&contact_phone="),
        ),
    ];
    let sites_before = db.scalar_unchecked("SELECT COUNT(*) FROM site").await.unwrap();
    for (path, body) in nul_cases {
        let (status, answer) = c.form(Some(cast.director_a), path, &body).await;
        assert_plain_4xx(path, status, &answer, StatusCode::BAD_REQUEST);
    }
    let (status, body) =
        c.json(Some(cast.student_a1), "/api/quiz", json!({ "slug": "hand-hygiene-ppe", "answers": ["a\u{0}b"] })).await;
    assert_plain_4xx("NUL in JSON", status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = c
        .get(Some(cast.director_a), &format!("/programs/{a}/students/{}/competencies/I.P.1.a%00", cast.student_a1))
        .await;
    assert_plain_4xx("NUL in a path", status, &body, StatusCode::BAD_REQUEST);
    // Nothing of the above was stored.
    assert_eq!(db.scalar_unchecked("SELECT COUNT(*) FROM site").await.unwrap(), sites_before);
    assert!(app::storage::users::find_by_email(db, "ana@a.example").await.unwrap().is_none());
    // Multi-line text keeps its line breaks: a reason with CR LF is fine.
    let (status, body) = c
        .form(
            Some(cast.director_a),
            "/api/void-signoff",
            &format!("program_id={a}&signoff_id=999999&reason=Line+one%0D%0ALine+two"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

// ---- 5. The cap on open requests, raced ------------------------------------------

async fn the_request_cap_holds_under_a_race(db: &Db) {
    use app::domain::competency::{MAX_OPEN_REQUESTS, RequiredSetting, Setting};
    let cast = common::cast(db).await;
    let codes: Vec<String> = common::catalog()
        .signed_off_competencies()
        .filter(|c| c.requirement.setting.allows(Setting::Externship) && c.requirement.setting != RequiredSetting::Lab)
        .map(|c| c.code.clone())
        .take(16)
        .collect();
    assert_eq!(codes.len(), 16, "the catalogue needs 16 competencies a preceptor may sign");
    let c = Arc::new(Client::new(db));
    let mut tasks = Vec::new();
    for code in codes {
        let c = c.clone();
        let (program, student) = (cast.program_a, cast.student_a1);
        tasks.push(tokio::spawn(async move {
            c.form(Some(student), "/api/request-signoff", &format!("program_id={program}&code={code}")).await
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => accepted += 1,
            StatusCode::BAD_REQUEST => assert!(body.contains("requests waiting"), "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    let open = app::storage::signoffs::open_requests_of_student(db, cast.program_a, cast.student_a1).await.unwrap();
    let mails = db
        .scalar_unchecked("SELECT COUNT(*) FROM outbox_email WHERE to_address = 'preceptor@a.example' AND subject LIKE 'Sign-off request%'")
        .await
        .unwrap();
    assert_eq!((accepted, open.len(), mails as usize), (MAX_OPEN_REQUESTS, MAX_OPEN_REQUESTS, MAX_OPEN_REQUESTS));
}

// ---- 6. Throttling ----------------------------------------------------------------

async fn password_and_code_checks_are_throttled(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let hash = app::auth::crypto::hash_password("correct horse battery").unwrap();
    app::storage::users::set_password(db, cast.student_a1, &hash).await.unwrap();
    // The current password on the change form: three free tries, then waits.
    let attempt = |current: &str| format!("current_password={current}&password=a+brand+new+password");
    for i in 0..3 {
        let (status, body) = c.form(Some(cast.student_a1), "/api/password", &attempt("wrong+guess")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "guess {i}: {body}");
    }
    let (status, body) = c.form(Some(cast.student_a1), "/api/password", &attempt("another+guess")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // Even the right one waits: a guesser cannot tell it apart.
    let (status, _) = c.form(Some(cast.student_a1), "/api/password", &attempt("correct+horse+battery")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The code that turns two-step sign-in off.
    let user = cast.student_a2;
    app::storage::users::set_pending_totp(db, user, "JBSWY3DPEHPK3PXP").await.unwrap();
    app::storage::users::enable_totp(db, user, 0, common::now()).await.unwrap();
    for i in 0..3 {
        let (status, body) = c.form(Some(user), "/api/two-factor-disable", "code=000000").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "code {i}: {body}");
    }
    let (status, body) = c.form(Some(user), "/api/two-factor-disable", "code=111111").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(app::storage::users::get(db, user).await.unwrap().unwrap().totp_enabled());
}

async fn mail_requests_are_limited_per_address(db: &Db) {
    use axum::extract::ConnectInfo;
    common::cast(db).await;
    let app = server::router(&common::test_config(), db.clone(), common::catalog()).unwrap();
    let from = |ip: [u8; 4], path: &str, n: usize| {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("email=nobody{n}%40x.example")))
            .unwrap();
        req.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
        req
    };
    let audit_before = db.scalar_unchecked("SELECT COUNT(*) FROM audit_event").await.unwrap();
    for n in 0..10 {
        let path = if n % 2 == 0 { "/api/sign-in-link-request" } else { "/api/password-reset-request" };
        let status = app.clone().oneshot(from([198, 51, 100, 7], path, n)).await.unwrap().status();
        assert_eq!(status, StatusCode::OK, "request {n}");
    }
    let status = app.clone().oneshot(from([198, 51, 100, 7], "/api/sign-in-link-request", 10)).await.unwrap().status();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let status =
        app.clone().oneshot(from([198, 51, 100, 7], "/api/password-reset-request", 11)).await.unwrap().status();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not held back by this one.
    let status = app.clone().oneshot(from([203, 0, 113, 9], "/api/sign-in-link-request", 12)).await.unwrap().status();
    assert_eq!(status, StatusCode::OK);
    // Unknown addresses leave no audit rows behind.
    let audit_after = db.scalar_unchecked("SELECT COUNT(*) FROM audit_event").await.unwrap();
    assert_eq!(audit_after, audit_before, "requests for unknown addresses must not write audit rows");
}

// ---- 7. Enrolment across programs ----------------------------------------------------

async fn an_existing_account_joins_only_by_accepting(db: &Db) {
    use app::domain::quiz::QuizResult;
    let cast = common::cast(db).await;
    let (b, s) = (cast.program_b, cast.student_a1);
    // Student A1's history in program A, before anyone asks them to join B.
    let before = common::now() - chrono::Duration::days(3);
    app::storage::progress::record_reading(db, s, "vital-signs", 100, before).await.unwrap();
    let failed = QuizResult { questions: vec![], correct: 1, total: 10, score_percent: 10, mastered: false };
    common::record_attempt(db, s, "vital-signs", 1, &failed, before).await;

    let c = Client::new(db);
    let roster = "name%2Cemail%2Cstudent+id%0AS+One%2Cs1%40a.example%2CB-1%0ANew+Person%2Cnew%40b.example%2CB-2";
    let (status, body) =
        c.form(Some(cast.director_b), "/api/roster", &format!("program_id={b}&cohort=Spring&csv={roster}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["Imported"]["students_added"], 1, "{report}");
    assert_eq!(report["Imported"]["offered"], 1, "{report}");
    // Not a member of B yet: director B reads nothing of theirs.
    let record = format!("/api/student-record?program_id={b}&student_id={s}");
    let (status, _) = c.get(Some(cast.director_b), &record).await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{status}");
    // An invitation naming the same address is an offer too, never a grant.
    let (status, body) = c
        .form(
            Some(cast.director_b),
            "/api/invite",
            &format!("program_id={b}&name=S&email=s1%40a.example&role=preceptor"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let roles = app::storage::programs::roles_of(db, s).await.unwrap();
    assert!(roles.iter().all(|(p, _)| p.id != b), "{roles:?}");

    // They accept from the e-mail.
    let mails = app::storage::outbox::latest(db, 50).await.unwrap();
    let mail = mails.iter().find(|m| m.to_address == "s1@a.example" && m.body_text.contains("as a student")).unwrap();
    assert!(mail.subject.starts_with("Join "), "{}", mail.subject);
    let token = mail.body_text.split("/join?token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let (status, body) = c.get(None, &format!("/api/membership-offer?token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"open\""), "{body}");
    let (status, body) = c.form(None, "/api/answer-membership-offer", &format!("token={token}&accept=true")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = c.form(None, "/api/answer-membership-offer", &format!("token={token}&accept=true")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an offer is answered once: {body}");

    // Now in B, whose director sees nothing from before joining...
    let (status, body) = c.get(Some(cast.director_b), &record).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    let vital = view["modules"].as_array().unwrap().iter().find(|m| m["slug"] == "vital-signs").unwrap();
    assert_eq!((vital["attempts"].as_i64(), vital["read_percent"].as_i64()), (Some(0), Some(0)), "{vital}");
    // ...and what they do from now on.
    let passed = QuizResult { questions: vec![], correct: 9, total: 10, score_percent: 90, mastered: true };
    common::record_attempt(db, s, "vital-signs", 2, &passed, common::now()).await;
    let (_, body) = c.get(Some(cast.director_b), &record).await;
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    let vital = view["modules"].as_array().unwrap().iter().find(|m| m["slug"] == "vital-signs").unwrap();
    assert_eq!((vital["attempts"].as_i64(), vital["mastered"].as_bool()), (Some(1), Some(true)), "{vital}");
    // The student number and cohort offered came with the place.
    let members = app::storage::programs::members(db, b).await.unwrap();
    let m = members.iter().find(|m| m.user_id == s).unwrap();
    assert_eq!((m.cohort.as_deref(), m.student_number.as_deref()), (Some("Spring"), Some("B-1")));
}

// ---- 8. Headers, slow clients, logs ----------------------------------------------------

async fn pages_carry_a_strict_policy(db: &Db) {
    let app = server::router(&common::test_config(), db.clone(), common::catalog()).unwrap();
    let response = app.clone().oneshot(Request::get("/sign-in").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let html = String::from_utf8(axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap().to_vec()).unwrap();
    let csp = headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "script-src 'self' 'nonce-",
    ] {
        assert!(csp.contains(directive), "missing {directive}: {csp}");
    }
    assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).unwrap();
    // Every inline script carries this response's nonce.
    let scripts = html.matches("<script").count();
    assert!(scripts >= 1);
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{html}");
    assert!(headers.get("permissions-policy").is_some_and(|v| v.to_str().unwrap().contains("camera=()")));
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS on plain http");
    // Two responses, two nonces.
    let again = app.clone().oneshot(Request::get("/sign-in").body(Body::empty()).unwrap()).await.unwrap();
    assert_ne!(again.headers().get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap(), csp);
    // What is not a page runs no script at all.
    let health = app.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
    assert!(
        health
            .headers()
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    // An https site sends HSTS.
    use clap::Parser;
    let content = concat!(env!("CARGO_MANIFEST_DIR"), "/../content");
    let https = server::config::Cli::parse_from([
        "server",
        "--site-url",
        "https://checkoff.example.org",
        "--content-dir",
        content,
    ])
    .config;
    let app = server::router(&https, db.clone(), common::catalog()).unwrap();
    let response = app.oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
    assert!(
        response.headers().get(header::STRICT_TRANSPORT_SECURITY).unwrap().to_str().unwrap().starts_with("max-age=")
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_is_dropped() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = axum::Router::new().route("/echo", axum::routing::post(|body: String| async move { body })).layer(
        axum::middleware::from_fn_with_state(
            server::input_guard::InputLimits { body_read: Duration::from_millis(800), ..Default::default() },
            server::input_guard::check_input,
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits =
        server::serve::ServeLimits { header_read: Duration::from_millis(800), shutdown_grace: Duration::from_secs(1) };
    tokio::spawn(server::serve::serve(listener, app, limits, std::future::pending()));

    // Headers never finished: the connection is closed.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server kept a half-sent request open");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());

    // A body that stops arriving: 408, and the connection ends.
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\nonly a few",
        )
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stalled.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server waited for a stalled body");
    let answer = String::from_utf8_lossy(&buf);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    // A client that sends its request whole is served.
    let mut ok = tokio::net::TcpStream::connect(addr).await.unwrap();
    ok.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello")
        .await
        .unwrap();
    let mut buf = Vec::new();
    ok.read_to_end(&mut buf).await.unwrap();
    let answer = String::from_utf8_lossy(&buf);
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("hello"), "{answer}");
}

/// One-time link tokens travel in query strings; no log line, at any level,
/// may carry them. Runs the real binary at `LOG_LEVEL=trace` and reads
/// everything it prints.
#[tokio::test]
async fn query_strings_never_reach_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::ServerProcess::start(dir.path(), &["--log-level", "trace"]).await;
    let (base, client) = (server.base.clone(), reqwest::Client::new());
    for path in [
        "/sign-in/link?token=SECRET1TOKEN",
        "/reset-password?token=SECRET2TOKEN",
        "/api/sign-in-link-info?token=SECRET3TOKEN",
        // A page that does not exist renders the app too (its header asks
        // who is signed in): it must find the service context like any page.
        "/no-such-page?token=SECRET4TOKEN",
    ] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        let _ = response.bytes().await;
    }
    let log = server.stop();
    assert!(log.contains("/sign-in/link"), "the request was not logged at all:\n{log}");
    assert!(!log.contains("SECRET"), "a token reached the log:\n{log}");
    assert!(!log.contains("ERROR"), "ordinary requests logged an error:\n{log}");
    assert!(!log.contains("without its script policy"), "a page left without its policy:\n{log}");
}

// ---- 9. Rewritten history against signed checkpoints ------------------------------------------

async fn a_rewritten_history_fails_its_signed_checkpoints(db: &Db) {
    use app::domain::checkpoint::CheckpointError;
    use app::domain::signoff_chain::link_hash;
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let dir = tempfile::tempdir().unwrap();
    let config = server::checkpoints::CheckpointConfig {
        key_hex: None,
        key_file: dir.path().join("key"),
        file: dir.path().join("checkpoints.jsonl"),
    };
    let signer = server::checkpoints::Signer::open(&config, common::now()).unwrap();
    let sign = async |code: &str| {
        let (status, body) = c.sign(cast.instructor_a, cast.program_a, cast.student_a2, code, "lab", |_| true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    };
    for code in ["I.P.1.a", "I.P.1.b", "I.P.1.c"] {
        sign(code).await;
    }
    let first = signer.checkpoint_all(db, common::now()).await.unwrap();
    assert_eq!(first.iter().map(|c| (c.program, c.position)).collect::<Vec<_>>(), vec![(cast.program_a, 3)]);
    assert!(signer.checkpoint_all(db, common::now()).await.unwrap().is_empty(), "an unmoved chain is not signed again");
    for code in ["I.P.1.d", "I.P.1.e"] {
        sign(code).await;
    }
    signer.checkpoint_all(db, common::now()).await.unwrap();
    let file = std::fs::read_to_string(&config.file).unwrap();
    let v = server::checkpoints::verify_file(db, &file).await.unwrap();
    assert_eq!((v.checked, v.failures.len()), (2, 0), "{:?}", v.failures);
    // The director's download verifies the same way.
    let app = server::router_with(
        &common::test_config(),
        db.clone(),
        common::catalog(),
        Some(Arc::new(server::checkpoints::Signer::open(&config, common::now()).unwrap())),
    )
    .unwrap();
    let request = Request::get(format!("/programs/{}/checkpoints.jsonl", cast.program_a))
        .header("cookie", common::session_cookie(db, cast.director_a).await)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let download =
        String::from_utf8(axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    assert_eq!(server::checkpoints::verify_file(db, &download).await.unwrap().failures.len(), 0, "{download}");
    let refused = Request::get(format!("/programs/{}/checkpoints.jsonl", cast.program_a))
        .header("cookie", common::session_cookie(db, cast.instructor_a).await)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.oneshot(refused).await.unwrap().status(), StatusCode::FORBIDDEN);

    // The attacker: database access, no key. Rewrite record 2 and re-hash
    // everything after it, and the head, as `verify-signoffs` checks them.
    let disable = match db.engine() {
        Engine::Sqlite => "DROP TRIGGER signoff_no_update",
        Engine::Postgres => "ALTER TABLE signoff DISABLE TRIGGER signoff_no_update",
    };
    db.execute_unchecked(disable).await.unwrap();
    let (links, _) = app::storage::signoffs::chain(db, cast.program_a).await.unwrap();
    let mut prev = links[0].hash.clone();
    for link in &links[1..] {
        let mut content = link.content.clone();
        if content.seq == 2 {
            content.evaluator_name = "Someone Else".into();
            db.execute_unchecked(&format!("UPDATE signoff SET evaluator_name = 'Someone Else' WHERE id = {}", link.id))
                .await
                .unwrap();
        }
        let hash = link_hash(&prev, &content);
        db.execute_unchecked(&format!(
            "UPDATE signoff SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {}",
            link.id
        ))
        .await
        .unwrap();
        prev = hash;
    }
    db.execute_unchecked(&format!(
        "UPDATE signoff_chain SET head_hash = '{prev}' WHERE program_id = {}",
        cast.program_a
    ))
    .await
    .unwrap();
    // The chain alone is fooled...
    assert_eq!(app::storage::signoffs::verify_program(db, cast.program_a).await.unwrap(), Ok(5));
    // ...the checkpoints are not, and the first broken one is named.
    let v = server::checkpoints::verify_file(db, &file).await.unwrap();
    assert_eq!(v.failures.len(), 1, "{:?}", v.failures);
    assert!(
        matches!(&v.failures[0], CheckpointError::HashDiffers { program, position: 3, .. } if *program == cast.program_a),
        "{:?}",
        v.failures
    );
    let message = v.failures[0].to_string();
    assert!(message.contains(&format!("program {}", cast.program_a)) && message.contains("position 3"), "{message}");
    // Nor can the attacker re-sign: a checkpoint altered to the new hash fails its signature.
    let forged = file.replace(&first[0].hash, &links[2].hash);
    let v = server::checkpoints::verify_file(db, &forged).await.unwrap();
    assert!(v.failures.iter().any(|f| matches!(f, CheckpointError::BadSignature { position: 3, .. })
        || matches!(f, CheckpointError::HashDiffers { .. })));
}

/// A rotated key keeps the checkpoints of its period verifiable.
async fn a_rotated_key_keeps_old_checkpoints_verifiable(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.jsonl");
    let config = |key: &str| server::checkpoints::CheckpointConfig {
        key_hex: None,
        key_file: dir.path().join(key),
        file: file.clone(),
    };
    let old = server::checkpoints::Signer::open(&config("old.key"), common::now()).unwrap();
    c.sign(cast.instructor_a, cast.program_a, cast.student_a2, "I.P.1.a", "lab", |_| true).await;
    old.checkpoint_all(db, common::now()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let new = server::checkpoints::Signer::open(&config("new.key"), common::now()).unwrap();
    assert_ne!(old.key_id(), new.key_id());
    c.sign(cast.instructor_a, cast.program_a, cast.student_a2, "I.P.1.b", "lab", |_| true).await;
    new.checkpoint_all(db, common::now()).await.unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("\"type\":\"key\"").count(), 2, "{text}");
    let v = server::checkpoints::verify_file(db, &text).await.unwrap();
    assert_eq!((v.checked, v.failures.len()), (2, 0), "{:?}", v.failures);
}

both_engines!(
    names_with_markup_stay_text_on_every_page,
    sign_in_only_redirects_to_this_site,
    csv_exports_neutralise_formulas,
    bad_input_is_a_4xx_with_a_plain_message,
    the_request_cap_holds_under_a_race,
    password_and_code_checks_are_throttled,
    mail_requests_are_limited_per_address,
    an_existing_account_joins_only_by_accepting,
    pages_carry_a_strict_policy,
    a_rewritten_history_fails_its_signed_checkpoints,
    a_rotated_key_keeps_old_checkpoints_verifiable,
);
