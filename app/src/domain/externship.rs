//! End-of-externship evaluations: the preceptor's evaluation of the student
//! (professional behaviours and overall readiness) and the student's
//! evaluation of the site. Pure: the items, the rating scale and the rules a
//! submission must meet.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::access::{Action, ProgramId, UserId};

/// What the preceptor rates at the end of the externship: the affective
/// side of practice, as a supervising clinician sees it.
pub const STUDENT_ITEMS: [&str; 8] = [
    "Attendance and punctuality",
    "Professional appearance and conduct",
    "Communication with patients, respectful of their culture and needs",
    "Teamwork with providers and staff",
    "Protects patient privacy and confidentiality",
    "Follows infection-control and safety practice",
    "Accepts and acts on feedback",
    "Works within the medical assistant's scope of practice",
];

/// What the student rates about the site, for the program's site reviews.
pub const SITE_ITEMS: [&str; 6] = [
    "Orientation to the site, its safety and emergency procedures",
    "Supervision was available when I needed it",
    "Chances to practise the competencies of my program",
    "Staff treated me as a member of the team",
    "Feedback on my work was timely and useful",
    "I would recommend this site to other students",
];

/// The rating scale, 1 to 4.
pub const RATINGS: [(u8, &str); 4] = [
    (1, "Below expectations"),
    (2, "Approaching expectations"),
    (3, "Meets expectations"),
    (4, "Exceeds expectations"),
];

pub fn rating_label(r: u8) -> &'static str {
    RATINGS.iter().find(|(v, _)| *v == r).map_or("Not rated", |(_, l)| l)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationKind {
    /// The preceptor's evaluation of the student.
    OfStudent,
    /// The student's evaluation of the site.
    OfSite,
}

impl EvaluationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvaluationKind::OfStudent => "of_student",
            EvaluationKind::OfSite => "of_site",
        }
    }

    pub fn parse(s: &str) -> Option<EvaluationKind> {
        [EvaluationKind::OfStudent, EvaluationKind::OfSite].into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            EvaluationKind::OfStudent => "Preceptor's evaluation of the student",
            EvaluationKind::OfSite => "Student's evaluation of the site",
        }
    }

    /// Who writes it: the student's preceptor (who verifies their hours), or
    /// the student.
    pub fn author_action(self, program: ProgramId, student: UserId) -> Action {
        match self {
            EvaluationKind::OfStudent => Action::VerifyHours { program, student },
            EvaluationKind::OfSite => Action::OwnExternship { program, student },
        }
    }

    pub fn items(self) -> &'static [&'static str] {
        match self {
            EvaluationKind::OfStudent => &STUDENT_ITEMS,
            EvaluationKind::OfSite => &SITE_ITEMS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    Ready,
    ReadyWithSupport,
    NotReady,
}

impl Readiness {
    pub const ALL: [Readiness; 3] = [Readiness::Ready, Readiness::ReadyWithSupport, Readiness::NotReady];

    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::ReadyWithSupport => "ready_with_support",
            Readiness::NotReady => "not_ready",
        }
    }

    pub fn parse(s: &str) -> Option<Readiness> {
        Readiness::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Readiness::Ready => "Ready for entry-level practice",
            Readiness::ReadyWithSupport => "Ready, with further support in the areas noted",
            Readiness::NotReady => "Not yet ready for entry-level practice",
        }
    }
}

/// One rated item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatedItem {
    pub item: String,
    pub rating: u8,
    pub comment: String,
}

/// A submission as the form sends it: one rating and comment per item, in
/// the order of [`EvaluationKind::items`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EvaluationForm {
    pub ratings: Vec<u8>,
    pub comments: Vec<String>,
    pub readiness: Option<String>,
    pub overall: String,
}

/// A rule a submission breaks, with the form field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvaluationError {
    pub field: String,
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> EvaluationError {
    EvaluationError { field: field.into(), message: message.into() }
}

pub const MAX_COMMENT_CHARS: usize = 2000;

