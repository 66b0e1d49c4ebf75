//! Sign-off records (append-only, hash-chained per program), a program's own
//! competency requirements, and students' requests to their preceptor.
//!
//! There is deliberately no function here that updates or deletes a
//! sign-off; the database refuses both as well (triggers in migration 0004).
//! A correction is a new `void` record pointing at the record it voids.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::{Db, StorageError, read, write_tx};
use crate::domain::access::{ProgramId, UserId};
use crate::domain::competency::{RequiredSetting, Requirement};
use crate::domain::signoff_chain::{GENESIS, SignoffContent, StoredLink, link_hash};

/// The columns of a record, in the order [`SignoffRow`] reads them.
const SIGNOFF_COLUMNS: &str = "s.id, s.program_id, s.seq, s.kind, s.student_id, s.student_name, s.evaluator_id,
    s.evaluator_name, s.evaluator_role, s.competency_code, s.competency_title, s.checklist_version, s.setting,
    s.steps, s.comment, s.passed, s.score_percent, s.attestation, s.voids_id, s.reason, s.request_id,
    s.signed_at, s.ip, s.user_agent, s.prev_hash, s.hash, s.edition,
    (SELECT v.id FROM signoff v WHERE v.voids_id = s.id) AS voided_by";

/// The columns a record is written with, after its id, in the order
/// [`bind_record!`] binds them: one list for a single append and a bulk load.
macro_rules! record_columns {
    () => {
        "program_id, seq, kind, student_id, student_name, evaluator_id, evaluator_name, evaluator_role,
        competency_code, competency_title, checklist_version, setting, steps, comment, passed, score_percent,
        attestation, voids_id, reason, request_id, signed_at, ip, user_agent, prev_hash, hash, edition"
    };
}
pub(crate) use record_columns;

/// How many columns [`record_columns!`] names.
pub(crate) const RECORD_COLUMN_COUNT: usize = 26;

/// Binds a record's columns ([`record_columns!`]) to a query: its content
/// (`seq` already assigned), the time it was signed, and its chain links.
/// A macro rather than a function: the query's type differs per engine.
macro_rules! bind_record {
    ($q:expr, $content:expr, $signed_at:expr, $prev_hash:expr, $hash:expr) => {{
        let c: &$crate::domain::signoff_chain::SignoffContent = $content;
        $q.bind(c.program_id)
            .bind(c.seq)
            .bind(&c.kind)
            .bind(c.student_id)
            .bind(&c.student_name)
            .bind(c.evaluator_id)
            .bind(&c.evaluator_name)
            .bind(&c.evaluator_role)
            .bind(&c.competency_code)
            .bind(&c.competency_title)
            .bind(&c.checklist_version)
            .bind(&c.setting)
            .bind(&c.steps)
            .bind(&c.comment)
            .bind(c.passed)
            // A percentage (0 to 100, checked when scored) in a 32-bit INTEGER column.
            .bind(c.score_percent.clamp(0, 100) as i32)
            .bind(&c.attestation)
            .bind(c.voids_id)
            .bind(&c.reason)
            .bind(c.request_id)
            .bind($signed_at)
            .bind(&c.ip)
            .bind(&c.user_agent)
            .bind($prev_hash)
            .bind($hash)
            .bind(&c.edition)
    }};
}
pub(crate) use bind_record;

/// One stored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SignoffRow {
    pub id: i64,
    pub program_id: ProgramId,
    pub seq: i64,
    pub kind: String,
    pub student_id: UserId,
    pub student_name: String,
    pub evaluator_id: UserId,
    pub evaluator_name: String,
    pub evaluator_role: String,
    pub competency_code: String,
    pub competency_title: String,
    pub checklist_version: String,
    pub setting: String,
    pub steps: String,
    pub comment: String,
    pub passed: bool,
    pub score_percent: i32,
    pub attestation: String,
    pub voids_id: Option<i64>,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    pub signed_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The edition it was signed under; `None` before editions existed
    /// (the starter framework: `domain::edition::of_record`).
    pub edition: Option<String>,
    /// The void record that voided this one, if any.
    pub voided_by: Option<i64>,
}

