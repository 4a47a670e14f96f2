//! The main page's later panels (Flight unlocking, Access tokens) come in their own bundle
//! once the main page shows (`src/panels.rs`): the main page never waits for them, a failed
//! download says so with a retry that works, and they follow the page's language and session.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::json;
use support::*;

const PANELS: &str = "[data-testid=panels-slot] [data-testid=unlock-panel]";
const TOKENS: &str = "[data-testid=panels-slot] [data-testid=tokens-panel]";

async fn returning_pilot() -> E2e {
    let stack = Stack::start(None).await;
    let (_, token) = mint(&stack.sim, HOUR, 11 * HOUR);
    E2e::on(
        stack,
        Preset {
            pilot_token: Some(token),
            ..Preset::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_page_does_not_wait_for_the_panels_and_a_failed_download_can_be_retried() {
    let e = returning_pilot().await;
    e.block_urls(&["*/panels/*"]).await;
    e.open().await;
    e.wait_for("[data-testid=main-page]").await;
    // the rest of the main page works without them
    e.wait_for("[data-testid=cloud-panel]").await;
    let error = e.wait_for("[data-testid=panels-error]").await;
    assert!(
        !error.text().await.expect("text").trim().is_empty(),
        "the failure is explained"
    );
    assert_eq!(
        e.text("[data-testid=panels-failed]").await,
        "Cannot load Flight unlocking and Access tokens",
        "and says what did not load"
    );
    assert_eq!(
        e.js("return document.querySelectorAll('[data-testid=unlock-panel], [data-testid=tokens-panel]').length")
            .await,
        0
    );
    let downloaded = e
        .js("return performance.getEntriesByType('resource').filter(r => r.name.includes('/full/') && r.name.endsWith('.wasm')).length")
        .await;
    assert_eq!(downloaded, 1, "the signed-in bundle came");

    e.block_urls(&[]).await;
    e.click("[data-testid=panels-slot] [data-testid=retry]")
        .await;
    e.wait_for(PANELS).await;
    e.wait_for(TOKENS).await;
    e.eventually_true(
        "the tokens panel lists this controller's token",
        "return !!document.querySelector('[data-testid=tokens] li')",
    )
    .await;
    assert_eq!(
        e.js("return document.querySelectorAll('[data-testid=panels-error], [data-testid=panels-loading]').length")
            .await,
        0,
        "nothing left of the wait"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panels_that_failed_to_download_come_by_themselves_when_the_network_is_back() {
    let e = returning_pilot().await;
    e.block_urls(&["*/panels/*"]).await;
    e.open().await;
    e.wait_for("[data-testid=panels-error]").await;
    e.emulate_network(true, 0).await;
    e.block_urls(&[]).await;
    e.emulate_network(false, 0).await;
    // no click: the page retries when the controller is back online
    e.wait_for(PANELS).await;
    e.wait_for(TOKENS).await;
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panels_follow_the_language_and_end_with_the_session() {
    let e = returning_pilot().await;
    e.open().await;
    e.wait_for(TOKENS).await;
    let early = e
        .js("return performance.getEntriesByType('resource').filter(r => r.name.includes('/panels/') && r.startTime < window.__mainAt).map(r => r.name)")
        .await;
    assert_eq!(
        early,
        json!([]),
        "the panels' files are asked for after the main page shows, never before"
    );
    e.click("[data-testid=lang][data-lang=zh]").await;
    // the main page is rebuilt in Chinese, and the panels move into its new slot, in Chinese
    e.eventually_true(
        "the panels, in Chinese, under the rebuilt main page",
        "const t = document.querySelector('[data-testid=panels-slot] [data-testid=tokens-panel] h2');\
         return !!t && t.textContent.includes('访问令牌')",
    )
    .await;
    e.eventually_true(
        "the unlock panel in Chinese",
        "const p = document.querySelector('[data-testid=panels-slot] [data-testid=unlock-panel]');\
         return !!p && p.textContent.includes('飞行解禁')",
    )
    .await;

    e.click("[data-testid=logout]").await;
    e.wait_for("[data-testid=login-form]").await;
    assert_eq!(
        e.js("return document.querySelectorAll('[data-testid=unlock-panel], [data-testid=tokens-panel]').length")
            .await,
        0,
        "no panel of the ended session stays"
    );
    e.login("pilot", "pilot123").await;
    e.wait_for(TOKENS).await;
    e.eventually_true(
        "the new session's token listed",
        "return !!document.querySelector('[data-testid=tokens] li')",
    )
    .await;
    let bundles = e
        .js("return performance.getEntriesByType('resource').filter(r => r.name.includes('/panels/') && r.name.endsWith('.wasm')).length")
        .await;
    assert_eq!(bundles, 1, "the panels bundle is downloaded once per page");
    e.quit().await;
}

/// The panels' cards keep the cards' spacing from the card before them (they are in their own
/// element, where `.card + .card` does not reach).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panels_keep_the_space_between_cards() {
    let e = returning_pilot().await;
    e.open().await;
    e.wait_for(PANELS).await;
    let gaps = e
        .js("var cards = Array.from(document.querySelectorAll('.card')).filter(function (c) { return c.offsetParent; }); \
             var gaps = []; \
             for (var i = 1; i < cards.length; i++) { \
               gaps.push(Math.round(cards[i].getBoundingClientRect().top - cards[i - 1].getBoundingClientRect().bottom)); \
             } \
             return gaps;")
        .await;
    let gaps: Vec<i64> = gaps
        .as_array()
        .map(|a| a.iter().filter_map(|g| g.as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(
        gaps.len(),
        4,
        "main, cloud, XAG, unlocking, tokens: {gaps:?}"
    );
    assert!(gaps.iter().all(|g| *g >= 16), "{gaps:?}");
    e.quit().await;
}
