pub mod issue_list;
