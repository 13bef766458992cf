//! The live WebSocket of every dashboard tab: only for signed-in users, opened from this
//! server's pages, and carrying only the changes of the projects the user may read, each with
//! the client's own sequence number so a gap means it missed something.

use crate::api::ApiError;
use crate::auth::{AuthState, Principal, access};
use crate::broadcast::LiveHub;
use crate::state::AppState;
use app::live::{LIVE_PATH, LiveChange, LiveUpdate};
use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{SinkExt, StreamExt};
use tokio::sync::broadcast;

/// What the socket needs of the server's state.
#[derive(Clone)]
pub struct LiveState {
    pub auth: AuthState,
    pub hub: LiveHub,
}

impl FromRef<AppState> for LiveState {
    fn from_ref(state: &AppState) -> Self {
        LiveState { auth: AuthState::from_ref(state), hub: state.hub.clone() }
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

async fn upgrade(ws: WebSocketUpgrade, State(live): State<LiveState>, headers: HeaderMap) -> Response {
    let opened = async {
        if !live.auth.allowed_hosts.allows_origin(&headers) {
            return Err(ApiError::Forbidden("the live socket opens from this server's pages only"));
        }
        let principal =
            Principal::from_headers(&live.auth, &Method::GET, &headers).await?.ok_or(ApiError::Unauthenticated)?;
        let readable = access::readable_projects(&live.auth.db, &principal).await?;
        Ok(ws.on_upgrade(move |socket| serve(socket, live.hub, readable)))
    };
    opened.await.unwrap_or_else(IntoResponse::into_response)
}

/// Forwards the updates of the readable projects (`None`: all) until either side closes. Each
/// client gets its own sequence numbers, so a gap means it missed something.
async fn serve(socket: WebSocket, hub: LiveHub, readable: Option<Vec<i64>>) {
    let mut updates = hub.subscribe();
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
