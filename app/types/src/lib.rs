//! The types the dashboard and the server share that need neither Leptos nor I/O: the normalized
//! [`event`] an SDK's payload becomes, the issue [`model`] (levels, statuses, roles, summaries),
//! the issue [`search`] language and how one event [`matching`] a query is decided, with the
//! [`tags`] an event is searched and counted under, the [`alerts`] (rules, channels,
//! deliveries) and the [`platform`]s a project can be for. `app` re-exports them; the server's
//! `normalize` and the fuzz targets use them without compiling the dashboard.

pub mod alerts;
pub mod event;
pub mod matching;
pub mod model;
pub mod platform;
pub mod search;
pub mod tags;
