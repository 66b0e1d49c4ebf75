//! Joining a program: where an offer to an existing account stands, and the
//! name a roster's cohort is given. Pure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a program's offer to an existing account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    Open,
    Accepted,
    Declined,
    Expired,
}

impl OfferState {
    /// An answer is final; an unanswered offer expires at its time.
    pub fn of(
        accepted_at: Option<DateTime<Utc>>,
        declined_at: Option<DateTime<Utc>>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> OfferState {
        match (accepted_at, declined_at) {
            (Some(_), _) => OfferState::Accepted,
            (None, Some(_)) => OfferState::Declined,
            (None, None) if expires_at <= now => OfferState::Expired,
            (None, None) => OfferState::Open,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OfferState::Open => "open",
            OfferState::Accepted => "accepted",
            OfferState::Declined => "declined",
            OfferState::Expired => "expired",
        }
    }
}

pub const MAX_COHORT_NAME_CHARS: usize = 100;

/// A roster's cohort name, trimmed: 1 to 100 characters on one line.
pub fn check_cohort_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_COHORT_NAME_CHARS {
        return Err("Name the cohort, for example \"Fall 2026\" (up to 100 characters).".into());
    }
    crate::domain::text::check(name, crate::domain::text::TextKind::SingleLine).map_err(|e| e.to_string())?;
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_final_and_an_open_offer_expires() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let (now, later, earlier) = (t("2026-11-25T12:00:00Z"), t("2026-12-01T00:00:00Z"), t("2026-11-20T00:00:00Z"));
        assert_eq!(OfferState::of(None, None, later, now), OfferState::Open);
        assert_eq!(OfferState::of(None, None, now, now), OfferState::Expired);
        assert_eq!(OfferState::of(Some(earlier), None, earlier, now), OfferState::Accepted, "accepted, then expired");
        assert_eq!(OfferState::of(None, Some(earlier), later, now), OfferState::Declined);
    }

    #[test]
    fn a_cohort_is_named_on_one_line() {
        assert_eq!(check_cohort_name("  Fall 2026 "), Ok("Fall 2026".to_string()));
        assert!(check_cohort_name("   ").is_err());
        assert!(check_cohort_name(&"x".repeat(MAX_COHORT_NAME_CHARS + 1)).is_err());
        assert!(check_cohort_name("Fall\n2026").is_err());
    }
}
