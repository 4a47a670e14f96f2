//! Access tokens end to end (issue 9), in headless Chromium against the release build: two
//! simulated controllers of one pilot see each other's tokens, one revokes the other (whose
//! next start says its access was revoked), and a token for another tool is shown once,
//! copied, and works on the platform only within its methods.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::{json, Value};
use support::*;

const SN_A: &str = "RCA0001A";
const SN_B: &str = "RCB0002B";

fn controller(sn: &str) -> Preset {
    Preset {
        rc_sn: Some(sn.to_owned()),
        ..Preset::default()
    }
}

/// The token rows of the panel: `(id, name, current, expired)`, in the order shown.
async fn rows(e: &E2e) -> Vec<(String, String, bool, bool)> {
    let v = e
        .js("return [...document.querySelectorAll('[data-testid=token]')].map(r => [r.dataset.id, r.querySelector('[data-testid=token-name]').textContent, r.dataset.current === 'true', r.dataset.expired === 'true'])")
        .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap_or("").to_owned(),
                        r[1].as_str().unwrap_or("").to_owned(),
                        r[2].as_bool().unwrap_or(false),
                        r[3].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn signed_in(e: &E2e) {
    e.open().await;
    e.login("pilot", "pilot123").await;
    e.wait_for("[data-testid=main-page]").await;
    e.wait_for("[data-testid=tokens-panel]").await;
}

/// A direct call to the simulated platform with `token`: the HTTP status.
async fn on_platform(e: &E2e, method: &str, path: &str, token: &str) -> u16 {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", e.sim.base_url());
    let request = match method {
        "GET" => client.get(url),
        _ => client
            .post(url)
            .json(&json!({"name": "x", "expiresIn": "1 day"})),
    };
    request
        .bearer_auth(token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_controllers_one_revokes_the_other_and_a_token_is_shown_once() {
    let a = E2e::start(controller(SN_A)).await;
    signed_in(&a).await;
    let b = a.another(controller(SN_B)).await;
    signed_in(&b).await;

    // A's list: both controllers, A's marked, soonest to expire first
    a.click("[data-testid=tokens-refresh]").await;
    let name_a = format!("Pilot 2 · {SN_A}");
    let name_b = format!("Pilot 2 · {SN_B}");
    a.eventually("both controllers are listed", || async {
        rows(&a).await.len() == 2
    })
    .await;
    let list = rows(&a).await;
    let row_a = list.iter().find(|r| r.1 == name_a).expect("A listed");
    let row_b = list.iter().find(|r| r.1 == name_b).expect("B listed");
    assert!(row_a.2 && !row_b.2, "A is this controller: {list:?}");
    assert_eq!(
        a.text("[data-testid=token][data-current=true] [data-testid=token-this-controller]")
            .await,
        "this controller"
    );
    assert!(row_a.0 != row_b.0 && list.iter().all(|r| !r.3), "{list:?}");
    let expiry = a.text("[data-testid=token-expiry]").await;
    assert!(expiry.starts_with("in "), "relative and absolute: {expiry}");

    // A revokes B, after a question naming it
    let b_id = row_b.0.clone();
    let row = format!("[data-testid=token][data-id='{b_id}']");
    a.click(&format!("{row} [data-testid=token-revoke]")).await;
    let question = a
        .text(&format!("{row} [data-testid=token-revoke-question]"))
        .await;
    assert!(question.contains(&name_b), "{question}");
    a.click(&format!("{row} [data-testid=token-revoke-confirm]"))
        .await;
    a.eventually("B is gone from A's list", || async {
        rows(&a).await.iter().all(|r| r.0 != b_id)
    })
    .await;
    assert!(
        a.sim.api.record(&b_id).is_some_and(|r| r.revoked),
        "revoked on the platform"
    );

    // B's next start: the login page says why
    b.open().await;
    let reason = b.text("[data-testid=login-reason]").await;
    assert!(
        reason.contains("this controller's access was revoked")
            || reason.contains("This controller's access was revoked"),
        "{reason}"
    );
    assert_eq!(b.page_token().await, None, "B's token is forgotten");
    // once B tries again, only that try's outcome is said
    b.login("pilot", "wrong-password").await;
    b.wait_for("[data-testid=login-error]").await;
    assert!(
        !b.wait_for("[data-testid=login-reason]")
            .await
            .is_displayed()
            .await
            .expect("displayed"),
        "the revoked notice beside 'wrong password'"
    );

    // A issues a token for another tool; what is wrong is named first, field by field
    a.click("[data-testid=new-token]").await;
    a.click("[data-testid=new-token-issue]").await;
    let said = |words: &str| {
        format!(
            "const e = document.querySelector('[data-testid=new-token-invalid]'); \
             return !!e && e.textContent.includes({words:?});"
        )
    };
    a.eventually_true("the name is asked for", &said("Give the token a name"))
        .await;
    a.wait_for("[data-testid=new-token-name]")
        .await
        .send_keys("Laptop GS")
        .await
        .expect("type");
    a.click("[data-testid=new-token-lifetime] option[value='custom']")
        .await;
    a.wait_for("[data-testid=new-token-custom-lifetime]")
        .await
        .send_keys("2 weeks")
        .await
        .expect("type");
    a.click("[data-testid=new-token-issue]").await;
    a.eventually_true("the lifetime is explained", &said("number and a unit"))
        .await;
    a.click("[data-testid=new-token-lifetime] option[value='7 days']")
        .await;
    // the form built anew in another language shows the lifetime it will ask for
    kept_across_languages(&a, "[data-testid=new-token-lifetime]", "7 days").await;
    a.click("[data-testid=new-token-issue]").await;
    a.eventually_true("a method is asked for", &said("Pick at least one method"))
        .await;
    // a method A's own token may not grant: the platform's 403, worded for the form
    a.click("[data-testid=scope-choice][data-scope='GET /objects']")
        .await;
    a.click("[data-testid=new-token-issue]").await;
    let refused = a.text("[data-testid=new-token-error]").await;
    assert!(
        refused.contains("refused to issue a token with these methods"),
        "{refused}"
    );
    assert!(
        refused.ends_with("Not in this controller's own access: GET /objects"),
        "and names the method its own token lacks: {refused}"
    );
    assert!(
        a.js("return !document.querySelector('[data-testid=new-token-invalid]')")
            .await
            .as_bool()
            .unwrap_or(false),
        "no stale field message"
    );
    a.click("[data-testid=scope-choice][data-scope='GET /objects']")
        .await;
    a.click("[data-testid=scope-choice][data-scope='GET /tokens']")
        .await;
    // a try met offline: its "no connection" goes with the network's return
    a.emulate_network(true, 0).await;
    a.click("[data-testid=new-token-issue]").await;
    a.wait_for("[data-testid=new-token-error]").await;
    a.emulate_network(false, 0).await;
    a.eventually_true(
        "the offline failure is gone with the network's return",
        "return !document.querySelector('[data-testid=new-token-error]')",
    )
    .await;
    // and the form says the token was not issued, nothing more
    a.wait_for("[data-testid=new-token-missed]").await;
    assert_eq!(a.count("[data-testid=new-token-value]").await, 0);
    a.click("[data-testid=new-token-issue]").await;
    let value = a
        .wait_for("[data-testid=new-token-value]")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(value.len() > 20, "{value}");
    let warning = a.text("[data-testid=new-token-warning]").await;
    assert!(warning.contains("will not be shown again"), "{warning}");
    // a language change rebuilds the panels: the value shown once is not lost with it
    kept_across_languages(&a, "[data-testid=new-token-value]", &value).await;

    // Copy: to the clipboard where the WebView allows it, else the value is selected
    let _ = a
        .driver
        .cdp()
        .send_raw(
            "Browser.grantPermissions",
            json!({"origin": a.base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
        )
        .await;
    a.click("[data-testid=new-token-copy]").await;
    let said = a.text("[data-testid=new-token-copied]").await;
    if said == "Copied." {
        let copied = a
            .driver
            .execute_async(
                "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, () => done(null));",
                Vec::new(),
            )
            .await
            .map(|r| r.json().clone())
            .unwrap_or(Value::Null);
        assert_eq!(
            copied.as_str(),
            Some(value.as_str()),
            "the clipboard holds it"
        );
    } else {
        assert!(said.starts_with("Selected"), "{said}");
        let selected = a
            .js("const i = document.querySelector('[data-testid=new-token-value]'); return i.value.substring(i.selectionStart, i.selectionEnd)")
            .await;
        assert_eq!(
            selected.as_str(),
            Some(value.as_str()),
            "the value is selected"
        );
    }

    // the platform accepts it, within its methods only
    assert_eq!(on_platform(&a, "GET", "/api/v1/tokens", &value).await, 200);
    assert_eq!(on_platform(&a, "POST", "/api/v1/tokens", &value).await, 403);

    // listed by name; the value is gone once the box closes, and never listed
    a.eventually("the new token is listed", || async {
        rows(&a).await.iter().any(|r| r.1 == "Laptop GS")
    })
    .await;
    a.click("[data-testid=new-token-done]").await;
    let page = a
        .js("return document.documentElement.outerHTML + document.body.innerText")
        .await;
    assert!(
        !page.as_str().unwrap_or("").contains(&value),
        "the value is not on the page any more"
    );
    a.open().await;
    a.wait_for("[data-testid=tokens]").await;
    let page = a
        .js("return document.documentElement.outerHTML + document.body.innerText")
        .await;
    assert!(!page.as_str().unwrap_or("").contains(&value));
    b.quit().await;
    a.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_this_controllers_own_token_logs_out_saying_so() {
    let a = E2e::start(controller(SN_A)).await;
    signed_in(&a).await;
    let row = "[data-testid=token][data-current=true]";
    a.click(&format!("{row} [data-testid=token-revoke]")).await;
    let question = a
        .text(&format!("{row} [data-testid=token-revoke-question]"))
        .await;
    assert!(question.contains("logged out here"), "{question}");
    a.click(&format!("{row} [data-testid=token-revoke-confirm]"))
        .await;
    let reason = a.text("[data-testid=login-reason]").await;
    assert!(
        reason.contains("You revoked this controller's access"),
        "{reason}"
    );
    assert_eq!(a.page_token().await, None);
    assert!(!a.modules().await.contains(&"api".to_owned()));
    assert!(a.sim.api.live_token_ids("pilot").is_empty());
    a.quit().await;
}

/// Another pilot's token is listed (the list is the project's) but is not this pilot's to
/// revoke: said in its own row, however long the list. A form without methods says so once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_pilots_token_says_why_in_its_own_row() {
    let a = E2e::start(controller(SN_A)).await;
    signed_in(&a).await;
    let now = pilot_portal_sim::token_api::now_ms();
    let (other, _) = a.sim.api.mint_unbound("copilot", now, now + 3_600_000);
    a.click("[data-testid=tokens-refresh]").await;
    let row = format!("[data-testid=token][data-id='{other}']");
    a.click(&format!("{row} [data-testid=token-revoke]")).await;
    a.click(&format!("{row} [data-testid=token-revoke-confirm]"))
        .await;
    let said = a
        .text(&format!("{row} [data-testid=token-revoke-error]"))
        .await;
    assert!(said.contains("belongs to another pilot"), "{said}");
    assert!(
        a.sim.api.record(&other).is_some_and(|r| !r.revoked),
        "still live"
    );

    a.click("[data-testid=new-token]").await;
    a.wait_for("[data-testid=new-token-name]")
        .await
        .send_keys("GS")
        .await
        .expect("type");
    // nor is a form being filled
    kept_across_languages(&a, "[data-testid=new-token-name]", "GS").await;
    a.click("[data-testid=new-token-issue]").await;
    a.eventually_true(
        "no method: said once, as the form's problem",
        "return !!document.querySelector('[data-testid=new-token-invalid]') && [...document.querySelectorAll('[data-testid=new-token-form] p')].filter(p => p.textContent.includes('Pick at least one method')).length === 1",
    )
    .await;
    a.quit().await;
}

/// A token issued while the language changes: the panel built anew says it is being issued,
/// then shows its value (once) and lists it; the pilot is not left to issue a second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_issued_across_a_language_change_is_shown_in_the_new_one() {
    let a = E2e::start(controller(SN_A)).await;
    signed_in(&a).await;
    a.click("[data-testid=new-token]").await;
    a.wait_for("[data-testid=new-token-name]")
        .await
        .send_keys("Tablet GS")
        .await
        .expect("type");
    a.click("[data-testid=scope-choice][data-scope='GET /tokens']")
        .await;
    a.emulate_network(false, 1_500).await;
    a.click("[data-testid=new-token-issue]").await;
    a.click("[data-testid=lang][data-lang=ru]").await;
    a.eventually_true(
        "the new panel says the token is being issued",
        "const b = document.querySelector('[data-testid=new-token-issue]'); return !!b && b.disabled",
    )
    .await;
    a.emulate_network(false, 0).await;
    let value = a
        .wait_for("[data-testid=new-token-value]")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(value.len() > 20, "{value}");
    assert_eq!(
        a.text("[data-testid=new-token-issued-name]").await,
        "Tablet GS"
    );
    a.wait_for("[data-testid=token] [data-testid=token-name]")
        .await;
    a.eventually_true(
        "the new token is listed",
        "return [...document.querySelectorAll('[data-testid=token-name]')].some(e => e.textContent === 'Tablet GS')",
    )
    .await;
    assert_eq!(
        a.count("[data-testid=new-token-form]").await,
        0,
        "the form closed"
    );
    a.quit().await;
}

/// A read of the list keeps the rows it lists unchanged: the revoke question a pilot opened
/// stays open while the list is read again (after a refresh, an issue, another's revoke), and
/// the new token is added beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_revoke_question_outlives_a_new_read_of_the_list() {
    let a = E2e::start(controller(SN_A)).await;
    signed_in(&a).await;
    let mine = "[data-testid=token][data-current=true]";
    a.click(&format!("{mine} [data-testid=token-revoke]")).await;
    a.wait_for(&format!("{mine} [data-testid=token-revoke-question]"))
        .await;
    let now = pilot_portal_sim::token_api::now_ms();
    let (other, _) = a.sim.api.mint_unbound("copilot", now, now + 3_600_000);
    a.click("[data-testid=tokens-refresh]").await;
    a.wait_for(&format!("[data-testid=token][data-id='{other}']"))
        .await;
    assert_eq!(
        a.count(&format!("{mine} [data-testid=token-revoke-question]"))
            .await,
        1,
        "the question is still open"
    );
    // and across a language change, which builds the panel anew
    a.click("[data-testid=lang][data-lang=ru]").await;
    a.wait_for(&format!("{mine} [data-testid=token-revoke-question]"))
        .await;
    a.quit().await;
}

/// A session revoked elsewhere while this controller shows the main page ends at the next
/// read of any panel, not only the Access tokens one: the login page says why, nothing kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_revoked_elsewhere_ends_at_the_cloud_panels_next_read() {
    let a = E2e::start(controller(SN_A)).await;
    signed_in(&a).await;
    revoke_everywhere(&a);
    a.click("[data-testid=cloud-panel] [data-testid=refresh]")
        .await;
    let reason = a.text("[data-testid=login-reason]").await;
    assert!(reason.contains("access was revoked"), "{reason}");
    assert_eq!(a.page_token().await, None, "the token is forgotten");
    assert!(!a.modules().await.contains(&"api".to_owned()));
    assert!(!a.modules().await.contains(&"thing".to_owned()));
    a.quit().await;
}

/// Revokes every live token of the demo pilot on the platform, as another controller would.
fn revoke_everywhere(e: &E2e) {
    for id in e.sim.api.live_token_ids("pilot") {
        assert!(e.sim.api.revoke("pilot", &id));
    }
}

/// Switches to Russian and back: the field `css` holds `value` in each.
async fn kept_across_languages(e: &E2e, css: &str, value: &str) {
    for lang in ["ru", "en"] {
        e.click(&format!("[data-testid=lang][data-lang={lang}]"))
            .await;
        let shown = e.wait_for(css).await.prop("value").await.expect("value");
        assert_eq!(shown.as_deref(), Some(value), "{css} in {lang}");
    }
}
