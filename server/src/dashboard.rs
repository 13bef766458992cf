//! Serves the Leptos dashboard: server-rendered pages and the static site (wasm, js, css) built
//! by `cargo xtask build`. Pages read their data from the REST API, run in-process here through
//! [`ApiBackend`], so they show exactly what `/api/0/…` answers for the signed-in user. Each
//! page gets a Content-Security-Policy whose nonce admits its hydration script and nothing else
//! inline.

use crate::security::page_policy;
use crate::state::AppState;
use app::api::{Backend, PageStatus, SharedBackend};
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use leptos::nonce::use_nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, ResponseOptions, file_and_error_handler_with_context, generate_route_list,
};
use std::sync::{Arc, LazyLock};
use tower::ServiceExt;

/// The dashboard's routes, listed once per process. Listing them runs the app with resource
/// loading suppressed through a process-wide flag, and a page whose resource is first polled
/// meanwhile never finishes rendering (leptos-rs/leptos#4773, open in leptos_server 0.8.8): a
/// second server started in the same process — as the tests start many — must not list again.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The API router, called in-process.
pub struct ApiBackend {
    api: Router,
}

#[async_trait::async_trait]
impl Backend for ApiBackend {
    async fn get(&self, path: &str, cookie: Option<String>) -> (u16, String) {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let Ok(request) = request.body(Body::empty()) else { return (400, String::new()) };
        let Ok(response) = self.api.clone().oneshot(request).await;
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

pub fn router(state: &AppState) -> Router<AppState> {
    let backend: SharedBackend = Arc::new(ApiBackend { api: crate::api::router().with_state(state.clone()) });
    let context = move || {
        provide_context(Arc::clone(&backend));
        if let Some(response) = use_context::<ResponseOptions>() {
            provide_context(PageStatus(Arc::new(move |status| {
                if let Ok(status) = StatusCode::from_u16(status) {
                    response.set_status(status);
                }
            })));
        }
        // leptos_axum provides each request's nonce; the page's policy admits scripts with it.
        if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>())
            && let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce))
        {
            response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
        }
    };
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(state, ROUTES.clone(), context.clone(), move || shell(options.clone()))
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, shell))
}
