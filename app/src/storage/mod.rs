//! Storage: one set of queries, two engines.
//!
//! SQLite is the embedded default (a file, no server to run); PostgreSQL is
//! the scale path (several stateless app servers on one database).
//!
//! **Why a thin per-engine layer rather than sqlx's `Any` driver.** `Any` has
//! no chrono types, cannot read PostgreSQL `TIMESTAMPTZ`, and its query
//! builder emits `?` placeholders. Instead every query is written once, with
//! `$1..$N` placeholders (both SQLite and PostgreSQL accept them), and run
//! through [`read!`] or [`write_tx!`], which expand the same code once per
//! driver. Each engine then uses its native type mapping (TEXT timestamps in
//! SQLite, `TIMESTAMPTZ` in PostgreSQL) and the compiler checks both
//! expansions. Schema differences that SQL cannot hide live in the two
//! migration folders, `migrations/sqlite` and `migrations/postgres`, which a
//! test keeps in step (same versions, same names).
//!
//! **SQLite settings and why.** WAL journal (readers never block the writer),
//! `synchronous=FULL` (an acknowledged sign-off survives a power cut), foreign
//! keys on, a busy timeout, and write transactions opened with
//! `BEGIN IMMEDIATE` so that a writer takes the lock up front and waits for
//! it, instead of failing with `SQLITE_BUSY` when it later tries to upgrade a
//! read lock. Writes go through a one-connection pool, so writers of this
//! process queue in the pool rather than spin on the busy timeout; reads use
//! their own pool of read-only connections. SQLite must be 3.51.3 or newer:
//! older versions have the WAL-reset corruption bug.

pub mod audit;
pub mod bulk;
pub mod checkpoints;
pub mod dashboard;
pub mod editions;
pub mod externship;
pub mod instance;
pub mod mail_requests;
pub mod offers;
pub mod outbox;
pub mod programs;
pub mod progress;
pub mod sessions;
pub mod sign_in_failures;
pub mod signoffs;
pub mod tokens;
pub mod users;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// Oldest SQLite release without the WAL-reset bug (sqlite.org/wal.html#walresetbug).
pub const MIN_SQLITE_VERSION: (u32, u32, u32) = (3, 51, 3);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// Names the variable, so a bad deployment says what to fix in one line.
    #[error("DATABASE_URL: {0}")]
    BadUrl(String),
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database did not answer within {0:?}")]
    Timeout(Duration),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "SQLite {found} is too old: Checkoff needs {}.{}.{} or newer (WAL-reset corruption bug)",
        MIN_SQLITE_VERSION.0, MIN_SQLITE_VERSION.1, MIN_SQLITE_VERSION.2
    )]
    SqliteTooOld { found: String },
    #[error("record not found")]
    NotFound,
    /// A uniqueness rule of the schema refused the write (an e-mail already
    /// registered, a name already taken): which one, on either engine.
    #[error("uniqueness rule {0:?} refused the write")]
    Unique(Unique),
    /// A write that contradicts stored records or itself (checked in code,
    /// not by a constraint): the text says how, for the log.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Roster rows that clash with stored records; the import was rolled back.
    #[error("{} roster rows conflict with stored records", .0.len())]
    RosterConflicts(Vec<programs::RosterConflict>),
    #[error("database error: {0}")]
    Query(sqlx::Error),
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => StorageError::NotFound,
            sqlx::Error::Database(ref db) if db.is_unique_violation() => match Unique::of(db.as_ref()) {
                Some(rule) => StorageError::Unique(rule),
                None => StorageError::Query(err),
            },
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StorageError::Unavailable(err),
            other => StorageError::Query(other),
        }
    }
}

/// The uniqueness rules of the schema that a user's write can break. Each
/// is found by its constraint's name on PostgreSQL and by its table and
/// columns in SQLite's message ("UNIQUE constraint failed: site.program_id,
/// site.name"), so both engines answer the same error, and `AppError` says
/// it next to the right field. A test breaks every rule on both engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    UserEmail,
    ProgramName,
    CohortName,
    SiteName,
    StudentNumber,
    SignoffSeq,
    SignoffVoidedOnce,
    HoursCorrectedOnce,
    EvaluationOnce,
    EditionSource,
    OfferToken,
    QuizAttemptNumber,
}

