//! Serves the built page: `index.html` for every unknown path (the page routes itself),
//! precompressed files when the browser takes them, and cache headers that keep Pilot 2's
//! WebView from showing a stale page.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

pub fn page_service(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let dir = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(dir)
        .layer(middleware::from_fn(cache_headers))
}

/// Trunk names assets `name-<16 hex>.ext` / `name-<16 hex>_bg.wasm`: safe to cache forever.
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut response = next.run(req).await;
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
    use super::is_hashed_asset;

    #[test]
    fn trunk_hashes_are_recognised() {
        assert!(is_hashed_asset("/pilot-portal-3f2a9c0d1e2b4a5f_bg.wasm"));
        assert!(is_hashed_asset("/pilot-portal-3f2a9c0d1e2b4a5f.js"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/pilot2-emulator.js"));
        assert!(!is_hashed_asset("/login"));
        assert!(!is_hashed_asset("/x-123.js"));
    }
}