/// Checks a submission: every item rated 1 to 4; a rating below
/// expectations explains itself; the preceptor states readiness, and "not
/// ready" explains itself.
pub fn check(
    kind: EvaluationKind,
    form: &EvaluationForm,
) -> Result<(Vec<RatedItem>, Option<Readiness>), EvaluationError> {
    let items = kind.items();
    let mut rated = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let rating = form.ratings.get(i).copied().unwrap_or(0);
        if !(1..=4).contains(&rating) {
            return Err(err(format!("rating-{i}"), format!("Rate “{item}”.")));
        }
        let comment = form.comments.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(err(format!("comment-{i}"), "Keep each comment under 2000 characters."));
        }
        if rating == 1 && comment.is_empty() {
            return Err(err(format!("comment-{i}"), "Say what fell below expectations, so it can be worked on."));
        }
        rated.push(RatedItem { item: (*item).to_string(), rating, comment });
    }
    let overall = form.overall.trim();
    if overall.chars().count() > MAX_COMMENT_CHARS {
        return Err(err("overall", "Keep the comments under 2000 characters."));
    }
    let readiness = match kind {
        EvaluationKind::OfSite => None,
        EvaluationKind::OfStudent => {
            let r = form
                .readiness
                .as_deref()
                .and_then(Readiness::parse)
                .ok_or_else(|| err("readiness", "Choose the student's overall readiness."))?;
            if r != Readiness::Ready && overall.is_empty() {
                return Err(err("overall", "Say what further support or practice the student needs."));
            }
            Some(r)
        }
    };
    Ok((rated, readiness))
}

/// Wire form of an optional readiness: its label (what the hours page has
/// always sent), read back by label.
pub mod readiness_label {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Readiness;

    pub fn serialize<S: Serializer>(r: &Option<Readiness>, s: S) -> Result<S::Ok, S::Error> {
        match r {
            Some(r) => s.serialize_some(r.label()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Readiness>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(label) => Readiness::ALL
                .into_iter()
                .find(|r| r.label() == label)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom("unknown readiness")),
        }
    }
}

/// A rule a site or placement breaks, with the form field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SetupError {
    pub field: &'static str,
    pub message: String,
}

fn setup(field: &'static str, message: impl Into<String>) -> SetupError {
    SetupError { field, message: message.into() }
}

pub const MAX_SITE_NAME_CHARS: usize = 200;
pub const MAX_SITE_DETAIL_CHARS: usize = 300;

/// A clinic site as the form sends it (trimmed by [`check_site`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteDraft {
    pub name: String,
    pub address: String,
    pub contact_name: String,
    /// Lower-cased; whether it is plausible is the caller's check.
    pub contact_email: String,
    pub contact_phone: String,
}

/// Checks a site: named (up to 200 characters), details up to 300, every
/// field one line. Returns it trimmed, the e-mail lower-cased.
pub fn check_site(d: &SiteDraft) -> Result<SiteDraft, SetupError> {
    let name = d.name.trim();
    if name.is_empty() || name.chars().count() > MAX_SITE_NAME_CHARS {
        return Err(setup("name", "Name the clinic site (up to 200 characters)."));
    }
    let details = [("address", &d.address), ("contact_name", &d.contact_name), ("contact_phone", &d.contact_phone)];
    for (field, v) in details {
        if v.chars().count() > MAX_SITE_DETAIL_CHARS {
            return Err(setup(field, "Keep this under 300 characters."));
        }
    }
    let one_line = |field: &'static str, v: &str| {
        crate::domain::text::check(v, crate::domain::text::TextKind::SingleLine)
            .map_err(|e| setup(field, e.to_string()))
    };
    one_line("name", name)?;
    for (field, v) in details {
        one_line(field, v)?;
    }
    Ok(SiteDraft {
        name: name.to_string(),
        address: d.address.trim().to_string(),
        contact_name: d.contact_name.trim().to_string(),
        contact_email: d.contact_email.trim().to_lowercase(),
        contact_phone: d.contact_phone.trim().to_string(),
    })
}

/// The longest placement, in days between its first and last day.
pub const MAX_PLACEMENT_DAYS: i64 = 366;

/// A placement ends on or after its first day and lasts at most a year.
pub fn check_placement_dates(start: NaiveDate, end: NaiveDate) -> Result<(), SetupError> {
    if end < start {
        return Err(setup("end", "The placement must end on or after its first day."));
    }
    if (end - start).num_days() > MAX_PLACEMENT_DAYS {
        return Err(setup("end", "A placement lasts at most a year."));
    }
    Ok(())
}

