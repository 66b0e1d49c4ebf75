//! Pages whose URL carries ids: a missing, malformed or non-positive id is
//! "not found" (404 and the notice), answered by the page itself without
//! asking the server about record 0.

use crate::common;
use crate::common::client::Client;

use app::storage::Db;
use axum::http::StatusCode;

const NOT_FOUND: &str = "We could not find that.";

async fn bad_ids_in_the_url_are_not_found(db: &Db) {
    let cast = common::cast(db).await;
    let c = Client::new(db);
    let (p, s) = (cast.program_a, cast.student_a1);
    let director = Some(cast.director_a);
    // The pages answer when the ids are good, so a 404 below is the id's.
    for path in [format!("/programs/{p}/students/{s}"), format!("/programs/{p}/students/{s}/hours")] {
        let (status, html) = c.get(director, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains(NOT_FOUND), "{path}");
    }
    let paths = [
        format!("/programs/abc/students/{s}"),
        format!("/programs/{p}/students/xyz"),
        format!("/programs/{p}/students/xyz/hours"),
        format!("/programs/{p}/students/-{s}/hours"),
        "/programs/0/lab".to_string(),
        "/programs/-1/competencies".to_string(),
        format!("/programs/{p}/students/0/competencies/PC.1"),
        format!("/programs/{p}/students/abc/evaluate/PC.1"),
        format!("/programs/{p}/students/1.5/checklist"),
        format!("/programs/{p}/students/99999999999999999999/externship-evaluation?kind=of_student"),
        "/programs/abc/externship".to_string(),
        "/programs/abc/dashboard".to_string(),
        "/programs/0/summary".to_string(),
        "/programs/x/checklists".to_string(),
        "/programs/abc/people".to_string(),
        "/programs/abc/audit".to_string(),
    ];
    for path in paths {
        let (status, html) = c.get(director, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains(NOT_FOUND), "{path}: {html}");
    }
    // A page with a title keeps it, and its heading, above the notice.
    let (_, html) = c.get(director, "/programs/abc/students/1").await;
    assert!(html.contains("<h1>Student record</h1>"), "{html}");
}

both_engines!(bad_ids_in_the_url_are_not_found);
