//! Framework editions and drawn knowledge-check attempts (issue 13), on both
//! engines: a program moves from the starter framework to MAERB 2015 after a
//! preview; records keep what they were signed against and count only where
//! the new edition says they are the same skill; chains and tallies still
//! verify; a program imports its own framework from CSV, all or nothing; and
//! a student's attempt is stable across reloads, graded by option identity
//! against its own draw, and submitted once.

use crate::common;
use app::domain::ids::{ProgramId, UserId};

use axum::http::StatusCode;
use serde_json::{Value, json};

use app::storage::{Db, programs};
use common::client::Client;

/// A program still on the starter framework, with a student, an instructor
/// and a director.
async fn starter_program(db: &Db) -> (ProgramId, UserId, UserId, UserId) {
    use app::domain::access::Role;
    use app::storage::users;
    let t = common::now();
    let p = programs::create_program(db, "Starter program", "checkoff-starter", None, t).await.unwrap();
    let make = async |email: &str| {
        users::create(db, &users::NewUser { email, display_name: email, password_hash: None, site_admin: false }, t)
            .await
            .unwrap()
    };
    let (student, instructor, director) =
        (make("s@starter.example").await, make("i@starter.example").await, make("d@starter.example").await);
    for (u, r) in [(student, Role::Student), (instructor, Role::Instructor), (director, Role::Director)] {
        programs::grant_role(db, u, p, r, None, t).await.unwrap();
    }
    (p, student, instructor, director)
}

