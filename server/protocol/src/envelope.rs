//! Envelope framing (SENTRY_PROTOCOL.md A2): a JSON header line, then items, each a JSON header
//! line and a payload that is either `length` bytes long or runs to the next newline.

use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("the envelope is empty")]
    Empty,
    #[error("invalid {what} header at byte {at}: {reason}")]
    InvalidHeader { what: &'static str, at: usize, reason: String },
    #[error("{what} header at byte {at} is not followed by a newline")]
    MissingNewline { what: &'static str, at: usize },
    #[error("item at byte {at} claims {length} bytes but the envelope ends first")]
    Truncated { at: usize, length: usize },
    #[error("the envelope holds more than one event item")]
    DuplicateEvent,
}

#[derive(Debug, Default, Deserialize)]
pub struct EnvelopeHeaders {
    #[serde(default)]
    pub event_id: Option<String>,
    /// The DSN the SDK was configured with; a source of the public key.
    #[serde(default)]
    pub dsn: Option<String>,
    /// When the SDK sent the envelope, by its clock: the reference for clock-drift correction.
    #[serde(default)]
    pub sent_at: Option<Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
pub struct ItemHeaders {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub length: Option<usize>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug)]
pub struct Item {
    pub headers: ItemHeaders,
    pub payload: Bytes,
}

#[derive(Debug)]
pub struct Envelope {
    pub headers: EnvelopeHeaders,
    pub items: Vec<Item>,
}

impl Item {
    /// The item's `filename` header, for attachments.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.other.get(name).and_then(Value::as_str)
    }
}

impl Envelope {
    /// The one `event` item, if any. Every other item type is not for an errors-only server.
    pub fn event_item(&self) -> Result<Option<&Item>, ParseError> {
        let mut events = self.items.iter().filter(|item| item.headers.ty == "event");
        let first = events.next();
        if events.next().is_some() {
            return Err(ParseError::DuplicateEvent);
        }
        Ok(first)
    }
}

/// Splits an envelope into its headers and items, as Relay's `Envelope::parse_bytes` does.
pub fn envelope(body: Bytes) -> Result<Envelope, ParseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let (headers, mut offset) = read_header::<EnvelopeHeaders>(&body, 0, "envelope")?;
    let mut items = Vec::new();
    while body[offset..].iter().any(|b| !b.is_ascii_whitespace()) {
        let (item_headers, payload_start) = read_header::<ItemHeaders>(&body, offset, "item")?;
        let payload_end = match item_headers.length {
            Some(length) => {
                let end = payload_start
                    .checked_add(length)
                    .filter(|end| *end <= body.len())
                    .ok_or(ParseError::Truncated { at: offset, length })?;
                match body.get(end) {
                    None | Some(b'\n') => end,
                    Some(_) => return Err(ParseError::MissingNewline { what: "item payload", at: end }),
                }
            }
            None => body[payload_start..].iter().position(|b| *b == b'\n').map_or(body.len(), |n| payload_start + n),
        };
        items.push(Item { headers: item_headers, payload: body.slice(payload_start..payload_end) });
        offset = (payload_end + 1).min(body.len());
    }
    Ok(Envelope { headers, items })
}

/// The envelope header alone, from the envelope's first line: enough to find the DSN that
/// authenticates it before the rest is decoded.
pub fn header(line: &[u8]) -> Result<EnvelopeHeaders, ParseError> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    read_header::<EnvelopeHeaders>(line, 0, "envelope").map(|(headers, _)| headers)
}

/// The type of the first item, from the envelope's first two lines (its header and the item's).
pub fn first_item_type(head: &[u8]) -> Option<String> {
    let (_, after_header) = read_header::<EnvelopeHeaders>(head, 0, "envelope").ok()?;
    let (item, _) = read_header::<ItemHeaders>(head, after_header, "item").ok()?;
    Some(item.ty)
}

