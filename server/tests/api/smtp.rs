//! A real SMTP server for alert email tests: Python's `aiosmtpd` (from the test virtualenv) on a
//! loopback port, running `smtp_receiver.py`, which parses each message it gets with Python's
//! own email parser and reports it as a JSON line; it answers 250 unless told otherwise.

use crate::helpers::workspace_root;
use serde::Deserialize;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{Notify, mpsc};

/// One message as the SMTP server got it.
#[derive(Clone, Debug, Deserialize)]
pub struct Mail {
    /// What the server answered to its DATA.
    pub reply: String,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Mail {
    /// The value of the header of that name (any case), if it has one.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    pub fn text(&self) -> &str {
        self.text.as_deref().expect("a plain-text part")
    }

    pub fn html(&self) -> &str {
        self.html.as_deref().expect("an HTML part")
    }
}

pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Mail>>>,
    arrived: Arc<Notify>,
    queued: tokio::sync::Mutex<mpsc::UnboundedReceiver<()>>,
    stdin: tokio::sync::Mutex<ChildStdin>,
    _child: Child,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let script = workspace_root().join("server/tests/api/smtp_receiver.py");
        let mut child = Command::new(crate::python_sdk::python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python runs the SMTP server");
        let stdin = child.stdin.take().expect("stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let port = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the SMTP server starts")
            .expect("reads")
            .and_then(|line| line.trim().parse().ok())
            .expect("the SMTP server says its port");
        let received = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let (queued_tx, queued) = mpsc::unbounded_channel();
        let (into, wake) = (received.clone(), arrived.clone());
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let said: serde_json::Value = serde_json::from_str(&line).expect("a line of the SMTP server");
                if said.get("queued").is_some() {
                    let _ = queued_tx.send(());
                } else {
                    into.lock().expect("lock").push(serde_json::from_value(said).expect("a message"));
                    wake.notify_waiters();
                }
            }
        });
        SmtpServer {
            port,
            received,
            arrived,
            queued: tokio::sync::Mutex::new(queued),
            stdin: tokio::sync::Mutex::new(stdin),
            _child: child,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The next message gets this answer, e.g. `451 4.3.0 Try again later`; returns once the
    /// server has it.
    pub async fn reply(&self, reply: &str) {
        let mut stdin = self.stdin.lock().await;
        stdin.write_all(format!("reply {reply}\n").as_bytes()).await.expect("tells the SMTP server");
        stdin.flush().await.expect("flush");
        let acknowledged = tokio::time::timeout(Duration::from_secs(10), self.queued.lock().await.recv()).await;
        assert!(matches!(acknowledged, Ok(Some(()))), "the SMTP server took the reply");
    }

    pub fn received(&self) -> Vec<Mail> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits until `count` messages have arrived; returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + timeout;
        loop {
            let arrived = self.arrived.notified();
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{count} emails expected, {} arrived: {received:?}", received.len());
            let _ = tokio::time::timeout(left, arrived).await;
        }
    }
}
