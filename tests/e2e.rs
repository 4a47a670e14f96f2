//! The three token states end to end, in headless Chromium, against the release build.
//!
//! Every case checks the order of bridge calls against the contract (license first;
//! `apiGetToken`/`apiSetToken` only while the `api` module is loaded).

#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_shows_login_then_pilot_holds_the_issued_token() {
    let e = E2e::start(Preset {
        show_log: true,
        ..Preset::default()
    })
    .await;
    e.open().await;
    e.wait_for("[data-testid=login-form]").await;
    assert!(
        e.api_requests().await.is_empty(),
        "no /api round trip before the login form"
    );
    // The loader asked Pilot 2 (no token: the first screen's bundle); the wasm took its
    // replies instead of asking again.
    let calls = e.calls().await;
    for method in ["platformVerifyLicense", "platformIsVerified"] {
        assert_eq!(start_calls(&calls, method), 1, "{method}: {calls:?}");
    }
    let full = e
        .js("return performance.getEntriesByType('resource').filter(r => r.name.includes('/full/')).length")
        .await;
    assert_eq!(
        full, 0,
        "the login screen does not download the signed-in pages' bundle"
    );
    e.login("pilot", "pilot123").await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");

    let calls = e.calls().await;
    assert_contract_order(&calls, false);
    let load = calls
        .iter()
        .find(|c| c.method == "platformLoadComponent" && c.arg(0) == "api")
        .expect("api module loaded after login");
    let token = load.param()["token"].as_str().expect("token").to_owned();
    assert_eq!(load.param()["host"].as_str(), Some(e.base.as_str()));
    let set = calls
        .iter()
        .rfind(|c| c.method == "apiSetToken")
        .expect("apiSetToken");
    assert_eq!(
        set.arg(0),
        token,
        "Pilot 2 holds the token the platform issued"
    );
    assert!(
        e.sim.api.live_token_ids("pilot").len() == 1,
        "the platform issued exactly one token"
    );
    assert_eq!(
        e.page_token().await.as_deref(),
        Some(token.as_str()),
        "the page keeps its copy"
    );
    assert_eq!(
        e.pilot_state().await["modules"]["api"]["token"],
        token.as_str()
    );
    // the on-page emulator log lists the calls
    let log = e
        .js("return document.getElementById('pilot2-emulator-log').textContent")
        .await;
    assert!(log.as_str().unwrap_or("").contains("apiSetToken"), "{log}");
    e.quit().await;
}

/// How often the start sequence's reading of the license and the token made `method`
/// (`platformIsComponentLoaded` for the `api` module only; the page asks about others later).
fn start_calls(calls: &[Call], method: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.method == method)
        .filter(|c| c.method != "platformIsComponentLoaded" || c.arg(0) == "api")
        .count()
}

