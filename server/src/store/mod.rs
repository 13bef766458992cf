//! Storage: the only stage that touches the database. SQLite (a WAL file in the data directory)
//! by default, PostgreSQL when `--database-url postgres://…` is given; one set of entities and
//! migrations serves both.

pub mod activity;
pub mod alerts;
pub mod charts;
mod counters;
pub mod decisions;
pub mod entities;
pub mod events;
mod hash_issues;
pub mod invites;
pub mod issues;
pub mod members;
mod migrations;
pub mod new_event;
pub mod notifications;
pub mod projects;
pub mod record;
pub mod retention;
pub mod search;
pub mod setup;
pub mod tokens;
pub mod users;
pub mod writer;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Opens the database and brings its schema up to date.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(8)
        .sqlx_logging(false)
        // An acknowledged event must survive a crash or power loss: fsync every commit. The writer
        // batches events so the cost is paid once per batch.
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    let db = Database::connect(options).await?;
    migrations::Migrator::up(&db, None).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Gathers the statistics SQLite's planner needs where they are missing or stale (it picks
        // indexes blindly without them); PostgreSQL's autovacuum does this by itself.
        db.execute_unprepared("PRAGMA optimize=0x10002").await?;
    }
    Ok(db)
}

/// A transaction that reads, then writes. IMMEDIATE takes SQLite's write lock up front, waiting
/// for it if another connection holds it; a deferred transaction would fail instead when it
/// upgrades from reading to writing.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let immediate = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(immediate).await
}
