//! Serves the built page: `index.html` (with the page config inlined, saving a round trip)
//! for `/` and every unknown path, precompressed assets when the browser takes them, and
//! cache headers that keep Pilot 2's WebView from showing a stale page.
//!
//! `index.html` is rendered once per version of the file (its modification time), with the
//! page's Content Security Policy computed from the same files ([`crate::security`]); only the
//! proxy's time in the config (`server_time_ms`, for the page's clock offset) changes. A
//! browser that takes brotli or gzip gets a copy compressed at most once a second (its time at
//! most [`COMPRESSED_FOR_MS`] old: the offset matters at the scale of token lifetimes), so
//! the first screen carries 3 KB of page instead of 8.5 KB without a compression per request;
//! any other client gets the time of its request.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tower_http::services::ServeDir;

/// The empty config element of `index.html` that the proxy fills.
const CONFIG_SLOT: &str = r#"<script id="pilot-portal-config" type="application/json"></script>"#;
/// The proxy's time in the rendered config, before a request fills it (a key can only be
/// this text outside a JSON string: quotes inside one are escaped).
const TIME_SLOT: &str = r#""server_time_ms":null"#;
/// How long one compressed rendering of `index.html` is served.
pub const COMPRESSED_FOR_MS: i64 = 1_000;

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
    let headers = req.headers().clone();
    index_html(State(state), headers).await
}

/// One rendering of `index.html` and the policy of its version.
struct Rendered {
    modified: Option<SystemTime>,
    html: Bytes,
    csp: Option<HeaderValue>,
    /// Where in `html` the `null` of [`TIME_SLOT`] is, replaced by the time of each request.
    time_at: Option<usize>,
    /// The last compressed copy, and whether a request is making the next one.
    compressed: Mutex<Option<Arc<Compressed>>>,
    compressing: AtomicBool,
}

/// `index.html` with the proxy's time of `at_ms`, in brotli and gzip.
struct Compressed {
    at_ms: i64,
    br: Bytes,
    gzip: Bytes,
}

impl Compressed {
    fn of(html: &[u8], at_ms: i64) -> std::io::Result<Compressed> {
        let mut br = Vec::with_capacity(html.len() / 2);
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            w.write_all(html)?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(html)?;
        Ok(Compressed {
            at_ms,
            br: Bytes::from(br),
            gzip: Bytes::from(gz.finish()?),
        })
    }

    fn fresh(&self, now: i64) -> bool {
        (self.at_ms..self.at_ms + COMPRESSED_FOR_MS).contains(&now)
    }
}

/// Clears `compressing` however the compression ends (even a dropped request).
struct Compressing<'a>(&'a AtomicBool);

impl Drop for Compressing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Rendered {
    fn new(modified: Option<SystemTime>, html: Bytes, csp: Option<HeaderValue>) -> Rendered {
        let time_at = std::str::from_utf8(&html)
            .ok()
            .and_then(|h| h.find(TIME_SLOT))
            .map(|at| at + TIME_SLOT.len() - "null".len());
        Rendered {
            modified,
            html,
            csp,
            time_at,
            compressed: Mutex::new(None),
            compressing: AtomicBool::new(false),
        }
    }

    /// The page for a request now: the proxy's time in its config.
    fn now(&self) -> Bytes {
        self.at(crate::clock::now_ms())
    }

    /// The page with the proxy's time `now`.
    fn at(&self, now: i64) -> Bytes {
        let Some(at) = self.time_at else {
            return self.html.clone();
        };
        let (head, tail) = self.html.split_at(at);
        let now = now.to_string();
        let mut out = Vec::with_capacity(self.html.len() + now.len());
        out.extend_from_slice(head);
        out.extend_from_slice(now.as_bytes());
        out.extend_from_slice(tail.get("null".len()..).unwrap_or_default());
        Bytes::from(out)
    }

