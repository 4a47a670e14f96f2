//! The deployment of the README's "Deploy" section, end to end: Debian's nginx on
//! `deploy/nginx.conf` serves the built page (precompressed, cache headers, the Content
//! Security Policy with this build's hashes) and proxies `/api` to two proxy instances on one
//! database; the browser suite's main journey (login → workspace → main page, connected)
//! passes through it with the policy on, and reopening goes straight to the main page.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_journey_through_nginx_and_two_instances() {
    let stack = Stack::with(Options {
        cloud: true,
        nginx: true,
        ..Options::default()
    })
    .await;
    assert!(stack.nginx.is_some(), "nginx in front");

    // what nginx serves, as the README says
    let http = reqwest::Client::new();
    let index = http.get(&stack.base).send().await.expect("index");
    assert_eq!(index.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(header(&index, "cache-control"), "no-cache");
    assert_eq!(header(&index, "x-content-type-options"), "nosniff");
    assert_eq!(header(&index, "referrer-policy"), "no-referrer");
    let csp = header(&index, "content-security-policy");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let vary = |r: &reqwest::Response| {
        r.headers()
            .get_all("vary")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(", ")
            .to_ascii_lowercase()
    };
    // the page depends on the loader's cookie (below): caches must know
    let index_vary = vary(&index);
    let html = index.text().await.expect("html");
    let wasm = html
        .split('"')
        .find(|s| s.ends_with("_bg.wasm"))
        .unwrap_or_else(|| panic!("no wasm path in index.html: {html}"))
        .to_owned();
    let br = get_encoded(&http, &format!("{}{wasm}", stack.base), "br").await;
    assert_eq!(br.status(), 200);
    assert_eq!(header(&br, "content-encoding"), "br", "brotli_static");
    assert!(header(&br, "cache-control").contains("immutable"));
    assert!(header(&br, "vary")
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    // the page itself too, at its address and at a page path (the first screen's budget)
    for path in ["/", "/login"] {
        let page = get_encoded(&http, &format!("{}{path}", stack.base), "gzip, deflate, br").await;
        assert_eq!(page.status(), 200);
        assert_eq!(
            header(&page, "content-encoding"),
            "br",
            "{path}: brotli_static"
        );
        assert_eq!(header(&page, "cache-control"), "no-cache", "{path}");
        assert!(
            !header(&page, "content-security-policy").is_empty(),
            "{path}"
        );
        let compressed = page.bytes().await.expect("body").len();
        assert!(
            compressed * 2 < html.len(),
            "{path}: {compressed} bytes compressed of {}",
            html.len()
        );
    }
    // the loader's cookie picks the page that names its bundle in the head; none without it
    let preloaded = |html: &str| {
        html.split(r#"<link rel="preload" href=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned)
    };
    assert_eq!(preloaded(&html), None, "{html}");
    assert!(index_vary.contains("cookie"), "{index_vary}");
    for path in ["/", "/login"] {
        for (cookie, bundle) in [("full", "/full/"), ("first", wasm.as_str())] {
            let page = http
                .get(format!("{}{path}", stack.base))
                .header("cookie", format!("pilot_portal_bundle={cookie}"))
                .send()
                .await
                .expect("page");
            assert_eq!(page.status(), 200);
            assert!(vary(&page).contains("cookie"), "{path}");
            let html = page.text().await.expect("html");
            assert!(
                preloaded(&html).is_some_and(|p| p.starts_with(bundle)),
                "{path}, {cookie}: {html}"
            );
        }
    }
    let gz = get_encoded(&http, &format!("{}{wasm}", stack.base), "gzip").await;
    assert_eq!(header(&gz, "content-encoding"), "gzip", "gzip_static");
    let config = http
        .get(format!("{}/api/config", stack.base))
        .send()
        .await
        .expect("config through nginx");
    assert_eq!(config.status(), 200);
    // an /api path that looks like a file is the proxy's (a license file's download)
    let file = http
        .get(format!("{}/api/unlock/files/license.bin?t=0", stack.base))
        .send()
        .await
        .expect("file through nginx");
    assert_eq!(file.status(), 404);
    assert!(
        header(&file, "content-type").starts_with("application/json"),
        "the proxy answered, not nginx's file locations"
    );
    // bodies over the proxy's caps: the JSON 413 from nginx itself, so that no instance is
    // taken out of rotation for them (the proxy refusing one unread and closing looks to
    // nginx, still sending, like the instance failing)
    let refused_by_proxies = || async {
        let metrics = http
            .get(format!("{}/metrics", stack.kit.base))
            .send()
            .await
            .expect("an instance's metrics")
            .text()
            .await
            .expect("text");
        metrics
            .lines()
            .filter(|l| l.starts_with("rate_limit_refusals_total") && l.contains("body_too_large"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    let before = refused_by_proxies().await;
    let big = vec![b'a'; 300_000];
    for round in 0..5 {
        let mut posts = tokio::task::JoinSet::new();
        for _ in 0..8 {
            posts.spawn(
                http.post(format!("{}/api/auth/login", stack.base))
                    .header("content-type", "application/json")
                    .body(big.clone())
                    .send(),
            );
        }
        while let Some(r) = posts.join_next().await {
            let r = r.expect("task").expect("post");
            assert_eq!(r.status(), 413, "round {round}");
            let body: serde_json::Value = r.json().await.expect("JSON 413");
            assert_eq!(body["error"]["code"], "payload_too_large");
        }
    }
    let config = http
        .get(format!("{}/api/config", stack.base))
        .send()
        .await
        .expect("config through nginx");
    assert_eq!(config.status(), 200, "every instance still in rotation");
    assert_eq!(
        refused_by_proxies().await,
        before,
        "no oversized body reached an instance"
    );
    for internal in ["/metrics", "/readyz", "/nginx-csp.conf"] {
        let r = http
            .get(format!("{}{internal}", stack.base))
            .send()
            .await
            .expect("internal");
        assert!(
            r.status() == 404 || header(&r, "content-type").starts_with("text/html"),
            "{internal} is not exposed through nginx: {}",
            r.status()
        );
    }

    // the journey, in the browser, with the policy on
    let e = E2e::on(stack, Preset::default()).await;
    e.open().await;
    e.log_in_to_the_main_project("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    e.wait_for("[data-testid=cloud-state][data-state=connected]")
        .await;
    assert_eq!(
        e.text("[data-testid=workspace-name]").await,
        "Shenzhen Bay Bridge Inspection"
    );
    assert_contract_order(&e.calls().await, false);
    let blocked = e.csp_violations().await;
    assert!(blocked.is_empty(), "the policy blocked: {blocked:?}");
    let errors = e.js("return window.__errors || []").await;
    assert_eq!(errors, serde_json::json!([]), "page errors");

    // reopening: straight to the main page, one round trip, through either instance
    e.reopen_on_the_signed_in_bundle().await;
    // nginx serves index.html as built (the config slot empty): the page reads its config
    // from /api/config, alongside the session check the loader started
    let mut api = e.api_requests_before_main().await;
    api.sort();
    assert_eq!(api.len(), 2, "{api:?}");
    assert!(
        api[0].ends_with("/api/config") && api[1].ends_with("/api/pilot/bootstrap"),
        "{api:?}"
    );
    assert!(e.csp_violations().await.is_empty());
    let log = e.nginx.as_ref().map(|n| n.error_log()).unwrap_or_default();
    // the oversized posts above are refused by nginx itself, which logs each
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("[error]"))
        .filter(|l| !l.contains("client intended to send too large body"))
        .collect();
    assert!(errors.is_empty(), "nginx errors:\n{log}");
    assert!(
        !log.contains("upstream server temporarily disabled"),
        "{log}"
    );
    e.quit().await;
}

/// With the index pages `pilot-portal-proxy write-pages` wrote (README, Deploy), nginx serves
/// the page with its config, as the proxy does: the loader asks Pilot 2 before any wasm, so a
/// new pilot gets the login form at once, and a pilot whose token only Pilot 2 holds gets the
/// signed-in bundle alone, with no `/api/config` request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_pages_written_for_nginx_the_loader_asks_pilot_2_before_any_wasm() {
    let stack = Stack::with(Options {
        cloud: true,
        nginx: true,
        nginx_pages: true,
        ..Options::default()
    })
    .await;
    let e = E2e::on(stack, Preset::default()).await;
    e.hold_the_wasm().await;
    e.open().await;
    e.wait_for("[data-testid=early-login] #password").await;
    e.release_the_wasm().await;
    e.log_in_to_the_main_project("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    let token = e
        .js("return localStorage.getItem('pilot-portal.token')")
        .await;
    let token = token.as_str().expect("the page's copy").to_owned();
    // a fresh profile: the token in Pilot 2 only
    let fresh = e
        .another(Preset {
            pilot_token: Some(token),
            ..Preset::default()
        })
        .await;
    e.quit().await;
    let e = fresh;
    e.reopen_on_the_signed_in_bundle().await;
    let api = e.api_requests_before_main().await;
    assert_eq!(
        api.len(),
        1,
        "the session check only, no /api/config: {api:?}"
    );
    assert!(api[0].ends_with("/api/pilot/bootstrap"), "{api:?}");
    assert!(e.csp_violations().await.is_empty());
    let errors = e.js("return window.__errors || []").await;
    assert_eq!(errors, serde_json::json!([]), "page errors");
    e.quit().await;
}

/// `GET url` taking `encodings` (reqwest then leaves the body as sent).
async fn get_encoded(http: &reqwest::Client, url: &str, encodings: &str) -> reqwest::Response {
    http.get(url)
        .header("accept-encoding", encodings)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}
