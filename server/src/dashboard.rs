//! Serves the Leptos dashboard: server-rendered pages, their server functions, and the static
//! site (wasm, js, css) built by `cargo xtask build`. The pages read data through [`DbBackend`].

use crate::startup::AppState;
use crate::store::issues;
use app::api::{Backend, BackendError, SharedBackend};
use app::model::IssueSummary;
use app::{App, shell};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The dashboard's data, read from the database.
pub struct DbBackend {
    db: DatabaseConnection,
}

#[async_trait::async_trait]
impl Backend for DbBackend {
    async fn recent_issues(&self, limit: u64) -> Result<Vec<IssueSummary>, BackendError> {
        issues::recent(&self.db, limit).await.map_err(|err| {
            tracing::error!("listing issues failed: {err}");
            BackendError
        })
    }
}

pub fn router(state: &AppState) -> Router<AppState> {
    let backend: SharedBackend = Arc::new(DbBackend { db: state.db.clone() });
    let context = move || provide_context(Arc::clone(&backend));
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(state, generate_route_list(App), context.clone(), move || shell(options.clone()))
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, shell))
}
