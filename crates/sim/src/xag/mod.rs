//! XAG cloud (极飞云) third-party authorization (`xag-third-party-authorization.zh.txt`).
//!
//! `POST /v1/auth/create_preauthcode`, the `GET /v1/auth/user_auth` operator page (which posts
//! `{authorization_code, expire_in}` to the `redirect_uri` from the browser), and
//! `POST /v1/auth/token`. API calls must carry the signed `Authorization` header.
//!
//! Not in the reference, so chosen here and documented in the README: the error body
//! `{"code", "message"}` and its codes, the denial (`error=access_denied` posted to the
//! `redirect_uri`), and the operator page's look. What the reference leaves open and the proxy
//! must cope with either way (who posts the code, whether our `?state=` survives, how
//! `/v1/auth/token` takes the code, the pre-auth code's lifetime) is switched at run time:
//! [`behaviour`].

pub mod auth_header;
pub mod behaviour;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::token_api::now_ms;
use behaviour::{BehaviourSwitch, CodeDelivery, CodeIn};

/// The demo XAG operator (an XAG account holding a plant-protection operator licence).
pub const DEMO_OPERATOR: &str = "xag-operator";
pub const DEMO_OPERATOR_PASSWORD: &str = "xag12345";
pub const DEMO_UNION_ID: &str = "xag-union-7f3a9c21";

/// What the simulated XAG knows about our third-party platform.
#[derive(Clone, Debug)]
pub struct XagConfig {
    pub component_appid: String,
    pub app_secret: String,
    pub component_access_token: String,
    /// Timestamps of the signature in milliseconds rather than seconds.
    pub millis: bool,
    /// Hosts a `redirect_uri` may point at (registered in XAG's developer centre).
    pub redirect_hosts: Vec<String>,
    /// Lifetime of a pre-auth code (reference example: 600 s).
    pub pre_auth_ttl_secs: i64,
    /// `expire_in` of an authorization code, and of an access token.
    pub code_ttl_secs: i64,
    pub token_ttl_secs: i64,
}

impl XagConfig {
    pub fn demo() -> Self {
        XagConfig {
            component_appid: "xag-demo-app".into(),
            app_secret: "xag-demo-secret".into(),
            component_access_token: "xag-demo-component-token".into(),
            millis: false,
            redirect_hosts: vec!["127.0.0.1".into(), "localhost".into()],
            pre_auth_ttl_secs: 600,
            code_ttl_secs: 3600,
            token_ttl_secs: 7200,
        }
    }
}

struct Grant {
    union_id: String,
    expires_at_secs: i64,
    used: bool,
}

#[derive(Default)]
struct Inner {
    nonces: HashMap<String, i64>,
    pre_auth: HashMap<String, Grant>,
    codes: HashMap<String, Grant>,
    tokens: HashMap<String, String>,
    operators: HashMap<String, (String, String)>,
    /// Added to the clock, so tests can age codes.
    clock_skew_secs: i64,
    /// What the platform answered the last callback XAG's server posted: status and
    /// `Location`.
    last_server_post: Option<(u16, String)>,
}

#[derive(Clone)]
pub struct XagSim {
    config: Arc<XagConfig>,
    inner: Arc<Mutex<Inner>>,
    behaviour: BehaviourSwitch,
    http: reqwest::Client,
}

