//! The competency framework as the rules see it: what a competency is, what
//! a program requires of each, and where a student stands on it.
//!
//! Loaded from `content/competencies/framework.toml` by `crate::content`;
//! a program may override the requirement per competency (stored, see
//! `storage::evaluations`). Pure: no I/O.

use serde::{Deserialize, Serialize};

use super::checklist::ChecklistStep;

/// The accreditor's three domains. Cognitive competencies are assessed by
/// tests, not checklists; psychomotor and affective ones are signed off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompetencyDomain {
    Cognitive,
    Psychomotor,
    Affective,
}

impl CompetencyDomain {
    pub fn as_str(self) -> &'static str {
        match self {
            CompetencyDomain::Cognitive => "cognitive",
            CompetencyDomain::Psychomotor => "psychomotor",
            CompetencyDomain::Affective => "affective",
        }
    }

    pub fn parse(s: &str) -> Option<CompetencyDomain> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cognitive" => Some(CompetencyDomain::Cognitive),
            "psychomotor" => Some(CompetencyDomain::Psychomotor),
            "affective" => Some(CompetencyDomain::Affective),
            _ => None,
        }
    }

    /// Psychomotor and affective competencies are signed off by an evaluator
    /// and appear on the Master Competency Checklist.
    pub fn is_signed_off(self) -> bool {
        self != CompetencyDomain::Cognitive
    }
}

/// Where an attempt was observed. The setting decides who evaluates it: the
/// program's instructors in the campus lab, the student's assigned preceptor
/// at the externship site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    Lab,
    Externship,
}

impl Setting {
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Lab => "lab",
            Setting::Externship => "externship",
        }
    }

    pub fn parse(s: &str) -> Option<Setting> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lab" => Some(Setting::Lab),
            "externship" => Some(Setting::Externship),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Setting::Lab => "Campus lab",
            Setting::Externship => "Externship",
        }
    }
}

/// Which settings' successful attempts count toward a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequiredSetting {
    Lab,
    Externship,
    Either,
}

impl RequiredSetting {
    pub fn as_str(self) -> &'static str {
        match self {
            RequiredSetting::Lab => "lab",
            RequiredSetting::Externship => "externship",
            RequiredSetting::Either => "either",
        }
    }

    pub fn parse(s: &str) -> Option<RequiredSetting> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lab" => Some(RequiredSetting::Lab),
            "externship" => Some(RequiredSetting::Externship),
            "either" => Some(RequiredSetting::Either),
            _ => None,
        }
    }

    pub fn allows(self, setting: Setting) -> bool {
        matches!(
            (self, setting),
            (RequiredSetting::Either, _)
                | (RequiredSetting::Lab, Setting::Lab)
                | (RequiredSetting::Externship, Setting::Externship)
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            RequiredSetting::Lab => "campus lab",
            RequiredSetting::Externship => "externship",
            RequiredSetting::Either => "lab or externship",
        }
    }
}

/// What a program asks of a student on one competency: this many successful
/// attempts, observed in these settings. Some states ask for a number of
/// successful venipunctures or injections, so programs set their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub attempts: u8,
    pub setting: RequiredSetting,
}

impl Requirement {
    /// Most accreditor lists ask for one successful, observed attempt.
    pub const DEFAULT: Requirement = Requirement { attempts: 1, setting: RequiredSetting::Either };

    /// The bounds a requirement must respect, with the message for a form.
    pub fn validate(attempts: i64) -> Result<u8, &'static str> {
        if (1..=50).contains(&attempts) {
            Ok(attempts as u8)
        } else {
            Err("Successful attempts must be a whole number from 1 to 50.")
        }
    }
}

/// One competency, as the content file defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competency {
    /// In the accreditor's numbering style: `I.P.2.b`, `A.1`.
    pub code: String,
    pub title: String,
    pub domain: CompetencyDomain,
    /// Slugs of the modules that teach it.
    pub modules: Vec<String>,
    /// Psychomotor: the procedure checklist. Affective: the behaviours rated
    /// (none is critical; every one must meet expectation).
    pub steps: Vec<ChecklistStep>,
    /// Psychomotor: the share of steps (percent) an attempt must reach,
    /// besides every critical step.
    pub pass_percent: u8,
    /// The framework's default requirement (a program may override it).
    pub requirement: Requirement,
    /// sha256 over the fields above that change what a sign-off means (code,
    /// title, domain, steps, pass percent): the checklist version each
    /// evaluation records.
    pub version: String,
    /// The sources the checklist was written from.
    #[serde(default)]
    pub references: Vec<String>,
    /// Competencies of other editions that are the same skill, as
    /// `edition:code` (`domain::edition`): their records count toward this one.
    #[serde(default)]
    pub same_as: Vec<String>,
}