/// Signs `code` of the program's current edition in the lab, every step met.
async fn sign(c: &Client, db: &Db, instructor: UserId, program: ProgramId, student: UserId, code: &str) -> Value {
    let catalog = common::catalog();
    let (_, edition) = app::service::editions::edition_of_program(db, &catalog, program).await.unwrap();
    let comp = edition.competency(code).unwrap_or_else(|| panic!("{code} in {}", edition.id()));
    let marks: Vec<Value> = comp.steps.iter().map(|_| json!({ "met": true, "comment": "" })).collect();
    let (status, body) = c
        .json(
            Some(instructor),
            "/api/sign-evaluation",
            json!({ "input": { "program_id": program, "student_id": student, "code": code, "setting": "lab",
                "checklist_version": comp.version, "marks": marks, "comment": "", "attested": true, "request_id": null } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{code}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn row<'a>(record: &'a Value, code: &str) -> &'a Value {
    record["rows"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap_or_else(|| panic!("no row {code}"))
}

async fn a_program_moves_to_another_edition_after_a_preview(db: &Db) {
    let (p, s, i, d) = starter_program(db).await;
    let c = Client::new(db);
    // Under the starter framework, I.P.7 is "Select proper sites…".
    sign(&c, db, i, p, s, "I.P.7").await;
    sign(&c, db, i, p, s, "I.P.1.a").await;
    sign(&c, db, i, p, s, "A.7").await;
    let (status, body) =
        c.form(Some(d), "/api/set-requirement", &format!("program_id={p}&code=I.P.7&attempts=3&setting=lab")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The preview says what maps.
    let (status, body) =
        c.get(Some(d), &format!("/api/edition-switch-preview?program_id={p}&edition_id=maerb-2015")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let preview: Value = serde_json::from_str(&body).unwrap();
    let mapped: Vec<(String, String)> = preview["mapped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"]["code"].as_str().unwrap().to_string(), m["to_code"].as_str().unwrap().to_string()))
        .collect();
    assert!(mapped.contains(&("I.P.7".into(), "I.P.5".into())), "{mapped:?}");
    assert!(mapped.contains(&("I.P.1.a".into(), "I.P.1.a".into())), "{mapped:?}");
    assert!(
        !mapped.iter().any(|(_, to)| to == "I.P.7"),
        "the starter's I.P.7 must never count as 2015's I.P.7: {mapped:?}"
    );
    assert!(preview["new_in_target"].as_array().unwrap().len() > 100);

    // Only a director moves the program, and only from the edition previewed.
    let (status, _) =
        c.form(Some(i), "/api/switch-edition", &format!("program_id={p}&from=checkoff-starter&to=maerb-2015")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) =
        c.form(Some(d), "/api/switch-edition", &format!("program_id={p}&from=maerb-2015&to=maerb-2015")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) =
        c.form(Some(d), "/api/switch-edition", &format!("program_id={p}&from=checkoff-starter&to=maerb-2015")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(programs::get_program(db, p).await.unwrap().unwrap().edition_id, "maerb-2015");
    let audit = app::storage::audit::for_program(db, p, 50).await.unwrap();
    let switched = audit.iter().find(|a| a.kind == "edition_switched").expect("the switch is audited");
    assert!(switched.detail.contains("checkoff-starter → maerb-2015"), "{}", switched.detail);

    // The record page counts the old record toward the competency it maps
    // to, and never toward the 2015 competency that shares its code.
    let record = c.record(d, p, s).await;
    assert_eq!(row(&record, "I.P.5")["status"], "passed_in_lab", "{}", row(&record, "I.P.5"));
    assert_eq!(row(&record, "I.P.7")["status"], "not_started", "{}", row(&record, "I.P.7"));
    assert_eq!(row(&record, "I.P.1.a")["status"], "complete");
    // The program's own requirement followed its competency: 3 attempts now on I.P.5.
    assert_eq!(row(&record, "I.P.5")["required_passes"], 3);

    // The history shows the record as it was signed: its own code, title
    // and steps.
    let (status, body) =
        c.get(Some(d), &format!("/api/competency-history?program_id={p}&student_id={s}&code=I.P.5")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let history: Value = serde_json::from_str(&body).unwrap();
    let r = &history["records"][0];
    let recorded = r["recorded_as"].as_str().unwrap();
    assert!(recorded.starts_with("I.P.7 · Select proper sites"), "{recorded}");
    let starter = common::catalog().edition("checkoff-starter").unwrap().clone();
    let steps: Vec<&str> = r["steps"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    let starter_steps: Vec<&str> = starter.competency("I.P.7").unwrap().steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(steps, starter_steps);

    // New records name the new edition; old and new verify as one chain.
    sign(&c, db, i, p, s, "I.P.7").await;
    let stored = app::storage::signoffs::for_student(db, p, s).await.unwrap();
    let editions: Vec<&str> = stored.iter().map(|r| r.edition_id()).collect();
    assert_eq!(editions, vec!["checkoff-starter", "checkoff-starter", "checkoff-starter", "maerb-2015"]);
    assert_eq!(app::storage::signoffs::verify_program(db, p).await.unwrap(), Ok(4));
    assert_eq!(app::storage::dashboard::verify_tallies(db, p).await.unwrap(), vec![]);
    let record = c.record(d, p, s).await;
    assert_eq!(row(&record, "I.P.7")["status"], "passed_in_lab");
    // The dashboard reads the same from the tallies.
    let (status, body) = c.get(Some(d), &format!("/api/program-dashboard?program_id={p}&cohort_id=0&filter=all")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_program_imports_its_own_framework_all_or_nothing(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, d) = (cast.program_a, cast.director_a);
    let bad = "code,title,domain,steps\n\
               OWN.P.1,Take a pulse,psychomotor,*Identify the patient | Count for 30 seconds\n\
               OWN.P.1,Take a pulse again,psychomotor,*Identify the patient\n\
               OWN.P.2,,psychomotor,*Identify the patient\n\
               OWN.P.3,Check a glucose,psychomotor,Wash hands | Test\n";
    let form = |csv: &str, import: bool| {
        format!(
            "program_id={p}&name=Our+own+list&version=2027&csv={}&import={import}",
            percent_encoding::utf8_percent_encode(csv, percent_encoding::NON_ALPHANUMERIC)
        )
    };
    let (status, body) = c.form(Some(d), "/api/framework-import", &form(bad, true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    let lines: Vec<i64> = report["problems"].as_array().unwrap().iter().map(|p| p[0].as_i64().unwrap()).collect();
    assert_eq!(lines, vec![3, 4, 5], "every problem by line: {report}");
    assert!(report["imported"].is_null(), "nothing imported: {report}");
    assert!(app::storage::editions::of_program(db, p).await.unwrap().is_empty());

    let good = "code,title,domain,steps\n\
                OWN.P.1,Take a pulse,psychomotor,*Identify the patient | Count for 30 seconds\n\
                OWN.A.1,Show respect,affective,Listens | Explains\n";
    let (_, body) = c.form(Some(d), "/api/framework-import", &form(good, true)).await;
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["imported"][1], true, "{report}");
    let id = report["imported"][0].as_str().unwrap().to_string();
    let (_, body) = c.form(Some(d), "/api/framework-import", &form(good, true)).await;
    let again: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (again["imported"][0].as_str(), again["imported"][1].as_bool()),
        (Some(id.as_str()), Some(false)),
        "the same file twice is one edition"
    );
    assert_eq!(app::storage::editions::of_program(db, p).await.unwrap().len(), 1);
    // Another program's director cannot import here, nor move onto it.
    let (status, _) = c.form(Some(cast.director_b), "/api/framework-import", &form(good, true)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = c
        .form(
            Some(cast.director_b),
            "/api/switch-edition",
            &format!("program_id={}&from=maerb-2015&to={id}", cast.program_b),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an edition imported by another program is not offered");
    // This program moves to it, and signs under it.
    let (status, body) =
        c.form(Some(d), "/api/switch-edition", &format!("program_id={p}&from=maerb-2015&to={id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    sign(&c, db, cast.instructor_a, p, cast.student_a2, "OWN.P.1").await;
    let record = c.record(d, p, cast.student_a2).await;
    assert_eq!(row(&record, "OWN.P.1")["status"], "complete");
    assert_eq!(record["rows"].as_array().unwrap().len(), 2);
}

/// The questions of the attempt a signed-in student is shown.
async fn shown_attempt(c: &Client, student: UserId, slug: &str) -> (u32, Vec<app::domain::quiz::QuestionView>) {
    let (status, body) = c.get(Some(student), &format!("/api/quiz-attempt?slug={slug}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: app::api::modules::QuizAttemptView = serde_json::from_str(&body).unwrap();
    (v.attempt, v.questions)
}

/// Right answers to shown questions, by option id (from the key).
fn right_answers(slug: &str, shown: &[app::domain::quiz::QuestionView]) -> Vec<app::domain::quiz::Answer> {
    use app::domain::quiz::{Answer, QuestionKind};
    let catalog = common::catalog();
    let module = catalog.module(slug).unwrap();
    shown
        .iter()
        .map(|v| {
            let q = module.questions.iter().find(|q| q.id == v.id).unwrap();
            let id_of = |text: &str| v.options.iter().find(|o| o.text == text).unwrap().id.clone();
            let option_ids = match q.kind {
                QuestionKind::Order => q.options.iter().map(|t| id_of(t)).collect(),
                _ => q.correct.iter().map(|&i| id_of(&q.options[i])).collect(),
            };
            Answer { question_id: v.id.clone(), option_ids }
        })
        .collect()
}

async fn a_students_attempt_is_drawn_stable_and_submitted_once(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let s = cast.student_a1;
    let slug = "venipuncture";
    let size = common::catalog().module(slug).unwrap().questions_per_attempt.expect("the module draws a subset");
    let (n1, first) = shown_attempt(&c, s, slug).await;
    assert_eq!((n1, first.len()), (1, size));
    // A reload shows the same attempt: same questions, same option order.
    assert_eq!(shown_attempt(&c, s, slug).await, (1, first.clone()));
    let (status, body) = c.get(Some(s), &format!("/api/module?slug={slug}")).await;
    assert_eq!(status, StatusCode::OK);
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["attempt"], 1);
    assert_eq!(serde_json::to_value(&first).unwrap(), page["questions"]);

    // Submitted once, graded against its own draw.
    let answers = right_answers(slug, &first);
    let submit = |attempt: u32, answers: &[app::domain::quiz::Answer]| json!({ "slug": slug, "attempt": attempt, "answers": answers });
    let (status, body) = c.json(Some(s), "/api/quiz", submit(1, &answers)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (result["correct"].as_u64(), result["total"].as_u64(), result["mastered"].as_bool()),
        (Some(size as u64), Some(size as u64), Some(true))
    );
    let (status, body) = c.json(Some(s), "/api/quiz", submit(1, &answers)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the same attempt twice: {body}");

    // The next attempt is another draw.
    let (n2, second) = shown_attempt(&c, s, slug).await;
    assert_eq!(n2, 2);
    assert_ne!(first, second, "a retake is not the same test");
    // A client that sends attempt one's answers (its ids, in its order) is
    // graded against attempt two: by option identity, for the questions
    // attempt two asks; the rest count as unanswered.
    let (status, body) = c.json(Some(s), "/api/quiz", submit(2, &answers)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result: Value = serde_json::from_str(&body).unwrap();
    let shared = second.iter().filter(|q| first.iter().any(|f| f.id == q.id)).count();
    assert_eq!((result["correct"].as_u64(), result["total"].as_u64()), (Some(shared as u64), Some(size as u64)));
    // The attempts are stored with their draws.
    let stored = app::storage::progress::attempts(db, s, slug).await.unwrap();
    assert_eq!(stored.len(), 2);
    // The record names the attempt that counted.
    let (_, body) = c
        .get(Some(cast.director_a), &format!("/api/student-record?program_id={}&student_id={s}", cast.program_a))
        .await;
    let record: Value = serde_json::from_str(&body).unwrap();
    let m = record["modules"].as_array().unwrap().iter().find(|m| m["slug"] == slug).unwrap();
    assert!(m["counted_attempt"].as_str().unwrap().starts_with("attempt 1, "), "{m}");
}

both_engines!(
    a_program_moves_to_another_edition_after_a_preview,
    a_program_imports_its_own_framework_all_or_nothing,
    a_students_attempt_is_drawn_stable_and_submitted_once,
);

/// The shipped MAERB 2015 edition holds every psychomotor and affective
/// competency of the curriculum, with the curriculum's codes and titles.
#[test]
fn the_maerb_2015_edition_is_complete() {
    let catalog = common::catalog();
    let e = catalog.edition("maerb-2015").expect("content/competencies/maerb-2015.toml");
    let shipped: Vec<(&str, &str)> = e.competencies.iter().map(|c| (c.code.as_str(), c.title.as_str())).collect();
    let expected: Vec<(&str, &str)> = MAERB_2015.iter().map(|(c, t)| (*c, *t)).collect();
    let missing: Vec<_> = expected.iter().filter(|x| !shipped.contains(x)).collect();
    let extra: Vec<_> = shipped.iter().filter(|x| !expected.contains(x)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:?}\nnot in the curriculum: {extra:?}");
    let psychomotor =
        e.competencies.iter().filter(|c| c.domain == app::domain::competency::CompetencyDomain::Psychomotor).count();
    let affective =
        e.competencies.iter().filter(|c| c.domain == app::domain::competency::CompetencyDomain::Affective).count();
    assert_eq!((psychomotor, affective), (115, 29));
    // Every psychomotor competency has a checklist with a critical step, and sources.
    for c in &e.competencies {
        assert!(!c.steps.is_empty(), "{} has no checklist", c.code);
        assert!(!c.references.is_empty(), "{} cites no source", c.code);
    }
}

include!("common/maerb_2015.rs");
