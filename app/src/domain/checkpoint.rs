//! Checkpoints that anchor the sign-off chains outside the database.
//!
//! The hash chain (`signoff_chain`) finds an edited record, but someone who
//! can write to the database can edit a record and recompute every later
//! hash and the chain head. A checkpoint is a program's chain head (position
//! and hash) at a moment, signed with an Ed25519 key that is not in the
//! database. Kept in a file off the database (and downloaded by directors),
//! it makes that rewrite visible: the record at the checkpoint's position no
//! longer has the signed hash, and nobody without the key can sign a new one.
//!
//! The file is JSON Lines: `key` lines list each public key with the moment
//! it came into use (a key is valid until the next key line), `checkpoint`
//! lines carry the signed heads. Pure: signing keys and storage are the
//! caller's.

use crate::domain::ids::ProgramId;
use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version of the signed message; a new format gets a new version.
pub const FORMAT: &str = "checkoff-checkpoint-v1";

/// One signed chain head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub program: ProgramId,
    /// The chain position (the `seq` of the newest record).
    pub position: i64,
    /// That record's hash.
    pub hash: String,
    /// UTC, RFC 3339.
    pub at: String,
    pub key_id: String,
    /// Ed25519 signature of [`message`], hex.
    pub signature: String,
}

/// A public key and when it came into use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLine {
    pub key_id: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// UTC, RFC 3339: the key signs from this moment until the next key line.
    pub from: String,
}

/// One line of a checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    Key(KeyLine),
    Checkpoint(Checkpoint),
}

/// The bytes a checkpoint's signature covers.
pub fn message(program: ProgramId, position: i64, hash: &str, at: &str) -> String {
    format!("{FORMAT}\nprogram={program}\nposition={position}\nhash={hash}\nat={at}\n")
}

/// A short, stable name for a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(&digest[..8])
}

pub fn key_line(key: &VerifyingKey, from: &str) -> KeyLine {
    KeyLine { key_id: key_id(key), public_key: hex::encode(key.as_bytes()), from: from.to_string() }
}

/// Signs a chain head.
pub fn sign(key: &SigningKey, program: ProgramId, position: i64, hash: &str, at: &str) -> Checkpoint {
    let signature = key.sign(message(program, position, hash, at).as_bytes());
    Checkpoint {
        program,
        position,
        hash: hash.to_string(),
        at: at.to_string(),
        key_id: key_id(&key.verifying_key()),
        signature: hex::encode(signature.to_bytes()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("line {line}: {message}")]
    Unreadable { line: usize, message: String },
    #[error(
        "checkpoint of program {program} at position {position}: signed by key {key_id}, which the file does not list"
    )]
    UnknownKey { program: ProgramId, position: i64, key_id: String },
    #[error(
        "checkpoint of program {program} at position {position}: signed at {at}, outside the period of key {key_id}"
    )]
    OutsideKeyPeriod { program: ProgramId, position: i64, key_id: String, at: String },
    #[error(
        "checkpoint of program {program} at position {position}: the signature does not verify; the checkpoint was altered"
    )]
    BadSignature { program: ProgramId, position: i64 },
    #[error(
        "program {program}, position {position}: the database holds hash {found}, but the checkpoint signed at {at} says {signed}; the record at or before this position was rewritten"
    )]
    HashDiffers { program: ProgramId, position: i64, at: String, signed: String, found: String },
    #[error(
        "program {program}, position {position}: the database has no record there, but a checkpoint signed at {at} does; records were removed"
    )]
    RecordMissing { program: ProgramId, position: i64, at: String },
}

/// A checkpoint file, read and with its keys checked.
#[derive(Debug, Clone, Default)]
pub struct CheckpointFile {
    pub keys: Vec<KeyLine>,
    pub checkpoints: Vec<Checkpoint>,
}

/// Reads a checkpoint file; every unreadable line is an error naming its
/// line number (from 1). Blank lines are skipped.
pub fn parse(text: &str) -> Result<CheckpointFile, Vec<CheckpointError>> {
    let mut file = CheckpointFile::default();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(raw) {
            Ok(Line::Key(k)) => file.keys.push(k),
            Ok(Line::Checkpoint(c)) => file.checkpoints.push(c),
            Err(e) => errors.push(CheckpointError::Unreadable { line, message: e.to_string() }),
        }
    }
    if errors.is_empty() { Ok(file) } else { Err(errors) }
}

impl CheckpointFile {
    /// Checks a checkpoint's signature against the key that made it, and
    /// that it was signed within that key's period (a key replaced after a
    /// leak must not be able to sign checkpoints dated later).
    pub fn verify_signature(&self, c: &Checkpoint) -> Result<(), CheckpointError> {
        let unknown =
            || CheckpointError::UnknownKey { program: c.program, position: c.position, key_id: c.key_id.clone() };
        let index = self.keys.iter().position(|k| k.key_id == c.key_id).ok_or_else(unknown)?;
        let key = &self.keys[index];
        let at = parse_time(&c.at);
        let from = parse_time(&key.from);
        let until = self.keys.iter().filter_map(|k| parse_time(&k.from)).filter(|t| from.is_some_and(|f| *t > f)).min();
        let inside = match (at, from) {
            (Some(at), Some(from)) => at >= from && until.is_none_or(|u| at < u),
            _ => false,
        };
        if !inside {
            return Err(CheckpointError::OutsideKeyPeriod {
                program: c.program,
                position: c.position,
                key_id: c.key_id.clone(),
                at: c.at.clone(),
            });
        }
        let bad = || CheckpointError::BadSignature { program: c.program, position: c.position };
        let public: [u8; 32] = hex::decode(&key.public_key).ok().and_then(|b| b.try_into().ok()).ok_or_else(unknown)?;
        let public = VerifyingKey::from_bytes(&public).map_err(|_| unknown())?;
        let signature: [u8; 64] = hex::decode(&c.signature).ok().and_then(|b| b.try_into().ok()).ok_or_else(bad)?;
        public
            .verify(message(c.program, c.position, &c.hash, &c.at).as_bytes(), &Signature::from_bytes(&signature))
            .map_err(|_| bad())
    }