/// Where a student stands on one competency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CompetencyStatus {
    NotStarted,
    Attempted,
    PassedInLab,
    PassedAtExternship,
    Complete,
}

impl CompetencyStatus {
    pub fn label(self) -> &'static str {
        match self {
            CompetencyStatus::NotStarted => "Not started",
            CompetencyStatus::Attempted => "Attempted",
            CompetencyStatus::PassedInLab => "Passed in lab",
            CompetencyStatus::PassedAtExternship => "Passed at externship",
            CompetencyStatus::Complete => "Complete",
        }
    }

    /// The CSS modifier for a status badge (`style/`).
    pub fn css(self) -> &'static str {
        match self {
            CompetencyStatus::NotStarted => "status-none",
            CompetencyStatus::Attempted => "status-attempted",
            CompetencyStatus::PassedInLab | CompetencyStatus::PassedAtExternship => "status-partial",
            CompetencyStatus::Complete => "status-complete",
        }
    }
}

/// The facts of one stored evaluation that status depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptFact {
    pub setting: Setting,
    pub passed: bool,
    /// Voided by a later correction: it no longer counts, either way.
    pub voided: bool,
}

/// A student's standing on one competency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub status: CompetencyStatus,
    /// Successful attempts that count toward the requirement.
    pub counted_passes: u8,
    pub required_passes: u8,
    /// Attempts still standing (not voided), passed or not.
    pub attempts: u32,
}

impl Standing {
    pub fn remaining(&self) -> u8 {
        self.required_passes.saturating_sub(self.counted_passes)
    }
}

/// Standing (not voided) attempts on one competency, counted per setting:
/// all that status depends on. The dashboard reads these counts, kept at
/// write time, instead of the records themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub lab: SettingTally,
    pub externship: SettingTally,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingTally {
    pub attempts: u32,
    pub passes: u32,
}

impl Tally {
    pub fn of(attempts: &[AttemptFact]) -> Tally {
        let mut t = Tally::default();
        for a in attempts.iter().filter(|a| !a.voided) {
            t.add(a.setting, 1, u32::from(a.passed));
        }
        t
    }

    pub fn add(&mut self, setting: Setting, attempts: u32, passes: u32) {
        let s = self.setting_mut(setting);
        s.attempts = s.attempts.saturating_add(attempts);
        s.passes = s.passes.saturating_add(passes);
    }

    pub fn setting(&self, setting: Setting) -> SettingTally {
        match setting {
            Setting::Lab => self.lab,
            Setting::Externship => self.externship,
        }
    }

    fn setting_mut(&mut self, setting: Setting) -> &mut SettingTally {
        match setting {
            Setting::Lab => &mut self.lab,
            Setting::Externship => &mut self.externship,
        }
    }
}

/// The requirement in force for a competency: the program's own, if it set
/// one, or the framework's.
pub fn requirement_of(c: &Competency, program_overrides: &[(String, Requirement)]) -> Requirement {
    program_overrides.iter().find(|(code, _)| *code == c.code).map_or(c.requirement, |(_, r)| *r)
}

/// The most sign-off requests a student may have open at once in a program
/// (each one e-mails a preceptor, so the cap also bounds the mail a student
/// can cause).
pub const MAX_OPEN_REQUESTS: usize = 10;

/// Whether a student with `open` requests already open may open another.
/// Asking again for a competency already requested opens nothing, so it is
/// not this rule's business.
pub fn may_open_request(open: usize) -> bool {
    open < MAX_OPEN_REQUESTS
}

/// Applies a requirement to a student's attempts. Voided attempts are
/// ignored; passes in a setting the requirement does not accept show as
/// "passed in lab/at externship" but do not complete it.
pub fn standing(requirement: Requirement, attempts: &[AttemptFact]) -> Standing {
    standing_of(requirement, Tally::of(attempts))
}

