//! Security headers on every answer, and the host check in front of everything but ingestion.
//! Pages set their own Content-Security-Policy with the nonce of their hydration script (see
//! `dashboard`); everything else gets a policy that allows nothing.

use crate::auth::hosts::AllowedHosts;
use crate::error::error_response;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::any::Any;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;

/// The policy of a dashboard page: its own scripts (the hydration script by nonce), wasm, styles,
/// images and the live socket from this origin, and no framing.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

pub async fn headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    response
}

/// Answers 400 to a request for a host this server does not answer to (DNS rebinding).
pub async fn allowed_host(State(hosts): State<Arc<AllowedHosts>>, request: Request, next: Next) -> Response {
    if hosts.allows_host(request.headers()) {
        return next.run(request).await;
    }
    tracing::debug!("request for a host that is not allowed refused");
    error_response(
        StatusCode::BAD_REQUEST,
        "host_not_allowed",
        "this server does not answer to that host name; add it with --allowed-hosts".to_owned(),
    )
}

/// Turns a handler's panic into a 500 in the JSON error shape, logged, instead of a dropped
/// connection. (Ingestion catches its own first, to count the request.)
pub fn catch_panics() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(panicked as fn(Box<dyn Any + Send + 'static>) -> Response)
}

fn panicked(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic.downcast_ref::<&str>().copied().or_else(|| panic.downcast_ref::<String>().map(String::as_str));
    tracing::error!("a request handler panicked: {}", what.unwrap_or("(no message)"));
    error_response(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server failed to do this".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_the_json_error_shape() {
        async fn buggy() -> &'static str {
            panic!("a bug")
        }
        let router: Router = Router::new().route("/", get(buggy)).layer(catch_panics());
        let request = axum::http::Request::get("/").body(Body::empty()).expect("request");
        let Ok(response) = router.oneshot(request).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.expect("body");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(body["error"]["code"], "internal");
    }
}
