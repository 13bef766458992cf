//! Integration tests: the real server on port 0, a fresh database per test, real HTTP.

mod dashboard;
mod helpers;
mod ingest_edges;
mod ingest_fixtures;
mod ingest_rejects;
mod live;
mod outcomes;
mod python_sdk;
mod recordings;
mod scrubbing;
mod startup;
mod writer_queue;
