//! Remote unlocking end to end (issue 8): the page's Flight unlocking panel, the proxy's
//! `/api/unlock` routes and its MQTT link, the real broker, and the simulated Pilot 2 as the
//! gateway answering the services on its own cloud connection.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;

const AIRCRAFT: &str = "1581F6Q8D243D00D3E9";
/// A license of the demo set that starts disabled (the China country license).
const DISABLED: &str = "240332";

/// The cloud stack (a device answers within 3 s or times out), an aircraft connected.
async fn with_aircraft() -> E2e {
    with_aircraft_waiting(3).await
}

/// [`with_aircraft`], the proxy waiting `secs` for a device.
async fn with_aircraft_waiting(secs: u64) -> E2e {
    let stack = Stack::with(Options {
        cloud: true,
        device_timeout_secs: Some(secs),
        ..Options::default()
    })
    .await;
    E2e::on(
        stack,
        Preset {
            aircraft_sn: Some(AIRCRAFT.into()),
            ..Preset::default()
        },
    )
    .await
}

async fn signed_in_with_aircraft() -> E2e {
    signed_in(with_aircraft().await).await
}

async fn signed_in(e: E2e) -> E2e {
    e.open().await;
    e.log_in_to_the_main_project("pilot", "pilot123").await;
    e.wait_for("[data-testid=cloud-state][data-state=connected]")
        .await;
    e
}

async fn license(e: &E2e, id: &str) -> thirtyfour::WebElement {
    e.wait_for(&format!(
        "[data-testid=unlock-license][data-license-id='{id}']"
    ))
    .await
}

/// Whether the panel offers Enable or Disable for any license.
async fn offers_a_switch(e: &E2e) -> bool {
    !e.driver
        .find_all(thirtyfour::By::Css("[data-testid=unlock-toggle]"))
        .await
        .expect("query")
        .is_empty()
}

