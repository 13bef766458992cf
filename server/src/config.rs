//! Typed configuration: every setting has a flag, a `FAULTLINE_*` environment variable, a default
//! and a line of documentation (`faultline --help` prints them).

use clap::Parser;
use ipnet::IpNet;
use std::net::IpAddr;
use std::path::PathBuf;

const MIB: usize = 1024 * 1024;

#[derive(Clone, Debug, Parser)]
#[command(name = "faultline", version, about = "A self-hosted error monitor that speaks the Sentry protocol.")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum Command {
    /// Create a user (the password is read from standard input) and exit.
    Createuser {
        #[arg(long)]
        email: String,
        /// `owner` makes the user the instance owner; `member` creates a plain account.
        #[arg(long, default_value = "member", value_parser = ["owner", "member"])]
        role: String,
    },
}

#[derive(Clone, Debug, clap::Args)]
pub struct Settings {
    /// Address to listen on [default: the host of `site-addr` in Leptos.toml].
    #[arg(long, env = "FAULTLINE_HOST")]
    pub host: Option<IpAddr>,

    /// Port to listen on; 0 picks a free one [default: the port of `site-addr` in Leptos.toml].
    #[arg(long, env = "FAULTLINE_PORT")]
    pub port: Option<u16>,

    /// Directory for the SQLite database and other state.
    #[arg(long, env = "FAULTLINE_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL, `sqlite://…` or `postgres://…` [default: SQLite in the data directory].
    #[arg(long, env = "FAULTLINE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// URL under which SDKs reach this server, used in the DSNs it shows
    /// [default: http://<host>:<port>].
    #[arg(long, env = "FAULTLINE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// More host names the dashboard answers to, comma-separated, besides the public URL's (and the
    /// loopback names when listening on loopback); other hosts get 400, except on the ingest
    /// endpoints and /healthz, /readyz.
    #[arg(long, env = "FAULTLINE_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,

    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client's address, as
    /// comma-separated addresses or CIDRs (`10.0.0.0/8,127.0.0.1`); from anyone else these headers
    /// are ignored.
    #[arg(long, env = "FAULTLINE_TRUSTED_PROXIES", value_delimiter = ',', value_parser = network)]
    pub trusted_proxies: Vec<IpNet>,

    /// The one-time token the setup page asks for while the instance has no user (at least 16
    /// characters) [default: a new random token at every start until then, printed once].
    #[arg(long, env = "FAULTLINE_SETUP_TOKEN", hide_env_values = true, value_parser = setup_token)]
    pub setup_token: Option<String>,

    /// The Leptos site options file.
    #[arg(long, env = "FAULTLINE_LEPTOS_CONFIG", default_value = "Leptos.toml")]
    pub leptos_config: PathBuf,

    /// Largest envelope accepted, in bytes, compressed or decompressed.
    #[arg(long, env = "FAULTLINE_MAX_ENVELOPE_BYTES", default_value_t = 100 * MIB)]
    pub max_envelope_bytes: usize,

    /// Largest single event accepted, in bytes.
    #[arg(long, env = "FAULTLINE_MAX_EVENT_BYTES", default_value_t = MIB)]
    pub max_event_bytes: usize,

    /// Most bytes of attachments stored per event; further attachments are dropped.
    #[arg(long, env = "FAULTLINE_MAX_ATTACHMENT_BYTES", default_value_t = 20 * MIB)]
    pub max_attachment_bytes: usize,

    /// Events per minute a DSN key may send unless the key sets its own limit; 0 for no limit.
    #[arg(long, env = "FAULTLINE_KEY_RATE_LIMIT", default_value_t = 0)]
    pub key_rate_limit: u32,

    /// Events waiting for the writer before ingestion answers 503.
    #[arg(long, env = "FAULTLINE_INGEST_QUEUE", default_value_t = 4096)]
    pub ingest_queue: usize,

    /// Bytes of events and attachments waiting for the writer before ingestion answers 503.
    #[arg(long, env = "FAULTLINE_INGEST_QUEUE_BYTES", default_value_t = 64 * MIB)]
    pub ingest_queue_bytes: usize,