/// The page's buttons and links that the emulator's panel (fixed at the bottom) covers, with
/// the page scrolled to its end: their labels.
const COVERED_BY_THE_EMULATOR: &str = r#"
  window.scrollTo(0, document.documentElement.scrollHeight);
  var panel = document.getElementById("pilot2-emulator-log"), covered = [];
  document.querySelectorAll("button, a, input").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (panel.contains(el) || !r.width || r.bottom <= 0 || r.top >= innerHeight) return;
    var at = document.elementFromPoint(r.left + r.width / 2, Math.min(r.bottom, innerHeight) - 2);
    if (at && panel.contains(at)) covered.push(el.textContent.trim() || el.outerHTML.slice(0, 80));
  });
  return covered;"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_panel_covers_none_of_the_pages_controls() {
    let e = E2e::start(Preset {
        show_log: true,
        ..Preset::default()
    })
    .await;
    e.open().await;
    e.wait_for("[data-testid=login-form]").await;
    e.wait_for("#pilot2-emulator-log").await;
    assert_eq!(e.js(COVERED_BY_THE_EMULATOR).await, json!([]), "login page");
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    assert_eq!(e.js(COVERED_BY_THE_EMULATOR).await, json!([]), "main page");
    // opened, it takes up to 40% of the screen; the page still ends above it
    e.click("#pilot2-emulator-log summary").await;
    e.eventually_true(
        "the panel is open",
        "return document.getElementById('pilot2-emulator-log').open",
    )
    .await;
    assert_eq!(
        e.js(COVERED_BY_THE_EMULATOR).await,
        json!([]),
        "main page, panel open"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_token_in_loaded_api_module_goes_straight_to_main_in_one_round_trip() {
    let stack = std::sync::Arc::new(Stack::start(None).await);
    let (_, token) = mint(&stack.sim, HOUR, 11 * HOUR);
    // The bridge there for the loader (Android injects it before the page's first script), and
    // there only once the page is parsed (DJI does not say): the same journey either way.
    for world in [
        World::default(),
        World {
            late_bridge: true,
            ..World::default()
        },
    ] {
        let e = E2e::on(
            stack.clone(),
            Preset {
                pilot_token: Some(token.clone()),
                world,
                ..Preset::default()
            },
        )
        .await;
        e.open().await;
        assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
        assert!(!e.saw_login_form().await, "the login form was never shown");
        let api = e.api_requests_before_main().await;
        assert_eq!(api.len(), 1, "one round trip before the main page: {api:?}");
        assert!(api[0].ends_with("/api/pilot/bootstrap"), "{api:?}");
        let calls = e.calls().await;
        assert_contract_order(&calls, true);
        let m = methods(&calls);
        assert!(
            !m.contains(&"platformLoadComponent"),
            "module not reloaded: {m:?}"
        );
        assert!(!m.contains(&"apiSetToken"), "token untouched: {m:?}");
        // The page has no copy of its own (a fresh profile): the loader asks Pilot 2 and picks
        // the signed-in bundle at once; the wasm takes the loader's replies, asking nothing
        // twice. With the bridge late, the first screen's bundle asks and hands over.
        for method in [
            "platformVerifyLicense",
            "platformIsVerified",
            "platformIsComponentLoaded",
            "apiGetToken",
        ] {
            assert_eq!(start_calls(&calls, method), 1, "{world:?}, {method}: {m:?}");
        }
        // (the panels' bundle follows the main page)
        let wasm = e.wasm_downloads().await;
        let bundles = wasm.iter().filter(|w| !w.starts_with("/panels/"));
        let expected: &[bool] = if world.late_bridge {
            &[false, true]
        } else {
            &[true]
        };
        assert!(
            bundles
                .map(|w| w.starts_with("/full/"))
                .eq(expected.iter().copied()),
            "{world:?}: the signed-in bundle alone, or after the first screen's with the \
             bridge late: {wasm:?}"
        );
        e.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_token_only_in_page_storage_loads_the_api_module_with_it() {
    let stack = Stack::start(None).await;
    let (_, token) = mint(&stack.sim, HOUR, 11 * HOUR);
    let e = E2e::on(
        stack,
        Preset {
            page_token: Some(token.clone()),
            ..Preset::default()
        },
    )
    .await;
    e.open().await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    assert!(!e.saw_login_form().await);
    let calls = e.calls().await;
    assert_contract_order(&calls, false);
    let load = calls
        .iter()
        .find(|c| c.method == "platformLoadComponent")
        .expect("api loaded");
    assert_eq!(load.arg(0), "api");
    assert_eq!(load.param()["token"].as_str(), Some(token.as_str()));
    let m = methods(&calls);
    let load_at = m
        .iter()
        .position(|x| *x == "platformLoadComponent")
        .expect("load");
    assert!(
        !m[..load_at].contains(&"apiGetToken"),
        "nothing to read from an unloaded module: {m:?}"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_is_cleared_and_login_says_when_it_expired() {
    let stack = Stack::start(None).await;
    let (_, token) = mint(&stack.sim, 13 * HOUR, -HOUR);
    let e = E2e::on(
        stack,
        Preset {
            pilot_token: Some(token),
            ..Preset::default()
        },
    )
    .await;
    e.open().await;
    let reason = e.text("[data-testid=login-reason]").await;
    assert!(reason.starts_with("Your session expired on "), "{reason}");
    assert!(reason.contains("20"), "the date is shown: {reason}");
    let calls = e.calls().await;
    assert_contract_order(&calls, true);
    assert!(
        calls
            .iter()
            .any(|c| c.method == "platformUnloadComponent" && c.arg(0) == "api"),
        "Pilot 2 forgets the token by unloading the api module: {:?}",
        methods(&calls)
    );
    assert!(!e.modules().await.contains(&"api".to_owned()));
    assert_eq!(e.page_token().await, None);
    assert!(
        e.api_requests().await.is_empty(),
        "a plainly expired token needs no round trip"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_token_is_cleared_and_login_says_so() {
    let stack = Stack::start(None).await;
    let (id, token) = mint(&stack.sim, HOUR, 11 * HOUR);
    assert!(stack.sim.api.revoke("pilot", &id));
    let e = E2e::on(
        stack,
        Preset {
            pilot_token: Some(token),
            ..Preset::default()
        },
    )
    .await;
    e.open().await;
    let reason = e.text("[data-testid=login-reason]").await;
    assert!(reason.contains("access was revoked"), "{reason}");
    let calls = e.calls().await;
    assert_contract_order(&calls, true);
    assert!(!e.modules().await.contains(&"api".to_owned()));
    assert_eq!(e.page_token().await, None);
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_near_expiry_is_renewed_into_pilot() {
    let stack = Stack::start(None).await;
    let (old_id, old) = mint(&stack.sim, 9 * HOUR, HOUR);
    let e = E2e::on(
        stack,
        Preset {
            pilot_token: Some(old.clone()),
            ..Preset::default()
        },
    )
    .await;
    e.open().await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    assert!(!e.saw_login_form().await);
    let calls = e.calls().await;
    assert_contract_order(&calls, true);
    let set = calls
        .iter()
        .rfind(|c| c.method == "apiSetToken")
        .expect("apiSetToken(new)");
    let new = set.arg(0).to_owned();
    assert!(!new.is_empty() && new != old, "a new token was set");
    // the api module is reloaded with the new token, then given it
    let m = methods(&calls);
    let unload = m
        .iter()
        .position(|x| *x == "platformUnloadComponent")
        .expect("api unloaded");
    let reload = calls
        .iter()
        .position(|c| c.method == "platformLoadComponent" && c.arg(0) == "api")
        .expect("api reloaded");
    assert!(unload < reload, "{m:?}");
    assert_eq!(calls[reload].param()["token"].as_str(), Some(new.as_str()));
    let live = e.sim.api.live_token_ids("pilot");
    assert!(!live.contains(&old_id), "the old token was revoked");
    assert_eq!(live.len(), 1, "the new one is live");
    assert_eq!(e.page_token().await.as_deref(), Some(new.as_str()));
    let api = e.api_requests_before_main().await;
    assert_eq!(
        api.len(),
        2,
        "renewal, then the bootstrap with the new token: {api:?}"
    );
    assert!(api[0].ends_with("/api/session/renew"));
    assert!(api[1].ends_with("/api/pilot/bootstrap"));
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_license_stops_everything_with_djis_message() {
    let e = E2e::start(Preset {
        bad_license: true,
        ..Preset::default()
    })
    .await;
    e.open().await;
    let text = e.text("[data-testid=license-failed]").await;
    assert!(
        text.contains("License verification failed"),
        "DJI's message is shown: {text}"
    );
    assert!(
        text.contains("App ID, App Key and License"),
        "what to check: {text}"
    );
    let m = e
        .calls()
        .await
        .iter()
        .map(|c| c.method.clone())
        .collect::<Vec<_>>();
    assert_eq!(
        m,
        vec!["platformVerifyLicense"],
        "nothing after a refused license"
    );
    assert!(e.api_requests().await.is_empty());
    // The refusal the loader got was shown once; trying again asks Pilot 2, not the old reply.
    e.click("[data-testid=retry]").await;
    e.eventually_true(
        "Try again verifies the license with Pilot 2 again",
        "return window.__pilot2Emulator.calls.filter(c => c.method === 'platformVerifyLicense').length === 2",
    )
    .await;
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_explained_then_a_retry_succeeds() {
    let e = E2e::start(Preset::default()).await;
    e.open().await;
    e.login("pilot", "wrong-password").await;
    let error = e.text("[data-testid=login-error]").await;
    assert!(error.contains("Wrong username or password"), "{error}");
    let password = e.wait_for("[data-testid=password]").await;
    assert_eq!(
        password.prop("value").await.expect("value").as_deref(),
        Some(""),
        "password not kept"
    );
    let username = e.wait_for("[data-testid=username]").await;
    assert_eq!(
        username.prop("value").await.expect("value").as_deref(),
        Some("pilot"),
        "username kept"
    );
    assert!(
        e.calls().await.iter().all(|c| c.method != "apiSetToken"),
        "no token on failure"
    );
    e.login("pilot", "pilot123").await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    assert_contract_order(&e.calls().await, false);
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_unreachable_at_login_is_explained() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let e = E2e::on(
        Stack::start(Some(format!("http://127.0.0.1:{dead}"))).await,
        Preset::default(),
    )
    .await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    let error = e.text("[data-testid=login-error]").await;
    assert!(error.contains("cannot be reached"), "{error}");
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_out_revokes_and_clears_then_shows_login() {
    let e = E2e::start(Preset::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    e.wait_for("[data-testid=logout]")
        .await
        .click()
        .await
        .expect("click");
    let reason = e.text("[data-testid=login-reason]").await;
    assert!(reason.contains("logged out"), "{reason}");
    e.eventually("the token is revoked on the platform", || async {
        e.sim.api.live_token_ids("pilot").is_empty()
    })
    .await;
    assert!(!e.modules().await.contains(&"api".to_owned()));
    assert_eq!(e.page_token().await, None);
    assert_contract_order(&e.calls().await, false);
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_ends_the_session_then_asks_pilot_to_close_the_page() {
    let e = E2e::start(Preset::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    e.click("[data-testid=exit]").await;
    e.wait_closed().await;
    e.eventually("the token is revoked on the platform", || async {
        e.sim.api.live_token_ids("pilot").is_empty()
    })
    .await;
    // reopened: nobody is signed in
    e.open().await;
    e.wait_for("[data-testid=login-form]").await;
    assert!(!e.modules().await.contains(&"api".to_owned()));
    assert_eq!(e.page_token().await, None);
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_bridge_the_page_says_to_open_it_in_pilot() {
    let e = E2e::start(Preset {
        no_bridge: true,
        ..Preset::default()
    })
    .await;
    e.open().await;
    let text = e.text("[data-testid=not-in-pilot]").await;
    assert!(text.contains("Cloud Service → Open Platforms"), "{text}");
    // the simulated Pilot 2 takes over on request
    e.wait_for("[data-testid=use-emulator]")
        .await
        .click()
        .await
        .expect("click");
    e.wait_for("[data-testid=login-form]").await;
    assert_contract_order(&e.calls().await, false);
    e.quit().await;
}
