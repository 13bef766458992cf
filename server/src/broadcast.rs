//! The live hub: after the writer commits a batch it publishes what changed, and every open
//! dashboard receives it over its WebSocket. Publishing never waits for a client: each client
//! has a bounded backlog, and one that falls behind is told to resync instead. The socket is
//! only for signed-in users, opened from this server's pages, and carries only the changes of
//! the projects the user may read.

use crate::api::ApiError;
use crate::auth::{Principal, access};
use crate::startup::AppState;
use app::live::{LIVE_PATH, LiveChange, LiveUpdate};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Messages a client may fall behind by before it is told to resync.
const CLIENT_BACKLOG: usize = 1024;

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveChange>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CLIENT_BACKLOG);
        LiveHub { sender }
    }
}

impl LiveHub {
    /// Sends each change to every connected client that may see it.
    pub fn publish(&self, changes: impl IntoIterator<Item = LiveChange>) {
        for change in changes {
            // An error only means that no dashboard is open right now.
            if self.sender.send(Arc::new(change)).is_err() {
                tracing::trace!("no live client connected");
            }
        }
    }
}

fn encode(update: &LiveUpdate) -> String {
    serde_json::to_string(update).unwrap_or_else(|_| "{}".to_owned())
}

pub fn router() -> Router<AppState> {
    Router::new().route(LIVE_PATH, get(upgrade))
}

async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !state.allowed_hosts.allows_origin(&headers) {
        return ApiError::Forbidden("the live socket opens from this server's pages only").into_response();
    }
    let principal = match Principal::from_headers(&state, &Method::GET, &headers).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return ApiError::Unauthenticated.into_response(),
        Err(err) => return err.into_response(),
    };
    let readable = match access::readable_projects(&state.db, &principal).await {
        Ok(readable) => readable,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let hub = state.hub.clone();
    ws.on_upgrade(move |socket| serve(socket, hub, readable))
}

/// Forwards the updates of the readable projects (`None`: all) until either side closes. Each
/// client gets its own sequence numbers, so a gap means it missed something.
async fn serve(socket: WebSocket, hub: LiveHub, readable: Option<Vec<i64>>) {
    let mut updates = hub.sender.subscribe();
    drop(hub);
    let (mut outgoing, mut incoming) = socket.split();
    let mut seq = 0;
    if outgoing.send(Message::text(encode(&LiveUpdate { seq, change: LiveChange::Connected }))).await.is_err() {
        return;
    }
    let visible = |change: &LiveChange| match (change.project_id(), &readable) {
        (Some(project_id), Some(projects)) => projects.contains(&project_id),
        _ => true,
    };
    loop {
        tokio::select! {
            update = updates.recv() => {
                let change = match update {
                    Ok(change) if !visible(&change) => continue,
                    Ok(change) => (*change).clone(),
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "live client fell behind; asking it to resync");
                        LiveChange::Resync
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                seq += 1;
                if outgoing.send(Message::text(encode(&LiveUpdate { seq, change }))).await.is_err() {
                    break;
                }
            }
            message = incoming.next() => match message {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}
