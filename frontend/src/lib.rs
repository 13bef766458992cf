#![recursion_limit = "256"]
//! The browser entry point: hydrates the server-rendered dashboard, then marks the page as
//! interactive (`<body data-hydrated>`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    if let Some(body) = web_sys::window().and_then(|window| window.document()).and_then(|document| document.body())
        && body.set_attribute("data-hydrated", "true").is_err()
    {
        leptos::logging::warn!("could not mark the page as hydrated");
    }
}
