//! Live updates: the [`hub`] the writer publishes to after each commit, and the [`socket`] every
//! open dashboard listens on, within the [`socket_counts`] caps.

pub mod hub;
pub mod socket;
pub mod socket_counts;
