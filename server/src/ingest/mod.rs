//! Ingestion: the HTTP [`endpoint`]s (authenticate, limit, decode, count the outcome) hand each
//! event to the [`pipeline`] (`normalize` → `scrub` → `user_agent` → `filters` → `grouping` by
//! the `stack_rules` and the `fingerprint` → prepare), whose result waits in the writer's queue
//! until the transaction holding it committed.

pub mod endpoint;
pub mod error;
mod filters;
pub mod fingerprint;
pub mod grouping;
pub mod key_cache;
mod memo;
mod origins;
pub mod outcomes;
pub mod pipeline;
mod rate_limit;
pub mod scrub;
pub mod stack_rules;
mod user_agent;

pub use endpoint::{Limits, canonical_path, router};
pub use protocol::normalize;
pub use rate_limit::RateLimiter;
