//! Integration tests: the real server on port 0, a fresh database per test, real HTTP.

mod accounts;
mod dashboard;
mod helpers;
mod hosts;
mod ingest_edges;
mod ingest_fixtures;
mod ingest_rejects;
mod invites;
mod listing;
mod live;
mod live_access;
mod management;
mod node_sdk;
mod outcomes;
mod python_sdk;
mod recordings;
mod retention;
mod role_matrix;
mod scrubbing;
mod sdk_clients;
mod search;
mod setup;
mod sign_in_limits;
mod startup;
mod triage;
mod writer_queue;
