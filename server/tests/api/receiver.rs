//! Real receivers for alert tests: an HTTP server on a loopback port that records every request
//! (as Slack, Discord, Teams or any webhook would get it) and answers as told — 200, an error,
//! 429 with `Retry-After`, a redirect, or never; and a bare listener that counts connections.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How the receiver answers one request.
#[derive(Clone, Debug)]
pub enum Reply {
    Status(u16),
    /// 429 with `Retry-After: <seconds>`.
    TooMany(u64),
    /// 302 to this URL.
    Redirect(String),
    /// Never answers.
    Hang,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
    }
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    replies: Mutex<VecDeque<Reply>>,
    arrived: Notify,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Inner::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let app = axum::Router::new().fallback(record).with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Receiver { addr, inner }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The next requests get these answers, in order; then 200.
    pub fn reply(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.replies.lock().expect("lock").extend(replies);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().expect("lock").clone()
    }

    /// The requests to `path` once there are `count`, failing after `timeout`.
    pub async fn wait_for(&self, path: &str, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let arrived = self.inner.arrived.notified();
            let to_path: Vec<Received> = self.received().into_iter().filter(|r| r.path == path).collect();
            if to_path.len() >= count {
                return to_path;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{path} got {} requests, not {count}, within {timeout:?}", to_path.len());
            let _ = tokio::time::timeout(left, arrived).await;
        }
    }
}

async fn record(State(inner): State<Arc<Inner>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let reply = inner.replies.lock().expect("lock").pop_front();
    inner.received.lock().expect("lock").push(Received {
        path: uri.path().to_owned(),
        headers,
        body: body.to_vec(),
        at: Instant::now(),
    });
    inner.arrived.notify_waiters();
    match reply {
        None => (StatusCode::OK, "ok").into_response(),
        Some(Reply::Status(code)) => {
            (StatusCode::from_u16(code).expect("status"), format!("answer {code}")).into_response()
        }
        Some(Reply::TooMany(seconds)) => {
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", seconds.to_string())], "slow down").into_response()
        }
        Some(Reply::Redirect(to)) => (StatusCode::FOUND, [("location", to)], "").into_response(),
        Some(Reply::Hang) => {
            std::future::pending::<()>().await;
            StatusCode::OK.into_response()
        }
    }
}

/// A loopback listener that counts the connections made to it and answers none.
pub struct Listener {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl Listener {
    pub async fn start() -> Listener {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Listener { addr, connections }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
