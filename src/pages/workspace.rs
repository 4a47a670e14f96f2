//! Choosing the workspace: the FlightHub 2 projects, searchable, one tap to choose.

use crate::components::error_view::ErrorText;
use crate::error::AppError;
use crate::load::{ActionFailure, Load, Loader};
use crate::state::{Ctx, Screen};
use crate::{api::Api, cloud, session, text};
use leptos::prelude::*;
use pilot_portal_shared::FlightHubProject;

fn matches(p: &FlightHubProject, query: &str) -> bool {
    // ASCII folding is enough for Latin names and keeps Unicode case tables out of the wasm;
    // Chinese names match as typed.
    let q = query.trim().to_ascii_lowercase();
    q.is_empty()
        || p.name.to_ascii_lowercase().contains(&q)
        || p.introduction.to_ascii_lowercase().contains(&q)
}

fn device_count(p: &FlightHubProject) -> String {
    text::device_count(p.device_count)
}

/// Remembers `uuid` as the pilot's workspace on the platform and sets it in Pilot 2.
async fn choose(ctx: Ctx, uuid: String) -> Result<(), AppError> {
    if !cloud::is_uuid(&uuid) {
        return Err(AppError::InvalidWorkspaceId(uuid));
    }
    let ws = Api::new().choose_workspace(&uuid).await?;
    cloud::apply_workspace(ctx, &ws)?;
    ctx.screen.set(Screen::Main);
    Ok(())
}

/// The project list; choosing one leads to the main page. Reached from the main page
/// ("Change workspace"), the current one stays until another is chosen, and **Keep the
/// current workspace** goes back; **Log out** is here too (the wrong pilot on a shared
/// controller need not choose a workspace to leave).
#[component]
pub fn WorkspacePicker() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let query = RwSignal::new(String::new());
    let projects = Loader::<Vec<FlightHubProject>>::new();
    let reload = move || projects.load(|api| async move { api.flighthub_projects().await });
    reload();
    // A failed choice is said until the next try (Try again asks the same), or, met offline,
    // until the network is back: the pilot taps again then.
    let failure = ActionFailure::new();
    let last = StoredValue::new(String::new());
    let chosen = Action::new_local(move |uuid: &String| {
        let uuid = uuid.clone();
        last.set_value(uuid.clone());
        async move {
            let result = choose(ctx, uuid).await;
            failure.record(&result);
            result
        }
    });
    let busy = chosen.pending();
    let choosing = move || busy.get().then(|| chosen.input().get()).flatten();

    let project = move |p: FlightHubProject| {
        let uuid = p.uuid.clone();
        let count = device_count(&p);
        let this = uuid.clone();
        let setting = move || choosing().as_deref() == Some(this.as_str());
        // the workspace in use stays until another is chosen: the list says which it is
        let current = ctx
            .workspace
            .with_untracked(|w| w.as_ref().is_some_and(|w| w.uuid == uuid));
        let count = if current {
            format!("{} · {count}", text::WORKSPACE_CURRENT.get())
        } else {
            count
        };
        view! {
            <li>
                <button
                    class="project"
                    data-testid="workspace-item"
                    data-uuid=uuid.clone()
                    aria-current=current.then_some("true")
                    disabled=move || busy.get()
                    on:click=move |_| {
                        chosen.dispatch_local(uuid.clone());
                    }
                >
                    <span class="name">{p.name.clone()}</span>
                    <span class="intro">{p.introduction.clone()}</span>
                    <span class="count">
                        {move || if setting() { text::WORKSPACE_SETTING.get().to_owned() } else { count.clone() }}
                    </span>
                </button>
            </li>
        }
    };

    view! {
        <section class="card" data-testid="workspace-page">
            <h1>{text::WORKSPACE_TITLE.get()}</h1>
            <p class="muted">{text::WORKSPACE_INTRO.get()}</p>
            <input
                type="search"
                class="search"
                data-testid="workspace-search"
                placeholder=text::WORKSPACE_SEARCH.get()
                aria-label=text::WORKSPACE_SEARCH.get()
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            {move || {
                let retry = Callback::new(move |()| {
                    chosen.dispatch_local(last.get_value());
                });
                (!busy.get())
                    .then(|| failure.get())
                    .flatten()
                    .map(|error| view! { <ErrorText error testid="workspace-error" retry /> })
            }}
            {move || match projects.get() {
                Load::Loading => view! { <p class="muted">{text::WORKSPACE_LOADING.get()}</p> }.into_any(),
                Load::Ready(list) => {
                    let q = query.get();
                    let items = list
                        .into_iter()
                        .filter(|p| matches(p, &q))
                        .map(project)
                        .collect_view();
                    view! { <ul class="projects" data-testid="workspace-list">{items}</ul> }
                        .into_any()
                }
                Load::Failed(error) => {
                    view! {
                        <ErrorText error testid="workspace-error" retry=Callback::new(move |()| reload()) />
                    }
                        .into_any()
                }
            }}
            <div class="actions">
                {ctx
                    .workspace
                    .get_untracked()
                    .map(|_| {
                        view! {
                            <button
                                class="secondary"
                                data-testid="workspace-keep"
                                disabled=move || busy.get()
                                on:click=move |_| ctx.screen.set(Screen::Main)
                            >
                                {text::WORKSPACE_KEEP.get()}
                            </button>
                        }
                    })}
                <button
                    class="secondary"
                    data-testid="workspace-logout"
                    disabled=move || busy.get()
                    on:click=move |_| session::logout(ctx)
                >
                    {text::LOG_OUT.get()}
                </button>
            </div>
        </section>
    }
}
