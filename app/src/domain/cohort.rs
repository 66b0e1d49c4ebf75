//! A cohort as a program director reads it: who is at risk and why, and the
//! figures of the accreditation summary with the students behind each gap.
//! Pure: the caller loads the facts (missing competencies, the placement and
//! its hours) and passes today's date. Times are in minutes, as in
//! `hours.rs`; shared with the browser, so only chrono, serde and std.
//!
//! Rules for "at risk", as the program states them to directors:
//! - behind on hours: at least a week into the placement, fewer approved
//!   hours than three quarters of what an even pace would have by now;
//! - competencies missing near the end: the placement ends within two weeks
//!   and required competencies are not complete;
//! - ended incomplete: the placement has ended short of hours or competencies.
//!
//! A student without a placement is not at risk for that alone: students in
//! the lab term have none.

use crate::domain::ids::UserId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Days into a placement before the pace of hours is judged: the first week
/// is orientation and scheduling, and a few days' hours awaiting the
/// preceptor would otherwise make every new student look behind.
pub const GRACE_DAYS: i64 = 7;
/// Percent of the expected hours below which a student is behind. An even
/// pace is a model, not a schedule (sites close for holidays, shifts are
/// uneven), so a quarter of slack keeps the list to students who need a call.
pub const BEHIND_SHARE: i64 = 75;
/// Days before a placement's end when missing competencies are flagged: two
/// weeks leaves time to arrange the evaluations at the site.
pub const NEAR_END_DAYS: i64 = 14;
const QUARTER: i64 = 15;

/// A student's externship placement and its hours, in minutes. Only approved
/// hours count as evidence; pending hours await the preceptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementFacts {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub required_minutes: i64,
    pub approved_minutes: i64,
    pub pending_minutes: i64,
}

/// What the rules need to know about one student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentFacts {
    pub student_id: UserId,
    pub name: String,
    /// Codes of required psychomotor competencies not complete.
    pub psychomotor_missing: Vec<String>,
    /// Codes of required affective competencies not complete.
    pub affective_missing: Vec<String>,
    pub placement: Option<PlacementFacts>,
    /// The program's hours requirement, used when the student has no placement.
    pub program_required_minutes: i64,
}

impl StudentFacts {
    fn missing(&self) -> usize {
        self.psychomotor_missing.len() + self.affective_missing.len()
    }

    /// (approved, required) minutes: the placement's, or none approved
    /// against the program's requirement when the student has no placement.
    pub fn hours(&self) -> (i64, i64) {
        self.placement.as_ref().map_or((0, self.program_required_minutes), |p| (p.approved_minutes, p.required_minutes))
    }

    /// Every required competency complete and the hours reached (the
    /// dashboard's "complete" filter): a program requiring no hours needs no
    /// placement.
    pub fn finished(&self) -> bool {
        let (approved, required) = self.hours();
        self.missing() == 0 && approved >= required
    }

    /// Complete in all three parts, as the accreditation summary's CSV says
    /// "yes": every required competency, and the hours of a placement.
    pub fn all_complete(&self) -> bool {
        self.finished() && self.placement.is_some()
    }
}

/// Which students the dashboard lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StudentFilter {
    All,
    AtRisk,
    Incomplete,
    Complete,
}

impl StudentFilter {
    pub const ALL: [StudentFilter; 4] =
        [StudentFilter::All, StudentFilter::AtRisk, StudentFilter::Incomplete, StudentFilter::Complete];

    pub fn as_str(self) -> &'static str {
        match self {
            StudentFilter::All => "all",
            StudentFilter::AtRisk => "at_risk",
            StudentFilter::Incomplete => "incomplete",
            StudentFilter::Complete => "complete",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StudentFilter::All => "All students",
            StudentFilter::AtRisk => "At risk",
            StudentFilter::Incomplete => "Not yet complete",
            StudentFilter::Complete => "Complete",
        }
    }

    /// A filter named in a link; anything else lists every student.
    pub fn parse(s: &str) -> StudentFilter {
        StudentFilter::ALL.into_iter().find(|f| f.as_str() == s).unwrap_or(StudentFilter::All)
    }

    /// Whether a student at risk (or not), finished (or not) is listed.
    pub fn keeps(self, at_risk: bool, finished: bool) -> bool {
        match self {
            StudentFilter::All => true,
            StudentFilter::AtRisk => at_risk,
            StudentFilter::Incomplete => !finished,
            StudentFilter::Complete => finished,
        }
    }
}

