//! Tamper evidence for sign-offs: every record carries a hash over its own
//! content and the previous record's hash, one chain per program. Changing
//! any stored field of any record (or removing one) breaks the chain from
//! that record on, and [`verify`] names the first record that does not
//! match. Pure: storage hands in the records, in chain order.

use crate::domain::ids::{ProgramId, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of a program's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Everything a sign-off record says, as hashed. Field order is part of the
/// format: never reorder, only append (and bump [`FORMAT`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignoffContent {
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
    /// The per-step results as stored (JSON text), byte for byte.
    pub steps: String,
    pub comment: String,
    pub passed: bool,
    pub score_percent: i64,
    pub attestation: String,
    pub voids_id: Option<i64>,
    pub reason: Option<String>,
    pub request_id: Option<i64>,
    /// UTC, RFC 3339 with microseconds (what both engines store exactly).
    pub signed_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The framework edition the record was signed under (`domain::edition`).
    /// `None` for records made before editions existed: they were signed
    /// under the starter framework and hashed without this field (v1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
}

/// The hash format of records without an edition, hashed in front of them.
pub const FORMAT: &str = "checkoff-signoff-v1";
/// The hash format of records that name their edition.
pub const FORMAT_V2: &str = "checkoff-signoff-v2";

/// The hash of a record whose predecessor's hash is `prev_hash`. A record
/// that names its edition hashes it too, under format v2; older records
/// keep hashing exactly as they did, so existing chains still verify.
pub fn link_hash(prev_hash: &str, content: &SignoffContent) -> String {
    let mut h = Sha256::new();
    h.update(if content.edition.is_some() { FORMAT_V2 } else { FORMAT }.as_bytes());
    h.update(b"\n");
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    // serde_json writes struct fields in declaration order: deterministic.
    // Strings, integers and booleans always serialise; hashing an empty text
    // instead would make a link that verifies nothing, so no fallback here.
    #[allow(clippy::expect_used)]
    let json = serde_json::to_string(content).expect("a record of strings, integers and booleans serialises");
    h.update(json.as_bytes());
    hex::encode(h.finalize())
}

/// One stored record, as [`verify`] needs it.
#[derive(Debug, Clone)]
pub struct StoredLink {
    pub id: i64,
    pub content: SignoffContent,
    pub prev_hash: String,
    pub hash: String,
}

/// Why a chain does not verify, naming the first record that fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error(
        "record {id} (program {program}, position {seq}): its content does not match its hash; a stored field was changed"
    )]
    ContentChanged { program: ProgramId, id: i64, seq: i64 },
    #[error(
        "record {id} (program {program}, position {seq}): it does not follow the record before it; a record was removed, inserted or changed"
    )]
    LinkBroken { program: ProgramId, id: i64, seq: i64 },
    #[error("program {program}: position {expected} is missing (found {found}); a record was removed")]
    Gap { program: ProgramId, expected: i64, found: i64 },
    #[error(
        "program {program}: the chain ends at position {last} but its head says {head}; the newest records were removed"
    )]
    Truncated { program: ProgramId, last: i64, head: i64 },
}

