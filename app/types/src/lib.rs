//! The types the dashboard and the server share that need neither Leptos nor I/O: the normalized
//! [`event`] an SDK's payload becomes, the issue [`model`] (levels, statuses, roles, summaries)
//! and the issue [`search`] language. `app` re-exports them; the server's `normalize` and the
//! fuzz targets use them without compiling the dashboard.

pub mod event;
pub mod model;
pub mod search;
