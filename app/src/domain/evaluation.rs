//! Sign-off rules: how a submitted evaluation is checked and scored. The
//! server computes every result here; a result sent by a browser is never
//! trusted (the form does not even send one).
//!
//! - Psychomotor: pass only if every critical step was performed and the
//!   share of steps performed reaches the competency's pass percent.
//! - Affective: each behaviour meets or does not meet expectation; one that
//!   does not needs a comment saying what was seen, and fails the attempt.
//! - Every sign-off carries the evaluator's attestation.

use serde::{Deserialize, Serialize};

use super::access::{Principal, ProgramId, Role};
use super::checklist::{ChecklistStep, Tally};
use super::competency::{Competency, CompetencyDomain, Setting};

/// The longest comment kept, per step and overall (a paragraph, not a file).
pub const MAX_COMMENT_CHARS: usize = 2000;

/// One step or behaviour as the evaluator marked it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepMark {
    pub met: bool,
    pub comment: String,
}

/// What an evaluator submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub marks: Vec<StepMark>,
    pub comment: String,
    pub attested: bool,
}

/// The computed outcome, stored with the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    pub passed: bool,
    /// Steps met, of all steps, in percent (rounded down).
    pub score_percent: u8,
    pub steps_met: usize,
    pub steps_total: usize,
    /// Indexes of critical steps not performed.
    pub critical_missed: Vec<usize>,
    /// Indexes of behaviours that did not meet expectation.
    pub not_met: Vec<usize>,
}

/// A submission the rules refuse; `field` is the form input it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionError {
    #[error(
        "The checklist has {expected} steps but {got} were submitted. Reload the page: the checklist may have changed."
    )]
    StepCount { expected: usize, got: usize },
    #[error("Say what you observed: a behaviour that does not meet expectation needs a comment.")]
    CommentRequired { index: usize },
    #[error("Comments are limited to {MAX_COMMENT_CHARS} characters.")]
    CommentTooLong { index: Option<usize> },
    #[error("Confirm the attestation to sign.")]
    NotAttested,
    #[error("{0} competencies are assessed by tests, not signed off.")]
    NotSignedOff(&'static str),
}

impl SubmissionError {
    /// The form input this error is shown next to.
    pub fn field(&self) -> String {
        match self {
            SubmissionError::CommentRequired { index } | SubmissionError::CommentTooLong { index: Some(index) } => {
                format!("comment_{index}")
            }
            SubmissionError::CommentTooLong { index: None } => "comment".into(),
            SubmissionError::NotAttested => "attest".into(),
            SubmissionError::StepCount { .. } | SubmissionError::NotSignedOff(_) => "steps".into(),
        }
    }
}

/// Checks a submission against a competency and computes its result.
pub fn score(competency: &Competency, submission: &Submission) -> Result<Scored, SubmissionError> {
    if !competency.domain.is_signed_off() {
        return Err(SubmissionError::NotSignedOff("Cognitive"));
    }
    let steps = &competency.steps;
    if submission.marks.len() != steps.len() {
        return Err(SubmissionError::StepCount { expected: steps.len(), got: submission.marks.len() });
    }
    if submission.comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(SubmissionError::CommentTooLong { index: None });
    }
    for (index, m) in submission.marks.iter().enumerate() {
        if m.comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(SubmissionError::CommentTooLong { index: Some(index) });
        }
        if competency.domain == CompetencyDomain::Affective && !m.met && m.comment.trim().is_empty() {
            return Err(SubmissionError::CommentRequired { index });
        }
    }
    if !submission.attested {
        return Err(SubmissionError::NotAttested);
    }
    Ok(compute(competency.domain, steps, competency.pass_percent, &submission.marks))
}

fn compute(domain: CompetencyDomain, steps: &[ChecklistStep], pass_percent: u8, marks: &[StepMark]) -> Scored {
    let performed: Vec<bool> = marks.iter().map(|m| m.met).collect();
    let tally = Tally::of(steps, &performed);
    let score_percent = (tally.performed * 100).checked_div(tally.total).map_or(0, |p| p as u8);
    let critical_missed: Vec<usize> =
        steps.iter().enumerate().filter(|(i, s)| s.critical && !performed[*i]).map(|(i, _)| i).collect();
    let not_met: Vec<usize> = performed.iter().enumerate().filter(|(_, m)| !**m).map(|(i, _)| i).collect();
    // Compare in whole numbers: 17 of 20 steps is 85%, exactly, not 84.99.
    let reaches = tally.performed * 100 >= usize::from(pass_percent) * tally.total;
    let passed = match domain {
        CompetencyDomain::Affective => tally.total > 0 && not_met.is_empty(),
        _ => tally.total > 0 && critical_missed.is_empty() && reaches,
    };
    Scored { passed, score_percent, steps_met: tally.performed, steps_total: tally.total, critical_missed, not_met }
}

/// The sentence an evaluator confirms before signing.
pub fn attestation(evaluator: &str, student: &str, competency: &Competency) -> String {
    format!(
        "I, {evaluator}, personally observed {student} perform {} ({}) and marked each step as I observed it.",
        competency.title, competency.code
    )
}

/// The role an evaluation is recorded under: instructors sign in the campus
/// lab, preceptors at the externship (the policy allows no one else).
pub fn evaluator_role(setting: Setting) -> Role {
    match setting {
        Setting::Lab => Role::Instructor,
        Setting::Externship => Role::Preceptor,
    }
}

