//! The main page's cloud panel: MQTT connection, workspace, FlightHub 2 status, and the
//! project's devices with this controller and its aircraft marked.

use crate::components::error_view::ErrorText;
use crate::components::refresh_note::refresh_note;
use crate::load::{Load, Loader};
use crate::state::{Ctx, Screen};
use crate::{bridge, text};
use leptos::prelude::*;
use pilot_portal_shared::{FlightHubDevice, FlightHubDeviceEntry, FlightHubStatus};

/// One device row: this controller and the pilot's aircraft are marked.
#[component]
fn DeviceRow(
    device: FlightHubDevice,
    /// Gateway or aircraft, in words.
    kind: &'static str,
    /// "this controller" or "your aircraft", in words.
    mine: Option<&'static str>,
) -> impl IntoView {
    view! {
        <li
            class=if mine.is_some() { "device mine" } else { "device" }
            data-testid="device"
            data-sn=device.sn.clone()
            data-mine=mine.is_some().to_string()
        >
            <span class="name">{device.callsign} " · " {device.model}</span>
            <span class="muted">{kind} " " {device.sn.clone()}</span>
            <span class=if device.online {
                "badge ok"
            } else {
                "badge"
            }>{if device.online { text::DEVICE_ONLINE.get() } else { text::DEVICE_OFFLINE.get() }}</span>
            {mine.map(|m| view! { <span class="badge mine">{m}</span> })}
        </li>
    }
}

/// The devices of the workspace, this controller and its aircraft marked.
#[component]
fn DeviceList(
    entries: Vec<FlightHubDeviceEntry>,
    /// This remote controller's SN.
    rc_sn: String,
    /// The connected aircraft's SN.
    aircraft_sn: Option<String>,
) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted" data-testid="no-devices">{text::DEVICES_NONE.get()}</p> }
            .into_any();
    }
    let mine = move |sn: &str| {
        if !rc_sn.is_empty() && sn == rc_sn {
            Some(text::THIS_CONTROLLER.get())
        } else if aircraft_sn.as_deref() == Some(sn) {
            Some(text::YOUR_AIRCRAFT.get())
        } else {
            None
        }
    };
    let rows = entries
        .into_iter()
        .flat_map(|e| {
            [
                (e.gateway, text::DEVICE_GATEWAY.get()),
                (e.drone, text::DEVICE_AIRCRAFT.get()),
            ]
            .into_iter()
            .filter_map(|(d, kind)| d.map(|d| (d, kind)))
        })
        .map(|(device, kind)| {
            let mine = mine(&device.sn);
            view! { <DeviceRow device kind mine /> }
        })
        .collect_view();
    view! { <ul class="devices" data-testid="devices">{rows}</ul> }.into_any()
}

/// The connected aircraft's SN as Pilot 2 reports it now: read again on Refresh, when the page
/// becomes visible, and every few seconds while the panel is shown (an aircraft switched on
/// after the page opened must appear).
#[derive(Clone, Copy)]
struct AircraftSn(RwSignal<Option<String>>);

impl AircraftSn {
    fn get(&self) -> Option<String> {
        self.0.get()
    }

    fn refresh(&self) {
        // "" from Pilot 2 means no aircraft connected, not an error.
        let now = bridge::aircraft_sn().ok().flatten();
        if self.0.get_untracked() != now {
            self.0.set(now);
            // the Flight unlocking panel (its own bundle) looks again too
            if let (Some(w), Ok(changed)) = (
                web_sys::window(),
                web_sys::Event::new(bridge::AIRCRAFT_CHANGED),
            ) {
                let _ = w.dispatch_event(&changed);
            }
        }
    }
}

const AIRCRAFT_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// Not read here: the panel reads it as it is built, with the rest (once, not twice).
fn use_aircraft_sn() -> AircraftSn {
    let sn = AircraftSn(RwSignal::new(None));
    if let Ok(timer) = set_interval_with_handle(move || sn.refresh(), AIRCRAFT_POLL) {
        on_cleanup(move || timer.clear());
    }
    // `visibilitychange` is fired at the document and reaches the window.
    let listener = window_event_listener_untyped("visibilitychange", move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            sn.refresh();
        }
    });
    on_cleanup(move || listener.remove());
    sn
}

