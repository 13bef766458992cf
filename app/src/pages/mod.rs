pub mod account;
pub mod issue;
pub mod issue_list;
pub mod login;
pub mod project;
pub mod project_overview;
pub mod projects;
pub mod users;
