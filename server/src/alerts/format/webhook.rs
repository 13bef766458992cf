//! The generic webhook: Faultline's own JSON body (`"version": 1`), signed as GitHub and Stripe
//! sign theirs. Headers:
//! - `X-Faultline-Delivery`: the delivery's id, the same on every retry (drop repeats by it);
//! - `X-Faultline-Timestamp`: Unix seconds when this attempt was signed;
//! - `X-Faultline-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with the channel's
//!   secret, of `<timestamp>.<body>`. A receiver recomputes it, compares in constant time, and
//!   refuses timestamps older than a few minutes (a replayed request).

use super::Message;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// The body's version: fields are only ever added within one version.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Body<'a, T> {
    version: u32,
    #[serde(flatten)]
    content: &'a T,
}

/// The signed request for a notification or a digest.
pub fn message(content: &impl Serialize, delivery: &str, sent_at: DateTime<Utc>, secret: &str) -> Message {
    let body = serde_json::to_vec(&Body { version: VERSION, content }).unwrap_or_default();
    let timestamp = sent_at.timestamp().to_string();
    let signature = signature(secret, &timestamp, &body);
    Message {
        headers: vec![
            ("x-faultline-delivery", delivery.to_owned()),
            ("x-faultline-timestamp", timestamp),
            ("x-faultline-signature", format!("sha256={signature}")),
        ],
        body,
    }
}

/// Hex HMAC-SHA256 of `<timestamp>.<body>` under the secret.
fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::format::sample::{digest, notification};

    fn notification_message(secret: &str) -> Message {
        let notification = notification();
        message(&notification, &notification.delivery, notification.sent_at, secret)
    }

    #[test]
    fn the_body_is_versioned_and_carries_the_issue_event_and_delivery() {
        let message = notification_message("s3cret");
        let body: serde_json::Value = serde_json::from_slice(&message.body).expect("json");
        assert_eq!(body["version"], 1);
        assert_eq!(body["delivery"], "7b0e9a52-1f9c-4c59-9a8e-2d6b1c0f3a11");
        assert_eq!(body["trigger"], "new_issue");
        assert_eq!(body["issue"]["events"], 1258);
        assert_eq!(body["issue"]["level"], "error");
        assert_eq!(body["event"]["release"], "shop@2.4.1");
        assert_eq!(body["rule"]["name"], "Production errors");
    }

    #[test]
    fn the_signature_is_the_hmac_of_the_timestamp_and_body() {
        // Python: hmac.new(b"Jefe", b"what do ya want.for nothing?", hashlib.sha256).hexdigest()
        assert_eq!(
            signature("Jefe", "what do ya want", b"for nothing?"),
            "e33f91577b90d4b3bbd73cb61803074f1965d27701b5527942dd9ea9443af37c"
        );
        let message = notification_message("s3cret");
        let header = |name| message.headers.iter().find(|(key, _)| *key == name).map(|(_, value)| value.as_str());
        assert_eq!(header("x-faultline-timestamp"), Some("1796212800"));
        let expected = format!("sha256={}", signature("s3cret", "1796212800", &message.body));
        assert_eq!(header("x-faultline-signature"), Some(expected.as_str()));
    }

    #[test]
    fn a_digest_body_lists_the_held_alerts_with_their_own_ids() {
        let digest = digest();
        let message = message(&digest, &digest.delivery, digest.sent_at, "s3cret");
        let body: serde_json::Value = serde_json::from_slice(&message.body).expect("json");
        assert_eq!(body["version"], 1);
        assert_eq!(body["trigger"], "digest");
        assert_eq!(body["count"], 12);
        assert_eq!(body["alerts"][1]["delivery"], "held-22");
        assert_eq!(body["alerts"][1]["issue"]["url"], "https://errors.example.com/issues/22");
        assert_eq!(message.headers[0], ("x-faultline-delivery", digest.delivery.clone()));
    }
}
