//! The "Live" badge in page headers: whether the page is receiving changes as they happen.

use leptos::prelude::*;

/// State of the live connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), expect(dead_code, reason = "only the browser connects"))]
pub enum LiveStatus {
    Connecting,
    Live,
    Reconnecting,
}

impl LiveStatus {
    fn label(self) -> &'static str {
        match self {
            LiveStatus::Connecting => "Connecting…",
            LiveStatus::Live => "Live",
            LiveStatus::Reconnecting => "Reconnecting…",
        }
    }

    fn key(self) -> &'static str {
        match self {
            LiveStatus::Connecting => "connecting",
            LiveStatus::Live => "live",
            LiveStatus::Reconnecting => "reconnecting",
        }
    }
}

#[component]
pub fn LiveBadge(status: RwSignal<LiveStatus>) -> impl IntoView {
    view! {
        <span class="live-badge" data-state=move || status.get().key()>
            <span class="dot"></span>
            {move || status.get().label()}
        </span>
    }
}
