//! Schema migrations, run at startup. The same migrations serve SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

mod m20261121_000001_initial;
mod m20261122_000002_ingest_settings;
mod m20261122_000003_accounts;
mod m20261122_000004_triage;
mod m20261122_000005_charts;
mod m20261201_000006_setup_token;
mod m20261202_000007_alerts;
mod m20261202_000008_alert_noise;
mod m20261206_000009_alert_subscription;
mod m20261206_000010_personal_notifications;
mod m20261207_000011_stack_rules;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_initial::Migration),
            Box::new(m20261122_000002_ingest_settings::Migration),
            Box::new(m20261122_000003_accounts::Migration),
            Box::new(m20261122_000004_triage::Migration),
            Box::new(m20261122_000005_charts::Migration),
            Box::new(m20261201_000006_setup_token::Migration),
            Box::new(m20261202_000007_alerts::Migration),
            Box::new(m20261202_000008_alert_noise::Migration),
            Box::new(m20261206_000009_alert_subscription::Migration),
            Box::new(m20261206_000010_personal_notifications::Migration),
            Box::new(m20261207_000011_stack_rules::Migration),
        ]
    }
}
