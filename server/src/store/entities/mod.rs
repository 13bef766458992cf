//! sea-orm entities. Rows stay inside the server: the dashboard gets `app` types instead.

pub mod activity;
pub mod alert_channel;
pub mod alert_delivery;
pub mod alert_fired;
pub mod alert_rule;
pub mod alert_rule_channel;
pub mod alert_subscription;
pub mod api_token;
pub mod attachment;
pub mod event;
pub mod invite;
pub mod issue;
pub mod issue_hash;
pub mod issue_hour;
pub mod issue_minute;
pub mod issue_tag;
pub mod issue_user;
pub mod personal_notification;
pub mod project;
pub mod project_bucket;
pub mod project_key;
pub mod project_member;
pub mod release;
pub mod session;
pub mod setup_token;
pub mod user;
