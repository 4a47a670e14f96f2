//! Connected end to end: login → workspace (a FlightHub 2 project) → Pilot 2's cloud module
//! on a real MQTT broker; reopening goes straight through; operator and network failures.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use pilot_portal_sim::faults::Fault;
use pilot_portal_sim::flighthub::MAIN_PROJECT;
use support::*;
use thirtyfour::prelude::*;

async fn cloud_stack(options: Options) -> E2e {
    E2e::on(
        Stack::with(Options {
            cloud: true,
            ..options
        })
        .await,
        Preset::default(),
    )
    .await
}

async fn choose_main_project(e: &E2e) {
    e.wait_for("[data-testid=workspace-list]").await;
    let search = e.wait_for("[data-testid=workspace-search]").await;
    search.send_keys("bridge").await.expect("type");
    let item = e
        .wait_for(&format!(
            "[data-testid=workspace-item][data-uuid='{MAIN_PROJECT}']"
        ))
        .await;
    let shown = e
        .driver
        .find_all(By::Css("[data-testid=workspace-item]"))
        .await
        .expect("items");
    assert_eq!(shown.len(), 1, "the search narrows the list");
    assert!(item.text().await.expect("text").contains("6 devices"));
    item.click().await.expect("click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_choose_a_workspace_and_get_connected_then_reopen() {
    let e = cloud_stack(Options::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    choose_main_project(&e).await;

    assert_eq!(
        e.text("[data-testid=workspace-name]").await,
        "Shenzhen Bay Bridge Inspection"
    );
    let state = e
        .wait_for("[data-testid=cloud-state][data-state=connected]")
        .await;
    assert!(state.text().await.expect("text").contains("Connected"));
    let calls = e.calls().await;
    assert_contract_order(&calls, false);
    let ws = calls
        .iter()
        .find(|c| c.method == "platformSetWorkspaceId")
        .expect("workspace set");
    assert_eq!(ws.arg(0), MAIN_PROJECT);
    let info = calls
        .iter()
        .rfind(|c| c.method == "platformSetInformation")
        .expect("information set");
    assert_eq!(
        (info.arg(0), info.arg(1), info.arg(2)),
        (
            "Pilot Portal",
            "Shenzhen Bay Bridge Inspection",
            "Monthly cable and deck inspection"
        )
    );
    let thing = calls
        .iter()
        .find(|c| c.method == "platformLoadComponent" && c.arg(0) == "thing")
        .expect("thing loaded");
    let p = thing.param();
    let broker = e.broker.as_ref().expect("broker");
    assert_eq!(p["host"].as_str(), Some(broker.ws_url().as_str()));
    assert_eq!(
        (p["username"].as_str(), p["password"].as_str()),
        (Some(MQTT_USER), Some(MQTT_PASSWORD))
    );
    assert!(p["connectCallback"].as_str().is_some_and(|n| !n.is_empty()));
    // this controller is marked among the project's devices
    let mine = e
        .wait_for("[data-testid=device][data-sn='5YSZL260021E9W']")
        .await;
    assert_eq!(
        mine.attr("data-mine").await.expect("attr").as_deref(),
        Some("true")
    );
    assert!(e
        .text("[data-testid=aircraft]")
        .await
        .contains("No aircraft connected"));
    assert_eq!(e.text("[data-testid=flighthub-status]").await, "available");

    // Reopen: Pilot 2 still holds the token and runs the modules.
    e.open().await;
    e.wait_for("[data-testid=cloud-state][data-state=connected]")
        .await;
    assert_eq!(
        e.text("[data-testid=workspace-name]").await,
        "Shenzhen Bay Bridge Inspection"
    );
    assert!(!e.saw_login_form().await);
    let api = e.api_requests_before_main().await;
    assert_eq!(api.len(), 1, "one round trip to a connected pilot: {api:?}");
    assert!(api[0].ends_with("/api/pilot/bootstrap"));
    let calls = e.calls().await;
    assert_contract_order(&calls, true);
    assert!(
        !calls.iter().any(|c| c.method == "platformLoadComponent"),
        "no module reloaded: {:?}",
        methods(&calls)
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_organization_key_is_the_administrators_problem() {
    let e = cloud_stack(Options {
        org_key: Some("revoked-org-key".into()),
        ..Options::default()
    })
    .await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    let error = e.wait_for("[data-testid=workspace-error]").await;
    assert_eq!(
        error.attr("data-code").await.expect("attr").as_deref(),
        Some("flighthub_key_invalid")
    );
    assert!(error
        .text()
        .await
        .expect("text")
        .contains("Ask your platform administrator"));
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flighthub_down_then_a_working_retry() {
    let e = cloud_stack(Options::default()).await;
    e.flighthub
        .as_ref()
        .expect("fh")
        .faults
        .set(Some(Fault::ServerError));
    e.open().await;
    e.login("pilot", "pilot123").await;
    let error = e.wait_for("[data-testid=workspace-error]").await;
    assert!(
        error.text().await.expect("text").contains("Try again"),
        "says what to do"
    );
    e.flighthub.as_ref().expect("fh").faults.set(None);
    e.wait_for("[data-testid=retry]")
        .await
        .click()
        .await
        .expect("click");
    choose_main_project(&e).await;
    e.wait_for("[data-testid=cloud-state][data-state=connected]")
        .await;
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_mqtt_login_is_explained() {
    let e = cloud_stack(Options {
        mqtt_password: Some("not-the-password".into()),
        ..Options::default()
    })
    .await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    choose_main_project(&e).await;
    let state = e
        .wait_for("[data-testid=cloud-state][data-state=failed]")
        .await;
    let text = state.text().await.expect("text");
    // Pilot 2 cannot tell a refusal from an unreachable broker: both are named.
    assert!(
        text.contains("refused") && text.contains("cannot be reached"),
        "{text}"
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pilots_aircraft_is_marked_and_the_workspace_can_be_changed() {
    let stack = Stack::with(Options {
        cloud: true,
        ..Options::default()
    })
    .await;
    let preset = Preset {
        aircraft_sn: Some("1581F6Q8D243D00D3E9".into()),
        ..Preset::default()
    };
    let e = E2e::on(stack, preset).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    choose_main_project(&e).await;
    let aircraft = e
        .wait_for("[data-testid=device][data-sn='1581F6Q8D243D00D3E9']")
        .await;
    assert_eq!(
        aircraft.attr("data-mine").await.expect("attr").as_deref(),
        Some("true")
    );
    assert!(aircraft
        .text()
        .await
        .expect("text")
        .contains("your aircraft"));
    let other = e
        .wait_for("[data-testid=device][data-sn='5YSZL260021F1K']")
        .await;
    assert_eq!(
        other.attr("data-mine").await.expect("attr").as_deref(),
        Some("false")
    );

    // a tap by mistake: the picker, and back with the workspace as it was
    let kept = e.text("[data-testid=workspace-name]").await;
    e.click("[data-testid=change-workspace]").await;
    e.wait_for("[data-testid=workspace-list]").await;
    // the list says which one is in use
    let in_use = e
        .js("return Array.from(document.querySelectorAll('[data-testid=workspace-item][aria-current=true] .name')).map(n => n.textContent)")
        .await;
    assert_eq!(in_use, serde_json::json!([kept]));
    e.click("[data-testid=workspace-keep]").await;
    e.wait_for("[data-testid=main-page]").await;
    assert_eq!(e.text("[data-testid=workspace-name]").await, kept);
    // nothing forgotten on the platform either: the next opening goes straight to it
    e.open().await;
    e.wait_for("[data-testid=main-page]").await;
    assert_eq!(e.text("[data-testid=workspace-name]").await, kept);

    e.click("[data-testid=change-workspace]").await;
    let item = e
        .wait_for("[data-testid=workspace-item][data-uuid='a1c4e7b0-2d5f-4a8c-b3e6-9f0a1d2c3b4e']")
        .await;
    item.click().await.expect("click");
    assert_eq!(
        e.text("[data-testid=workspace-name]").await,
        "Qianhai Solar Farm"
    );
    let ids: Vec<String> = e
        .calls()
        .await
        .iter()
        .filter(|c| c.method == "platformSetWorkspaceId")
        .map(|c| c.arg(0).to_owned())
        .collect();
    assert_eq!(
        ids,
        vec![
            MAIN_PROJECT.to_owned(),
            "a1c4e7b0-2d5f-4a8c-b3e6-9f0a1d2c3b4e".to_owned()
        ]
    );

    // the wrong pilot on a shared controller leaves from the picker, choosing nothing
    e.click("[data-testid=change-workspace]").await;
    e.click("[data-testid=workspace-logout]").await;
    e.wait_for("[data-testid=login-form]").await;
    assert_eq!(e.page_token().await, None, "the session is over");
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_keeps_the_devices_listed_and_says_when_they_were_read() {
    let e = cloud_stack(Options::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    choose_main_project(&e).await;
    e.wait_for("[data-testid=device][data-sn='5YSZL260021F1K']")
        .await;
    let devices = "[data-testid=cloud-panel] [data-testid=device]";
    let listed = e.count(devices).await;
    assert!(listed > 0, "the project's devices are listed");

    let flighthub = e.flighthub.as_ref().expect("fh");
    flighthub.faults.set(Some(Fault::ServerError));
    e.click("[data-testid=cloud-panel] [data-testid=refresh]")
        .await;
    let error = e.wait_for("[data-testid=devices-error]").await;
    assert!(!error.text().await.expect("text").is_empty());
    let read = e
        .text("[data-testid=cloud-panel] [data-testid=shown-as-read]")
        .await;
    assert!(read.starts_with("Shown below as read at "), "{read}");
    assert_eq!(
        e.count(devices).await,
        listed,
        "the devices read before stay listed"
    );

    flighthub.faults.set(None);
    e.click("[data-testid=refresh-failed] [data-testid=retry]")
        .await;
    e.eventually_true(
        "the refresh's failure is gone once it worked",
        "return !document.querySelector('[data-testid=refresh-failed]') && !document.querySelector('[data-testid=devices-error]')",
    )
    .await;
    assert_eq!(e.count(devices).await, listed);
    e.quit().await;
}

/// A choice that failed says why with Try again (which asks the same), and one met offline
/// goes once the network is back, where it would no longer be true.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_workspace_choice_can_be_tried_again() {
    let e = cloud_stack(Options::default()).await;
    e.open().await;
    e.login("pilot", "pilot123").await;
    let item = format!("[data-testid=workspace-item][data-uuid='{MAIN_PROJECT}']");
    e.wait_for(&item).await;

    e.emulate_network(true, 0).await;
    e.click(&item).await;
    e.wait_for("[data-testid=workspace-error]").await;
    e.emulate_network(false, 0).await;
    e.eventually_true(
        "the offline failure is gone with the network's return",
        "return !document.querySelector('[data-testid=workspace-error]')",
    )
    .await;

    let flighthub = e.flighthub.as_ref().expect("fh");
    flighthub.faults.set(Some(Fault::ServerError));
    e.click(&item).await;
    e.wait_for("[data-testid=workspace-error]").await;
    flighthub.faults.set(None);
    e.click("[data-testid=workspace-page] [data-testid=retry]")
        .await;
    e.wait_for("[data-testid=main-page]").await;
    e.quit().await;
}

/// The cloud module's link lost (the simulated Pilot 2's broker link dropped): the page asks
/// Pilot 2 to log in again by itself, on Refresh and on the network's return, one try each
/// time, with the account the proxy gave, whether or not `thingGetConfigs` gives the password
/// back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_cloud_link_is_tried_again_on_refresh_and_when_the_network_is_back() {
    for world in [
        World::default(),
        World {
            configs_without_password: true,
            ..World::default()
        },
    ] {
        let e = cloud_stack_in(world).await;
        signed_in_and_connected(&e).await;

        // by itself: the pilot is told so, and it happens
        drop_cloud_link(&e).await;
        let said = e
            .wait_for("[data-testid=cloud-state]")
            .await
            .text()
            .await
            .expect("text");
        assert!(said.contains("trying again by itself"), "{said}");
        e.wait_for(CONNECTED).await;
        assert_eq!(thing_connects(&e).await, 1, "{world:?}");

        // Refresh, before the page's own retry (or instead of it)
        drop_cloud_link(&e).await;
        e.click("[data-testid=cloud-panel] [data-testid=refresh]")
            .await;
        e.wait_for(CONNECTED).await;
        assert_eq!(thing_connects(&e).await, 2, "{world:?}");

        // offline, no try; the network's return tries
        e.emulate_network(true, 0).await;
        e.wait_for("[data-testid=offline]").await;
        drop_cloud_link(&e).await;
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        assert_eq!(thing_connects(&e).await, 2, "none offline ({world:?})");
        e.emulate_network(false, 0).await;
        e.wait_for(CONNECTED).await;
        assert_eq!(
            thing_connects(&e).await,
            3,
            "one try each time, not a loop ({world:?})"
        );
        e.quit().await;
    }
}

/// A Pilot 2 whose cloud module logs in again by itself: the page follows it back to
/// connected and asks for nothing, neither on Refresh nor on the network's return.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cloud_module_that_reconnects_by_itself_is_followed_and_left_alone() {
    let e = cloud_stack_in(World {
        self_reconnect: true,
        ..World::default()
    })
    .await;
    signed_in_and_connected(&e).await;

    drop_cloud_link(&e).await;
    e.wait_for(CONNECTED).await;
    e.click("[data-testid=cloud-panel] [data-testid=refresh]")
        .await;
    e.emulate_network(true, 0).await;
    e.wait_for("[data-testid=offline]").await;
    e.emulate_network(false, 0).await;
    e.wait_for("[data-testid=cloud-panel]:not(:has([data-testid=refreshing]))")
        .await;
    e.wait_for(CONNECTED).await;
    assert_eq!(thing_connects(&e).await, 0, "Pilot 2 did it");
    e.quit().await;
}

/// A link lost while the page was closed: the reopened page lets Pilot 2 report back a
/// moment, then logs the kept module in once with this pilot's account (it showed
/// "Connecting…" for good); a Pilot 2 that logs in by itself is left to do it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_lost_while_the_page_was_closed_is_asked_for_once_on_reopening() {
    for (world, asked) in [
        (World::default(), 1),
        (
            World {
                self_reconnect: true,
                ..World::default()
            },
            0,
        ),
    ] {
        let e = cloud_stack_in(world).await;
        signed_in_and_connected(&e).await;
        drop_cloud_link(&e).await;
        e.open().await;
        e.wait_for("[data-testid=main-page]").await;
        e.wait_for(CONNECTED).await;
        assert_eq!(thing_connects(&e).await, asked, "{world:?}");
        e.quit().await;
    }
}

/// A `thingConnect` Pilot 2 never answers (a broker that swallows the connection): after
/// 15 s the try counts as failed, the pilot is told, and the next try follows the waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_try_pilot_2_never_answers_counts_as_failed_and_the_next_follows() {
    let e = cloud_stack_in(World::default()).await;
    signed_in_and_connected(&e).await;
    // from now on the simulated Pilot 2's connections neither open nor close
    e.js(
        "window.WebSocket = function () { this.readyState = 0; this.send = function () {}; \
          this.close = function () {}; }; return null",
    )
    .await;
    drop_cloud_link(&e).await;
    e.eventually("the first try", || async { thing_connects(&e).await == 1 })
        .await;
    e.eventually("the unanswered try counted as failed", || async {
        e.count("[data-testid=cloud-state][data-state=failed]")
            .await
            == 1
    })
    .await;
    e.eventually("the next try, 5 s later", || async {
        thing_connects(&e).await == 2
    })
    .await;
    e.quit().await;
}

/// A `thingConnect` Pilot 2 refuses outright (an error envelope) is a failed try too: the
/// next follows the waits and connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_try_pilot_2_refuses_is_followed_by_the_next() {
    let e = cloud_stack_in(World::default()).await;
    signed_in_and_connected(&e).await;
    e.js("var b = window.djiBridge, real = b.thingConnect; \
          b.thingConnect = function () { b.thingConnect = real; window.__refusedOnce = true; \
          return JSON.stringify({code: -1, message: 'busy', data: null}); }; return null")
        .await;
    drop_cloud_link(&e).await;
    e.eventually_true("the first try was refused", "return !!window.__refusedOnce")
        .await;
    e.wait_for(CONNECTED).await;
    assert_eq!(
        thing_connects(&e).await,
        1,
        "the second try, through the log"
    );
    e.quit().await;
}

const CONNECTED: &str = "[data-testid=cloud-state][data-state=connected]";

async fn cloud_stack_in(world: World) -> E2e {
    E2e::on(
        Stack::with(Options {
            cloud: true,
            ..Options::default()
        })
        .await,
        Preset {
            world,
            ..Preset::default()
        },
    )
    .await
}

async fn signed_in_and_connected(e: &E2e) {
    e.open().await;
    e.login("pilot", "pilot123").await;
    choose_main_project(e).await;
    e.wait_for(CONNECTED).await;
}

/// The simulated Pilot 2's broker link drops, and the page says it is not connected.
async fn drop_cloud_link(e: &E2e) {
    e.js("window.__pilot2Emulator.dropCloudLink(); return null")
        .await;
    e.wait_for("[data-testid=cloud-state]:not([data-state=connected])")
        .await;
}

/// The page's `thingConnect` calls so far.
async fn thing_connects(e: &E2e) -> usize {
    e.calls()
        .await
        .iter()
        .filter(|c| c.method == "thingConnect")
        .count()
}