/// Reads one JSON object at `offset`; it must be followed by a newline or the end. Returns the
/// value and the offset just past the newline.
fn read_header<T: DeserializeOwned>(body: &[u8], offset: usize, what: &'static str) -> Result<(T, usize), ParseError> {
    let mut stream = serde_json::Deserializer::from_slice(&body[offset..]).into_iter::<T>();
    let value = match stream.next() {
        Some(Ok(value)) => value,
        Some(Err(err)) => return Err(ParseError::InvalidHeader { what, at: offset, reason: err.to_string() }),
        None => return Err(ParseError::InvalidHeader { what, at: offset, reason: "missing".into() }),
    };
    let end = offset + stream.byte_offset();
    let rest = &body[end..];
    let spaces = rest.iter().take_while(|b| **b == b' ' || **b == b'\t' || **b == b'\r').count();
    match rest.get(spaces) {
        None => Ok((value, body.len())),
        Some(b'\n') => Ok((value, end + spaces + 1)),
        Some(_) => Err(ParseError::MissingNewline { what, at: end }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_line_alone_gives_the_dsn() {
        let headers =
            header(br#"{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","dsn":"https://k@h/1"}"#).expect("header");
        assert_eq!(headers.dsn.as_deref(), Some("https://k@h/1"));
        assert!(matches!(header(b"  "), Err(ParseError::Empty)));
        assert!(matches!(header(b"{\"dsn\": 1"), Err(ParseError::InvalidHeader { .. })));
        assert_eq!(first_item_type(b"{}\n{\"type\":\"event\",\"length\":5}").as_deref(), Some("event"));
        assert_eq!(first_item_type(b"{}\n{\"type\":\"client_report\"}").as_deref(), Some("client_report"));
        assert_eq!(first_item_type(b"{}"), None);
    }

    fn parse(raw: &str) -> Result<Envelope, ParseError> {
        envelope(Bytes::from(raw.to_owned()))
    }

    fn payloads(envelope: &Envelope) -> Vec<(&str, &[u8])> {
        envelope.items.iter().map(|item| (item.headers.ty.as_str(), &item.payload[..])).collect()
    }

    #[test]
    fn length_prefixed_items_may_contain_newlines() {
        let env = parse("{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n{\"type\":\"attachment\",\"length\":6}\nab\ncde\n{\"type\":\"event\",\"length\":2}\n{}\n")
            .expect("parses");
        assert_eq!(env.headers.event_id.as_deref(), Some("9ec79c33ec9942ab8353589fcb2e04dc"));
        assert_eq!(payloads(&env), [("attachment", &b"ab\ncde"[..]), ("event", &b"{}"[..])]);
    }

    #[test]
    fn items_without_length_run_to_the_next_newline_or_the_end() {
        let env = parse("{}\n{\"type\":\"event\"}\n{\"a\":1}\n{\"type\":\"session\"}\n{\"s\":2}").expect("parses");
        assert_eq!(payloads(&env), [("event", &b"{\"a\":1}"[..]), ("session", &b"{\"s\":2}"[..])]);
    }

    #[test]
    fn a_header_alone_is_a_valid_envelope_and_a_header_at_the_end_has_an_empty_payload() {
        assert!(parse("{}").expect("parses").items.is_empty());
        let env = parse("{}\n{\"type\":\"client_report\"}").expect("parses");
        assert_eq!(payloads(&env), [("client_report", &b""[..])]);
    }

    #[test]
    fn a_length_past_the_end_is_truncated() {
        assert_eq!(
            parse("{}\n{\"type\":\"event\",\"length\":50}\n{}").err(),
            Some(ParseError::Truncated { at: 3, length: 50 })
        );
    }

    #[test]
    fn a_payload_longer_than_its_length_is_malformed() {
        assert!(matches!(
            parse("{}\n{\"type\":\"event\",\"length\":2}\n{}xyz\n"),
            Err(ParseError::MissingNewline { .. })
        ));
    }

    #[test]
    fn garbage_and_missing_types_are_invalid_headers() {
        assert!(matches!(parse("not json"), Err(ParseError::InvalidHeader { what: "envelope", .. })));
        assert!(matches!(parse("{}\n{\"length\":2}\n{}"), Err(ParseError::InvalidHeader { what: "item", .. })));
        assert!(matches!(parse("{} trailing\n"), Err(ParseError::MissingNewline { .. })));
        assert_eq!(parse("  \n").err(), Some(ParseError::Empty));
    }

    #[test]
    fn two_events_in_one_envelope_are_refused() {
        let env = parse("{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}").expect("parses");
        assert_eq!(env.event_item().err(), Some(ParseError::DuplicateEvent));
    }
}
