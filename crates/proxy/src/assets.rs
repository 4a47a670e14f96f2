//! The page's files held in memory, so a static file costs no file system call: read once at
//! start from `dist/` (with the `.br`/`.gz` copies `cargo xtask build` writes), served with
//! the encoding the client takes, a strong `ETag` per representation and `304` on a match.
//! Anything not held (a file added after start, a path with escapes) goes to `ServeDir`.
//!
//! Measured with `cargo xtask bench-proxy` (README, "Figures"): serving from disk through
//! `ServeDir` (a blocking-pool hop per open, stat and read) was the proxy's static-file cost.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Files larger than this stay on disk.
const MAX_FILE: u64 = 16 * 1024 * 1024;
/// All held files together, at most.
const MAX_TOTAL: u64 = 64 * 1024 * 1024;

struct Variant {
    body: Bytes,
    etag: HeaderValue,
}

/// A file in its encodings, each with its `ETag`.
pub(crate) struct Asset {
    content_type: &'static str,
    identity: Variant,
    br: Option<Variant>,
    gzip: Option<Variant>,
}

impl Asset {
    /// `raw` and its compressed copies, if any.
    pub(crate) fn new(
        content_type: &'static str,
        raw: Vec<u8>,
        br: Option<Vec<u8>>,
        gzip: Option<Vec<u8>>,
    ) -> Asset {
        Asset {
            content_type,
            identity: variant(raw, ""),
            br: br.map(|b| variant(b, "-br")),
            gzip: gzip.map(|g| variant(g, "-gz")),
        }
    }

    /// The answer to a GET (or, without a body, a HEAD) with these request headers: the
    /// encoding the client takes, `304` when it holds that representation.
    pub(crate) fn answer(&self, headers: &HeaderMap, head: bool) -> Response {
        let (variant, encoding) = match (accepts(headers, "br"), accepts(headers, "gzip")) {
            (true, _) if self.br.is_some() => {
                (self.br.as_ref().unwrap_or(&self.identity), Some("br"))
            }
            (_, true) if self.gzip.is_some() => {
                (self.gzip.as_ref().unwrap_or(&self.identity), Some("gzip"))
            }
            _ => (&self.identity, None),
        };
        let not_modified = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim() == variant.etag || t.trim() == "*")
            });
        let mut response = if not_modified {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            let body = if head {
                Body::empty()
            } else {
                Body::from(variant.body.clone())
            };
            let mut r = Response::new(body);
            r.headers_mut().insert(
                header::CONTENT_LENGTH,
                HeaderValue::from(variant.body.len()),
            );
            r
        };
        let h = response.headers_mut();
        // this answer's headers and the ones added after it, without growing the map
        h.reserve(12);
        h.insert(header::ETAG, variant.etag.clone());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Some(encoding) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        if self.br.is_some() || self.gzip.is_some() {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response
    }
}

/// The held files, by URL path (`/pilot-portal-….js`, `/full/…`).
#[derive(Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "html" => "text/html; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn variant(body: Vec<u8>, tag: &str) -> Variant {
    let digest = Sha256::digest(&body);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let etag = HeaderValue::from_str(&format!("\"{hex}{tag}\""))
        .unwrap_or(HeaderValue::from_static("\"-\""));
    Variant {
        body: Bytes::from(body),
        etag,
    }
}

impl Assets {
    /// Reads `dist` (two levels deep), except `index.html` and the preloading pages at its top
    /// (rendered per config)
    /// and the `.br`/`.gz` copies (held beside their file).
    pub fn load(dist: &Path) -> Assets {
        let mut assets = Assets::default();
        let mut total = 0u64;
        let mut dirs = vec![(dist.to_path_buf(), String::new(), 0)];
        while let Some((dir, prefix, depth)) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned)
                else {
                    continue;
                };
                let url = format!("{prefix}/{name}");
                let Ok(meta) = entry.metadata() else {
                    continue;
                };
                if meta.is_dir() {
                    if depth < 2 && !name.starts_with('.') {
                        dirs.push((path, url, depth + 1));
                    }
                    continue;
                }
                let skip = crate::static_files::is_page_file(&url)
                    || name.starts_with('.')
                    || name.ends_with(".br")
                    || name.ends_with(".gz")
                    || meta.len() > MAX_FILE
                    || total + meta.len() > MAX_TOTAL;
                if skip {
                    continue;
                }
                let Ok(raw) = std::fs::read(&path) else {
                    continue;
                };
                let read = |ext: &str| {
                    let mut p = path.clone().into_os_string();
                    p.push(ext);
                    std::fs::read(p).ok()
                };
                let (br, gzip) = (read(".br"), read(".gz"));
                total += raw.len() as u64
                    + br.as_ref().map_or(0, |b| b.len() as u64)
                    + gzip.as_ref().map_or(0, |g| g.len() as u64);
                assets
                    .files
                    .insert(url.clone(), Asset::new(content_type(&url), raw, br, gzip));
            }
        }
        assets
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The answer for `req` if it is a GET or HEAD of a held file.
    pub fn serve<B>(&self, req: &axum::http::Request<B>) -> Option<Response> {
        let head = req.method() == Method::HEAD;
        if req.method() != Method::GET && !head {
            return None;
        }
        let asset = self.files.get(req.uri().path())?;
        Some(asset.answer(req.headers(), head))
    }
}

/// Whether `Accept-Encoding` takes `coding` (listed without `q=0`).
pub(crate) fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, headers: &[(&'static str, &str)]) -> axum::extract::Request {
        let mut r = axum::extract::Request::get(path);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::empty()).expect("request")
    }

    #[test]
    fn files_are_served_in_the_encoding_the_client_takes_with_etags() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("index.html"), "<html>").expect("write");
        std::fs::write(dir.path().join("a-0123456789abcdef.js"), "js").expect("write");
        std::fs::write(dir.path().join("a-0123456789abcdef.js.br"), "BR").expect("write");
        std::fs::create_dir(dir.path().join("full")).expect("dir");
        std::fs::write(dir.path().join("full/b.wasm"), "wasm").expect("write");
        let assets = Assets::load(dir.path());
        assert_eq!(
            assets.len(),
            2,
            "index.html and the .br copy are not files of their own"
        );
        assert!(assets.serve(&request("/index.html", &[])).is_none());

        let br = assets
            .serve(&request(
                "/a-0123456789abcdef.js",
                &[("accept-encoding", "gzip, br")],
            ))
            .expect("held");
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(br.headers()[header::VARY], "accept-encoding");
        assert_eq!(br.headers()[header::CONTENT_TYPE], "text/javascript");
        let plain = assets
            .serve(&request(
                "/a-0123456789abcdef.js",
                &[("accept-encoding", "br;q=0")],
            ))
            .expect("held");
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_ne!(plain.headers()[header::ETAG], br.headers()[header::ETAG]);
        let etag = plain.headers()[header::ETAG]
            .to_str()
            .expect("etag")
            .to_owned();
        let again = assets
            .serve(&request(
                "/a-0123456789abcdef.js",
                &[("if-none-match", &etag)],
            ))
            .expect("held");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let wasm = assets.serve(&request("/full/b.wasm", &[])).expect("held");
        assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
        assert!(assets.serve(&request("/missing.js", &[])).is_none());
    }
}
