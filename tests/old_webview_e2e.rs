//! WebViews older than we support (README, "Old controllers"): the boot script sends them to a
//! plain-HTML page (`public/old-webview.html`) that names the version found and the minimum,
//! in the pilot's language (`?lang=`, the remembered choice, the controller's languages), and
//! nothing of the app is downloaded. The minimum itself starts the app.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::json;
use support::*;

/// The minimum the boot script names (`MIN_CHROME` in xtask/src/compat.rs).
const MIN: &str = "63";

/// An Android WebView's user agent, of Chrome `version`.
fn webview_ua(version: u32) -> String {
    format!(
        "Mozilla/5.0 (Linux; Android 7.1.2; RM500 Build/NHG47L; wv) AppleWebKit/537.36 \
         (KHTML, like Gecko) Version/4.0 Chrome/{version}.0.3029.83 Mobile Safari/537.36"
    )
}

/// A simulated Pilot 2 whose WebView says `ua` (the browser's own when `None`) with the
/// controller's `languages`, and runs `before` ahead of the page's scripts.
async fn webview(ua: Option<String>, languages: &str, before: &str) -> E2e {
    let e = E2e::start(Preset::default()).await;
    let ua = match ua {
        Some(ua) => ua,
        None => e
            .js("return navigator.userAgent")
            .await
            .as_str()
            .unwrap_or("")
            .to_owned(),
    };
    e.driver
        .cdp()
        .send_raw(
            "Emulation.setUserAgentOverride",
            json!({ "userAgent": ua, "acceptLanguage": languages }),
        )
        .await
        .expect("override the user agent");
    e.before_every_page(&format!(
        "(function () {{ if (!/^https?:/.test(location.protocol)) return; {before} }})();"
    ))
    .await;
    e
}

/// The message, once the page has shown it; and that no part of the app was requested.
async fn old_message(e: &E2e) -> String {
    let text = e.text("#boot-old").await;
    let app = e
        .js("return performance.getEntriesByType('resource').map(function (r) { return r.name; }).filter(function (n) { return /pilot-portal-|\\.wasm/.test(n); })")
        .await;
    assert_eq!(app, json!([]), "the app was requested anyway");
    assert_eq!(
        e.js("return !!document.getElementById('boot')").await,
        json!(false)
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chrome_57_without_webassembly_is_told_in_the_controllers_chinese() {
    let e = webview(
        Some(webview_ua(57)),
        "zh-CN,zh;q=0.9,en;q=0.8",
        "delete window.WebAssembly;",
    )
    .await;
    e.open().await;
    let text = old_message(&e).await;
    assert!(text.starts_with("此页面需要"), "{text}");
    assert!(
        text.contains(&format!("Chrome）{MIN} 或更高版本")),
        "{text}"
    );
    assert!(
        text.contains("此遥控器为 Chrome 57（不支持 WebAssembly）"),
        "{text}"
    );
    assert_eq!(
        e.js("return document.getElementById('boot-old').lang")
            .await,
        json!("zh")
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chrome_62_is_told_in_the_language_of_the_url() {
    let e = webview(Some(webview_ua(62)), "en-US,en", "").await;
    e.driver
        .goto(&format!("{}/?lang=ru", e.base))
        .await
        .expect("navigate");
    let text = old_message(&e).await;
    assert!(
        text.starts_with(&format!(
            "Этой странице нужен Android WebView (Chrome) {MIN} или новее"
        )),
        "{text}"
    );
    // WebAssembly is there: only the version is too old
    assert!(
        text.contains("на этом пульте Chrome 62. Обновите"),
        "{text}"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_current_webview_without_webassembly_is_told_in_the_remembered_language() {
    let e = webview(
        None,
        "ru-RU,ru",
        "localStorage.setItem('pilot-portal.lang', 'en'); delete window.WebAssembly;",
    )
    .await;
    let version = e
        .js("return /Chrom(?:e|ium)\\/(\\d+)/.exec(navigator.userAgent)[1]")
        .await;
    let version = version.as_str().expect("Chromium's version");
    e.open().await;
    let text = old_message(&e).await;
    assert_eq!(
        text,
        format!(
            "This page needs Android WebView (Chrome) {MIN} or newer with WebAssembly; this \
             controller has Chrome {version} without WebAssembly. Update DJI Pilot 2 and the \
             controller firmware, then reopen the page."
        )
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_minimum_starts_the_app() {
    let e = webview(Some(webview_ua(63)), "en-US,en", "").await;
    e.open().await;
    e.wait_for("[data-testid=login-form]").await;
    assert_eq!(
        e.js("return !!document.getElementById('boot-old')").await,
        json!(false)
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_download_is_told_in_the_pilots_language() {
    let e = webview(None, "ru-RU,ru", "").await;
    e.block_urls(&["*.wasm"]).await;
    e.open().await;
    let text = e.text("#boot.failed").await;
    // a download that failed: the network, not the app's version, with Try again
    assert!(
        text.starts_with("Эта страница не смогла запуститься. Проверьте сеть пульта"),
        "{text}"
    );
    assert_eq!(e.text("#boot-retry").await, "Повторить");
    assert_eq!(e.text("#boot-diagnostics").await, "Диагностика");
    assert_eq!(
        e.js("return document.documentElement.lang").await,
        json!("ru")
    );
    e.quit().await;
}
