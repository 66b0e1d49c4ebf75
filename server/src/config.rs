//! Configuration: command-line flags, each also read from an environment
//! variable (and from a `.env` file, loaded before parsing). `server --help`
//! lists them all with their defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use app::storage::{DatabaseUrl, PoolConfig};
use axum::http::Uri;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Checkoff: training modules and competency check-offs for Medical Assistant programs",
    after_help = "Every option can also be set by the environment variable shown in brackets, \
                  or in a .env file in the working directory."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default). Applies pending migrations first.
    Serve {
        /// Load demo data into a fresh database and print the demo accounts.
        #[arg(long, env = "DEMO")]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the first site administrator (or make an existing account
    /// one) and print a one-time sign-in link, valid 24 hours. The
    /// administrator sets a password and turns on two-step sign-in from it.
    CreateAdmin {
        /// The administrator's e-mail address.
        #[arg(long)]
        email: String,
        /// The administrator's name, as shown in the audit log.
        #[arg(long)]
        name: String,
    },
    /// Validate the content tree (modules, knowledge checks, competencies);
    /// print every problem as path:line: message and exit non-zero if any.
    CheckContent,
    /// Recompute every program's sign-off hash chain; name the first record
    /// that does not match (a stored field changed, a record removed); recount
    /// the records against the dashboard's tallies; with --checkpoints, check
    /// signed checkpoints against the database; exit non-zero on any failure.
    VerifySignoffs {
        /// A checkpoint file (CHECKPOINT_FILE, or one a director downloaded):
        /// every signed chain head must still match the database.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Export the competency framework as CSV, or import one.
    #[command(subcommand)]
    Framework(FrameworkCommand),
}

#[derive(Debug, Clone, Subcommand)]
pub enum FrameworkCommand {
    /// Print a framework edition as CSV (code, title, domain, steps, modules,
    /// attempts, setting, pass_percent, same_as, references). Steps are
    /// separated by "|"; a step starting with "*" is critical.
    Export {
        /// The edition (a file name in CONTENT_DIR/competencies without
        /// .toml); default: the default edition.
        #[arg(long)]
        edition: Option<String>,
    },
    /// Read a framework CSV (e.g. the list an accreditor publishes), report
    /// every bad row by line, and write it as an edition file.
    Import {
        /// The CSV file to read.
        file: PathBuf,
        /// The edition's id, lower-case words joined by "-" (e.g. maerb-2022).
        #[arg(long)]
        edition: String,
        /// The edition's name as people say it.
        #[arg(long)]
        name: String,
        /// Who publishes it.
        #[arg(long, default_value = "CAAHEP / MAERB")]
        publisher: String,
        /// The edition's year or version.
        #[arg(long)]
        version: String,
        /// Where to write it (default: CONTENT_DIR/competencies/<edition>.toml).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port the server listens on.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub listen_addr: SocketAddr,

    /// Database URL: sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB.
    /// Unset: a SQLite file in DATA_DIR, created on first run.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Folder for the default SQLite database and other local data.
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Public address of the site, as users reach it (https in production).
    /// Used in emailed links and to refuse cross-site form posts.
    #[arg(long, env = "SITE_URL", default_value = "http://127.0.0.1:3000", global = true)]
    pub site_url: String,

    /// Log filter: a level (error, warn, info, debug, trace) or tracing
    /// directives such as "info,sqlx=warn".
    #[arg(long, env = "LOG_LEVEL", default_value = "info", global = true)]
    pub log_level: String,

    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,

    /// Folder holding the compiled site (the .wasm bundle, CSS and assets),
    /// as produced by `cargo leptos build`.
    #[arg(long, env = "SITE_ROOT", default_value = "target/site", global = true)]
    pub site_root: PathBuf,

    /// Folder of skill modules and the competency framework.
    #[arg(long, env = "CONTENT_DIR", default_value = "content", global = true)]
    pub content_dir: PathBuf,

    /// SMTP server for outgoing mail, e.g. smtps://USER:PASSWORD@smtp.example.org.
    /// Unset: mail is written to the outbox that administrators read in the app.
    #[arg(long, env = "SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// Sender address of outgoing mail.
    #[arg(long, env = "MAIL_FROM", default_value = "Checkoff <no-reply@localhost>", global = true)]
    pub mail_from: String,

    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 120, global = true)]
    pub session_idle_minutes: u32,

    /// Hours after sign-in after which a session ends, however active.
    #[arg(long, env = "SESSION_MAX_HOURS", default_value_t = 12, global = true)]
    pub session_max_hours: u32,

    /// Take the client address from the last X-Forwarded-For entry (set this
    /// only behind a reverse proxy that writes it). Used by sign-in
    /// throttling and the audit log.
    #[arg(long, env = "TRUST_PROXY", global = true)]
    pub trust_proxy: bool,

    /// Maximum PostgreSQL connections held by this app server.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 10, global = true)]
    pub database_max_connections: u32,

    /// Ed25519 seed (64 hex digits) that signs sign-off checkpoints; wins
    /// over CHECKPOINT_KEY_FILE. Every app server must use the same key.
    #[arg(long, env = "CHECKPOINT_KEY", hide_env_values = true, global = true)]
    pub checkpoint_key: Option<String>,

    /// File holding the checkpoint signing key (created on first start if
    /// absent). Default: DATA_DIR/checkpoint-signing.key.
    #[arg(long, env = "CHECKPOINT_KEY_FILE", global = true)]
    pub checkpoint_key_file: Option<PathBuf>,

    /// Append-only file of signed checkpoints, outside the database.
    /// Default: DATA_DIR/signoff-checkpoints.jsonl.
    #[arg(long, env = "CHECKPOINT_FILE", global = true)]
    pub checkpoint_file: Option<PathBuf>,

    /// Minutes between checkpoints of chains that moved.
    #[arg(long, env = "CHECKPOINT_INTERVAL_MINUTES", default_value_t = 15, global = true)]
    pub checkpoint_interval_minutes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A configuration value that cannot be used. `Display` names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl Config {
    pub fn database_url(&self) -> Result<DatabaseUrl, app::storage::StorageError> {
        match self.database_url.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(raw) => DatabaseUrl::parse(raw),
            None => Ok(DatabaseUrl::default_in(&self.data_dir)),
        }
    }

    pub fn pool_config(&self) -> PoolConfig {
        PoolConfig { pg_max_connections: self.database_max_connections.max(1), ..PoolConfig::default() }
    }

    /// Session lifetimes, cookie flags and the base of emailed links.
    pub fn auth_settings(&self) -> Result<app::auth::AuthSettings, ConfigError> {
        let origin = self.site_origin()?;
        let mut s = app::auth::AuthSettings::new(&self.site_url, origin.https);
        let err = |variable: &'static str| ConfigError { variable, message: "must be at least 1".into() };
        if self.session_idle_minutes == 0 {
            return Err(err("SESSION_IDLE_MINUTES"));
        }
        if self.session_max_hours == 0 {
            return Err(err("SESSION_MAX_HOURS"));
        }
        s.idle_timeout = chrono::Duration::minutes(i64::from(self.session_idle_minutes));
        s.absolute_timeout = chrono::Duration::hours(i64::from(self.session_max_hours));
        Ok(s)
    }

    /// SMTP when configured, else the in-app outbox.
    pub fn mailer(&self) -> Result<app::auth::mail::Mailer, ConfigError> {
        match self.smtp_url.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(url) => app::auth::mail::Mailer::smtp(url, &self.mail_from)
                .map_err(|e| ConfigError { variable: "SMTP_URL", message: e.to_string() }),
            None => Ok(app::auth::mail::Mailer::Outbox),
        }
    }

    pub fn checkpoint_config(&self) -> crate::checkpoints::CheckpointConfig {
        crate::checkpoints::CheckpointConfig {
            key_hex: self.checkpoint_key.clone(),
            key_file: self.checkpoint_key_file.clone().unwrap_or_else(|| self.data_dir.join("checkpoint-signing.key")),
            file: self.checkpoint_file.clone().unwrap_or_else(|| self.data_dir.join("signoff-checkpoints.jsonl")),
        }
    }

    /// The site's origin (`scheme://host[:port]`), checked against the
    /// `Origin` header of state-changing requests.
    pub fn site_origin(&self) -> Result<SiteOrigin, ConfigError> {
        SiteOrigin::parse(&self.site_url)
    }
}

/// `scheme://authority` of the public site URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteOrigin {
    pub origin: String,
    pub https: bool,
}

impl SiteOrigin {
    pub fn parse(raw: &str) -> Result<SiteOrigin, ConfigError> {
        let err = |message: String| ConfigError { variable: "SITE_URL", message };
        let uri = Uri::from_str(raw.trim()).map_err(|e| err(format!("'{raw}' is not a URL: {e}")))?;
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(err(format!("'{raw}' must start with http:// or https://")));
        }
        let authority =
            uri.authority().ok_or_else(|| err(format!("'{raw}' has no host")))?.as_str().to_ascii_lowercase();
        Ok(SiteOrigin { origin: format!("{scheme}://{authority}"), https: scheme == "https" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_origin_drops_path_and_case() {
        let o = SiteOrigin::parse("https://Checkoff.Example.edu/app/").unwrap();
        assert_eq!(o.origin, "https://checkoff.example.edu");
        assert!(o.https);
        assert!(SiteOrigin::parse("ftp://x").unwrap_err().to_string().starts_with("SITE_URL: "));
        assert!(SiteOrigin::parse("not a url").is_err());
    }
}
