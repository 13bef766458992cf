//! The Faultline dashboard, shared by the server (which renders it) and the browser (which
//! hydrates it), and the types that cross the wire between them: the normalized [`event`],
//! the issue [`model`] and its [`search`] language (from `app-types`, which needs no Leptos), the
//! [`live`] messages and the server functions in [`api`].

#![recursion_limit = "256"]

pub mod api;
pub use app_types::{alerts, event, matching, model, platform, search, tags};
pub mod board;
pub mod chart;
mod components;
pub mod dto;
pub mod live;
#[cfg(feature = "hydrate")]
mod live_client;
pub mod pages;
#[cfg(feature = "hydrate")]
mod scroll_memory;

use components::layout::SignedIn;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=components::theme::current().attribute()>
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
    #[cfg(feature = "hydrate")]
    scroll_memory::watch_traversals();

    view! {
        <Stylesheet id="leptos" href=concat!("/pkg/", env!("LEPTOS_OUTPUT_NAME"), ".css")/>
        <Title text="Faultline"/>
        <Router>
            <Routes fallback=|| view! { <main><p class="placeholder">"Page not found."</p></main> }>
                <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=pages::login::SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view=pages::login::InvitePage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=SignedIn ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::issue_list::IssueListPage/>
                    <Route
                        path=path!("issues/:id")
                        view=|| view! { <pages::issue::IssuePage tab=pages::issue::Tab::Details/> }
                    />
                    <Route
                        path=path!("issues/:id/events")
                        view=|| view! { <pages::issue::IssuePage tab=pages::issue::Tab::Events/> }
                    />
                    <Route path=path!("projects") view=pages::projects::ProjectsPage/>
                    <Route path=path!("projects/:id") view=pages::project::ProjectPage/>
                    <Route path=path!("settings") view=pages::account::AccountPage/>
                    <Route path=path!("users") view=pages::users::UsersPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
