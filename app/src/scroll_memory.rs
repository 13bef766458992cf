//! Where the user was on a page, for Back and Forward to return to. The dashboard's pages load
//! their rows after the URL changes, too late for the browser's own scroll restoration, so a
//! page notes its scroll position as the user leaves it and asks for it again once its rows
//! are shown.

use leptos::prelude::{request_animation_frame, window, window_event_listener};
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    /// How far down each URL (path and query) was scrolled when the user last left it.
    static LEFT_AT: RefCell<HashMap<String, f64>> = RefCell::default();
    /// The URL the last Back or Forward went to, until a page shown there takes it.
    static TRAVERSED_TO: RefCell<Option<String>> = RefCell::default();
}

fn here() -> String {
    let location = window().location();
    format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default())
}

/// Notes each Back and Forward; called once, when the dashboard starts.
pub fn watch_traversals() {
    // The listener lives as long as the page: its handle is never removed.
    let _ = window_event_listener(leptos::ev::popstate, |_| TRAVERSED_TO.set(Some(here())));
}

/// Notes how far down this page is scrolled, as the user leaves it.
pub fn leaving() {
    let at = window().scroll_y().unwrap_or_default();
    LEFT_AT.with_borrow_mut(|left| left.insert(here(), at));
}

/// Scrolls back to where the user left this page, when Back or Forward brought them here; after
/// the next frame, so that the rows just shown have their height.
pub fn returned() {
    let here = here();
    if TRAVERSED_TO.with_borrow_mut(|to| to.take_if(|to| *to == here)).is_none() {
        return;
    }
    if let Some(at) = LEFT_AT.with_borrow(|left| left.get(&here).copied()) {
        request_animation_frame(move || window().scroll_to_with_x_and_y(0.0, at));
    }
}