/// `enabled` of an aircraft license in the simulated Pilot 2's own state.
async fn gateway_enabled(e: &E2e, id: &str) -> Option<bool> {
    let state = e.pilot_state().await;
    state["licenses"]["aircraft"].as_array()?.iter().find(|l| {
        let license = &l["common_fields"]["license_id"];
        license.as_str() == Some(id) || license.as_u64().is_some_and(|n| id.parse() == Ok(n))
    })?["common_fields"]["enabled"]
        .as_bool()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seven_kinds_are_shown_and_a_license_is_enabled_from_the_devices_reply() {
    let e = signed_in_with_aircraft().await;
    e.wait_for("[data-testid=unlock-panel]").await;
    for kind in [
        "area", "circle", "country", "altitude", "polygon", "power", "rid",
    ] {
        e.wait_for(&format!("[data-testid=unlock-group][data-type={kind}]"))
            .await;
    }
    // consistence is false in the demo set: the banner says so
    e.wait_for("[data-testid=unlock-consistence-banner]").await;

    let row = license(&e, DISABLED).await;
    assert_eq!(
        row.attr("data-enabled").await.expect("attr").as_deref(),
        Some("false")
    );
    row.find(thirtyfour::By::Css("[data-testid=unlock-toggle]"))
        .await
        .expect("toggle")
        .click()
        .await
        .expect("click");
    let question = e.text("[data-testid=unlock-question]").await;
    assert!(question.contains("China"), "names the license: {question}");
    assert_eq!(
        e.count("[data-testid=unlock-validity-warning]").await,
        0,
        "a valid license's question warns of nothing"
    );
    e.click("[data-testid=unlock-confirm]").await;
    e.wait_for(&format!(
        "[data-testid=unlock-license][data-license-id='{DISABLED}'][data-enabled=true]"
    ))
    .await;
    assert_eq!(
        gateway_enabled(&e, DISABLED).await,
        Some(true),
        "the gateway's state changed"
    );

    // after a reload the page reads it from the device again
    e.open().await;
    e.wait_for(&format!(
        "[data-testid=unlock-license][data-license-id='{DISABLED}'][data-enabled=true]"
    ))
    .await;
    // and the audit says who changed it
    let change = e
        .text(&format!(
            "[data-testid=unlock-license][data-license-id='{DISABLED}'] [data-testid=unlock-last-change]"
        ))
        .await;
    assert!(change.contains("pilot"), "{change}");

    // enabling a license past its validity is warned of, and "Enabled" is not green there
    let expired = "[data-testid=unlock-license][data-license-id='240331']";
    e.click(&format!("{expired} [data-testid=unlock-toggle]"))
        .await;
    let warning = e
        .text(&format!("{expired} [data-testid=unlock-validity-warning]"))
        .await;
    assert!(warning.contains("expired"), "{warning}");
    e.click(&format!("{expired} [data-testid=unlock-confirm]"))
        .await;
    let badge = e
        .wait_for(&format!(
            "{expired}[data-enabled=true] [data-testid=unlock-state]"
        ))
        .await;
    let class = badge
        .attr("class")
        .await
        .expect("class")
        .unwrap_or_default();
    assert!(!class.contains("ok"), "{class}");
    e.quit().await;
}

/// A new read of the licenses keeps the rows it lists unchanged: the question a pilot opened
/// on one stays open across Refresh (and across the read after an update).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_question_outlives_a_new_read_of_the_licenses() {
    let e = signed_in_with_aircraft().await;
    let row = format!("[data-testid=unlock-license][data-license-id='{DISABLED}']");
    e.click(&format!("{row} [data-testid=unlock-toggle]")).await;
    e.wait_for(&format!("{row} [data-testid=unlock-question]"))
        .await;
    let lists = || async {
        e.api_requests()
            .await
            .iter()
            .filter(|r| r.contains("/api/unlock/licenses"))
            .count()
    };
    let before = lists().await;
    e.click("[data-testid=unlock-refresh]").await;
    e.eventually("the licenses were read again", || async {
        lists().await > before
            && e.count("[data-testid=unlock-panel] [data-testid=refreshing]")
                .await
                == 0
    })
    .await;
    assert_eq!(
        e.count(&format!("{row} [data-testid=unlock-question]"))
            .await,
        1,
        "the question is still open"
    );
    // and across a language change, which builds the panel anew
    e.click("[data-testid=lang][data-lang=ru]").await;
    e.wait_for(&format!("{row} [data-testid=unlock-question]"))
        .await;
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_with_a_good_then_a_damaged_file() {
    let e = signed_in_with_aircraft().await;
    e.wait_for("[data-testid=unlock-update]").await;
    e.click("[data-testid=unlock-update]").await;
    e.wait_for("[data-testid=unlock-update-outcome][data-outcome=updated]")
        .await;
    // the aircraft now matches what was approved: no banner
    assert!(
        e.pilot_state().await["licenses"]["consistence"]
            .as_bool()
            .unwrap_or(false),
        "the gateway imported the file"
    );

    // a damaged download: the MD5 the proxy gave does not match what the gateway got
    e.js("window.__pilot2Emulator.setGateway('corrupt')").await;
    e.click("[data-testid=unlock-update]").await;
    e.wait_for("[data-testid=unlock-update-outcome][data-code=fingerprint_mismatch]")
        .await;
    e.quit().await;
}

/// A switch waiting for the device and an update's outcome across a language change: the
/// panel built anew says the switch is under way, then shows the device's answer, and still
/// says the licenses were updated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switch_and_an_update_outlive_a_language_change() {
    let e = signed_in(with_aircraft_waiting(20).await).await;
    let row = format!("[data-testid=unlock-license][data-license-id='{DISABLED}']");
    e.wait_for(&row).await;
    // the device answers 8 s after it is asked, and the next list at once
    e.js("window.__pilot2Emulator.setGateway('slow', 8000)")
        .await;
    e.click("[data-testid=unlock-update]").await;
    e.click(&format!("{row} [data-testid=unlock-toggle]")).await;
    e.click(&format!("{row} [data-testid=unlock-confirm]"))
        .await;
    // the switch done by the device (slow to answer, not to act) before it is made quick again
    e.eventually("the device switched", || async {
        gateway_enabled(&e, DISABLED).await == Some(true)
    })
    .await;
    e.js("window.__pilot2Emulator.setGateway('normal')").await;
    e.click("[data-testid=lang][data-lang=ru]").await;
    e.eventually_true(
        "the panel built anew says the switch is under way",
        &format!(
            "const t = document.querySelector(\"{row} [data-testid=unlock-toggle]\"); \
             return !!t && t.disabled"
        ),
    )
    .await;
    e.eventually_true(
        "then the device's answer",
        &format!(
            "const t = document.querySelector(\"{row}[data-enabled=true] [data-testid=unlock-toggle]\"); \
             return !!t && !t.disabled"
        ),
    )
    .await;
    e.wait_for("[data-testid=unlock-update-outcome][data-outcome=updated]")
        .await;
    e.quit().await;
}