/// Connection, workspace, FlightHub 2 and devices.
#[component]
pub fn CloudPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let rc_sn = bridge::remote_controller_sn().unwrap_or_default();
    let aircraft_sn = use_aircraft_sn();
    let status = Loader::<FlightHubStatus>::new();
    let devices = Loader::<Vec<FlightHubDeviceEntry>>::new();
    let check_status = move || status.load(|api| async move { api.flighthub_status().await });
    check_status();
    aircraft_sn.refresh();
    // The panel is mounted again when the workspace changes: one question for its life.
    let ws = ctx.workspace.get_untracked();
    devices.load(move |api| {
        let ws = ws.clone();
        async move {
            match ws {
                Some(ws) => api.flighthub_project_devices(&ws.uuid).await,
                None => Ok(Vec::new()),
            }
        }
    });
    // The list stays readable while it is read again, and if that fails. A cloud module that
    // lost its link is asked to log in again, here and when the network is back.
    let refresh = move || {
        check_status();
        aircraft_sn.refresh();
        devices.refresh();
        crate::cloud::reconnect(ctx);
    };
    let online = crate::net::online();
    Effect::new(move |was: Option<bool>| {
        let now = online.get();
        if now && was == Some(false) {
            crate::cloud::reconnect(ctx);
        }
        now
    });

    view! {
        <section class="card" data-testid="cloud-panel">
            <h2>{text::CLOUD_TITLE.get()}</h2>
            <dl class="facts">
                <dt>{text::CLOUD_CONNECTION.get()}</dt>
                <dd data-testid="cloud-state" data-state=move || ctx.conn.get().as_str()>
                    <span class=move || format!("dot {}", text::conn(ctx.conn.get()).0)></span>
                    {move || text::conn(ctx.conn.get()).1}
                </dd>
                <dt>{text::CLOUD_WORKSPACE.get()}</dt>
                <dd data-testid="workspace-name">
                    {move || match ctx.workspace.get() {
                        Some(w) => view! { <span>{w.name}</span> }.into_any(),
                        None => {
                            view! {
                                <span class="muted" data-testid="no-workspace">
                                    {text::NO_WORKSPACE.get()}
                                </span>
                            }
                                .into_any()
                        }
                    }}
                </dd>
                <dt>"FlightHub 2"</dt>
                <dd data-testid="flighthub-status">
                    {move || match status.get() {
                        Load::Loading => view! { <span>{text::CLOUD_CHECKING.get()}</span> }.into_any(),
                        Load::Ready(_) => view! { <span>{text::CLOUD_AVAILABLE.get()}</span> }.into_any(),
                        Load::Failed(error) => view! { <ErrorText error /> }.into_any(),
                    }}
                </dd>
                <dt>{text::CLOUD_AIRCRAFT.get()}</dt>
                <dd data-testid="aircraft">
                    {move || aircraft_sn.get().unwrap_or_else(|| text::NO_AIRCRAFT.get().into())}
                </dd>
            </dl>
            <div class="actions">
                // The picker, the current workspace kept until another is chosen: a tap by
                // mistake goes back with nothing lost.
                <button
                    class="secondary"
                    data-testid="change-workspace"
                    on:click=move |_| ctx.screen.set(Screen::Workspace)
                >
                    {text::CHANGE_WORKSPACE.get()}
                </button>
                <button class="secondary" data-testid="refresh" on:click=move |_| refresh()>
                    {text::REFRESH.get()}
                </button>
            </div>
            <h2>{text::DEVICES_TITLE.get()}</h2>
            {refresh_note(devices, "devices-error")}
            {move || match devices.get() {
                Load::Loading => view! { <p class="muted">{text::DEVICES_LOADING.get()}</p> }.into_any(),
                Load::Ready(entries) => {
                    view! {
                        <DeviceList
                            entries
                            rc_sn=rc_sn.clone()
                            aircraft_sn=aircraft_sn.get()
                        />
                    }
                        .into_any()
                }
                Load::Failed(error) => view! { <ErrorText error testid="devices-error" /> }.into_any(),
            }}
        </section>
    }
}
