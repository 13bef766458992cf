//! Building and running the application: a library call, so tests boot the real server on
//! port 0 with a fresh database exactly as `main` does.

use crate::alerts::dispatch::Dispatcher;
use crate::alerts::guard::Guard;
use crate::alerts::mail::Mailer;
use crate::alerts::send::Outbound;
use crate::auth::client_address::TrustedProxies;
use crate::auth::hosts::AllowedHosts;
use crate::auth::sessions::SessionPolicy;
use crate::auth::setup_token::{self, SetupToken};
use crate::config::Settings;
use crate::ingest::{self, Limits};
use crate::live::hub::LiveHub;
use crate::live::socket_counts::SocketCounts;
use crate::retention::Retention;
use crate::state::AppState;
use crate::store::{self, projects::ProjectWithKey, writer::Writer};
use anyhow::Context;
use axum::extract::Request;
use axum::{Router, ServiceExt};
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tower::Layer;
use tower::util::MapRequestLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    writer: Writer,
    writer_task: JoinHandle<()>,
    retention: Retention,
    dispatcher: Dispatcher,
    db: DatabaseConnection,
    default_project: ProjectWithKey,
    setup_token: Option<SetupToken>,
    public_url: String,
}

impl Application {
    /// Opens (and migrates) the database, creates the default project on first start, starts
    /// the writer and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let mut leptos_options = leptos_config::get_configuration(Some(&settings.leptos_config.to_string_lossy()))
            .with_context(|| format!("reading Leptos options from {}", settings.leptos_config.display()))?
            .leptos_options;
        let addr = SocketAddr::new(
            settings.host.unwrap_or(leptos_options.site_addr.ip()),
            settings.port.unwrap_or(leptos_options.site_addr.port()),
        );

        if settings.database_url.is_none() {
            std::fs::create_dir_all(&settings.data_dir)
                .with_context(|| format!("creating the data directory {}", settings.data_dir.display()))?;
        }
        let db = store::connect(&settings.database_url()).await.context("opening the database")?;
        let default_project = store::projects::ensure_default(&db).await.context("creating the default project")?;
        let setup_token =
            setup_token::prepare(&db, settings.setup_token.as_deref()).await.context("preparing the setup token")?;

        let listener = TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
        let local_addr = listener.local_addr()?;
        leptos_options.site_addr = local_addr;
        let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{local_addr}"));
        let allowed_hosts = Arc::new(AllowedHosts::new(&public_url, &settings.allowed_hosts, local_addr));
        if !local_addr.ip().is_loopback() && settings.public_url.is_none() {
            tracing::warn!(
                "listening on {local_addr} without --public-url: the dashboard answers only to {}; set \
                 --public-url to the address people and SDKs use (and --allowed-hosts for other names)",
                allowed_hosts.hosts().join(", ")
            );
        }