/// A running total: each value is the sum of those up to it.
pub fn cumulative(series: Vec<(String, f64)>) -> Vec<(String, f64)> {
    let mut running = 0.0;
    series
        .into_iter()
        .map(|(k, n)| {
            running += n;
            (k, running)
        })
        .collect()
}

/// Why a student is at risk, with the numbers a director needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RiskReason {
    /// Fewer approved hours than `BEHIND_SHARE` percent of an even pace.
    BehindOnHours {
        approved_minutes: i64,
        pending_minutes: i64,
        expected_minutes: i64,
        elapsed_percent: u8,
        required_minutes: i64,
    },
    /// Required competencies not complete within `NEAR_END_DAYS` of the end.
    CompetenciesMissingNearEnd { missing: usize, days_left: i64, end: NaiveDate },
    /// The placement ended short of hours or competencies.
    EndedIncomplete { end: NaiveDate, approved_minutes: i64, required_minutes: i64, missing: usize },
}

impl RiskReason {
    /// The reason in plain words for a director.
    pub fn message(&self) -> String {
        match self {
            RiskReason::BehindOnHours {
                approved_minutes,
                pending_minutes,
                expected_minutes,
                elapsed_percent,
                required_minutes,
            } => {
                let pending = if *pending_minutes > 0 {
                    format!(" ({} h more awaiting the preceptor)", hours(*pending_minutes))
                } else {
                    String::new()
                };
                format!(
                    "{} of {} h approved{pending}; about {} h expected by now ({elapsed_percent}% of the placement elapsed)",
                    hours(*approved_minutes),
                    hours(*required_minutes),
                    hours(*expected_minutes),
                )
            }
            RiskReason::CompetenciesMissingNearEnd { missing, days_left, end } => {
                let when = match days_left {
                    0 => "today".to_string(),
                    1 => "tomorrow".to_string(),
                    n => format!("in {n} days"),
                };
                format!("{} not complete; the placement ends {when} ({end})", competencies(*missing, "required "))
            }
            RiskReason::EndedIncomplete { end, approved_minutes, required_minutes, missing } => {
                let (approved, required) = (hours(*approved_minutes), hours(*required_minutes));
                let short = approved_minutes < required_minutes;
                match (short, *missing) {
                    (true, 0) => format!("The placement ended on {end} with {approved} of {required} h approved"),
                    (true, n) => format!(
                        "The placement ended on {end} with {approved} of {required} h approved and {} missing",
                        competencies(n, "")
                    ),
                    (false, n) => format!(
                        "The placement ended on {end} with all {required} h approved but {} missing",
                        competencies(n, "")
                    ),
                }
            }
        }
    }
}

/// "1 required competency", "5 required competencies".
fn competencies(n: usize, adjective: &str) -> String {
    format!("{n} {adjective}{}", if n == 1 { "competency" } else { "competencies" })
}