/// A placement's own hours requirement: empty for the program's, otherwise
/// whole hours from 1 to 2000.
pub fn parse_required_hours(raw: &str) -> Result<Option<i32>, SetupError> {
    match raw.trim() {
        "" => Ok(None),
        h => h.parse::<i32>().ok().filter(|h| (1..=2000).contains(h)).map(Some).ok_or_else(|| {
            setup("required_hours", "Enter whole hours between 1 and 2000, or leave empty for the program's.")
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn kinds_have_their_authors_and_labels() {
        assert_eq!(EvaluationKind::parse("of_student"), Some(EvaluationKind::OfStudent));
        assert_eq!(EvaluationKind::parse("of_someone"), None);
        assert_eq!(
            EvaluationKind::OfStudent.author_action(ProgramId(1), UserId(2)),
            Action::VerifyHours { program: ProgramId(1), student: UserId(2) }
        );
        assert_eq!(
            EvaluationKind::OfSite.author_action(ProgramId(1), UserId(2)),
            Action::OwnExternship { program: ProgramId(1), student: UserId(2) }
        );
        assert_eq!(EvaluationKind::OfSite.label(), "Student's evaluation of the site");
    }

    #[test]
    fn a_site_is_named_and_its_details_are_short_single_lines() {
        let good = SiteDraft {
            name: "  Valley Clinic ".into(),
            contact_email: " Front@Valley.example ".into(),
            ..SiteDraft::default()
        };
        let s = check_site(&good).unwrap();
        assert_eq!((s.name.as_str(), s.contact_email.as_str()), ("Valley Clinic", "front@valley.example"));
        assert_eq!(check_site(&SiteDraft { name: " ".into(), ..good.clone() }).unwrap_err().field, "name");
        let long = SiteDraft { address: "x".repeat(MAX_SITE_DETAIL_CHARS + 1), ..good.clone() };
        assert_eq!(check_site(&long).unwrap_err().field, "address");
        let two_lines = SiteDraft { contact_name: "Pat\nLee".into(), ..good };
        assert_eq!(check_site(&two_lines).unwrap_err().field, "contact_name");
    }

    #[test]
    fn a_placement_runs_forward_for_at_most_a_year() {
        assert!(check_placement_dates(day("2026-11-02"), day("2026-11-02")).is_ok());
        assert_eq!(check_placement_dates(day("2026-11-02"), day("2026-11-01")).unwrap_err().field, "end");
        assert!(check_placement_dates(day("2026-01-01"), day("2027-01-02")).is_ok(), "366 days");
        assert!(check_placement_dates(day("2026-01-01"), day("2027-01-03")).is_err());
    }

    #[test]
    fn a_placement_requires_the_programs_hours_or_its_own() {
        assert_eq!(parse_required_hours(" "), Ok(None));
        assert_eq!(parse_required_hours("160"), Ok(Some(160)));
        assert_eq!(parse_required_hours("0").unwrap_err().field, "required_hours");
        assert!(parse_required_hours("2001").is_err() && parse_required_hours("7.5").is_err());
    }

    fn form(ratings: &[u8], readiness: Option<&str>, overall: &str) -> EvaluationForm {
        EvaluationForm {
            ratings: ratings.to_vec(),
            comments: vec![String::new(); ratings.len()],
            readiness: readiness.map(str::to_string),
            overall: overall.into(),
        }
    }

    #[test]
    fn a_complete_evaluation_of_a_student_passes() {
        let (rated, readiness) = check(EvaluationKind::OfStudent, &form(&[3; 8], Some("ready"), "")).unwrap();
        assert_eq!(rated.len(), 8);
        assert_eq!(readiness, Some(Readiness::Ready));
    }

    #[test]
    fn every_item_is_rated_and_low_ratings_explain_themselves() {
        let e = check(EvaluationKind::OfStudent, &form(&[3, 3, 0, 3, 3, 3, 3, 3], Some("ready"), "")).unwrap_err();
        assert_eq!(e.field, "rating-2");
        let e = check(EvaluationKind::OfStudent, &form(&[3, 1, 3, 3, 3, 3, 3, 3], Some("ready"), "")).unwrap_err();
        assert_eq!(e.field, "comment-1");
        let mut f = form(&[3, 1, 3, 3, 3, 3, 3, 3], Some("ready"), "");
        f.comments[1] = "Arrived late twice.".into();
        assert!(check(EvaluationKind::OfStudent, &f).is_ok());
        assert_eq!(check(EvaluationKind::OfSite, &form(&[4; 5], None, "")).unwrap_err().field, "rating-5");
    }

    #[test]
    fn the_preceptor_states_readiness_and_explains_anything_short_of_ready() {
        assert_eq!(check(EvaluationKind::OfStudent, &form(&[3; 8], None, "")).unwrap_err().field, "readiness");
        assert_eq!(
            check(EvaluationKind::OfStudent, &form(&[3; 8], Some("not_ready"), "")).unwrap_err().field,
            "overall"
        );
        assert!(
            check(EvaluationKind::OfStudent, &form(&[3; 8], Some("not_ready"), "Needs more venipuncture practice."))
                .is_ok()
        );
        let (_, readiness) = check(EvaluationKind::OfSite, &form(&[4; 6], Some("ready"), "")).unwrap();
        assert_eq!(readiness, None, "students do not rate their own readiness");
    }
}
