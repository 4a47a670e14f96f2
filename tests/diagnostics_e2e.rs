//! The diagnostics page (issue 11) end to end, in headless Chromium against the release build:
//! reached from the signed-in page, from the license failure and from the boot script's "could
//! not start" (the wasm download blocked, or no WebAssembly at all); it lists the recorded
//! bridge calls with the token redacted (the real token appears nowhere in the page or in the
//! recorder's storage), the proxy calls with their status, UTC times, Pilot 2's module states;
//! "Send to support" answers an id the proxy reads back from its database.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::json;
use support::*;

const READY: &str = "#diagnostics[data-ready=true]";

/// `2026-12-05 10:14:01 UTC` somewhere in `text`.
fn has_utc_time(text: &str) -> bool {
    text.split(" UTC").any(|before| {
        let tail: Vec<char> = before.chars().rev().take(19).collect();
        let t: String = tail.into_iter().rev().collect();
        t.len() == 19
            && t.chars().enumerate().all(|(i, c)| match i {
                4 | 7 => c == '-',
                10 => c == ' ',
                13 | 16 => c == ':',
                _ => c.is_ascii_digit(),
            })
    })
}

async fn text_of(e: &E2e, css: &str) -> String {
    e.text(css).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_show_the_calls_without_the_token_and_send_a_report() {
    let e = E2e::start(Preset::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    let token = e.page_token().await.expect("signed in");
    assert!(token.len() > 40, "{token}");
    let hint = format!("«redacted …{}»", &token[token.len() - 4..]);
    // a poll repeating the same call and reply keeps one entry, counted: the start's calls
    // are not pushed out of the last 50 by it
    e.js(
        "for (var i = 0; i < 60; i++) __pilotPortalNote('bridge', 'platformGetAircraftSN', [], '{\"code\":0,\"data\":\"\"}'); \
         __pilotPortalNote('bridge', 'platformGetAircraftSN', [], '{\"code\":0,\"data\":\"1581F\"}'); return 0",
    )
    .await;

    e.click("[data-testid=diagnostics-link]").await;
    e.wait_for(READY).await;
    let url = e.driver.current_url().await.expect("url");
    assert_eq!(url.path(), "/diagnostics.html");

    // the real token is nowhere: not in the page, not in what the recorder kept
    let page = e.js("return document.documentElement.outerHTML").await;
    let page = page.as_str().unwrap_or("");
    assert!(
        !page.contains(&token),
        "the token is on the diagnostics page"
    );
    let kept = e
        .js("return localStorage.getItem('pilot-portal.diagnostics')")
        .await;
    let kept = kept.as_str().expect("the recorder kept calls");
    assert!(!kept.contains(&token), "the recorder kept the token");
    assert!(kept.contains(&hint), "a hint of the token is kept: {kept}");

    let polled = e
        .js("return Array.from(document.querySelectorAll('#d-bridge li[data-method=platformGetAircraftSN]')).map(l => l.textContent)")
        .await;
    let polled: Vec<&str> = polled
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    // (the page's own reads of the SN come before, with Pilot 2's reply)
    let [.., repeated, changed] = polled.as_slice() else {
        panic!("{polled:?}");
    };
    assert!(repeated.ends_with("×60"), "{polled:?}");
    assert!(
        changed.contains("1581F") && !changed.contains('×'),
        "{polled:?}"
    );

    // the bridge calls, redacted where they carry the token
    let set = text_of(&e, "#d-bridge li[data-method=apiSetToken]").await;
    assert!(set.contains(&hint), "{set}");
    assert!(has_utc_time(&set), "{set}");
    let load = e
        .js("return Array.from(document.querySelectorAll('#d-bridge li[data-method=platformLoadComponent]')).map(l => l.textContent).join('\\n')")
        .await;
    let load = load.as_str().unwrap_or("");
    assert!(load.contains("\\\"token\\\":\\\"«redacted …"), "{load}");
    let license = text_of(&e, "#d-bridge li[data-method=platformVerifyLicense]").await;
    assert!(license.contains("\"«redacted»\""), "the app key: {license}");
    assert!(!license.contains("demo-app-key"), "{license}");

    // the proxy calls with their status and time
    let proxy = text_of(&e, "#d-proxy").await;
    assert!(proxy.contains("POST /api/auth/login → 200 in "), "{proxy}");
    assert!(has_utc_time(&proxy), "{proxy}");
    assert!(!proxy.contains('?'), "no query strings: {proxy}");

    // what Pilot 2 says now
    assert_eq!(text_of(&e, "#d-v-bridge").await, "present");
    assert_eq!(text_of(&e, "#d-v-license").await, "verified by this page");
    let modules = text_of(&e, "#d-v-modules").await;
    assert!(
        modules.contains("api loaded") && modules.contains("thing not loaded"),
        "{modules}"
    );
    assert_eq!(text_of(&e, "#d-v-rc").await, "5YSZL260021E9W");
    assert_eq!(text_of(&e, "#d-v-aircraft").await, "no aircraft connected");
    assert!(text_of(&e, "#d-v-api_host")
        .await
        .starts_with("http://127.0.0.1:"));
    let build = text_of(&e, "#d-v-build").await;
    assert!(
        build != "dev" && build.contains('.'),
        "cargo xtask build wrote the id: {build}"
    );
    assert_eq!(text_of(&e, "#d-v-wasm").await, "present");
    assert!(text_of(&e, "#d-v-features")
        .await
        .contains("mutable-globals"));
    assert!(has_utc_time(&text_of(&e, "#d-v-now").await));
    assert!(
        e.csp_violations().await.is_empty(),
        "{:?}",
        e.csp_violations().await
    );

    // Copy report: copied, or selected for the pilot to copy
    e.click("#d-copy").await;
    e.eventually("the copy is confirmed", || async {
        !text_of(&e, "#d-status").await.is_empty()
    })
    .await;

    // Send to support: an id to read out, and the proxy has the report
    e.click("#d-send").await;
    let id = e.text("#d-report-id:not([hidden])").await;
    assert!(
        pilot_portal_shared::support::parse_id(&id).as_deref() == Some(id.as_str()),
        "{id}"
    );
    let db = pilot_portal_proxy::db::Db::connect(&e.kit.config.database_url)
        .await
        .expect("db");
    let report = db
        .support_report(&id)
        .await
        .expect("query")
        .expect("the report is stored");
    assert!(report.report.starts_with("Pilot Portal diagnostics report"));
    assert!(
        report.report.contains("apiSetToken(\""),
        "{}",
        report.report
    );
    assert!(report.report.contains("POST /api/auth/login → 200"));
    assert!(report
        .report
        .contains("Remote controller SN: 5YSZL260021E9W"));
    assert!(!report.report.contains(&token));

    // back to the portal: still signed in
    e.click("#d-back").await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_open_from_the_license_failure_in_the_pilots_language() {
    let e = E2e::start(Preset {
        bad_license: true,
        ..Preset::default()
    })
    .await;
    e.driver
        .goto(&format!("{}/?lang=ru", e.base))
        .await
        .expect("navigate");
    e.wait_for("[data-testid=license-failed]").await;
    let link = e.wait_for("[data-testid=diagnostics-link]").await;
    assert_eq!(link.text().await.expect("text"), "Диагностика");
    link.click().await.expect("click");
    e.wait_for(READY).await;
    let url = e.driver.current_url().await.expect("url");
    assert_eq!(url.query(), Some("lang=ru"), "the language goes along");
    assert_eq!(e.text("h1").await, "Диагностика");
    let license = e.text("#d-v-license").await;
    assert!(license.starts_with("отклонена: "), "{license}");
    assert!(
        license.contains("License verification failed"),
        "DJI's words: {license}"
    );
    // the page's own refused call was recorded before it showed the failure
    let calls = e
        .text("#d-bridge li[data-method=platformVerifyLicense]")
        .await;
    assert!(
        calls.contains("(code -1)") || calls.contains("\"code\":-1"),
        "{calls}"
    );
    assert_eq!(
        e.js("return document.documentElement.lang").await,
        json!("ru")
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_open_when_the_page_cannot_start() {
    // the wasm download fails (a field network that drops it)
    let e = E2e::start(Preset::default()).await;
    e.block_urls(&["*.wasm"]).await;
    e.driver
        .goto(&format!("{}/?emulator", e.base))
        .await
        .expect("navigate");
    e.wait_for("#boot.failed").await;
    // a download that failed is the network's, said with a way to try again
    let said = e.text("#boot").await;
    assert!(
        said.starts_with("This page could not start. Check the controller's network"),
        "{said}"
    );
    assert_eq!(e.text("#boot-retry").await, "Try again");
    let link = e.wait_for("#boot-diagnostics").await;
    assert_eq!(
        link.attr("href").await.expect("href").as_deref(),
        Some("/diagnostics.html?emulator")
    );
    link.click().await.expect("click");
    e.wait_for(READY).await;
    // why it could not start was kept by the boot script
    let errors = e.text("#d-errors").await;
    assert!(has_utc_time(&errors), "{errors}");
    assert!(!errors.contains("none recorded"), "{errors}");
    assert_eq!(e.text("#d-v-wasm").await, "present");
    assert_eq!(e.text("#d-v-license").await, "verified by this page");
    // back, the network back: Try again starts the page
    e.driver.back().await.expect("back");
    e.wait_for("#boot-retry").await;
    e.block_urls(&[]).await;
    e.click("#boot-retry").await;
    e.wait_for("[data-testid=login-form]").await;
    e.quit().await;

    // a WebView without WebAssembly at all: the boot script says so (too old), and the link on
    // every screen still opens the diagnostics
    let e = E2e::start(Preset::default()).await;
    e.before_every_page("delete window.WebAssembly;").await;
    e.open().await;
    e.wait_for("#boot-old").await;
    e.click("[data-testid=diagnostics-link]").await;
    e.wait_for(READY).await;
    assert_eq!(e.text("#d-v-wasm").await, "missing");
    assert_eq!(e.text("#d-v-bridge").await, "present");
    e.quit().await;
}
