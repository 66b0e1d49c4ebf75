//! Externship hours: the rules an hours entry must meet before a preceptor
//! sees it, and the totals a student, preceptor and director read. Pure: the
//! caller passes today's date, the placement's dates and the student's other
//! entries. (Groundwork for the externship issue; storage and pages build on it.)
//!
//! Rules, as the program states them to students:
//! - an entry is for one day, not in the future, within the placement's dates;
//! - it gives a start and end time, or a duration, in quarter hours;
//! - it does not overlap another entry's times that day;
//! - a day holds at most 24 hours in all;
//! - it says what was done.

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// The longest activities text kept.
pub const MAX_ACTIVITIES_CHARS: usize = 2000;
const QUARTER: i64 = 15;
const DAY_MINUTES: i64 = 24 * 60;

/// When an entry's time was spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// From start to end on the entry's date (no overnight: split a night
    /// shift at midnight into two entries).
    Times { start: NaiveTime, end: NaiveTime },
    /// A duration without times.
    Minutes(i64),
}

impl Span {
    pub fn minutes(self) -> i64 {
        match self {
            Span::Times { start, end } => (end - start).num_minutes(),
            Span::Minutes(m) => m,
        }
    }
}

/// An entry as a student submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursDraft {
    pub date: NaiveDate,
    pub span: Span,
    pub activities: String,
}

/// Another entry of the same student that counts against this one
/// (pending or approved; returned and voided entries do not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtherEntry {
    pub date: NaiveDate,
    pub span: Span,
}

/// A placement's dates, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlacementDates {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Why an entry is refused; `field` names the form input it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("Hours cannot be logged for a day that has not happened yet.")]
    FutureDate,
    #[error("The placement runs from {start} to {end}; choose a day within it.")]
    OutsidePlacement { start: NaiveDate, end: NaiveDate },
    #[error("The end time must be after the start time. Split a shift that passes midnight into two entries.")]
    EndNotAfterStart,
    #[error("Log time in quarter hours (15, 30 or 45 minutes past the hour; durations in steps of 15 minutes).")]
    NotQuarterHours,
    #[error("Enter the time spent.")]
    NoTime,
    #[error("This overlaps your entry from {} to {} that day.", start.format("%H:%M"), end.format("%H:%M"))]
    Overlaps { start: NaiveTime, end: NaiveTime },
    #[error("That day would hold {total_hours} hours; a day holds at most 24.")]
    DayOverFull { total_hours: String },
    #[error("Say what you did (up to 2000 characters).")]
    Activities,
}

impl HoursError {
    pub fn field(&self) -> &'static str {
        match self {
            HoursError::FutureDate | HoursError::OutsidePlacement { .. } | HoursError::DayOverFull { .. } => "date",
            HoursError::EndNotAfterStart | HoursError::Overlaps { .. } => "end",
            HoursError::NotQuarterHours | HoursError::NoTime => "minutes",
            HoursError::Activities => "activities",
        }
    }
}

fn on_quarter(t: NaiveTime) -> bool {
    use chrono::Timelike;
    t.second() == 0 && t.nanosecond() == 0 && i64::from(t.minute()) % QUARTER == 0
}

/// Checks a draft against the rules; returns its length in minutes.
pub fn check(
    draft: &HoursDraft,
    today: NaiveDate,
    placement: PlacementDates,
    others: &[OtherEntry],
) -> Result<i64, HoursError> {
    if draft.date > today {
        return Err(HoursError::FutureDate);
    }
    if draft.date < placement.start || draft.date > placement.end {
        return Err(HoursError::OutsidePlacement { start: placement.start, end: placement.end });
    }
    let minutes = match draft.span {
        Span::Times { start, end } => {
            if !on_quarter(start) || !on_quarter(end) {
                return Err(HoursError::NotQuarterHours);
            }
            if end <= start {
                return Err(HoursError::EndNotAfterStart);
            }
            (end - start).num_minutes()
        }
        Span::Minutes(m) if m <= 0 => return Err(HoursError::NoTime),
        Span::Minutes(m) if m % QUARTER != 0 => return Err(HoursError::NotQuarterHours),
        Span::Minutes(m) => m,
    };
    let activities = draft.activities.trim();
    if activities.is_empty() || activities.chars().count() > MAX_ACTIVITIES_CHARS {
        return Err(HoursError::Activities);
    }
    let same_day: Vec<&OtherEntry> = others.iter().filter(|o| o.date == draft.date).collect();
    if let Span::Times { start, end } = draft.span {
        for o in &same_day {
            if let Span::Times { start: s, end: e } = o.span
                && start < e
                && s < end
            {
                return Err(HoursError::Overlaps { start: s, end: e });
            }
        }
    }
    let total = minutes + same_day.iter().map(|o| o.span.minutes()).sum::<i64>();
    if total > DAY_MINUTES {
        return Err(HoursError::DayOverFull { total_hours: format_hours(total) });
    }
    Ok(minutes)
}

