//! People: accounts, their role memberships, and what the access policy
//! needs to know about them ([`load_principal`]).

use chrono::{DateTime, Utc};

use super::{Db, StorageError, read, write_tx};
use crate::domain::access::{Principal, ProgramId, Role, UserId};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub site_admin: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<DateTime<Utc>>,
    pub totp_last_step: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn totp_enabled(&self) -> bool {
        self.totp_enabled_at.is_some() && self.totp_secret.is_some()
    }
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, site_admin, totp_secret, \
     totp_enabled_at, totp_last_step, created_at, disabled_at";

/// [`USER_COLUMNS`] of the table aliased `alias`, for a join.
pub(crate) fn user_columns(alias: &str) -> String {
    USER_COLUMNS.split(", ").map(|c| format!("{alias}.{}", c.trim())).collect::<Vec<_>>().join(", ")
}

/// A new account. `email` must already be normalised (trimmed, lower case).
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub site_admin: bool,
}

pub async fn create(db: &Db, new: &NewUser<'_>, now: DateTime<Utc>) -> Result<UserId, StorageError> {
    write_tx!(db, |tx| {
        let id: UserId = sqlx::query_scalar(
            "INSERT INTO app_user (email, display_name, password_hash, site_admin, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(new.email)
        .bind(new.display_name)
        .bind(new.password_hash)
        .bind(new.site_admin)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        Ok(id)
    })
}

pub async fn get(db: &Db, id: UserId) -> Result<Option<User>, StorageError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM app_user WHERE id = $1");
    Ok(read!(db, |pool| sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?))
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>, StorageError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM app_user WHERE email = $1");
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, User>(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(pool).await?
    }))
}

pub async fn set_password(db: &Db, id: UserId, hash: &str) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("UPDATE app_user SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    })
}

pub async fn set_site_admin(db: &Db, id: UserId, admin: bool) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("UPDATE app_user SET site_admin = $1 WHERE id = $2").bind(admin).bind(id).execute(&mut *tx).await?;
        Ok(())
    })
}

/// Stores a TOTP secret the user is about to confirm (not yet enabled).
pub async fn set_pending_totp(db: &Db, id: UserId, secret_base32: &str) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query(
            "UPDATE app_user SET totp_secret = $1, totp_enabled_at = NULL, totp_last_step = NULL
             WHERE id = $2 AND totp_enabled_at IS NULL",
        )
        .bind(secret_base32)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

pub async fn enable_totp(db: &Db, id: UserId, step: i64, now: DateTime<Utc>) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("UPDATE app_user SET totp_enabled_at = $1, totp_last_step = $2 WHERE id = $3")
            .bind(now)
            .bind(step)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    })
}

pub async fn disable_totp(db: &Db, id: UserId) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query(
            "UPDATE app_user SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM recovery_code WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        Ok(())
    })
}

/// Records that a TOTP time step was used. Returns false when that step (or
/// a later one) was already used: the same code presented twice, perhaps by
/// someone who watched it typed. Atomic, so two servers cannot both accept it.
pub async fn claim_totp_step(db: &Db, id: UserId, step: i64) -> Result<bool, StorageError> {
    write_tx!(db, |tx| {
        let n = sqlx::query(
            "UPDATE app_user SET totp_last_step = $1
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    })
}

/// A membership with its program's name, as a signed-in person's header
/// and home page list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRole {
    pub program_id: ProgramId,
    pub program_name: String,
    pub role: Role,
}

/// The facts the access policy needs about a signed-in person, and their
/// memberships by program name (sorted by name, then role), in one read:
/// every signed-in request needs both.
pub async fn load_principal(db: &Db, user: &User) -> Result<(Principal, Vec<NamedRole>), StorageError> {
    // (program, its name, role) for a membership; (program, -, -, student)
    // for a student placed with this person.
    type Row = (ProgramId, Option<String>, Option<String>, Option<UserId>);
    let rows: Vec<Row> = read!(db, |pool| {
        sqlx::query_as(
            "SELECT m.program_id, p.name, m.role, CAST(NULL AS BIGINT) AS student_id
             FROM membership m JOIN program p ON p.id = m.program_id WHERE m.user_id = $1
             UNION ALL
             SELECT pl.program_id, CAST(NULL AS TEXT), CAST(NULL AS TEXT), pl.student_id FROM placement pl
             JOIN placement_preceptor pp ON pp.placement_id = pl.id
             WHERE pp.preceptor_id = $1 AND pl.ended_at IS NULL",
        )
        .bind(user.id)
        .fetch_all(pool)
        .await?
    });
    let mut roles = Vec::new();
    let mut placed = Vec::new();
    for (program_id, name, role, student) in rows {
        match (role, student) {
            (Some(stored), _) => match Role::parse(&stored) {
                Some(role) => roles.push(NamedRole { program_id, program_name: name.unwrap_or_default(), role }),
                None => {
                    tracing::error!(user = %user.id, program = %program_id, role = %stored, "a stored membership has an unknown role");
                }
            },
            (None, Some(student)) => placed.push((program_id, student)),
            (None, None) => {}
        }
    }
    roles.sort_by(|a, b| (&a.program_name, a.role.as_str()).cmp(&(&b.program_name, b.role.as_str())));
    let principal = Principal {
        user_id: user.id,
        // Administrator powers exist only behind a second factor: an admin
        // who has not turned on TOTP is asked to before anything else.
        site_admin: user.site_admin && user.totp_enabled(),
        memberships: roles.iter().map(|r| (r.program_id, r.role)).collect(),
        placed_students: placed,
    };
    Ok((principal, roles))
}
