//! Choosing the workspace: the FlightHub 2 projects, searchable, one tap to choose.

use crate::error::AppError;
use crate::load::{load_into, token, Load};
use crate::state::{Ctx, Screen, Signed};
use crate::{api, flow};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pilot_portal_shared::FlightHubProject;

fn matches(p: &FlightHubProject, query: &str) -> bool {
    // ASCII folding is enough for Latin names and keeps Unicode case tables out of the wasm;
    // Chinese names match as typed.
    let q = query.trim().to_ascii_lowercase();
    q.is_empty()
        || p.name.to_ascii_lowercase().contains(&q)
        || p.introduction.to_ascii_lowercase().contains(&q)
}

#[component]
pub fn WorkspacePicker(
    /// The signed-in pilot, for the main page afterwards.
    signed: Signed,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let query = RwSignal::new(String::new());
    let choosing = RwSignal::new(None::<String>);
    let choose_error = RwSignal::new(None::<String>);
    let projects = RwSignal::new(Load::Loading);
    let reload = move || load_into(projects, async { api::flighthub_projects(&token()?).await });
    reload();
    let signed = StoredValue::new(signed);

    let choose = move |p: FlightHubProject| {
        choosing.set(Some(p.uuid.clone()));
        choose_error.set(None);
        spawn_local(async move {
            let result = async {
                if !flow::is_uuid(&p.uuid) {
                    return Err(AppError::Decode(format!(
                        "project id \"{}\" is not a UUID",
                        p.uuid
                    )));
                }
                let ws = api::choose_workspace(&token()?, &p.uuid).await?;
                flow::apply_workspace(ctx, &ws)
            }
            .await;
            match result {
                Ok(()) => ctx.screen.set(Screen::Main(signed.get_value())),
                Err(e) => {
                    choose_error.set(Some(e.pilot_message()));
                    choosing.set(None);
                }
            }
        });
    };

    view! {
        <section class="card" data-testid="workspace-page">
            <h1>"Choose your workspace"</h1>
            <p class="muted">"Your FlightHub 2 projects. The one you choose is shown in Pilot 2's cloud entry."</p>
            <input type="search" class="search" data-testid="workspace-search" placeholder="Search projects"
                aria-label="Search projects"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev)) />
            {move || choose_error.get().map(|m| view! { <p class="error-text" data-testid="workspace-error" role="alert">{m}</p> })}
            {move || match projects.get() {
                Load::Loading => view! { <p class="muted">"Loading projects…"</p> }.into_any(),
                Load::Ready(list) => {
                    let q = query.get();
                    let items = list
                        .into_iter()
                        .filter(|p| matches(p, &q))
                        .map(|p| {
                            let uuid = p.uuid.clone();
                            let count = match p.device_count {
                                Some(1) => "1 device".to_owned(),
                                Some(n) => format!("{n} devices"),
                                None => "no access to devices".to_owned(),
                            };
                            let busy = move || choosing.get().as_deref() == Some(uuid.as_str());
                            let chosen = p.clone();
                            view! {
                                <li>
                                    <button class="project" data-testid="workspace-item" data-uuid=p.uuid.clone()
                                        disabled=move || choosing.get().is_some()
                                        on:click=move |_| choose(chosen.clone())>
                                        <span class="name">{p.name.clone()}</span>
                                        <span class="intro">{p.introduction.clone()}</span>
                                        <span class="count">{move || if busy() { "Setting…".to_owned() } else { count.clone() }}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view();
                    view! { <ul class="projects" data-testid="workspace-list">{items}</ul> }.into_any()
                }
                Load::Failed(e) => view! {
                    <p class="error-text" data-testid="workspace-error" data-code=e.code().map(|c| c.as_str()) role="alert">{e.pilot_message()}</p>
                    <button data-testid="retry" on:click=move |_| reload()>"Try again"</button>
                }
                .into_any(),
            }}
        </section>
    }
}