    /// A compressed copy at most [`COMPRESSED_FOR_MS`] old, made by this request when the last
    /// one is older (brotli 11 of 8.5 KB takes about 15 ms: off the async workers). While one
    /// request makes it the others take the previous copy, or none (then the plain page).
    async fn compressed(self: &Arc<Self>) -> Option<Arc<Compressed>> {
        let now = crate::clock::now_ms();
        let last = self.lock_compressed().clone();
        if last.as_ref().is_some_and(|c| c.fresh(now)) {
            return last;
        }
        if self.compressing.swap(true, Ordering::AcqRel) {
            return last;
        }
        let _compressing = Compressing(&self.compressing);
        let html = self.at(now);
        let made = tokio::task::spawn_blocking(move || Compressed::of(&html, now)).await;
        match made {
            Ok(Ok(c)) => {
                let c = Arc::new(c);
                *self.lock_compressed() = Some(c.clone());
                Some(c)
            }
            Ok(Err(e)) => {
                tracing::warn!("compressing index.html: {e}");
                last
            }
            Err(e) => {
                tracing::warn!("compressing index.html: {e}");
                last
            }
        }
    }

    fn lock_compressed(&self) -> std::sync::MutexGuard<'_, Option<Arc<Compressed>>> {
        self.compressed.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answer to a request with these headers: compressed when the client takes it.
    async fn respond(self: &Arc<Self>, headers: &HeaderMap) -> Response {
        let br = crate::assets::accepts(headers, "br");
        let gzip = crate::assets::accepts(headers, "gzip");
        let compressed = if br || gzip {
            self.compressed().await
        } else {
            None
        };
        let mut response = match compressed {
            Some(c) if br => with_encoding(c.br.clone(), "br"),
            Some(c) => with_encoding(c.gzip.clone(), "gzip"),
            None => Html(self.now()).into_response(),
        };
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

fn with_encoding(body: Bytes, encoding: &'static str) -> Response {
    let mut response = Html(body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    response
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
            *self.lock() = Some(Arc::new(Rendered::new(
                None,
                Bytes::new(),
                HeaderValue::from_str(&csp).ok(),
            )));
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
        let rendered = Arc::new(Rendered::new(
            modified,
            Bytes::from(html),
            HeaderValue::from_str(&csp).ok(),
        ));
        *self.lock() = Some(rendered.clone());
        rendered
    }
}

/// `index.html` with the page config inlined.
async fn index_html(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let path = state.config.dist.join("index.html");
    // a plain stat (microseconds), not a blocking-pool hop per request
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    let cached = state.page.lock().clone();
    if let Some(r) = cached.filter(|r| r.modified.is_some() && r.modified == modified) {
        return r.respond(&headers).await;
    }
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => {
            state
                .page
                .store(&state.config, modified, &html)
                .respond(&headers)
                .await
        }
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
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;
    set_cache_headers(&path, &mut response);
    response
}

/// `Cache-Control` (and `Vary`) of the answer for `path`.
fn set_cache_headers(path: &str, response: &mut Response) {
    let hashed = is_hashed_asset(path);
    let precompressed = is_precompressed(path);
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
}

/// Answers a GET or HEAD of a file held in memory, and a GET of `index.html`, before the
/// request layers run: there is no body to guard, no upstream, no error to turn into JSON and
/// nothing worth a trace span, and those layers cost the proxy half of its static-file
/// throughput (README, "Figures"). The server asks this before the router
/// ([`crate::server`]), and the router's outermost layer asks it too ([`held_files_first`]),
/// so the app behaves alike with or without the server. The answer gets the same cache and
/// security headers, and is counted like any request.
pub fn answer_first<B>(
    state: &AppState,
    req: &axum::http::Request<B>,
) -> Option<impl std::future::Future<Output = Response> + Send + 'static> {
    let started = std::time::Instant::now();
    // a request with a body goes through the body guard (a 413 on any route)
    let bodiless = !req.headers().contains_key(header::TRANSFER_ENCODING)
        && req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() == b"0");
    if !bodiless {
        return None;
    }
    let path = req.uri().path();
    let method = req.method().clone();
    let page = method == axum::http::Method::GET && (path == "/" || path == "/index.html");
    let held = if page {
        None
    } else {
        let mut held = state.page.assets.get()?.serve(req)?;
        set_cache_headers(path, &mut held);
        Some(held)
    };
    let headers = page.then(|| req.headers().clone());
    let state = state.clone();
    Some(async move {
        let mut response = match (held, headers) {
            (Some(held), _) => held,
            (None, headers) => {
                let mut page = index_html(State(state.clone()), headers.unwrap_or_default()).await;
                set_cache_headers("/index.html", &mut page);
                page
            }
        };
        crate::security::set_headers(&state, &mut response);
        crate::health::record_static(&method, response.status(), started.elapsed());
        response
    })
}

