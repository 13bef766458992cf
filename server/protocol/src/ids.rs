//! Identifiers parsed once at the edge; after parsing nothing re-checks them.

use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseIdError {
    #[error("project id must be a positive number")]
    ProjectId,
    #[error("public key must be 1 to 64 letters, digits or underscores")]
    PublicKey,
    #[error("event id must be a UUID (32 hex digits, with or without dashes)")]
    EventId,
}

/// A project's numeric id, the last path segment of a DSN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(i64);

impl ProjectId {
    pub fn parse(raw: &str) -> Result<Self, ParseIdError> {
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseIdError::ProjectId);
        }
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(ProjectId(id)),
            _ => Err(ParseIdError::ProjectId),
        }
    }

    pub fn from_db(id: i64) -> Self {
        ProjectId(id)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The public part of a DSN key. The JavaScript SDK accepts only `\w+` in a DSN, so do we.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey(String);

impl PublicKey {
    pub fn parse(raw: &str) -> Result<Self, ParseIdError> {
        let valid = (1..=64).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid { Ok(PublicKey(raw.to_owned())) } else { Err(ParseIdError::PublicKey) }
    }

    /// A fresh key: 32 lowercase hex characters, as Sentry issues them.
    pub fn generate() -> Self {
        PublicKey(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An event id as 32 lowercase hex characters, whatever UUID form the SDK sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventId(String);

impl EventId {
    pub fn parse(raw: &str) -> Result<Self, ParseIdError> {
        uuid::Uuid::try_parse(raw.trim()).map(|id| EventId(id.simple().to_string())).map_err(|_| ParseIdError::EventId)
    }

    pub fn generate() -> Self {
        EventId(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids_are_positive_numbers() {
        assert_eq!(ProjectId::parse("42").map(ProjectId::get), Ok(42));
        for bad in ["", "0", "-1", "+4", "4a", "99999999999999999999"] {
            assert_eq!(ProjectId::parse(bad), Err(ParseIdError::ProjectId), "{bad:?}");
        }
    }

    #[test]
    fn public_keys_are_word_characters() {
        assert!(PublicKey::parse("abc123publickey").is_ok());
        assert!(PublicKey::parse(PublicKey::generate().as_str()).is_ok());
        for bad in ["", "has space", "dash-key", "é", &"k".repeat(65)] {
            assert_eq!(PublicKey::parse(bad), Err(ParseIdError::PublicKey), "{bad:?}");
        }
    }

    #[test]
    fn event_ids_are_normalized_to_simple_lowercase_hex() {
        let simple = "4f2d2a1c9b6e4c0f8e3a7b5d1c2e3f40";
        assert_eq!(EventId::parse(simple).map(|id| id.into_string()).as_deref(), Ok(simple));
        let dashed = "4F2D2A1C-9B6E-4C0F-8E3A-7B5D1C2E3F40";
        assert_eq!(EventId::parse(dashed).map(|id| id.into_string()).as_deref(), Ok(simple));
        assert_eq!(EventId::parse("nope"), Err(ParseIdError::EventId));
    }
}
