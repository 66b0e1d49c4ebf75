//! The installation itself: a single row saying when this database was
//! created and whether demo data has been loaded, so `serve --demo` seeds a
//! fresh database once and never touches real records.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, read, write_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Instance {
    pub created_at: DateTime<Utc>,
    pub demo_seeded_at: Option<DateTime<Utc>>,
}

/// Returns the instance row, creating it on first call.
pub async fn ensure(db: &Db, now: DateTime<Utc>) -> Result<Instance, StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("INSERT INTO instance (id, created_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Ok(sqlx::query_as::<_, Instance>("SELECT created_at, demo_seeded_at FROM instance WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?)
    })
}

pub async fn get(db: &Db) -> Result<Option<Instance>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Instance>("SELECT created_at, demo_seeded_at FROM instance WHERE id = 1")
            .fetch_optional(pool)
            .await?
    }))
}

/// Records that demo data was loaded. Returns false if it already was, so two
/// servers starting at once on one database do not both seed.
pub async fn claim_demo_seed(db: &Db, now: DateTime<Utc>) -> Result<bool, StorageError> {
    write_tx!(db, |tx| {
        let claimed = sqlx::query("UPDATE instance SET demo_seeded_at = $1 WHERE id = 1 AND demo_seeded_at IS NULL")
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        Ok(claimed == 1)
    })
}
