//! The storage suite: every test runs on SQLite and on PostgreSQL.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Connection;
use std::time::Duration;

use app::storage::{Db, Engine, instance};
use chrono::{TimeZone, Utc};

both_engines!(
    migrations_apply_and_are_reported,
    migrating_again_changes_nothing,
    instance_row_is_created_once,
    demo_seed_is_claimed_exactly_once,
    concurrent_writers_all_succeed,
    a_failed_write_transaction_leaves_nothing,
    timestamps_round_trip_in_utc,
    every_uniqueness_rule_is_named_in_the_schema,
    a_broken_uniqueness_rule_is_a_field_error,
);

async fn migrations_apply_and_are_reported(db: &Db) {
    let health = db.health(Duration::from_secs(5)).await.expect("health");
    assert_eq!(health.engine, db.engine());
    assert!(health.migration_version.is_some());
    assert_eq!(health.migration_version, db.latest_known_migration());
    assert!(!health.engine_version.is_empty());
}

async fn migrating_again_changes_nothing(db: &Db) {
    let before = db.health(Duration::from_secs(5)).await.unwrap();
    db.migrate().await.expect("second migrate");
    let after = db.health(Duration::from_secs(5)).await.unwrap();
    assert_eq!(before, after);
}

async fn instance_row_is_created_once(db: &Db) {
    assert_eq!(instance::get(db).await.unwrap(), None);
    let first_time = Utc.with_ymd_and_hms(2026, 1, 5, 8, 0, 0).unwrap();
    let a = instance::ensure(db, first_time).await.unwrap();
    let b = instance::ensure(db, first_time + chrono::Duration::days(3)).await.unwrap();
    assert_eq!(a.created_at, first_time);
    assert_eq!(a, b, "a second ensure must not overwrite the first");
}

async fn demo_seed_is_claimed_exactly_once(db: &Db) {
    instance::ensure(db, Utc::now()).await.unwrap();
    // Several servers starting at once on one database: only one may seed.
    let claims = futures_join((0..8).map(|_| {
        let db = db.clone();
        tokio::spawn(async move { instance::claim_demo_seed(&db, Utc::now()).await.unwrap() })
    }))
    .await;
    assert_eq!(claims.iter().filter(|c| **c).count(), 1, "{claims:?}");
    assert!(instance::get(db).await.unwrap().unwrap().demo_seeded_at.is_some());
}

async fn concurrent_writers_all_succeed(db: &Db) {
    db.execute_unchecked("CREATE TABLE write_probe (writer INTEGER NOT NULL, n INTEGER NOT NULL)").await.unwrap();
    const WRITERS: i64 = 16;
    const EACH: i64 = 25;
    let results = futures_join((0..WRITERS).map(|w| {
        let db = db.clone();
        tokio::spawn(async move {
            for n in 0..EACH {
                db.execute_unchecked(&format!("INSERT INTO write_probe VALUES ({w}, {n})")).await?;
            }
            Ok::<_, app::storage::StorageError>(())
        })
    }))
    .await;
    for r in results {
        r.expect("no writer may fail with busy/locked");
    }
    let rows = db.execute_unchecked("UPDATE write_probe SET n = n").await.unwrap();
    assert_eq!(rows, (WRITERS * EACH) as u64);
}

async fn a_failed_write_transaction_leaves_nothing(db: &Db) {
    db.execute_unchecked("CREATE TABLE rollback_probe (v INTEGER NOT NULL)").await.unwrap();
    let err =
        db.execute_unchecked("INSERT INTO rollback_probe VALUES (1); INSERT INTO no_such_table VALUES (2);").await;
    assert!(err.is_err());
    let rows = db.execute_unchecked("DELETE FROM rollback_probe").await.unwrap();
    assert_eq!(rows, 0, "the first insert must have been rolled back");
}

async fn timestamps_round_trip_in_utc(db: &Db) {
    let t = Utc.with_ymd_and_hms(2026, 3, 8, 9, 59, 59).unwrap() + chrono::Duration::microseconds(123_456);
    let got = instance::ensure(db, t).await.unwrap();
    assert_eq!(got.created_at, t, "microseconds and the UTC offset survive storage");
}

#[tokio::test]
async fn sqlite_is_configured_for_durability_and_concurrency() {
    let t = common::TestDb::sqlite().await;
    let db = &t.db;
    assert_eq!(db.engine(), Engine::Sqlite);
    for writer in [true, false] {
        assert_eq!(db.sqlite_pragma("journal_mode", writer).await.unwrap(), "wal");
        assert_eq!(db.sqlite_pragma("synchronous", writer).await.unwrap(), "2", "FULL");
        assert_eq!(db.sqlite_pragma("foreign_keys", writer).await.unwrap(), "1");
        assert_eq!(db.sqlite_pragma("busy_timeout", writer).await.unwrap(), "10000");
    }
    let health = db.health(Duration::from_secs(5)).await.unwrap();
    assert!(
        app::storage::sqlite_version_ok(&health.engine_version),
        "bundled SQLite {} has the WAL-reset bug",
        health.engine_version
    );
}

