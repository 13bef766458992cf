//! The browser side of the live socket: connect, hand each change to the page, and reconnect
//! with jittered exponential backoff, telling the page when it may have missed something.

use crate::components::live_badge::LiveStatus;
use crate::live::{LIVE_PATH, LiveChange, LiveUpdate};
use futures::future::{AbortHandle, Abortable};
use futures::{FutureExt, StreamExt};
use gloo_net::websocket::{Message, futures::WebSocket};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

const FIRST_RETRY_MS: f64 = 500.0;
const MAX_RETRY_MS: f64 = 30_000.0;

/// What a page hears from the socket.
#[derive(Debug)]
pub enum Heard {
    Change(LiveChange),
    /// Changes may have been missed (a new connection, a gap, a resync): reload what is shown.
    Missed,
}

/// Calls `on_heard` for everything the socket says until the owning view is disposed; then the
/// task is dropped at once, and the socket with it, closed.
pub fn follow(status: RwSignal<LiveStatus>, on_heard: impl Fn(Heard) + 'static) {
    let (abort, registration) = AbortHandle::new_pair();
    on_cleanup(move || abort.abort());
    leptos::task::spawn_local(Abortable::new(reconnect_forever(status, on_heard), registration).map(drop));
}

async fn reconnect_forever(status: RwSignal<LiveStatus>, on_heard: impl Fn(Heard)) {
    let mut failures: i32 = 0;
    loop {
        if let Some(url) = live_url()
            && let Ok(socket) = WebSocket::open(&url)
            && read_until_closed(socket, status, &on_heard).await
        {
            failures = 0;
        }
        status.set(LiveStatus::Reconnecting);
        let backoff = (FIRST_RETRY_MS * 2f64.powi(failures)).min(MAX_RETRY_MS);
        let jittered = backoff * (0.5 + js_sys::Math::random() / 2.0);
        TimeoutFuture::new(jittered as u32).await;
        failures = failures.saturating_add(1).min(16);
    }
}

/// Passes messages on until the socket closes. Returns whether it had opened.
async fn read_until_closed(socket: WebSocket, status: RwSignal<LiveStatus>, on_heard: &impl Fn(Heard)) -> bool {
    let (_sink, mut stream) = socket.split();
    let mut last_seq: Option<u64> = None;
    let mut opened = false;
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else { continue };
        let Ok(update) = serde_json::from_str::<LiveUpdate>(&text) else {
            leptos::logging::warn!("ignoring an unreadable live message");
            continue;
        };
        match update.change {
            LiveChange::Connected => {
                opened = true;
                last_seq = Some(update.seq);
                status.set(LiveStatus::Live);
                on_heard(Heard::Missed);
            }
            LiveChange::Resync => {
                last_seq = None;
                on_heard(Heard::Missed);
            }
            LiveChange::SignedOut => crate::components::forms::go_to("/login"),
            change => {
                let missed = last_seq.is_some_and(|seq| update.seq != seq + 1);
                last_seq = Some(update.seq);
                on_heard(if missed { Heard::Missed } else { Heard::Change(change) });
            }
        }
    }
    opened
}

fn live_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}{LIVE_PATH}", location.host().ok()?))
}

/// Runs `work` at once when asked and, if asked again while it runs, once more `pause_ms` after:
/// at most once per pause however often the socket asks. `work` answers `false` once its page is
/// gone, which ends the loop.
pub fn throttled<Work, Done>(pause_ms: u32, work: Work) -> impl Fn() + Copy + 'static
where
    Work: Fn() -> Done + Copy + 'static,
    Done: std::future::Future<Output = bool> + 'static,
{
    let (running, asked_again) = (StoredValue::new(false), StoredValue::new(false));
    move || {
        if running.try_get_value() != Some(false) {
            asked_again.try_set_value(true);
            return;
        }
        running.set_value(true);
        leptos::task::spawn_local(async move {
            loop {
                asked_again.try_set_value(false);
                if !work().await {
                    return;
                }
                TimeoutFuture::new(pause_ms).await;
                if asked_again.try_get_value() != Some(true) {
                    break;
                }
            }
            running.try_set_value(false);
        });
    }
}
