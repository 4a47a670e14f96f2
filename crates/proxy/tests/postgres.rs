//! The same XAG storage on PostgreSQL, shared by several proxy instances behind a load
//! balancer. Needs a server: `cargo xtask test` starts a throwaway one and runs this test
//! with `--ignored`.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use pilot_portal_proxy::{app, AppState};
use pilot_portal_sim::xag::DEMO_UNION_ID;

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo xtask test starts one and runs this"]
async fn xag_links_on_postgres_are_shared_by_proxy_instances() {
    let url = std::env::var("PILOT_PORTAL_TEST_POSTGRES_URL")
        .expect("PILOT_PORTAL_TEST_POSTGRES_URL: run `cargo xtask test`, which starts PostgreSQL");
    assert!(url.starts_with("postgres"), "{url}");
    let h = harness_with(|c| c.database_url = url.clone()).await;
    let token = h.login().await;
    let (path, code, _) = authorize(&start_link(&h, &token).await, "approve").await;

    // the callback lands on a second instance (same configuration and database)
    let second = app(AppState::new(h.config.clone())
        .await
        .expect("second instance"));
    let callback = |form: String| {
        Request::post(path.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("request")
    };
    let r = call_on(&second, callback(format!("authorization_code={code}"))).await;
    assert_eq!(location(&r), "/?xag=linked");
    // single use across instances
    let r = callback_form(&h, &path, &format!("authorization_code={code}")).await;
    assert_eq!(location(&r), "/?xag=state_invalid");

    // the first instance sees the link stored by the second
    let s = h.get("/api/xag/link", Some(&token)).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    assert_eq!(s.json()["union_id"], DEMO_UNION_ID);

    let del = Request::delete("/api/xag/link")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(call_on(&second, del).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get("/api/xag/link", Some(&token)).await.json()["linked"],
        false
    );
}
