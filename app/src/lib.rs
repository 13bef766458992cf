//! The Faultline dashboard, shared by the server (which renders it) and the browser (which
//! hydrates it), and the types that cross the wire between them: the normalized [`event`],
//! the issue [`model`], the [`live`] messages and the server functions in [`api`].

#![recursion_limit = "256"]

pub mod api;
pub mod board;
pub mod event;
pub mod live;
#[cfg(feature = "hydrate")]
mod live_client;
pub mod model;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href=concat!("/pkg/", env!("LEPTOS_OUTPUT_NAME"), ".css")/>
        <Title text="Faultline"/>
        <Router>
            <nav class="topbar">
                <a class="brand" href="/">
                    <span class="logo">"◣"</span>
                    "Faultline"
                </a>
            </nav>
            <main>
                <Routes fallback=|| view! { <p class="placeholder">"Page not found."</p> }>
                    <Route path=path!("/") view=pages::issue_list::IssueListPage/>
                </Routes>
            </main>
        </Router>
    }
}
