//! The live hub: after the writer commits a batch it publishes what changed, and every open
//! dashboard's [`crate::live_socket`] receives it. Publishing never waits for a client: each
//! client has a bounded backlog, and one that falls behind is told to resync instead.

use app::live::LiveChange;
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

    /// What will be published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveChange>> {
        self.sender.subscribe()
    }
}
