//! sea-orm entities. Rows stay inside the server: the dashboard gets `app` types instead.

pub mod attachment;
pub mod event;
pub mod issue;
pub mod issue_hash;
pub mod project;
pub mod project_key;