/// Checks one program's records, given in `seq` order, against each other
/// and against the head the database keeps (`head_seq`, `head_hash`).
/// Returns how many records verified.
pub fn verify(program: ProgramId, links: &[StoredLink], head: Option<(i64, &str)>) -> Result<usize, ChainBreak> {
    let mut prev = GENESIS.to_string();
    for (i, link) in links.iter().enumerate() {
        let c = &link.content;
        let expected = i as i64 + 1;
        if c.seq != expected {
            return Err(ChainBreak::Gap { program, expected, found: c.seq });
        }
        if link.prev_hash != prev {
            return Err(ChainBreak::LinkBroken { program, id: link.id, seq: c.seq });
        }
        if link_hash(&link.prev_hash, c) != link.hash {
            return Err(ChainBreak::ContentChanged { program, id: link.id, seq: c.seq });
        }
        prev = link.hash.clone();
    }
    if let Some((head_seq, head_hash)) = head {
        let last = links.len() as i64;
        if head_seq != last || (last > 0 && head_hash != prev) {
            return Err(ChainBreak::Truncated { program, last, head: head_seq });
        }
    }
    Ok(links.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(seq: i64) -> SignoffContent {
        SignoffContent {
            program_id: ProgramId(1),
            seq,
            kind: "evaluation".into(),
            student_id: UserId(5),
            student_name: "Sam Student".into(),
            evaluator_id: UserId(9),
            evaluator_name: "Pat Preceptor".into(),
            evaluator_role: "preceptor".into(),
            competency_code: "I.P.2.b".into(),
            competency_title: "Perform venipuncture".into(),
            checklist_version: "abc".into(),
            setting: "externship".into(),
            steps: r#"[{"text":"Identify","critical":true,"met":true,"comment":""}]"#.into(),
            comment: String::new(),
            passed: true,
            score_percent: 100,
            attestation: "I observed it.".into(),
            voids_id: None,
            reason: None,
            request_id: None,
            signed_at: "2026-11-25T10:00:00.000000Z".into(),
            ip: Some("203.0.113.7".into()),
            user_agent: None,
            edition: None,
        }
    }

    #[test]
    fn records_before_editions_hash_as_they_always_did() {
        // A v1 record's hash, as stored before editions existed: the same
        // content must still give it, or existing chains would break.
        let v1 = content(1);
        let json = serde_json::to_string(&v1).unwrap();
        assert!(!json.contains("edition"), "{json}");
        let mut h = Sha256::new();
        h.update(format!("{FORMAT}\n{GENESIS}\n{json}").as_bytes());
        assert_eq!(link_hash(GENESIS, &v1), hex::encode(h.finalize()));
        // Naming the edition is part of what is signed (v2).
        let v2 = SignoffContent { edition: Some("maerb-2015".into()), ..content(1) };
        assert_ne!(link_hash(GENESIS, &v1), link_hash(GENESIS, &v2));
        let other = SignoffContent { edition: Some("checkoff-starter".into()), ..content(1) };
        assert_ne!(link_hash(GENESIS, &v2), link_hash(GENESIS, &other));
    }

    fn chain(n: i64) -> Vec<StoredLink> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let c = content(seq);
                let hash = link_hash(&prev, &c);
                let link = StoredLink { id: seq * 10, content: c, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                link
            })
            .collect()
    }

    fn head(links: &[StoredLink]) -> Option<(i64, String)> {
        links.last().map(|l| (l.content.seq, l.hash.clone()))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let links = chain(4);
        let h = head(&links).unwrap();
        assert_eq!(verify(ProgramId(1), &links, Some((h.0, &h.1))), Ok(4));
        assert_eq!(verify(ProgramId(1), &[], Some((0, GENESIS))), Ok(0));
    }

    #[test]
    fn a_changed_field_is_named() {
        let mut links = chain(4);
        links[2].content.passed = false;
        assert_eq!(
            verify(ProgramId(1), &links, None),
            Err(ChainBreak::ContentChanged { program: ProgramId(1), id: 30, seq: 3 })
        );
        let mut links = chain(4);
        links[1].content.signed_at = "2026-11-24T10:00:00.000000Z".into();
        assert_eq!(
            verify(ProgramId(1), &links, None),
            Err(ChainBreak::ContentChanged { program: ProgramId(1), id: 20, seq: 2 })
        );
    }

    #[test]
    fn a_rehashed_record_breaks_the_next_link() {
        // Someone edits record 2 and recomputes its hash: record 3 no longer follows.
        let mut links = chain(4);
        links[1].content.evaluator_name = "Someone Else".into();
        links[1].hash = link_hash(&links[1].prev_hash, &links[1].content);
        assert_eq!(
            verify(ProgramId(1), &links, None),
            Err(ChainBreak::LinkBroken { program: ProgramId(1), id: 30, seq: 3 })
        );
    }

    #[test]
    fn removed_records_are_noticed() {
        let mut links = chain(4);
        let h = head(&links).unwrap();
        links.remove(1);
        assert_eq!(
            verify(ProgramId(1), &links, None),
            Err(ChainBreak::Gap { program: ProgramId(1), expected: 2, found: 3 })
        );
        let mut links = chain(4);
        links.pop();
        assert_eq!(
            verify(ProgramId(1), &links, Some((h.0, &h.1))),
            Err(ChainBreak::Truncated { program: ProgramId(1), last: 3, head: 4 })
        );
    }
}
