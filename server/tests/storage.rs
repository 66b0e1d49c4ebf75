//! The storage suite: every test runs on SQLite and on PostgreSQL.

mod common;

use std::collections::BTreeSet;
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
    let claims = futures_join(
        (0..8).map(|_| {
            let db = db.clone();
            tokio::spawn(async move { instance::claim_demo_seed(&db, Utc::now()).await.unwrap() })
        }),
    )
    .await;
    assert_eq!(claims.iter().filter(|c| **c).count(), 1, "{claims:?}");
    assert!(instance::get(db).await.unwrap().unwrap().demo_seeded_at.is_some());
}

async fn concurrent_writers_all_succeed(db: &Db) {
    db.execute_unchecked("CREATE TABLE write_probe (writer INTEGER NOT NULL, n INTEGER NOT NULL)")
        .await
        .unwrap();
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
    let rows = db
        .execute_unchecked("UPDATE write_probe SET n = n")
        .await
        .unwrap();
    assert_eq!(rows, (WRITERS * EACH) as u64);
}

async fn a_failed_write_transaction_leaves_nothing(db: &Db) {
    db.execute_unchecked("CREATE TABLE rollback_probe (v INTEGER NOT NULL)").await.unwrap();
    let err = db
        .execute_unchecked("INSERT INTO rollback_probe VALUES (1); INSERT INTO no_such_table VALUES (2);")
        .await;
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

#[test]
fn migrations_are_in_step() {
    let list = |engine: &str| -> BTreeSet<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/");
        std::fs::read_dir(format!("{dir}{engine}"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect()
    };
    let (sqlite, postgres) = (list("sqlite"), list("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "every migration must exist for both engines, same version and name");
}

async fn futures_join<T: Send + 'static>(
    handles: impl IntoIterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task panicked"));
    }
    out
}
