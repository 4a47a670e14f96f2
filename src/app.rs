//! The root component: one screen at a time, chosen by the start sequence.

use crate::flow;
use crate::pages::failed::Failed;
use crate::pages::license::LicenseFailed;
use crate::pages::login::Login;
use crate::pages::main_page::MainPage;
use crate::pages::not_in_pilot::NotInPilot;
use crate::pages::starting::Starting;
use crate::pages::workspace::WorkspacePicker;
use crate::state::{Ctx, Screen};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn App() -> impl IntoView {
    let ctx = Ctx::new();
    provide_context(ctx);
    // The static "Loading…" placeholder of index.html has done its job.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    spawn_local(flow::start(ctx));
    view! {
        <main class="app">
            {move || match ctx.screen.get() {
                Screen::Starting(step) => view! { <Starting step /> }.into_any(),
                Screen::NotInPilot => view! { <NotInPilot /> }.into_any(),
                Screen::LicenseFailed { message } => view! { <LicenseFailed message /> }.into_any(),
                Screen::Failed { title, message } => view! { <Failed title message /> }.into_any(),
                Screen::Login { reason } => view! { <Login reason /> }.into_any(),
                Screen::Workspace(signed) => view! { <WorkspacePicker signed /> }.into_any(),
                Screen::Main(signed) => view! { <MainPage signed /> }.into_any(),
            }}
        </main>
    }
}
