//! A session that ends really ends, on a shared controller (issue 14): the cloud module belongs
//! to the signed-in pilot, and log out, Exit, Pilot's own exit and expiry leave nothing behind.
//!
//! The simulated Pilot 2 does only what DJI documents; each behaviour DJI leaves open is a
//! [`World`] setting, and the journeys run under every setting that changes them.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use pilot_portal_sim::demo::DEMO_PILOTS;
use support::*;

const AIRCRAFT: &str = "1581F6Q8D243D00D3E9";

async fn on_cloud(world: World) -> E2e {
    let stack = Stack::with(Options {
        cloud: true,
        ..Options::default()
    })
    .await;
    E2e::on(
        stack,
        Preset {
            world,
            ..Preset::default()
        },
    )
    .await
}

/// Signs `pilot` in and waits until its cloud module is connected on the main page.
async fn sign_in_connected(e: &E2e, pilot: usize) {
    let p = DEMO_PILOTS[pilot];
    e.log_in_to_the_main_project(p.username, p.password).await;
    e.wait_for("[data-testid=main-page]").await;
    e.wait_for("[data-testid=cloud-state][data-state=connected]")
        .await;
    assert_eq!(
        e.cloud_account().await.as_deref(),
        Some(p.mqtt_username),
        "the cloud module runs as {}",
        p.username
    );
}

