//! Module pages and the knowledge-check endpoint, served by the real router.

use crate::common;

use app::domain::quiz::{Answer, QuestionKind, QuizResult};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

async fn get(path: &str) -> (StatusCode, String) {
    let t = common::TestDb::sqlite().await;
    let app = server::router(&common::test_config(), t.db.clone(), common::catalog()).unwrap();
    let response = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 8 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_catalogue_lists_every_module_by_area() {
    let (status, html) = get("/modules").await;
    assert_eq!(status, StatusCode::OK);
    for m in common::catalog().modules() {
        assert!(html.contains(&format!("href=\"/modules/{}\"", m.summary.slug)), "{} missing", m.summary.slug);
    }
}

#[tokio::test]
async fn search_filters_by_title_and_text() {
    let (_, html) = get("/modules?q=precordial").await;
    assert!(html.contains("href=\"/modules/ekg-12-lead\""));
    assert!(!html.contains("href=\"/modules/injections\""));
}

#[tokio::test]
async fn a_module_page_has_its_text_but_not_its_answer_key() {
    let (status, html) = get("/modules/order-of-draw").await;
    assert_eq!(status, StatusCode::OK);
    let catalog = common::catalog();
    let module = catalog.module("order-of-draw").unwrap();
    assert!(html.contains("Knowledge check"));
    assert!(
        html.contains(&module.questions[0].prompt.replace('\'', "&#x27;"))
            || html.contains(&module.questions[0].prompt)
    );
    for q in &module.questions {
        let probe: String = q.explanation.chars().take(50).collect();
        assert!(!html.contains(&probe), "explanation of {} is in the page", q.id);
    }
}

#[tokio::test]
async fn an_unknown_module_is_404() {
    let (status, _) = get("/modules/no-such-module").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_quiz_endpoint_grades_on_the_server() {
    let t = common::TestDb::sqlite().await;
    let app = server::router(&common::test_config(), t.db.clone(), common::catalog()).unwrap();
    let catalog = common::catalog();
    let module = catalog.module("order-of-draw").unwrap();
    // Answer every question right, as the key says, using the ids the page shows.
    // A visitor's attempt is the shared first draw.
    let draw = module.draw(app::content::ANYONE, 1);
    let asked: Vec<_> =
        draw.questions.iter().map(|d| module.questions.iter().find(|q| q.id == d.question_id).unwrap()).collect();
    let answers: Vec<Answer> = asked
        .iter()
        .map(|q| {
            let view = q.view("order-of-draw");
            let id_of = |text: &str| view.options.iter().find(|o| o.text == text).unwrap().id.clone();
            let option_ids = match q.kind {
                QuestionKind::Order => q.options.iter().map(|t| id_of(t)).collect(),
                _ => q.correct.iter().map(|&i| id_of(&q.options[i])).collect(),
            };
            Answer { question_id: q.id.clone(), option_ids }
        })
        .collect();
    let body = serde_json::json!({ "slug": "order-of-draw", "attempt": 1, "answers": answers }).to_string();
    let request = Request::post("/api/quiz")
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    let result: QuizResult = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        (result.correct, result.total, result.score_percent, result.mastered),
        (asked.len(), asked.len(), 100, true)
    );
}
