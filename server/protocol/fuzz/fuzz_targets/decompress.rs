//! Any body in any Content-Encoding, and any legacy store body: decoding never yields more than
//! the limit and never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::decompress::{Encoding, decode};

const LIMIT: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = data.split_first() else { return };
    let encoding = ["identity", "gzip", "deflate", "br", "zstd"][usize::from(*selector) % 5];
    let encoding = Encoding::from_header(Some(encoding)).expect("a known encoding");
    if let Ok(decoded) = decode(encoding, bytes::Bytes::copy_from_slice(body), LIMIT) {
        assert!(decoded.len() <= LIMIT);
    }
    if let Ok(event) = protocol::store::event_json(bytes::Bytes::copy_from_slice(body), LIMIT) {
        assert!(event.len() <= LIMIT.max(body.len()));
    }
});
