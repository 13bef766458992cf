//! Talking to the REST API, the one source of the dashboard's data: over HTTP in the browser,
//! and in-process during server rendering through the [`Backend`] the server provides as Leptos
//! context (it runs the same routes). So a page reads exactly what `/api/0/…` answers.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;

#[cfg(feature = "ssr")]
pub use backend::{Backend, PageStatus, SharedBackend};

#[cfg(feature = "ssr")]
mod backend {
    use std::sync::Arc;

    /// Runs a GET request against the REST API in-process, as the request's user.
    #[async_trait::async_trait]
    pub trait Backend: Send + Sync + 'static {
        /// The status and body of `GET path` with the given `Cookie` header.
        async fn get(&self, path: &str, cookie: Option<String>) -> (u16, String);
    }

    pub type SharedBackend = Arc<dyn Backend>;

    /// Sets the HTTP status of the page being rendered; the server provides it as context.
    #[derive(Clone)]
    pub struct PageStatus(pub Arc<dyn Fn(u16) + Send + Sync>);
}

/// Makes the page being rendered answer `status` (a page about something that does not exist
/// answers 404); nothing in the browser, where the page has been answered.
pub fn set_page_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(PageStatus(set)) = leptos::prelude::use_context::<PageStatus>() {
        set(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// An error answer of the API, or a failure to reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AppError {
    #[serde(default)]
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl AppError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        AppError { status, code: "unavailable".to_owned(), message: message.into() }
    }

    /// Whether the API said there is no `what` (`no such issue`), as opposed to something else
    /// the request named.
    pub fn is_not_found(&self, what: &str) -> bool {
        self.status == 404 && self.message.strip_prefix("no such ") == Some(what)
    }

    /// Whether the caller is not signed in.
    pub fn is_unauthenticated(&self) -> bool {
        self.status == 401
    }

    fn from_answer(status: u16, body: &str) -> Self {
        #[derive(serde::Deserialize)]
        struct Envelope {
            error: AppError,
        }
        match serde_json::from_str::<Envelope>(body) {
            Ok(Envelope { error }) => AppError { status, ..error },
            Err(_) => AppError::new(status, format!("the server answered {status}")),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn parse<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, AppError> {
    if (200..300).contains(&status) {
        serde_json::from_str(if body.is_empty() { "null" } else { body })
            .map_err(|err| AppError::new(status, format!("unexpected answer: {err}")))
    } else {
        Err(AppError::from_answer(status, body))
    }
}

/// `GET path`, decoded.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, AppError> {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let backend =
            use_context::<SharedBackend>().ok_or_else(|| AppError::new(500, "the dashboard backend is missing"))?;
        let cookie = use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::COOKIE)?.to_str().ok().map(str::to_owned));
        let (status, body) = backend.get(path, cookie).await;
        parse(status, &body)
    }
    #[cfg(not(feature = "ssr"))]
    {
        // Browser futures stay on the one thread there is; resources want `Send` futures.
        send_wrapper::SendWrapper::new(async move {
            let response = gloo_net::http::Request::get(path)
                .send()
                .await
                .map_err(|err| AppError::new(0, format!("cannot reach the server: {err}")))?;
            let status = response.status();
            parse(status, &response.text().await.unwrap_or_default())
        })
        .await
    }
}

/// The state-changing methods the dashboard uses.
#[derive(Clone, Copy, Debug)]
pub enum Method {
    Post,
    Put,
    Patch,
    Delete,
}

/// Sends `body` as JSON with `method` and decodes the answer (`()` for 204). Browser only: the
/// server renders pages with reads alone.
#[cfg_attr(feature = "ssr", expect(unused_variables, reason = "the server never sends changes"))]
pub async fn send<B: Serialize, T: DeserializeOwned>(method: Method, path: &str, body: &B) -> Result<T, AppError> {
    #[cfg(feature = "ssr")]
    {
        Err(AppError::new(500, "changes are made from the browser"))
    }
    #[cfg(not(feature = "ssr"))]
    {
        use gloo_net::http::RequestBuilder;
        let builder = match method {
            Method::Post => RequestBuilder::new(path).method(gloo_net::http::Method::POST),
            Method::Put => RequestBuilder::new(path).method(gloo_net::http::Method::PUT),
            Method::Patch => RequestBuilder::new(path).method(gloo_net::http::Method::PATCH),
            Method::Delete => RequestBuilder::new(path).method(gloo_net::http::Method::DELETE),
        };
        let response = builder
            .json(body)
            .map_err(|err| AppError::new(0, err.to_string()))?
            .send()
            .await
            .map_err(|err| AppError::new(0, format!("cannot reach the server: {err}")))?;
        let status = response.status();
        parse(status, &response.text().await.unwrap_or_default())
    }
}
