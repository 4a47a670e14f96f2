//! The page's security headers: a Content Security Policy that allows exactly what the page
//! runs, `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` (tokens and link
//! states travel in URLs).
//!
//! The policy:
//! - `script-src 'self' 'wasm-unsafe-eval'` and the SHA-256 of every inline script of the
//!   served HTML files that a browser executes (the loader and the boot script of
//!   `index.html`, the emulator's closed page, the diagnostics page); the config element is
//!   `type="application/json"`, never executed, so the proxy filling it changes no hash. The
//!   loader starts a bundle with `import()` of a hashed file, never with an inline script;
//! - `style-src 'self'` and the hashes of inline `<style>` elements;
//! - `connect-src 'self'`, the API origin when the page calls another one (`PUBLIC_API_BASE`),
//!   and the MQTT broker's origin when `MQTT_BROKER` is `ws://`/`wss://` (the simulated
//!   Pilot 2 connects to it from the page);
//! - `worker-src 'self'`: the service worker (`/sw.js`) that keeps the app for a start
//!   without network;
//! - `img-src 'self' data:` (the favicon is `data:,`), `default-src 'none'`, `base-uri
//!   'none'`, `form-action 'self'`, `object-src 'none'`, `frame-ancestors` from
//!   `CSP_FRAME_ANCESTORS` (`'none'`).
//!
//! `cargo xtask build` computes the same hashes for nginx (`xtask/src/page.rs`).

use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;

/// `'sha256-…'` of each inline element `tag` (`script` or `style`) that a browser runs or
/// applies: scripts with a `src` or a non-JavaScript `type` (JSON data) are left out.
pub fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        // `<scripts>` or `<style-x>` are other elements
        if !after.starts_with(['>', ' ', '\n', '\t', '\r']) {
            rest = after;
            continue;
        }
        let Some(end_of_tag) = after.find('>') else {
            break;
        };
        let attributes = &after[..end_of_tag];
        let body_and_rest = &after[end_of_tag + 1..];
        let Some(end) = body_and_rest.find(&close) else {
            break;
        };
        let body = &body_and_rest[..end];
        if tag != "script" || executes(attributes) {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_rest[end + close.len()..];
    }
    hashes
}

/// Whether a `<script>` with these attributes runs inline code.
fn executes(attributes: &str) -> bool {
    let a = attributes.to_ascii_lowercase();
    if a.contains("src=") {
        return false;
    }
    match attribute(&a, "type") {
        None => true,
        Some(t) => matches!(
            t.trim(),
            "" | "module" | "text/javascript" | "application/javascript"
        ),
    }
}

fn attribute<'a>(attributes: &'a str, name: &str) -> Option<&'a str> {
    let at = attributes.find(&format!("{name}="))? + name.len() + 1;
    let value = &attributes[at..];
    match value.chars().next()? {
        q @ ('"' | '\'') => value[1..].split(q).next(),
        _ => value.split_whitespace().next(),
    }
}

/// `scheme://host[:port]` of a URL, for a CSP source.
fn origin(url: &str) -> Option<String> {
    let url = url::Url::parse(url.trim()).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// The policy for these HTML documents (their text) under `config`.
pub fn policy(documents: &[String], config: &Config) -> String {
    let mut scripts = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    let mut styles = vec!["'self'".to_owned()];
    for html in documents {
        scripts.extend(inline_hashes(html, "script"));
        styles.extend(inline_hashes(html, "style"));
    }
    let mut connect = vec!["'self'".to_owned()];
    if let Some(api) = origin(&config.public_api_base) {
        connect.push(api);
    }
    let broker = config.mqtt_broker.trim();
    if broker.starts_with("ws://") || broker.starts_with("wss://") {
        if let Some(o) = origin(broker) {
            connect.push(o);
        }
    }
    for list in [&mut scripts, &mut styles, &mut connect] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|s| seen.insert(s.clone()));
    }
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src 'self' data:; connect-src {}; \
         font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {}",
        scripts.join(" "),
        styles.join(" "),
        connect.join(" "),
        config.csp_frame_ancestors.trim()
    )
}

/// The HTML documents at the top of `dist` (`index.html`, the emulator's closed page, the
/// diagnostics page).
pub fn documents(dist: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// `nosniff` and `no-referrer` on every answer; the page's policy on every HTML document.
pub async fn headers(State(state): State<crate::AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    set_headers(&state, &mut response);
    response
}

/// The headers of [`headers`] on one answer.
pub fn set_headers(state: &crate::AppState, response: &mut Response) {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if html {
        if let Some(csp) = state.page.csp() {
            h.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_executed_inline_scripts_are_hashed() {
        let html = r#"<script id="pilot-portal-config" type="application/json">{"a":1}</script>
<script id="pilot-portal-loader">
var x = 1;
</script><script src="/a.js"></script><script type="module">import('/b.js')</script>
<style>p{color:red}</style>"#;
        let scripts = inline_hashes(html, "script");
        assert_eq!(scripts.len(), 2, "{scripts:?}");
        // echo -n $'\nvar x = 1;\n' | openssl dgst -sha256 -binary | base64
        let loader = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest("\nvar x = 1;\n".as_bytes()));
        assert_eq!(scripts[0], format!("'sha256-{loader}'"));
        assert_eq!(inline_hashes(html, "style").len(), 1);
    }

    #[test]
    fn the_policy_allows_the_broker_and_the_api_origin() {
        let mut config = Config::from_env_pairs([]).expect("config");
        config.mqtt_broker = "ws://127.0.0.1:8095/mqtt".into();
        config.public_api_base = "https://api.example.com/".into();
        let p = policy(&["<script>1</script>".into()], &config);
        assert!(
            p.contains("connect-src 'self' https://api.example.com ws://127.0.0.1:8095;"),
            "{p}"
        );
        assert!(
            p.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{p}"
        );
        assert!(p.ends_with("frame-ancestors 'none'"), "{p}");
        assert!(p.contains("; worker-src 'self';"), "{p}");
        config.mqtt_broker = "tcp://127.0.0.1:1883".into();
        assert!(!policy(&[], &config).contains("tcp:"));
    }
}
