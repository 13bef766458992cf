//! The Faultline server. An SDK's request enters [`ingest`] (authenticate, limit, decompress,
//! `parse`, `normalize`, `fingerprint`), waits in the [`store`] writer's queue until the
//! transaction holding it committed, and the writer then [`broadcast`]s what changed to every
//! open dashboard. The [`dashboard`] serves the Leptos app, which reads through the same store.
//! [`startup`] wires it together from the [`config`].

pub mod broadcast;
pub mod config;
pub mod dashboard;
pub mod domain;
pub mod error;
pub mod ingest;
pub mod startup;
pub mod store;