fn random_code(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn xag_error(status: StatusCode, code: u32, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

impl XagSim {
    pub fn new(config: XagConfig) -> Self {
        let inner = Inner {
            operators: HashMap::from([(
                DEMO_OPERATOR.to_owned(),
                (DEMO_OPERATOR_PASSWORD.to_owned(), DEMO_UNION_ID.to_owned()),
            )]),
            ..Inner::default()
        };
        XagSim {
            config: Arc::new(config),
            inner: Arc::new(Mutex::new(inner)),
            behaviour: BehaviourSwitch::default(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    /// The switch for the alternatives the reference leaves open.
    pub fn behaviour(&self) -> &BehaviourSwitch {
        &self.behaviour
    }

    /// The pre-auth code's lifetime now (the switch, else the configuration).
    fn pre_auth_ttl_secs(&self) -> i64 {
        self.behaviour
            .get()
            .pre_auth_ttl_secs
            .unwrap_or(self.config.pre_auth_ttl_secs)
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now_secs(&self) -> i64 {
        now_ms().div_euclid(1000) + self.inner().clock_skew_secs
    }

    /// Moves the simulator's clock forward (tests of expiry).
    pub fn advance_clock(&self, secs: i64) {
        self.inner().clock_skew_secs += secs;
    }

    /// What the platform answered the last callback posted by XAG's server
    /// ([`behaviour::CodeDelivery::Server`]): HTTP status and `Location` (empty if none).
    pub fn last_server_post(&self) -> Option<(u16, String)> {
        self.inner().last_server_post.clone()
    }

    /// Whether XAG would accept `access_token` (the platform's API calls after linking).
    pub fn token_owner(&self, access_token: &str) -> Option<String> {
        self.inner().tokens.get(access_token).cloned()
    }

    pub fn config(&self) -> &XagConfig {
        &self.config
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/v1/auth/create_preauthcode", post(create_preauthcode))
            .route(
                "/v1/auth/user_auth",
                get(user_auth_page).post(user_auth_submit),
            )
            .route("/v1/auth/token", post(token))
            .fallback(|| async { xag_error(StatusCode::NOT_FOUND, 40400, "not found") })
            .with_state(self)
    }

    fn check_header(&self, headers: &HeaderMap) -> Result<(), Box<Response>> {
        let now = self.now_secs();
        let value = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let c = &self.config;
        let mut inner = self.inner();
        auth_header::verify(
            value,
            &c.component_appid,
            &c.app_secret,
            c.millis,
            now,
            &mut inner.nonces,
        )
        .map_err(|e| {
            let code = match e {
                auth_header::HeaderError::Expired => 40102,
                auth_header::HeaderError::NonceReused => 40103,
                _ => 40101,
            };
            Box::new(xag_error(StatusCode::UNAUTHORIZED, code, e.message()))
        })
    }
}

#[derive(Deserialize)]
struct ComponentToken {
    component_access_token: Option<String>,
}

#[derive(Deserialize)]
struct PreAuthBody {
    component_appid: Option<String>,
}

async fn create_preauthcode(
    State(sim): State<XagSim>,
    headers: HeaderMap,
    Query(q): Query<ComponentToken>,
    body: Option<Json<PreAuthBody>>,
) -> Response {
    if let Err(r) = sim.check_header(&headers) {
        return *r;
    }
    if q.component_access_token.as_deref() != Some(sim.config.component_access_token.as_str()) {
        return xag_error(
            StatusCode::UNAUTHORIZED,
            40104,
            "invalid component_access_token",
        );
    }
    let appid = body.and_then(|Json(b)| b.component_appid);
    if appid.as_deref() != Some(sim.config.component_appid.as_str()) {
        return xag_error(
            StatusCode::BAD_REQUEST,
            40001,
            "component_appid missing or unknown",
        );
    }
    let code = format!("H4sI{}", random_code(18));
    let ttl = sim.pre_auth_ttl_secs();
    let expires = sim.now_secs() + ttl;
    sim.inner().pre_auth.insert(
        code.clone(),
        Grant {
            union_id: String::new(),
            expires_at_secs: expires,
            used: false,
        },
    );
    Json(json!({"pre_auth_code": code, "expires_in": ttl})).into_response()
}

#[derive(Deserialize)]
struct UserAuthQuery {
    component_access_token: Option<String>,
    pre_auth_code: Option<String>,
    redirect_uri: Option<String>,
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>body{{font:17px system-ui;background:#f4f6f8;color:#222;margin:0;padding:24px}}main{{max-width:480px;margin:auto;background:#fff;padding:24px;border-radius:10px}}
input,button{{display:block;width:100%;min-height:48px;margin:8px 0;font-size:17px;box-sizing:border-box}}button.deny{{background:#fff;border:1px solid #999}}.err{{color:#c00}}</style></head>
<body><main><h1>极飞云 · XAG Cloud</h1>{body}</main></body></html>"#
    ))
}

/// The `redirect_uri` problem, if any: registered host, http(s).
fn redirect_problem(sim: &XagSim, redirect_uri: &str) -> Option<&'static str> {
    let Ok(url) = url::Url::parse(redirect_uri) else {
        return Some("redirect_uri is not a URL");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Some("redirect_uri must be http(s)");
    }
    let host = url.host_str().unwrap_or("");
    if !sim.config.redirect_hosts.iter().any(|h| h == host) {
        return Some("redirect_uri host is not registered for this third-party platform");
    }
    None
}

/// Validates the page parameters; the pre-auth code must be live and unused.
fn check_page_params(
    sim: &XagSim,
    q: &UserAuthQuery,
) -> Result<(String, String), (u32, &'static str)> {
    if q.component_access_token.as_deref() != Some(sim.config.component_access_token.as_str()) {
        return Err((40104, "invalid component_access_token"));
    }
    let redirect = q
        .redirect_uri
        .clone()
        .ok_or((40001, "redirect_uri required"))?;
    if let Some(problem) = redirect_problem(sim, &redirect) {
        return Err((40004, problem));
    }
    let code = q
        .pre_auth_code
        .clone()
        .ok_or((40001, "pre_auth_code required"))?;
    let now = sim.now_secs();
    match sim.inner().pre_auth.get(&code) {
        Some(g) if !g.used && g.expires_at_secs > now => Ok((code, redirect)),
        Some(g) if g.used => Err((40002, "pre_auth_code already used")),
        Some(_) => Err((40002, "pre_auth_code expired")),
        None => Err((40002, "pre_auth_code unknown")),
    }
}

fn login_form(q: &UserAuthQuery, error: Option<&str>) -> Html<String> {
    let hidden = |name: &str, value: &Option<String>| {
        format!(
            r#"<input type="hidden" name="{name}" value="{}">"#,
            html_escape(value.as_deref().unwrap_or(""))
        )
    };
    let error = error
        .map(|e| {
            format!(
                r#"<p class="err" data-testid="xag-error">{}</p>"#,
                html_escape(e)
            )
        })
        .unwrap_or_default();
    page(
        "极飞云授权",
        &format!(
            r#"<p>第三方平台请求获得您的极飞植保无人机操作员授权。<br>A third-party platform asks for your XAG operator authorization.</p>{error}
<form method="post" action="/v1/auth/user_auth">{}{}{}
<input name="username" data-testid="xag-username" placeholder="账号 / Account" autocomplete="username">
<input name="password" data-testid="xag-password" type="password" placeholder="密码 / Password" autocomplete="current-password">
<button name="action" value="approve" data-testid="xag-approve">同意授权 / Authorize</button>
<button name="action" value="deny" class="deny" data-testid="xag-deny">取消 / Cancel</button></form>"#,
            hidden("component_access_token", &q.component_access_token),
            hidden("pre_auth_code", &q.pre_auth_code),
            hidden("redirect_uri", &q.redirect_uri),
        ),
    )
}

async fn user_auth_page(State(sim): State<XagSim>, Query(q): Query<UserAuthQuery>) -> Response {
    match check_page_params(&sim, &q) {
        Ok(_) => login_form(&q, None).into_response(),
        Err((code, message)) => (
            StatusCode::BAD_REQUEST,
            page(
                "授权失败",
                &format!(
                    r#"<p class="err" data-testid="xag-error">{} ({code})</p>"#,
                    html_escape(message)
                ),
            ),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct UserAuthForm {
    component_access_token: Option<String>,
    pre_auth_code: Option<String>,
    redirect_uri: Option<String>,
    username: Option<String>,
    password: Option<String>,
    action: Option<String>,
}

/// A page that posts `fields` to `redirect_uri` from the browser, as XAG does.
fn post_back(redirect_uri: &str, fields: &[(&str, String)]) -> Html<String> {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{k}" value="{}">"#,
                html_escape(v)
            )
        })
        .collect();
    page(
        "正在返回",
        &format!(
            r#"<p>正在返回第三方平台… Returning to the platform…</p><form id="back" method="post" action="{}">{inputs}<noscript><button>Continue</button></noscript></form>
<script>document.getElementById("back").submit();</script>"#,
            html_escape(redirect_uri)
        ),
    )
}

async fn user_auth_submit(State(sim): State<XagSim>, Form(f): Form<UserAuthForm>) -> Response {
    let q = UserAuthQuery {
        component_access_token: f.component_access_token.clone(),
        pre_auth_code: f.pre_auth_code.clone(),
        redirect_uri: f.redirect_uri.clone(),
    };
    let (pre_auth, redirect) = match check_page_params(&sim, &q) {
        Ok(v) => v,
        Err((code, message)) => {
            return (
                StatusCode::BAD_REQUEST,
                page(
                    "授权失败",
                    &format!(
                        r#"<p class="err" data-testid="xag-error">{} ({code})</p>"#,
                        html_escape(message)
                    ),
                ),
            )
                .into_response()
        }
    };
    if f.action.as_deref() == Some("deny") {
        if let Some(g) = sim.inner().pre_auth.get_mut(&pre_auth) {
            g.used = true;
        }
        return deliver(&sim, &redirect, &[("error", "access_denied".into())]).await;
    }
    let user = f.username.unwrap_or_default();
    let union_id = {
        let inner = sim.inner();
        match inner.operators.get(user.trim()) {
            Some((password, union_id)) if Some(password.as_str()) == f.password.as_deref() => {
                union_id.clone()
            }
            _ => {
                drop(inner);
                return login_form(&q, Some("账号或密码错误 / Wrong account or password"))
                    .into_response();
            }
        }
    };
    let now = sim.now_secs();
    let code = random_code(16);
    {
        let mut inner = sim.inner();
        if let Some(g) = inner.pre_auth.get_mut(&pre_auth) {
            g.used = true;
        }
        inner.codes.insert(
            code.clone(),
            Grant {
                union_id,
                expires_at_secs: now + sim.config.code_ttl_secs,
                used: false,
            },
        );
    }
    deliver(
        &sim,
        &redirect,
        &[
            ("authorization_code", code),
            ("expire_in", sim.config.code_ttl_secs.to_string()),
        ],
    )
    .await
}

/// Hands `fields` to the platform at `redirect_uri` as the switch says: from the browser (a
/// self-submitting form) or from XAG's server (a JSON POST, the browser shown a closing page);
/// without our query string when XAG drops it.
async fn deliver(sim: &XagSim, redirect_uri: &str, fields: &[(&str, String)]) -> Response {
    let behaviour = sim.behaviour.get();
    let target = match url::Url::parse(redirect_uri) {
        Ok(mut url) if !behaviour.keeps_state => {
            url.set_query(None);
            url.to_string()
        }
        _ => redirect_uri.to_owned(),
    };
    match behaviour.delivery {
        CodeDelivery::Browser => post_back(&target, fields).into_response(),
        CodeDelivery::Server => {
            let body: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(k, v)| {
                    let value = v
                        .parse::<i64>()
                        .map(serde_json::Value::from)
                        .unwrap_or_else(|_| serde_json::Value::from(v.clone()));
                    ((*k).to_owned(), value)
                })
                .collect();
            let posted = sim.http.post(&target).json(&body).send().await;
            let answer = match posted {
                Ok(r) => {
                    let location = r
                        .headers()
                        .get(header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    (r.status().as_u16(), location)
                }
                Err(e) => {
                    tracing::warn!("XAG simulator: callback not delivered: {}", e.without_url());
                    (0, String::new())
                }
            };
            sim.inner().last_server_post = Some(answer);
            page(
                "授权完成",
                r#"<p data-testid="xag-done">授权已提交，请返回第三方平台。<br>Done: go back to the platform.</p>"#,
            )
            .into_response()
        }
    }
}

#[derive(Deserialize, Default)]
struct TokenBody {
    authorization_code: Option<String>,
}

/// `authorization_code` from where the switch says XAG reads it, and nowhere else.
fn token_code(
    code_in: CodeIn,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Option<String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let form_field = |bytes: &[u8]| {
        url::form_urlencoded::parse(bytes)
            .find(|(k, _)| k == "authorization_code")
            .map(|(_, v)| v.into_owned())
    };
    let code = match code_in {
        CodeIn::Json if content_type.starts_with("application/json") => {
            serde_json::from_slice::<TokenBody>(body)
                .unwrap_or_default()
                .authorization_code
        }
        CodeIn::Form if content_type.starts_with("application/x-www-form-urlencoded") => {
            form_field(body)
        }
        CodeIn::Query => form_field(query.unwrap_or("").as_bytes()),
        _ => None,
    };
    code.filter(|c| !c.is_empty())
}

async fn token(
    State(sim): State<XagSim>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = sim.check_header(&headers) {
        return *r;
    }
    let code_in = sim.behaviour.get().token_code_in;
    let Some(code) = token_code(code_in, &headers, uri.query(), &body) else {
        return xag_error(
            StatusCode::BAD_REQUEST,
            40001,
            "authorization_code required",
        );
    };
    let now = sim.now_secs();
    let mut inner = sim.inner();
    let union_id = match inner.codes.get_mut(&code) {
        Some(g) if !g.used && g.expires_at_secs > now => {
            g.used = true;
            g.union_id.clone()
        }
        Some(g) if g.used => {
            return xag_error(
                StatusCode::BAD_REQUEST,
                40003,
                "authorization_code already used",
            )
        }
        Some(_) => return xag_error(StatusCode::BAD_REQUEST, 40003, "authorization_code expired"),
        None => return xag_error(StatusCode::BAD_REQUEST, 40003, "authorization_code unknown"),
    };
    let access_token = random_code(24);
    inner.tokens.insert(access_token.clone(), union_id.clone());
    let expire_in = sim
        .behaviour()
        .get()
        .token_expire_in
        .value(sim.config.token_ttl_secs);
    Json(json!({"union_id": union_id, "access_token": access_token, "expire_in": expire_in}))
        .into_response()
}
