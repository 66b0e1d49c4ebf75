//! Every server function is listed in the policy table, and what a signed-out
//! visitor may reach is exactly what the table calls public.

mod common;

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
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "server fn errors answer 500 with the error body");
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("Unauthenticated"), "{}", String::from_utf8_lossy(&body));
    // Nothing was stored for anyone (the probe deletes from a throwaway database).
    assert_eq!(t.db.execute_unchecked("DELETE FROM module_reading").await.unwrap(), 0);
}
