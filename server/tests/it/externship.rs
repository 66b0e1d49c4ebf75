//! The externship through the HTTP API, on both engines: hours rules with
//! their field errors, verification of a week in one action, returns,
//! corrections of locked hours, who may do what, the end-of-externship
//! evaluations, and the director's dashboard and accreditation summary on a
//! known data set.

use crate::common;
use app::domain::ids::{ProgramId, UserId};

use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use app::storage::Db;
use common::client::Client;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A past weekday inside the cast's placement (four weeks in), `weeks_ago`
/// weeks back: Monday + `day`.
fn past_day(weeks_ago: i64, day: i64) -> NaiveDate {
    let monday = today() - Duration::days(i64::from(today().weekday().num_days_from_monday()));
    monday - Duration::weeks(weeks_ago) + Duration::days(day)
}

async fn log(
    c: &Client,
    student: UserId,
    program: ProgramId,
    date: NaiveDate,
    start: &str,
    end: &str,
    hours: &str,
) -> (StatusCode, Value) {
    let body = format!(
        "program_id={program}&date={date}&start={start}&end={end}&hours={hours}&activities=Vital+signs+and+rooming&competencies=I.P.1.a"
    );
    let (status, body) = c.form(Some(student), "/api/log-hours", &body).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

fn field_of(v: &Value) -> String {
    v.to_string()
}

async fn hours_rules_are_enforced_with_field_errors(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, s) = (cast.program_a, cast.student_a1);
    let monday = past_day(1, 0);
    let (status, v) = log(&c, s, p, monday, "08:00", "16:30", "").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["hours"], "8.5");
    assert_eq!(v["status"], "pending");
    // A duration instead of times, the same day, after the shift.
    let (status, v) = log(&c, s, p, monday, "", "", "2.5").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let cases: &[(NaiveDate, &str, &str, &str, &str, &str)] = &[
        (today() + Duration::days(1), "08:00", "12:00", "", "date", "not happened yet"),
        (today() - Duration::days(60), "08:00", "12:00", "", "date", "placement runs from"),
        (monday, "12:00", "14:00", "", "end", "overlaps your entry from 08:00 to 16:30"),
        (monday, "", "", "14", "date", "at most 24"),
        (monday, "17:10", "18:00", "", "start", "quarter hours"),
        (past_day(1, 1), "16:00", "08:00", "", "end", "after the start"),
        (past_day(1, 1), "", "", "", "start", "start and end times"),
        (past_day(1, 1), "", "", "1.1", "hours", "quarter hours"),
    ];
    for (date, start, end, hours, field, words) in cases {
        let (status, v) = log(&c, s, p, *date, start, end, hours).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{date} {start}-{end} {hours}: {v}");
        let text = field_of(&v);
        assert!(
            text.contains(&format!("\"field\":\"{field}\"")) && text.contains(words),
            "{date} {start}-{end} {hours}: {text}"
        );
    }
    // No activities; an unknown competency code.
    let (status, body) = c
        .form(
            Some(s),
            "/api/log-hours",
            &format!("program_id={p}&date={}&start=08:00&end=09:00&hours=&activities=+&competencies=", past_day(2, 2)),
        )
        .await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("\"field\":\"activities\""), "{status} {body}");
    let (status, body) = c
        .form(
            Some(s),
            "/api/log-hours",
            &format!(
                "program_id={p}&date={}&start=08:00&end=09:00&hours=&activities=x&competencies=ZZ.9",
                past_day(2, 2)
            ),
        )
        .await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("\"field\":\"competencies\""), "{status} {body}");
    // Only a student with a placement logs, and only for themselves.
    let (status, body) = log(&c, cast.student_a2, p, monday, "08:00", "09:00", "").await;
    assert!(
        status == StatusCode::BAD_REQUEST && body.to_string().contains("no externship placement"),
        "{status} {body}"
    );
    for other in [cast.preceptor_a, cast.instructor_a, cast.director_a, cast.student_b1] {
        assert_eq!(log(&c, other, p, monday, "18:00", "19:00", "").await.0, StatusCode::FORBIDDEN);
    }
    let page: Value =
        serde_json::from_str(&c.get(Some(s), &format!("/api/hours?program_id={p}&student_id={s}")).await.1).unwrap();
    assert_eq!(page["totals"]["pending"], "11", "8.5 + 2.5 h awaiting the preceptor: {page}");
    assert_eq!(page["totals"]["approved"], "0");
    assert_eq!(page["can_log"], true);
}

