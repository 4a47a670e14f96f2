//! The language switch, on every screen: English, 简体中文, Русский, each named in itself.

use crate::i18n::{self, Lang};
use crate::state::Ctx;
use crate::text;
use leptos::prelude::*;

/// Three buttons; the chosen language is remembered for the next openings.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let now = ctx.lang.get_untracked();
    view! {
        <nav class="lang" aria-label=text::LANGUAGE.get() data-testid="lang-switch">
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            class="link"
                            lang=lang.tag()
                            data-testid="lang"
                            data-lang=lang.code()
                            aria-pressed=(lang == now).to_string()
                            on:click=move |_| i18n::choose(ctx.lang, lang)
                        >
                            {lang.name()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}