/// What a schema is made of, as far as the app relies on it: tables and
/// their columns (with nullability and a coarse type), the indexes created by
/// name, and which statements each table has triggers on. Engine-specific
/// detail is normalised away: constraint-backed indexes (SQLite's
/// `sqlite_autoindex_*`, PostgreSQL's `*_pkey`/`*_key`), and trigger names,
/// because SQLite needs one trigger per statement kind where PostgreSQL has
/// one for `UPDATE OR DELETE` (and `TRUNCATE`, which SQLite lacks).
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    /// table -> column -> (coarse type, nullable)
    tables: BTreeMap<String, BTreeMap<String, (&'static str, bool)>>,
    /// (table, index name, unique)
    indexes: BTreeSet<(String, String, bool)>,
    /// (table, INSERT | UPDATE | DELETE)
    trigger_events: BTreeSet<(String, String)>,
}

/// One name per kind of value, so `INTEGER` and `bigint` compare equal.
/// Timestamps and dates are TEXT on SQLite (RFC 3339, which sorts and
/// compares as time does), so they count as text here.
fn coarse_type(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "int" | "int8" | "int4" | "smallint" | "bigserial" => "integer",
        "text" | "character varying" | "varchar" => "text",
        "boolean" | "bool" => "boolean",
        "real" | "double precision" | "float8" => "real",
        "blob" | "bytea" => "bytes",
        "timestamp with time zone" | "timestamptz" | "date" => "text",
        _ => Box::leak(t.into_boxed_str()),
    }
}

