//! Serves the built page: `index.html` (with the page config inlined, saving a round trip)
//! for `/` and every unknown path, precompressed assets when the browser takes them, and
//! cache headers that keep Pilot 2's WebView from showing a stale page.
//!
//! `index.html` is rendered once per version of the file (its modification time): the config
//! inlined, the page's Content Security Policy computed from the same files
//! ([`crate::security`]), brotli 11 and gzip copies (the first screen carries 2.6 KB of page
//! instead of 6.8 KB) and a strong `ETag` (a WebView revalidating its copy gets a 304). The
//! proxy's time, for the page's clock offset, goes in a header of each answer,
//! `Server-Timing: now;dur=<ms since the epoch>` (the loader reads it from the navigation's
//! timing entry), so the body never changes per request and nothing is compressed per request.
//!
//! Page paths get, by the loader's cookie, the same page naming the bundle the loader started
//! last in its head (`index-first.html`, `index-full.html`: its download starts before any
//! script runs), else `index.html`, which names none.

use crate::AppState;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tower_http::services::ServeDir;

/// The opening tag of `index.html`'s config element, which the proxy fills.
const CONFIG_OPEN: &str = r#"<script id="pilot-portal-config" type="application/json">"#;
/// The element as built, empty.
#[cfg(test)]
const CONFIG_SLOT: &str = r#"<script id="pilot-portal-config" type="application/json"></script>"#;
/// The `Server-Timing` metric that carries the proxy's time (`src/loader.js` reads it).
pub const TIME_METRIC: &str = "now";

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
    let unnamed = state.clone();
    let files = move |req: Request| {
        let (page, dir, unnamed) = (page.clone(), dir.clone(), unnamed.clone());
        async move {
            if beyond_file_names(req.uri().path()) {
                return spa_fallback(unnamed, req).await;
            }
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
    let mut router = Router::new()
        .route("/", get(index_html))
        .route("/index.html", get(index_html));
    // never the raw files: the page as rendered, by the cookie like `/`
    for (_, page) in pilot_portal_shared::PRELOAD_PAGES {
        router = router.route(&format!("/{page}"), get(index_html));
    }
    router
        .with_state(state)
        .fallback(files)
        .layer(middleware::from_fn(cache_headers))
}

/// A path no file of the page has: a segment longer than a file name may be (255 bytes on
/// Linux), or a path near the system's limit on a whole path. The disk answers those with an
/// error of its own, not "not found", which `ServeDir` turns into a 500; the page's files
/// have short names, a folder or two deep.
fn beyond_file_names(path: &str) -> bool {
    const NAME_MAX: usize = 255;
    const DEEPEST: usize = 1024;
    path.len() > DEEPEST || path.split('/').any(|segment| segment.len() > NAME_MAX)
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

/// One rendering of `index.html`: the policy of its version and its three encodings, and the
/// same for each page that preloads a bundle ([`pilot_portal_shared::PRELOAD_PAGES`]) built.
struct Rendered {
    modified: Option<SystemTime>,
    csp: Option<HeaderValue>,
    page: crate::assets::Asset,
    /// By the cookie value that asks for it.
    preloading: Vec<(&'static str, crate::assets::Asset)>,
}

/// `html` and its brotli 11 and gzip copies (brotli 11 of 7 KB: about 15 ms, once per version).
fn compressed(html: Vec<u8>) -> crate::assets::Asset {
    let (br, gzip) = encodings(&html);
    crate::assets::Asset::new("text/html; charset=utf-8", html, Some(br), gzip)
}

/// Brotli (quality 11) and gzip (-9) of a rendered page, as `cargo xtask build` compresses.
fn encodings(html: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut br = Vec::with_capacity(html.len() / 2);
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
        // writing to a Vec cannot fail
        let _ = w.write_all(html);
    }
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = gzip.write_all(html);
    (br, gzip.finish().ok())
}

/// The index pages as the proxy serves them (this deployment's config inlined), written into
/// `out` with their `.br` and `.gz` copies, for nginx or a CDN that serves the page (README,
/// Deploy): with the config in the page, the loader asks Pilot 2 before any wasm (the login
/// form at once, a token only Pilot 2 holds gets the signed-in bundle straight away). Run
/// again after each deploy and each change of the settings; `out` may be the built `dist/`.
/// Returns the files written: one that already holds these bytes is left alone, so its
/// ETag stays and WebViews keep revalidating with 304s.
pub fn write_pages(
    config: &crate::config::Config,
    out: &std::path::Path,
) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    for page in page_files() {
        let source = config.dist.join(page);
        // the pages that preload a bundle are optional, as when the proxy serves them
        if page != "index.html" && !source.is_file() {
            continue;
        }
        let built = std::fs::read_to_string(&source).map_err(at(&source))?;
        let html = fill_config(&built, config).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: no config element ({CONFIG_OPEN})", source.display()),
            )
        })?;
        let (br, gzip) = encodings(html.as_bytes());
        let path = out.join(page);
        let mut files = vec![
            (suffixed(&path, "br"), br),
            (path.clone(), html.into_bytes()),
        ];
        files.extend(gzip.map(|g| (suffixed(&path, "gz"), g)));
        for (path, bytes) in files {
            if std::fs::read(&path).is_ok_and(|held| held == bytes) {
                continue;
            }
            replace(&path, &bytes)?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Writes `path` whole or not at all (nginx may be serving it meanwhile): a new hidden file
/// beside it (never one that is there, nor a link), then renamed over it.
fn replace(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let part = path.with_file_name(format!(".{name}.part-{}", std::process::id()));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&part)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&part, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result.map_err(at(path))
}

