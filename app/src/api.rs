//! Server functions: one signature, called in place during server rendering and over HTTP from
//! the browser. Their bodies reach the server's data through the [`Backend`] it provides as
//! Leptos context, so `app` never depends on the database.

use crate::model::IssueSummary;
use leptos::prelude::*;

/// Most issues the list shows at once.
pub const ISSUE_LIST_LIMIT: u64 = 100;

#[cfg(feature = "ssr")]
pub use backend::{Backend, BackendError, SharedBackend};

#[cfg(feature = "ssr")]
mod backend {
    use crate::model::IssueSummary;
    use std::sync::Arc;

    /// What the server gives the dashboard. Implemented by the server over its storage.
    #[async_trait::async_trait]
    pub trait Backend: Send + Sync + 'static {
        /// Issues with the most recent activity first.
        async fn recent_issues(&self, limit: u64) -> Result<Vec<IssueSummary>, BackendError>;
    }

    pub type SharedBackend = Arc<dyn Backend>;

    /// A failure the dashboard may show: the details stay in the server's log.
    #[derive(Debug, thiserror::Error)]
    #[error("the server could not read its data; see its log")]
    pub struct BackendError;
}

/// The issues of every project, most recent activity first.
#[server(prefix = "/api/0/fn", endpoint = "recent_issues")]
pub async fn recent_issues() -> Result<Vec<IssueSummary>, ServerFnError> {
    let backend =
        use_context::<SharedBackend>().ok_or_else(|| ServerFnError::new("the dashboard backend is not configured"))?;
    backend.recent_issues(ISSUE_LIST_LIMIT).await.map_err(ServerFnError::new)
}
