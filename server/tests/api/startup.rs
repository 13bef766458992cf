//! First start creates the default project; later starts keep it and its data.

use crate::helpers::TestDatabase;
use server::startup::Application;

#[tokio::test]
async fn a_restart_on_the_same_database_keeps_the_default_project_and_its_dsn() {
    let database = TestDatabase::new().await;
    let first = Application::build(database.settings()).await.expect("first start");
    let key = first.default_project().public_key.clone();
    let dsn = first.default_project().dsn(first.public_url());
    assert!(dsn.starts_with(&format!("http://{}@127.0.0.1:", key.as_str())) && dsn.ends_with("/1"), "{dsn}");
    drop(first);
    if database.is_sqlite() {
        assert!(database.data_dir.path().join("faultline.db").exists(), "SQLite lives in the data directory");
    }

    let second = Application::build(database.settings()).await.expect("second start");
    assert_eq!(second.default_project().public_key, key, "the same DSN key");
    assert_eq!(second.default_project().project_id.get(), 1, "no second default project");
}