/// An update or a switch tried offline is not done: once the network is back, the panel says
/// so (its "no connection" no longer fits) and Try again does it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_tried_offline_is_said_not_done_when_the_network_is_back() {
    let e = signed_in_with_aircraft().await;
    let row = format!("[data-testid=unlock-license][data-license-id='{DISABLED}']");
    e.wait_for(&row).await;
    e.emulate_network(true, 0).await;
    e.click("[data-testid=unlock-update]").await;
    e.wait_for("[data-testid=unlock-update-outcome]").await;
    e.click(&format!("{row} [data-testid=unlock-toggle]")).await;
    e.click(&format!("{row} [data-testid=unlock-confirm]"))
        .await;
    e.wait_for(&format!("{row} [data-testid=unlock-error]"))
        .await;
    e.emulate_network(false, 0).await;
    e.wait_for(&format!("{row} [data-testid=unlock-missed]"))
        .await;
    e.wait_for("[data-testid=unlock-update-missed]").await;
    assert_eq!(gateway_enabled(&e, DISABLED).await, Some(false), "not done");

    e.click(&format!("{row} [data-testid=retry]")).await;
    e.wait_for(&format!("{row}[data-enabled=true]")).await;
    assert_eq!(gateway_enabled(&e, DISABLED).await, Some(true));
    e.click("[data-testid=unlock-update-missed] ~ [data-testid=retry]")
        .await;
    e.wait_for("[data-testid=unlock-update-outcome][data-outcome=updated]")
        .await;
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_gateway_gives_the_timeout_message_and_a_working_retry() {
    let e = signed_in_with_aircraft().await;
    e.wait_for("[data-testid=unlock-license]").await;
    e.js("window.__pilot2Emulator.setGateway('silent')").await;
    let lists = |requests: Vec<String>| {
        requests
            .iter()
            .filter(|r| r.contains("/api/unlock/licenses"))
            .count()
    };
    let before = lists(e.api_requests().await);
    e.click("[data-testid=unlock-refresh]").await;
    // the 3 s the device is waited for: said, the licenses still listed
    e.wait_for("[data-testid=unlock-panel] [data-testid=refreshing]")
        .await;
    assert!(
        e.count("[data-testid=unlock-license]").await > 0,
        "the licenses stay listed while they are read again"
    );
    let error = e
        .wait_for("[data-testid=unlock-error][data-code=device_timeout]")
        .await;
    assert!(!error.text().await.expect("text").is_empty());
    // the proxy's own 504 is an answer: asked once, not again and again
    assert_eq!(lists(e.api_requests().await), before + 1);
    // a failed refresh keeps the licenses read before on screen, saying when they were read
    assert!(
        e.count("[data-testid=unlock-license]").await > 0,
        "the licenses read before are still shown"
    );
    e.wait_for("[data-testid=unlock-panel] [data-testid=shown-as-read]")
        .await;
    e.js("window.__pilot2Emulator.setGateway('normal')").await;
    e.click("[data-testid=unlock-panel] [data-testid=retry]")
        .await;
    e.eventually_true(
        "the refresh's failure is gone once it worked",
        "return !document.querySelector('[data-testid=refresh-failed]') \
         && !document.querySelector('[data-testid=unlock-panel] [data-testid=refreshing]') \
         && !!document.querySelector('[data-testid=unlock-license]')",
    )
    .await;
    assert_eq!(lists(e.api_requests().await), before + 2);
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_aircraft_the_panel_offers_nothing_that_would_fail() {
    let stack = Stack::with(Options {
        cloud: true,
        ..Options::default()
    })
    .await;
    let e = E2e::on(stack, Preset::default()).await;
    e.open().await;
    e.log_in_to_the_main_project("pilot", "pilot123").await;
    e.wait_for("[data-testid=unlock-no-aircraft]").await;
    assert!(!offers_a_switch(&e).await);
    assert!(
        !e.api_requests()
            .await
            .iter()
            .any(|r| r.contains("/api/unlock/")),
        "nothing asked of a controller without an aircraft"
    );
    // the aircraft switched on later: the panel follows the Cloud panel, no Refresh tapped
    e.js(&format!(
        "window.__pilot2Emulator.setAircraft('{AIRCRAFT}')"
    ))
    .await;
    e.wait_for("[data-testid=unlock-license]").await;
    // and switched off: nothing is offered for an aircraft that is not there
    e.js("window.__pilot2Emulator.setAircraft('')").await;
    e.wait_for("[data-testid=unlock-no-aircraft]").await;
    assert!(!offers_a_switch(&e).await);
    e.quit().await;
}

/// In a workspace this controller is not in, the list's refusal says why, once: no update is
/// offered that would be refused the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_outside_the_workspace_is_offered_no_update() {
    let e = with_aircraft().await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    // Forest Fire Watch: no devices
    e.click("[data-testid=workspace-item][data-uuid='5e8d2a6b-9c1f-4e3a-8b7d-0c2e4f6a8b1d']")
        .await;
    e.wait_for("[data-testid=unlock-error][data-code=device_forbidden]")
        .await;
    assert_eq!(e.count("[data-testid=unlock-update]").await, 0);
    assert_eq!(
        e.count("[data-testid=unlock-panel] [role=alert]").await,
        1,
        "said once"
    );
    e.quit().await;
}

/// Pilot 2 may report the cloud connected a moment before the proxy hears the controller's
/// first status: the list refused then as "not online" is read again by itself (here the
/// first answer is made to be that refusal), not left contradicting "Connected" above it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_refused_as_offline_while_connected_is_read_again_by_itself() {
    let e = with_aircraft().await;
    e.before_every_page(
        r#"(function () {
  var first = true, fetch = window.fetch;
  window.fetch = function (input) {
    var url = typeof input === "string" ? input : input.url;
    if (first && url.indexOf("/api/unlock/licenses") >= 0) {
      first = false;
      var body = { error: { code: "device_offline", message: "The remote controller is not connected to the platform." } };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 409, headers: { "content-type": "application/json" } }));
    }
    return fetch.apply(this, arguments);
  };
})();"#,
    )
    .await;
    e.open().await;
    e.log_in_to_the_main_project("pilot", "pilot123").await;
    e.wait_for("[data-testid=cloud-state][data-state=connected]")
        .await;
    e.wait_for("[data-testid=unlock-error]").await;
    e.wait_for("[data-testid=unlock-group]").await;
    assert_eq!(e.count("[data-testid=unlock-error]").await, 0);
    e.quit().await;
}