    /// Most events the writer stores in one transaction.
    #[arg(long, env = "FAULTLINE_WRITE_BATCH", default_value_t = 512)]
    pub write_batch: usize,

    /// A dashboard session ends after this many hours without a request.
    #[arg(long, env = "FAULTLINE_SESSION_IDLE_HOURS", default_value_t = 7 * 24)]
    pub session_idle_hours: i64,

    /// A dashboard session ends this many days after sign-in, however active.
    #[arg(long, env = "FAULTLINE_SESSION_MAX_DAYS", default_value_t = 30)]
    pub session_max_days: i64,

    /// Live connections (dashboard tabs) one user may hold open at once.
    #[arg(long, env = "FAULTLINE_MAX_SOCKETS_PER_USER", default_value_t = 100)]
    pub max_sockets_per_user: usize,

    /// Live connections one client address may hold open at once.
    #[arg(long, env = "FAULTLINE_MAX_SOCKETS_PER_ADDRESS", default_value_t = 1000)]
    pub max_sockets_per_address: usize,

    /// Seconds between two checks of a live connection's session when nothing changed meanwhile
    /// (changes of access are checked at once).
    #[arg(long, env = "FAULTLINE_SOCKET_RECHECK_SECONDS", default_value_t = 60)]
    pub socket_recheck_seconds: u64,

    /// Events older than this many days are deleted.
    #[arg(long, env = "FAULTLINE_RETENTION_DAYS", default_value_t = 90)]
    pub retention_days: i64,

    /// An issue keeps at most this many of its newest events.
    #[arg(long, env = "FAULTLINE_RETENTION_MAX_EVENTS_PER_ISSUE", default_value_t = 10_000)]
    pub retention_max_events_per_issue: u64,

    /// Minutes between two runs of the retention job.
    #[arg(long, env = "FAULTLINE_RETENTION_INTERVAL_MINUTES", default_value_t = 60)]
    pub retention_interval_minutes: u64,

    /// Let alert webhooks reach loopback, private (RFC 1918), link-local and other non-public
    /// addresses, e.g. a chat server on the local network. Off, such URLs are refused.
    #[arg(long, env = "FAULTLINE_ALERTS_ALLOW_PRIVATE_NETWORKS")]
    pub alerts_allow_private_networks: bool,

    /// Seconds an alert delivery may take, connecting and answering, before it counts as failed.
    #[arg(long, env = "FAULTLINE_ALERTS_TIMEOUT_SECONDS", default_value_t = 5.0)]
    pub alerts_timeout_seconds: f64,

    /// Seconds before a failed alert delivery is retried the first time; each later retry waits
    /// twice as long (with jitter), for 6 attempts in all.
    #[arg(long, env = "FAULTLINE_ALERTS_RETRY_SECONDS", default_value_t = 120.0)]
    pub alerts_retry_seconds: f64,

    /// The SMTP server email alerts go through: `smtp://localhost:25` (a local relay, plain),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://user:password@host`
    /// (TLS, port 465). Without it, email channels cannot be added.
    #[arg(long, env = "FAULTLINE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of alert emails, e.g. `Faultline <alerts@example.com>`.
    #[arg(long, env = "FAULTLINE_SMTP_FROM")]
    pub smtp_from: Option<String>,
}

/// A CIDR, or one address.
fn network(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{raw}` is neither an address nor a CIDR such as 10.0.0.0/8"))
}

/// A setup token long enough not to be guessed.
fn setup_token(raw: &str) -> Result<String, String> {
    let min = crate::auth::setup_token::MIN_LENGTH;
    if raw.chars().count() < min {
        return Err(format!("a setup token has at least {min} characters"));
    }
    Ok(raw.to_owned())
}

impl Settings {
    /// The defaults, ignoring the command line (the environment still applies).
    pub fn from_defaults() -> Self {
        Cli::parse_from(["faultline"]).settings
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("faultline.db").display()),
        }
    }
}
