//! Any bytes as an envelope body: parsing either fails with an error or yields items whose
//! payloads lie inside the body. It never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = protocol::envelope::envelope(bytes::Bytes::copy_from_slice(data)) {
        std::hint::black_box(envelope.event_item());
        for item in &envelope.items {
            assert!(item.payload.len() <= data.len());
            std::hint::black_box(item.header_str("filename"));
        }
    }
});
