//! The requests the official SDKs sent, recorded on loopback (`tests/fixtures/sentry`), and
//! replaying them byte for byte with their original headers.

use crate::helpers::{TestApp, workspace_root};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
pub struct Recording {
    #[serde(skip)]
    pub name: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: Vec<u8>,
}

/// What the reference parser found in each recording (`index.json`).
#[derive(Debug, Deserialize)]
pub struct IndexEntry {
    pub file: String,
    pub items: Vec<IndexItem>,
}

#[derive(Debug, Deserialize)]
pub struct IndexItem {
    #[serde(rename = "type")]
    pub ty: String,
}

impl IndexEntry {
    pub fn has_event(&self) -> bool {
        self.items.iter().any(|item| item.ty == "event")
    }
}

fn fixtures_dir() -> PathBuf {
    workspace_root().join("server/tests/fixtures/sentry")
}

pub fn index() -> Vec<IndexEntry> {
    let text = std::fs::read_to_string(fixtures_dir().join("index.json")).expect("index.json");
    serde_json::from_str(&text).expect("index.json parses")
}

/// A recording by its index name, e.g. `python/default/py-default-01`.
pub fn load(name: &str) -> Recording {
    let base = fixtures_dir().join(name);
    let meta = std::fs::read_to_string(base.with_extension("meta.json")).expect("meta.json");
    let mut recording: Recording = serde_json::from_str(&meta).expect("meta.json parses");
    recording.name = name.to_owned();
    recording.body = std::fs::read(base.with_extension("body.raw")).expect("body.raw");
    recording
}

impl Recording {
    /// The event id of the envelope header, where the event's id is given.
    pub fn envelope_event_id(&self) -> Option<String> {
        let body = self.decoded_body();
        let header = body.split(|b| *b == b'\n').next()?;
        let value: serde_json::Value = serde_json::from_slice(header).ok()?;
        value.get("event_id")?.as_str().map(|id| id.replace('-', "").to_lowercase())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The body with its Content-Encoding removed.
    pub fn decoded_body(&self) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        match self.header("content-encoding") {
            Some("gzip") => {
                flate2::read::MultiGzDecoder::new(&self.body[..]).read_to_end(&mut out).expect("gzip");
            }
            Some("br") => {
                brotli::Decompressor::new(&self.body[..], 4096).read_to_end(&mut out).expect("br");
            }
            _ => out = self.body.clone(),
        }
        out
    }

    /// Sends the recorded request to `app` with its recorded path, query, headers and body.
    pub async fn replay(&self, app: &TestApp) -> reqwest::Response {
        let query = if self.query.is_empty() { String::new() } else { format!("?{}", self.query) };
        let mut request = app.client.post(app.url(&format!("{}{query}", self.path)));
        for (name, value) in &self.headers {
            // Hop-by-hop and length headers belong to the original connection.
            let skip = ["host", "content-length", "transfer-encoding", "connection"];
            if !skip.contains(&name.to_ascii_lowercase().as_str()) {
                request = request.header(name, value);
            }
        }
        request.body(self.body.clone()).send().await.expect("replayed request sent")
    }
}