impl Unique {
    pub const ALL: [Unique; 12] = [
        Unique::UserEmail,
        Unique::ProgramName,
        Unique::CohortName,
        Unique::SiteName,
        Unique::StudentNumber,
        Unique::SignoffSeq,
        Unique::SignoffVoidedOnce,
        Unique::HoursCorrectedOnce,
        Unique::EvaluationOnce,
        Unique::EditionSource,
        Unique::OfferToken,
        Unique::QuizAttemptNumber,
    ];

    /// (PostgreSQL constraint or index name, SQLite `table.column` list).
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Unique::UserEmail => ("app_user_email_key", "app_user.email"),
            Unique::ProgramName => ("program_name_key", "program.name"),
            Unique::CohortName => ("cohort_program_id_name_key", "cohort.program_id, cohort.name"),
            Unique::SiteName => ("site_program_id_name_key", "site.program_id, site.name"),
            Unique::StudentNumber => ("membership_student_number", "membership.program_id, membership.student_number"),
            Unique::SignoffSeq => ("signoff_program_id_seq_key", "signoff.program_id, signoff.seq"),
            Unique::SignoffVoidedOnce => ("signoff_voided_once", "signoff.voids_id"),
            Unique::HoursCorrectedOnce => ("hours_entry_corrected_once", "hours_entry.corrects_id"),
            Unique::EvaluationOnce => (
                "externship_evaluation_placement_id_kind_author_id_key",
                "externship_evaluation.placement_id, externship_evaluation.kind, externship_evaluation.author_id",
            ),
            Unique::EditionSource => (
                "framework_edition_program_id_source_sha256_key",
                "framework_edition.program_id, framework_edition.source_sha256",
            ),
            Unique::OfferToken => ("membership_offer_token_hash_key", "membership_offer.token_hash"),
            Unique::QuizAttemptNumber => (
                "quiz_attempt_number",
                "quiz_attempt.student_id, quiz_attempt.module_slug, quiz_attempt.attempt_number",
            ),
        }
    }

    /// The rule a unique violation broke, on either engine.
    fn of(db: &dyn sqlx::error::DatabaseError) -> Option<Unique> {
        match db.constraint() {
            Some(name) => Unique::ALL.into_iter().find(|u| u.names().0 == name),
            None => {
                let columns = db.message().strip_prefix("UNIQUE constraint failed: ")?;
                Unique::ALL.into_iter().find(|u| u.names().1 == columns)
            }
        }
    }
}

/// Which engine a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A parsed `DATABASE_URL`.
#[derive(Debug, Clone)]
pub enum DatabaseUrl {
    Sqlite { path: PathBuf },
    // Boxed: the connect options are large beside a path.
    Postgres { options: Box<PgConnectOptions>, display: String },
}

impl DatabaseUrl {
    /// Accepts `sqlite:PATH`, `sqlite://PATH` and `postgres://` /
    /// `postgresql://` URLs. In-memory SQLite is refused: records must live
    /// in a file.
    pub fn parse(raw: &str) -> Result<Self, StorageError> {
        let raw = raw.trim();
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" || rest.contains("mode=memory") {
                return Err(StorageError::BadUrl(format!(
                    "'{raw}' names no file; use sqlite:PATH (e.g. sqlite:data/checkoff.db)"
                )));
            }
            return Ok(DatabaseUrl::Sqlite { path: PathBuf::from(path) });
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(raw)
                .map_err(|e| StorageError::BadUrl(format!("not a valid PostgreSQL URL: {e}")))?;
            return Ok(DatabaseUrl::Postgres { options: Box::new(options), display: redact(raw) });
        }
        Err(StorageError::BadUrl(format!(
            "'{}' is not supported; use sqlite:PATH or postgres://USER@HOST/DB",
            redact(raw)
        )))
    }

    /// The default: a SQLite file inside the data folder.
    pub fn default_in(data_dir: &Path) -> Self {
        DatabaseUrl::Sqlite { path: data_dir.join("checkoff.db") }
    }

    pub fn engine(&self) -> Engine {
        match self {
            DatabaseUrl::Sqlite { .. } => Engine::Sqlite,
            DatabaseUrl::Postgres { .. } => Engine::Postgres,
        }
    }

    /// Safe to log: passwords are removed.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path } => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres { display, .. } => display.clone(),
        }
    }
}

