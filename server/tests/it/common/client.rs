//! An HTTP client for the integration tests: the app's router called in
//! process, with a signed-in session when a user is given.

use app::domain::ids::{ProgramId, UserId};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

use app::storage::Db;

pub struct Client {
    pub app: axum::Router,
    pub db: Db,
}

impl Client {
    pub fn new(db: &Db) -> Client {
        Client { app: server::router(&super::test_config(), db.clone(), super::catalog()).unwrap(), db: db.clone() }
    }

    pub async fn send(
        &self,
        user: Option<UserId>,
        request: axum::http::request::Builder,
        body: Body,
    ) -> (StatusCode, String) {
        let mut request = request;
        if let Some(user) = user {
            request = request.header("cookie", super::session_cookie(&self.db, user).await);
        }
        let response = self.app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn get(&self, user: Option<UserId>, path: &str) -> (StatusCode, String) {
        self.send(user, Request::get(path), Body::empty()).await
    }

    pub async fn form(&self, user: Option<UserId>, path: &str, body: &str) -> (StatusCode, String) {
        let req = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        self.send(user, req, Body::from(body.to_string())).await
    }

    pub async fn json(&self, user: Option<UserId>, path: &str, body: Value) -> (StatusCode, String) {
        let req = Request::post(path).header("content-type", "application/json");
        self.send(user, req, Body::from(body.to_string())).await
    }

    /// The current checklist of a competency, as an evaluator's page loads it.
    pub fn competency(&self, code: &str) -> app::content::Competency {
        super::catalog().competency(code).unwrap().clone()
    }

    /// Signs `code` for `student` as `evaluator`, marking step `i` met when `met(i)`.
    pub async fn sign(
        &self,
        evaluator: UserId,
        program: ProgramId,
        student: UserId,
        code: &str,
        setting: &str,
        met: impl Fn(usize) -> bool,
    ) -> (StatusCode, Value) {
        let c = self.competency(code);
        let marks: Vec<Value> = (0..c.steps.len()).map(|i| json!({ "met": met(i), "comment": "" })).collect();
        let (status, body) = self
            .json(
                Some(evaluator),
                "/api/sign-evaluation",
                json!({ "input": {
                    "program_id": program, "student_id": student, "code": code, "setting": setting,
                    "checklist_version": c.version, "marks": marks, "comment": "", "attested": true, "request_id": null,
                    // A tampered client claiming a pass: there is no such field, and it is ignored.
                    "passed": true,
                }}),
            )
            .await;
        (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
    }

    pub async fn record(&self, viewer: UserId, program: ProgramId, student: UserId) -> Value {
        let (status, body) =
            self.get(Some(viewer), &format!("/api/competency-record?program_id={program}&student_id={student}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}