    /// The checkpoints of each program, oldest position first.
    pub fn by_program(&self) -> BTreeMap<ProgramId, Vec<&Checkpoint>> {
        let mut map: BTreeMap<ProgramId, Vec<&Checkpoint>> = BTreeMap::new();
        for c in &self.checkpoints {
            map.entry(c.program).or_default().push(c);
        }
        for list in map.values_mut() {
            list.sort_by_key(|c| c.position);
        }
        map
    }
}

/// Compares one verified checkpoint with the hash stored at its position.
pub fn compare(c: &Checkpoint, stored_hash: Option<&str>) -> Result<(), CheckpointError> {
    match stored_hash {
        Some(found) if found == c.hash => Ok(()),
        Some(found) => Err(CheckpointError::HashDiffers {
            program: c.program,
            position: c.position,
            at: c.at.clone(),
            signed: c.hash.clone(),
            found: found.to_string(),
        }),
        None => Err(CheckpointError::RecordMissing { program: c.program, position: c.position, at: c.at.clone() }),
    }
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn file_with(keys: &[(u8, &str)], checkpoints: Vec<Checkpoint>) -> CheckpointFile {
        CheckpointFile {
            keys: keys.iter().map(|(s, from)| key_line(&key(*s).verifying_key(), from)).collect(),
            checkpoints,
        }
    }

    #[test]
    fn a_signed_head_verifies_and_an_altered_one_does_not() {
        let c = sign(&key(1), ProgramId(7), 42, "abc", "2026-12-01T10:00:00Z");
        let f = file_with(&[(1, "2026-01-01T00:00:00Z")], vec![c.clone()]);
        assert_eq!(f.verify_signature(&c), Ok(()));
        let forged = Checkpoint { hash: "def".into(), ..c.clone() };
        assert_eq!(
            f.verify_signature(&forged),
            Err(CheckpointError::BadSignature { program: ProgramId(7), position: 42 })
        );
        let moved = Checkpoint { position: 41, ..c.clone() };
        assert!(f.verify_signature(&moved).is_err());
    }

    #[test]
    fn a_rotated_key_keeps_its_old_checkpoints_verifiable() {
        let old = sign(&key(1), ProgramId(1), 10, "h10", "2026-06-01T00:00:00Z");
        let new = sign(&key(2), ProgramId(1), 20, "h20", "2026-09-01T00:00:00Z");
        let f = file_with(&[(1, "2026-01-01T00:00:00Z"), (2, "2026-08-01T00:00:00Z")], vec![old.clone(), new.clone()]);
        assert_eq!(f.verify_signature(&old), Ok(()));
        assert_eq!(f.verify_signature(&new), Ok(()));
        // The old key, retired in August, cannot sign for September.
        let late = sign(&key(1), ProgramId(1), 30, "h30", "2026-09-02T00:00:00Z");
        assert!(matches!(f.verify_signature(&late), Err(CheckpointError::OutsideKeyPeriod { .. })));
        // A key the file does not list is refused.
        let stranger = sign(&key(3), ProgramId(1), 30, "h30", "2026-09-02T00:00:00Z");
        assert!(matches!(f.verify_signature(&stranger), Err(CheckpointError::UnknownKey { .. })));
    }

    #[test]
    fn the_file_round_trips_and_names_bad_lines() {
        let c = sign(&key(1), ProgramId(3), 5, "h", "2026-12-01T10:00:00Z");
        let k = key_line(&key(1).verifying_key(), "2026-01-01T00:00:00Z");
        let text = format!(
            "{}\n\n{}\nnot json\n",
            serde_json::to_string(&Line::Key(k.clone())).unwrap(),
            serde_json::to_string(&Line::Checkpoint(c.clone())).unwrap()
        );
        let errors = parse(&text).unwrap_err();
        assert!(matches!(errors.as_slice(), [CheckpointError::Unreadable { line: 4, .. }]), "{errors:?}");
        let good = parse(text.trim_end_matches("not json\n")).unwrap();
        assert_eq!((good.keys, good.checkpoints), (vec![k], vec![c]));
    }

    #[test]
    fn a_stored_hash_must_match_the_signed_one() {
        let c = sign(&key(1), ProgramId(3), 5, "h", "2026-12-01T10:00:00Z");
        assert_eq!(compare(&c, Some("h")), Ok(()));
        assert!(matches!(compare(&c, Some("x")), Err(CheckpointError::HashDiffers { position: 5, .. })));
        assert!(matches!(compare(&c, None), Err(CheckpointError::RecordMissing { position: 5, .. })));
    }
}