/// Where an entry stands. The serde names are the values stored in
/// `hours_entry.status` and sent to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Pending,
    Approved,
    Returned,
    Withdrawn,
    Voided,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 5] = [
        EntryStatus::Pending,
        EntryStatus::Approved,
        EntryStatus::Returned,
        EntryStatus::Withdrawn,
        EntryStatus::Voided,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Pending => "pending",
            EntryStatus::Approved => "approved",
            EntryStatus::Returned => "returned",
            EntryStatus::Withdrawn => "withdrawn",
            EntryStatus::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<EntryStatus> {
        EntryStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            EntryStatus::Pending => "Awaiting preceptor",
            EntryStatus::Approved => "Approved",
            EntryStatus::Returned => "Returned",
            EntryStatus::Withdrawn => "Withdrawn",
            EntryStatus::Voided => "Corrected (void)",
        }
    }

    /// How the entry counts in the totals; withdrawn and voided entries do not.
    pub fn verification(self) -> Option<Verification> {
        match self {
            EntryStatus::Pending => Some(Verification::Pending),
            EntryStatus::Approved => Some(Verification::Approved),
            EntryStatus::Returned => Some(Verification::Returned),
            EntryStatus::Withdrawn | EntryStatus::Voided => None,
        }
    }

    /// Pending and approved entries hold their time (overlap, 24 hours a day).
    pub fn holds_time(self) -> bool {
        matches!(self, EntryStatus::Pending | EntryStatus::Approved)
    }

    /// Only an entry awaiting the preceptor is approved, returned or withdrawn.
    pub fn awaits_decision(self) -> bool {
        self == EntryStatus::Pending
    }

    /// Only approved hours are corrected; pending hours are approved or returned.
    pub fn correctable(self) -> bool {
        self == EntryStatus::Approved
    }
}

/// The most entries one decision covers (a week of a student's entries fits).
pub const MAX_ENTRIES_PER_DECISION: usize = 200;

/// Whether a decision covers a number of entries the preceptor can take in.
pub fn decision_size_ok(n: usize) -> bool {
    (1..=MAX_ENTRIES_PER_DECISION).contains(&n)
}

/// The most competency codes one entry names.
pub const MAX_CODES_PER_ENTRY: usize = 20;

/// Hours typed as a number (7.5) as minutes; `None` outside 0 to 24 hours.
pub fn hours_to_minutes(hours: f64) -> Option<i64> {
    if !hours.is_finite() || !(0.0..=24.0).contains(&hours) {
        return None;
    }
    Some((hours * 60.0).round() as i64)
}

/// Why an entry has no placement to belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlacementChoiceError {
    #[error("You have no externship placement in this program yet.")]
    NoPlacement,
    #[error("Your placement has no dates yet; ask your program to set them.")]
    NoDates,
}

/// The placement an entry for `day` belongs to, among the student's active
/// placements (newest first): the one whose dates hold the day; otherwise
/// the newest with dates, whose dates the "outside the placement" rule of
/// [`check`] then names.
pub fn placement_for<T>(
    placements: &[T],
    dates: impl Fn(&T) -> Option<PlacementDates>,
    day: NaiveDate,
) -> Result<(&T, PlacementDates), PlacementChoiceError> {
    if placements.is_empty() {
        return Err(PlacementChoiceError::NoPlacement);
    }
    let dated = || placements.iter().filter_map(|p| Some((p, dates(p)?)));
    dated()
        .find(|(_, d)| d.start <= day && day <= d.end)
        .or_else(|| dated().next())
        .ok_or(PlacementChoiceError::NoDates)
}

