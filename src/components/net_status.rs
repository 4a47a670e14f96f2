//! One line above every screen while the network is in the way: offline (until the `online`
//! event), or a proxy call waiting long ("Slow network, still trying…"), so a pending button
//! never looks frozen. See [`crate::net`].

use crate::{net, text};
use leptos::prelude::*;

/// The line, when there is something to say.
#[component]
pub fn NetStatus() -> impl IntoView {
    let (online, slow) = (net::online(), net::slow());
    move || {
        let (testid, sentence) = if !online.get() {
            ("offline", text::OFFLINE)
        } else if slow.get() > 0 {
            ("slow-network", text::SLOW_NETWORK)
        } else {
            return None;
        };
        Some(view! {
            <p class="net-status" data-testid=testid role="status">
                {sentence.get()}
            </p>
        })
    }
}