async fn sqlite_schema(path: &std::path::Path) -> Schema {
    use sqlx::Row;
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open sqlite");
    let mut schema = Schema::default();
    let objects = sqlx::query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master
         WHERE name NOT LIKE 'sqlite_%' AND tbl_name NOT LIKE '_sqlx_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for o in &objects {
        let (kind, name, table): (String, String, String) = (o.get(0), o.get(1), o.get(2));
        let sql: Option<String> = o.get(3);
        match kind.as_str() {
            "table" => {
                let columns = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
                    .bind(&name)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                let mut cols = BTreeMap::new();
                for c in columns {
                    let (column, declared): (String, String) = (c.get(0), c.get(1));
                    // A primary key column is never NULL, whatever pragma says.
                    let nullable = c.get::<i64, _>(2) == 0 && c.get::<i64, _>(3) == 0;
                    // Booleans and timestamps are declared by their meaning.
                    cols.insert(column, (coarse_type(&declared), nullable));
                }
                schema.tables.insert(name, cols);
            }
            "index" if sql.is_some() => {
                let unique = sql.as_deref().is_some_and(|s| s.to_ascii_uppercase().starts_with("CREATE UNIQUE"));
                schema.indexes.insert((table, name, unique));
            }
            "trigger" => {
                let sql = sql.unwrap_or_default().to_ascii_uppercase();
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    let head = sql.split(" ON ").next().unwrap_or_default();
                    if head.contains(event) {
                        schema.trigger_events.insert((table.clone(), event.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    use sqlx::Row;
    let Db::Postgres(pool) = db else { panic!("not PostgreSQL") };
    let mut schema = Schema::default();
    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES'
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx\\_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for c in columns {
        let (table, column, declared, nullable): (String, String, String, bool) =
            (c.get(0), c.get(1), c.get(2), c.get(3));
        schema.tables.entry(table).or_default().insert(column, (coarse_type(&declared), nullable));
    }
    let indexes = sqlx::query(
        "SELECT t.relname::text, i.relname::text, x.indisunique
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = current_schema()
           AND t.relname NOT LIKE '\\_sqlx\\_%'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for i in indexes {
        schema.indexes.insert((i.get(0), i.get(1), i.get(2)));
    }
    let triggers = sqlx::query(
        "SELECT DISTINCT event_object_table::text, event_manipulation::text
         FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in triggers {
        schema.trigger_events.insert((t.get(0), t.get(1)));
    }
    schema
}

/// After every migration both engines have the same tables, columns,
/// nullability, indexes and trigger coverage: a migration written for one
/// engine and forgotten (or written differently) for the other fails here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_end_with_the_same_schema() {
    let sqlite = common::TestDb::sqlite().await;
    let Some(postgres) = common::TestDb::postgres().await else { return };
    let app::storage::DatabaseUrl::Sqlite { path } = &sqlite.url else { unreachable!() };
    let (a, b) = (sqlite_schema(path).await, postgres_schema(&postgres.db).await);
    assert!(a.tables.len() > 10 && !a.indexes.is_empty() && !a.trigger_events.is_empty(), "{a:?}");

    // Every difference at once, so one run shows what a migration missed.
    let mut differences = Vec::new();
    for table in a.tables.keys().chain(b.tables.keys()).collect::<BTreeSet<_>>() {
        match (a.tables.get(table), b.tables.get(table)) {
            (Some(x), Some(y)) => {
                for column in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                    let (x, y) = (x.get(column), y.get(column));
                    if x != y {
                        differences.push(format!("{table}.{column}: SQLite {x:?}, PostgreSQL {y:?}"));
                    }
                }
            }
            (x, y) => differences.push(format!("table {table}: SQLite {}, PostgreSQL {}", x.is_some(), y.is_some())),
        }
    }
    for i in a.indexes.symmetric_difference(&b.indexes) {
        differences
            .push(format!("index {i:?} only on {}", if a.indexes.contains(i) { "SQLite" } else { "PostgreSQL" }));
    }
    for t in a.trigger_events.symmetric_difference(&b.trigger_events) {
        let only = if a.trigger_events.contains(t) { "SQLite" } else { "PostgreSQL" };
        differences.push(format!("trigger on {t:?} only on {only}"));
    }
    assert!(differences.is_empty(), "the engines' schemas differ:\n{}", differences.join("\n"));
}

async fn futures_join<T: Send + 'static>(handles: impl IntoIterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task panicked"));
    }
    out
}

/// Every rule `storage::Unique` knows names a unique index of this engine's
/// schema: a renamed constraint would otherwise turn a user's mistake into a
/// 500.
async fn every_uniqueness_rule_is_named_in_the_schema(db: &Db) {
    use app::storage::Unique;
    use sqlx::Row;
    let mut found = BTreeSet::new();
    match db {
        Db::Postgres(pool) => {
            let rows = sqlx::query(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE i.indisunique AND c.relnamespace = 'public'::regnamespace",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            found.extend(rows.iter().map(|r| r.get::<String, _>(0)));
        }
        Db::Sqlite(_) => {
            let path = db.sqlite_path().unwrap();
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
            for table in tables {
                let indexes = sqlx::query("SELECT name, \"unique\" FROM pragma_index_list(?)")
                    .bind(&table)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                for index in indexes.iter().filter(|i| i.get::<i64, _>(1) == 1) {
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                            .bind(index.get::<String, _>(0))
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    found.insert(columns.iter().map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", "));
                }
            }
        }
    }
    for rule in Unique::ALL {
        let (postgres, sqlite) = rule.names();
        let name = if db.engine() == Engine::Postgres { postgres } else { sqlite };
        assert!(found.contains(name), "{rule:?}: no unique index {name} on {:?}; found {found:?}", db.engine());
    }
}

/// A name or address already taken answers the same field error on both
/// engines, by the rule it broke.
async fn a_broken_uniqueness_rule_is_a_field_error(db: &Db) {
    use app::error::AppError;
    use app::storage::{StorageError, Unique, externship, programs, users};
    let now = Utc::now();
    let edition = common::catalog().default_edition().id().to_string();
    let program = programs::create_program(db, "Lakeside", &edition, None, now).await.unwrap();
    let again = programs::create_program(db, "Lakeside", &edition, None, now).await.unwrap_err();
    assert!(matches!(again, StorageError::Unique(Unique::ProgramName)), "{again:?}");
    assert_eq!(AppError::from(again).for_field("name").as_deref(), Some("A program with this name exists already."));

    let person =
        users::NewUser { email: "sam@example.org", display_name: "Sam", password_hash: None, site_admin: false };
    users::create(db, &person, now).await.unwrap();
    let again = users::create(db, &person, now).await.unwrap_err();
    assert!(matches!(again, StorageError::Unique(Unique::UserEmail)), "{again:?}");
    assert!(AppError::from(again).for_field("email").is_some());

    let site = externship::NewSite {
        name: "Clinic A".into(),
        address: String::new(),
        contact_name: String::new(),
        contact_email: String::new(),
        contact_phone: String::new(),
    };
    let admin = users::create(db, &users::NewUser { email: "a@example.org", ..person }, now).await.unwrap();
    externship::create_site(db, program, &site, admin, now).await.unwrap();
    let again = externship::create_site(db, program, &site, admin, now).await.unwrap_err();
    assert!(matches!(again, StorageError::Unique(Unique::SiteName)), "{again:?}");
    assert_eq!(
        AppError::from(again).for_field("name").as_deref(),
        Some("The program already has a site by this name.")
    );
}
