//! The browser side of the live socket: connect, fold changes into the list, and reconnect with
//! jittered exponential backoff, refetching whatever may have been missed.

use crate::api;
use crate::board::upsert_issue;
use crate::live::{LIVE_PATH, LiveChange, LiveUpdate};
use crate::model::IssueSummary;
use crate::pages::issue_list::{ISSUE_LIST_LIMIT, ISSUES_PATH, LiveStatus};
use futures::StreamExt;
use gloo_net::websocket::{Message, futures::WebSocket};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const FIRST_RETRY_MS: f64 = 500.0;
const MAX_RETRY_MS: f64 = 30_000.0;

/// Keeps `issues` in step with the server until the owning view is disposed.
pub fn follow(issues: RwSignal<Vec<IssueSummary>>, status: RwSignal<LiveStatus>) {
    let stopped = Arc::new(AtomicBool::new(false));
    on_cleanup({
        let stopped = Arc::clone(&stopped);
        move || stopped.store(true, Ordering::Relaxed)
    });
    leptos::task::spawn_local(async move {
        let mut failures: i32 = 0;
        while !stopped.load(Ordering::Relaxed) {
            if let Some(url) = live_url()
                && let Ok(socket) = WebSocket::open(&url)
                && read_until_closed(socket, issues, status).await
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

/// Applies messages until the socket closes. Returns whether the connection had opened.
async fn read_until_closed(
    socket: WebSocket,
    issues: RwSignal<Vec<IssueSummary>>,
    status: RwSignal<LiveStatus>,
) -> bool {
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
                refetch(issues).await;
            }
            LiveChange::Resync => {
                last_seq = None;
                refetch(issues).await;
            }
            LiveChange::IssueCreated { issue } | LiveChange::IssueUpdated { issue } => {
                let missed = last_seq.is_some_and(|seq| update.seq != seq + 1);
                last_seq = Some(update.seq);
                if missed {
                    refetch(issues).await;
                } else {
                    issues.update(|list| upsert_issue(list, issue, ISSUE_LIST_LIMIT));
                }
            }
        }
    }
    opened
}

async fn refetch(issues: RwSignal<Vec<IssueSummary>>) {
    match api::get::<Vec<IssueSummary>>(ISSUES_PATH).await {
        Ok(list) => issues.set(list),
        Err(err) => leptos::logging::warn!("could not refresh the issue list: {err}"),
    }
}

fn live_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}{LIVE_PATH}", location.host().ok()?))
}
