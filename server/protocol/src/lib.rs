//! The Sentry wire protocol as Faultline reads it (SENTRY_PROTOCOL.md A1–A3): where the public
//! key comes from ([`auth`]), content encodings with a limit on the decoded size
//! ([`decompress`]), envelope framing ([`envelope`]), legacy store bodies ([`store`]), the
//! identifiers they carry ([`ids`]) and the event payload made into one `Event` ([`normalize`]).
//! Pure functions over bytes: no I/O, no async, so every entry point can be fuzzed on its own
//! (`fuzz/`).

pub mod auth;
pub mod decompress;
pub mod envelope;
pub mod ids;
pub mod normalize;
pub mod store;