/// An I/O error that names its file.
fn at(path: &std::path::Path) -> impl Fn(std::io::Error) -> std::io::Error + '_ {
    move |e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

fn suffixed(path: &std::path::Path, extension: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    name.into()
}

impl Rendered {
    fn new(
        modified: Option<SystemTime>,
        html: Vec<u8>,
        preloading: Vec<(&'static str, Vec<u8>)>,
        csp: Option<HeaderValue>,
    ) -> Rendered {
        Rendered {
            modified,
            csp,
            page: compressed(html),
            preloading: preloading
                .into_iter()
                .map(|(cookie, html)| (cookie, compressed(html)))
                .collect(),
        }
    }

    /// The answer to a request with these headers, as for any held file (the encoding the
    /// client takes, 304 when it holds this version), with the proxy's time now. The loader's
    /// cookie picks the page that preloads its bundle; caches key the answer by it too.
    fn respond(&self, headers: &HeaderMap) -> Response {
        let page = crate::extract::cookie(headers, pilot_portal_shared::BUNDLE_COOKIE)
            .and_then(|c| self.preloading.iter().find(|(value, _)| *value == c))
            .map_or(&self.page, |(_, page)| page);
        let mut response = page.answer(headers, false);
        let h = response.headers_mut();
        h.insert(
            header::VARY,
            HeaderValue::from_static("accept-encoding, cookie"),
        );
        if let Ok(now) =
            HeaderValue::from_str(&format!("{TIME_METRIC};dur={}", crate::clock::now_ms()))
        {
            h.insert(header::HeaderName::from_static("server-timing"), now);
        }
        response
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
            *self.lock() = Some(Arc::new(Rendered::new(
                None,
                Vec::new(),
                Vec::new(),
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
        // written by the same build, just after index.html; once per version of the page
        let preloading = pilot_portal_shared::PRELOAD_PAGES
            .iter()
            .filter_map(|(cookie, page)| {
                let html = std::fs::read_to_string(config.dist.join(page)).ok()?;
                Some((*cookie, inline_config(&html, config).into_bytes()))
            })
            .collect();
        let rendered = Arc::new(Rendered::new(
            modified,
            html.into_bytes(),
            preloading,
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
        return r.respond(&headers);
    }
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => state
            .page
            .store(&state.config, modified, &html)
            .respond(&headers),
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

/// The page with this deployment's config in its config element, whatever that held: a page
/// written by [`write_pages`] into `dist/` gets the settings of now, not of then.
fn inline_config(html: &str, config: &crate::config::Config) -> String {
    fill_config(html, config).unwrap_or_else(|| html.to_owned())
}

/// [`inline_config`], `None` when the page has no config element.
fn fill_config(html: &str, config: &crate::config::Config) -> Option<String> {
    let mut page = config.page_config();
    // per request, in a header ([`Rendered::respond`])
    page.server_time_ms = None;
    let json = serde_json::to_string(&page)
        .unwrap_or_default()
        // no value can close the element or put the parser in its "escaped" states
        // (`</script`, `<!--<script`): a `<` is only ever in a string, where \u003c is the same
        .replace('<', "\\u003c");
    let content = html.find(CONFIG_OPEN)? + CONFIG_OPEN.len();
    let end = content + html[content..].find("</script>")?;
    Some(format!("{}{json}{}", &html[..content], &html[end..]))
}

/// `index.html` and the pages that preload a bundle ([`pilot_portal_shared::PRELOAD_PAGES`]):
/// the files only ever served as rendered, never as they are on disk.
fn page_files() -> impl Iterator<Item = &'static str> {
    std::iter::once("index.html").chain(
        pilot_portal_shared::PRELOAD_PAGES
            .iter()
            .map(|(_, page)| *page),
    )
}

/// Whether `path` (`/…`) is one of [`page_files`].
pub(crate) fn is_page_file(path: &str) -> bool {
    page_files().any(|page| path.strip_prefix('/') == Some(page))
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
/// ([`crate::server`]), once per request; the router alone ([`crate::app`]) answers the same
/// files through [`page_service`] with the same cache and security headers. The answer is
/// counted like any request.
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
    let page = method == axum::http::Method::GET && (path == "/" || is_page_file(path));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A rendering and the page it holds.
    fn rendered() -> (Rendered, Vec<u8>) {
        let config = crate::config::Config::from_env_pairs([]).expect("config");
        let html = inline_config(&format!("<head>{CONFIG_SLOT}</head>"), &config).into_bytes();
        (Rendered::new(None, html.clone(), Vec::new(), None), html)
    }

    /// The page config in a served page.
    fn config_in(page: &[u8]) -> pilot_portal_shared::PageConfig {
        let page = String::from_utf8(page.to_vec()).expect("utf-8");
        let json = page
            .split_once("application/json\">")
            .map(|(_, rest)| rest.split("</script>").next().unwrap_or(""))
            .unwrap_or("");
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {page}"))
    }

    /// The proxy's time in an answer's `Server-Timing`.
    fn time_of(r: &Response) -> i64 {
        let v = r.headers()["server-timing"].to_str().expect("ascii");
        v.strip_prefix("now;dur=")
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("{v}"))
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(name, HeaderValue::from_str(value).expect("header"));
        }
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

    #[test]
    fn pages_written_for_nginx_carry_the_config_and_take_the_settings_of_now_when_rewritten() {
        use std::io::Read;
        let dir = tempfile::tempdir().expect("dir");
        let pages = ["index.html", "index-first.html", "index-full.html"];
        for page in pages {
            let html = format!("<head>{CONFIG_SLOT}<link href=\"{page}\"></head>");
            std::fs::write(dir.path().join(page), html).expect("page as built");
        }
        let settings = |name: &str| {
            crate::config::Config::from_env_pairs([
                ("PROXY_DIST", dir.path().display().to_string()),
                ("PLATFORM_NAME", name.to_owned()),
            ])
            .expect("config")
        };
        // in place, twice: the second with other settings (and a value that would close the
        // element, were it not escaped)
        for name in ["Acme", "Other <!--<script></script><script>alert(1)"] {
            let written = write_pages(&settings(name), dir.path()).expect("written");
            assert_eq!(written.len(), 9, "{written:?}");
            for page in pages {
                let raw = std::fs::read(dir.path().join(page)).expect("page");
                let html = String::from_utf8(raw.clone()).expect("utf-8");
                assert_eq!(config_in(&raw).platform_name, name, "{page}");
                assert_eq!(config_in(&raw).server_time_ms, None, "{page}: a header's");
                assert_eq!(html.matches("pilot-portal-config").count(), 1, "{html}");
                assert_eq!(html.matches("<script").count(), 1, "{html}");
                assert!(
                    html.ends_with(&format!("<link href=\"{page}\"></head>")),
                    "{html}"
                );
                let br = std::fs::read(dir.path().join(format!("{page}.br"))).expect("br");
                let mut plain = Vec::new();
                brotli::Decompressor::new(&br[..], 4096)
                    .read_to_end(&mut plain)
                    .expect("brotli");
                assert_eq!(plain, raw, "{page}.br");
                let gz = std::fs::read(dir.path().join(format!("{page}.gz"))).expect("gz");
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(&gz[..])
                    .read_to_end(&mut plain)
                    .expect("gzip");
                assert_eq!(plain, raw, "{page}.gz");
            }
        }
        // the same settings again: nothing rewritten (the files keep their ETags)
        let settings_now = settings("Other <!--<script></script><script>alert(1)");
        assert_eq!(
            write_pages(&settings_now, dir.path()).expect("again"),
            Vec::<std::path::PathBuf>::new()
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 9, "no temporary file left: {names:?}");
    }

    #[test]
    fn write_pages_skips_a_missing_preloading_page_and_refuses_a_page_without_config() {
        let dir = tempfile::tempdir().expect("dir");
        let config = crate::config::Config::from_env_pairs([(
            "PROXY_DIST",
            dir.path().display().to_string(),
        )])
        .expect("config");
        std::fs::write(
            dir.path().join("index.html"),
            format!("<head>{CONFIG_SLOT}</head>"),
        )
        .expect("page");
        std::fs::write(
            dir.path().join("index-first.html"),
            format!("<head>{CONFIG_SLOT}</head>"),
        )
        .expect("page");
        let out = tempfile::tempdir().expect("out");
        let written = write_pages(&config, out.path()).expect("written");
        assert_eq!(
            written.len(),
            6,
            "index.html and index-first.html: {written:?}"
        );
        std::fs::write(dir.path().join("index.html"), "<head></head>").expect("page");
        let e = write_pages(&config, out.path()).expect_err("no config element");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("index.html"), "{e}");
        std::fs::remove_file(dir.path().join("index.html")).expect("rm");
        let e = write_pages(&config, out.path()).expect_err("no index.html");
        assert!(e.to_string().contains("index.html"), "{e}");
    }

    #[tokio::test]
    async fn every_answer_carries_the_proxys_time_and_the_page_never_changes() {
        let (page, plain) = rendered();
        let before = crate::clock::now_ms();
        let r = page.respond(&HeaderMap::new());
        let t = time_of(&r);
        assert!(t >= before && t - before < 60_000, "{t}");
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
        let html = body(r).await;
        assert_eq!(config_in(&html).server_time_ms, None, "not in the body");
        assert_eq!(html, plain);
    }

    #[tokio::test]
    async fn browsers_get_the_page_compressed_once() {
        let (page, plain) = rendered();
        let r = page.respond(&headers(&[(header::ACCEPT_ENCODING, "gzip, deflate, br")]));
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(r.headers()[header::VARY], "accept-encoding, cookie");
        let etag = r.headers()[header::ETAG].to_str().expect("etag").to_owned();
        assert!(etag.ends_with("-br\""), "{etag}");
        let mut html = Vec::new();
        brotli::BrotliDecompress(&mut &body(r).await[..], &mut html).expect("brotli");
        assert_eq!(html, plain);

        let r = page.respond(&headers(&[(header::ACCEPT_ENCODING, "gzip")]));
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        let mut html = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&body(r).await[..]),
            &mut html,
        )
        .expect("gzip");
        assert_eq!(html, plain);

        let r = page.respond(&headers(&[(header::ACCEPT_ENCODING, "identity, br;q=0")]));
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
    }

    #[tokio::test]
    async fn a_webview_holding_this_version_gets_304_with_the_time() {
        let (page, _) = rendered();
        let first = page.respond(&headers(&[(header::ACCEPT_ENCODING, "br")]));
        let etag = first.headers()[header::ETAG]
            .to_str()
            .expect("etag")
            .to_owned();
        let again = page.respond(&headers(&[
            (header::ACCEPT_ENCODING, "br"),
            (header::IF_NONE_MATCH, &etag),
        ]));
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert!(time_of(&again) >= time_of(&first));
        assert!(body(again).await.is_empty());
        // another encoding's tag, or another version's: the page
        let other = page.respond(&headers(&[(header::IF_NONE_MATCH, &etag)]));
        assert_eq!(other.status(), StatusCode::OK);
        let stale = page.respond(&headers(&[
            (header::ACCEPT_ENCODING, "br"),
            (header::IF_NONE_MATCH, "\"0000000000000000-br\""),
        ]));
        assert_eq!(stale.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn the_loaders_cookie_picks_the_page_that_preloads_its_bundle() {
        let (plain, first, full) = (
            b"<p>plain</p>".to_vec(),
            b"<p>first</p>".to_vec(),
            b"<p>full</p>".to_vec(),
        );
        let page = Rendered::new(
            None,
            plain.clone(),
            vec![("first", first.clone()), ("full", full.clone())],
            None,
        );
        let cookie = |v: &str| headers(&[(header::COOKIE, v)]);
        for (cookie, want) in [
            ("pilot_portal_bundle=full", &full),
            ("a=1; pilot_portal_bundle=full; b=2", &full),
            ("pilot_portal_bundle=first", &first),
            ("pilot_portal_bundle=", &plain),
            ("pilot_portal_bundle=other", &plain),
            ("xpilot_portal_bundle=full", &plain),
        ] {
            let r = page.respond(&headers(&[(header::COOKIE, cookie)]));
            assert_eq!(r.headers()[header::VARY], "accept-encoding, cookie");
            assert_eq!(&body(r).await, want, "{cookie}");
        }
        // no cookie (a new pilot, or cookies off): the page that names no bundle
        assert_eq!(body(page.respond(&HeaderMap::new())).await, plain);
        // each its own ETag: a WebView holding one is not told it holds another
        let tag = |r: Response| r.headers()[header::ETAG].clone();
        let plain_tag = tag(page.respond(&HeaderMap::new()));
        assert_ne!(
            tag(page.respond(&cookie("pilot_portal_bundle=full"))),
            plain_tag
        );
        let r = page.respond(&headers(&[
            (header::COOKIE, "pilot_portal_bundle=full"),
            (header::IF_NONE_MATCH, plain_tag.to_str().expect("etag")),
        ]));
        assert_eq!(r.status(), StatusCode::OK);
        // not built (an older build): the one page for everyone
        let (only, plain) = rendered();
        assert_eq!(
            body(only.respond(&cookie("pilot_portal_bundle=full"))).await,
            plain
        );
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