/// Removes a password from `scheme://user:password@host`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Pool sizes and time limits. The defaults suit a small server; each is
/// configurable because a program on PostgreSQL runs several app servers
/// against one database's connection limit.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// PostgreSQL connections per app server.
    pub pg_max_connections: u32,
    /// SQLite read-only connections (reads run in parallel under WAL).
    pub sqlite_readers: u32,
    /// How long a request waits for a connection (or the SQLite write lock).
    pub acquire_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig { pg_max_connections: 10, sqlite_readers: 8, acquire_timeout: Duration::from_secs(10) }
    }
}

/// The SQLite side: a one-connection write pool and a read-only pool.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    pub(crate) read: SqlitePool,
    pub(crate) write: SqlitePool,
    /// Sign-offs are committed in groups on the write connection.
    pub(crate) appender: signoffs::Appender,
    path: PathBuf,
}

/// A handle to the database. Cheap to clone (pools are shared).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// Runs `$body` with `$conn` bound to a pool to read from, once per engine.
macro_rules! read {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite(s) => {
                let $conn = &s.read;
                $body
            }
            $crate::storage::Db::Postgres(p) => {
                let $conn = p;
                $body
            }
        }
    };
}
pub(crate) use read;

/// Runs `$body` inside a write transaction (`BEGIN IMMEDIATE` on SQLite),
/// once per engine. `$body` evaluates to `Result<T, StorageError>` (`?` and
/// `return` inside it end the body); the transaction commits on `Ok` and
/// rolls back on `Err`.
macro_rules! write_tx {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite(s) => {
                let mut $tx = s.write.begin_with("BEGIN IMMEDIATE").await?;
                // An async block, so that `?` and `return` in the body end
                // the body, not the caller, and never skip the commit.
                #[allow(clippy::redundant_async_block)]
                let out: Result<_, $crate::storage::StorageError> = async { $body }.await;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
            $crate::storage::Db::Postgres(p) => {
                let mut $tx = p.begin().await?;
                #[allow(clippy::redundant_async_block)]
                let out: Result<_, $crate::storage::StorageError> = async { $body }.await;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
        }
    };
}
pub(crate) use write_tx;

/// What `/healthz` reports.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Health {
    pub engine: Engine,
    /// Version of the newest applied migration, if any.
    pub migration_version: Option<i64>,
    /// Engine version string (`sqlite_version()` or PostgreSQL `server_version`).
    pub engine_version: String,
}

