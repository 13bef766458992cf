//! The live hub: after the writer commits a batch it publishes what changed, and every open
//! dashboard receives it over its WebSocket. Publishing never waits for a client: each client
//! has a bounded backlog, and one that falls behind is told to resync instead.

use app::live::{LIVE_PATH, LiveChange, LiveUpdate};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use futures::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast;

/// Messages a client may fall behind by before it is told to resync.
const CLIENT_BACKLOG: usize = 1024;

#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Arc<str>>,
    /// The sequence number of the last message published; held while sending so that numbers
    /// go out in order.
    seq: Mutex<u64>,
}

impl Default for LiveHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CLIENT_BACKLOG);
        LiveHub { inner: Arc::new(Inner { sender, seq: Mutex::new(0) }) }
    }
}

impl LiveHub {
    /// Sends each change to every connected client.
    pub fn publish(&self, changes: impl IntoIterator<Item = LiveChange>) {
        let mut seq = self.inner.seq.lock().unwrap_or_else(PoisonError::into_inner);
        for change in changes {
            *seq += 1;
            let message = encode(&LiveUpdate { seq: *seq, change });
            // An error only means that no dashboard is open right now.
            if self.inner.sender.send(message).is_err() {
                tracing::trace!("no live client connected");
            }
        }
    }

    /// A new client's stream, with the last sequence number published before it.
    fn subscribe(&self) -> (u64, broadcast::Receiver<Arc<str>>) {
        let seq = self.inner.seq.lock().unwrap_or_else(PoisonError::into_inner);
        (*seq, self.inner.sender.subscribe())
    }
}

fn encode(update: &LiveUpdate) -> Arc<str> {
    serde_json::to_string(update).map_or_else(|_| Arc::from("{}"), Arc::from)
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    LiveHub: axum::extract::FromRef<S>,
{
    Router::new().route(LIVE_PATH, get(upgrade))
}

async fn upgrade(ws: WebSocketUpgrade, State(hub): State<LiveHub>) -> Response {
    ws.on_upgrade(move |socket| serve(socket, hub))
}

async fn serve(socket: WebSocket, hub: LiveHub) {
    let (seq, mut updates) = hub.subscribe();
    drop(hub);
    let (mut outgoing, mut incoming) = socket.split();
    let hello = encode(&LiveUpdate { seq, change: LiveChange::Connected });
    if outgoing.send(Message::text(&*hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            update = updates.recv() => {
                let text = match update {
                    Ok(text) => text,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "live client fell behind; asking it to resync");
                        encode(&LiveUpdate { seq: 0, change: LiveChange::Resync })
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                if outgoing.send(Message::text(&*text)).await.is_err() {
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
