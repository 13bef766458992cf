//! The browser side of the live socket: connect, hand each change to the page, and reconnect
//! with jittered exponential backoff, telling the page when it may have missed something.

use crate::components::live_badge::LiveStatus;
use crate::live::{LIVE_PATH, LiveChange, LiveUpdate};
use futures::StreamExt;
use gloo_net::websocket::{Message, futures::WebSocket};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const FIRST_RETRY_MS: f64 = 500.0;
const MAX_RETRY_MS: f64 = 30_000.0;

/// What a page hears from the socket.
#[derive(Debug)]
pub enum Heard {
    Change(LiveChange),
    /// Changes may have been missed (a new connection, a gap, a resync): reload what is shown.
    Missed,
}

/// Calls `on_heard` for everything the socket says until the owning view is disposed.
pub fn follow(status: RwSignal<LiveStatus>, on_heard: impl Fn(Heard) + 'static) {
    let stopped = Arc::new(AtomicBool::new(false));
    on_cleanup({
        let stopped = Arc::clone(&stopped);
        move || stopped.store(true, Ordering::Relaxed)
    });
    let on_heard: Rc<dyn Fn(Heard)> = Rc::new(on_heard);
    leptos::task::spawn_local(async move {
        let mut failures: i32 = 0;
        while !stopped.load(Ordering::Relaxed) {
            if let Some(url) = live_url()
                && let Ok(socket) = WebSocket::open(&url)
                && read_until_closed(socket, status, &stopped, on_heard.as_ref()).await
            {
                failures = 0;
            }
            if stopped.load(Ordering::Relaxed) {
                break;
            }
            status.set(LiveStatus::Reconnecting);
            let backoff = (FIRST_RETRY_MS * 2f64.powi(failures)).min(MAX_RETRY_MS);
            let jittered = backoff * (0.5 + js_sys::Math::random() / 2.0);
            TimeoutFuture::new(jittered as u32).await;
            failures = failures.saturating_add(1).min(16);
        }
    });
}

/// Passes messages on until the socket closes or the page goes. Returns whether it had opened.
async fn read_until_closed(
    socket: WebSocket,
    status: RwSignal<LiveStatus>,
    stopped: &AtomicBool,
    on_heard: &dyn Fn(Heard),
) -> bool {
    let (_sink, mut stream) = socket.split();
    let mut last_seq: Option<u64> = None;
    let mut opened = false;
    while let Some(Ok(message)) = stream.next().await {
        if stopped.load(Ordering::Relaxed) {
            break;
        }
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