/// The one text form of a signing time, hashed and compared: UTC with
/// microseconds, which both engines store exactly.
pub fn canonical_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl SignoffRow {
    pub fn content(&self) -> SignoffContent {
        SignoffContent {
            program_id: self.program_id,
            seq: self.seq,
            kind: self.kind.clone(),
            student_id: self.student_id,
            student_name: self.student_name.clone(),
            evaluator_id: self.evaluator_id,
            evaluator_name: self.evaluator_name.clone(),
            evaluator_role: self.evaluator_role.clone(),
            competency_code: self.competency_code.clone(),
            competency_title: self.competency_title.clone(),
            checklist_version: self.checklist_version.clone(),
            setting: self.setting.clone(),
            steps: self.steps.clone(),
            comment: self.comment.clone(),
            passed: self.passed,
            score_percent: i64::from(self.score_percent),
            attestation: self.attestation.clone(),
            voids_id: self.voids_id,
            reason: self.reason.clone(),
            request_id: self.request_id,
            signed_at: canonical_time(self.signed_at),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            edition: self.edition.clone(),
        }
    }

    /// The edition this record counts under.
    pub fn edition_id(&self) -> &str {
        crate::domain::edition::of_record(self.edition.as_deref())
    }

    pub fn is_void(&self) -> bool {
        self.kind == "void"
    }
}

/// A record to append: its content, and when it was signed. `content.seq`
/// and `content.signed_at` are filled in the write transaction, in chain
/// order; `prev_hash` and `hash` are computed there.
#[derive(Debug, Clone)]
pub struct NewSignoff {
    pub content: SignoffContent,
    pub signed_at: DateTime<Utc>,
}

/// Where a new record landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub id: i64,
    pub seq: i64,
}

/// The statements of one append, inside the transaction `$tx` (either
/// engine): a macro because the transaction's type differs per engine.
macro_rules! append_in_tx {
    ($tx:ident, $new:expr) => {{
        let new: &NewSignoff = $new;
        #[allow(clippy::redundant_async_block)]
        let out: Result<Appended, StorageError> = async {
            let signed_at = new.signed_at.trunc_subsecs(6);
            sqlx::query("INSERT INTO signoff_chain (program_id, seq, head_hash) VALUES ($1, 0, $2) ON CONFLICT (program_id) DO NOTHING")
                .bind(new.content.program_id)
                .bind(GENESIS)
                .execute(&mut *$tx)
                .await?;
            let (seq, prev_hash): (i64, String) =
                sqlx::query_as("UPDATE signoff_chain SET seq = seq + 1 WHERE program_id = $1 RETURNING seq, head_hash")
                    .bind(new.content.program_id)
                    .fetch_one(&mut *$tx)
                    .await?;
            let mut content = new.content.clone();
            content.seq = seq;
            content.signed_at = canonical_time(signed_at);
            let c = &content;
            let hash = link_hash(&prev_hash, &content);
            let insert = sqlx::query_scalar(concat!(
                "INSERT INTO signoff (",
                record_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                    $20, $21, $22, $23, $24, $25, $26) RETURNING id"
            ));
            let id: i64 = bind_record!(insert, c, signed_at, &prev_hash, &hash).fetch_one(&mut *$tx).await?;
            sqlx::query("UPDATE signoff_chain SET head_hash = $2 WHERE program_id = $1")
                .bind(c.program_id)
                .bind(&hash)
                .execute(&mut *$tx)
                .await?;
            if let Some(request) = c.request_id {
                sqlx::query(
                    "UPDATE signoff_request SET signoff_id = $1, answered_at = $2
                     WHERE id = $3 AND student_id = $4 AND competency_code = $5 AND answered_at IS NULL",
                )
                .bind(id)
                .bind(signed_at)
                .bind(request)
                .bind(c.student_id)
                .bind(&c.competency_code)
                .execute(&mut *$tx)
                .await?;
            }
            let detail = format!(
                "{} {} {} ({}) record {id}",
                c.kind,
                c.competency_code,
                if c.kind == "void" {
                    "voided"
                } else if c.passed {
                    "passed"
                } else {
                    "not passed"
                },
                c.setting
            );
            crate::storage::programs::audit_in_tx!($tx, signed_at, "signoff", actor: Some(c.evaluator_id), subject: Some(c.student_id), program: Some(c.program_id), detail: detail);
            Ok(Appended { id, seq })
        }
        .await;
        out
    }};
}
/// Appends a record to its program's chain, answers the request it
/// fulfils (if any), and writes the audit event, in one transaction.
///
/// The chain head's row is locked first (an `UPDATE`), so concurrent
/// sign-offs of one program queue for their positions on PostgreSQL. On
/// SQLite, where one connection writes and each commit waits for the disk
/// (`synchronous=FULL`), sign-offs arriving together are committed together:
/// see [`Appender`]. Either way the caller hears back only after its record
/// is durable.
pub async fn append(db: &Db, new: &NewSignoff) -> Result<Appended, StorageError> {
    match db {
        Db::Sqlite(s) => s.appender.append(&s.write, new.clone()).await,
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let out = append_in_tx!(tx, new);
            if out.is_ok() {
                tx.commit().await?;
            }
            out
        }
    }
}

