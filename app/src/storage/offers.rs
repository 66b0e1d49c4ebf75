//! Membership offers: adding an account that already exists to a program.
//!
//! An account may already hold records elsewhere (a student's module
//! progress, another program's roles). Granting a role to it on a director's
//! say-so alone would let any director pull any student, and their history,
//! into their program by typing an address. So the role is offered, the
//! person is e-mailed a link, and the role is granted only when they accept.
//! New accounts (created by the same import or invitation) have no history
//! and are granted at once.

use chrono::{DateTime, Utc};

use super::programs::audit_in_tx;
use super::{Db, StorageError, read, write_tx};
use crate::domain::access::{ProgramId, Role, UserId};

/// What to offer: a role in a program, with a student's cohort and number.
#[derive(Debug, Clone)]
pub struct NewOffer<'a> {
    pub program: ProgramId,
    pub user: UserId,
    pub role: Role,
    pub cohort_id: Option<i64>,
    pub student_number: Option<&'a str>,
    pub offered_by: UserId,
    /// SHA-256 of the link's secret.
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferOutcome {
    /// A new offer: the person is to be e-mailed.
    Offered(i64),
    /// They hold the role already: nothing to offer.
    AlreadyMember,
    /// An offer of this role is open already (not answered, not expired).
    AlreadyOffered,
}

/// Inserts an offer inside a caller's transaction (the roster import offers
/// and grants in one transaction).
macro_rules! offer_in_tx {
    ($tx:ident, $o:expr, $now:expr) => {{
        let o: &$crate::storage::offers::NewOffer<'_> = $o;
        let held: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM membership WHERE user_id = $1 AND program_id = $2 AND role = $3")
                .bind(o.user)
                .bind(o.program)
                .bind(o.role.as_str())
                .fetch_optional(&mut *$tx)
                .await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM membership_offer WHERE user_id = $1 AND program_id = $2 AND role = $3
             AND accepted_at IS NULL AND declined_at IS NULL AND expires_at > $4",
        )
        .bind(o.user)
        .bind(o.program)
        .bind(o.role.as_str())
        .bind($now)
        .fetch_optional(&mut *$tx)
        .await?;
        if held.is_some() {
            $crate::storage::offers::OfferOutcome::AlreadyMember
        } else if open.is_some() {
            $crate::storage::offers::OfferOutcome::AlreadyOffered
        } else {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO membership_offer (program_id, user_id, role, cohort_id, student_number, offered_by,
                    offered_at, token_hash, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(o.program)
            .bind(o.user)
            .bind(o.role.as_str())
            .bind(o.cohort_id)
            .bind(o.student_number)
            .bind(o.offered_by)
            .bind($now)
            .bind(o.token_hash)
            .bind(o.expires_at)
            .fetch_one(&mut *$tx)
            .await?;
            let detail = format!("{} (awaiting acceptance)", o.role.as_str());
            $crate::storage::programs::audit_in_tx!($tx, $now, "membership_offered", actor: Some(o.offered_by), subject: Some(o.user), program: Some(o.program), detail: detail);
            $crate::storage::offers::OfferOutcome::Offered(id)
        }
    }};
}
pub(crate) use offer_in_tx;

pub async fn offer(db: &Db, o: &NewOffer<'_>, now: DateTime<Utc>) -> Result<OfferOutcome, StorageError> {
    write_tx!(db, |tx| Ok(offer_in_tx!(tx, o, now)))
}

/// An offer as the link's holder sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OfferRow {
    pub id: i64,
    pub program_id: ProgramId,
    pub program_name: String,
    pub user_id: UserId,
    pub user_name: String,
    pub role: String,
    pub cohort: Option<String>,
    pub offered_by_name: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
}

const OFFER_SELECT: &str = "SELECT o.id, o.program_id, p.name AS program_name, o.user_id, u.display_name AS user_name,
        o.role, c.name AS cohort, b.display_name AS offered_by_name, o.expires_at, o.accepted_at, o.declined_at
    FROM membership_offer o
    JOIN program p ON p.id = o.program_id
    JOIN app_user u ON u.id = o.user_id
    LEFT JOIN app_user b ON b.id = o.offered_by
    LEFT JOIN cohort c ON c.id = o.cohort_id";

pub async fn by_token(db: &Db, token_hash: &str) -> Result<Option<OfferRow>, StorageError> {
    let sql = format!("{OFFER_SELECT} WHERE o.token_hash = $1");
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, OfferRow>(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(pool).await?
    }))
}

/// Why an offer could not be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerRefused {
    Unknown,
    Expired,
    AlreadyAnswered,
}

/// Accepts (granting the role, with the offered cohort and student number)
/// or declines an open offer, once.
pub async fn answer(
    db: &Db,
    token_hash: &str,
    accept: bool,
    now: DateTime<Utc>,
) -> Result<Result<OfferRow, AnswerRefused>, StorageError> {
    let Some(offer) = by_token(db, token_hash).await? else { return Ok(Err(AnswerRefused::Unknown)) };
    let outcome = write_tx!(db, |tx| {
        // Claims the offer: only one answer can win, on either engine.
        let column = if accept { "accepted_at" } else { "declined_at" };
        let claimed = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE membership_offer SET {column} = $1
             WHERE id = $2 AND accepted_at IS NULL AND declined_at IS NULL AND expires_at > $1"
        )))
        .bind(now)
        .bind(offer.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(Err(if offer.accepted_at.is_some() || offer.declined_at.is_some() {
                AnswerRefused::AlreadyAnswered
            } else {
                AnswerRefused::Expired
            }));
        }
        if accept {
            let (cohort_id, number): (Option<i64>, Option<String>) =
                sqlx::query_as("SELECT cohort_id, student_number FROM membership_offer WHERE id = $1")
                    .bind(offer.id)
                    .fetch_one(&mut *tx)
                    .await?;
            // A student number taken since the offer was made is left off
            // rather than refusing the person; the director sees it missing.
            let taken: Option<i64> = match &number {
                Some(n) => {
                    sqlx::query_scalar("SELECT user_id FROM membership WHERE program_id = $1 AND student_number = $2")
                        .bind(offer.program_id)
                        .bind(n)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            let number = number.filter(|_| taken.is_none());
            sqlx::query(
                "INSERT INTO membership (user_id, program_id, role, cohort_id, student_number, granted_at, granted_by)
                 VALUES ($1, $2, $3, $4, $5, $6, (SELECT offered_by FROM membership_offer WHERE id = $7))
                 ON CONFLICT (user_id, program_id, role) DO NOTHING",
            )
            .bind(offer.user_id)
            .bind(offer.program_id)
            .bind(&offer.role)
            .bind(cohort_id)
            .bind(number)
            .bind(now)
            .bind(offer.id)
            .execute(&mut *tx)
            .await?;
        }
        let kind = if accept { "membership_accepted" } else { "membership_declined" };
        audit_in_tx!(tx, now, kind, actor: Some(offer.user_id), subject: Some(offer.user_id), program: Some(offer.program_id), detail: offer.role.clone());
        Ok(Ok(()))
    })?;
    Ok(outcome.map(|()| offer))
}