/// Minutes as hours for people: 90 is "1.5", 480 is "8", 75 is "1.25"
/// (other minutes to the nearest hundredth of an hour).
fn hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let hundredths = (minutes.abs() * 100 + 30) / 60;
    let (whole, frac) = (hundredths / 100, hundredths % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// `n` of `of` in whole percent, rounded half up; 0 of 0 is 0. Capped at 100.
pub fn share(n: usize, of: usize) -> u8 {
    if of == 0 {
        return 0;
    }
    let p = (n.min(of) * 200 + of) / (2 * of);
    u8::try_from(p).unwrap_or(100)
}

fn floor_quarter(minutes: i64) -> i64 {
    minutes.div_euclid(QUARTER) * QUARTER
}

fn behind_on_hours(p: &PlacementFacts, today: NaiveDate) -> Option<RiskReason> {
    let (start, end) = (p.start?, p.end?);
    if today < start || today > end {
        return None;
    }
    // Both inclusive: the first day of the placement is one day elapsed.
    let length = (end - start).num_days() + 1;
    let elapsed = ((today - start).num_days() + 1).clamp(0, length);
    if elapsed < GRACE_DAYS {
        return None;
    }
    let expected = floor_quarter(p.required_minutes * elapsed / length);
    if p.approved_minutes * 100 >= expected * BEHIND_SHARE {
        return None;
    }
    let elapsed_share = share(usize::try_from(elapsed).ok()?, usize::try_from(length).ok()?);
    Some(RiskReason::BehindOnHours {
        approved_minutes: p.approved_minutes,
        pending_minutes: p.pending_minutes,
        expected_minutes: expected,
        elapsed_percent: elapsed_share,
        required_minutes: p.required_minutes,
    })
}

/// Why `student` is at risk today, in a stable order (hours, competencies
/// near the end, ended incomplete); empty when not at risk.
pub fn at_risk(student: &StudentFacts, today: NaiveDate) -> Vec<RiskReason> {
    let Some(p) = &student.placement else {
        return Vec::new();
    };
    let missing = student.missing();
    let mut reasons = Vec::new();
    reasons.extend(behind_on_hours(p, today));
    if let Some(end) = p.end {
        let days_left = (end - today).num_days();
        if (0..=NEAR_END_DAYS).contains(&days_left) && missing > 0 {
            reasons.push(RiskReason::CompetenciesMissingNearEnd { missing, days_left, end });
        }
        if today > end && (p.approved_minutes < p.required_minutes || missing > 0) {
            reasons.push(RiskReason::EndedIncomplete {
                end,
                approved_minutes: p.approved_minutes,
                required_minutes: p.required_minutes,
                missing,
            });
        }
    }
    reasons
}

/// The accreditation summary's counts of students complete in each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SummaryFigures {
    pub students: usize,
    pub psychomotor_complete: usize,
    pub affective_complete: usize,
    pub hours_complete: usize,
    pub all_complete: usize,
}

impl SummaryFigures {
    pub fn psychomotor_percent(&self) -> u8 {
        share(self.psychomotor_complete, self.students)
    }

    pub fn affective_percent(&self) -> u8 {
        share(self.affective_complete, self.students)
    }

    pub fn hours_percent(&self) -> u8 {
        share(self.hours_complete, self.students)
    }

    pub fn all_percent(&self) -> u8 {
        share(self.all_complete, self.students)
    }
}

/// A student not complete in every part, with what is missing in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    pub student_id: UserId,
    pub name: String,
    pub reasons: Vec<String>,
}

