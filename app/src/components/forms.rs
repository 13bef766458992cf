//! Small pieces every form uses: a labelled input, a status line, and running a request from an
//! event handler while the form shows that it is busy.

use crate::api::AppError;
use leptos::prelude::*;

/// A labelled text input bound to `value`.
#[component]
pub fn Field(
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] name: &'static str,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                type=kind
                name=name
                placeholder=placeholder
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// What a form last did: nothing yet, working, an error, or a success message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Idle,
    Busy,
    Failed(String),
    Done(String),
}

/// The status line under a form.
#[component]
pub fn StatusLine(status: RwSignal<Status>) -> impl IntoView {
    move || match status.get() {
        Status::Idle => ().into_any(),
        Status::Busy => view! { <p class="status-line busy">"Working…"</p> }.into_any(),
        Status::Failed(message) => view! { <p class="status-line failed" role="alert">{message}</p> }.into_any(),
        Status::Done(message) => view! { <p class="status-line done">{message}</p> }.into_any(),
    }
}

/// Runs `request` in the browser, showing progress in `status`; on success `done` gets the answer.
pub fn run<T, Fut>(status: RwSignal<Status>, request: Fut, done: impl FnOnce(T) + 'static)
where
    T: 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    if status.get_untracked() == Status::Busy {
        return;
    }
    status.set(Status::Busy);
    // The page may be gone by the time the answer comes: then there is nothing to update.
    leptos::task::spawn_local(async move {
        match request.await {
            Ok(answer) => {
                if status.try_set(Status::Idle).is_none() {
                    done(answer);
                }
            }
            Err(err) => {
                status.try_set(Status::Failed(err.to_string()));
            }
        }
    });
}

/// Reloads the page at `path`, so the server renders it afresh (after sign-in, say).
#[cfg_attr(not(feature = "hydrate"), expect(unused_variables, reason = "only the browser navigates"))]
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window()
        && window.location().assign(path).is_err()
    {
        leptos::logging::warn!("could not open {path}");
    }
}

/// Copies `text` to the clipboard.
#[cfg_attr(not(feature = "hydrate"), expect(unused_variables, reason = "only the browser copies"))]
pub fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // The promise settles on its own; a refusal only means the text stays on screen to copy.
        drop(window.navigator().clipboard().write_text(text));
    }
}

/// A button that copies `text` (as it is when clicked), and says so.
#[component]
pub fn CopyButton(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="copy"
            on:click=move |_| {
                text.with_untracked(|text| copy_to_clipboard(text));
                copied.set(true);
            }
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
