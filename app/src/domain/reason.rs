//! The reason a person gives when they change what the record says: voiding
//! a sign-off, correcting approved hours, returning hours to the student.
//! One rule for all of them, because every such reason stays on a
//! legal-grade record next to what it changed, and is read later by someone
//! who was not there.

/// Enough for "Wrong student" or "Dates swapped"; a bare "typo" is not.
pub const MIN_REASON_CHARS: usize = 10;
/// A paragraph, not a document.
pub const MAX_REASON_CHARS: usize = 1000;

/// What the reason is for: it changes only how the user is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasonFor {
    VoidSignoff,
    CorrectHours,
    ReturnHours,
}

impl ReasonFor {
    fn ask(self) -> &'static str {
        match self {
            ReasonFor::VoidSignoff => "Give the reason for the correction",
            ReasonFor::CorrectHours => "Say why the hours are corrected",
            ReasonFor::ReturnHours => "Say what the student should fix",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("{} (at least {MIN_REASON_CHARS} characters); it stays on the record.", .0.ask())]
    TooShort(ReasonFor),
    #[error("Keep the reason to {MAX_REASON_CHARS} characters or fewer.")]
    TooLong,
}

/// A required reason, trimmed.
pub fn check_reason(text: &str, purpose: ReasonFor) -> Result<String, ReasonError> {
    let text = text.trim();
    match text.chars().count() {
        n if n < MIN_REASON_CHARS => Err(ReasonError::TooShort(purpose)),
        n if n > MAX_REASON_CHARS => Err(ReasonError::TooLong),
        _ => Ok(text.to_string()),
    }
}

/// A note that may be left empty (approving hours), trimmed; only the
/// length limit applies.
pub fn check_optional_note(text: &str) -> Result<String, ReasonError> {
    let text = text.trim();
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(ReasonError::TooLong);
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_and_bounded_the_same_everywhere() {
        for purpose in [ReasonFor::VoidSignoff, ReasonFor::CorrectHours, ReasonFor::ReturnHours] {
            assert_eq!(check_reason("typo", purpose), Err(ReasonError::TooShort(purpose)));
            // Padding does not count: ten characters of text are needed.
            assert_eq!(check_reason("   Wrong date   ", purpose).unwrap(), "Wrong date");
            assert_eq!(check_reason("  short  ", purpose), Err(ReasonError::TooShort(purpose)));
            assert_eq!(check_reason("  Wrong student selected  ", purpose).unwrap(), "Wrong student selected");
            assert!(check_reason(&"é".repeat(MAX_REASON_CHARS), purpose).is_ok(), "counted in characters");
            assert_eq!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1), purpose), Err(ReasonError::TooLong));
        }
    }

    #[test]
    fn the_message_asks_for_what_the_reason_is_for() {
        let m = ReasonError::TooShort(ReasonFor::ReturnHours).to_string();
        assert!(m.starts_with("Say what the student should fix (at least 10 characters)"), "{m}");
    }

    #[test]
    fn an_optional_note_may_be_empty_but_not_endless() {
        assert_eq!(check_optional_note("  ").unwrap(), "");
        assert_eq!(check_optional_note(&"x".repeat(MAX_REASON_CHARS + 1)), Err(ReasonError::TooLong));
    }
}
