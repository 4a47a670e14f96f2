//! Test harness: the real proxy router against the real token API simulator on 127.0.0.1.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use pilot_portal_proxy::config::Config;
use pilot_portal_proxy::{app, AppState};
use pilot_portal_sim::xag::XagConfig;
use pilot_portal_sim::{TokenApiSim, XagSimServer};
use serde_json::Value;
use tower::ServiceExt;

pub const SIM_SECRET: &[u8] = b"test-platform-secret";

pub struct Harness {
    pub sim: TokenApiSim,
    pub xag: XagSimServer,
    pub app: Router,
    pub dist: tempfile::TempDir,
    pub config: Config,
}

pub async fn harness() -> Harness {
    harness_with(|_| {}).await
}

pub async fn harness_with(tweak: impl FnOnce(&mut Config)) -> Harness {
    let sim = TokenApiSim::start(SIM_SECRET, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim starts");
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
    let xag = XagSimServer::start(XagConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("xag sim starts");
    let mut config = Config::for_token_api(&sim.base_url());
    config.dist = dist.path().to_owned();
    config.upstream_timeout_secs = 1;
    config.database_url = sqlite_url(dist.path());
    let demo = XagConfig::demo();
    config.xag_base_url = xag.base_url();
    config.xag_component_appid = demo.component_appid;
    config.xag_app_secret = demo.app_secret;
    config.xag_component_access_token = demo.component_access_token;
    config.xag_callback_url = "http://127.0.0.1:8080/api/xag/callback".into();
    tweak(&mut config);
    let app = app(AppState::new(config.clone()).await.expect("state"));
    Harness {
        sim,
        xag,
        app,
        dist,
        config,
    }
}

/// A SQLite database file in `dir`, created on connect.
pub fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("proxy.db").display())
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
        let resp = self.app.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
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

    pub async fn login(&self) -> String {
        let r = self
            .post_json(
                "/api/auth/login",
                None,
                serde_json::json!({"username":"pilot","password":"pilot123"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()["token"].as_str().expect("token").to_owned()
    }
}

pub fn now_ms() -> i64 {
    pilot_portal_sim::token_api::now_ms()
}
