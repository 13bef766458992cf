pub mod charts;
pub mod forms;
pub mod layout;
pub mod live_badge;
pub mod shortcuts;
pub mod triage;