async fn the_preceptor_approves_a_week_in_one_action(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, s) = (cast.program_a, cast.student_a1);
    let mut ids = Vec::new();
    for day in 0..5 {
        let (status, v) = log(&c, s, p, past_day(2, day), "08:00", "16:00", "").await;
        assert_eq!(status, StatusCode::OK, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    // The preceptor's list groups the week.
    let (status, body) = c.get(Some(cast.preceptor_a), "/api/hours-to-verify").await;
    assert_eq!(status, StatusCode::OK);
    let groups: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 1, "{groups}");
    assert_eq!(groups[0]["hours"], "40");
    let week_ids = groups[0]["entry_ids"].clone();
    // Nobody else sees or decides them.
    let (_, other) = c.get(Some(cast.preceptor_a2), "/api/hours-to-verify").await;
    assert_eq!(other, "[]");
    let decide = |ids: Value, decision: &str, reason: &str| json!({ "input": { "program_id": p, "student_id": s, "entry_ids": ids, "decision": decision, "reason": reason } });
    for who in [s, cast.preceptor_a2, cast.instructor_a, cast.director_a, cast.admin] {
        assert_eq!(
            c.json(Some(who), "/api/decide-hours", decide(week_ids.clone(), "approve", "")).await.0,
            StatusCode::FORBIDDEN,
            "user {who}"
        );
    }
    // One action approves the week.
    let (status, body) =
        c.json(Some(cast.preceptor_a), "/api/decide-hours", decide(week_ids.clone(), "approve", "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((done["changed"].as_i64(), done["hours"].as_str()), (Some(5), Some("40")));
    // Approving again changes nothing.
    let again: Value = serde_json::from_str(
        &c.json(Some(cast.preceptor_a), "/api/decide-hours", decide(week_ids.clone(), "approve", "")).await.1,
    )
    .unwrap();
    assert_eq!(again["changed"], 0);
    // Returning needs a reason, and reaches only pending entries of this student.
    let (_, v) = log(&c, s, p, past_day(1, 2), "09:00", "13:00", "").await;
    let pending = v["id"].as_i64().unwrap();
    let (status, body) =
        c.json(Some(cast.preceptor_a), "/api/decide-hours", decide(json!([pending]), "return", "")).await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("\"field\":\"reason\""), "{status} {body}");
    let (status, body) = c
        .json(
            Some(cast.preceptor_a),
            "/api/decide-hours",
            decide(json!([pending]), "return", "You left at noon that day."),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Ids of another student's entries are refused under this student's authority.
    let foreign = json!({ "input": { "program_id": p, "student_id": s, "entry_ids": [pending, 999_999], "decision": "approve", "reason": "" } });
    assert_eq!(c.json(Some(cast.preceptor_a), "/api/decide-hours", foreign).await.0, StatusCode::NOT_FOUND);

    let page: Value =
        serde_json::from_str(&c.get(Some(s), &format!("/api/hours?program_id={p}&student_id={s}")).await.1).unwrap();
    assert_eq!(
        (page["totals"]["approved"].as_str(), page["totals"]["returned"].as_str()),
        (Some("40"), Some("4")),
        "{}",
        page["totals"]
    );
    assert_eq!(page["totals"]["percent"], 25, "40 of 160 h");

    // Approved hours are locked: the database refuses edits and deletes.
    let id = ids[0];
    for sql in [
        format!("UPDATE hours_entry SET minutes = 600 WHERE id = {id}"),
        format!("UPDATE hours_entry SET status = 'pending' WHERE id = {id}"),
        format!("DELETE FROM hours_entry WHERE id = {id}"),
        format!("DELETE FROM hours_decision WHERE entry_id = {id}"),
    ] {
        assert!(db.execute_unchecked(&sql).await.is_err(), "{sql} was allowed");
    }

    // A correction voids the entry and writes its replacement, with the reason on both.
    let correct = |reason: &str| {
        format!(
            "program_id={p}&student_id={s}&entry_id={id}&date={}&start=08:00&end=15:00&hours=&activities=Rooming+and+vital+signs&reason={reason}",
            past_day(2, 0)
        )
    };
    assert_eq!(c.form(Some(s), "/api/correct-hours", &correct("Left an hour early")).await.0, StatusCode::FORBIDDEN);
    let (status, body) = c.form(Some(cast.preceptor_a), "/api/correct-hours", &correct("short")).await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("\"field\":\"reason\""), "{status} {body}");
    let (status, body) =
        c.form(Some(cast.instructor_a), "/api/correct-hours", &correct("Left an hour early that day")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let replacement: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((replacement["status"].as_str(), replacement["corrects_id"].as_i64()), (Some("approved"), Some(id)));
    // Correcting the voided entry again is refused; both entries stay on the page.
    let (status, _) =
        c.form(Some(cast.instructor_a), "/api/correct-hours", &correct("Left an hour early that day")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let page: Value = serde_json::from_str(
        &c.get(Some(cast.director_a), &format!("/api/hours?program_id={p}&student_id={s}")).await.1,
    )
    .unwrap();
    assert_eq!(page["totals"]["approved"], "39");
    let all: Vec<Value> =
        page["weeks"].as_array().unwrap().iter().flat_map(|w| w["entries"].as_array().unwrap().clone()).collect();
    assert!(
        all.iter().any(|e| e["id"] == id && e["status"] == "voided" && e["reason"] == "Left an hour early that day"),
        "{all:?}"
    );
    let decisions = app::storage::externship::decisions_of_student(db, p, s).await.unwrap();
    assert_eq!(decisions.iter().filter(|d| d.decision == "approved").count(), 6, "five in the week, one correction");
    assert!(decisions.iter().any(|d| d.decision == "voided" && d.decided_by_role == "instructor"));
}

async fn end_of_externship_evaluations_are_stored_once(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, s) = (cast.program_a, cast.student_a1);
    let input = |kind: &str, ratings: Vec<u8>, readiness: Option<&str>, overall: &str| {
        let n = ratings.len();
        json!({ "input": { "program_id": p, "student_id": s, "kind": kind, "form": {
            "ratings": ratings, "comments": vec![""; n], "readiness": readiness, "overall": overall } } })
    };
    let url = "/api/submit-externship-evaluation";
    assert_eq!(c.json(Some(s), url, input("of_student", vec![4; 8], Some("ready"), "")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        c.json(Some(cast.preceptor_a2), url, input("of_student", vec![4; 8], Some("ready"), "")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.json(Some(cast.preceptor_a), url, input("of_site", vec![4; 6], None, "")).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) =
        c.json(Some(cast.preceptor_a), url, input("of_student", vec![3; 8], Some("not_ready"), "")).await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("\"field\":\"overall\""), "{status} {body}");
    let (status, body) = c
        .json(
            Some(cast.preceptor_a),
            url,
            input("of_student", vec![3; 8], Some("ready_with_support"), "More phlebotomy practice."),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = c.json(Some(cast.preceptor_a), url, input("of_student", vec![3; 8], Some("ready"), "")).await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("already submitted"), "{status} {body}");
    let (status, body) = c.json(Some(s), url, input("of_site", vec![4, 4, 3, 4, 4, 4], None, "Welcoming team.")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Value = serde_json::from_str(
        &c.get(Some(cast.director_a), &format!("/api/hours?program_id={p}&student_id={s}")).await.1,
    )
    .unwrap();
    let evaluations = page["evaluations"].as_array().unwrap();
    assert_eq!(evaluations.len(), 2);
    assert!(evaluations.iter().any(|e| e["readiness"] == "Ready, with further support in the areas noted"));
    let summary: Value = serde_json::from_str(
        &c.get(Some(cast.director_a), &format!("/api/accreditation-summary?program_id={p}&cohort_id=0")).await.1,
    )
    .unwrap();
    assert_eq!(summary["site_evaluations"], 1, "{summary}");
}

async fn placements_are_set_up_by_staff(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let p = cast.program_a;
    let (status, body) = c
        .form(
            Some(cast.instructor_a),
            "/api/add-site",
            &format!("program_id={p}&name=Clinic+B&address=1+Main+St&contact_name=&contact_email=bad&contact_phone="),
        )
        .await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("\"field\":\"contact_email\""), "{status} {body}");
    let (status, body) = c
        .form(
            Some(cast.instructor_a),
            "/api/add-site",
            &format!("program_id={p}&name=Clinic+A&address=&contact_name=&contact_email=&contact_phone="),
        )
        .await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("already has a site"), "{status} {body}");
    let (status, site) = c.form(Some(cast.instructor_a), "/api/add-site", &format!("program_id={p}&name=Clinic+B&address=1+Main+St&contact_name=Office&contact_email=office@clinic-b.example&contact_phone=")).await;
    assert_eq!(status, StatusCode::OK, "{site}");
    assert_eq!(
        c.form(
            Some(cast.preceptor_a),
            "/api/add-site",
            &format!("program_id={p}&name=Clinic+C&address=&contact_name=&contact_email=&contact_phone=")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let place = |student: UserId, start: &str, end: &str| {
        format!(
            "program_id={p}&student_id={student}&site_id={site}&preceptor_id={}&co_preceptor_id={}&start={start}&end={end}&required_hours=",
            cast.preceptor_a2, cast.preceptor_a
        )
    };
    let (status, body) =
        c.form(Some(cast.director_a), "/api/placement", &place(cast.student_a2, "2026-12-10", "2026-12-01")).await;
    assert!(status == StatusCode::BAD_REQUEST && body.contains("\"field\":\"end\""), "{status} {body}");
    let (start, end) = (today() - Duration::days(7), today() + Duration::days(30));
    let (status, body) = c
        .form(Some(cast.director_a), "/api/placement", &place(cast.student_a2, &start.to_string(), &end.to_string()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Both preceptors now reach the student; the second preceptor sees them at home.
    let (_, hours) =
        c.get(Some(cast.preceptor_a2), &format!("/api/hours?program_id={p}&student_id={}", cast.student_a2)).await;
    assert!(hours.contains("\"can_verify\":true"), "{hours}");
    let (status, _) =
        c.get(Some(cast.preceptor_a), &format!("/api/hours?program_id={p}&student_id={}", cast.student_a2)).await;
    assert_eq!(status, StatusCode::OK);
    // Ending it removes their access.
    let setup: Value =
        serde_json::from_str(&c.get(Some(cast.director_a), &format!("/api/externship-setup?program_id={p}")).await.1)
            .unwrap();
    let placement = setup["placements"].as_array().unwrap().iter().find(|x| x[1] == cast.student_a2.get()).unwrap()[0]
        ["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        c.form(Some(cast.director_a), "/api/end-placement", &format!("program_id={p}&placement_id={placement}"))
            .await
            .0,
        StatusCode::OK
    );
    let (status, _) =
        c.get(Some(cast.preceptor_a2), &format!("/api/hours?program_id={p}&student_id={}", cast.student_a2)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A known data set: three students in one cohort.
/// - s1 (the cast's placed student): every competency passed, 160 h approved.
/// - s2: every competency but one psychomotor, no placement.
/// - s3: affective only missing, placed and behind on hours.
async fn the_summary_counts_a_known_cohort(db: &Db) {
    use app::domain::cohort::StudentFilter;
    use app::domain::competency::{CompetencyDomain, Setting};
    use app::domain::evaluation::{StepMark, Submission};
    use app::service::reports::{load_dashboard as dashboard, load_summary as summary};
    use app::storage::{externship, programs, signoffs};
    let cast = common::cast(db).await;
    let catalog = common::catalog();
    let p = cast.program_a;
    let t = Utc::now();
    let new = app::storage::users::NewUser {
        email: "s3@a.example",
        display_name: "Student Three",
        password_hash: None,
        site_admin: false,
    };
    let s3 = app::storage::users::create(db, &new, t).await.unwrap();
    programs::grant_role(db, s3, p, app::domain::access::Role::Student, None, t).await.unwrap();
    let names = [(cast.student_a1, "s1"), (cast.student_a2, "s2"), (s3, "s3")];
    for (student, name) in names {
        for comp in catalog.signed_off_competencies() {
            let skip = (name == "s2" && comp.code == "I.P.1.a")
                || (name == "s3" && comp.domain == CompetencyDomain::Affective);
            if skip {
                continue;
            }
            let requirement = app::domain::competency::requirement_of(comp, &[]);
            let edition = common::catalog().default_edition().id().to_string();
            for _ in 0..requirement.attempts {
                let marks = comp.steps.iter().map(|_| StepMark { met: true, comment: String::new() }).collect();
                let e = app::service::signoffs::Evaluation {
                    program_id: p,
                    edition: &edition,
                    student: (student, name),
                    evaluator: (cast.instructor_a, "Instructor"),
                    setting: Setting::Lab,
                    request_id: None,
                    at: t,
                    ip: None,
                    user_agent: None,
                };
                let (record, _) = app::service::signoffs::new_evaluation(
                    comp,
                    e,
                    &Submission { marks, comment: String::new(), attested: true },
                )
                .unwrap();
                signoffs::append(db, &record).await.unwrap();
            }
        }
    }
    // s1: 20 approved days of 8 h in the cast's placement = 160 h.
    let placement = externship::active_placement_of(db, p, cast.student_a1).await.unwrap().unwrap();
    let preceptor = externship::Decider {
        id: cast.preceptor_a,
        name: "Preceptor".into(),
        role: "preceptor".into(),
        ip: None,
        user_agent: None,
    };
    let mut ids = Vec::new();
    for i in 0..20 {
        let new = externship::NewHours {
            program: p,
            placement: placement.id,
            student: cast.student_a1,
            draft: app::domain::hours::HoursDraft {
                date: placement.start.unwrap() + Duration::days(i),
                span: app::domain::hours::Span::Minutes(480),
                activities: "Clinic day".into(),
            },
            placement_dates: placement.dates().unwrap(),
            today: today(),
            competency_codes: String::new(),
        };
        ids.push(externship::log_hours(db, &new, t).await.unwrap().unwrap());
    }
    externship::decide(db, &ids, externship::Decision::Approve, None, &preceptor, t).await.unwrap();
    // s3: placed 30 days ago for 40 days, no hours: behind.
    let site = externship::sites(db, p).await.unwrap()[0].id;
    let s3_placement = externship::NewPlacement {
        program: p,
        student: s3,
        site_id: site,
        preceptors: vec![cast.preceptor_a],
        start: today() - Duration::days(30),
        end: today() + Duration::days(9),
        required_hours: Some(120),
    };
    externship::create_placement(db, &s3_placement, cast.director_a, t).await.unwrap();

    let v = summary(db, &catalog, p, None).await.unwrap();
    let f = v.figures;
    assert_eq!(
        (f.students, f.psychomotor_complete, f.affective_complete, f.hours_complete, f.all_complete),
        (3, 2, 2, 1, 1),
        "{f:?}"
    );
    assert_eq!((f.psychomotor_percent(), f.all_percent()), (67, 33));
    assert_eq!(v.exceptions.len(), 2);
    let s2 = v.exceptions.iter().find(|e| e.student_id == cast.student_a2).unwrap();
    assert!(
        s2.reasons.iter().any(|r| r.contains("I.P.1.a"))
            && s2.reasons.iter().any(|r| r.contains("No externship placement")),
        "{s2:?}"
    );

    let d = dashboard(db, &catalog, p, None, StudentFilter::All, today()).await.unwrap();
    assert_eq!(d.rows.len(), 3);
    let competencies = catalog.signed_off_competencies().count();
    assert!(d.rows.iter().all(|r| r.cells.chars().count() == competencies));
    let row1 = d.rows.iter().find(|r| r.student_id == cast.student_a1).unwrap();
    assert_eq!((row1.complete as usize, row1.hours_percent), (competencies, 100));
    assert!(row1.cells.chars().all(|c| c == 'c'));
    let at_risk = dashboard(db, &catalog, p, None, StudentFilter::AtRisk, today()).await.unwrap();
    assert_eq!(at_risk.rows.len(), 1, "{:?}", at_risk.rows);
    let risks = at_risk.rows[0].risks.join(" / ");
    assert!(risks.contains("0 of 120 h approved") && risks.contains("not complete"), "{risks}");
    let complete = dashboard(db, &catalog, p, None, StudentFilter::Complete, today()).await.unwrap();
    assert_eq!(complete.rows.iter().map(|r| r.student_id).collect::<Vec<_>>(), vec![cast.student_a1]);
    assert_eq!(d.hours_per_week.iter().map(|(_, h)| h).sum::<f64>(), 160.0);

    // The CSV says the same, and only directors get it.
    let c = Client::new(db);
    let (status, csv) = c.get(Some(cast.director_a), &format!("/programs/{p}/summary.csv?cohort=0")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert_eq!(csv.lines().filter(|l| l.ends_with(",yes")).count(), 1, "{csv}");
    for who in [cast.instructor_a, cast.preceptor_a, cast.student_a1, cast.director_b] {
        assert_eq!(c.get(Some(who), &format!("/programs/{p}/summary.csv")).await.0, StatusCode::FORBIDDEN);
    }
    assert_eq!(c.get(None, &format!("/programs/{p}/summary.csv")).await.0, StatusCode::UNAUTHORIZED);
}

both_engines!(
    refused_plain_posts_show_the_page_again,
    hours_rules_are_enforced_with_field_errors,
    the_preceptor_approves_a_week_in_one_action,
    end_of_externship_evaluations_are_stored_once,
    placements_are_set_up_by_staff,
    the_summary_counts_a_known_cohort,
);

/// Without script an `ActionForm` posts to its server function. A refusal
/// is answered with the page the form was on, its error next to the field
/// and what was typed kept (a password never); a success still redirects.
async fn refused_plain_posts_show_the_page_again(db: &Db) {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, s) = (cast.program_a, cast.student_a1);
    let site = "http://127.0.0.1:3000";
    // Posts as a browser without script does, and follows a 303 back to
    // the page with the cookies it was given; answers the final status,
    // the first answer's Location, and the page.
    let post = async |user: Option<UserId>, path: &str, from: &str, body: String| {
        let session = match user {
            Some(u) => Some(common::session_cookie(db, u).await),
            None => None,
        };
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, format!("{site}{from}"));
        if let Some(s) = &session {
            req = req.header("cookie", s);
        }
        let response = c.app.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let echo = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("checkoff_echo="))
            .map(|v| v.split(';').next().unwrap().to_string());
        let Some(echo) = echo else {
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap();
            return (status, location, String::from_utf8_lossy(&bytes).into_owned());
        };
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cookies = [Some(echo), session.clone()].into_iter().flatten().collect::<Vec<_>>().join("; ");
        let back = Request::get(location.clone().unwrap()).header("cookie", cookies).body(Body::empty()).unwrap();
        let response = c.app.clone().oneshot(back).await.unwrap();
        let shown = response.status();
        let cleared = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.starts_with("checkoff_echo=;") && v.contains("Max-Age=0")));
        assert!(cleared, "the echo is shown once");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap();
        (shown, location, String::from_utf8_lossy(&bytes).into_owned())
    };
    // A student's day of hours, ending before it starts.
    let hours_page = format!("/programs/{p}/students/{s}/hours");
    let day = past_day(1, 1);
    let body = format!(
        "program_id={p}&date={day}&start=16%3A00&end=08%3A00&hours=&activities=Vitals+%26+intake+%3C%2Ftextarea%3E%3Cb+id%3D%22x%22%3E&competencies=I.P.1.a"
    );
    let (status, location, page) = post(Some(s), "/api/log-hours", &hours_page, body).await;
    assert_eq!(status, StatusCode::OK, "{page:.500}");
    assert_eq!(location.as_deref(), Some(hours_page.as_str()), "back to the page (303)");
    assert!(page.contains("<h2 id=\"log-title\">"), "the hours page again: {page:.500}");
    let end_error = page.split("id=\"field-end-error\"").nth(1).unwrap_or_default();
    assert!(end_error[..end_error.find("</p>").unwrap_or(0)].contains("after the start"), "{end_error:.300}");
    assert!(page.contains("value=\"16:00\"") && page.contains(&format!("value=\"{day}\"")), "times kept");
    // A text area's content is not escaped by the renderer: ours is.
    assert!(page.contains("Vitals &amp; intake &lt;/textarea&gt;&lt;b id=&quot;x&quot;&gt;"), "text kept, as text");
    assert!(!page.contains("</textarea><b id=\"x\">"), "never as markup");
    assert_eq!(app::storage::externship::hours_of_student(db, p, s).await.unwrap().len(), 0, "nothing stored");

    // A wrong password: the e-mail is kept, the password is not.
    app::storage::users::set_password(db, s, &app::auth::crypto::hash_password("right password 123").unwrap())
        .await
        .unwrap();
    let (status, _, page) = post(
        None,
        "/api/sign-in",
        "/sign-in?next=%2Fmodules",
        "email=s1%40a.example&password=wrong+password+456&next=%2Fmodules".into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page:.500}");
    assert!(page.contains("value=\"s1@a.example\""), "e-mail kept");
    assert!(!page.contains("wrong password 456"), "a password is never sent back");
    let password_error = page.split("id=\"field-password-error\"").nth(1).unwrap_or_default();
    assert!(password_error[..password_error.find("</p>").unwrap_or(0)].len() > 20, "{password_error:.300}");
    // Only the form that was sent is filled: the link form's e-mail is not.
    assert_eq!(page.matches("value=\"s1@a.example\"").count(), 1);

    // Accepted: redirected as before (to the page, or where sign-in leads).
    let (status, location, _) = post(
        None,
        "/api/sign-in",
        "/sign-in?next=%2Fmodules",
        "email=s1%40a.example&password=right+password+123&next=%2Fmodules".into(),
    )
    .await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location.as_deref(), Some("/modules"));
    // A post from another site's page is never rendered as one of ours:
    // it gets the bare error.
    let mut req = Request::post("/api/log-hours")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://elsewhere.example/programs");
    req = req.header("cookie", common::session_cookie(db, s).await);
    let body = format!("program_id={p}&date={day}&start=16%3A00&end=08%3A00&hours=&activities=x&competencies=");
    let response = c.app.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("<html"), "not a page");
}
