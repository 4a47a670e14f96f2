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
    assert!(
        e.saw_early_login_form().await,
        "index.html drew the login form before the wasm"
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

/// The page's two login forms: index.html's, drawn before any wasm, and the wasm's.
const EARLY: &str = "[data-testid=early-login]";
const EARLY_USERNAME: &str = "[data-testid=early-login] #username";
const EARLY_PASSWORD: &str = "[data-testid=early-login] #password";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_form_shows_before_the_wasm_and_a_login_sent_there_goes_through_once() {
    let e = E2e::start(Preset::default()).await;
    e.hold_the_wasm().await;
    e.open().await;
    e.wait_for(EARLY_PASSWORD).await;
    assert_eq!(
        e.js("return document.querySelectorAll('[data-testid=login-form], [data-testid=starting]').length").await,
        0,
        "no wasm screen yet"
    );
    assert_eq!(e.text(&format!("{EARLY} h1")).await, "Log in");
    assert_eq!(
        e.js("return [].map.call(document.querySelectorAll('[data-testid=early-login] label, [data-testid=early-login] button'), function (x) { return x.textContent; })").await,
        json!(["Username", "Password", "Log in"])
    );
    let platform = e.js("return JSON.parse(document.getElementById('pilot-portal-config').textContent).platform_name").await;
    assert_eq!(
        json!(e.text(&format!("{EARLY} .muted")).await),
        platform,
        "the platform's name, as the wasm's form shows it"
    );
    // Sent before the wasm: held, not lost, not sent twice, never in the URL.
    let user = e.wait_for(EARLY_USERNAME).await;
    user.send_keys("pilot").await.expect("type");
    let pass = e.wait_for(EARLY_PASSWORD).await;
    pass.send_keys("pilot123").await.expect("type");
    pass.send_keys(thirtyfour::Key::Enter).await.expect("enter");
    assert_eq!(
        e.js("var b = document.querySelector('[data-testid=early-login] button'); return [b.disabled, b.textContent, location.search, document.querySelectorAll('[data-testid=login-form]').length]").await,
        json!([true, "Loading…", "", 0]),
        "the early form holds the login until the wasm is there, and says so"
    );
    assert!(
        e.api_requests().await.is_empty(),
        "nothing sent before the wasm"
    );
    e.release_the_wasm().await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    assert!(
        e.saw_login_form().await,
        "the wasm's form took the login over"
    );
    let logins = e
        .api_requests()
        .await
        .into_iter()
        .filter(|u| u.ends_with("/api/auth/login"))
        .count();
    assert_eq!(logins, 1, "the login was sent once");
    assert_eq!(e.sim.api.live_token_ids("pilot").len(), 1);
    assert_contract_order(&e.calls().await, false);
    assert_eq!(
        e.js("return document.querySelectorAll('[data-testid=early-login], #boot').length")
            .await,
        0,
        "the early form is gone"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_typed_before_the_wasm_and_the_focus_carry_over_in_the_pilots_language_in_place() {
    let e = E2e::start(Preset::default()).await;
    e.hold_the_wasm().await;
    e.driver
        .goto(&format!("{}/?lang=ru", e.base))
        .await
        .expect("navigate");
    e.wait_for(EARLY_PASSWORD).await;
    assert_eq!(e.text(&format!("{EARLY} h1")).await, "Вход");
    assert_eq!(e.text(&format!("{EARLY} button")).await, "Войти");
    let user = e.wait_for(EARLY_USERNAME).await;
    user.send_keys("pilot").await.expect("type");
    // Incomplete: not held for the wasm; the cursor goes to what is missing.
    user.send_keys(thirtyfour::Key::Enter).await.expect("enter");
    assert_eq!(
        e.js("return [document.querySelector('[data-testid=early-login] button').disabled, document.activeElement.id]").await,
        json!([false, "password"])
    );
    let pass = e.wait_for(EARLY_PASSWORD).await;
    pass.send_keys("pilot1").await.expect("type");
    // Sent, then typed on: the held login is not sent with half a password.
    pass.send_keys(thirtyfour::Key::Enter).await.expect("enter");
    let button = format!("{EARLY} button");
    assert_eq!(e.text(&button).await, "Загрузка…");
    pass.send_keys("2").await.expect("type");
    assert_eq!(
        e.js("var b = document.querySelector('[data-testid=early-login] button'); return [b.disabled, b.textContent]").await,
        json!([false, "Войти"])
    );
    let top = "return Math.round(document.activeElement.getBoundingClientRect().top)";
    let early_top = e.js(top).await;
    e.release_the_wasm().await;
    e.wait_for("[data-testid=login-form]").await;
    assert_eq!(
        e.js("return [document.querySelector('[data-testid=username]').value, document.querySelector('[data-testid=password]').value, document.activeElement.getAttribute('data-testid'), document.querySelectorAll('[data-testid=early-login]').length]").await,
        json!(["pilot", "pilot12", "password", 0]),
        "the wasm's form has what was typed, and the cursor where it was"
    );
    assert_eq!(e.js(top).await, early_top, "the field did not move");
    assert!(e.api_requests().await.is_empty(), "nothing was sent");
    // typing goes on in the wasm's form, which knows all of it
    let pass = e.wait_for("[data-testid=password]").await;
    pass.send_keys("3").await.expect("type");
    pass.send_keys(thirtyfour::Key::Enter).await.expect("enter");
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pilot_who_tapped_away_from_the_early_form_gets_no_keyboard_at_the_hand_over() {
    let e = E2e::start(Preset::default()).await;
    e.hold_the_wasm().await;
    e.open().await;
    let user = e.wait_for(EARLY_USERNAME).await;
    user.send_keys("pilot").await.expect("type");
    // a tap beside the fields: the focus, and on a controller the keyboard, go away
    e.wait_for(&format!("{EARLY} h1"))
        .await
        .click()
        .await
        .expect("tap");
    assert_eq!(
        e.js("return document.activeElement.tagName").await,
        json!("BODY")
    );
    e.release_the_wasm().await;
    e.wait_for("[data-testid=login-form]").await;
    assert_eq!(
        e.js("return [document.querySelector('[data-testid=username]').value, document.activeElement.tagName]").await,
        json!(["pilot", "BODY"]),
        "what was typed carries over, and no field takes the focus back (a keyboard over the screen)"
    );
    e.quit().await;
}

/// The wasm's download fails with a password typed in the early form: the page says it could
/// not start, and the password is not kept in the form that went.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_download_leaves_no_password_in_the_early_form() {
    let e = E2e::start(Preset::default()).await;
    e.block_urls(&["*.wasm"]).await;
    e.hold_the_wasm().await;
    e.open().await;
    e.wait_for(EARLY_PASSWORD)
        .await
        .send_keys("pilot123")
        .await
        .expect("type");
    e.js("window.__typed = document.querySelector('[data-testid=early-login] #password'); return true")
        .await;
    e.release_the_wasm().await;
    e.wait_for("#boot.failed").await;
    assert_eq!(
        e.js("return [window.__typed.value, window.__typed.isConnected]")
            .await,
        json!(["", false])
    );
    e.quit().await;
}

/// What Pilot 2's `apiGetToken` may answer with nothing stored (DJI does not say): the loader
/// reads each as the wasm does, so the early form shows and the wasm's form follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reply_that_means_no_token_gets_the_early_form_and_the_token_asked_once() {
    let e = E2e::start(Preset::default()).await;
    for reply in ["%7B%7D", "null", "%20%20", "%7B%7D%20"] {
        e.driver
            // the `api` module loaded, holding nothing
            .goto(&format!(
                "{}/?emulator-token=&emulator-no-token-reply={reply}",
                e.base
            ))
            .await
            .expect("navigate");
        e.wait_for("[data-testid=login-form]").await;
        assert!(e.saw_early_login_form().await, "{reply}: the early form");
        let calls = e.calls().await;
        assert_eq!(start_calls(&calls, "apiGetToken"), 1, "{reply}: {calls:?}");
        assert_eq!(
            start_calls(&calls, "platformVerifyLicense"),
            1,
            "{reply}: {calls:?}"
        );
    }
    e.login("pilot", "pilot123").await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_license_refused_while_the_page_is_parsed_is_asked_again_and_login_goes_on() {
    let e = E2e::start(Preset {
        world: World {
            late_license: true,
            ..World::default()
        },
        ..Preset::default()
    })
    .await;
    e.open().await;
    e.wait_for("[data-testid=login-form]").await;
    assert!(
        !e.saw_early_login_form().await,
        "no early form: the loader did not see the license verified"
    );
    let calls = e.calls().await;
    let verify: Vec<i64> = calls
        .iter()
        .filter(|c| c.method == "platformVerifyLicense")
        .map(|c| c.code)
        .collect();
    assert_eq!(verify.len(), 2, "{calls:?}");
    assert_ne!(verify[0], 0, "refused while the page was parsed");
    assert_eq!(verify[1], 0, "accepted when the wasm asked");
    e.login("pilot", "pilot123").await;
    assert_eq!(e.text("[data-testid=main-user]").await, "pilot");
    assert_contract_order(&e.calls().await, false);
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
    // the emulator reserves the panel's height on its `toggle` event, which fires after
    // `open` is set: measured before it, the page's end would be under the panel
    e.eventually_true(
        "the panel is open and its height reserved",
        "var p = document.getElementById('pilot2-emulator-log'); \
         return p.open && parseFloat(document.body.style.paddingBottom) >= p.offsetHeight",
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
    // there only once the page is parsed, or there but refusing the license then (DJI does not
    // say): the same journey each way.
    for world in [
        World::default(),
        World {
            late_bridge: true,
            ..World::default()
        },
        World {
            late_license: true,
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
        assert!(!e.saw_early_login_form().await, "nor index.html's");
        // the signed-in pages' own stylesheet (style/signed-in.css) came with their bundle
        assert_eq!(
            e.js("return getComputedStyle(document.querySelector('[data-testid=main-page] .facts')).display").await,
            json!("grid"),
            "{world:?}"
        );
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
        // The main page reads this controller's SN and its aircraft's once each as it is built
        // (the panels' bundle, a start of its own, reads them again after it).
        let rc = m
            .iter()
            .position(|c| *c == "platformGetRemoteControllerSN")
            .expect("the main page reads the controller's SN");
        let panels = m[rc + 1..]
            .iter()
            .position(|c| *c == "platformGetRemoteControllerSN")
            .map_or(m.len(), |i| rc + 1 + i);
        assert_eq!(
            m[rc..panels]
                .iter()
                .filter(|c| **c == "platformGetAircraftSN")
                .count(),
            1,
            "{world:?}: {m:?}"
        );
        // The page has no copy of its own (a fresh profile): the loader asks Pilot 2 and picks
        // the signed-in bundle at once; the wasm takes the loader's replies, asking nothing
        // twice. With the bridge late, the first screen's bundle asks and hands over; with the
        // license refused while the page is parsed, the wasm asks for it again.
        for method in [
            "platformVerifyLicense",
            "platformIsVerified",
            "platformIsComponentLoaded",
            "apiGetToken",
        ] {
            let asked = if world.late_license && method == "platformVerifyLicense" {
                2
            } else {
                1
            };
            assert_eq!(
                start_calls(&calls, method),
                asked,
                "{world:?}, {method}: {m:?}"
            );
        }
        // (the panels' bundle follows the main page)
        let wasm = e.wasm_downloads().await;
        let bundles = wasm.iter().filter(|w| !w.starts_with("/panels/"));
        let expected: &[bool] = if world.late_bridge || world.late_license {
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
        // the bundles' own pages are not served: opened by hand, one broke the next starts
        let pages = e
            .js("return Promise.all(['/full/index.html', '/panels/index.html'].map(p => fetch(p).then(r => r.status)))")
            .await;
        assert_eq!(pages, serde_json::json!([404, 404]), "{world:?}");
        e.quit().await;
    }
}

/// A start that waits for nothing goes from index.html's screen straight to its own, without
/// building a start screen nobody would see (issue 12: the returning pilot's speed); one that
/// waits for the session check shows it, and index.html's "Loading…" goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_screen_shows_only_while_the_start_waits() {
    let stack = std::sync::Arc::new(Stack::start(None).await);
    let (_, token) = mint(&stack.sim, HOUR, 11 * HOUR);

    // no token: index.html's form, then the wasm's
    let e = E2e::on(stack.clone(), Preset::default()).await;
    e.hold_the_wasm().await;
    e.open().await;
    e.wait_for(EARLY_PASSWORD).await;
    e.release_the_wasm().await;
    e.wait_for("[data-testid=login-form]").await;
    assert!(
        !e.saw_start_screen().await,
        "no token: the login form at once"
    );
    e.quit().await;

    // a stored session whose check came back before the wasm ran: the main page at once
    let signed_in = Preset {
        pilot_token: Some(token),
        ..Preset::default()
    };
    let e = E2e::on(stack.clone(), signed_in.clone()).await;
    e.hold_the_wasm().await;
    e.open().await;
    e.eventually_true(
        "the loader's session check answered",
        "var b = window.__pilotPortalBootstrap; \
         if (b) b.answer.then(function () { window.__checked = true; }); \
         return !!window.__checked",
    )
    .await;
    e.release_the_wasm().await;
    e.wait_for("[data-testid=main-page]").await;
    assert!(
        !e.saw_start_screen().await,
        "a valid session: the main page at once"
    );
    e.quit().await;

    // the check on its way: the start screen, in place of index.html's "Loading…"
    let e = E2e::on(stack, signed_in).await;
    e.hold_the_session_check().await;
    e.open().await;
    e.wait_for("[data-testid=starting]").await;
    assert_eq!(
        e.js("return [!!document.getElementById('boot'), !!document.querySelector('[data-testid=main-page]')]").await,
        json!([false, false])
    );
    e.release_the_session_check().await;
    e.wait_for("[data-testid=main-page]").await;
    assert_eq!(
        e.api_requests_before_main().await.len(),
        1,
        "still the one round trip"
    );
    e.quit().await;
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
        vec!["platformVerifyLicense", "platformVerifyLicense"],
        "the loader's refusal asked again by the wasm before it is shown; nothing after it"
    );
    assert!(e.api_requests().await.is_empty());
    assert!(
        !e.saw_early_login_form().await,
        "no login form for a refused license"
    );
    // The refusal the loader got was shown once; trying again asks Pilot 2, not the old reply.
    e.click("[data-testid=retry]").await;
    e.eventually_true(
        "Try again verifies the license with Pilot 2 again",
        "return window.__pilot2Emulator.calls.filter(c => c.method === 'platformVerifyLicense').length === 3",
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
