use clap::Parser;
use server::auth::setup_token::SetupToken;
use server::config::{Cli, Command};
use server::startup::Application;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Createuser { email, role }) => {
            server::accounts::create_user_from_stdin(&cli.settings, &email, &role).await
        }
        None => serve(cli).await,
    }
}

async fn serve(cli: Cli) -> anyhow::Result<()> {
    let app = Application::build(cli.settings).await?;
    let url = format!("http://{}", app.local_addr());
    match app.setup_token() {
        Some(SetupToken::Generated(token)) => println!("Setup token: {token}"),
        Some(SetupToken::Configured) => println!("Setup token: the one given with --setup-token"),
        None => {}
    }
    println!("DSN: {}", app.default_project().dsn(app.public_url()));
    println!("Dashboard: {url}");
    tracing::info!("listening on {url}");
    app.run_until(shutdown_signal()).await
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(err) => {
                tracing::warn!("cannot watch for SIGTERM: {err}");
                if interrupt.await.is_err() {
                    tracing::warn!("cannot watch for Ctrl-C either");
                }
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    if interrupt.await.is_err() {
        tracing::warn!("cannot watch for Ctrl-C");
    }
    tracing::info!("shutting down");
}
