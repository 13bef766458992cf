//! Alerting, after the store: the writer decides what fires and queues it in the outbox
//! ([`crate::store::alerts`]); the [`dispatch`]er delivers it — [`compose`] gathers what the
//! notification says, [`format`] says it the way each channel wants, [`send`] posts it through
//! the outbound [`guard`] or [`mail`] emails it — and logs how it went; each channel's hourly
//! [`cap`] holds back what would exceed it, for one digest; [`unattended`] asks the writer, once
//! a minute, to fire the rules waiting for issues nobody took. The dispatcher also sends the
//! [`personal`] emails of assignments and comments.

pub mod cap;
pub mod compose;
pub mod dispatch;
pub mod format;
pub mod guard;
pub mod mail;
pub mod personal;
pub mod send;
pub mod unattended;