/// Where an entry stands with the preceptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    Pending,
    Approved,
    Returned,
}

/// Hours against the requirement, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HoursTotals {
    pub approved: i64,
    pub pending: i64,
    pub returned: i64,
    pub required: i64,
}

impl HoursTotals {
    pub fn of(entries: &[(i64, Verification)], required_hours: i64) -> HoursTotals {
        let sum = |v: Verification| entries.iter().filter(|(_, s)| *s == v).map(|(m, _)| m).sum();
        HoursTotals {
            approved: sum(Verification::Approved),
            pending: sum(Verification::Pending),
            returned: sum(Verification::Returned),
            required: required_hours * 60,
        }
    }

    pub fn complete(&self) -> bool {
        self.approved >= self.required
    }

    /// Approved share of the requirement, in whole percent (capped at 100).
    pub fn percent(&self) -> u8 {
        percent_of(self.approved, self.required)
    }
}

/// Approved minutes as a share of the required, in whole percent, capped
/// at 100; nothing required is 100.
pub fn percent_of(approved: i64, required: i64) -> u8 {
    approved.saturating_mul(100).checked_div(required).map_or(100, |p| p.clamp(0, 100) as u8)
}

/// The most weeks a chart spans (five years).
pub const MAX_WEEKS: usize = 260;

/// Daily figures summed into ISO weeks (by their Monday), every week from
/// the first to the last, empty ones included, at most [`MAX_WEEKS`].
pub fn by_week(days: &[(NaiveDate, f64)]) -> Vec<(String, f64)> {
    let (Some(first), Some(last)) = (days.iter().map(|d| week_of(d.0)).min(), days.iter().map(|d| week_of(d.0)).max())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut week = first;
    while week <= last && out.len() < MAX_WEEKS {
        out.push((week.to_string(), days.iter().filter(|d| week_of(d.0) == week).map(|d| d.1).sum()));
        week += chrono::Duration::weeks(1);
    }
    out
}

/// Minutes as hours for people: 90 is "1.5", 480 is "8".
pub fn format_hours(minutes: i64) -> String {
    let hours = minutes / 60;
    match minutes % 60 {
        0 => hours.to_string(),
        15 => format!("{hours}.25"),
        30 => format!("{hours}.5"),
        45 => format!("{hours}.75"),
        m => format!("{hours}:{m:02}"),
    }
}

