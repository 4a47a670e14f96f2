//! Serves the built page: `index.html` (with the page config inlined, saving a round trip)
//! for `/` and every unknown path, precompressed assets when the browser takes them, and
//! cache headers that keep Pilot 2's WebView from showing a stale page.
//!
//! `index.html` is rendered once per version of the file (its modification time), with the
//! page's Content Security Policy computed from the same files ([`crate::security`]); only the
//! proxy's time in the config (`server_time_ms`, for the page's clock offset) is written per
//! request.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tower_http::services::ServeDir;

/// The empty config element of `index.html` that the proxy fills.
const CONFIG_SLOT: &str = r#"<script id="pilot-portal-config" type="application/json"></script>"#;
/// The proxy's time in the rendered config, before a request fills it (a key can only be
/// this text outside a JSON string: quotes inside one are escaped).
const TIME_SLOT: &str = r#""server_time_ms":null"#;

pub fn page_service(state: AppState) -> Router {
    let index = {
        let state = state.clone();
        move |req: Request| spa_fallback(state.clone(), req)
    };
    let dir = ServeDir::new(&state.config.dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(index.into_service());
    // the files held in memory first ([`crate::assets`]), the disk for anything else
    let page = state.page.clone();
    let files = move |req: Request| {
        let (page, dir) = (page.clone(), dir.clone());
        async move {
            let held = page.assets.get().and_then(|a| a.serve(&req));
            match held {
                Some(response) => response,
                None => match tower::ServiceExt::oneshot(dir, req).await {
                    Ok(response) => response.map(axum::body::Body::new),
                    Err(never) => match never {},
                },
            }
        }
    };
    Router::new()
        .route("/", get(index_html))
        .route("/index.html", get(index_html))
        .with_state(state)
        .fallback(files)
        .layer(middleware::from_fn(cache_headers))
}

/// Page paths get `index.html`; a missing *file* (a name with an extension) is a 404 (the
/// JSON error), not a page that the browser would try to run as a script or stylesheet.
async fn spa_fallback(state: AppState, req: Request) -> Response {
    let last = req.uri().path().rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return crate::error::ApiError::NotFound.into_response();
    }
    index_html(State(state)).await
}

/// One rendering of `index.html` and the policy of its version.
struct Rendered {
    modified: Option<SystemTime>,
    html: Bytes,
    csp: Option<HeaderValue>,
    /// Where in `html` the `null` of [`TIME_SLOT`] is, replaced by the time of each request.
    time_at: Option<usize>,
}

impl Rendered {
    /// The page for a request now: the proxy's time in its config.
    fn now(&self) -> Bytes {
        let Some(at) = self.time_at else {
            return self.html.clone();
        };
        let (head, tail) = self.html.split_at(at);
        let now = crate::clock::now_ms().to_string();
        let mut out = Vec::with_capacity(self.html.len() + now.len());
        out.extend_from_slice(head);
        out.extend_from_slice(now.as_bytes());
        out.extend_from_slice(tail.get("null".len()..).unwrap_or_default());
        Bytes::from(out)
    }
}

/// `index.html` as served (config inlined) and the page's CSP, redone when the file changes.
#[derive(Default)]
pub struct PageCache {
    current: Mutex<Option<Arc<Rendered>>>,
    /// The page's other files, read at start.
    pub assets: std::sync::OnceLock<crate::assets::Assets>,
}

