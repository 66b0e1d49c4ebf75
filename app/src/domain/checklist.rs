//! Procedure checklists: ordered steps, some critical.
//!
//! A missed critical step fails an attempt whatever else was done; this is
//! the rule students meet first (on the home page preview) and the one
//! evaluations are built on.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistStep {
    pub text: String,
    /// A safety step: missing it fails the attempt.
    pub critical: bool,
    /// A hint for the evaluator (what "correctly" means here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Where an attempt stands, step by step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub performed: usize,
    pub total: usize,
    pub critical_missed: usize,
}

impl Tally {
    /// Counts performed steps. `performed[i]` says whether step `i` was done;
    /// missing entries count as not done.
    pub fn of(steps: &[ChecklistStep], performed: &[bool]) -> Tally {
        let done = |i: usize| performed.get(i).copied().unwrap_or(false);
        Tally {
            performed: (0..steps.len()).filter(|&i| done(i)).count(),
            total: steps.len(),
            critical_missed: steps.iter().enumerate().filter(|(i, s)| s.critical && !done(*i)).count(),
        }
    }

    pub fn all_critical_met(&self) -> bool {
        self.critical_missed == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps() -> Vec<ChecklistStep> {
        vec![
            ChecklistStep { text: "a".into(), critical: false, note: None },
            ChecklistStep { text: "b".into(), critical: true, note: None },
            ChecklistStep { text: "c".into(), critical: false, note: None },
        ]
    }

    #[test]
    fn counts_performed_steps() {
        let t = Tally::of(&steps(), &[true, true, false]);
        assert_eq!(t, Tally { performed: 2, total: 3, critical_missed: 0 });
        assert!(t.all_critical_met());
    }

    #[test]
    fn a_missed_critical_step_is_reported() {
        let t = Tally::of(&steps(), &[true, false, true]);
        assert_eq!(t.critical_missed, 1);
        assert!(!t.all_critical_met());
    }

    #[test]
    fn missing_entries_count_as_not_done() {
        let t = Tally::of(&steps(), &[]);
        assert_eq!(t, Tally { performed: 0, total: 3, critical_missed: 1 });
    }
}
