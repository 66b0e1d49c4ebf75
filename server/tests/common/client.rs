//! An HTTP client for the integration tests: the app's router called in
//! process, with a signed-in session when a user is given.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
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

    pub async fn send(&self, user: Option<i64>, request: axum::http::request::Builder, body: Body) -> (StatusCode, String) {
        let mut request = request;
        if let Some(user) = user {
            request = request.header("cookie", super::session_cookie(&self.db, user).await);
        }
        let response = self.app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22).await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn get(&self, user: Option<i64>, path: &str) -> (StatusCode, String) {
        self.send(user, Request::get(path), Body::empty()).await
    }

    pub async fn form(&self, user: Option<i64>, path: &str, body: &str) -> (StatusCode, String) {
        let req = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        self.send(user, req, Body::from(body.to_string())).await
    }

    pub async fn json(&self, user: Option<i64>, path: &str, body: Value) -> (StatusCode, String) {
        let req = Request::post(path).header("content-type", "application/json");
        self.send(user, req, Body::from(body.to_string())).await
    }

}