/// [`standing`] from counts.
pub fn standing_of(requirement: Requirement, tally: Tally) -> Standing {
    let counted: u32 = [Setting::Lab, Setting::Externship]
        .into_iter()
        .filter(|s| requirement.setting.allows(*s))
        .map(|s| tally.setting(s).passes)
        .sum();
    let counted_passes = u8::try_from(counted).unwrap_or(u8::MAX);
    let status = if counted_passes >= requirement.attempts {
        CompetencyStatus::Complete
    } else if tally.externship.passes > 0 {
        CompetencyStatus::PassedAtExternship
    } else if tally.lab.passes > 0 {
        CompetencyStatus::PassedInLab
    } else if tally.lab.attempts + tally.externship.attempts > 0 {
        CompetencyStatus::Attempted
    } else {
        CompetencyStatus::NotStarted
    };
    Standing {
        status,
        counted_passes,
        required_passes: requirement.attempts,
        attempts: tally.lab.attempts.saturating_add(tally.externship.attempts),
    }
}

/// The attempt (an index into `attempts`, in the order given: oldest
/// first) whose pass completed the requirement, if it is complete: the date,
/// setting and evaluator the Master Competency Checklist shows.
pub fn completing_attempt(requirement: Requirement, attempts: &[AttemptFact]) -> Option<usize> {
    let mut counted = 0u8;
    for (i, a) in attempts.iter().enumerate() {
        if !a.voided && a.passed && requirement.setting.allows(a.setting) {
            counted += 1;
            if counted >= requirement.attempts {
                return Some(i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_completing_attempt_is_the_pass_that_reached_the_count() {
        let req = Requirement { attempts: 2, setting: RequiredSetting::Externship };
        let voided = AttemptFact { setting: Setting::Externship, passed: true, voided: true };
        let attempts = [
            a(Setting::Externship, true),
            a(Setting::Lab, true),
            voided,
            a(Setting::Externship, false),
            a(Setting::Externship, true),
        ];
        assert_eq!(completing_attempt(req, &attempts), Some(4));
        assert_eq!(completing_attempt(req, &attempts[..4]), None);
        assert_eq!(completing_attempt(Requirement::DEFAULT, &[a(Setting::Lab, false), a(Setting::Lab, true)]), Some(1));
    }

    fn a(setting: Setting, passed: bool) -> AttemptFact {
        AttemptFact { setting, passed, voided: false }
    }

    #[test]
    fn nothing_recorded_is_not_started() {
        let s = standing(Requirement::DEFAULT, &[]);
        assert_eq!(s.status, CompetencyStatus::NotStarted);
        assert_eq!(s.remaining(), 1);
    }

    #[test]
    fn a_failed_attempt_is_attempted() {
        let s = standing(Requirement::DEFAULT, &[a(Setting::Lab, false)]);
        assert_eq!(s.status, CompetencyStatus::Attempted);
        assert_eq!(s.attempts, 1);
    }

    #[test]
    fn one_pass_anywhere_completes_the_default_requirement() {
        assert_eq!(standing(Requirement::DEFAULT, &[a(Setting::Lab, true)]).status, CompetencyStatus::Complete);
        assert_eq!(standing(Requirement::DEFAULT, &[a(Setting::Externship, true)]).status, CompetencyStatus::Complete);
    }

    #[test]
    fn counts_are_per_setting() {
        // A state asking for 3 successful venipunctures at the externship.
        let req = Requirement { attempts: 3, setting: RequiredSetting::Externship };
        let lab_only = standing(req, &[a(Setting::Lab, true), a(Setting::Lab, true), a(Setting::Lab, true)]);
        assert_eq!(
            lab_only.status,
            CompetencyStatus::PassedInLab,
            "lab passes do not count toward an externship requirement"
        );
        assert_eq!(lab_only.counted_passes, 0);
        let two =
            standing(req, &[a(Setting::Externship, true), a(Setting::Externship, false), a(Setting::Externship, true)]);
        assert_eq!(two.status, CompetencyStatus::PassedAtExternship);
        assert_eq!(two.remaining(), 1);
        let three =
            standing(req, &[a(Setting::Externship, true), a(Setting::Externship, true), a(Setting::Externship, true)]);
        assert_eq!(three.status, CompetencyStatus::Complete);
        assert_eq!(three.remaining(), 0);
    }

    #[test]
    fn either_setting_adds_up_both() {
        let req = Requirement { attempts: 2, setting: RequiredSetting::Either };
        assert_eq!(
            standing(req, &[a(Setting::Lab, true), a(Setting::Externship, true)]).status,
            CompetencyStatus::Complete
        );
        assert_eq!(standing(req, &[a(Setting::Lab, true)]).status, CompetencyStatus::PassedInLab);
    }

    #[test]
    fn a_voided_pass_no_longer_counts() {
        let voided = AttemptFact { setting: Setting::Lab, passed: true, voided: true };
        let s = standing(Requirement::DEFAULT, &[voided]);
        assert_eq!(s.status, CompetencyStatus::NotStarted);
        assert_eq!(s.attempts, 0);
        let s = standing(Requirement::DEFAULT, &[voided, a(Setting::Lab, false)]);
        assert_eq!(s.status, CompetencyStatus::Attempted);
    }

    /// The rule read record by record, as a surveyor would apply it to the
    /// paper checklist: the reference the counting version must agree with.
    fn by_the_records(req: Requirement, attempts: &[AttemptFact]) -> CompetencyStatus {
        let live: Vec<&AttemptFact> = attempts.iter().filter(|a| !a.voided).collect();
        let counted = live.iter().filter(|a| a.passed && req.setting.allows(a.setting)).count();
        let passed_in = |s: Setting| live.iter().any(|a| a.passed && a.setting == s);
        if counted >= usize::from(req.attempts) {
            CompetencyStatus::Complete
        } else if passed_in(Setting::Externship) {
            CompetencyStatus::PassedAtExternship
        } else if passed_in(Setting::Lab) {
            CompetencyStatus::PassedInLab
        } else if !live.is_empty() {
            CompetencyStatus::Attempted
        } else {
            CompetencyStatus::NotStarted
        }
    }

    #[test]
    fn counts_give_the_standing_the_records_give() {
        // Every sequence of up to three attempts (setting, passed, voided),
        // under every requirement up to three passes in every setting.
        let kinds: Vec<AttemptFact> = [Setting::Lab, Setting::Externship]
            .into_iter()
            .flat_map(|setting| {
                [(false, false), (true, false), (false, true), (true, true)].map(|(passed, voided)| AttemptFact {
                    setting,
                    passed,
                    voided,
                })
            })
            .collect();
        let mut checked = 0;
        for len in 0..=3u32 {
            for code in 0..kinds.len().pow(len) {
                let mix: Vec<AttemptFact> = (0..len).map(|i| kinds[code / kinds.len().pow(i) % kinds.len()]).collect();
                for setting in [RequiredSetting::Lab, RequiredSetting::Externship, RequiredSetting::Either] {
                    for n in 1..=3 {
                        let req = Requirement { attempts: n, setting };
                        let st = standing(req, &mix);
                        assert_eq!(st.status, by_the_records(req, &mix), "{req:?} {mix:?}");
                        assert_eq!(st.attempts as usize, mix.iter().filter(|a| !a.voided).count());
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, (1 + 8 + 64 + 512) * 9);
    }

    #[test]
    fn the_programs_own_requirement_wins_over_the_frameworks() {
        let c = Competency {
            code: "I.P.2.b".into(),
            title: "Perform venipuncture".into(),
            domain: CompetencyDomain::Psychomotor,
            modules: vec![],
            steps: vec![],
            pass_percent: 100,
            requirement: Requirement { attempts: 1, setting: RequiredSetting::Lab },
            version: String::new(),
            references: vec![],
            same_as: vec![],
        };
        assert_eq!(requirement_of(&c, &[]), c.requirement);
        let own = Requirement { attempts: 3, setting: RequiredSetting::Externship };
        let overrides = vec![("I.P.2.a".to_string(), Requirement::DEFAULT), ("I.P.2.b".to_string(), own)];
        assert_eq!(requirement_of(&c, &overrides), own);
        assert_eq!(requirement_of(&c, &overrides[..1]), c.requirement);
    }

    #[test]
    fn requirement_bounds() {
        assert_eq!(Requirement::validate(3), Ok(3));
        assert!(Requirement::validate(0).is_err());
        assert!(Requirement::validate(51).is_err());
        assert!(Requirement::validate(-1).is_err());
    }

    #[test]
    fn names_round_trip() {
        for s in [Setting::Lab, Setting::Externship] {
            assert_eq!(Setting::parse(s.as_str()), Some(s));
        }
        for s in [RequiredSetting::Lab, RequiredSetting::Externship, RequiredSetting::Either] {
            assert_eq!(RequiredSetting::parse(s.as_str()), Some(s));
        }
        for d in [CompetencyDomain::Cognitive, CompetencyDomain::Psychomotor, CompetencyDomain::Affective] {
            assert_eq!(CompetencyDomain::parse(d.as_str()), Some(d));
        }
        assert_eq!(Setting::parse("clinic"), None);
    }

    #[test]
    fn a_student_may_hold_ten_open_requests() {
        assert!(may_open_request(0));
        assert!(may_open_request(MAX_OPEN_REQUESTS - 1));
        assert!(!may_open_request(MAX_OPEN_REQUESTS));
    }
}
