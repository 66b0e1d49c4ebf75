//! Externship hours rules: `app::domain::hours::check`, `HoursTotals::of`,
//! `format_hours` and `week_of`, on structured inputs built with `arbitrary`.
//!
//! By default the inputs stay within what the app can produce: a draft as
//! the hours form parses it (times of day, or 0 to 24 hours), other entries
//! that once passed `check`, dates within ±89 years of 2026, minutes as the
//! database's `i32`. `CHECKOFF_FUZZ_FULL_RANGE=minutes` widens a draft's
//! minutes (and times: seconds, leap seconds) to the whole `i64` range,
//! `=dates` every date to `NaiveDate`'s whole range, `=1` both.
//!
//! Properties: no panic; an accepted draft meets every rule (and is still
//! accepted with no other entries); each refusal is the right one; totals
//! add up; `format_hours` reads back as the minutes it was given; `week_of`
//! is the Monday on or before the date.
#![no_main]

use app::domain::hours::{
    HoursDraft, HoursError, HoursTotals, MAX_ACTIVITIES_CHARS, OtherEntry, PlacementDates, Span, Verification, check,
    format_hours, week_of,
};
use arbitrary::{Arbitrary, Unstructured};
use checkoff_fuzz::{full_range, verbose};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike, Weekday};
use libfuzzer_sys::fuzz_target;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// A date: near 2026 unless full range.
fn date(u: &mut Unstructured) -> arbitrary::Result<NaiveDate> {
    if full_range("dates") {
        let days = i32::arbitrary(u)?;
        Ok(NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX }))
    } else {
        Ok(base() + Duration::days(i64::from(i16::arbitrary(u)?)))
    }
}

/// A date a few days from `near` (so entries share days often).
fn date_near(u: &mut Unstructured, near: NaiveDate) -> arbitrary::Result<NaiveDate> {
    let off = i64::from(u.int_in_range(-3i8..=3)?);
    Ok(near.checked_add_signed(Duration::days(off)).unwrap_or(near))
}

/// A time of day, mostly on quarter hours; sometimes with seconds,
/// nanoseconds or a leap second, which `NaiveTime` can hold.
fn time(u: &mut Unstructured, form_like: bool) -> arbitrary::Result<NaiveTime> {
    let h = u.int_in_range(0u32..=23)?;
    let quarter = bool::arbitrary(u)?;
    let m = if quarter { u.int_in_range(0u32..=3)? * 15 } else { u.int_in_range(0u32..=59)? };
    if form_like || quarter {
        return Ok(NaiveTime::from_hms_opt(h, m, 0).unwrap());
    }
    let s = u.int_in_range(0u32..=59)?;
    let nanos = u.int_in_range(0u32..=1_999_999_999)?;
    Ok(NaiveTime::from_hms_nano_opt(h, m, s, nanos).unwrap_or_else(|| NaiveTime::from_hms_opt(h, m, s).unwrap()))
}

fn draft_span(u: &mut Unstructured) -> arbitrary::Result<Span> {
    Ok(if bool::arbitrary(u)? {
        let form_like = !full_range("minutes") || bool::arbitrary(u)?;
        Span::Times { start: time(u, form_like)?, end: time(u, form_like)? }
    } else if full_range("minutes") {
        // Half the time on a quarter hour, as an accepted entry must be.
        let m = i64::arbitrary(u)?;
        Span::Minutes(if bool::arbitrary(u)? { m / 15 * 15 } else { m })
    } else {
        // The form: hours in 0..=24, rounded to the minute.
        Span::Minutes(i64::from(u.int_in_range(0u16..=1440)?))
    })
}

/// Another entry as stored: it passed `check` once.
fn other_span(u: &mut Unstructured) -> arbitrary::Result<Span> {
    Ok(if bool::arbitrary(u)? {
        // Quarter hours 0 (00:00) to 95 (23:45).
        let a = u.int_in_range(0u32..=94)?;
        let b = u.int_in_range(a + 1..=95)?;
        let t = |q: u32| NaiveTime::from_hms_opt(q / 4, q % 4 * 15, 0).unwrap();
        Span::Times { start: t(a), end: t(b) }
    } else {
        Span::Minutes(i64::from(u.int_in_range(1u8..=96)?) * 15)
    })
}

#[derive(Debug)]
struct Input {
    draft: HoursDraft,
    today: NaiveDate,
    placement: PlacementDates,
    others: Vec<OtherEntry>,
    totals: Vec<(i64, Verification)>,
    required_hours: i64,
    minutes: i64,
    week_date: NaiveDate,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let today = date(u)?;
        let placement = PlacementDates { start: date_near(u, today)?, end: date_near(u, today)? };
        let mut activities = String::arbitrary(u)?;
        let pad = usize::from(u.int_in_range(0u16..=2100)?);
        if pad > 100 {
            activities.extend(std::iter::repeat_n('é', pad));
        }
        let draft = HoursDraft { date: date_near(u, today)?, span: draft_span(u)?, activities };
        let n = u.int_in_range(0u8..=12)?;
        let mut others = Vec::new();
        for _ in 0..n {
            others.push(OtherEntry { date: date_near(u, draft.date)?, span: other_span(u)? });
        }
        let n = u.int_in_range(0u8..=40)?;
        let mut totals = Vec::new();
        for _ in 0..n {
            let status = *u.choose(&[Verification::Pending, Verification::Approved, Verification::Returned])?;
            totals.push((i64::from(i32::arbitrary(u)?), status));
        }
        Ok(Input {
            draft,
            today,
            placement,
            others,
            totals,
            required_hours: i64::from(i32::arbitrary(u)?),
            minutes: i64::arbitrary(u)?,
            week_date: date(u)?,
        })
    }
}