/// The Monday starting the ISO week of `date`: entries are verified a week at a time.
pub fn week_of(date: NaiveDate) -> NaiveDate {
    date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }
    fn times(a: &str, b: &str) -> Span {
        Span::Times { start: t(a), end: t(b) }
    }
    fn draft(date: &str, span: Span) -> HoursDraft {
        HoursDraft { date: d(date), span, activities: "Vital signs and rooming patients".into() }
    }
    const TODAY: &str = "2026-11-25";
    fn placement() -> PlacementDates {
        PlacementDates { start: d("2026-11-02"), end: d("2026-12-18") }
    }

    #[test]
    fn a_good_shift_counts_its_minutes() {
        assert_eq!(check(&draft("2026-11-24", times("08:00", "16:30")), d(TODAY), placement(), &[]), Ok(510));
        assert_eq!(check(&draft(TODAY, Span::Minutes(240)), d(TODAY), placement(), &[]), Ok(240), "today is allowed");
    }

    #[test]
    fn future_days_and_days_outside_the_placement_are_refused() {
        let e = check(&draft("2026-11-26", Span::Minutes(60)), d(TODAY), placement(), &[]).unwrap_err();
        assert_eq!((e.clone(), e.field()), (HoursError::FutureDate, "date"));
        let e = check(&draft("2026-11-01", Span::Minutes(60)), d(TODAY), placement(), &[]).unwrap_err();
        assert!(matches!(e, HoursError::OutsidePlacement { .. }));
        assert!(e.to_string().contains("2026-11-02 to 2026-12-18"), "{e}");
        let ended = PlacementDates { start: d("2026-11-02"), end: d("2026-11-20") };
        assert!(check(&draft("2026-11-21", Span::Minutes(60)), d(TODAY), ended, &[]).is_err());
    }

    #[test]
    fn time_comes_in_quarter_hours() {
        assert_eq!(
            check(&draft("2026-11-24", times("08:10", "12:00")), d(TODAY), placement(), &[]),
            Err(HoursError::NotQuarterHours)
        );
        assert_eq!(
            check(&draft("2026-11-24", Span::Minutes(50)), d(TODAY), placement(), &[]),
            Err(HoursError::NotQuarterHours)
        );
        assert_eq!(check(&draft("2026-11-24", Span::Minutes(0)), d(TODAY), placement(), &[]), Err(HoursError::NoTime));
        assert_eq!(
            check(&draft("2026-11-24", times("12:00", "12:00")), d(TODAY), placement(), &[]),
            Err(HoursError::EndNotAfterStart)
        );
        assert_eq!(
            check(&draft("2026-11-24", times("22:00", "02:00")), d(TODAY), placement(), &[]),
            Err(HoursError::EndNotAfterStart)
        );
    }

    #[test]
    fn entries_of_one_day_do_not_overlap() {
        let morning = OtherEntry { date: d("2026-11-24"), span: times("08:00", "12:00") };
        let e = check(&draft("2026-11-24", times("11:45", "15:00")), d(TODAY), placement(), &[morning]).unwrap_err();
        assert_eq!(e, HoursError::Overlaps { start: t("08:00"), end: t("12:00") });
        assert_eq!(e.field(), "end");
        // Touching is not overlapping; another day is another day.
        assert_eq!(check(&draft("2026-11-24", times("12:00", "15:00")), d(TODAY), placement(), &[morning]), Ok(180));
        assert_eq!(check(&draft("2026-11-23", times("08:00", "12:00")), d(TODAY), placement(), &[morning]), Ok(240));
    }

    #[test]
    fn a_day_holds_at_most_24_hours() {
        let long = OtherEntry { date: d("2026-11-24"), span: Span::Minutes(20 * 60) };
        assert_eq!(check(&draft("2026-11-24", Span::Minutes(240)), d(TODAY), placement(), &[long]), Ok(240));
        let e = check(&draft("2026-11-24", Span::Minutes(255)), d(TODAY), placement(), &[long]).unwrap_err();
        assert_eq!(e, HoursError::DayOverFull { total_hours: "24.25".into() });
    }

    #[test]
    fn an_entry_says_what_was_done() {
        let mut e = draft("2026-11-24", Span::Minutes(60));
        e.activities = "   ".into();
        assert_eq!(check(&e, d(TODAY), placement(), &[]), Err(HoursError::Activities));
        e.activities = "x".repeat(MAX_ACTIVITIES_CHARS + 1);
        assert_eq!(check(&e, d(TODAY), placement(), &[]).unwrap_err().field(), "activities");
    }

    #[test]
    fn totals_count_only_approved_hours_toward_the_requirement() {
        let entries = [
            (480, Verification::Approved),
            (240, Verification::Pending),
            (60, Verification::Returned),
            (9000, Verification::Approved),
        ];
        let t = HoursTotals::of(&entries, 160);
        assert_eq!((t.approved, t.pending, t.returned, t.required), (9480, 240, 60, 9600));
        assert!(!t.complete());
        assert_eq!(t.percent(), 98);
        assert!(HoursTotals::of(&[(9600, Verification::Approved)], 160).complete());
        assert_eq!(HoursTotals::of(&[], 0).percent(), 100);
    }

    #[test]
    fn hours_read_as_people_write_them() {
        assert_eq!(format_hours(480), "8");
        assert_eq!(format_hours(90), "1.5");
        assert_eq!(format_hours(45), "0.75");
        assert_eq!(format_hours(9600), "160");
    }

    #[test]
    fn entry_status_reads_and_writes_the_stored_values() {
        for s in EntryStatus::ALL {
            assert_eq!(EntryStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(EntryStatus::parse("Pending"), None);
        assert_eq!(EntryStatus::Voided.label(), "Corrected (void)");
    }

    #[test]
    fn only_pending_entries_are_decided_and_only_approved_ones_corrected() {
        let decidable: Vec<_> = EntryStatus::ALL.into_iter().filter(|s| s.awaits_decision()).collect();
        assert_eq!(decidable, [EntryStatus::Pending]);
        let correctable: Vec<_> = EntryStatus::ALL.into_iter().filter(|s| s.correctable()).collect();
        assert_eq!(correctable, [EntryStatus::Approved]);
        let holding: Vec<_> = EntryStatus::ALL.into_iter().filter(|s| s.holds_time()).collect();
        assert_eq!(holding, [EntryStatus::Pending, EntryStatus::Approved]);
        assert_eq!(EntryStatus::Withdrawn.verification(), None);
        assert_eq!(EntryStatus::Returned.verification(), Some(Verification::Returned));
    }

    #[test]
    fn a_decision_covers_1_to_200_entries() {
        assert!(!decision_size_ok(0));
        assert!(decision_size_ok(1) && decision_size_ok(MAX_ENTRIES_PER_DECISION));
        assert!(!decision_size_ok(MAX_ENTRIES_PER_DECISION + 1));
    }

    #[test]
    fn typed_hours_become_minutes_within_a_day() {
        assert_eq!(hours_to_minutes(7.5), Some(450));
        assert_eq!(hours_to_minutes(24.0), Some(1440));
        assert_eq!(hours_to_minutes(24.25), None);
        assert_eq!(hours_to_minutes(-1.0), None);
        assert_eq!(hours_to_minutes(f64::NAN), None);
    }

    #[test]
    fn an_entry_belongs_to_the_placement_holding_its_day_else_the_newest_with_dates() {
        let newer = (2, Some(PlacementDates { start: d("2026-11-16"), end: d("2026-12-18") }));
        let older = (1, Some(placement()));
        let undated = (3, None);
        let dates = |p: &(i32, Option<PlacementDates>)| p.1;
        let all = [undated, newer, older];
        assert_eq!(placement_for(&all, dates, d("2026-11-20")).map(|(p, _)| p.0), Ok(2));
        assert_eq!(placement_for(&all, dates, d("2026-11-05")).map(|(p, _)| p.0), Ok(1), "only the older holds it");
        assert_eq!(placement_for(&all, dates, d("2027-01-05")).map(|(p, _)| p.0), Ok(2), "the newest with dates");
        assert_eq!(
            placement_for(&[undated], dates, d("2026-11-20")).map(|(p, _)| p.0),
            Err(PlacementChoiceError::NoDates)
        );
        let none: [(i32, Option<PlacementDates>); 0] = [];
        assert_eq!(
            placement_for(&none, dates, d("2026-11-20")).map(|(p, _)| p.0),
            Err(PlacementChoiceError::NoPlacement)
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_of(d("2026-11-25")), d("2026-11-23"));
        assert_eq!(week_of(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(week_of(d("2026-11-29")), d("2026-11-23"));
    }

    #[test]
    fn percent_of_is_capped_and_total_when_nothing_is_required() {
        assert_eq!(percent_of(30, 60), 50);
        assert_eq!(percent_of(90, 60), 100);
        assert_eq!(percent_of(0, 0), 100);
        assert_eq!(percent_of(-5, 60), 0);
    }

    #[test]
    fn by_week_fills_empty_weeks_and_sums_days() {
        // 2026-03-02 is a Monday.
        let days = [(d("2026-03-03"), 2.0), (d("2026-03-05"), 1.5), (d("2026-03-18"), 4.0)];
        assert_eq!(
            by_week(&days),
            vec![("2026-03-02".to_string(), 3.5), ("2026-03-09".to_string(), 0.0), ("2026-03-16".to_string(), 4.0)]
        );
        assert!(by_week(&[]).is_empty());
        let long = [(d("2000-01-03"), 1.0), (d("2026-01-05"), 1.0)];
        assert_eq!(by_week(&long).len(), MAX_WEEKS);
    }
}
