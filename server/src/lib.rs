//! The Faultline server. An SDK's request enters [`ingest`] (authenticate, limit, decompress and
//! parse with the `protocol` crate, then `normalize`, `scrub`, `filters`, `fingerprint`), waits
//! in the [`store`] writer's queue until the transaction holding it committed, and the writer
//! then publishes what changed to the [`live`] hub, which every open dashboard's socket hears. The [`dashboard`]
//! serves the Leptos app and [`api`] the REST API, both reading through the same store and asking
//! [`auth`] who calls. [`startup`] wires it together from the [`config`] into the [`state`] that
//! handlers reach.

#![recursion_limit = "256"]

pub mod accounts;
pub mod alerts;
pub mod api;
pub mod auth;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod health;
pub mod ingest;
pub mod live;
pub mod retention;
pub mod security;
pub mod snoozes;
pub mod startup;
pub mod state;
pub mod store;
pub mod triage;