fn on_quarter(t: NaiveTime) -> bool {
    t.second() == 0 && t.nanosecond() == 0 && t.minute() % 15 == 0
}

fn check_rules(input: &Input) {
    let Input { draft, today, placement, others, .. } = input;
    let same_day: Vec<&OtherEntry> = others.iter().filter(|o| o.date == draft.date).collect();
    let others_minutes: i128 = same_day.iter().map(|o| i128::from(o.span.minutes())).sum();
    let activities = draft.activities.trim();
    let overlapping = |start: NaiveTime, end: NaiveTime| {
        same_day.iter().find_map(|o| match o.span {
            Span::Times { start: s, end: e } if start < e && s < end => Some((s, e)),
            _ => None,
        })
    };
    let result = check(draft, *today, *placement, others);
    if verbose() {
        eprintln!("hours: {result:?}");
    }
    match result {
        Ok(m) => {
            assert_eq!(m, draft.span.minutes());
            assert!(m > 0 && m % 15 == 0 && m <= 24 * 60, "accepted {m} minutes: {input:?}");
            assert!(draft.date <= *today && placement.start <= draft.date && draft.date <= placement.end);
            if let Span::Times { start, end } = draft.span {
                assert!(on_quarter(start) && on_quarter(end) && start < end, "{input:?}");
                assert_eq!(overlapping(start, end), None, "accepted an overlap: {input:?}");
            }
            assert!(!activities.is_empty() && activities.chars().count() <= MAX_ACTIVITIES_CHARS);
            assert!(i128::from(m) + others_minutes <= 24 * 60, "day over 24 hours accepted: {input:?}");
            assert_eq!(check(draft, *today, *placement, &[]), Ok(m), "fewer entries, different verdict");
        }
        Err(e) => {
            assert!(["date", "end", "minutes", "activities"].contains(&e.field()));
            assert!(!e.to_string().is_empty());
            match &e {
                HoursError::FutureDate => assert!(draft.date > *today),
                HoursError::OutsidePlacement { start, end } => {
                    assert_eq!((*start, *end), (placement.start, placement.end));
                    assert!(draft.date < *start || draft.date > *end);
                }
                HoursError::EndNotAfterStart => {
                    assert!(matches!(draft.span, Span::Times { start, end } if end <= start))
                }
                HoursError::NotQuarterHours => assert!(match draft.span {
                    Span::Times { start, end } => !on_quarter(start) || !on_quarter(end),
                    Span::Minutes(m) => m % 15 != 0,
                }),
                HoursError::NoTime => assert!(matches!(draft.span, Span::Minutes(m) if m <= 0)),
                HoursError::Overlaps { start, end } => {
                    let Span::Times { start: a, end: b } = draft.span else { panic!("overlap without times") };
                    assert!(same_day.iter().any(|o| o.span == Span::Times { start: *start, end: *end }));
                    assert!(a < *end && *start < b);
                }
                HoursError::DayOverFull { total_hours } => {
                    let total = i128::from(draft.span.minutes()) + others_minutes;
                    assert!(total > 24 * 60);
                    assert_eq!(*total_hours, format_hours(total as i64));
                }
                HoursError::Activities => {
                    assert!(activities.is_empty() || activities.chars().count() > MAX_ACTIVITIES_CHARS)
                }
            }
        }
    }
}

/// Reads `format_hours` output back as minutes.
fn read_hours(s: &str) -> Option<i64> {
    if let Some((h, m)) = s.split_once(':') {
        return Some(h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?);
    }
    let (h, frac) = s.split_once('.').unwrap_or((s, ""));
    let h: i64 = h.parse().ok()?;
    let m = match frac {
        "" => 0,
        "25" => 15,
        "5" => 30,
        "75" => 45,
        _ => return None,
    };
    h.checked_mul(60)?.checked_add(m)
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else { return };
    check_rules(&input);

    let t = HoursTotals::of(&input.totals, input.required_hours);
    let sum = |v: Verification| input.totals.iter().filter(|e| e.1 == v).map(|e| e.0).sum::<i64>();
    assert_eq!(
        (t.approved, t.pending, t.returned, t.required),
        (
            sum(Verification::Approved),
            sum(Verification::Pending),
            sum(Verification::Returned),
            input.required_hours * 60
        )
    );
    let p = t.percent();
    assert!(p <= 100);
    if t.required > 0 && t.approved >= 0 {
        assert_eq!(p == 100, t.complete(), "{t:?}: {p}%");
    }

    let s = format_hours(input.minutes);
    if input.minutes >= 0 {
        assert_eq!(read_hours(&s), Some(input.minutes), "format_hours({}) = {s:?}", input.minutes);
    }

    if verbose() {
        eprintln!("hours: week_of({})", input.week_date);
    }
    let monday = week_of(input.week_date);
    assert_eq!(monday.weekday(), Weekday::Mon);
    assert!(monday <= input.week_date && input.week_date - monday < Duration::days(7));
});