/// SQLite group commit for sign-offs. One task per database takes the
/// appends waiting in its queue (up to [`MAX_BATCH`]), writes each inside
/// its own savepoint (a record that fails is rolled back alone and its
/// caller hears why) and commits them in one transaction: one wait for the
/// disk per batch instead of per record, with the same guarantee that an
/// answered sign-off survives a power cut. The task is started by the first
/// append (it needs the runtime) and ends when the last handle to the
/// database is dropped.
#[derive(Clone, Default)]
pub struct Appender {
    queue: std::sync::Arc<std::sync::OnceLock<tokio::sync::mpsc::Sender<Pending>>>,
}

impl std::fmt::Debug for Appender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Appender").field("started", &self.queue.get().is_some()).finish()
    }
}

/// Sign-offs committed together at most; a batch of 64 commits in a few
/// milliseconds, so nobody waits long behind a full queue.
const MAX_BATCH: usize = 64;

struct Pending {
    new: NewSignoff,
    done: tokio::sync::oneshot::Sender<Result<Appended, StorageError>>,
}

impl Appender {
    async fn append(&self, write: &sqlx::SqlitePool, new: NewSignoff) -> Result<Appended, StorageError> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = tokio::sync::mpsc::channel(1024);
            tokio::spawn(run_appender(write.clone(), rx));
            tx
        });
        let (done, answer) = tokio::sync::oneshot::channel();
        queue
            .send(Pending { new, done })
            .await
            .map_err(|_| StorageError::Conflict("the sign-off writer has stopped".into()))?;
        // The writer owns the record now: if this caller goes away, the
        // record is still written (or not) whole, never half.
        answer.await.map_err(|_| StorageError::Conflict("the sign-off writer stopped before answering".into()))?
    }
}

async fn run_appender(write: sqlx::SqlitePool, mut queue: tokio::sync::mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let results = commit_batch(&write, &batch).await;
        for (pending, result) in batch.drain(..).zip(results) {
            // The caller may have gone away; its record stands either way.
            let _ = pending.done.send(result);
        }
    }
}

/// Writes a batch in one transaction; one result per record, in order.
async fn commit_batch(write: &sqlx::SqlitePool, batch: &[Pending]) -> Vec<Result<Appended, StorageError>> {
    let mut tx = match write.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => {
            let e = StorageError::from(e);
            return batch.iter().map(|_| Err(same_failure(&e))).collect();
        }
    };
    let mut results = Vec::with_capacity(batch.len());
    for pending in batch {
        let result = async {
            let mut savepoint = sqlx::Acquire::begin(&mut tx).await?;
            let out = append_in_tx!(savepoint, &pending.new);
            match out {
                Ok(appended) => {
                    savepoint.commit().await?;
                    Ok(appended)
                }
                Err(e) => {
                    savepoint.rollback().await?;
                    Err(e)
                }
            }
        }
        .await;
        if let Err(e) = &result {
            tracing::warn!(program = %pending.new.content.program_id, error = %e, "a sign-off was refused and rolled back");
        }
        results.push(result);
    }
    if let Err(e) = tx.commit().await {
        let e = StorageError::from(e);
        tracing::error!(error = %e, records = batch.len(), "a batch of sign-offs could not be committed");
        return results.into_iter().map(|r| r.and_then(|_| Err(same_failure(&e)))).collect();
    }
    results
}

/// The error every record of a failed batch answers with: the same kind
/// (so an unavailable database is still a 503), with the cause's text.
fn same_failure(e: &StorageError) -> StorageError {
    match e {
        StorageError::Timeout(d) => StorageError::Timeout(*d),
        StorageError::Unavailable(cause) => StorageError::Unavailable(sqlx::Error::Protocol(cause.to_string())),
        other => StorageError::Query(sqlx::Error::Protocol(other.to_string())),
    }
}

