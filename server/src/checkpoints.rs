//! Signing the sign-off chains' heads with a key that is not in the
//! database, and checking a checkpoint file against the database
//! (`app::domain::checkpoint` says why).
//!
//! - The key: `CHECKPOINT_KEY` (64 hex digits) if set, else the file
//!   `CHECKPOINT_KEY_FILE` (default `DATA_DIR/checkpoint-signing.key`),
//!   created on first start with a log line saying where. Every app server
//!   of one installation must use the same key.
//! - The file: `CHECKPOINT_FILE` (default `DATA_DIR/signoff-checkpoints.jsonl`),
//!   append-only JSON Lines. A new or replaced key is announced by a `key`
//!   line before its first checkpoint, so old checkpoints stay verifiable
//!   with the key of their period.
//! - Every `CHECKPOINT_INTERVAL_MINUTES`, each program whose chain moved
//!   since its last checkpoint gets a new one: in the file, in the database
//!   (for directors to download) and in the program's audit trail.

use app::domain::ids::ProgramId;
use std::io::Write;
use std::path::{Path, PathBuf};

use app::domain::checkpoint::{self, Checkpoint, CheckpointError, Line};
use app::storage::{Db, checkpoints};
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where the key and the file are.
#[derive(Debug, Clone)]
pub struct CheckpointConfig {
    /// Hex seed from the environment; wins over `key_file`.
    pub key_hex: Option<String>,
    pub key_file: PathBuf,
    pub file: PathBuf,
}

/// The signer of one server: its key and the file it appends to.
pub struct Signer {
    key: SigningKey,
    file: PathBuf,
}

impl Signer {
    /// Loads (or creates) the key, and makes sure the file names it.
    pub fn open(config: &CheckpointConfig, now: DateTime<Utc>) -> Result<Signer, BoxError> {
        let key = load_or_create_key(config)?;
        let signer = Signer { key, file: config.file.clone() };
        signer.announce_key(now)?;
        Ok(signer)
    }

    pub fn key_id(&self) -> String {
        checkpoint::key_id(&self.key.verifying_key())
    }

    /// Appends a `key` line unless the newest key line of the file is this key.
    fn announce_key(&self, now: DateTime<Utc>) -> Result<(), BoxError> {
        let newest = match std::fs::read_to_string(&self.file) {
            Ok(text) => text
                .lines()
                .filter_map(|l| serde_json::from_str::<Line>(l).ok())
                .filter_map(|l| match l {
                    Line::Key(k) => Some(k.key_id),
                    Line::Checkpoint(_) => None,
                })
                .next_back(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("CHECKPOINT_FILE: cannot read {}: {e}", self.file.display()).into()),
        };
        if newest.as_deref() != Some(self.key_id().as_str()) {
            let line = checkpoint::key_line(&self.key.verifying_key(), &checkpoints::signed_time(now));
            self.append(&Line::Key(line))?;
            tracing::info!(key_id = %self.key_id(), file = %self.file.display(), "checkpoint key listed in the checkpoint file");
        }
        Ok(())
    }

    fn append(&self, line: &Line) -> Result<(), BoxError> {
        if let Some(dir) = self.file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.file)?;
        let mut text = serde_json::to_string(line)?;
        text.push('\n');
        f.write_all(text.as_bytes())?;
        // A checkpoint is only worth something once it is on disk.
        f.sync_data()?;
        Ok(())
    }

    /// Signs the head of every program whose chain moved since its last
    /// checkpoint. Returns the checkpoints made.
    pub async fn checkpoint_all(&self, db: &Db, now: DateTime<Utc>) -> Result<Vec<Checkpoint>, BoxError> {
        let at = checkpoints::signed_time(now);
        // The stored time must read back exactly as signed.
        let signed_at = DateTime::parse_from_rfc3339(&at)?.with_timezone(&Utc);
        let mut made = Vec::new();
        for (program, position, hash) in checkpoints::heads(db).await? {
            if checkpoints::latest_position(db, program).await?.is_some_and(|last| last >= position) {
                continue;
            }
            let c = checkpoint::sign(&self.key, program, position, &hash, &at);
            checkpoints::record(db, &c, signed_at).await?;
            self.append(&Line::Checkpoint(c.clone()))?;
            made.push(c);
        }
        Ok(made)
    }

    /// The key lines of this server's file (for directors' downloads).
    pub fn key_lines(&self) -> Result<Vec<checkpoint::KeyLine>, BoxError> {
        let text = std::fs::read_to_string(&self.file)?;
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<Line>(l).ok())
            .filter_map(|l| match l {
                Line::Key(k) => Some(k),
                Line::Checkpoint(_) => None,
            })
            .collect())
    }
}