impl Db {
    /// Opens the pools. Does not migrate: see [`Db::migrate`].
    pub async fn connect(url: &DatabaseUrl, cfg: &PoolConfig) -> Result<Db, StorageError> {
        match url {
            DatabaseUrl::Sqlite { path } => connect_sqlite(path, cfg).await,
            DatabaseUrl::Postgres { options, .. } => {
                let pool = PgPoolOptions::new()
                    .max_connections(cfg.pg_max_connections)
                    .acquire_timeout(cfg.acquire_timeout)
                    .connect_with((**options).clone())
                    .await
                    .map_err(|e| StorageError::BadUrl(format!("cannot connect to {}: {e}", url.display())))?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// Like [`Db::connect`] but opens no connection until one is needed.
    /// Used to serve `/healthz` (and report 503) while PostgreSQL is down.
    pub fn connect_lazy(url: &DatabaseUrl, cfg: &PoolConfig) -> Result<Db, StorageError> {
        match url {
            DatabaseUrl::Sqlite { path } => {
                let (read, write) = sqlite_options(path);
                Ok(Db::Sqlite(SqliteDb {
                    read: sqlite_read_pool(cfg).connect_lazy_with(read),
                    write: sqlite_write_pool(cfg).connect_lazy_with(write),
                    appender: signoffs::Appender::default(),
                    path: path.clone(),
                }))
            }
            DatabaseUrl::Postgres { options, .. } => Ok(Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(cfg.pg_max_connections)
                    .acquire_timeout(cfg.acquire_timeout)
                    .connect_lazy_with((**options).clone()),
            )),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite file, for tools that open it directly (schema checks).
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Db::Sqlite(db) => Some(&db.path),
            Db::Postgres(_) => None,
        }
    }

    /// Applies pending migrations. Safe to run from several processes: sqlx
    /// takes an advisory lock on PostgreSQL, and SQLite serialises writers.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match self {
            Db::Sqlite(s) => SQLITE_MIGRATIONS.run(&s.write).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Applies pending migrations up to `version` only: for tests of an
    /// upgrade over data written by an older version.
    pub async fn migrate_to(&self, version: i64) -> Result<(), StorageError> {
        match self {
            Db::Sqlite(s) => SQLITE_MIGRATIONS.run_to(version, &s.write).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run_to(version, p).await?,
        }
        Ok(())
    }

    /// The newest migration this build knows, for `/healthz` and `migrate`.
    pub fn latest_known_migration(&self) -> Option<i64> {
        let migrator = match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).max()
    }

    /// Checks that the database answers, within `limit`. On SQLite this opens
    /// a fresh connection, so a file that was removed, replaced or corrupted
    /// is noticed even while pooled connections still hold the old one.
    pub async fn health(&self, limit: Duration) -> Result<Health, StorageError> {
        match tokio::time::timeout(limit, self.health_inner()).await {
            Ok(result) => result,
            Err(_) => Err(StorageError::Timeout(limit)),
        }
    }

    async fn health_inner(&self) -> Result<Health, StorageError> {
        const VERSION_SQL: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        match self {
            Db::Sqlite(s) => {
                // In WAL mode a fresh connection can still answer from the
                // -wal file after the main file was overwritten, so look at
                // the main file's header too (16 bytes, cheap).
                check_sqlite_header(&s.path).await?;
                let mut conn: SqliteConnection = SqliteConnectOptions::new()
                    .filename(&s.path)
                    .create_if_missing(false)
                    .read_only(true)
                    .connect()
                    .await
                    .map_err(StorageError::Unavailable)?;
                let engine_version: String = sqlx::query_scalar("SELECT sqlite_version()").fetch_one(&mut conn).await?;
                let migration_version: Option<i64> = sqlx::query_scalar(VERSION_SQL).fetch_one(&mut conn).await?;
                Ok(Health { engine: Engine::Sqlite, migration_version, engine_version })
            }
            Db::Postgres(p) => {
                let engine_version: String = sqlx::query_scalar("SHOW server_version").fetch_one(p).await?;
                let migration_version: Option<i64> = sqlx::query_scalar(VERSION_SQL).fetch_one(p).await?;
                Ok(Health { engine: Engine::Postgres, migration_version, engine_version })
            }
        }
    }

    /// Closes the pools (at shutdown, and in tests before a database is dropped).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(s) => {
                s.read.close().await;
                s.write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Runs a statement outside the aggregates. For tests and tools only:
    /// application code goes through an aggregate module.
    #[doc(hidden)]
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64, StorageError> {
        Ok(write_tx!(self, |tx| {
            Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut *tx).await?.rows_affected())
        })?)
    }

    /// Reads one whole number (`SELECT COUNT(*) …`) outside the aggregates.
    /// For tests and tools only.
    #[doc(hidden)]
    pub async fn scalar_unchecked(&self, sql: &str) -> Result<i64, StorageError> {
        Ok(read!(self, |pool| sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(pool)
            .await?))
    }

    /// Reads one pragma (SQLite) for tests and diagnostics.
    #[doc(hidden)]
    pub async fn sqlite_pragma(&self, name: &str, writer: bool) -> Result<String, StorageError> {
        let Db::Sqlite(s) = self else {
            return Err(StorageError::BadUrl("not a SQLite database".into()));
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StorageError::BadUrl(format!("bad pragma name {name}")));
        }
        let sql = format!("PRAGMA {name}");
        let pool = if writer { &s.write } else { &s.read };
        // The name was checked above to be a bare identifier.
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await?;
        use sqlx::Row;
        Ok(match row.try_get::<i64, _>(0) {
            Ok(n) => n.to_string(),
            Err(_) => row.try_get::<String, _>(0)?,
        })
    }
}

