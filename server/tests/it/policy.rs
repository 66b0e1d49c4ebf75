//! Every server function is listed in the policy table, and what a signed-out
//! visitor may reach is exactly what the table calls public.

use crate::common;
use app::domain::ids::UserId;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

#[tokio::test]
async fn every_server_function_has_a_policy_entry() {
    // Building the router registers the server functions.
    let t = common::TestDb::sqlite().await;
    let _app = server::router(&common::test_config(), t.db.clone(), common::catalog()).unwrap();
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    let listed: BTreeSet<String> = app::api::ENDPOINT_POLICY.iter().map(|(p, _)| p.to_string()).collect();
    assert!(!registered.is_empty());
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(missing.is_empty(), "server functions without a policy entry: {missing:?}");
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "policy entries for server functions that do not exist: {stale:?}");
}

#[tokio::test]
async fn a_signed_out_visitor_cannot_store_progress() {
    let t = common::TestDb::sqlite().await;
    let app = server::router(&common::test_config(), t.db.clone(), common::catalog()).unwrap();
    let request = Request::post("/api/reading")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("slug=venipuncture&percent=50"))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "a refusal answers 401 with the error body");
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("Unauthenticated"), "{}", String::from_utf8_lossy(&body));
    // Nothing was stored for anyone (the probe deletes from a throwaway database).
    assert_eq!(t.db.execute_unchecked("DELETE FROM module_reading").await.unwrap(), 0);
}

/// Who is asking, in every position the policy tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    SignedOut,
    /// A student placed with `PreceptorA`.
    StudentA1,
    /// Another student of the same program.
    StudentA2,
    PreceptorA,
    InstructorA,
    DirectorA,
    /// A director of another program.
    DirectorB,
    Admin,
}

const EVERYONE: [Who; 8] = [
    Who::SignedOut,
    Who::StudentA1,
    Who::StudentA2,
    Who::PreceptorA,
    Who::InstructorA,
    Who::DirectorA,
    Who::DirectorB,
    Who::Admin,
];