/// The summary figures, and the exceptions (every student not complete in
/// all three parts) sorted by name. Hours are complete when the placement's
/// approved hours reach its requirement; a student without a placement is
/// not complete.
pub fn summarize(students: &[StudentFacts]) -> (SummaryFigures, Vec<Exception>) {
    let mut figures = SummaryFigures { students: students.len(), ..SummaryFigures::default() };
    let mut exceptions = Vec::new();
    for s in students {
        let mut reasons = Vec::new();
        let psychomotor = s.psychomotor_missing.is_empty();
        if !psychomotor {
            reasons.push(format!("Psychomotor: {} not complete", s.psychomotor_missing.join(", ")));
        }
        let affective = s.affective_missing.is_empty();
        if !affective {
            reasons.push(format!("Affective: {} not complete", s.affective_missing.join(", ")));
        }
        let hours_done = match &s.placement {
            Some(p) if p.approved_minutes >= p.required_minutes => true,
            Some(p) => {
                reasons.push(format!(
                    "Externship hours: {} of {} h approved",
                    hours(p.approved_minutes),
                    hours(p.required_minutes)
                ));
                false
            }
            None if s.program_required_minutes > 0 => {
                reasons.push(format!("No externship placement ({} h required)", hours(s.program_required_minutes)));
                false
            }
            None => {
                reasons.push("No externship placement".to_string());
                false
            }
        };
        figures.psychomotor_complete += usize::from(psychomotor);
        figures.affective_complete += usize::from(affective);
        figures.hours_complete += usize::from(hours_done);
        if reasons.is_empty() {
            figures.all_complete += 1;
        } else {
            exceptions.push(Exception { student_id: s.student_id, name: s.name.clone(), reasons });
        }
    }
    exceptions.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.name.cmp(&b.name))
            .then(a.student_id.cmp(&b.student_id))
    });
    (figures, exceptions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn codes(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }
    /// A 40-day placement from 2026-11-02 to 2026-12-11 requiring 160 h.
    fn placement(approved_hours: f64) -> PlacementFacts {
        PlacementFacts {
            start: Some(d("2026-11-02")),
            end: Some(d("2026-12-11")),
            required_minutes: 160 * 60,
            approved_minutes: (approved_hours * 60.0) as i64,
            pending_minutes: 0,
        }
    }
    fn student(
        id: i64,
        name: &str,
        psychomotor: &[&str],
        affective: &[&str],
        placement: Option<PlacementFacts>,
    ) -> StudentFacts {
        StudentFacts {
            student_id: UserId(id),
            name: name.into(),
            psychomotor_missing: codes(psychomotor),
            affective_missing: codes(affective),
            placement,
            program_required_minutes: 160 * 60,
        }
    }
    fn on_track(p: PlacementFacts) -> StudentFacts {
        student(1, "Ada Osei", &[], &[], Some(p))
    }

    #[test]
    fn hours_read_as_people_write_them() {
        assert_eq!(hours(90), "1.5");
        assert_eq!(hours(480), "8");
        assert_eq!(hours(75), "1.25");
        assert_eq!(hours(45), "0.75");
        assert_eq!(hours(0), "0");
        assert_eq!(hours(50), "0.83");
        assert_eq!(hours(9600), "160");
    }

    #[test]
    fn share_is_whole_percent_rounded_half_up() {
        assert_eq!(share(4, 6), 67);
        assert_eq!(share(1, 8), 13, "12.5 rounds up");
        assert_eq!(share(1, 3), 33);
        assert_eq!(share(6, 6), 100);
        assert_eq!(share(0, 0), 0);
        assert_eq!(share(0, 5), 0);
    }

    #[test]
    fn hours_are_judged_only_after_the_grace_days() {
        // Nothing approved: day 6 is still grace, day 7 is behind.
        let s = on_track(placement(0.0));
        assert_eq!(at_risk(&s, d("2026-11-07")), vec![]);
        let reasons = at_risk(&s, d("2026-11-08"));
        assert_eq!(
            reasons,
            vec![RiskReason::BehindOnHours {
                approved_minutes: 0,
                pending_minutes: 0,
                expected_minutes: 9600 * 7 / 40,
                elapsed_percent: 18,
                required_minutes: 9600,
            }]
        );
    }

    #[test]
    fn behind_means_below_three_quarters_of_an_even_pace() {
        // Day 20 of 40: 80 h expected; 75% of that is 60 h.
        let today = d("2026-11-21");
        assert_eq!(at_risk(&on_track(placement(60.0)), today), vec![], "75% is not behind");
        assert_eq!(at_risk(&on_track(placement(59.2)), today).len(), 1, "74% is behind");
        let mut p = placement(32.0);
        p.pending_minutes = 8 * 60;
        let reasons = at_risk(&on_track(p), today);
        assert_eq!(
            reasons[0].message(),
            "32 of 160 h approved (8 h more awaiting the preceptor); about 80 h expected by now (50% of the placement elapsed)"
        );
    }

    #[test]
    fn pending_hours_do_not_count() {
        let today = d("2026-11-21");
        let mut p = placement(10.0);
        p.pending_minutes = 100 * 60;
        assert!(matches!(at_risk(&on_track(p), today)[..], [RiskReason::BehindOnHours { approved_minutes: 600, .. }]));
    }

    #[test]
    fn expected_hours_round_down_to_a_quarter_hour() {
        // A 30-day placement: day 7 is 9600 * 7 / 30 = 2240 min, shown as 37.25 h.
        let mut p = placement(0.0);
        p.end = Some(d("2026-12-01"));
        let reasons = at_risk(&on_track(p), d("2026-11-08"));
        assert!(matches!(reasons[..], [RiskReason::BehindOnHours { expected_minutes: 2235, elapsed_percent: 23, .. }]));
        assert!(reasons[0].message().contains("about 37.25 h expected"), "{}", reasons[0].message());
    }

    #[test]
    fn hours_need_both_dates_and_a_running_placement() {
        let mut p = placement(0.0);
        p.start = None;
        assert_eq!(at_risk(&on_track(p), d("2026-11-21")), vec![]);
        assert_eq!(at_risk(&on_track(placement(0.0)), d("2026-11-01")), vec![], "not started");
        // On the last day the whole requirement is expected.
        let last = at_risk(&on_track(placement(119.0)), d("2026-12-11"));
        assert!(matches!(last[..], [RiskReason::BehindOnHours { expected_minutes: 9600, elapsed_percent: 100, .. }]));
        assert_eq!(at_risk(&on_track(placement(120.0)), d("2026-12-11")), vec![]);
    }

    #[test]
    fn competencies_are_flagged_within_two_weeks_of_the_end() {
        let s = student(2, "Ben Ruiz", &["I.P.2.b", "III.P.7"], &["A.1"], Some(placement(160.0)));
        assert_eq!(at_risk(&s, d("2026-11-26")), vec![], "15 days left");
        let reasons = at_risk(&s, d("2026-11-27"));
        assert_eq!(
            reasons,
            vec![RiskReason::CompetenciesMissingNearEnd { missing: 3, days_left: 14, end: d("2026-12-11") }]
        );
        assert_eq!(
            reasons[0].message(),
            "3 required competencies not complete; the placement ends in 14 days (2026-12-11)"
        );
        let last_day = at_risk(&s, d("2026-12-11"));
        assert_eq!(
            last_day[0].message(),
            "3 required competencies not complete; the placement ends today (2026-12-11)"
        );
        let one = student(3, "Cy", &[], &["A.1"], Some(placement(160.0)));
        assert_eq!(
            at_risk(&one, d("2026-12-10"))[0].message(),
            "1 required competency not complete; the placement ends tomorrow (2026-12-11)"
        );
        assert_eq!(at_risk(&on_track(placement(160.0)), d("2026-12-01")), vec![], "nothing missing");
    }

    #[test]
    fn a_placement_that_ended_yesterday_incomplete_is_flagged() {
        let yesterday_end = d("2026-12-12");
        let both = student(4, "Dee", &["I.P.2.b", "III.P.7"], &[], Some(placement(120.0)));
        let reasons = at_risk(&both, yesterday_end);
        assert_eq!(
            reasons,
            vec![RiskReason::EndedIncomplete {
                end: d("2026-12-11"),
                approved_minutes: 7200,
                required_minutes: 9600,
                missing: 2
            }]
        );
        assert_eq!(
            reasons[0].message(),
            "The placement ended on 2026-12-11 with 120 of 160 h approved and 2 competencies missing"
        );
        let hours_only = at_risk(&on_track(placement(120.0)), yesterday_end);
        assert_eq!(hours_only[0].message(), "The placement ended on 2026-12-11 with 120 of 160 h approved");
        let comps_only = at_risk(&student(5, "Eve", &[], &["A.1"], Some(placement(170.0))), yesterday_end);
        assert_eq!(
            comps_only[0].message(),
            "The placement ended on 2026-12-11 with all 160 h approved but 1 competency missing"
        );
        assert_eq!(at_risk(&on_track(placement(160.0)), yesterday_end), vec![], "ended complete");
    }

    #[test]
    fn reasons_come_in_a_stable_order() {
        // Day 33 of 40, 7 days left: behind on hours and competencies missing.
        let s = student(6, "Fay", &["I.P.2.b"], &[], Some(placement(10.0)));
        let reasons = at_risk(&s, d("2026-12-04"));
        assert!(matches!(
            reasons[..],
            [RiskReason::BehindOnHours { .. }, RiskReason::CompetenciesMissingNearEnd { missing: 1, days_left: 7, .. }]
        ));
    }

    #[test]
    fn no_placement_is_not_a_risk_by_itself() {
        let s = student(7, "Gus", &["I.P.2.b"], &["A.1"], None);
        assert_eq!(at_risk(&s, d("2026-11-21")), vec![]);
    }

    #[test]
    fn summary_counts_each_part_and_lists_the_exceptions_by_name() {
        let students = vec![
            student(1, "Zoe Adams", &[], &[], Some(placement(160.0))),
            student(2, "Ben Ruiz", &["I.P.2.b", "III.P.7"], &[], Some(placement(160.0))),
            student(3, "ada Osei", &[], &["A.1"], Some(placement(120.0))),
            student(4, "Cy Park", &[], &[], Some(placement(200.0))),
            student(5, "Dee Kim", &[], &[], None),
            student(6, "Eve Long", &[], &[], Some(placement(160.0))),
        ];
        let (f, exceptions) = summarize(&students);
        assert_eq!(
            f,
            SummaryFigures {
                students: 6,
                psychomotor_complete: 5,
                affective_complete: 5,
                hours_complete: 4,
                all_complete: 3
            }
        );
        assert_eq!(
            (f.psychomotor_percent(), f.affective_percent(), f.hours_percent(), f.all_percent()),
            (83, 83, 67, 50)
        );
        let names: Vec<&str> = exceptions.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["ada Osei", "Ben Ruiz", "Dee Kim"]);
        assert_eq!(exceptions[0].reasons, ["Affective: A.1 not complete", "Externship hours: 120 of 160 h approved"]);
        assert_eq!(exceptions[1].reasons, ["Psychomotor: I.P.2.b, III.P.7 not complete"]);
        assert_eq!(exceptions[2].reasons, ["No externship placement (160 h required)"]);
        assert_eq!(exceptions[2].student_id, UserId(5));
    }

    #[test]
    fn an_empty_cohort_summarizes_to_zero() {
        let (f, exceptions) = summarize(&[]);
        assert_eq!(f, SummaryFigures::default());
        assert_eq!(f.all_percent(), 0);
        assert!(exceptions.is_empty());
    }

    fn facts(missing: &[&str], placement: Option<(i64, i64)>, program_required: i64) -> StudentFacts {
        StudentFacts {
            student_id: UserId(1),
            name: "A".into(),
            psychomotor_missing: codes(missing),
            affective_missing: Vec::new(),
            placement: placement.map(|(approved, required)| PlacementFacts {
                start: None,
                end: None,
                required_minutes: required,
                approved_minutes: approved,
                pending_minutes: 0,
            }),
            program_required_minutes: program_required,
        }
    }

    #[test]
    fn finished_needs_every_competency_and_the_hours() {
        assert!(facts(&[], Some((600, 600)), 600).finished());
        assert!(!facts(&["P1"], Some((600, 600)), 600).finished());
        assert!(!facts(&[], Some((599, 600)), 600).finished());
        // Without a placement, the program's requirement stands, none approved.
        assert_eq!(facts(&[], None, 600).hours(), (0, 600));
        assert!(!facts(&[], None, 600).finished());
        assert!(facts(&[], None, 0).finished());
    }

    #[test]
    fn all_complete_also_needs_a_placement() {
        assert!(facts(&[], Some((600, 600)), 600).all_complete());
        assert!(!facts(&[], None, 0).all_complete());
        assert!(!facts(&["P1"], Some((600, 600)), 600).all_complete());
    }

    #[test]
    fn filters_keep_their_students() {
        for f in StudentFilter::ALL {
            assert_eq!(StudentFilter::parse(f.as_str()), f);
        }
        assert_eq!(StudentFilter::parse("nonsense"), StudentFilter::All);
        assert!(StudentFilter::All.keeps(false, false));
        assert!(StudentFilter::AtRisk.keeps(true, true) && !StudentFilter::AtRisk.keeps(false, false));
        assert!(StudentFilter::Incomplete.keeps(false, false) && !StudentFilter::Incomplete.keeps(true, true));
        assert!(StudentFilter::Complete.keeps(false, true) && !StudentFilter::Complete.keeps(true, false));
    }

    #[test]
    fn cumulative_adds_up() {
        let s = vec![("a".to_string(), 1.0), ("b".to_string(), 0.0), ("c".to_string(), 2.5)];
        assert_eq!(cumulative(s), vec![("a".into(), 1.0), ("b".into(), 1.0), ("c".into(), 3.5)]);
        assert!(cumulative(Vec::new()).is_empty());
    }
}
