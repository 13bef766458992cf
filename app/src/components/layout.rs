//! The frame of every signed-in page: the top bar and the check that someone is signed in.

use crate::api::{self, AppError, Method};
use crate::components::forms::go_to;
use crate::components::theme::ThemeToggle;
use crate::dto::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::use_location;
use leptos_router::params::ParamsMap;

/// The signed-in user, as a resource pages can await.
#[derive(Clone, Copy)]
pub struct Me(pub Resource<Result<CurrentUser, AppError>>);

/// Signed-in pages render inside; anyone else goes to the sign-in page. The pages are created
/// outside the guard's suspense, so their own resources hydrate in a fixed order.
#[component]
pub fn SignedIn() -> impl IntoView {
    let me = Resource::new(|| (), |_| api::get::<CurrentUser>("/api/0/auth/me"));
    provide_context(Me(me));
    let location = use_location();
    // Signing in comes back here.
    let login = move || {
        let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
        let search = search.trim_start_matches('?');
        let here = if search.is_empty() { path } else { format!("{path}?{search}") };
        if here == "/" {
            return "/login".to_owned();
        }
        let mut params = ParamsMap::new();
        params.insert("next", here);
        format!("/login{}", params.to_query_string())
    };
    view! {
        <Suspense fallback=|| view! { <nav class="topbar"></nav> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(user) => view! { <TopBar user/> }.into_any(),
                    Err(err) if err.is_unauthenticated() => view! { <Redirect path=login()/> }.into_any(),
                    Err(err) => view! { <ErrorBox err/> }.into_any(),
                }
            })}
        </Suspense>
        <main>
            <Outlet/>
        </main>
    }
}

#[component]
fn TopBar(user: CurrentUser) -> impl IntoView {
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            let signed_out: Result<(), AppError> = api::send(Method::Post, "/api/0/auth/logout", &()).await;
            if let Err(err) = signed_out {
                leptos::logging::warn!("signing out failed: {err}");
            }
            go_to("/login");
        });
    };
    // Below 700 px the links fold into a menu, closed again by whatever is chosen in it.
    let menu = RwSignal::new(false);
    view! {
        <nav class="topbar" aria-label="Main">
            <a class="brand" href="/">
                <span class="logo" aria-hidden="true">"◣"</span>
                "Faultline"
            </a>
            <button
                type="button"
                class="menu-toggle"
                aria-controls="nav-menu"
                aria-expanded=move || menu.get().to_string()
                on:click=move |_| menu.update(|open| *open = !*open)
            >
                "Menu"
            </button>
            <div id="nav-menu" class="nav-menu" class:open=move || menu.get() on:click=move |_| menu.set(false)>
                <div class="nav-links">
                    <A href="/">"Issues"</A>
                    <A href="/projects">"Projects"</A>
                    <Show when=move || user.is_owner>
                        <A href="/users">"Users"</A>
                    </Show>
                    <a href="/api/0/openapi.json" target="_blank" rel="noopener">"API"</a>
                </div>
                <div class="account">
                    <ThemeToggle/>
                    <A href="/settings">{user.email.clone()}</A>
                    <button type="button" class="link" on:click=sign_out>"Sign out"</button>
                </div>
            </div>
        </nav>
    }
}

/// The signed-in user's resource, inside signed-in pages.
pub fn me() -> Option<Resource<Result<CurrentUser, AppError>>> {
    use_context::<Me>().map(|Me(me)| me)
}

/// An error a page could not load past.
#[component]
pub fn ErrorBox(err: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{err.to_string()}</p> }
}

/// "`name` · Faultline" for the window title. leptos_meta writes the server's `<title>` without
/// escaping it, so there the text is escaped here; the browser sets `document.title`, which
/// takes plain text.
pub fn window_title(name: &str) -> String {
    let title = format!("{name} · Faultline");
    if cfg!(feature = "ssr") { title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;") } else { title }
}
