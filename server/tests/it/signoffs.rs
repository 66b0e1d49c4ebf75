//! Sign-offs end to end through the HTTP API, on both engines: the request
//! and preceptor sign-off, results computed by the server, who may sign
//! where, corrections, the append-only table, the hash chain and its
//! verification, and the Master Competency Checklist CSV.

use crate::common;
use app::domain::ids::{ProgramId, UserId};

use axum::http::StatusCode;
use serde_json::{Value, json};

use app::storage::Db;

use common::client::Client;

fn row<'a>(record: &'a Value, code: &str) -> &'a Value {
    record["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap()
}

/// The journey of the issue: a student asks, the preceptor opens the e-mailed
/// link and signs, the student sees it passed.
async fn a_student_request_is_signed_off_by_their_preceptor(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (status, body) = c
        .form(Some(cast.student_a1), "/api/request-signoff", &format!("program_id={}&code=I.P.1.a", cast.program_a))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Asking twice sends no second e-mail.
    c.form(Some(cast.student_a1), "/api/request-signoff", &format!("program_id={}&code=I.P.1.a", cast.program_a)).await;
    let mail = app::storage::outbox::latest(db, 10).await.unwrap();
    let requests: Vec<_> = mail.iter().filter(|m| m.subject.starts_with("Sign-off request")).collect();
    assert_eq!(requests.len(), 1, "one e-mail per open request");
    assert_eq!(requests[0].to_address, "preceptor@a.example");
    let next = format!("next=/programs/{}/students/{}/evaluate/I.P.1.a%3Frequest%3D", cast.program_a, cast.student_a1);
    assert!(requests[0].body_text.contains(&next), "{}", requests[0].body_text);
    assert_eq!(row(&c.record(cast.student_a1, cast.program_a, cast.student_a1).await, "I.P.1.a")["request_open"], true);

    // The preceptor's list shows it, with the path that answers it.
    let (_, body) = c.get(Some(cast.preceptor_a), "/api/my-requests").await;
    let list: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{body}");
    let request_id = list[0]["id"].as_i64().unwrap();

    let (status, sheet) = c
        .get(
            Some(cast.preceptor_a),
            &format!("/api/evaluation-sheet?program_id={}&student_id={}&code=I.P.1.a", cast.program_a, cast.student_a1),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    let sheet: Value = serde_json::from_str(&sheet).unwrap();
    assert_eq!(sheet["settings"], json!(["externship"]));
    assert_eq!(sheet["request_id"], request_id);

    let comp = c.competency("I.P.1.a");
    let marks: Vec<Value> = comp.steps.iter().map(|_| json!({ "met": true, "comment": "" })).collect();
    let (status, body) = c
        .json(
            Some(cast.preceptor_a),
            "/api/sign-evaluation",
            json!({ "input": { "program_id": cast.program_a, "student_id": cast.student_a1, "code": "I.P.1.a", "setting": "externship",
                "checklist_version": comp.version, "marks": marks, "comment": "Good technique.", "attested": true, "request_id": request_id }}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(result["passed"], true);
    assert_eq!(result["status"], "complete");

    let record = c.record(cast.student_a1, cast.program_a, cast.student_a1).await;
    let r = row(&record, "I.P.1.a");
    assert_eq!(r["status"], "complete");
    assert_eq!(r["completed_by"], "preceptor@a.example");
    assert_eq!(r["completed_setting"], "externship");
    assert_eq!(r["request_open"], false, "signing answered the request");
    let (_, body) = c.get(Some(cast.preceptor_a), "/api/my-requests").await;
    assert_eq!(body, "[]");

    // The stored record says who, what, when, where, against which checklist.
    let rows = app::storage::signoffs::for_student(db, cast.program_a, cast.student_a1).await.unwrap();
    assert_eq!(rows.len(), 1);
    let s = &rows[0];
    assert_eq!(
        (s.evaluator_id, s.evaluator_role.as_str(), s.setting.as_str()),
        (cast.preceptor_a, "preceptor", "externship")
    );
    assert_eq!(s.checklist_version, comp.version);
    assert_eq!(s.request_id, Some(request_id));
    assert!(s.attestation.contains("personally observed s1@a.example"), "{}", s.attestation);
    assert_eq!(s.comment, "Good technique.");
}

/// A missed critical step fails whatever the score; the browser cannot claim a pass.
async fn the_server_computes_the_result(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let comp = c.competency("I.P.2.b");
    let critical = comp.steps.iter().position(|s| s.critical).unwrap();
    let (status, result) =
        c.sign(cast.instructor_a, cast.program_a, cast.student_a2, "I.P.2.b", "lab", |i| i != critical).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["passed"], false);
    assert_eq!(result["critical_missed"], json!([comp.steps[critical].text]));
    assert!(result["score_percent"].as_u64().unwrap() >= 90);
    assert_eq!(result["status"], "attempted");
    let stored = app::storage::signoffs::for_student(db, cast.program_a, cast.student_a2).await.unwrap();
    assert!(!stored[0].passed);

    // Venipuncture asks for two successful attempts: one pass is not complete.
    let (_, result) = c.sign(cast.instructor_a, cast.program_a, cast.student_a2, "I.P.2.b", "lab", |_| true).await;
    assert_eq!(result["status"], "passed_in_lab");
    let (_, result) = c.sign(cast.instructor_a, cast.program_a, cast.student_a2, "I.P.2.b", "lab", |_| true).await;
    assert_eq!(result["status"], "complete");

    // Unsigned, stale or malformed submissions are refused at the field, and nothing is stored.
    let marks: Vec<Value> = comp.steps.iter().map(|_| json!({ "met": true, "comment": "" })).collect();
    let base = json!({ "program_id": cast.program_a, "student_id": cast.student_a2, "code": "I.P.2.b", "setting": "lab",
        "checklist_version": comp.version, "marks": marks, "comment": "", "attested": false, "request_id": null });
    let (status, body) = c.json(Some(cast.instructor_a), "/api/sign-evaluation", json!({ "input": base })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a form mistake answers 400, not 500: {body}");
    assert!(body.contains("\"field\":\"attest\""), "{body}");
    let mut stale = base.clone();
    stale["attested"] = json!(true);
    stale["checklist_version"] = json!("an-older-version");
    let (_, body) = c.json(Some(cast.instructor_a), "/api/sign-evaluation", json!({ "input": stale })).await;
    assert!(body.contains("checklist was updated"), "{body}");
    let mut short = base.clone();
    short["attested"] = json!(true);
    short["marks"] = json!([{ "met": true, "comment": "" }]);
    let (_, body) = c.json(Some(cast.instructor_a), "/api/sign-evaluation", json!({ "input": short })).await;
    assert!(body.contains("\"field\":\"steps\""), "{body}");
    assert_eq!(app::storage::signoffs::for_student(db, cast.program_a, cast.student_a2).await.unwrap().len(), 3);

    // Affective: a behaviour not met needs a comment.
    let (_, body) = c.sign(cast.instructor_a, cast.program_a, cast.student_a2, "V.A.1.b", "lab", |i| i != 0).await;
    assert!(body.to_string().contains("comment_0"), "{body}");
}

/// Instructors sign in the lab, the student's own preceptor at the
/// externship, nobody signs for themselves, and a lab-only competency cannot
/// be signed at the externship.
async fn who_signs_where_is_enforced(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, a1, a2) = (cast.program_a, cast.student_a1, cast.student_a2);
    assert_eq!(c.sign(cast.preceptor_a, p, a1, "I.P.1.c", "lab", |_| true).await.0, StatusCode::FORBIDDEN);
    assert_eq!(c.sign(cast.instructor_a, p, a1, "I.P.1.c", "externship", |_| true).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        c.sign(cast.preceptor_a, p, a2, "I.P.1.c", "externship", |_| true).await.0,
        StatusCode::FORBIDDEN,
        "not placed with them"
    );
    assert_eq!(c.sign(cast.preceptor_a2, p, a1, "I.P.1.c", "externship", |_| true).await.0, StatusCode::FORBIDDEN);
    assert_eq!(c.sign(cast.student_a1, p, a1, "I.P.1.c", "lab", |_| true).await.0, StatusCode::FORBIDDEN);
    assert_eq!(c.sign(cast.director_a, p, a1, "I.P.1.c", "lab", |_| true).await.0, StatusCode::FORBIDDEN);
    assert_eq!(c.sign(cast.admin, p, a1, "I.P.1.c", "lab", |_| true).await.0, StatusCode::FORBIDDEN);
    assert_eq!(c.sign(cast.director_b, p, a1, "I.P.1.c", "lab", |_| true).await.0, StatusCode::FORBIDDEN);
    // III.P.7 is signed off in the lab only (framework requirement).
    let (status, body) = c.sign(cast.preceptor_a, p, a1, "III.P.7", "externship", |_| true).await;
    assert_ne!(status, StatusCode::OK);
    assert!(body.to_string().contains("campus lab only"), "{body}");
    let (status, body) = c
        .get(Some(cast.preceptor_a), &format!("/api/evaluation-sheet?program_id={p}&student_id={a1}&code=III.P.7"))
        .await;
    assert!(status != StatusCode::OK && body.contains("campus lab only"), "{status} {body}");
    // A student cannot ask for a lab-only competency, nor without a placement.
    let (status, body) = c.form(Some(a1), "/api/request-signoff", &format!("program_id={p}&code=III.P.7")).await;
    assert!(status != StatusCode::OK && body.contains("ask your instructor"), "{status} {body}");
    let (status, body) = c.form(Some(a2), "/api/request-signoff", &format!("program_id={p}&code=I.P.1.a")).await;
    assert!(body.contains("no externship placement"), "{status} {body}");
    assert_eq!(c.sign(cast.instructor_a, p, a1, "I.P.1.c", "lab", |_| true).await.0, StatusCode::OK);
    assert_eq!(c.sign(cast.preceptor_a, p, a1, "I.P.1.c", "externship", |_| true).await.0, StatusCode::OK);

    // A program's own requirement: the director asks for 3 externship passes.
    let (status, body) = c
        .form(
            Some(cast.instructor_a),
            "/api/set-requirement",
            &format!("program_id={p}&code=I.P.1.c&attempts=3&setting=externship"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = c
        .form(
            Some(cast.director_a),
            "/api/set-requirement",
            &format!("program_id={p}&code=I.P.1.c&attempts=0&setting=externship"),
        )
        .await;
    assert!(body.contains("\"field\":\"attempts\""), "{status} {body}");
    let (status, body) = c
        .form(
            Some(cast.director_a),
            "/api/set-requirement",
            &format!("program_id={p}&code=I.P.1.c&attempts=3&setting=externship"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = c.record(a1, p, a1).await;
    let r = row(&r, "I.P.1.c");
    assert_eq!(
        (r["status"].as_str(), r["counted_passes"].as_u64(), r["required_passes"].as_u64()),
        (Some("passed_at_externship"), Some(1), Some(3))
    );
}

/// A correction is a new record voiding an earlier one; both stay, and the
/// database refuses edits and deletions.
async fn corrections_void_and_keep_both_records(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, a1) = (cast.program_a, cast.student_a1);
    let (_, result) = c.sign(cast.instructor_a, p, a1, "I.P.1.d", "lab", |_| true).await;
    let id = result["id"].as_i64().unwrap();
    let body = |reason: &str| format!("program_id={p}&signoff_id={id}&reason={reason}");
    assert_eq!(
        c.form(Some(cast.preceptor_a), "/api/void-signoff", &body("Wrong+student+recorded")).await.0,
        StatusCode::FORBIDDEN,
        "not theirs"
    );
    assert_eq!(c.form(Some(a1), "/api/void-signoff", &body("Wrong+student+recorded")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        c.form(Some(cast.director_b), "/api/void-signoff", &body("Wrong+student+recorded")).await.0,
        StatusCode::FORBIDDEN
    );
    let (_, short) = c.form(Some(cast.instructor_a), "/api/void-signoff", &body("typo")).await;
    assert!(short.contains("\"field\":\"reason\""), "{short}");
    let (status, text) =
        c.form(Some(cast.director_a), "/api/void-signoff", &body("Recorded for the wrong student")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, again) =
        c.form(Some(cast.instructor_a), "/api/void-signoff", &body("Recorded for the wrong student")).await;
    assert!(status == StatusCode::BAD_REQUEST && again.contains("already voided"), "{status} {again}");

    let r = c.record(a1, p, a1).await;
    assert_eq!(row(&r, "I.P.1.d")["status"], "not_started", "a voided pass no longer counts");
    let (_, h) = c.get(Some(a1), &format!("/api/competency-history?program_id={p}&student_id={a1}&code=I.P.1.d")).await;
    let h: Value = serde_json::from_str(&h).unwrap();
    let records = h["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "both records stay visible");
    assert_eq!(records[0]["is_void"], true);
    assert_eq!(records[0]["reason"], "Recorded for the wrong student");
    assert_eq!(records[1]["voided_by"], records[0]["id"]);
    assert_eq!(records[1]["may_correct"], false);

    // The database itself refuses to edit or delete a sign-off.
    assert!(db.execute_unchecked(&format!("UPDATE signoff SET passed = FALSE WHERE id = {id}")).await.is_err());
    assert!(db.execute_unchecked(&format!("DELETE FROM signoff WHERE id = {id}")).await.is_err());
    assert_eq!(app::storage::signoffs::verify_program(db, p).await.unwrap(), Ok(2));
}

/// Editing one stored field by hand (past the triggers) is detected, and the
/// record is named.
async fn tampering_is_detected_and_named(db: &Db) {
    use app::domain::signoff_chain::ChainBreak;
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let mut ids = Vec::new();
    for code in ["I.P.1.a", "I.P.1.b", "I.P.1.c"] {
        let (_, r) = c.sign(cast.instructor_a, cast.program_a, cast.student_a2, code, "lab", |_| true).await;
        ids.push(r["id"].as_i64().unwrap());
    }
    // Another program's chain is separate and stays intact.
    assert_eq!(app::storage::signoffs::verify_program(db, cast.program_a).await.unwrap(), Ok(3));
    let disable = match db.engine() {
        app::storage::Engine::Sqlite => "DROP TRIGGER signoff_no_update",
        app::storage::Engine::Postgres => "ALTER TABLE signoff DISABLE TRIGGER signoff_no_update",
    };
    db.execute_unchecked(disable).await.unwrap();
    db.execute_unchecked(&format!("UPDATE signoff SET evaluator_name = 'Someone Else' WHERE id = {}", ids[1]))
        .await
        .unwrap();
    let broken = app::storage::signoffs::verify_program(db, cast.program_a).await.unwrap();
    assert_eq!(broken, Err(ChainBreak::ContentChanged { program: cast.program_a, id: ids[1], seq: 2 }));
    assert!(broken.unwrap_err().to_string().contains(&format!("record {}", ids[1])));
}

/// Concurrent sign-offs of one program take distinct positions in one chain.
async fn concurrent_signoffs_form_one_chain(db: &Db) {
    let cast = common::cast(db).await;
    let c = std::sync::Arc::new(Client::new(db));
    let codes = ["I.P.1.a", "I.P.1.b", "I.P.1.c", "I.P.1.d", "I.P.1.e", "I.P.1.f"];
    let mut tasks = Vec::new();
    for round in 0..4 {
        for code in codes {
            let c = c.clone();
            let (i, p, s) =
                (cast.instructor_a, cast.program_a, if round % 2 == 0 { cast.student_a1 } else { cast.student_a2 });
            tasks.push(tokio::spawn(async move { c.sign(i, p, s, code, "lab", |_| true).await.0 }));
        }
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(app::storage::signoffs::verify_program(db, cast.program_a).await.unwrap(), Ok(24));
    assert_eq!(app::storage::dashboard::verify_tallies(db, cast.program_a).await.unwrap(), vec![]);
}

/// Before the browser bundle arrives (or without JavaScript) the sheet is a
/// plain form posted to its own address: a refusal shows the page again
/// with the error next to its field and every mark kept; "mark every step"
/// sends it back ticked without signing; a valid post signs once and is
/// redirected to the result, which a reload shows again without signing.
async fn the_evaluation_sheet_works_as_a_plain_form(db: &Db) {
    use tower::ServiceExt;
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, s) = (cast.program_a, cast.student_a1);
    let comp = c.competency("I.P.2.b");
    let path = format!("/programs/{p}/students/{s}/evaluate/I.P.2.b");
    let n = comp.steps.len();
    let form = |ticked: &[usize], attest: bool, extra: &str| {
        let mut body = format!("checklist_version={}&setting=lab&comment=Steady+hands", comp.version);
        for i in 0..n {
            body.push_str(&format!("&comment_{i}={}", if i == 1 { "Re-check+the+label" } else { "" }));
        }
        for i in ticked {
            body.push_str(&format!("&step={i}"));
        }
        if attest {
            body.push_str("&attest=on");
        }
        body.push_str(extra);
        body
    };
    let stored = async || app::storage::signoffs::for_student(db, p, s).await.unwrap().len();

    // No attestation: the page again, with the error by its box, marks kept.
    let (status, page) = c.form(Some(cast.instructor_a), &path, &form(&[0, 2], false, "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("id=\"attest-error\""), "the sheet is shown again");
    let attest_error = page.split("id=\"attest-error\"").nth(1).unwrap_or_default();
    assert!(
        attest_error.split("</p>").next().unwrap_or_default().len() > 30,
        "the error is next to the box: {attest_error:.300}"
    );
    let checked = |page: &str, i: usize| {
        let tag = page.split(&format!("id=\"step-{i}\"")).next().unwrap_or_default();
        let tag = &tag[tag.rfind('<').unwrap_or(0)..];
        let rest = page.split(&format!("id=\"step-{i}\"")).nth(1).unwrap_or_default();
        let rest = &rest[..rest.find('>').unwrap_or(0)];
        tag.contains(" checked") || rest.contains(" checked")
    };
    assert!(checked(&page, 0) && !checked(&page, 1) && checked(&page, 2), "ticks kept");
    assert!(page.contains("Re-check the label") && page.contains("Steady hands"), "comments kept");
    assert_eq!(stored().await, 0, "nothing was signed");

    // "Mark every step performed" before the page's code arrived.
    let (status, page) = c.form(Some(cast.instructor_a), &path, &form(&[], false, "&intent=mark-all")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!((0..n).all(|i| checked(&page, i)), "every step ticked");
    assert_eq!(stored().await, 0, "nothing was signed");

    // A student cannot sign by posting the form.
    let (status, _) = c.form(Some(s), &path, &form(&[0], true, "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored().await, 0);

    // Signed: one record, and a redirect to the result.
    let all: Vec<usize> = (0..n).collect();
    let request = axum::http::Request::post(&path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", common::session_cookie(db, cast.instructor_a).await)
        .body(axum::body::Body::from(form(&all, true, "")))
        .unwrap();
    let response = c.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&format!("{path}?signed=")), "{location}");
    assert_eq!(stored().await, 1);
    let record = &app::storage::signoffs::for_student(db, p, s).await.unwrap()[0];
    assert!(record.passed && record.comment == "Steady hands", "{record:?}");
    for _ in 0..2 {
        let (status, page) = c.get(Some(cast.instructor_a), &location).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Signed: passed") && page.contains(&format!("Record {} is stored", record.id)),
            "{page:.2000}"
        );
    }
    assert_eq!(stored().await, 1, "showing the result signs nothing");
    // Nobody else's result: another program's director sees none of it.
    let (_, page) = c.get(Some(cast.director_b), &location).await;
    assert!(!page.contains("Signed: passed") && !page.contains("Steady hands"), "{page:.2000}");
}

/// Records appended at once are committed together on SQLite (one wait for
/// the disk per group): a record the database refuses (here: a student who
/// does not exist) is rolled back alone, its caller hears why, and every
/// other record is stored and chained without a gap.
async fn a_refused_record_leaves_the_others_stored(db: &Db) {
    use app::domain::competency::Setting;
    use app::domain::evaluation::{StepMark, Submission};
    let cast = common::cast(db).await;
    let edition = common::catalog().default_edition().id().to_string();
    let c = Client::new(db).competency("I.P.2.b");
    let nobody = app::domain::ids::UserId(i64::from(i32::MAX));
    let mut tasks = Vec::new();
    for i in 0..40 {
        let student = if i % 10 == 3 { nobody } else { cast.student_a1 };
        let e = app::service::signoffs::Evaluation {
            program_id: cast.program_a,
            edition: &edition,
            student: (student, "Student"),
            evaluator: (cast.instructor_a, "Instructor"),
            setting: Setting::Lab,
            request_id: None,
            at: common::now(),
            ip: None,
            user_agent: None,
        };
        let marks = c.steps.iter().map(|_| StepMark { met: true, comment: String::new() }).collect();
        let (record, _) = app::service::signoffs::new_evaluation(
            &c,
            e,
            &Submission { marks, comment: String::new(), attested: true },
        )
        .unwrap();
        let db = db.clone();
        tasks.push(tokio::spawn(async move { app::storage::signoffs::append(&db, &record).await }));
    }
    let mut seqs = Vec::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(appended) => seqs.push(appended.seq),
            Err(_) => refused += 1,
        }
    }
    assert_eq!(refused, 4, "the records for a student who does not exist");
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=36).collect::<Vec<i64>>(), "stored records take every position once");
    assert_eq!(app::storage::signoffs::verify_program(db, cast.program_a).await.unwrap(), Ok(36));
    assert_eq!(app::storage::dashboard::verify_tallies(db, cast.program_a).await.unwrap(), vec![]);
}

/// The dashboard's tallies follow every kind of record: passes and fails in
/// both settings, and voids of each. The cohort view shows, competency by
/// competency, the status the student's own record computes from the records.
async fn the_dashboard_tallies_follow_the_records(db: &Db) {
    use app::domain::competency::CompetencyStatus;
    use app::storage::dashboard;
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, a1, a2) = (cast.program_a, cast.student_a1, cast.student_a2);
    let id = |r: &Value| r["id"].as_i64().unwrap();
    c.sign(cast.instructor_a, p, a1, "I.P.1.a", "lab", |_| true).await;
    c.sign(cast.instructor_a, p, a1, "I.P.1.a", "lab", |_| false).await;
    let (status, r) = c.sign(cast.preceptor_a, p, a1, "I.P.1.b", "externship", |_| true).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (_, voided_pass) = c.sign(cast.instructor_a, p, a1, "I.P.1.c", "lab", |_| true).await;
    let (_, voided_fail) = c.sign(cast.instructor_a, p, a1, "I.P.1.d", "lab", |_| false).await;
    let (_, pass_voided_later) = c.sign(cast.preceptor_a, p, a1, "I.P.1.e", "externship", |_| true).await;
    c.sign(cast.instructor_a, p, a1, "I.P.1.e", "lab", |_| true).await;
    c.sign(cast.instructor_a, p, a2, "I.P.1.a", "lab", |_| true).await;
    for r in [&voided_pass, &voided_fail, &pass_voided_later] {
        let (status, text) = c
            .form(
                Some(cast.director_a),
                "/api/void-signoff",
                &format!("program_id={p}&signoff_id={}&reason=Recorded+for+the+wrong+student", id(r)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
    }

    assert_eq!(dashboard::verify_tallies(db, p).await.unwrap(), vec![]);
    let mut a1_rows: Vec<(String, String, i32, i32)> = dashboard::tallies(db, p, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.student_id == a1)
        .map(|t| (t.competency_code, t.setting, t.attempts, t.passes))
        .collect();
    a1_rows.sort();
    let expected = [("I.P.1.a", "lab", 2, 1), ("I.P.1.b", "externship", 1, 1), ("I.P.1.e", "lab", 1, 1)];
    assert_eq!(
        a1_rows,
        expected.map(|(c, s, a, n)| (c.to_string(), s.to_string(), a, n)).to_vec(),
        "voided records no longer count"
    );
    let days = dashboard::passes_by_day(db, p, None).await.unwrap();
    assert_eq!(days.iter().map(|d| d.1).sum::<i64>(), 4, "{days:?}");
    assert_eq!(days.last().map(|d| d.0), Some(chrono::Utc::now().date_naive()));

    let cohort = app::service::reports::load_cohort(db, &common::catalog(), p, None).await.unwrap();
    let record = c.record(a1, p, a1).await;
    let r = cohort.students.iter().position(|s| s.student_id == a1).unwrap();
    let mut seen = std::collections::HashSet::new();
    for (k, (code, _, _)) in cohort.competencies.iter().enumerate() {
        let own: CompetencyStatus = serde_json::from_value(row(&record, code)["status"].clone()).unwrap();
        assert_eq!(cohort.statuses[r][k], own, "{code}");
        seen.insert(own);
    }
    assert!(seen.contains(&CompetencyStatus::Complete) && seen.contains(&CompetencyStatus::NotStarted), "{seen:?}");

    // The lab session (every student on one competency) reads the same tallies.
    let (client, instructor) = (&c, cast.instructor_a);
    let lab = |code: &'static str| async move {
        let (status, body) =
            client.get(Some(instructor), &format!("/api/lab-session?program_id={p}&code={code}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        v["students"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    UserId(s["student_id"].as_i64().unwrap()),
                    s["status"].as_str().unwrap().to_string(),
                    s["attempts"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let on_a = lab("I.P.1.a").await;
    assert!(on_a.contains(&(a1, "complete".into(), 2)) && on_a.contains(&(a2, "complete".into(), 1)), "{on_a:?}");
    assert!(lab("I.P.1.c").await.contains(&(a1, "not_started".into(), 0)), "a voided pass no longer counts");
    let own_b = row(&record, "I.P.1.b")["status"].as_str().unwrap().to_string();
    assert!(lab("I.P.1.b").await.contains(&(a1, own_b, 1)));
}

/// The Master Competency Checklist CSV follows the record's access rule.
async fn the_master_checklist_csv_is_the_students_record(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    c.sign(cast.instructor_a, cast.program_a, cast.student_a1, "III.P.3", "lab", |_| true).await;
    let path = format!("/programs/{}/students/{}/checklist.csv", cast.program_a, cast.student_a1);
    let (status, csv) = c.get(Some(cast.student_a1), &path).await;
    assert_eq!(status, StatusCode::OK);
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("program,student,student_id,cohort,code,competency"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), common::catalog().signed_off_competencies().count());
    let hand = rows.iter().find(|l| l.contains(",III.P.3,")).unwrap();
    assert!(
        hand.contains("Complete") && hand.contains("Campus lab") && hand.contains("instructor@a.example"),
        "{hand}"
    );
    for (who, want) in [
        (Some(cast.preceptor_a), StatusCode::OK),
        (Some(cast.instructor_a), StatusCode::OK),
        (Some(cast.student_a2), StatusCode::FORBIDDEN),
        (Some(cast.director_b), StatusCode::FORBIDDEN),
        (Some(cast.admin), StatusCode::FORBIDDEN),
        (None, StatusCode::UNAUTHORIZED),
    ] {
        assert_eq!(c.get(who, &path).await.0, want, "{who:?}");
    }
    let (status, framework) = c.get(None, "/competencies.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(framework.starts_with("code,title,domain,steps"));
    assert!(framework.contains("*Identify the patient with two identifiers"));
}

both_engines!(
    a_student_request_is_signed_off_by_their_preceptor,
    the_server_computes_the_result,
    who_signs_where_is_enforced,
    corrections_void_and_keep_both_records,
    tampering_is_detected_and_named,
    concurrent_signoffs_form_one_chain,
    a_refused_record_leaves_the_others_stored,
    the_evaluation_sheet_works_as_a_plain_form,
    the_master_checklist_csv_is_the_students_record,
    the_dashboard_tallies_follow_the_records,
    a_record_whose_steps_cannot_be_read_says_so,
);

/// A stored record whose steps do not parse is reported as unreadable
/// (and logged with its id), never shown as a record without steps.
async fn a_record_whose_steps_cannot_be_read_says_so(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (status, body) = c.sign(cast.instructor_a, cast.program_a, cast.student_a1, "I.P.2.b", "lab", |_| true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stored = app::storage::signoffs::for_student(db, cast.program_a, cast.student_a1).await.unwrap();
    let mut content = stored[0].content();
    content.steps = "{not json".into();
    let corrupt = app::storage::signoffs::NewSignoff { content, signed_at: common::now() };
    app::storage::signoffs::append(db, &corrupt).await.unwrap();

    let query = format!("program_id={}&student_id={}&code=I.P.2.b", cast.program_a, cast.student_a1);
    let (status, body) = c.get(Some(cast.director_a), &format!("/api/competency-history?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let history: Value = serde_json::from_str(&body).unwrap();
    let records = history["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "{body}");
    assert!(records[0]["steps"].is_null(), "newest first: the unreadable one says so: {body}");
    assert!(records[1]["steps"].as_array().is_some_and(|s| !s.is_empty()), "{body}");
    let page = format!("/programs/{}/students/{}/competencies/I.P.2.b", cast.program_a, cast.student_a1);
    let (status, html) = c.get(Some(cast.director_a), &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("The steps of this record could not be read."), "{html}");
}

/// Migration 0007 counts the records already there when it is applied.
/// Records as an older release wrote them, by SQL (the code of today
/// writes today's columns): a program, its people, and a chain of v1
/// records (no edition, hashed without one). `specs`: (code, title,
/// setting, passed, index of the record it voids).
async fn legacy_program(db: &Db, specs: &[(&str, &str, &str, bool, Option<usize>)]) -> (ProgramId, UserId, UserId) {
    use app::domain::signoff_chain::{GENESIS, SignoffContent, link_hash};
    let exec = |sql: String| async move { db.execute_unchecked(&sql).await.unwrap() };
    exec("INSERT INTO program (id, name, created_at) VALUES (900, 'Legacy program', '2026-09-01T00:00:00Z')".into())
        .await;
    for (id, email) in [(901, "legacy-student@a.example"), (902, "legacy-instructor@a.example")] {
        exec(format!("INSERT INTO app_user (id, email, display_name, created_at) VALUES ({id}, '{email}', '{email}', '2026-09-01T00:00:00Z')")).await;
    }
    exec("INSERT INTO membership (user_id, program_id, role, granted_at) VALUES (901, 900, 'student', '2026-09-01T00:00:00Z')".into()).await;
    exec("INSERT INTO membership (user_id, program_id, role, granted_at) VALUES (902, 900, 'instructor', '2026-09-01T00:00:00Z')".into()).await;
    let mut prev = GENESIS.to_string();
    for (i, (code, title, setting, passed, voids)) in specs.iter().enumerate() {
        let seq = i as i64 + 1;
        let id = 9000 + seq;
        let signed_at = format!("2026-10-{:02}T10:00:00.000000Z", seq);
        let content = SignoffContent {
            program_id: ProgramId(900),
            seq,
            kind: if voids.is_some() { "void" } else { "evaluation" }.into(),
            student_id: UserId(901),
            student_name: "legacy-student@a.example".into(),
            evaluator_id: UserId(902),
            evaluator_name: "legacy-instructor@a.example".into(),
            evaluator_role: "instructor".into(),
            competency_code: code.to_string(),
            competency_title: title.to_string(),
            checklist_version: "v-legacy".into(),
            setting: setting.to_string(),
            steps: "[]".into(),
            comment: String::new(),
            passed: *passed,
            score_percent: if *passed { 100 } else { 40 },
            attestation: "I observed it.".into(),
            voids_id: voids.map(|v| 9000 + v as i64 + 1),
            reason: voids.map(|_| "Recorded for the wrong student".to_string()),
            request_id: None,
            signed_at: signed_at.clone(),
            ip: None,
            user_agent: None,
            edition: None,
        };
        let hash = link_hash(&prev, &content);
        let c = &content;
        exec(format!(
            "INSERT INTO signoff (id, program_id, seq, kind, student_id, student_name, evaluator_id, evaluator_name,
                evaluator_role, competency_code, competency_title, checklist_version, setting, steps, comment, passed,
                score_percent, attestation, voids_id, reason, request_id, signed_at, ip, user_agent, prev_hash, hash)
             VALUES ({id}, 900, {seq}, '{}', 901, '{}', 902, '{}', 'instructor', '{}', '{}', 'v-legacy', '{}', '[]', '',
                {}, {}, 'I observed it.', {}, {}, NULL, '{signed_at}', NULL, NULL, '{prev}', '{hash}')",
            c.kind,
            c.student_name,
            c.evaluator_name,
            c.competency_code,
            c.competency_title,
            c.setting,
            if c.passed { "TRUE" } else { "FALSE" },
            c.score_percent,
            c.voids_id.map_or("NULL".to_string(), |v| v.to_string()),
            c.reason.as_ref().map_or("NULL".to_string(), |r| format!("'{r}'")),
        ))
        .await;
        prev = hash;
    }
    exec(format!("INSERT INTO signoff_chain (program_id, seq, head_hash) VALUES (900, {}, '{prev}')", specs.len()))
        .await;
    (ProgramId(900), UserId(901), UserId(902))
}

/// 0007's tallies are backfilled from records written before them, and
/// 0010 keeps them (under the starter edition, which those records were
/// signed against).
async fn tallies_are_backfilled_on_upgrade(t: common::TestDb) {
    use app::storage::dashboard;
    let db = &t.db;
    let (p, _, _) = legacy_program(
        db,
        &[
            ("I.P.1.a", "Measure and record blood pressure", "lab", false, None),
            ("I.P.1.a", "Measure and record blood pressure", "lab", true, None),
            ("I.P.1.b", "Measure and record temperature", "lab", true, None),
            ("I.P.1.b", "Measure and record temperature", "lab", false, Some(2)),
        ],
    )
    .await;
    db.migrate().await.unwrap();
    assert_eq!(
        app::storage::signoffs::verify_program(db, p).await.unwrap(),
        Ok(4),
        "an old chain verifies after the upgrade"
    );
    assert_eq!(dashboard::verify_tallies(db, p).await.unwrap(), vec![]);
    let tallies = dashboard::tallies(db, p, None).await.unwrap();
    assert_eq!(
        tallies
            .iter()
            .map(|t| (t.edition.as_str(), t.competency_code.as_str(), t.attempts, t.passes))
            .collect::<Vec<_>>(),
        vec![("checkoff-starter", "I.P.1.a", 2, 1)]
    );
    assert_eq!(dashboard::passes_by_day(db, p, None).await.unwrap().len(), 1);
    let program = app::storage::programs::get_program(db, p).await.unwrap().unwrap();
    assert_eq!(program.edition_id, "checkoff-starter", "an existing program stays on the framework it used");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tallies_are_backfilled_on_upgrade_sqlite() {
    tallies_are_backfilled_on_upgrade(common::TestDb::sqlite_at(Some(6)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tallies_are_backfilled_on_upgrade_postgres() {
    let Some(t) = common::TestDb::postgres_at(Some(6)).await else { return };
    tallies_are_backfilled_on_upgrade(t).await;
}

/// `server verify-signoffs` names the broken record, and a dashboard tally
/// that disagrees with the records, and exits non-zero.
#[tokio::test]
async fn verify_signoffs_command_names_the_broken_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let url = app::storage::DatabaseUrl::Sqlite { path: path.clone() };
    let db = Db::connect(&url, &app::storage::PoolConfig::default()).await.unwrap();
    db.migrate().await.unwrap();
    let cast = common::cast(&db).await;
    let c = Client::new(&db);
    let (_, r) = c.sign(cast.instructor_a, cast.program_a, cast.student_a1, "I.P.1.a", "lab", |_| true).await;
    let id = r["id"].as_i64().unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["verify-signoffs", "--database-url", &format!("sqlite:{}", path.display())])
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    let ok = run();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(out.contains("1 sign-off records verified") && out.contains("dashboard tallies match"), "{out}");
    db.execute_unchecked("UPDATE signoff_tally SET passes = passes + 1").await.unwrap();
    let bad = run();
    assert!(!bad.status.success());
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("TALLY: student") && out.contains("I.P.1.a lab") && !out.contains("BROKEN"), "{out}");
    db.execute_unchecked("UPDATE signoff_tally SET passes = passes - 1").await.unwrap();
    db.execute_unchecked("DROP TRIGGER signoff_no_update").await.unwrap();
    db.execute_unchecked(&format!("UPDATE signoff SET score_percent = 50 WHERE id = {id}")).await.unwrap();
    db.close().await;
    let bad = run();
    assert!(!bad.status.success());
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains(&format!("record {id}")) && out.contains("BROKEN"), "{out}");
}
