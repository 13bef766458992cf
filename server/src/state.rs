//! What handlers can reach, and the part of it each layer takes (axum's `FromRef`): `auth` and
//! the live socket get only what they need, so they cannot reach the rest.

use crate::alerts::dispatch::Dispatcher;
use crate::auth::AuthState;
use crate::auth::client_address::TrustedProxies;
use crate::auth::hashing::HashingGate;
use crate::auth::hosts::AllowedHosts;
use crate::auth::login_limit::LoginLimiter;
use crate::auth::sessions::SessionPolicy;
use crate::ingest::key_cache::KeyCache;
use crate::ingest::outcomes::Outcomes;
use crate::ingest::{Limits, RateLimiter};
use crate::live::hub::LiveHub;
use crate::live::socket_counts::SocketCounts;
use crate::store::writer::Writer;
use axum::extract::FromRef;
use leptos_config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub writer: Writer,
    pub hub: LiveHub,
    /// Delivers alerts; the API's test sends and URL checks go through it too.
    pub alerts: Dispatcher,
    /// Open live sockets per user and per address, within their caps.
    pub sockets: Arc<SocketCounts>,
    /// How often a live socket re-checks its session when nothing told it to.
    pub socket_recheck: Duration,
    pub limits: Limits,
    /// DSN keys looked up lately; the API empties it when a key or a project's settings change.
    pub ingest_keys: Arc<KeyCache>,
    pub outcomes: Arc<Outcomes>,
    pub rate_limiter: Arc<RateLimiter>,
    pub login_limiter: Arc<LoginLimiter>,
    pub passwords: Arc<HashingGate>,
    /// Whose forwarding headers name the client's address.
    pub trusted_proxies: Arc<TrustedProxies>,
    pub sessions: SessionPolicy,
    /// How browsers and SDKs reach this server, e.g. `https://errors.example.com`.
    pub public_url: String,
    /// The host names pages, the API and the live socket answer to, and their origins.
    pub allowed_hosts: Arc<AllowedHosts>,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for AuthState {
    fn from_ref(state: &AppState) -> Self {
        AuthState { db: state.db.clone(), sessions: state.sessions, allowed_hosts: state.allowed_hosts.clone() }
    }
}