/// Every SQLite database file starts with these 16 bytes.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

async fn check_sqlite_header(path: &Path) -> Result<(), StorageError> {
    use tokio::io::AsyncReadExt;
    let unavailable = |e: std::io::Error| StorageError::Unavailable(sqlx::Error::Io(e));
    let mut file = tokio::fs::File::open(path).await.map_err(unavailable)?;
    let mut header = [0u8; 16];
    file.read_exact(&mut header).await.map_err(unavailable)?;
    if &header != SQLITE_HEADER {
        return Err(unavailable(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is not a SQLite database", path.display()),
        )));
    }
    Ok(())
}

fn sqlite_options(path: &Path) -> (SqliteConnectOptions, SqliteConnectOptions) {
    let base = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Statements are cached per connection; the default (100) is plenty.
        .log_statements(tracing::log::LevelFilter::Trace);
    let write = base.clone().create_if_missing(true);
    let read = base.read_only(true);
    (read, write)
}

fn sqlite_write_pool(cfg: &PoolConfig) -> SqlitePoolOptions {
    SqlitePoolOptions::new().max_connections(1).min_connections(1).acquire_timeout(cfg.acquire_timeout)
}

fn sqlite_read_pool(cfg: &PoolConfig) -> SqlitePoolOptions {
    SqlitePoolOptions::new().max_connections(cfg.sqlite_readers.max(1)).acquire_timeout(cfg.acquire_timeout)
}

async fn connect_sqlite(path: &Path, cfg: &PoolConfig) -> Result<Db, StorageError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StorageError::BadUrl(format!("cannot create folder {}: {e}", dir.display())))?;
    }
    let (read, write) = sqlite_options(path);
    let open_err = |e: sqlx::Error| StorageError::BadUrl(format!("cannot open SQLite file {}: {e}", path.display()));
    // The writer first: it creates the file and switches it to WAL, which
    // read-only connections cannot do.
    let write = sqlite_write_pool(cfg).connect_with(write).await.map_err(open_err)?;
    let read = sqlite_read_pool(cfg).connect_with(read).await.map_err(open_err)?;
    let version: String = sqlx::query_scalar("SELECT sqlite_version()").fetch_one(&write).await?;
    if !sqlite_version_ok(&version) {
        return Err(StorageError::SqliteTooOld { found: version });
    }
    Ok(Db::Sqlite(SqliteDb { read, write, appender: signoffs::Appender::default(), path: path.to_path_buf() }))
}

/// True when `version` ("3.51.3") is at least [`MIN_SQLITE_VERSION`].
pub fn sqlite_version_ok(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    found >= MIN_SQLITE_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_supported_urls() {
        assert!(matches!(DatabaseUrl::parse("sqlite:data/x.db"), Ok(DatabaseUrl::Sqlite { .. })));
        assert!(matches!(
            DatabaseUrl::parse("sqlite:///tmp/x.db"),
            Ok(DatabaseUrl::Sqlite { path }) if path == Path::new("/tmp/x.db")
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:secret@127.0.0.1/db"),
            Ok(DatabaseUrl::Postgres { display, .. }) if !display.contains("secret")
        ));
    }

    #[test]
    fn refuses_unsupported_urls_naming_the_variable() {
        for bad in ["mysql://x/y", "", "sqlite::memory:", "sqlite:", "sqlite:x.db?mode=memory", "checkoff.db"] {
            let err = DatabaseUrl::parse(bad).expect_err(bad).to_string();
            assert!(err.starts_with("DATABASE_URL: "), "{err}");
        }
        let err = DatabaseUrl::parse("mysql://u:pw@h/d").unwrap_err().to_string();
        assert!(!err.contains("pw@"), "password leaked: {err}");
    }

    #[test]
    fn compares_sqlite_versions() {
        assert!(sqlite_version_ok("3.51.3"));
        assert!(sqlite_version_ok("3.52.0"));
        assert!(!sqlite_version_ok("3.51.2"));
        assert!(!sqlite_version_ok("3.46.0"));
        assert!(!sqlite_version_ok("garbage"));
    }
}