/// Nothing of a pilot is left: no token in Pilot 2 (the api module is gone), no cloud module,
/// no copy in the page.
async fn assert_nothing_left(e: &E2e) {
    let modules = e.modules().await;
    assert!(
        !modules.iter().any(|m| m == "api" || m == "thing"),
        "Pilot 2 still runs {modules:?}"
    );
    assert_eq!(e.page_token().await, None, "the page's copy is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logs_out_then_b_signs_in_and_the_cloud_module_runs_as_b() {
    for world in [World::default(), World::contrary()] {
        let e = on_cloud(world).await;
        e.open().await;
        sign_in_connected(&e, 0).await;
        e.click("[data-testid=logout]").await;
        e.wait_for("[data-testid=login-reason]").await;
        assert_nothing_left(&e).await;
        assert_contract_order(&e.calls().await, false);
        e.eventually("A's token is revoked", || async {
            e.sim.api.live_token_ids(DEMO_PILOTS[0].username).is_empty()
        })
        .await;

        e.open().await;
        e.wait_for("[data-testid=login-form]").await;
        assert!(e.api_requests().await.is_empty(), "{world:?}");
        sign_in_connected(&e, 1).await;
        e.quit().await;
    }
}

/// The page names the bundle the loader started last time in its head (the loader's cookie),
/// so that bundle downloads from the start: a returning pilot's page the signed-in bundle, and
/// the first screen's never; after log-out the first screen's again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_pilots_page_downloads_the_signed_in_bundle_alone() {
    let e = on_cloud(World::default()).await;
    // the page as the proxy serves it to this browser (its cookies): the wasm its head names
    let preloaded = r#"return fetch('/').then(r => r.text())
        .then(t => (/<link rel="preload" href="([^"]+_bg\.wasm)"/.exec(t) || [])[1] || null)"#;
    e.open().await;
    e.wait_for("[data-testid=login-form]").await;
    let first = e.wasm_downloads().await;
    assert!(
        first.len() == 1 && !first[0].starts_with("/full/"),
        "{first:?}"
    );
    assert_eq!(e.bundle_cookie().await.as_deref(), Some("first"));
    assert_eq!(e.js(preloaded).await, serde_json::json!(first[0]));
    sign_in_connected(&e, 0).await;
    assert_eq!(
        e.bundle_cookie().await.as_deref(),
        Some("full"),
        "after login"
    );

    e.reopen_on_the_signed_in_bundle().await;
    let page = e.js(preloaded).await;
    assert!(
        page.as_str().is_some_and(|p| p.starts_with("/full/")),
        "the page names the signed-in bundle: {page}"
    );

    e.click("[data-testid=logout]").await;
    e.wait_for("[data-testid=login-reason]").await;
    assert_eq!(
        e.bundle_cookie().await.as_deref(),
        Some("first"),
        "with the token"
    );
    e.open().await;
    e.wait_for("[data-testid=login-form]").await;
    assert_eq!(e.wasm_downloads().await, first, "the first screen's again");
    assert_eq!(e.js(preloaded).await, serde_json::json!(first[0]));
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b_signs_in_after_as_token_expired_with_as_cloud_module_still_running() {
    for world in [World::default(), World::contrary()] {
        let e = on_cloud(world).await;
        e.open().await;
        sign_in_connected(&e, 0).await;
        // The page closes (back arrow: Pilot 2 keeps the modules) and A's token expires.
        let (_, expired) = mint(&e.sim, 13 * HOUR, -HOUR);
        e.js(&format!(
            "var s = JSON.parse(localStorage.getItem('pilot2-emulator.state')); \
             s.modules.api.token = '{expired}'; \
             localStorage.setItem('pilot2-emulator.state', JSON.stringify(s)); \
             localStorage.setItem('pilot-portal.token', '{expired}');"
        ))
        .await;
        e.open().await;
        let reason = e.text("[data-testid=login-reason]").await;
        assert!(reason.contains("expired"), "{reason}");
        assert_nothing_left(&e).await;
        sign_in_connected(&e, 1).await;
        e.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_then_reopen_shows_the_login_form() {
    for world in World::all() {
        let e = on_cloud(world).await;
        e.open().await;
        sign_in_connected(&e, 0).await;
        e.click("[data-testid=exit]").await;
        e.wait_closed().await;
        assert_nothing_left(&e).await;
        e.eventually("the token is revoked", || async {
            e.sim.api.live_token_ids(DEMO_PILOTS[0].username).is_empty()
        })
        .await;
        e.open().await;
        e.wait_for("[data-testid=login-form]").await;
        e.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pilots_own_exit_then_reopen_shows_the_login_form() {
    for world in World::all() {
        let e = on_cloud(world).await;
        e.open().await;
        sign_in_connected(&e, 0).await;
        // Pilot 2's own menu: onStopPlatform, then the WebView closes.
        e.js("window.__pilot2Emulator.exitCloudPlatform()").await;
        e.wait_closed().await;
        assert_nothing_left(&e).await;
        e.eventually("the token is revoked", || async {
            e.sim.api.live_token_ids(DEMO_PILOTS[0].username).is_empty()
        })
        .await;
        e.open().await;
        e.wait_for("[data-testid=login-form]").await;
        e.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aircraft_switched_on_after_opening_appears_on_refresh() {
    let e = on_cloud(World::default()).await;
    e.open().await;
    sign_in_connected(&e, 0).await;
    assert!(e
        .text("[data-testid=aircraft]")
        .await
        .contains("No aircraft connected"));
    e.js(&format!(
        "window.__pilot2Emulator.setAircraft('{AIRCRAFT}')"
    ))
    .await;
    e.click("[data-testid=refresh]").await;
    e.eventually("the aircraft appears", || async {
        e.text("[data-testid=aircraft]").await == AIRCRAFT
    })
    .await;
    // and goes again when switched off, without a tap (read every few seconds)
    e.js("window.__pilot2Emulator.setAircraft('')").await;
    e.eventually("the aircraft is gone", || async {
        e.text("[data-testid=aircraft]")
            .await
            .contains("No aircraft connected")
    })
    .await;
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_name_reaches_pilot_before_any_workspace_is_chosen() {
    let e = on_cloud(World::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=workspace-list]").await;
    e.eventually("platformSetInformation with the platform name", || async {
        e.pilot_state().await["information"]["platformName"] == "Pilot Portal"
    })
    .await;
    assert_eq!(e.pilot_state().await["workspaceId"], "");
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flighthub_the_platform_name_still_reaches_pilot() {
    let e = E2e::start(Preset::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    e.eventually("platformSetInformation with the platform name", || async {
        e.pilot_state().await["information"]["platformName"] == "Pilot Portal"
    })
    .await;
    let none = e.text("[data-testid=no-workspace]").await;
    assert!(none.contains("DEFAULT_WORKSPACE_ID"), "{none}");
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flighthub_a_configured_default_workspace_is_set_in_pilot() {
    const DEFAULT: &str = "3f6f3b8e-5a4c-4f57-9d0e-1b2c3d4e5f60";
    let stack = Stack::with(Options {
        default_workspace: Some((DEFAULT.into(), "Field team".into())),
        ..Options::default()
    })
    .await;
    let e = E2e::on(stack, Preset::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    assert_eq!(e.text("[data-testid=workspace-name]").await, "Field team");
    let state = e.pilot_state().await;
    assert_eq!(state["workspaceId"], DEFAULT);
    assert_eq!(state["information"]["platformName"], "Pilot Portal");
    assert_eq!(state["information"]["workspaceName"], "Field team");
    e.quit().await;
}

/// On a DJI RC Pro (960x540 CSS px) the login page with the longest reason and a refused password
/// shows the sentence and the button without scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_960_by_540_screen_the_refusal_and_the_button_fit() {
    let stack = Stack::start(None).await;
    // revoked elsewhere: the longest reason the login page gives
    let (id, revoked) = mint(&stack.sim, HOUR, 11 * HOUR);
    assert!(stack.sim.api.revoke("pilot", &id));
    let e = E2e::on(
        stack,
        Preset {
            pilot_token: Some(revoked),
            ..Preset::default()
        },
    )
    .await;
    e.driver
        .cdp()
        .send_raw(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 960, "height": 540, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await
        .expect("a 960x540 screen");
    e.open().await;
    e.wait_for("[data-testid=login-reason]").await;
    e.login("pilot", "not-the-password").await;
    e.wait_for("[data-testid=login-error]").await;
    let fits = e
        .js("var h = window.innerHeight; \
             var b = document.querySelector('[data-testid=login-submit]').getBoundingClientRect(); \
             var t = document.querySelector('[data-testid=login-error]').getBoundingClientRect(); \
             return [h, Math.round(t.top), Math.round(b.bottom), window.scrollY];")
        .await;
    let at = |i: usize| fits[i].as_i64().unwrap_or(i64::MAX);
    assert_eq!(at(0), 540, "the viewport: {fits}");
    assert!(
        at(1) >= 0 && at(2) <= at(0) && at(3) == 0,
        "error and button within the screen, unscrolled: {fits}"
    );
    e.quit().await;
}