/// One record, by id, within a program.
pub async fn get(db: &Db, program: ProgramId, id: i64) -> Result<Option<SignoffRow>, StorageError> {
    let sql = format!("SELECT {SIGNOFF_COLUMNS} FROM signoff s WHERE s.program_id = $1 AND s.id = $2");
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, SignoffRow>(sqlx::AssertSqlSafe(sql)).bind(program).bind(id).fetch_optional(pool).await?
    }))
}

/// A student's records in a program, oldest first.
pub async fn for_student(db: &Db, program: ProgramId, student: UserId) -> Result<Vec<SignoffRow>, StorageError> {
    let sql =
        format!("SELECT {SIGNOFF_COLUMNS} FROM signoff s WHERE s.program_id = $1 AND s.student_id = $2 ORDER BY s.seq");
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, SignoffRow>(sqlx::AssertSqlSafe(sql)).bind(program).bind(student).fetch_all(pool).await?
    }))
}

/// The programs that have a chain.
pub async fn chained_programs(db: &Db) -> Result<Vec<ProgramId>, StorageError> {
    Ok(read!(db, |pool| sqlx::query_scalar("SELECT program_id FROM signoff_chain ORDER BY program_id")
        .fetch_all(pool)
        .await?))
}

/// A program's whole chain in order, and its head (position, hash).
pub async fn chain(db: &Db, program: ProgramId) -> Result<(Vec<StoredLink>, Option<(i64, String)>), StorageError> {
    let sql = format!("SELECT {SIGNOFF_COLUMNS} FROM signoff s WHERE s.program_id = $1 ORDER BY s.seq");
    let (rows, head): (Vec<SignoffRow>, Option<(i64, String)>) = read!(db, |pool| {
        let rows = sqlx::query_as::<_, SignoffRow>(sqlx::AssertSqlSafe(sql)).bind(program).fetch_all(pool).await?;
        let head = sqlx::query_as("SELECT seq, head_hash FROM signoff_chain WHERE program_id = $1")
            .bind(program)
            .fetch_optional(pool)
            .await?;
        (rows, head)
    });
    let links = rows
        .into_iter()
        .map(|r| StoredLink { id: r.id, content: r.content(), prev_hash: r.prev_hash, hash: r.hash })
        .collect();
    Ok((links, head))
}

/// The competencies a program has evaluation records of: (edition and code,
/// the title last recorded, how many records), for an edition switch preview.
pub async fn recorded_competencies(
    db: &Db,
    program: ProgramId,
) -> Result<Vec<(crate::domain::edition::RecordKey, String, i64)>, StorageError> {
    let rows: Vec<(String, String, String, i64)> = read!(db, |pool| {
        sqlx::query_as(
            "SELECT COALESCE(edition, 'checkoff-starter'), competency_code, MAX(competency_title), COUNT(*) FROM signoff
             WHERE program_id = $1 AND kind = 'evaluation'
             GROUP BY COALESCE(edition, 'checkoff-starter'), competency_code
             ORDER BY 1, 2",
        )
        .bind(program)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(edition, code, title, n)| (crate::domain::edition::RecordKey::new(&edition, &code), title, n))
        .collect())
}

// ---- Requirements -------------------------------------------------------

/// A program's own requirements (competencies without a row use the
/// framework's default).
pub async fn requirements(db: &Db, program: ProgramId) -> Result<Vec<(String, Requirement)>, StorageError> {
    let rows: Vec<(String, i32, String)> = read!(db, |pool| {
        sqlx::query_as("SELECT competency_code, attempts, setting FROM competency_requirement WHERE program_id = $1")
            .bind(program)
            .fetch_all(pool)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(code, attempts, setting)| {
            let setting = RequiredSetting::parse(&setting)?;
            Some((code, Requirement { attempts: u8::try_from(attempts).ok()?, setting }))
        })
        .collect())
}

/// Sets a program's requirement for one competency, with its audit event.
pub async fn set_requirement(
    db: &Db,
    program: ProgramId,
    code: &str,
    requirement: Requirement,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query(
            "INSERT INTO competency_requirement (program_id, competency_code, attempts, setting, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (program_id, competency_code)
             DO UPDATE SET attempts = excluded.attempts, setting = excluded.setting,
                           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(program)
        .bind(code)
        .bind(i32::from(requirement.attempts))
        .bind(requirement.setting.as_str())
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail =
            format!("{code}: {} successful attempt(s), {}", requirement.attempts, requirement.setting.as_str());
        crate::storage::programs::audit_in_tx!(tx, now, "requirement_set", actor: Some(actor), subject: None::<i64>, program: Some(program), detail: detail);
        Ok(())
    })
}