fn load_or_create_key(config: &CheckpointConfig) -> Result<SigningKey, BoxError> {
    if let Some(hex_seed) = config.key_hex.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        return parse_seed(hex_seed).map_err(|e| format!("CHECKPOINT_KEY: {e}").into());
    }
    let path = &config.key_file;
    match std::fs::read_to_string(path) {
        Ok(text) => parse_seed(text.trim()).map_err(|e| format!("CHECKPOINT_KEY_FILE: {}: {e}", path.display()).into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| format!("cannot make a checkpoint key: {e}"))?;
            write_secret(path, &hex::encode(seed))?;
            tracing::warn!(
                file = %path.display(),
                "created a new checkpoint signing key; keep a copy off this machine, and give every app server the same key"
            );
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(format!("CHECKPOINT_KEY_FILE: cannot read {}: {e}", path.display()).into()),
    }
}

fn parse_seed(hex_seed: &str) -> Result<SigningKey, String> {
    let bytes = hex::decode(hex_seed).map_err(|_| "not hexadecimal".to_string())?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| "must be 64 hex digits (32 bytes)".to_string())?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes a secret readable by its owner only.
fn write_secret(path: &Path, text: &str) -> Result<(), BoxError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f =
        options.open(path).map_err(|e| format!("CHECKPOINT_KEY_FILE: cannot create {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    Ok(())
}

/// A program's checkpoints as a file a director keeps: this server's key
/// lines, then the program's checkpoints from the database (their
/// signatures, not the database, make them trustworthy).
pub async fn download(signer: &Signer, db: &Db, program: ProgramId) -> Result<String, BoxError> {
    let mut out = String::new();
    for k in signer.key_lines()? {
        out.push_str(&serde_json::to_string(&Line::Key(k))?);
        out.push('\n');
    }
    for c in checkpoints::of_program(db, program).await? {
        out.push_str(&serde_json::to_string(&Line::Checkpoint(c))?);
        out.push('\n');
    }
    Ok(out)
}

/// What checking a checkpoint file found.
#[derive(Debug, Default)]
pub struct Verification {
    pub checked: usize,
    /// The first failure of each program, in program order, then any
    /// checkpoint whose signature failed.
    pub failures: Vec<CheckpointError>,
}

/// Checks every checkpoint of a file: its signature and period against the
/// file's keys, then the database's hash at its position. Stops at a
/// program's first broken checkpoint (the later ones add nothing).
pub async fn verify_file(db: &Db, text: &str) -> Result<Verification, BoxError> {
    let file = match checkpoint::parse(text) {
        Ok(f) => f,
        Err(errors) => {
            return Ok(Verification { checked: 0, failures: errors });
        }
    };
    let mut v = Verification::default();
    for (program, list) in file.by_program() {
        for c in list {
            v.checked += 1;
            let outcome = match file.verify_signature(c) {
                Ok(()) => checkpoint::compare(c, checkpoints::hash_at(db, program, c.position).await?.as_deref()),
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                v.failures.push(e);
                break;
            }
        }
    }
    Ok(v)
}

/// Signs moved chains every `interval`, for the life of the server.
pub async fn run_periodically(signer: std::sync::Arc<Signer>, db: Db, interval: std::time::Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match signer.checkpoint_all(&db, Utc::now()).await {
            Ok(made) if !made.is_empty() => tracing::info!(programs = made.len(), "signed sign-off checkpoints"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "could not sign sign-off checkpoints"),
        }
    }
}
