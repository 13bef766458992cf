//! Any text as an issue search: it is refused with a position inside the text, or it parses
//! into a query whose canonical form (quoted and escaped, so it may be longer) parses back to the
//! same query whenever it fits the length limit. It never panics.
#![no_main]

use app_types::search::{MAX_QUERY_CHARS, Query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match text.parse::<Query>() {
        Ok(query) => {
            let canonical = query.to_string();
            if canonical.chars().count() <= MAX_QUERY_CHARS {
                assert_eq!(canonical.parse::<Query>().as_ref(), Ok(&query), "{text:?} wrote back as {canonical:?}");
            }
        }
        Err(err) => assert!(err.at <= text.chars().count(), "{text:?}: error at {}", err.at),
    }
});