/// [`answer_first`] as the router's outermost layer.
pub async fn held_files_first(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match answer_first(&state, &req) {
        Some(answer) => answer.await,
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> Arc<Rendered> {
        let config = crate::config::Config::from_env_pairs([]).expect("config");
        let html = inline_config(&format!("<head>{CONFIG_SLOT}</head>"), &config);
        assert!(html.contains(TIME_SLOT), "{html}");
        Arc::new(Rendered::new(None, Bytes::from(html), None))
    }

    /// The proxy's time in a served page.
    fn time_in(page: &[u8]) -> i64 {
        let page = String::from_utf8(page.to_vec()).expect("utf-8");
        let json = page
            .split_once("application/json\">")
            .map(|(_, rest)| rest.split("</script>").next().unwrap_or(""))
            .unwrap_or("");
        let parsed: pilot_portal_shared::PageConfig =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {page}"));
        parsed.server_time_ms.expect("a time")
    }

    #[test]
    fn each_request_gets_the_proxys_time_in_the_page_config() {
        let before = crate::clock::now_ms();
        let time = time_in(&rendered().now());
        assert!(time >= before && time - before < 60_000, "{time}");
    }

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).expect("header"),
        );
        h
    }

    async fn body(r: Response) -> Vec<u8> {
        use http_body_util::BodyExt;
        r.into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec()
    }

    #[tokio::test]
    async fn browsers_get_the_page_compressed_with_a_recent_time() {
        let page = rendered();
        let before = crate::clock::now_ms();
        let r = page.respond(&headers("gzip, deflate, br")).await;
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(r.headers()[header::VARY], "accept-encoding");
        let mut html = Vec::new();
        brotli::BrotliDecompress(&mut &body(r).await[..], &mut html).expect("brotli");
        assert!(html.len() > 100, "the whole page");
        let t = time_in(&html);
        assert!(t >= before && t - before < COMPRESSED_FOR_MS, "{t}");

        let r = page.respond(&headers("gzip")).await;
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        let mut html = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&body(r).await[..]),
            &mut html,
        )
        .expect("gzip");
        assert_eq!(time_in(html.as_bytes()), t, "one compression for both");

        let r = page.respond(&headers("identity, br;q=0")).await;
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
        assert!(time_in(&body(r).await) >= t);
    }

    #[tokio::test]
    async fn a_compressed_page_is_remade_once_its_time_is_a_second_old() {
        let page = rendered();
        let first = page.compressed().await.expect("compressed");
        let again = page.compressed().await.expect("compressed");
        assert!(Arc::ptr_eq(&first, &again), "reused within the second");
        // a copy made 2 s ago is stale
        *page.lock_compressed() = Some(Arc::new(
            Compressed::of(&page.html, first.at_ms - 2 * COMPRESSED_FOR_MS).expect("made"),
        ));
        let next = page.compressed().await.expect("compressed");
        assert!(
            next.at_ms >= first.at_ms,
            "{} < {}",
            next.at_ms,
            first.at_ms
        );
        assert!(!page.compressing.load(Ordering::Acquire), "flag cleared");
    }

    #[tokio::test]
    async fn while_one_request_compresses_the_others_take_the_last_copy() {
        let page = rendered();
        let stale = Arc::new(Compressed::of(&page.html, 0).expect("made"));
        *page.lock_compressed() = Some(stale.clone());
        page.compressing.store(true, Ordering::Release);
        let got = page.compressed().await.expect("the last copy");
        assert!(Arc::ptr_eq(&got, &stale));
        *page.lock_compressed() = None;
        assert!(
            page.compressed().await.is_none(),
            "none yet: the plain page"
        );
        let r = page.respond(&headers("br")).await;
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
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