// ---- Requests -----------------------------------------------------------

/// A student's open request to their preceptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub student_name: String,
    pub preceptor_id: UserId,
    pub competency_code: String,
    pub created_at: DateTime<Utc>,
}

const REQUEST_SELECT: &str = "SELECT r.id, r.program_id, r.student_id, u.display_name AS student_name, r.preceptor_id,
    r.competency_code, r.created_at FROM signoff_request r JOIN app_user u ON u.id = r.student_id
    WHERE r.answered_at IS NULL";

/// What asking for a sign-off did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// A new request: its preceptor is to be e-mailed.
    Opened(i64),
    /// One for this competency and preceptor was open already; nothing new.
    AlreadyOpen(i64),
    /// The student holds `domain::competency::MAX_OPEN_REQUESTS` open requests.
    TooMany,
}

/// Opens a request, unless one for this competency is already open or the
/// student is at the cap of open requests. The count is taken inside the
/// write transaction, after locking the student's membership row, so
/// parallel requests cannot all see room for one more (SQLite serialises
/// writers anyway; on PostgreSQL the row lock does).
pub async fn open_request(
    db: &Db,
    program: ProgramId,
    student: UserId,
    preceptor: UserId,
    code: &str,
    now: DateTime<Utc>,
) -> Result<RequestOutcome, StorageError> {
    write_tx!(db, |tx| {
        // A no-op update: on PostgreSQL it takes the row lock that queues
        // this student's other requests behind this transaction.
        sqlx::query(
            "UPDATE membership SET cohort_id = cohort_id WHERE user_id = $1 AND program_id = $2 AND role = 'student'",
        )
        .bind(student)
        .bind(program)
        .execute(&mut *tx)
        .await?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM signoff_request WHERE program_id = $1 AND student_id = $2 AND competency_code = $3
             AND preceptor_id = $4 AND answered_at IS NULL",
        )
        .bind(program)
        .bind(student)
        .bind(code)
        .bind(preceptor)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = existing {
            return Ok(RequestOutcome::AlreadyOpen(id));
        }
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signoff_request WHERE program_id = $1 AND student_id = $2 AND answered_at IS NULL",
        )
        .bind(program)
        .bind(student)
        .fetch_one(&mut *tx)
        .await?;
        if !crate::domain::competency::may_open_request(usize::try_from(open).unwrap_or(usize::MAX)) {
            return Ok(RequestOutcome::TooMany);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO signoff_request (program_id, student_id, preceptor_id, competency_code, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(program)
        .bind(student)
        .bind(preceptor)
        .bind(code)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let detail = format!("asked for a sign-off of {code}");
        crate::storage::programs::audit_in_tx!(tx, now, "signoff_requested", actor: Some(student), subject: Some(preceptor), program: Some(program), detail: detail);
        Ok(RequestOutcome::Opened(id))
    })
}

/// Open requests addressed to a preceptor, oldest first.
pub async fn open_requests_for_preceptor(db: &Db, preceptor: UserId) -> Result<Vec<RequestRow>, StorageError> {
    let sql = format!("{REQUEST_SELECT} AND r.preceptor_id = $1 ORDER BY r.created_at, r.id");
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, RequestRow>(sqlx::AssertSqlSafe(sql)).bind(preceptor).fetch_all(pool).await?
    }))
}

/// A student's open requests in a program.
pub async fn open_requests_of_student(
    db: &Db,
    program: ProgramId,
    student: UserId,
) -> Result<Vec<RequestRow>, StorageError> {
    let sql = format!("{REQUEST_SELECT} AND r.program_id = $1 AND r.student_id = $2 ORDER BY r.created_at");
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, RequestRow>(sqlx::AssertSqlSafe(sql)).bind(program).bind(student).fetch_all(pool).await?
    }))
}

/// Recomputes one program's chain: `Ok(Ok(n))` when all `n` records match,
/// `Ok(Err(break))` naming the first that does not.
pub async fn verify_program(
    db: &Db,
    program: ProgramId,
) -> Result<Result<usize, crate::domain::signoff_chain::ChainBreak>, StorageError> {
    let (links, head) = chain(db, program).await?;
    Ok(crate::domain::signoff_chain::verify(program, &links, head.as_ref().map(|(s, h)| (*s, h.as_str()))))
}