        let hub = LiveHub::default();
        let publish = {
            let hub = hub.clone();
            move |changes| hub.publish(changes)
        };
        let outbox = Arc::new(Notify::new());
        let (writer, writer_task) = Writer::start(
            db.clone(),
            publish,
            outbox.clone(),
            settings.ingest_queue,
            settings.ingest_queue_bytes,
            settings.write_batch,
        );
        let sessions = SessionPolicy {
            idle: chrono::Duration::hours(settings.session_idle_hours),
            absolute: chrono::Duration::days(settings.session_max_days),
            secure: public_url.starts_with("https://"),
        };
        let retention = Retention {
            days: settings.retention_days,
            max_events_per_issue: settings.retention_max_events_per_issue,
            interval: std::time::Duration::from_secs(settings.retention_interval_minutes.max(1) * 60),
        };
        let seconds = |value: f64, default: u64| {
            std::time::Duration::try_from_secs_f64(value).unwrap_or(std::time::Duration::from_secs(default))
        };
        let guard = Guard { allow_private: settings.alerts_allow_private_networks };
        let outbound = Outbound::new(guard, seconds(settings.alerts_timeout_seconds, 5))
            .context("preparing the HTTP client for alerts")?;
        let mailer = match (&settings.smtp_url, &settings.smtp_from) {
            (Some(url), Some(from)) => {
                Some(Mailer::new(url, from, seconds(settings.alerts_timeout_seconds, 5)).map_err(anyhow::Error::msg)?)
            }
            (Some(_), None) => anyhow::bail!("--smtp-url needs --smtp-from: the address alert emails come from"),
            (None, _) => None,
        };
        let dispatcher = Dispatcher {
            db: db.clone(),
            writer: writer.clone(),
            outbound,
            mailer,
            outbox,
            hub: hub.clone(),
            public_url: public_url.clone(),
            retry_base: seconds(settings.alerts_retry_seconds, 120),
        };
        let state = AppState {
            alerts: dispatcher.clone(),
            db: db.clone(),
            writer: writer.clone(),
            hub,
            sockets: Arc::new(SocketCounts::new(settings.max_sockets_per_user, settings.max_sockets_per_address)),
            socket_recheck: std::time::Duration::from_secs(settings.socket_recheck_seconds.max(1)),
            limits: Limits {
                max_envelope_bytes: settings.max_envelope_bytes,
                max_event_bytes: settings.max_event_bytes,
                max_attachment_bytes: settings.max_attachment_bytes,
                default_rate_limit_per_minute: settings.key_rate_limit,
            },
            ingest_keys: Arc::default(),
            outcomes: Arc::default(),
            rate_limiter: Arc::default(),
            login_limiter: Arc::default(),
            passwords: Arc::default(),
            trusted_proxies: Arc::new(TrustedProxies::new(settings.trusted_proxies.clone())),
            sessions,
            public_url: public_url.clone(),
            allowed_hosts: allowed_hosts.clone(),
            leptos_options,
        };
        // Ingestion (authenticated by DSN key, without cookies) and the health checks answer any
        // host; everything a browser signs in to answers only the allowed ones.
        let for_allowed_hosts = Router::new()
            .merge(crate::live::socket::router())
            .merge(crate::api::router())
            .merge(crate::dashboard::router(&state))
            .layer(axum::middleware::from_fn_with_state(allowed_hosts, crate::security::allowed_host));
        let router = Router::new()
            .merge(ingest::router())
            .merge(crate::health::router())
            .merge(for_allowed_hosts)
            .layer(axum::middleware::map_response(crate::security::headers))
            .layer(crate::security::catch_panics())
            .with_state(state);

        Ok(Application {
            listener,
            router,
            writer,
            writer_task,
            retention,
            dispatcher,
            db,
            default_project,
            setup_token,
            public_url,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn default_project(&self) -> &ProjectWithKey {
        &self.default_project
    }

    /// The token that creates the owner of an instance without users; `None` once it has one.
    pub fn setup_token(&self) -> Option<&SetupToken> {
        self.setup_token.as_ref()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The writer, for jobs that must go through it (retention).
    pub fn writer(&self) -> Writer {
        self.writer.clone()
    }

    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// Serves until `shutdown` completes, then lets the writer store what it was given.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Application { listener, router, db, writer, writer_task, retention, dispatcher, .. } = self;
        let snooze_task = tokio::spawn(crate::snoozes::run(db.clone(), writer.clone()));
        let unattended_task = tokio::spawn(crate::alerts::unattended::run(db, writer.clone()));
        let dispatch_task = tokio::spawn(dispatcher.run());
        let retention_task = tokio::spawn(retention.run(writer));
        // Envelope URLs are rewritten before routing, so a DSN with a path prefix works.
        let app = MapRequestLayer::new(|mut request: Request| {
            if let Some(uri) = ingest::canonical_path(request.uri()) {
                *request.uri_mut() = uri;
            }
            request
        })
        .layer(router);
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await?;
        // The jobs hold handles on the writer: stop them so the writer can drain and end.
        retention_task.abort();
        snooze_task.abort();
        unattended_task.abort();
        dispatch_task.abort();
        writer_task.await.context("the writer task failed")?;
        Ok(())
    }
}