/// The role a correction is recorded under: the highest the person holds in
/// the program (a director who also teaches corrects as director).
pub fn corrector_role(p: &Principal, program: ProgramId) -> Role {
    [Role::Director, Role::Instructor].into_iter().find(|r| p.has_role(program, *r)).unwrap_or(Role::Preceptor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::competency::Requirement;

    fn step(text: &str, critical: bool) -> ChecklistStep {
        ChecklistStep { text: text.into(), critical, note: None }
    }

    fn competency(domain: CompetencyDomain, steps: Vec<ChecklistStep>, pass_percent: u8) -> Competency {
        Competency {
            code: "I.P.2.b".into(),
            title: "Perform venipuncture".into(),
            domain,
            modules: vec![],
            steps,
            pass_percent,
            requirement: Requirement::DEFAULT,
            version: "v1".into(),
            references: vec![],
            same_as: vec![],
        }
    }

    fn venipuncture() -> Competency {
        // 10 steps, two critical, 80% to pass.
        let mut steps: Vec<ChecklistStep> = (0..10).map(|i| step(&format!("step {i}"), false)).collect();
        steps[1].critical = true; // identify the patient
        steps[7].critical = true; // activate the needle safety device
        competency(CompetencyDomain::Psychomotor, steps, 80)
    }

    fn submit(met: &[bool]) -> Submission {
        Submission {
            marks: met.iter().map(|&met| StepMark { met, comment: String::new() }).collect(),
            comment: String::new(),
            attested: true,
        }
    }

    #[test]
    fn every_step_performed_passes() {
        let s = score(&venipuncture(), &submit(&[true; 10])).unwrap();
        assert!(s.passed);
        assert_eq!((s.score_percent, s.steps_met, s.steps_total), (100, 10, 10));
    }

    #[test]
    fn a_missed_critical_step_fails_whatever_the_score() {
        let mut met = [true; 10];
        met[7] = false;
        let s = score(&venipuncture(), &submit(&met)).unwrap();
        assert_eq!(s.score_percent, 90, "above the 80% threshold");
        assert!(!s.passed);
        assert_eq!(s.critical_missed, vec![7]);
    }

    #[test]
    fn the_threshold_is_inclusive_and_exact() {
        let mut met = [true; 10];
        met[0] = false;
        met[2] = false;
        assert!(score(&venipuncture(), &submit(&met)).unwrap().passed, "8 of 10 is exactly 80%");
        met[3] = false;
        let s = score(&venipuncture(), &submit(&met)).unwrap();
        assert!(!s.passed, "7 of 10 is below 80%");
        assert!(s.critical_missed.is_empty());
        // 17 of 20 at 85%: whole-number comparison, no rounding trap.
        let c = competency(CompetencyDomain::Psychomotor, (0..20).map(|i| step(&i.to_string(), false)).collect(), 85);
        let mut met = vec![true; 20];
        met[0] = false;
        met[1] = false;
        met[2] = false;
        assert!(score(&c, &submit(&met)).unwrap().passed);
    }

    #[test]
    fn affective_behaviours_must_all_meet_expectation() {
        let c = competency(CompetencyDomain::Affective, vec![step("listens", false), step("respects", false)], 100);
        assert!(score(&c, &submit(&[true, true])).unwrap().passed);
        assert_eq!(score(&c, &submit(&[true, false])), Err(SubmissionError::CommentRequired { index: 1 }));
        let mut s = submit(&[true, false]);
        s.marks[1].comment = "Interrupted the patient twice.".into();
        let scored = score(&c, &s).unwrap();
        assert!(!scored.passed);
        assert_eq!(scored.not_met, vec![1]);
        assert_eq!(SubmissionError::CommentRequired { index: 1 }.field(), "comment_1");
    }

    #[test]
    fn unsigned_or_malformed_submissions_are_refused() {
        let mut s = submit(&[true; 10]);
        s.attested = false;
        assert_eq!(score(&venipuncture(), &s), Err(SubmissionError::NotAttested));
        assert_eq!(
            score(&venipuncture(), &submit(&[true; 9])),
            Err(SubmissionError::StepCount { expected: 10, got: 9 })
        );
        let mut s = submit(&[true; 10]);
        s.comment = "x".repeat(MAX_COMMENT_CHARS + 1);
        assert_eq!(score(&venipuncture(), &s), Err(SubmissionError::CommentTooLong { index: None }));
        let cognitive = competency(CompetencyDomain::Cognitive, vec![], 100);
        assert!(matches!(score(&cognitive, &submit(&[])), Err(SubmissionError::NotSignedOff(_))));
    }

    #[test]
    fn a_correction_is_recorded_under_the_highest_role_held() {
        use crate::domain::access::{Principal, ProgramId, Role, UserId};
        let mut p = Principal { user_id: UserId(7), ..Principal::default() };
        p.memberships = vec![(ProgramId(1), Role::Preceptor)];
        assert_eq!(corrector_role(&p, ProgramId(1)), Role::Preceptor);
        p.memberships.push((ProgramId(1), Role::Instructor));
        assert_eq!(corrector_role(&p, ProgramId(1)), Role::Instructor);
        p.memberships.push((ProgramId(1), Role::Director));
        assert_eq!(corrector_role(&p, ProgramId(1)), Role::Director);
        // Roles in another program do not count.
        assert_eq!(corrector_role(&p, ProgramId(2)), Role::Preceptor);
    }

    #[test]
    fn an_evaluation_is_recorded_under_the_role_of_its_setting() {
        assert_eq!(evaluator_role(Setting::Lab), Role::Instructor);
        assert_eq!(evaluator_role(Setting::Externship), Role::Preceptor);
    }
}
