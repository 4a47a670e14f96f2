//! The main page's cloud panel: MQTT connection, workspace, FlightHub 2 status, and the
//! project's devices with this controller and its aircraft marked.

use crate::load::{load_into, token, Load};
use crate::state::{Conn, Ctx, Screen, Signed};
use crate::{api, bridge, flow};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pilot_portal_shared::FlightHubDevice;

fn conn_text(c: Conn) -> (&'static str, &'static str) {
    match c {
        Conn::Off => ("off", "Not configured for this pilot"),
        Conn::Connecting => ("pending", "Connecting…"),
        Conn::Connected => ("ok", "Connected"),
        Conn::Disconnected => ("warn", "Disconnected — Pilot 2 keeps retrying. Check the controller's network."),
        Conn::Refused => ("bad", "The MQTT broker refused the connection. Ask your platform administrator to check your MQTT account."),
    }
}

#[component]
pub fn CloudPanel(
    /// The signed-in pilot.
    signed: Signed,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let signed = StoredValue::new(signed);
    let rc_sn = bridge::remote_controller_sn().unwrap_or_default();
    // "" from Pilot 2 means no aircraft connected, not an error.
    let aircraft_sn = bridge::aircraft_sn().ok().flatten();
    let status = RwSignal::new(Load::Loading);
    let devices = RwSignal::new(Load::Loading);
    let load_status = move || load_into(status, async { api::flighthub_status(&token()?).await });
    let load_devices = move || {
        let ws = ctx.workspace.get_untracked();
        load_into(devices, async move {
            match ws {
                Some(ws) => api::flighthub_project_devices(&token()?, &ws.uuid).await,
                None => Ok(Vec::new()),
            }
        })
    };
    load_status();
    // the devices follow the workspace
    Effect::new(move |_| {
        ctx.workspace.track();
        load_devices();
    });
    let change = move |_| {
        spawn_local(async move {
            if let Some(token) = flow::current_token() {
                let _ = api::forget_workspace(&token).await;
            }
            ctx.workspace.set(None);
            ctx.screen.set(Screen::Workspace(signed.get_value()));
        });
    };
    let rc = rc_sn.clone();
    let air = aircraft_sn.clone();
    let device_row = move |d: FlightHubDevice, kind: &'static str| {
        let mine = if d.sn == rc && !rc.is_empty() {
            Some("this controller")
        } else if air.as_deref() == Some(d.sn.as_str()) {
            Some("your aircraft")
        } else {
            None
        };
        view! {
            <li class=if mine.is_some() { "device mine" } else { "device" } data-testid="device" data-sn=d.sn.clone() data-mine=mine.is_some().to_string()>
                <span class="name">{d.callsign.clone()} " · " {d.model.clone()}</span>
                <span class="muted">{kind} " " {d.sn.clone()}</span>
                <span class=if d.online { "badge ok" } else { "badge" }>{if d.online { "online" } else { "offline" }}</span>
                {mine.map(|m| view! { <span class="badge mine">{m}</span> })}
            </li>
        }
    };

    view! {
        <section class="card" data-testid="cloud-panel">
            <h2>"Cloud"</h2>
            <dl class="facts">
                <dt>"Connection"</dt>
                <dd data-testid="cloud-state" data-state=move || ctx.conn.get().as_str()>
                    <span class=move || format!("dot {}", conn_text(ctx.conn.get()).0)></span>
                    {move || conn_text(ctx.conn.get()).1}
                </dd>
                <dt>"Workspace"</dt>
                <dd data-testid="workspace-name">{move || ctx.workspace.get().map(|w| w.name).unwrap_or_else(|| "—".into())}</dd>
                <dt>"FlightHub 2"</dt>
                <dd data-testid="flighthub-status">
                    {move || match status.get() {
                        Load::Loading => view! { <span>"checking…"</span> }.into_any(),
                        Load::Ready(_) => view! { <span>"available"</span> }.into_any(),
                        Load::Failed(e) => view! { <span class="error-text" data-code=e.code().map(|c| c.as_str())>{e.pilot_message()}</span> }.into_any(),
                    }}
                </dd>
                <dt>"Aircraft"</dt>
                <dd data-testid="aircraft">{aircraft_sn.clone().unwrap_or_else(|| "No aircraft connected".into())}</dd>
            </dl>
            <div class="actions">
                <button class="secondary" data-testid="change-workspace" on:click=change>"Change workspace"</button>
                <button class="secondary" data-testid="refresh" on:click=move |_| { load_status(); load_devices(); }>"Refresh"</button>
            </div>
            <h2>"Devices in this project"</h2>
            {move || match devices.get() {
                Load::Loading => view! { <p class="muted">"Loading devices…"</p> }.into_any(),
                Load::Ready(list) if list.is_empty() => view! { <p class="muted" data-testid="no-devices">"No devices."</p> }.into_any(),
                Load::Ready(list) => {
                    let row = device_row.clone();
                    view! {
                        <ul class="devices" data-testid="devices">
                            {list.into_iter().flat_map(|e| {
                                let mut rows = Vec::new();
                                if let Some(g) = e.gateway { rows.push(row(g, "gateway")); }
                                if let Some(d) = e.drone { rows.push(row(d, "aircraft")); }
                                rows
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
                Load::Failed(e) => view! {
                    <p class="error-text" data-testid="devices-error" data-code=e.code().map(|c| c.as_str()) role="alert">{e.pilot_message()}</p>
                }.into_any(),
            }}
        </section>
    }
}
