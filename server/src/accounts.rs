//! `faultline createuser`: an account from the command line, as the setup page makes one.

use crate::auth::passwords;
use crate::config::Settings;
use crate::store::{self, users};
use anyhow::{Context, bail};
use std::io::BufRead;

/// Creates the user with the password read from the first line of standard input.
pub async fn create_user_from_stdin(settings: &Settings, email: &str, role: &str) -> anyhow::Result<()> {
    let mut password = String::new();
    eprintln!("Password for {email} (one line on standard input):");
    std::io::stdin().lock().read_line(&mut password).context("reading the password")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    if settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir).context("creating the data directory")?;
    }
    let db = store::connect(&settings.database_url()).await.context("opening the database")?;
    if users::by_email(&db, email).await?.is_some() {
        bail!("a user with the email {email} exists already");
    }
    let hash = passwords::hash(password).await?;
    let user = users::create(&db, email, hash, role == "owner").await?;
    println!("created {} ({role}, id {})", user.email, user.id);
    Ok(())
}
