//! Sending one message over HTTP: through the outbound [`Guard`], with a timeout, following no
//! redirect and reading at most a few KiB of the answer; the answer decides whether the delivery
//! is done, is tried again (timeouts, 408, 429 with its `Retry-After`, 5xx) or is given up (any
//! other refusal). Errors never carry the URL: it is a secret.

use super::format::Message;
use super::guard::{Guard, literal};
use reqwest::{StatusCode, Url, header};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bytes of a receiver's answer read, for the error it explains.
const MAX_ANSWER_BYTES: usize = 4096;
/// Characters of it kept in the delivery log.
const MAX_ERROR_CHARS: usize = 300;
/// The longest `Retry-After` heeded.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    guard: Guard,
}

/// How an attempt went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency: Duration,
    pub verdict: Verdict,
}

impl Answer {
    /// An attempt that reached no receiver, for the reason given.
    pub fn unsent(error: impl Into<String>, verdict: Verdict) -> Answer {
        Answer { status: None, error: Some(error.into()), latency: Duration::ZERO, verdict }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Worth another attempt, not before `after` when the receiver said so.
    Retry {
        after: Option<Duration>,
    },
    GiveUp,
}

impl Outbound {
    pub fn new(guard: Guard, timeout: Duration) -> Result<Outbound, reqwest::Error> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(guard))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(concat!("Faultline/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Outbound { client, guard })
    }

    pub fn guard(&self) -> Guard {
        self.guard
    }

    /// POSTs the message as JSON to the URL.
    pub async fn send(&self, url: &str, message: &Message) -> Answer {
        let started = Instant::now();
        let answer = |status, error: String, verdict| Answer {
            status,
            error: Some(clip(&error)),
            latency: started.elapsed(),
            verdict,
        };
        let url = match Url::parse(url) {
            Ok(url) => url,
            Err(err) => return answer(None, format!("the channel's URL is not valid: {err}"), Verdict::GiveUp),
        };
        // The resolver checks names; an address written in the URL is checked here.
        if let Some(address) = url.host_str().and_then(literal)
            && let Err(err) = self.guard.allow(url.host_str().unwrap_or_default(), address)
        {
            return answer(None, err.to_string(), Verdict::GiveUp);
        }
        let mut request =
            self.client.post(url).header(header::CONTENT_TYPE, "application/json").body(message.body.clone());
        for (name, value) in &message.headers {
            request = request.header(*name, value);
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                let err = err.without_url();
                let guard_refused = std::error::Error::source(&err)
                    .into_iter()
                    .flat_map(|source| std::iter::successors(Some(source), |e| e.source()))
                    .find_map(|source| source.downcast_ref::<super::guard::GuardError>())
                    .cloned();
                return match guard_refused {
                    Some(refused) => answer(None, refused.to_string(), Verdict::GiveUp),
                    None if err.is_timeout() => {
                        answer(None, "the receiver did not answer in time".to_owned(), Verdict::Retry { after: None })
                    }
                    None => answer(
                        None,
                        format!("could not reach the receiver: {}", chain(&err)),
                        Verdict::Retry { after: None },
                    ),
                };
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let mut text = Vec::new();
        while text.len() < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => text.extend_from_slice(&chunk[..chunk.len().min(MAX_ANSWER_BYTES - text.len())]),
                Ok(None) | Err(_) => break,
            }
        }
        let code = Some(status.as_u16());
        if status.is_success() {
            return Answer { status: code, error: None, latency: started.elapsed(), verdict: Verdict::Delivered };
        }
        if status.is_redirection() {
            return answer(
                code,
                format!("HTTP {status}: redirects are not followed; give the final URL"),
                Verdict::GiveUp,
            );
        }
        let said = String::from_utf8_lossy(&text).trim().to_owned();
        let error = if said.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status}: {said}") };
        let retryable = status == StatusCode::TOO_MANY_REQUESTS
            || status == StatusCode::REQUEST_TIMEOUT
            || status.is_server_error();
        let verdict = if retryable { Verdict::Retry { after: retry_after } } else { Verdict::GiveUp };
        answer(code, error, verdict)
    }
}

/// The error and its causes, e.g. "error sending request: connection refused".
pub(super) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub(super) fn clip(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}

/// `Retry-After` in seconds or as an HTTP date, at most an hour.
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.to_utc() - chrono::Utc::now()).to_std().unwrap_or_default()
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> header::HeaderMap {
        let mut headers = header::HeaderMap::new();
        headers.insert(header::RETRY_AFTER, value.parse().expect("header"));
        headers
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date_and_at_most_an_hour() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers("86400")), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO), "a date passed");
        let soon = (chrono::Utc::now() + chrono::TimeDelta::seconds(120)).to_rfc2822();
        let wait = retry_after(&headers(&soon)).expect("parses");
        assert!((Duration::from_secs(100)..=Duration::from_secs(120)).contains(&wait), "{wait:?}");
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&header::HeaderMap::new()), None);
    }
}