/// Which signed-in people may use a cell; the signed-out visitor is
/// allowed only where the cell is public.
#[derive(Clone, Copy)]
enum Allowed {
    Public,
    /// The second sign-in step: public by policy, but it needs a session
    /// awaiting its second factor, which nobody in the matrix has, so
    /// everyone is told to sign in first (401).
    AfterPassword,
    SignedIn,
    Only(&'static [Who]),
}

struct Cell {
    /// Server function path or page path as written in the route table.
    endpoint: &'static str,
    method: &'static str,
    /// Query (GET) or body (POST); `{A}`, `{A1}`, `{A2}`, `{P2}`, `{N}` are
    /// replaced by program A, its students, its second preceptor (so a
    /// placement made by one cell does not change what `PreceptorA` may see
    /// in another), and a number unique to the cell.
    args: &'static str,
    json: bool,
    allowed: Allowed,
    /// Text an allowed answer must contain: a cell that lets the right
    /// people in but shows them nothing (or an error page with 200) fails.
    shows: Option<&'static str>,
}

const fn get(endpoint: &'static str, args: &'static str, allowed: Allowed) -> Cell {
    Cell { endpoint, method: "GET", args, json: false, allowed, shows: None }
}
const fn post(endpoint: &'static str, args: &'static str, allowed: Allowed) -> Cell {
    Cell { endpoint, method: "POST", args, json: false, allowed, shows: None }
}
const fn json_post(endpoint: &'static str, args: &'static str, allowed: Allowed) -> Cell {
    Cell { endpoint, method: "POST", args, json: true, allowed, shows: None }
}

impl Cell {
    const fn showing(self, text: &'static str) -> Cell {
        Cell { shows: Some(text), ..self }
    }
}

const STAFF_OF_A: &[Who] = &[Who::DirectorA, Who::Admin];
/// The program's instructors and directors (externship set-up).
const TEACHERS_OF_A: &[Who] = &[Who::InstructorA, Who::DirectorA];
const DIRECTOR_A: &[Who] = &[Who::DirectorA];
const ADMIN: &[Who] = &[Who::Admin];
const STUDENTS: &[Who] = &[Who::StudentA1, Who::StudentA2];
/// Who may see student A1's record: A1, their preceptor, the program's staff.
const RECORD_OF_A1: &[Who] = &[Who::StudentA1, Who::PreceptorA, Who::InstructorA, Who::DirectorA];

/// Every server function, each against every kind of person.
const SERVER_FUNCTIONS: &[Cell] = &[
    get("/api/status", "", Allowed::Public),
    get("/api/modules", "query=", Allowed::Public),
    get("/api/module", "slug=hand-hygiene-ppe", Allowed::Public).showing("hand-hygiene-ppe"),
    get("/api/module-body", "slug=hand-hygiene-ppe", Allowed::Public),
    json_post("/api/quiz", r#"{"slug":"hand-hygiene-ppe","answers":[]}"#, Allowed::Public),
    post("/api/reading", "slug=hand-hygiene-ppe&percent=10", Allowed::Only(STUDENTS)),
    get("/api/me", "", Allowed::Public),
    post("/api/sign-in", "email=nobody{N}%40x.example&password=wrong", Allowed::Public),
    post("/api/sign-in-code", "code=123456", Allowed::AfterPassword),
    post("/api/sign-in-link-request", "email=nobody{N}%40x.example", Allowed::Public),
    get("/api/sign-in-link-info", "token=abc", Allowed::Public),
    post("/api/sign-in-link", "token=abc", Allowed::Public),
    post("/api/password-reset-request", "email=nobody{N}%40x.example", Allowed::Public),
    post("/api/password-reset", "token=abc&password=long+enough+password", Allowed::Public),
    post("/api/password", "current_password=wrong&password=short", Allowed::SignedIn),
    post("/api/sign-out", "", Allowed::Public),
    post("/api/two-factor-begin", "", Allowed::SignedIn),
    post("/api/two-factor-confirm", "code=000000", Allowed::SignedIn),
    post("/api/two-factor-disable", "code=000000", Allowed::SignedIn),
    get("/api/program-people", "program_id={A}", Allowed::Only(STAFF_OF_A)).showing("preceptor@a.example"),
    post(
        "/api/invite",
        "program_id={A}&name=New+Person&email=new{N}%40a.example&role=preceptor",
        Allowed::Only(STAFF_OF_A),
    ),
    post(
        "/api/invite",
        "program_id={A}&name=New+Director&email=dir{N}%40a.example&role=director",
        Allowed::Only(ADMIN),
    ),
    post(
        "/api/roster",
        "program_id={A}&cohort=C{N}&csv=name%2Cemail%2Cstudent+id%0AAna%2Cana{N}%40a.example%2CX{N}",
        Allowed::Only(STAFF_OF_A),
    ),
    // No offer has this secret: everyone is answered 404, and nothing is granted.
    get("/api/membership-offer", "token=abc", Allowed::Public),
    post("/api/answer-membership-offer", "token=abc&accept=true", Allowed::Public),
    get("/api/program-audit", "program_id={A}", Allowed::Only(STAFF_OF_A)),
    get("/api/my-students", "", Allowed::SignedIn),
    get(
        "/api/student-record",
        "program_id={A}&student_id={A1}",
        Allowed::Only(&[Who::StudentA1, Who::PreceptorA, Who::InstructorA, Who::DirectorA]),
    )
    .showing("s1@a.example"),
    get(
        "/api/student-record",
        "program_id={A}&student_id={A2}",
        Allowed::Only(&[Who::StudentA2, Who::InstructorA, Who::DirectorA]),
    ),
    get("/api/competency-record", "program_id={A}&student_id={A1}", Allowed::Only(RECORD_OF_A1)),
    get(
        "/api/competency-record",
        "program_id={A}&student_id={A2}",
        Allowed::Only(&[Who::StudentA2, Who::InstructorA, Who::DirectorA]),
    ),
    get("/api/competency-history", "program_id={A}&student_id={A1}&code=I.P.2.b", Allowed::Only(RECORD_OF_A1))
        .showing("I.P.2.b"),
    get(
        "/api/evaluation-sheet",
        "program_id={A}&student_id={A1}&code=I.P.1.a",
        Allowed::Only(&[Who::PreceptorA, Who::InstructorA]),
    )
    .showing("I.P.1.a"),
    get("/api/evaluation-sheet", "program_id={A}&student_id={A2}&code=I.P.1.a", Allowed::Only(&[Who::InstructorA])),
    // A stale checklist version: allowed cells answer a field error, so nothing is stored.
    json_post(
        "/api/sign-evaluation",
        r#"{"input":{"program_id":{A},"student_id":{A1},"code":"I.P.1.a","setting":"lab","checklist_version":"stale","marks":[],"comment":"","attested":true,"request_id":null}}"#,
        Allowed::Only(&[Who::InstructorA]),
    ),
    json_post(
        "/api/sign-evaluation",
        r#"{"input":{"program_id":{A},"student_id":{A1},"code":"I.P.1.a","setting":"externship","checklist_version":"stale","marks":[],"comment":"","attested":true,"request_id":null}}"#,
        Allowed::Only(&[Who::PreceptorA]),
    ),
    // No such record: allowed cells answer 404, the others are refused first.
    get(
        "/api/signed-result",
        "program_id={A}&student_id={A1}&code=I.P.1.a&signoff_id=999999",
        Allowed::Only(RECORD_OF_A1),
    ),
    post(
        "/api/void-signoff",
        "program_id={A}&signoff_id=999999&reason=Recorded+in+error",
        Allowed::Only(&[Who::InstructorA, Who::DirectorA]),
    ),
    // Lab-only competency: allowed cells answer "ask your instructor", so no e-mail is sent.
    post("/api/request-signoff", "program_id={A}&code=III.P.7", Allowed::Only(STUDENTS)),
    get("/api/my-requests", "", Allowed::SignedIn),
    get("/api/lab-session", "program_id={A}", Allowed::Only(&[Who::InstructorA, Who::DirectorA])),
    get("/api/program-requirements", "program_id={A}", Allowed::Only(&[Who::InstructorA, Who::DirectorA])),
    get("/api/program-editions", "program_id={A}", Allowed::Only(&[Who::InstructorA, Who::DirectorA]))
        .showing("maerb-2015"),
    get("/api/edition-switch-preview", "program_id={A}&edition_id=checkoff-starter", Allowed::Only(DIRECTOR_A)),
    // From an edition the program is not on: allowed cells are refused on content, so nothing moves.
    post("/api/switch-edition", "program_id={A}&from=none&to=checkoff-starter", Allowed::Only(DIRECTOR_A)),
    // A preview only (import=false): nothing is stored.
    post(
        "/api/framework-import",
        "program_id={A}&name=Ours&version=1&csv=code%2Ctitle%2Cdomain%0AI.P.1%2CT%2Cpsychomotor&import=false",
        Allowed::Only(DIRECTOR_A),
    ),
    get("/api/quiz-attempt", "slug=hand-hygiene-ppe", Allowed::Public),
    post(
        "/api/set-requirement",
        "program_id={A}&code=I.P.1.a&attempts=1&setting=either",
        Allowed::Only(&[Who::DirectorA]),
    ),
    // Externship. Allowed cells are refused on content (no such entry, a day
    // outside the placement, a missing rating), so the matrix stores nothing.
    get("/api/hours", "program_id={A}&student_id={A1}", Allowed::Only(RECORD_OF_A1)).showing("Clinic A"),
    get(
        "/api/hours",
        "program_id={A}&student_id={A2}",
        Allowed::Only(&[Who::StudentA2, Who::InstructorA, Who::DirectorA]),
    ),
    post(
        "/api/log-hours",
        "program_id={A}&date=2000-01-03&start=08:00&end=09:00&hours=&activities=x&competencies=",
        Allowed::Only(STUDENTS),
    ),
    post("/api/withdraw-hours", "program_id={A}&entry_id=999999", Allowed::Only(STUDENTS)),
    json_post(
        "/api/decide-hours",
        r#"{"input":{"program_id":{A},"student_id":{A1},"entry_ids":[999999],"decision":"approve","reason":""}}"#,
        Allowed::Only(&[Who::PreceptorA]),
    ),
    post(
        "/api/correct-hours",
        "program_id={A}&student_id={A1}&entry_id=999999&date=2000-01-03&start=08:00&end=09:00&hours=&activities=x&reason=Recorded+in+error",
        Allowed::Only(&[Who::PreceptorA, Who::InstructorA, Who::DirectorA]),
    ),
    get("/api/hours-to-verify", "", Allowed::SignedIn),
    get("/api/externship-setup", "program_id={A}", Allowed::Only(TEACHERS_OF_A)).showing("Clinic A"),
    post(
        "/api/add-site",
        "program_id={A}&name=Site+{N}&address=&contact_name=&contact_email=&contact_phone=",
        Allowed::Only(TEACHERS_OF_A),
    ),
    post(
        "/api/placement",
        "program_id={A}&student_id={A2}&site_id=0&preceptor_id={P2}&co_preceptor_id=&start=2026-01-05&end=2026-03-01&required_hours=",
        Allowed::Only(TEACHERS_OF_A),
    ),
    post("/api/end-placement", "program_id={A}&placement_id=999999", Allowed::Only(TEACHERS_OF_A)),
    get(
        "/api/externship-evaluation-form",
        "program_id={A}&student_id={A1}&kind=of_student",
        Allowed::Only(&[Who::PreceptorA]),
    ),
    get(
        "/api/externship-evaluation-form",
        "program_id={A}&student_id={A1}&kind=of_site",
        Allowed::Only(&[Who::StudentA1]),
    ),
    json_post(
        "/api/submit-externship-evaluation",
        r#"{"input":{"program_id":{A},"student_id":{A1},"kind":"of_student","form":{"ratings":[],"comments":[],"readiness":null,"overall":""}}}"#,
        Allowed::Only(&[Who::PreceptorA]),
    ),
    json_post(
        "/api/submit-externship-evaluation",
        r#"{"input":{"program_id":{A},"student_id":{A1},"kind":"of_site","form":{"ratings":[],"comments":[],"readiness":null,"overall":""}}}"#,
        Allowed::Only(&[Who::StudentA1]),
    ),
    // The director's view.
    get("/api/program-dashboard", "program_id={A}&cohort_id=0&filter=all", Allowed::Only(DIRECTOR_A))
        .showing("s1@a.example"),
    get("/api/accreditation-summary", "program_id={A}&cohort_id=0", Allowed::Only(DIRECTOR_A)),
    get("/api/cohort-checklists", "program_id={A}&cohort_id=0", Allowed::Only(DIRECTOR_A)),
    get("/api/admin-programs", "", Allowed::Only(ADMIN)).showing("Program B"),
    post("/api/admin-program", "name=Program+{N}", Allowed::Only(ADMIN)),
    get("/api/admin-audit", "", Allowed::Only(ADMIN)),
    get("/api/admin-outbox", "", Allowed::Only(ADMIN)),
];

/// Every page route, each against every kind of person.
const PAGES: &[Cell] = &[
    get("/", "", Allowed::Public),
    get("/modules", "", Allowed::Public),
    get("/modules/hand-hygiene-ppe", "", Allowed::Public).showing("Hand hygiene"),
    get("/sign-in", "", Allowed::Public),
    get("/sign-in/code", "", Allowed::Public),
    get("/sign-in/link", "token=abc", Allowed::Public),
    get("/forgot-password", "", Allowed::Public),
    get("/reset-password", "", Allowed::Public),
    get("/join", "token=abc", Allowed::Public),
    get("/account", "", Allowed::SignedIn),
    get("/admin", "", Allowed::Only(ADMIN)),
    get("/admin/outbox", "", Allowed::Only(ADMIN)),
    get("/admin/audit", "", Allowed::Only(ADMIN)),
    get("/programs/{A}/people", "", Allowed::Only(STAFF_OF_A)).showing("preceptor@a.example"),
    get("/programs/{A}/audit", "", Allowed::Only(STAFF_OF_A)),
    get(
        "/programs/{A}/students/{A1}",
        "",
        Allowed::Only(&[Who::StudentA1, Who::PreceptorA, Who::InstructorA, Who::DirectorA]),
    )
    .showing("s1@a.example"),
    get("/programs/{A}/students/{A1}/competencies/I.P.2.b", "", Allowed::Only(RECORD_OF_A1)),
    get("/programs/{A}/students/{A1}/evaluate/I.P.2.b", "", Allowed::Only(&[Who::PreceptorA, Who::InstructorA])),
    get("/programs/{A}/students/{A1}/checklist", "", Allowed::Only(RECORD_OF_A1)).showing("s1@a.example"),
    get("/programs/{A}/lab", "", Allowed::Only(&[Who::InstructorA, Who::DirectorA])),
    get("/programs/{A}/competencies", "", Allowed::Only(&[Who::InstructorA, Who::DirectorA])),
    get("/programs/{A}/students/{A1}/hours", "", Allowed::Only(RECORD_OF_A1)).showing("Clinic A"),
    get("/programs/{A}/students/{A1}/externship-evaluation", "kind=of_student", Allowed::Only(&[Who::PreceptorA])),
    get("/programs/{A}/externship", "", Allowed::Only(TEACHERS_OF_A)),
    get("/programs/{A}/dashboard", "", Allowed::Only(DIRECTOR_A)).showing("s1@a.example"),
    get("/programs/{A}/summary", "", Allowed::Only(DIRECTOR_A)),
    get("/programs/{A}/checklists", "", Allowed::Only(DIRECTOR_A)),
    get("/programs/{A}/summary.csv", "cohort=0", Allowed::Only(DIRECTOR_A)).showing("s1@a.example"),
    get("/programs/{A}/checkpoints.jsonl", "", Allowed::Only(DIRECTOR_A)),
];

fn expected(allowed: Allowed, who: Who) -> StatusClass {
    match (allowed, who) {
        (Allowed::Public, _) => StatusClass::Allowed,
        (Allowed::AfterPassword, _) => StatusClass::Unauthorized,
        (_, Who::SignedOut) => StatusClass::Unauthorized,
        (Allowed::SignedIn, _) => StatusClass::Allowed,
        (Allowed::Only(list), who) if list.contains(&who) => StatusClass::Allowed,
        (Allowed::Only(_), _) => StatusClass::Forbidden,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusClass {
    /// Let in: a success, a redirect, or a refusal on content (400, 404,
    /// 409, 422), never a failure of the server.
    Allowed,
    Unauthorized,
    Forbidden,
    /// 5xx: wrong in every cell, allowed or not.
    ServerError,
}

fn classify(status: StatusCode) -> StatusClass {
    match status {
        StatusCode::UNAUTHORIZED => StatusClass::Unauthorized,
        StatusCode::FORBIDDEN => StatusClass::Forbidden,
        s if s.is_server_error() => StatusClass::ServerError,
        _ => StatusClass::Allowed,
    }
}

async fn run_matrix(db: &app::storage::Db, cells: &[Cell]) {
    let cast = common::cast(db).await;
    let app = server::router(&common::test_config(), db.clone(), common::catalog()).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for cell in cells {
        for who in EVERYONE {
            n += 1;
            let fill = |s: &str| {
                s.replace("{A}", &cast.program_a.to_string())
                    .replace("{A1}", &cast.student_a1.to_string())
                    .replace("{A2}", &cast.student_a2.to_string())
                    .replace("{P2}", &cast.preceptor_a2.to_string())
                    .replace("{N}", &n.to_string())
            };
            let user = match who {
                Who::SignedOut => None,
                Who::StudentA1 => Some(cast.student_a1),
                Who::StudentA2 => Some(cast.student_a2),
                Who::PreceptorA => Some(cast.preceptor_a),
                Who::InstructorA => Some(cast.instructor_a),
                Who::DirectorA => Some(cast.director_a),
                Who::DirectorB => Some(cast.director_b),
                Who::Admin => Some(cast.admin),
            };
            let path = fill(cell.endpoint);
            let args = fill(cell.args);
            let mut builder = match cell.method {
                "GET" if args.is_empty() => Request::get(path.clone()),
                "GET" => Request::get(format!("{path}?{args}")),
                _ => Request::post(path.clone()).header(
                    "content-type",
                    if cell.json { "application/json" } else { "application/x-www-form-urlencoded" },
                ),
            };
            if let Some(user) = user {
                builder = builder.header("cookie", common::session_cookie(db, user).await);
            }
            let body = if cell.method == "GET" { Body::empty() } else { Body::from(args.clone()) };
            // A page that never finishes rendering is a failure with a name,
            // not a hung test run.
            let sent = tokio::time::timeout(std::time::Duration::from_secs(10), async {
                let response = app.clone().oneshot(builder.body(body).unwrap()).await.unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap_or_default();
                (status, body)
            })
            .await;
            let Ok((status, body)) = sent else {
                failures.push(format!("{} {path} {args} as {who:?}: no answer within 10 s", cell.method));
                continue;
            };
            let got = classify(status);
            let want = expected(cell.allowed, who);
            let text = String::from_utf8_lossy(&body);
            if got != want {
                let text: String = text.chars().take(200).collect();
                failures
                    .push(format!("{} {path} {args} as {who:?}: expected {want:?}, got {status} {text}", cell.method));
            } else if let (StatusClass::Allowed, Some(shows)) = (got, cell.shows)
                && (status != StatusCode::OK || !text.contains(shows))
            {
                let text: String = text.chars().take(200).collect();
                failures.push(format!("{} {path} {args} as {who:?}: {status} without {shows:?}: {text}", cell.method));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {n} cells wrong:\n{}", failures.len(), failures.join("\n"));
}

async fn every_server_function_against_every_role(db: &app::storage::Db) {
    run_matrix(db, SERVER_FUNCTIONS).await;
}

async fn every_page_against_every_role(db: &app::storage::Db) {
    run_matrix(db, PAGES).await;
}

both_engines!(every_server_function_against_every_role, every_page_against_every_role);

#[tokio::test]
async fn the_matrix_covers_every_server_function() {
    let t = common::TestDb::sqlite().await;
    let _app = server::router(&common::test_config(), t.db.clone(), common::catalog()).unwrap();
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect();
    let covered: BTreeSet<String> = SERVER_FUNCTIONS.iter().map(|c| c.endpoint.to_string()).collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(missing.is_empty(), "server functions missing from the access matrix: {missing:?}");
}

#[tokio::test]
async fn the_matrix_covers_every_page_route() {
    use leptos_axum::generate_route_list;
    let routes: BTreeSet<String> = generate_route_list(app::App).iter().map(|r| r.path().to_string()).collect();
    let covered: BTreeSet<String> = PAGES
        .iter()
        .map(|c| {
            c.endpoint
                .replace("{A1}", "{student}")
                .replace("{A}", "{id}")
                .replace("/modules/hand-hygiene-ppe", "/modules/{slug}")
                .replace("/I.P.2.b", "/{code}")
        })
        .collect();
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(missing.is_empty(), "page routes missing from the access matrix: {missing:?} (covered: {covered:?})");
}

/// A preceptor's list holds only the students placed with them.
async fn preceptors_list_only_their_students(db: &app::storage::Db) {
    let cast = common::cast(db).await;
    let app = server::router(&common::test_config(), db.clone(), common::catalog()).unwrap();
    let request = Request::get("/api/my-students")
        .header("cookie", common::session_cookie(db, cast.preceptor_a).await)
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap()).unwrap();
    let ids: Vec<UserId> = body.as_array().unwrap().iter().map(|p| UserId(p["student_id"].as_i64().unwrap())).collect();
    assert_eq!(ids, vec![cast.student_a1]);
}

both_engines!(preceptors_list_only_their_students);
