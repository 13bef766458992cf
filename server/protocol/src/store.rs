//! Bodies of the legacy store endpoint (`POST /api/{id}/store/`): one JSON event, or the same
//! as base64, optionally zlib-compressed, as old SDKs sent it (Relay's `decode_bytes`).

use crate::decompress::{DecodeError, Encoding, decode};
use base64::Engine;
use bytes::Bytes;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreBodyError {
    #[error("the body is neither JSON nor base64")]
    NotBase64,
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// The JSON event of a store request body, at most `limit` bytes once decoded.
pub fn event_json(body: Bytes, limit: usize) -> Result<Bytes, StoreBodyError> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    if body.get(start) == Some(&b'{') {
        return Ok(body);
    }
    let text: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(&text))
        .map_err(|_| StoreBodyError::NotBase64)?;
    if decoded.first() == Some(&b'{') {
        return if decoded.len() > limit { Err(DecodeError::TooLarge { limit }.into()) } else { Ok(decoded.into()) };
    }
    Ok(decode(Encoding::Deflate, Bytes::from(decoded), limit)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn b64(data: &[u8]) -> Bytes {
        Bytes::from(base64::engine::general_purpose::STANDARD.encode(data))
    }

    #[test]
    fn json_passes_through() {
        assert_eq!(event_json(Bytes::from_static(b" {\"a\":1}"), 100).as_deref(), Ok(&b" {\"a\":1}"[..]));
    }

    #[test]
    fn base64_and_base64_zlib_bodies_are_unwrapped() {
        assert_eq!(event_json(b64(b"{\"a\":1}"), 100).as_deref(), Ok(&b"{\"a\":1}"[..]));
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(b"{\"b\":2}").expect("write");
        let packed = b64(&zlib.finish().expect("finish"));
        assert_eq!(event_json(packed, 100).as_deref(), Ok(&b"{\"b\":2}"[..]));
    }

    #[test]
    fn garbage_and_bombs_are_refused() {
        assert_eq!(event_json(Bytes::from_static(b"%%% not base64"), 100), Err(StoreBodyError::NotBase64));
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&vec![b'{'; 10_000]).expect("write");
        let bomb = b64(&zlib.finish().expect("finish"));
        assert_eq!(event_json(bomb, 100), Err(StoreBodyError::Decode(DecodeError::TooLarge { limit: 100 })));
    }
}
