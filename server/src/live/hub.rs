//! The live hub: after the writer commits a batch it publishes what changed, and every open
//! dashboard's [`super::socket`] receives it. Publishing never waits for a client: each
//! client has a bounded backlog, and one that falls behind is told to resync instead. The hub
//! also tells every socket when anyone's access changed, so each re-checks its own.

use app::live::LiveChange;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// Messages a client may fall behind by before it is told to resync.
const CLIENT_BACKLOG: usize = 1024;

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveChange>>,
    /// Counts changes of memberships, roles, users, sessions and tokens.
    access: Arc<watch::Sender<u64>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CLIENT_BACKLOG);
        LiveHub { sender, access: Arc::new(watch::Sender::new(0)) }
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

    /// Someone's memberships, role, account, sessions or tokens changed: every open socket checks
    /// whether its user may still read what it carries.
    pub fn access_changed(&self) {
        self.access.send_modify(|changes| *changes = changes.wrapping_add(1));
    }

    /// Hears of [`Self::access_changed`] from now on.
    pub fn watch_access(&self) -> watch::Receiver<u64> {
        self.access.subscribe()
    }

    /// What will be published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveChange>> {
        self.sender.subscribe()
    }
}
