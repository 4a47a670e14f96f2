//! Test harness: the real proxy router against the real simulators on 127.0.0.1, as
//! `pilot-portal-testkit` assembles them (the demo settings), with a placeholder page.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use pilot_portal_proxy::config::Config;
use pilot_portal_sim::demo::{DemoOptions, DEMO_PILOTS};
use pilot_portal_sim::xag::{DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD};
use pilot_portal_testkit::{Stack, StackOptions};
use serde_json::Value;
use tower::ServiceExt;

/// The stack under test and the placeholder page it serves. Derefs to the [`Stack`]
/// (`h.config`, `h.router`, `h.base`) and on to its simulators (`h.token_api`, `h.xag`,
/// `h.flighthub`).
pub struct Harness {
    pub stack: Stack,
    pub dist: tempfile::TempDir,
}

impl std::ops::Deref for Harness {
    type Target = Stack;

    fn deref(&self) -> &Stack {
        &self.stack
    }
}

pub async fn harness() -> Harness {
    harness_with(|_| {}).await
}

/// A harness whose token API address has nothing listening (a port just closed), and that
/// port.
pub async fn harness_with_token_api_down() -> (Harness, u16) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let h = harness_with(|c| c.token_api_url = format!("http://127.0.0.1:{port}")).await;
    (h, port)
}

/// What the proxy logged during a test: give it to a `tracing_subscriber` as its writer.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf8")
    }
}

/// A fresh stack (no MQTT broker: these tests configure the broker address themselves) with
/// `tweak` applied to the proxy's config.
pub async fn harness_with(tweak: impl FnOnce(&mut Config)) -> Harness {
    let options = StackOptions {
        demo: DemoOptions {
            mqtt: None,
            ..DemoOptions::default()
        },
    };
    harness_on(options, tweak).await
}

/// A fresh stack with these simulators (e.g. the broker and the simulated gateway), `tweak`
/// applied to the proxy's config.
pub async fn harness_on(options: StackOptions, tweak: impl FnOnce(&mut Config)) -> Harness {
    let dist = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>portal</title><script id=\"pilot-portal-config\" type=\"application/json\"></script>",
    )
    .expect("write");
    std::fs::write(
        dist.path().join("pilot-portal-0123456789abcdef_bg.wasm"),
        b"\0asm",
    )
    .expect("write");
    let page = dist.path().to_owned();
    let stack = Stack::start_with(options, |config| {
        config.dist = page;
        config.flighthub_page_size = 5;
        config.upstream_timeout_secs = 1;
        tweak(config);
    })
    .await
    .expect("stack");
    Harness { stack, dist }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

impl Harness {
    pub async fn call(&self, req: Request<Body>) -> Reply {
        call_on(&self.router, req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut req = Request::get(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.call(req.body(Body::empty()).expect("request")).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.call(req.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    /// Signs the first demo pilot in: their token.
    pub async fn login(&self) -> String {
        self.login_demo(0).await
    }

    /// Signs the demo pilot `index` (`DEMO_PILOTS`) in: their token.
    pub async fn login_demo(&self, index: usize) -> String {
        let pilot = DEMO_PILOTS[index];
        self.login_with(pilot.username, pilot.password).await
    }

    /// Signs `username` in: their token.
    pub async fn login_with(&self, username: &str, password: &str) -> String {
        let r = self
            .post_json(
                "/api/auth/login",
                None,
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()["token"].as_str().expect("token").to_owned()
    }
}

pub fn now_ms() -> i64 {
    pilot_portal_sim::token_api::now_ms()
}

/// What XAG's operator page would post back: (callback path with query, authorization code).
pub async fn authorize(authorize_url: &str, action: &str) -> (String, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let url = url::Url::parse(authorize_url).expect("url");
    let page = client.get(url.clone()).send().await.expect("page");
    assert_eq!(
        page.status(),
        200,
        "{}",
        page.text().await.unwrap_or_default()
    );
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let origin = format!("{}://{}{port}", url.scheme(), url.host_str().expect("host"));
    let html = client
        .post(format!("{origin}/v1/auth/user_auth"))
        .form(&[
            (
                "component_access_token",
                q["component_access_token"].as_str(),
            ),
            ("pre_auth_code", q["pre_auth_code"].as_str()),
            ("redirect_uri", q["redirect_uri"].as_str()),
            ("username", DEMO_OPERATOR),
            ("password", DEMO_OPERATOR_PASSWORD),
            ("action", action),
        ])
        .send()
        .await
        .expect("approve")
        .text()
        .await
        .expect("html");
    let field = |name: &str| {
        let marker = format!(r#"name="{name}" value=""#);
        html.find(&marker)
            .map(|s| s + marker.len())
            .map(|s| html[s..s + html[s..].find('"').unwrap_or(0)].to_owned())
            .unwrap_or_default()
    };
    let redirect = url::Url::parse(&q["redirect_uri"]).expect("redirect");
    let path = format!("{}?{}", redirect.path(), redirect.query().unwrap_or(""));
    (path, field("authorization_code"), field("error"))
}

pub async fn callback_form(h: &Harness, path: &str, form: &str) -> Reply {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .expect("request");
    h.call(req).await
}

pub async fn start_link(h: &Harness, token: &str) -> String {
    start_link_with(h, token, serde_json::json!({})).await
}

/// [`start_link`] with this body (`{"return_to": …}`).
pub async fn start_link_with(h: &Harness, token: &str, body: Value) -> String {
    let r = h.post_json("/api/xag/link", Some(token), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        !r.text.contains(&h.config.xag_component_access_token),
        "the page never gets the component token"
    );
    let own = r.json()["authorize_url"].as_str().expect("url").to_owned();
    assert!(own.starts_with("/api/xag/authorize?state="), "{own}");
    // the proxy's redirect to XAG's page
    let redirect = h.get(&own, None).await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER, "{}", redirect.text);
    location(&redirect).to_owned()
}

pub fn location(r: &Reply) -> &str {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// How many XAG links the database holds (read directly: the proxy has no such query).
pub async fn count_links(h: &Harness) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&h.config.database_url)
        .await
        .expect("db");
    sqlx::query_scalar("SELECT COUNT(*) FROM xag_links")
        .fetch_one(&pool)
        .await
        .expect("count")
}

/// One request to `app` (e.g. a second proxy instance on the same database).
pub async fn call_on(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}
