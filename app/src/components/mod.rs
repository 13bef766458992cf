pub mod charts;
pub mod connect;
pub mod forms;
pub mod layout;
pub mod live_badge;
pub mod shortcuts;
pub mod theme;
pub mod triage;
