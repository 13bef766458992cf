//! Keyboard shortcuts: a listener that leaves typing alone, and the `?` help overlay.

use leptos::prelude::*;

/// Calls `handler` with the key of every plain key press outside text fields, while the calling
/// view lives.
#[cfg_attr(not(feature = "hydrate"), expect(unused_variables, reason = "only the browser has a keyboard"))]
pub fn on_key(handler: impl Fn(&str) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() {
                return;
            }
            let typing = ev.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable")
            });
            if !typing {
                handler(&ev.key());
            }
        });
        on_cleanup(move || handle.remove());
    }
}

/// The list of shortcuts, shown while `open`.
#[component]
pub fn ShortcutsHelp(open: RwSignal<bool>, keys: &'static [(&'static str, &'static str)]) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <div class="overlay" on:click=move |_| open.set(false)>
                <div class="shortcuts card" role="dialog" aria-label="Keyboard shortcuts">
                    <h2>"Keyboard shortcuts"</h2>
                    <dl>
                        {keys
                            .iter()
                            .map(|(key, what)| view! { <dt><kbd>{*key}</kbd></dt><dd>{*what}</dd> })
                            .collect_view()}
                    </dl>
                    <p class="muted">"Press ? or Esc to close."</p>
                </div>
            </div>
        </Show>
    }
}
