//! The live WebSocket of every dashboard tab: only for signed-in users, opened from this
//! server's pages, and carrying only the changes of the projects the user may read, each with
//! the client's own sequence number so a gap means it missed something.
//!
//! A socket outlives the request that opened it, so it re-checks who is on the other end whenever
//! anyone's access changes (memberships, roles, users, sessions, tokens) and at least every
//! minute: when its session or token no longer signs anybody in, it says so and closes; when
//! its user's projects changed, it narrows (or widens) to them and tells the page to resync.
//! Each user and each address may hold a bounded number of sockets.

use super::hub::LiveHub;
use super::socket_counts::{SocketCounts, SocketSlot};
use crate::api::ApiError;
use crate::auth::client_address::TrustedProxies;
use crate::auth::{AuthError, AuthState, Principal, access};
use crate::state::AppState;
use app::live::{LIVE_PATH, LiveChange, LiveUpdate};
use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, FromRef, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// The close code of a socket whose user is signed out (the private range of RFC 6455).
const SIGNED_OUT: u16 = 4401;

/// What the socket needs of the server's state.
#[derive(Clone)]
pub struct LiveState {
    pub auth: AuthState,
    pub hub: LiveHub,
    pub trusted_proxies: Arc<TrustedProxies>,
    pub sockets: Arc<SocketCounts>,
    /// How often a socket re-checks its session when nothing told it to.
    pub recheck: Duration,
}

impl FromRef<AppState> for LiveState {
    fn from_ref(state: &AppState) -> Self {
        LiveState {
            auth: AuthState::from_ref(state),
            hub: state.hub.clone(),
            trusted_proxies: state.trusted_proxies.clone(),
            sockets: state.sockets.clone(),
            recheck: state.socket_recheck,
        }
    }
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    LiveState: FromRef<S>,
{
    Router::new().route(LIVE_PATH, get(upgrade))
}

fn encode(update: &LiveUpdate) -> String {
    serde_json::to_string(update).unwrap_or_else(|_| "{}".to_owned())
}

async fn upgrade(
    ws: WebSocketUpgrade,
    State(live): State<LiveState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let opened = async {
        if !live.auth.allowed_hosts.allows_origin(&headers) {
            return Err(ApiError::Forbidden("the live socket opens from this server's pages only"));
        }
        let credentials = credentials(&headers);
        let principal =
            Principal::from_headers(&live.auth, &Method::GET, &credentials).await?.ok_or(ApiError::Unauthenticated)?;
        let address = live.trusted_proxies.client(peer.ip(), &headers);
        let slot = SocketCounts::open(&live.sockets, principal.user_id, address).ok_or(ApiError::TooManySockets)?;
        let readable = access::readable_projects(&live.auth.db, &principal).await?;
        let socket = Socket { live, credentials, readable, seq: 0, _slot: slot };
        Ok(ws.on_upgrade(move |ws| socket.serve(ws)))
    };
    opened.await.unwrap_or_else(IntoResponse::into_response)
}

/// The headers that sign the socket's user in, kept to check them again.
fn credentials(headers: &HeaderMap) -> HeaderMap {
    [header::COOKIE, header::AUTHORIZATION]
        .into_iter()
        .flat_map(|name| headers.get_all(&name).iter().map(move |value| (name.clone(), value.clone())))
        .collect()
}

/// One open socket: whose it is, what it may carry, and its place in the counts.
struct Socket {
    live: LiveState,
    credentials: HeaderMap,
    /// The projects whose changes it carries; `None`: all of them.
    readable: Option<Vec<i64>>,
    seq: u64,
    _slot: SocketSlot,
}

/// What a re-check decided.
enum Recheck {
    Same,
    /// The user's projects changed: the page should refetch what it shows.
    Changed,
    SignedOut,
}

impl Socket {
    /// Forwards the updates of the readable projects until either side closes or the user is
    /// signed out.
    async fn serve(mut self, socket: WebSocket) {
        let mut updates = self.live.hub.subscribe();
        let mut access = self.live.hub.watch_access();
        let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + self.live.recheck, self.live.recheck);
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let (mut outgoing, mut incoming) = socket.split();
        if outgoing.send(self.message(LiveChange::Connected)).await.is_err() {
            return;
        }
        loop {
            let change = tokio::select! {
                update = updates.recv() => match update {
                    Ok(change) if !self.carries(&change) => continue,
                    Ok(change) => (*change).clone(),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "live client fell behind; asking it to resync");
                        LiveChange::Resync
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                message = incoming.next() => match message {
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                },
                changed = access.changed() => match changed {
                    Ok(()) => match self.recheck().await {
                        Recheck::Same => continue,
                        Recheck::Changed => LiveChange::Resync,
                        Recheck::SignedOut => break self.sign_out(&mut outgoing).await,
                    },
                    Err(_) => break,
                },
                _ = recheck.tick() => match self.recheck().await {
                    Recheck::Same => continue,
                    Recheck::Changed => LiveChange::Resync,
                    Recheck::SignedOut => break self.sign_out(&mut outgoing).await,
                },
            };
            if outgoing.send(self.message(change)).await.is_err() {
                break;
            }
        }
    }

    fn message(&mut self, change: LiveChange) -> Message {
        let update = LiveUpdate { seq: self.seq, change };
        self.seq += 1;
        Message::text(encode(&update))
    }

    fn carries(&self, change: &LiveChange) -> bool {
        match (change.project_id(), &self.readable) {
            (Some(project_id), Some(projects)) => projects.contains(&project_id),
            _ => true,
        }
    }

    /// Whether the socket's credentials still sign its user in, and to which projects. A database
    /// that does not answer changes nothing: the next check tries again.
    async fn recheck(&mut self) -> Recheck {
        let auth = &self.live.auth;
        let principal = match Principal::from_headers(auth, &Method::GET, &self.credentials).await {
            Ok(Some(principal)) => principal,
            Ok(None) | Err(AuthError::Unauthenticated) => return Recheck::SignedOut,
            Err(err) => {
                tracing::warn!("re-checking a live socket's session failed: {err}");
                return Recheck::Same;
            }
        };
        match access::readable_projects(&auth.db, &principal).await {
            Ok(readable) if readable == self.readable => Recheck::Same,
            Ok(readable) => {
                self.readable = readable;
                Recheck::Changed
            }
            Err(err) => {
                tracing::warn!("re-checking a live socket's projects failed: {err}");
                Recheck::Same
            }
        }
    }

    /// Tells the page that its user is signed out, and closes.
    async fn sign_out(&mut self, outgoing: &mut (impl SinkExt<Message> + Unpin)) {
        tracing::debug!("closing the live socket of a signed-out user");
        let signed_out = self.message(LiveChange::SignedOut);
        let close = Message::Close(Some(CloseFrame { code: SIGNED_OUT, reason: "signed out".into() }));
        if outgoing.send(signed_out).await.is_ok() {
            // The page goes to the sign-in page either way; a failed close changes nothing.
            drop(outgoing.send(close).await);
        }
    }
}
