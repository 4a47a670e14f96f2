//! The page is served with the right cache headers and an index.html fallback.

mod common;

use axum::http::{header, StatusCode};
use common::*;

#[tokio::test]
async fn index_is_never_cached_and_spa_paths_fall_back_to_it() {
    let h = harness().await;
    for path in ["/", "/index.html", "/main", "/login?x=1"] {
        let r = h.get(path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.text.contains("<title>portal</title>"), "{path}");
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache", "{path}");
    }
}

#[tokio::test]
async fn missing_files_are_404_not_the_page() {
    let h = harness().await;
    for path in ["/favicon.ico", "/pilot-portal-ffffffffffffffff.js"] {
        let r = h.get(path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!r.text.contains("<title>"), "{path}");
    }
}

/// A name longer than the disk takes (255 bytes) is still a page path or a missing file, not
/// the disk's error as a 500.
#[tokio::test]
async fn names_longer_than_a_file_name_are_a_page_path_or_a_404() {
    let h = harness().await;
    let long = "a".repeat(256);
    let deep = format!("/{}", ["b"; 600].join("/"));
    for path in [format!("/{long}"), format!("/full/{long}"), deep] {
        let r = h.get(&path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.text.contains("<title>portal</title>"), "{path}");
    }
    for path in [format!("/{long}.js"), format!("/full/{long}.wasm")] {
        let r = h.get(&path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        assert_eq!(r.error_code(), "not_found", "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_good() {
    let h = harness().await;
    let r = h.get("/pilot-portal-0123456789abcdef_bg.wasm", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    // the security headers (the server answers this file before the router, alike)
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(r.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/wasm");
    assert!(r.headers.get(header::CONTENT_SECURITY_POLICY).is_none());
}

#[tokio::test]
async fn unknown_api_paths_are_json_404_not_the_page() {
    let h = harness().await;
    let r = h.get("/api/nope", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found");
}

#[tokio::test]
async fn index_carries_the_page_config_inline() {
    let h = harness_with(|c| c.platform_name = "Acme </script><b>".into()).await;
    let r = h.get("/", None).await;
    let start = r.text.find(r#"type="application/json">"#).expect("slot")
        + r#"type="application/json">"#.len();
    let end = start + r.text[start..].find("</script>").expect("end");
    let config: serde_json::Value = serde_json::from_str(&r.text[start..end]).expect("json config");
    assert_eq!(config["platform_name"], "Acme </script><b>");
    assert_eq!(config["dji"]["license"], "demo-app-license");
    assert!(
        !r.text.contains("Acme </script>"),
        "values cannot close the script element"
    );
}

#[tokio::test]
async fn browsers_get_index_compressed_at_every_page_path() {
    let h = harness().await;
    for path in ["/", "/index.html", "/main"] {
        let req = axum::http::Request::get(path)
            .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
            .body(axum::body::Body::empty())
            .expect("request");
        let r = h.call(req).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.headers[header::CONTENT_ENCODING], "br", "{path}");
        assert_eq!(r.headers[header::VARY], "accept-encoding, cookie", "{path}");
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache", "{path}");
        assert!(!r.text.contains("<title>"), "{path}: compressed");
    }
    // without brotli or gzip: the page as it is
    let r = h.get("/", None).await;
    assert!(r.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(r.text.contains("<title>portal</title>"));
}
