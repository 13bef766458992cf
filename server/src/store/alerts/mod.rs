//! Alerts in the database: each project's [`channels`] and [`rules`]; [`firing`], which the writer
//! runs inside the transaction that made a rule's trigger true, writing what fires to the outbox
//! (and, on a schedule, for issues left [`unattended`]); and the [`deliveries`] — that outbox, and
//! the log of how each delivery went. A rule's [`preview`] replays it over the stored history;
//! [`subscriptions`] say who gets a project's alerts by email.

pub mod channels;
pub mod deliveries;
pub mod firing;
pub mod preview;
pub mod rules;
pub mod subscriptions;
pub mod unattended;
