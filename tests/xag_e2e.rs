//! Linking an XAG operator account end to end: our page → XAG's authorization page (the
//! simulator, another origin) → back on our page with the outcome.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use pilot_portal_sim::xag::behaviour::{ExpireIn, XagBehaviour};
use pilot_portal_sim::xag::{DEMO_OPERATOR, DEMO_OPERATOR_PASSWORD, DEMO_UNION_ID};
use support::*;

async fn to_xag_page(e: &E2e) {
    e.open().await;
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=xag-not-linked]").await;
    e.wait_for("[data-testid=xag-link]")
        .await
        .click()
        .await
        .expect("click");
    e.wait_for("[data-testid=xag-password]").await;
    let url = e.driver.current_url().await.expect("url");
    assert!(
        url.as_str().starts_with(&e.xag.base_url()),
        "on XAG's page: {url}"
    );
}

/// The demo operator approves on XAG's page.
async fn approve(e: &E2e) {
    e.wait_for("[data-testid=xag-username]")
        .await
        .send_keys(DEMO_OPERATOR)
        .await
        .expect("type");
    e.wait_for("[data-testid=xag-password]")
        .await
        .send_keys(DEMO_OPERATOR_PASSWORD)
        .await
        .expect("type");
    e.wait_for("[data-testid=xag-approve]")
        .await
        .click()
        .await
        .expect("click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_through_xags_page_then_unlink() {
    let e = E2e::start(Preset::default()).await;
    to_xag_page(&e).await;
    approve(&e).await;

    // back on our page, through the start sequence, with the outcome
    assert_eq!(e.text("[data-testid=xag-union-id]").await, DEMO_UNION_ID);
    let outcome = e.wait_for("[data-testid=xag-outcome]").await;
    assert_eq!(
        outcome.attr("data-outcome").await.expect("attr").as_deref(),
        Some("linked")
    );
    assert!(
        !e.saw_login_form().await,
        "the stored session carried the pilot through"
    );
    let url = e.driver.current_url().await.expect("url");
    assert!(
        url.as_str().starts_with(&e.base) && !url.as_str().contains("xag="),
        "outcome removed from the address: {url}"
    );
    assert_contract_order(&e.calls().await, true);

    // an unlink that does not reach the proxy: said once, the link still shown as it is
    e.block_urls(&["*/api/xag/link*"]).await;
    e.click("[data-testid=xag-unlink]").await;
    e.click("[data-testid=xag-unlink-confirm]").await;
    e.wait_for("[data-testid=xag-action-error]").await;
    assert_eq!(e.text("[data-testid=xag-union-id]").await, DEMO_UNION_ID);
    assert_eq!(
        e.js("return document.querySelectorAll('[data-testid=xag-card] [role=alert]').length")
            .await
            .as_u64(),
        Some(1),
        "one error, not the same one twice"
    );
    e.block_urls(&[]).await;
    e.click("[data-testid=xag-unlink-confirm]").await;
    e.wait_for("[data-testid=xag-not-linked]").await;
    assert!(
        e.js("return !document.querySelector('[data-testid=xag-action-error]')")
            .await
            .as_bool()
            .unwrap_or(false),
        "the failure is gone with the success"
    );
    assert_eq!(
        e.count("[data-testid=xag-outcome]").await,
        0,
        "'linked' is not said above 'not linked'"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_on_xags_page_says_it_was_not_linked() {
    let e = E2e::start(Preset::default()).await;
    to_xag_page(&e).await;
    e.wait_for("[data-testid=xag-deny]")
        .await
        .click()
        .await
        .expect("click");
    let outcome = e.wait_for("[data-testid=xag-outcome]").await;
    assert_eq!(
        outcome.attr("data-outcome").await.expect("attr").as_deref(),
        Some("denied")
    );
    assert!(outcome.text().await.expect("text").contains("cancelled"));
    e.wait_for("[data-testid=xag-not-linked]").await;
    // the next attempt, failing offline, is said alone
    e.emulate_network(true, 0).await;
    e.click("[data-testid=xag-link]").await;
    e.wait_for("[data-testid=xag-action-error]").await;
    assert_eq!(e.count("[data-testid=xag-outcome]").await, 0);
    e.emulate_network(false, 0).await;
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_operator_password_stays_on_xags_page() {
    let e = E2e::start(Preset::default()).await;
    to_xag_page(&e).await;
    e.wait_for("[data-testid=xag-username]")
        .await
        .send_keys(DEMO_OPERATOR)
        .await
        .expect("type");
    e.wait_for("[data-testid=xag-password]")
        .await
        .send_keys("wrong")
        .await
        .expect("type");
    e.wait_for("[data-testid=xag-approve]")
        .await
        .click()
        .await
        .expect("click");
    assert!(e
        .text("[data-testid=xag-error]")
        .await
        .contains("Wrong account or password"));
    e.quit().await;
}

/// A browser session opened with `?emulator` (no Pilot 2 injected: the page loads the
/// simulated one itself) comes back from XAG's page to `?emulator`, straight to the main
/// page, not to "Open this page in DJI Pilot 2".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xags_page_sends_the_pilot_back_to_the_address_they_came_from() {
    let e = E2e::start(Preset {
        no_bridge: true,
        ..Preset::default()
    })
    .await;
    e.driver
        .goto(&format!("{}/?emulator", e.base))
        .await
        .expect("navigate");
    e.login("pilot", "pilot123").await;
    // the simulated Pilot 2's call log is a bar fixed over the bottom of the page
    e.wait_for("[data-testid=xag-link]").await;
    e.js("document.querySelector('[data-testid=xag-link]').click(); return null")
        .await;
    e.wait_for("[data-testid=xag-username]")
        .await
        .send_keys(DEMO_OPERATOR)
        .await
        .expect("type");
    e.wait_for("[data-testid=xag-password]")
        .await
        .send_keys(DEMO_OPERATOR_PASSWORD)
        .await
        .expect("type");
    e.click("[data-testid=xag-approve]").await;
    assert_eq!(e.text("[data-testid=xag-union-id]").await, DEMO_UNION_ID);
    let url = e.driver.current_url().await.expect("url");
    assert!(
        url.as_str().contains("emulator"),
        "back where it started: {url}"
    );
    assert!(
        !url.as_str().contains("xag="),
        "outcome read and removed: {url}"
    );
    e.quit().await;
}

/// XAG documents no refresh of its access token (`expire_in`, an hour in its example): a link
/// whose authorization ran out says so and offers to link again, not "authorized until" a
/// time already past.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_authorization_says_so_and_links_again() {
    let stack = Stack::with(Options {
        xag_token_ttl_secs: Some(2),
        ..Options::default()
    })
    .await;
    let e = E2e::on(stack, Preset::default()).await;
    link_in_force(&e).await;

    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    e.open().await;
    let linked = e
        .wait_for("[data-testid=xag-linked][data-expired=true]")
        .await;
    let said = linked.text().await.expect("text");
    assert!(said.contains("authorization expired on"), "{said}");
    e.click("[data-testid=xag-relink]").await;
    approve(&e).await;
    e.wait_for("[data-testid=xag-outcome][data-outcome=linked]")
        .await;
    e.quit().await;
}

/// The reference's own example answers `"expire_in": ""`: a link whose lifetime XAG did not
/// state is linked and says so, never "expired" and never "authorized until" a made-up time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lifetime_xag_does_not_state_is_said_and_not_taken_for_expired() {
    let stack = Stack::start(None).await;
    stack.xag.sim.behaviour().set(XagBehaviour {
        token_expire_in: ExpireIn::Blank,
        ..XagBehaviour::default()
    });
    let e = E2e::on(stack, Preset::default()).await;
    let said = link_in_force(&e).await;
    assert!(said.contains("XAG stated no end"), "{said}");
    assert!(!said.contains("until"), "{said}");
    e.quit().await;
}

/// Links on XAG's page; the card says the link is in force (not expired, nothing to link
/// again): what it says.
async fn link_in_force(e: &E2e) -> String {
    to_xag_page(e).await;
    approve(e).await;
    let linked = e.wait_for("[data-testid=xag-linked]").await;
    assert_eq!(
        linked.attr("data-expired").await.expect("attr").as_deref(),
        Some("false")
    );
    assert_eq!(e.count("[data-testid=xag-relink]").await, 0);
    linked.text().await.expect("text")
}
