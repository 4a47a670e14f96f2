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
    let h = harness_with(|c| {
        c.database_url = url.clone();
        // the tests of this file sign the same pilot in at once, on one database
        c.login_attempts_per_username = 1_000;
        c.login_attempts_per_address = 1_000;
    })
    .await;
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

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo xtask test starts one and runs this"]
async fn the_unlock_audit_and_file_tokens_on_postgres() {
    use pilot_portal_proxy::db::unlock::{AuditAction, NewAudit};
    use pilot_portal_proxy::db::Db;

    let url = std::env::var("PILOT_PORTAL_TEST_POSTGRES_URL")
        .expect("PILOT_PORTAL_TEST_POSTGRES_URL: run `cargo xtask test`, which starts PostgreSQL");
    let db = Db::connect(&url).await.expect("db");
    // a gateway of its own: the database may hold rows of earlier runs
    let sn = format!("PG{}", uuid::Uuid::new_v4().simple()).to_uppercase();
    let switch = |at_ms: i64, old: Option<bool>, new: bool, outcome: &str| NewAudit {
        at_ms,
        platform_user: "pilot".into(),
        gateway_sn: sn.clone(),
        action: AuditAction::Switch,
        license_id: Some(240333),
        old_enabled: old,
        new_enabled: Some(new),
        source: None,
        file_name: None,
        result_code: (outcome == "ok").then_some(0),
        outcome: outcome.into(),
    };
    db.insert_audit(&switch(1_000, Some(false), true, "ok"))
        .await
        .expect("insert");
    db.insert_audit(&switch(2_000, Some(true), false, "ok"))
        .await
        .expect("insert");
    db.insert_audit(&switch(3_000, None, true, "device_timeout"))
        .await
        .expect("insert");
    db.insert_audit(&NewAudit {
        action: AuditAction::Update,
        license_id: None,
        old_enabled: None,
        new_enabled: None,
        source: Some("offline_file".into()),
        file_name: Some("license.bin".into()),
        result_code: Some(314003),
        outcome: "fingerprint_mismatch".into(),
        ..switch(4_000, None, true, "")
    })
    .await
    .expect("insert");

    let rows = db.audit_of(&sn, 10).await.expect("audit");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].action, "update");
    assert_eq!(rows[0].result_code, Some(314003));
    assert_eq!(rows[0].file_name.as_deref(), Some("license.bin"));
    assert_eq!(rows[0].old_enabled, None);
    assert_eq!(
        (rows[3].old_enabled, rows[3].new_enabled),
        (Some(false), Some(true))
    );
    let last = db.last_switches(&sn).await.expect("last");
    let latest = &last[&240333];
    assert_eq!(
        (latest.at_ms, latest.old_enabled, latest.new_enabled),
        (2_000, Some(true), false),
        "the latest successful switch"
    );

    let token = uuid::Uuid::new_v4().simple().to_string();
    let now = now_ms();
    db.insert_file_token(&token, "license.bin", now + 60_000)
        .await
        .expect("token");
    assert_eq!(
        db.file_token_name(&token, now).await.expect("lookup"),
        Some("license.bin".to_owned())
    );
    assert_eq!(
        db.file_token_name(&token, now + 60_000)
            .await
            .expect("lookup"),
        None
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo xtask test starts one and runs this"]
async fn token_bindings_on_postgres_one_identity_and_one_renewal_across_instances() {
    let url = std::env::var("PILOT_PORTAL_TEST_POSTGRES_URL")
        .expect("PILOT_PORTAL_TEST_POSTGRES_URL: run `cargo xtask test`, which starts PostgreSQL");
    let h = harness_with(|c| {
        c.database_url = url.clone();
        // the tests of this file sign the same pilot in at once, on one database
        c.login_attempts_per_username = 1_000;
        c.login_attempts_per_address = 1_000;
    })
    .await;
    let login = |sn: &'static str| {
        h.post_json(
            "/api/auth/login",
            None,
            serde_json::json!({"username": "pilot", "password": "pilot123", "controller_sn": sn}),
        )
    };
    let a = login("PG-A").await.json()["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let b = login("PG-B").await.json()["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let second = app(AppState::new(h.config.clone())
        .await
        .expect("second instance"));
    let get = |path: &str, token: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request")
    };
    // the binding made by the first instance names the user for the second
    let r = call_on(&second, get("/api/session", &a)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["user"]["name"], "pilot");

    // A revokes B on the second instance; the first tells B "revoked"
    let list = call_on(&second, get("/api/tokens", &a)).await.json();
    let b_id = list
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["name"] == "Pilot 2 · PG-B")
        .and_then(|t| t["id"].as_str())
        .expect("B listed")
        .to_owned();
    let del = Request::delete(format!("/api/tokens/{b_id}"))
        .header(header::AUTHORIZATION, format!("Bearer {a}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(call_on(&second, del).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get("/api/session", Some(&b)).await.error_code(),
        "token_revoked"
    );

    // concurrent renewals of A on both instances: one successor
    let renew = || {
        Request::post("/api/session/renew")
            .header(header::AUTHORIZATION, format!("Bearer {a}"))
            .body(Body::empty())
            .expect("request")
    };
    let (one, two) = tokio::join!(h.call(renew()), call_on(&second, renew()));
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(two.status, StatusCode::OK, "{}", two.text);
    assert_eq!(one.json()["token"], two.json()["token"]);
    let live: Vec<_> = h
        .token_api
        .api
        .live_tokens("pilot")
        .into_iter()
        .filter_map(|t| t.name)
        .collect();
    assert_eq!(live, ["Pilot 2 · PG-A"], "one live token for A");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: cargo xtask test starts one and runs this"]
async fn support_reports_on_postgres_are_shared_by_proxy_instances() {
    let url = std::env::var("PILOT_PORTAL_TEST_POSTGRES_URL")
        .expect("PILOT_PORTAL_TEST_POSTGRES_URL: run `cargo xtask test`, which starts PostgreSQL");
    let h = harness_with(|c| {
        c.database_url = url.clone();
        c.trust_forwarded_for = true;
        c.support_reports_per_address = 2;
        c.support_admin_token = "support-admin-token-pg".into();
    })
    .await;
    let second = app(AppState::new(h.config.clone())
        .await
        .expect("second instance"));
    // a fresh address per run: the database outlives a test run
    let address = format!("198.51.100.{}", now_ms().rem_euclid(250) + 1);
    let send = |report: &str| {
        Request::post("/api/support/reports")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", address.as_str())
            .body(Body::from(
                serde_json::json!({ "report": report }).to_string(),
            ))
            .expect("request")
    };
    let first = h.call(send("report one")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let id = first.json()["id"].as_str().expect("id").to_owned();
    // the second instance counts the same attempts and reads the same reports
    assert_eq!(
        call_on(&second, send("report two")).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        call_on(&second, send("three")).await.error_code(),
        "rate_limited"
    );
    let read = Request::get(format!("/api/support/reports/{id}"))
        .header(header::AUTHORIZATION, "Bearer support-admin-token-pg")
        .body(Body::empty())
        .expect("request");
    let back = call_on(&second, read).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert_eq!(back.json()["report"], "report one");
    let list = pilot_portal_proxy::support::operator_report(&h.config, None, 5)
        .await
        .expect("list");
    assert!(list.contains(&id), "{list}");
    // a token this proxy obtained is recognised on PostgreSQL too
    let token = h.login().await;
    let db = pilot_portal_proxy::db::Db::connect(&url).await.expect("db");
    let hash = pilot_portal_proxy::identity::token_hash(&token);
    let bound = db
        .bound_tokens(&[hash.clone(), "0".repeat(64)])
        .await
        .expect("query");
    assert_eq!(bound.into_iter().collect::<Vec<_>>(), vec![hash]);
}
