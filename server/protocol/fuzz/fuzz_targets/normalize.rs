//! Any bytes as an event payload, sent at any time by the SDK's clock (the first eight bytes):
//! normalizing either refuses it or yields an event stamped within Relay's window around its
//! arrival. It never panics, whatever the times in it.
#![no_main]

use chrono::{DateTime, Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (clock, payload) = data.split_at(data.len().min(8));
    let mut seconds = [0u8; 8];
    seconds[..clock.len()].copy_from_slice(clock);
    let sent_at = Utc.timestamp_opt(i64::from_le_bytes(seconds) >> 16, 0).single();
    let received = DateTime::from_timestamp(1_764_000_000, 0).expect("a time");
    if let Ok(event) = protocol::normalize::event(payload, None, sent_at, received) {
        assert!(event.timestamp <= received + Duration::minutes(1));
        assert!(event.timestamp >= received - Duration::days(30));
        std::hint::black_box(event.main_exception());
    }
});
