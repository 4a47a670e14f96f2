//! The root component: one screen at a time, chosen by the start sequence.
//!
//! The first-screen bundle renders the start, license and login screens and hands the signed-in
//! pages over to the `full` bundle (see `handoff`), which renders everything.

use crate::components::lang_switch::LangSwitch;
use crate::components::net_status::NetStatus;
use crate::pages::failed::Failed;
use crate::pages::license::LicenseFailed;
use crate::pages::login::Login;
use crate::pages::not_in_pilot::NotInPilot;
use crate::pages::starting::Starting;
use crate::state::{Ctx, Screen};
use crate::{flow, handoff, i18n};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The page.
#[component]
pub fn App() -> impl IntoView {
    i18n::set(i18n::detect());
    let ctx = Ctx::new();
    provide_context(ctx);
    crate::net::watch();
    // The main page's later panels come in their own bundle, told of the session from here.
    #[cfg(feature = "full")]
    crate::panels::owner::link(ctx);
    // The start screen only for a start that waits: one that needs nothing more (a stored
    // session whose check has already come back, no token at all) goes from index.html's
    // "Loading…", or its login form, straight to its screen without building one that is
    // never seen. After a handover the first bundle's screen is gone: shown at once.
    let handed_over = handoff::take(ctx);
    let start_shown = RwSignal::new(handed_over);
    if handed_over {
        // The first bundle did the license and read the token; the session goes on here.
        flow::register_callbacks(ctx);
    } else {
        crate::net::before_next_frame(move || start_shown.set(true));
        spawn_local(flow::start(ctx));
    }
    view! {
        <main class="app">
            {move || {
                // A new language rebuilds the screen in it.
                ctx.lang.track();
                let screen = ctx.screen.get();
                if screen == Screen::HandedOff {
                    // The signed-in bundle shows everything from here on.
                    return ().into_any();
                }
                // (read only here: once past the start, the frame's passing rebuilds nothing)
                if matches!(screen, Screen::Starting(_)) && !start_shown.get() {
                    return ().into_any();
                }
                // Here, not in an `Effect`: removing it twice does nothing, and an `Effect`
                // would cost the first screen about 220 B.
                remove_boot();
                view! {
                    <NetStatus />
                    {screen_view(ctx, screen)}
                    <footer class="footer">
                        <LangSwitch />
                    </footer>
                }
                    .into_any()
            }}
        </main>
    }
}

/// index.html's "Loading…", or its login form, once the page shows a screen of its own: the
/// boot script hands what was typed there to the login page's form once that shows.
fn remove_boot() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}

/// The view of one screen.
fn screen_view(ctx: Ctx, screen: Screen) -> AnyView {
    match screen {
        Screen::Starting(step) => view! { <Starting step /> }.into_any(),
        Screen::NotInPilot => view! { <NotInPilot /> }.into_any(),
        Screen::LicenseFailed { message } => view! { <LicenseFailed message /> }.into_any(),
        Screen::Failed { what, error } => view! { <Failed what error /> }.into_any(),
        Screen::Login { reason } => view! { <Login reason /> }.into_any(),
        Screen::HandedOff => ().into_any(),
        Screen::Workspace | Screen::Main => signed_in_page(ctx),
    }
}

#[cfg(feature = "full")]
fn signed_in_page(ctx: Ctx) -> AnyView {
    use crate::pages::main_page::MainPage;
    use crate::pages::workspace::WorkspacePicker;
    match ctx.screen.get_untracked() {
        Screen::Workspace => view! { <WorkspacePicker /> }.into_any(),
        _ => view! { <MainPage /> }.into_any(),
    }
}

/// The first bundle never gets here: it hands over before a signed-in screen.
#[cfg(not(feature = "full"))]
fn signed_in_page(_ctx: Ctx) -> AnyView {
    view! {
        <p class="muted" role="status">
            {crate::text::LOADING.get()}
        </p>
    }
    .into_any()
}