impl PageCache {
    /// The CSP of the page last rendered (computed from the files at start).
    pub fn csp(&self) -> Option<HeaderValue> {
        self.lock().as_ref().and_then(|r| r.csp.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<Rendered>>> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Renders `index.html` now (at start, so the CSP is known before the first request).
    pub fn warm(&self, config: &crate::config::Config) {
        let _ = self.assets.set(crate::assets::Assets::load(&config.dist));
        let path = config.dist.join("index.html");
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if let Ok(html) = std::fs::read_to_string(&path) {
            self.store(config, modified, &html);
        } else {
            // no page yet: still a policy for the documents that are there
            let csp = crate::security::policy(&crate::security::documents(&config.dist), config);
            *self.lock() = Some(Arc::new(Rendered {
                modified: None,
                html: Bytes::new(),
                csp: HeaderValue::from_str(&csp).ok(),
                time_at: None,
            }));
        }
    }

    fn store(
        &self,
        config: &crate::config::Config,
        modified: Option<SystemTime>,
        html: &str,
    ) -> Arc<Rendered> {
        let csp = crate::security::policy(&crate::security::documents(&config.dist), config);
        let html = inline_config(html, config);
        let time_at = html
            .find(TIME_SLOT)
            .map(|at| at + TIME_SLOT.len() - "null".len());
        let rendered = Arc::new(Rendered {
            modified,
            html: Bytes::from(html),
            csp: HeaderValue::from_str(&csp).ok(),
            time_at,
        });
        *self.lock() = Some(rendered.clone());
        rendered
    }
}

/// `index.html` with the page config inlined.
async fn index_html(State(state): State<AppState>) -> Response {
    let path = state.config.dist.join("index.html");
    // a plain stat (microseconds), not a blocking-pool hop per request
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    let cached = state.page.lock().clone();
    if let Some(r) = cached.filter(|r| r.modified.is_some() && r.modified == modified) {
        return Html(r.now()).into_response();
    }
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => Html(state.page.store(&state.config, modified, &html).now()).into_response(),
        Err(e) => {
            tracing::error!(path = %path.display(), "page not built: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html("<!doctype html><title>Pilot Portal</title><p>The page is not built yet. Run <code>cargo xtask serve</code>.</p>"),
            )
                .into_response()
        }
    }
}

fn inline_config(html: &str, config: &crate::config::Config) -> String {
    let mut page = config.page_config();
    // per request ([`Rendered::now`])
    page.server_time_ms = None;
    let json = serde_json::to_string(&page)
        .unwrap_or_default()
        // never let a value close the script element
        .replace("</", "<\\/");
    html.replacen(
        CONFIG_SLOT,
        &format!(r#"<script id="pilot-portal-config" type="application/json">{json}</script>"#),
        1,
    )
}

/// Trunk names assets `name-<hex hash>.ext` / `name-<hex hash>_bg.wasm`: safe to cache forever.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (10..=16).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// Files served with a precompressed copy when the client takes one (`cargo xtask build`
/// writes `.br` and `.gz` beside them): caches must key them by `Accept-Encoding`.
pub fn is_precompressed(path: &str) -> bool {
    [".js", ".wasm", ".css"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let precompressed = is_precompressed(req.uri().path());
    let mut response = next.run(req).await;
    if precompressed && response.status().is_success() {
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let value = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        // index.html, the SPA fallback and unhashed files: always revalidate.
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_gets_the_proxys_time_in_the_page_config() {
        let config = crate::config::Config::from_env_pairs([]).expect("config");
        let html = inline_config(&format!("<head>{CONFIG_SLOT}</head>"), &config);
        let at = html.find(TIME_SLOT).map(|at| at + TIME_SLOT.len() - 4);
        assert!(at.is_some(), "{html}");
        let rendered = Rendered {
            modified: None,
            html: Bytes::from(html),
            csp: None,
            time_at: at,
        };
        let before = crate::clock::now_ms();
        let page = String::from_utf8(rendered.now().to_vec()).expect("utf-8");
        let json = page
            .split_once("application/json\">")
            .map(|(_, rest)| rest.split("</script>").next().unwrap_or(""))
            .unwrap_or("");
        let parsed: pilot_portal_shared::PageConfig =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {page}"));
        let time = parsed.server_time_ms.expect("a time");
        assert!(time >= before && time - before < 60_000, "{time}");
    }

    #[test]
    fn trunk_hashes_are_recognised() {
        assert!(is_hashed_asset("/pilot-portal-3f2a9c0d1e2b4a5f_bg.wasm"));
        assert!(is_hashed_asset("/pilot-portal-2f1569526e3a4037.js"));
        assert!(
            is_hashed_asset("/main-84f85343ae50d31.css"),
            "15 digits: leading zero dropped"
        );
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/pilot2-emulator.js"));
        assert!(!is_hashed_asset("/login"));
        assert!(!is_hashed_asset("/x-123.js"));
    }
}
