//! The externship: sites and placements (staff), hours entries (students),
//! verification and corrections (preceptors, staff), and the
//! end-of-externship evaluations. Thin: each function authorizes with
//! `domain::access`, applies `domain::{hours, externship}`, and stores
//! through `storage::externship`.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One hours entry as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: i64,
    pub student_id: i64,
    /// "2026-11-23".
    pub date: String,
    /// "Mon 23 Nov".
    pub day: String,
    /// "08:00–16:00", or empty for a duration.
    pub times: String,
    pub minutes: i32,
    pub hours: String,
    pub activities: String,
    pub codes: String,
    pub status: String,
    pub status_label: String,
    /// "Approved by Pat Lee, 24 Nov 2026".
    pub decided: Option<String>,
    pub reason: Option<String>,
    pub corrects_id: Option<i64>,
}

/// A week of a student's entries (entries are verified a week at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekView {
    pub week_start: String,
    pub label: String,
    pub entries: Vec<EntryView>,
    pub pending_ids: Vec<i64>,
    pub pending_hours: String,
    pub approved_hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalsView {
    pub approved: String,
    pub pending: String,
    pub returned: String,
    pub required: String,
    pub percent: u8,
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementSummary {
    pub id: i64,
    pub site_name: String,
    pub preceptors: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub required_hours: i32,
    pub active: bool,
}

/// A student's hours page: what they logged, where it stands, and what the
/// viewer may do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoursPageView {
    pub program_id: i64,
    pub program_name: String,
    pub student_id: i64,
    pub student_name: String,
    pub placement: Option<PlacementSummary>,
    pub totals: TotalsView,
    pub weeks: Vec<WeekView>,
    /// Approved hours per week, oldest first: (Monday, hours).
    pub per_week: Vec<(String, f64)>,
    pub can_log: bool,
    pub can_verify: bool,
    pub can_correct: bool,
    /// The student may evaluate their site; the preceptor may evaluate the student.
    pub can_evaluate_site: bool,
    pub can_evaluate_student: bool,
    pub evaluations: Vec<EvaluationView>,
    pub competencies: Vec<(String, String)>,
    pub today: String,
}

/// A submitted end-of-externship evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationView {
    pub kind: String,
    pub kind_label: String,
    pub author_name: String,
    pub submitted_at: String,
    pub ratings: Vec<(String, String, String)>,
    pub readiness: Option<String>,
    pub comments: String,
}

/// Pending hours of one student in one week, for their preceptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyGroup {
    pub program_id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub week_label: String,
    pub entry_ids: Vec<i64>,
    pub entries: Vec<EntryView>,
    pub hours: String,
}

/// A decision on one entry or a week of them (JSON: ids are a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecideInput {
    pub program_id: i64,
    pub student_id: i64,
    pub entry_ids: Vec<i64>,
    /// "approve" or "return".
    pub decision: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
    pub changed: usize,
    pub hours: String,
    /// Entries someone else decided first (a co-preceptor): left as they were.
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteView {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternshipSetupView {
    pub program_id: i64,
    pub program_name: String,
    pub required_hours: i32,
    pub sites: Vec<SiteView>,
    pub placements: Vec<(PlacementSummary, i64, String)>,
    /// (id, name) of the program's students and preceptors.
    pub students: Vec<(i64, String)>,
    pub preceptors: Vec<(i64, String)>,
}

/// The end-of-externship evaluation form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationFormView {
    pub program_id: i64,
    pub student_id: i64,
    pub student_name: String,
    pub site_name: String,
    pub kind: String,
    pub items: Vec<String>,
    pub already: Option<EvaluationView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationInput {
    pub program_id: i64,
    pub student_id: i64,
    pub kind: String,
    pub form: crate::domain::externship::EvaluationForm,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::{NaiveDate, NaiveTime};

    use super::*;
    use crate::domain::hours::{HoursDraft, HoursError, HoursTotals, Span, Verification, format_hours, week_of};
    use crate::storage::externship::{EntryStatus, EvaluationRow, HoursRow, PlacementDetail};

    pub fn day_label(d: NaiveDate) -> String {
        d.format("%a %-d %b").to_string()
    }

    pub fn entry_view(h: &HoursRow) -> EntryView {
        let status = h.status();
        let decided = match (status, &h.decided_by_name, h.decided_at) {
            (EntryStatus::Pending, ..) => None,
            (s, Some(name), Some(at)) => Some(format!("{} by {name}, {}", status_label(s), at.format("%-d %b %Y"))),
            _ => None,
        };
        EntryView {
            id: h.id,
            student_id: h.student_id,
            date: h.work_date.to_string(),
            day: day_label(h.work_date),
            times: match (&h.start_time, &h.end_time) {
                (Some(s), Some(e)) => format!("{s}–{e}"),
                _ => String::new(),
            },
            minutes: h.minutes,
            hours: format_hours(i64::from(h.minutes)),
            activities: h.activities.clone(),
            codes: h.competency_codes.clone(),
            status: status.as_str().to_string(),
            status_label: status_label(status).to_string(),
            decided,
            reason: h.decision_reason.clone(),
            corrects_id: h.corrects_id,
        }
    }

    pub fn status_label(s: EntryStatus) -> &'static str {
        match s {
            EntryStatus::Pending => "Awaiting preceptor",
            EntryStatus::Approved => "Approved",
            EntryStatus::Returned => "Returned",
            EntryStatus::Withdrawn => "Withdrawn",
            EntryStatus::Voided => "Corrected (void)",
        }
    }

    /// Approved, pending and returned hours against the requirement.
    pub fn totals(entries: &[HoursRow], required_hours: i32) -> HoursTotals {
        let facts: Vec<(i64, Verification)> = entries
            .iter()
            .filter_map(|h| {
                let v = match h.status() {
                    EntryStatus::Pending => Verification::Pending,
                    EntryStatus::Approved => Verification::Approved,
                    EntryStatus::Returned => Verification::Returned,
                    EntryStatus::Withdrawn | EntryStatus::Voided => return None,
                };
                Some((i64::from(h.minutes), v))
            })
            .collect();
        HoursTotals::of(&facts, i64::from(required_hours))
    }

    pub fn totals_view(t: HoursTotals) -> TotalsView {
        TotalsView {
            approved: format_hours(t.approved),
            pending: format_hours(t.pending),
            returned: format_hours(t.returned),
            required: format_hours(t.required),
            percent: t.percent(),
            complete: t.complete(),
        }
    }

    /// Entries grouped by ISO week, newest week first.
    pub fn weeks(entries: &[HoursRow]) -> Vec<WeekView> {
        let mut starts: Vec<NaiveDate> = entries.iter().map(|h| week_of(h.work_date)).collect();
        starts.sort_unstable_by(|a, b| b.cmp(a));
        starts.dedup();
        starts
            .into_iter()
            .map(|monday| {
                let mut mine: Vec<&HoursRow> = entries.iter().filter(|h| week_of(h.work_date) == monday).collect();
                mine.sort_by(|a, b| (a.work_date, &a.start_time, a.id).cmp(&(b.work_date, &b.start_time, b.id)));
                let sum =
                    |s: EntryStatus| mine.iter().filter(|h| h.status() == s).map(|h| i64::from(h.minutes)).sum::<i64>();
                WeekView {
                    week_start: monday.to_string(),
                    label: format!("Week of {}", monday.format("%-d %b %Y")),
                    pending_ids: mine.iter().filter(|h| h.status() == EntryStatus::Pending).map(|h| h.id).collect(),
                    pending_hours: format_hours(sum(EntryStatus::Pending)),
                    approved_hours: format_hours(sum(EntryStatus::Approved)),
                    entries: mine.into_iter().map(entry_view).collect(),
                }
            })
            .collect()
    }

    /// Approved hours per week from the first entry's week to the last.
    pub fn per_week(entries: &[HoursRow]) -> Vec<(String, f64)> {
        let approved: Vec<&HoursRow> = entries.iter().filter(|h| h.status() == EntryStatus::Approved).collect();
        let (Some(first), Some(last)) =
            (approved.iter().map(|h| week_of(h.work_date)).min(), approved.iter().map(|h| week_of(h.work_date)).max())
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut week = first;
        while week <= last {
            let minutes: i64 =
                approved.iter().filter(|h| week_of(h.work_date) == week).map(|h| i64::from(h.minutes)).sum();
            out.push((week.to_string(), minutes as f64 / 60.0));
            week += chrono::Duration::weeks(1);
        }
        out
    }

    pub fn placement_summary(p: &PlacementDetail) -> PlacementSummary {
        PlacementSummary {
            id: p.id,
            site_name: p.site_name.clone(),
            preceptors: p.preceptor_names(),
            start: p.start.map(|d| d.to_string()),
            end: p.end.map(|d| d.to_string()),
            required_hours: p.required_hours,
            active: p.ended_at.is_none(),
        }
    }

    pub fn evaluation_view(e: &EvaluationRow) -> EvaluationView {
        let rated: Vec<crate::domain::externship::RatedItem> = serde_json::from_str(&e.ratings).unwrap_or_default();
        EvaluationView {
            kind: e.kind.clone(),
            kind_label: match e.kind.as_str() {
                "of_student" => "Preceptor's evaluation of the student",
                _ => "Student's evaluation of the site",
            }
            .to_string(),
            author_name: e.author_name.clone(),
            submitted_at: e.submitted_at.format("%-d %b %Y").to_string(),
            ratings: rated
                .into_iter()
                .map(|r| (r.item, crate::domain::externship::rating_label(r.rating).to_string(), r.comment))
                .collect(),
            readiness: e
                .readiness
                .as_deref()
                .and_then(crate::domain::externship::Readiness::parse)
                .map(|r| r.label().to_string()),
            comments: e.comments.clone(),
        }
    }

    /// Parses the hours form into a draft; errors name the form's inputs.
    pub fn parse_draft(
        date: &str,
        start: &str,
        end: &str,
        hours: &str,
        activities: &str,
    ) -> Result<HoursDraft, AppError> {
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::field("date", "Choose the day you worked."))?;
        let time = |s: &str, field: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| AppError::field(field, "Enter a time such as 08:00."))
        };
        let span = match (start.trim().is_empty(), end.trim().is_empty(), hours.trim().is_empty()) {
            (false, false, _) => Span::Times { start: time(start, "start")?, end: time(end, "end")? },
            (true, true, false) => {
                let h: f64 = hours
                    .trim()
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| AppError::field("hours", "Enter hours as a number, such as 7.5."))?;
                if !h.is_finite() || !(0.0..=24.0).contains(&h) {
                    return Err(AppError::field("hours", "A day holds at most 24 hours."));
                }
                let minutes = (h * 60.0).round() as i64;
                Span::Minutes(minutes)
            }
            (false, true, _) => return Err(AppError::field("end", "Enter the time you finished.")),
            (true, false, _) => return Err(AppError::field("start", "Enter the time you started.")),
            (true, true, true) => {
                return Err(AppError::field("start", "Enter your start and end times, or the hours worked."));
            }
        };
        Ok(HoursDraft { date, span, activities: activities.to_string() })
    }

    /// A rule's error, next to the input it is about.
    pub fn hours_error(e: HoursError, span: Span) -> AppError {
        let field = match (e.field(), span) {
            ("minutes", Span::Minutes(_)) => "hours",
            ("minutes", Span::Times { .. }) => "start",
            (f, _) => f,
        };
        AppError::field(field, e.to_string())
    }

    /// Competency codes practised: known codes only, space-separated.
    pub fn parse_codes(edition: &crate::domain::edition::Edition, raw: &str) -> Result<String, AppError> {
        let mut codes: Vec<String> = Vec::new();
        for code in raw.split([',', ' ', ';']).map(str::trim).filter(|c| !c.is_empty()) {
            let Some(c) = edition.competency(code) else {
                return Err(AppError::field("competencies", format!("{code} is not a competency of the framework.")));
            };
            if !codes.contains(&c.code) {
                codes.push(c.code.clone());
            }
        }
        if codes.len() > 20 {
            return Err(AppError::field("competencies", "List up to 20 competencies."));
        }
        Ok(codes.join(" "))
    }

    /// The signed-in person's name, as records keep it.
    pub fn signed_in_name() -> Result<String, AppError> {
        crate::api::request_auth().signed_in.map(|s| s.user.display_name.clone()).ok_or(AppError::Unauthenticated)
    }
}

/// A student's hours, placement and end-of-externship evaluations.
#[server(endpoint = "hours", input = GetUrl)]
pub async fn hours_page(program_id: i64, student_id: i64) -> Result<HoursPageView, AppError> {
    use crate::domain::access::{Action, decide};
    use crate::storage::{externship, programs};
    let who = crate::api::authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let placement = externship::latest_placement_of(&ctx.db, program_id, student_id).await?;
    let entries = externship::hours_of_student(&ctx.db, program_id, student_id).await?;
    let evaluations = externship::evaluations_of_student(&ctx.db, program_id, student_id).await?;
    let required = placement.as_ref().map_or(program.required_externship_hours, |p| p.required_hours);
    let allowed = |a: Action| decide(Some(&who), &a).allowed();
    let active = placement.as_ref().is_some_and(|p| p.ended_at.is_none());
    let has_dates = placement.as_ref().is_some_and(|p| p.dates().is_some());
    let wrote = |kind: &str| evaluations.iter().any(|e| e.kind == kind && e.author_id == who.user_id);
    Ok(HoursPageView {
        program_id,
        program_name: program.name,
        student_id,
        student_name: member.display_name,
        totals: ssr::totals_view(ssr::totals(&entries, required)),
        weeks: ssr::weeks(&entries),
        per_week: ssr::per_week(&entries),
        can_log: active && has_dates && allowed(Action::OwnExternship { program: program_id, student: student_id }),
        can_verify: allowed(Action::VerifyHours { program: program_id, student: student_id }),
        can_correct: allowed(Action::CorrectHours { program: program_id, student: student_id }),
        can_evaluate_site: placement.is_some()
            && !wrote("of_site")
            && allowed(Action::OwnExternship { program: program_id, student: student_id }),
        can_evaluate_student: placement.is_some()
            && !wrote("of_student")
            && allowed(Action::VerifyHours { program: program_id, student: student_id }),
        evaluations: evaluations.iter().map(ssr::evaluation_view).collect(),
        placement: placement.as_ref().map(ssr::placement_summary),
        competencies: crate::service::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id)
            .await?
            .1
            .signed_off()
            .map(|c| (c.code.clone(), c.title.clone()))
            .collect(),
        today: chrono::Utc::now().date_naive().to_string(),
    })
}

/// The signed-in student logs hours at their placement.
#[server(endpoint = "log-hours")]
pub async fn log_hours(
    program_id: i64,
    date: String,
    start: String,
    end: String,
    hours: String,
    activities: String,
    competencies: String,
) -> Result<EntryView, AppError> {
    use crate::domain::access::Action;
    use crate::storage::externship;
    let who = crate::api::current_principal().ok_or(AppError::Unauthenticated)?;
    crate::api::authorize_signed_in(&Action::OwnExternship { program: program_id, student: who.user_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let draft = ssr::parse_draft(&date, &start, &end, &hours, &activities)?;
    let placements = externship::active_placements_of(&ctx.db, program_id, who.user_id).await?;
    if placements.is_empty() {
        return Err(AppError::BadRequest("You have no externship placement in this program yet.".into()));
    }
    // The placement whose dates hold the day; otherwise the newest, whose
    // dates the "outside the placement" message then names.
    let placement = placements
        .iter()
        .find(|p| p.dates().is_some_and(|d| d.start <= draft.date && draft.date <= d.end))
        .or_else(|| placements.iter().find(|p| p.dates().is_some()))
        .ok_or_else(|| AppError::BadRequest("Your placement has no dates yet; ask your program to set them.".into()))?;
    let dates = placement.dates().ok_or(AppError::Internal)?;
    let (_, edition) = crate::service::editions::edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let codes = ssr::parse_codes(&edition, &competencies)?;
    let now = chrono::Utc::now();
    let new = externship::NewHours {
        program: program_id,
        placement: placement.id,
        student: who.user_id,
        draft: draft.clone(),
        placement_dates: dates,
        today: now.date_naive(),
        competency_codes: codes,
    };
    let id = externship::log_hours(&ctx.db, &new, now).await?.map_err(|e| ssr::hours_error(e, draft.span))?;
    let stored = externship::entries(&ctx.db, &[id]).await?;
    stored.first().map(ssr::entry_view).ok_or(AppError::Internal)
}

/// The student withdraws a pending entry (a mistake they noticed first).
#[server(endpoint = "withdraw-hours")]
pub async fn withdraw_hours(program_id: i64, entry_id: i64) -> Result<(), AppError> {
    use crate::domain::access::Action;
    use crate::storage::externship::{self, Decider, Decision};
    let who = crate::api::current_principal().ok_or(AppError::Unauthenticated)?;
    crate::api::authorize_signed_in(&Action::OwnExternship { program: program_id, student: who.user_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let entry = externship::entries(&ctx.db, &[entry_id]).await?.into_iter().next().ok_or(AppError::NotFound)?;
    if entry.student_id != who.user_id || entry.program_id != program_id {
        return Err(AppError::NotFound);
    }
    let auth = crate::api::request_auth();
    let by = Decider {
        id: who.user_id,
        name: ssr::signed_in_name()?,
        role: "student".into(),
        ip: Some(auth.ip.clone()),
        user_agent: auth.user_agent.clone(),
    };
    let changed = externship::decide(&ctx.db, &[entry_id], Decision::Withdraw, None, &by, chrono::Utc::now()).await?;
    if changed == 0 {
        return Err(AppError::BadRequest("Only entries still awaiting the preceptor can be withdrawn.".into()));
    }
    Ok(())
}

/// The preceptor approves or returns one entry or a week of them.
#[server(endpoint = "decide-hours", input = Json)]
pub async fn decide_hours(input: DecideInput) -> Result<Decided, AppError> {
    use crate::domain::access::Action;
    use crate::storage::externship::{self, Decider, Decision, EntryStatus};
    let who =
        crate::api::authorize_signed_in(&Action::VerifyHours { program: input.program_id, student: input.student_id })?;
    let decision = match input.decision.as_str() {
        "approve" => Decision::Approve,
        "return" => Decision::Return,
        _ => return Err(AppError::BadRequest("Choose approve or return.".into())),
    };
    use crate::domain::reason::{ReasonFor, check_optional_note, check_reason};
    let reason = match decision {
        Decision::Return => check_reason(&input.reason, ReasonFor::ReturnHours),
        // Only approve and return come through this form (see above).
        Decision::Approve | Decision::Withdraw => check_optional_note(&input.reason),
    }
    .map_err(|e| AppError::field("reason", e.to_string()))?;
    let reason = reason.as_str();
    if input.entry_ids.is_empty() || input.entry_ids.len() > 200 {
        return Err(AppError::BadRequest("Choose between 1 and 200 entries.".into()));
    }
    let ctx = crate::api::ServerContext::get()?;
    let entries = externship::entries(&ctx.db, &input.entry_ids).await?;
    // Every id must be this student's, in this program: the policy was asked
    // about this student only.
    if entries.len() != input.entry_ids.len()
        || entries.iter().any(|e| e.student_id != input.student_id || e.program_id != input.program_id)
    {
        return Err(AppError::NotFound);
    }
    let pending: Vec<&externship::HoursRow> = entries.iter().filter(|e| e.status() == EntryStatus::Pending).collect();
    let ids: Vec<i64> = pending.iter().map(|e| e.id).collect();
    let auth = crate::api::request_auth();
    let by = Decider {
        id: who.user_id,
        name: ssr::signed_in_name()?,
        role: "preceptor".into(),
        ip: Some(auth.ip.clone()),
        user_agent: auth.user_agent.clone(),
    };
    let reason = (!reason.is_empty()).then_some(reason);
    let changed = externship::decide(&ctx.db, &ids, decision, reason, &by, chrono::Utc::now()).await?;
    let minutes: i64 = pending.iter().map(|e| i64::from(e.minutes)).sum();
    Ok(Decided {
        changed,
        hours: crate::domain::hours::format_hours(minutes),
        skipped: input.entry_ids.len() - changed,
    })
}

/// Corrects approved hours: the entry is voided and the corrected one stored
/// in its place, approved by the corrector, with the reason on both.
#[server(endpoint = "correct-hours")]
pub async fn correct_hours(
    program_id: i64,
    student_id: i64,
    entry_id: i64,
    date: String,
    start: String,
    end: String,
    hours: String,
    activities: String,
    reason: String,
) -> Result<EntryView, AppError> {
    use crate::domain::access::Action;
    use crate::storage::externship::{self, Decider, EntryStatus};
    let who = crate::api::authorize_signed_in(&Action::CorrectHours { program: program_id, student: student_id })?;
    let reason = crate::domain::reason::check_reason(&reason, crate::domain::reason::ReasonFor::CorrectHours)
        .map_err(|e| AppError::field("reason", e.to_string()))?;
    let reason = reason.as_str();
    let ctx = crate::api::ServerContext::get()?;
    let entry = externship::entries(&ctx.db, &[entry_id]).await?.into_iter().next().ok_or(AppError::NotFound)?;
    if entry.student_id != student_id || entry.program_id != program_id {
        return Err(AppError::NotFound);
    }
    if entry.status() != EntryStatus::Approved {
        return Err(AppError::BadRequest(
            "Only approved hours are corrected; pending hours are approved or returned.".into(),
        ));
    }
    let placement = externship::placement(&ctx.db, entry.placement_id).await?.ok_or(AppError::NotFound)?;
    let dates = placement.dates().ok_or(AppError::NotFound)?;
    let draft = ssr::parse_draft(&date, &start, &end, &hours, &activities)?;
    let now = chrono::Utc::now();
    let corrected = externship::NewHours {
        program: program_id,
        placement: placement.id,
        student: student_id,
        draft: draft.clone(),
        placement_dates: dates,
        today: now.date_naive(),
        competency_codes: entry.competency_codes.clone(),
    };
    let auth = crate::api::request_auth();
    let by = Decider {
        id: who.user_id,
        name: ssr::signed_in_name()?,
        role: crate::domain::evaluation::corrector_role(&who, program_id).as_str().into(),
        ip: Some(auth.ip.clone()),
        user_agent: auth.user_agent.clone(),
    };
    let id = match externship::correct(&ctx.db, entry_id, &corrected, reason, &by, now).await {
        Ok(r) => r.map_err(|e| ssr::hours_error(e, draft.span))?,
        Err(crate::storage::StorageError::NotFound) => {
            return Err(AppError::BadRequest("These hours were corrected meanwhile; reload the page.".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let stored = externship::entries(&ctx.db, &[id]).await?;
    stored.first().map(ssr::entry_view).ok_or(AppError::Internal)
}

/// Pending hours on the signed-in preceptor's placements, a group per
/// student and week (empty for anyone else).
#[server(endpoint = "hours-to-verify", input = GetUrl)]
pub async fn hours_to_verify() -> Result<Vec<VerifyGroup>, AppError> {
    use crate::domain::access::Action;
    use crate::domain::hours::{format_hours, week_of};
    let me = crate::api::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = crate::api::ServerContext::get()?;
    let pending = crate::storage::externship::pending_for_preceptor(&ctx.db, me.user_id).await?;
    let mut groups: Vec<VerifyGroup> = Vec::new();
    for h in &pending {
        let label = format!("Week of {}", week_of(h.work_date).format("%-d %b %Y"));
        match groups
            .iter_mut()
            .find(|g| g.student_id == h.student_id && g.program_id == h.program_id && g.week_label == label)
        {
            Some(g) => {
                g.entry_ids.push(h.id);
                g.entries.push(ssr::entry_view(h));
            }
            None => groups.push(VerifyGroup {
                program_id: h.program_id,
                student_id: h.student_id,
                student_name: h.student_name.clone(),
                week_label: label,
                entry_ids: vec![h.id],
                entries: vec![ssr::entry_view(h)],
                hours: String::new(),
            }),
        }
    }
    for g in &mut groups {
        g.hours = format_hours(g.entries.iter().map(|e| i64::from(e.minutes)).sum());
    }
    Ok(groups)
}

/// Sites and placements of a program, with the people to place.
#[server(endpoint = "externship-setup", input = GetUrl)]
pub async fn externship_setup(program_id: i64) -> Result<ExternshipSetupView, AppError> {
    use crate::domain::access::Action;
    use crate::storage::{externship, programs};
    crate::api::authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let members = programs::members(&ctx.db, program_id).await?;
    let people = |role: &str| -> Vec<(i64, String)> {
        members.iter().filter(|m| m.role == role).map(|m| (m.user_id, m.display_name.clone())).collect()
    };
    Ok(ExternshipSetupView {
        program_id,
        program_name: program.name,
        required_hours: program.required_externship_hours,
        sites: externship::sites(&ctx.db, program_id)
            .await?
            .into_iter()
            .map(|s| {
                let contact = [s.contact_name, s.contact_email, s.contact_phone]
                    .into_iter()
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ");
                SiteView { id: s.id, name: s.name, address: s.address, contact }
            })
            .collect(),
        placements: externship::active_placements(&ctx.db, program_id)
            .await?
            .iter()
            .map(|p| (ssr::placement_summary(p), p.student_id, p.student_name.clone()))
            .collect(),
        students: people("student"),
        preceptors: people("preceptor"),
    })
}

/// Adds a clinic site to the program.
#[server(endpoint = "add-site")]
pub async fn add_site(
    program_id: i64,
    name: String,
    address: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
) -> Result<i64, AppError> {
    use crate::domain::access::Action;
    use crate::storage::externship;
    let who = crate::api::authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field("name", "Name the clinic site (up to 200 characters)."));
    }
    let email = contact_email.trim().to_lowercase();
    if !email.is_empty() && !crate::domain::roster::is_plausible_email(&email) {
        return Err(AppError::field(
            "contact_email",
            "Enter an e-mail address such as name@clinic.example, or leave it empty.",
        ));
    }
    for (field, v) in [("address", &address), ("contact_name", &contact_name), ("contact_phone", &contact_phone)] {
        if v.chars().count() > 300 {
            return Err(AppError::field(field, "Keep this under 300 characters."));
        }
    }
    for (field, v) in
        [("name", name), ("address", &address), ("contact_name", &contact_name), ("contact_phone", &contact_phone)]
    {
        AppError::one_line(field, v)?;
    }
    let ctx = crate::api::ServerContext::get()?;
    let site = externship::NewSite {
        name: name.to_string(),
        address: address.trim().to_string(),
        contact_name: contact_name.trim().to_string(),
        contact_email: email,
        contact_phone: contact_phone.trim().to_string(),
    };
    Ok(externship::create_site(&ctx.db, program_id, &site, who.user_id, chrono::Utc::now()).await?)
}

/// Places a student at a site with one or two preceptors, for given dates.
#[server(endpoint = "placement")]
pub async fn place_student(
    program_id: i64,
    student_id: String,
    site_id: String,
    preceptor_id: String,
    co_preceptor_id: String,
    start: String,
    end: String,
    required_hours: String,
) -> Result<i64, AppError> {
    use crate::domain::access::{Action, Role};
    use crate::storage::{externship, programs};
    let who = crate::api::authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    let members = programs::members(&ctx.db, program_id).await?;
    let holds = |user: i64, role: Role| members.iter().any(|m| m.user_id == user && m.role == role.as_str());
    let id = |s: &str| s.trim().parse::<i64>().ok();
    let student = id(&student_id)
        .filter(|s| holds(*s, Role::Student))
        .ok_or_else(|| AppError::field("student_id", "Choose a student of this program."))?;
    let preceptor = id(&preceptor_id)
        .filter(|p| holds(*p, Role::Preceptor))
        .ok_or_else(|| AppError::field("preceptor_id", "Choose a preceptor of this program."))?;
    let mut preceptors = vec![preceptor];
    if !co_preceptor_id.trim().is_empty() {
        let co = id(&co_preceptor_id)
            .filter(|p| holds(*p, Role::Preceptor))
            .ok_or_else(|| AppError::field("co_preceptor_id", "Choose a preceptor of this program, or none."))?;
        if co != preceptor {
            preceptors.push(co);
        }
    }
    let sites = externship::sites(&ctx.db, program_id).await?;
    let site = id(&site_id)
        .filter(|s| sites.iter().any(|x| x.id == *s))
        .ok_or_else(|| AppError::field("site_id", "Choose a site of this program."))?;
    let date = |s: &str, field: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| AppError::field(field, "Choose a date."))
    };
    let (start, end) = (date(&start, "start")?, date(&end, "end")?);
    if end < start {
        return Err(AppError::field("end", "The placement must end on or after its first day."));
    }
    if (end - start).num_days() > 366 {
        return Err(AppError::field("end", "A placement lasts at most a year."));
    }
    let required_hours = match required_hours.trim() {
        "" => None,
        h => Some(h.parse::<i32>().ok().filter(|h| (1..=2000).contains(h)).ok_or_else(|| {
            AppError::field("required_hours", "Enter whole hours between 1 and 2000, or leave empty for the program's.")
        })?),
    };
    let new = externship::NewPlacement {
        program: program_id,
        student,
        site_id: site,
        preceptors,
        start,
        end,
        required_hours,
    };
    Ok(externship::create_placement(&ctx.db, &new, who.user_id, chrono::Utc::now()).await?)
}

/// Ends a placement early (or records that it ended).
#[server(endpoint = "end-placement")]
pub async fn end_placement(program_id: i64, placement_id: i64) -> Result<(), AppError> {
    use crate::domain::access::Action;
    let who = crate::api::authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    let ctx = crate::api::ServerContext::get()?;
    if !crate::storage::externship::end_placement(&ctx.db, program_id, placement_id, who.user_id, chrono::Utc::now())
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The end-of-externship evaluation form: the preceptor's of the student
/// (`of_student`), or the student's of their site (`of_site`).
#[server(endpoint = "externship-evaluation-form", input = GetUrl)]
pub async fn externship_evaluation_form(
    program_id: i64,
    student_id: i64,
    kind: String,
) -> Result<EvaluationFormView, AppError> {
    use crate::domain::access::Action;
    use crate::domain::externship::EvaluationKind;
    use crate::storage::{externship, programs};
    let kind = EvaluationKind::parse(&kind).ok_or(AppError::NotFound)?;
    let who = crate::api::authorize_signed_in(&match kind {
        EvaluationKind::OfStudent => Action::VerifyHours { program: program_id, student: student_id },
        EvaluationKind::OfSite => Action::OwnExternship { program: program_id, student: student_id },
    })?;
    let ctx = crate::api::ServerContext::get()?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let placement =
        externship::latest_placement_of(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let already = externship::evaluations_of_student(&ctx.db, program_id, student_id)
        .await?
        .iter()
        .find(|e| e.kind == kind.as_str() && e.author_id == who.user_id && e.placement_id == placement.id)
        .map(ssr::evaluation_view);
    Ok(EvaluationFormView {
        program_id,
        student_id,
        student_name: member.display_name,
        site_name: placement.site_name,
        kind: kind.as_str().to_string(),
        items: kind.items().iter().map(|s| (*s).to_string()).collect(),
        already,
    })
}

/// Submits an end-of-externship evaluation (once per author and placement).
#[server(endpoint = "submit-externship-evaluation", input = Json)]
pub async fn submit_externship_evaluation(input: EvaluationInput) -> Result<(), AppError> {
    use crate::domain::access::Action;
    use crate::domain::externship::{EvaluationKind, check};
    use crate::storage::externship;
    let kind = EvaluationKind::parse(&input.kind).ok_or_else(|| AppError::BadRequest("Unknown evaluation.".into()))?;
    let who = crate::api::authorize_signed_in(&match kind {
        EvaluationKind::OfStudent => Action::VerifyHours { program: input.program_id, student: input.student_id },
        EvaluationKind::OfSite => Action::OwnExternship { program: input.program_id, student: input.student_id },
    })?;
    let (rated, readiness) = check(kind, &input.form).map_err(|e| AppError::field(&e.field, e.message))?;
    let ctx = crate::api::ServerContext::get()?;
    let placement = externship::latest_placement_of(&ctx.db, input.program_id, input.student_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let new = externship::NewEvaluation {
        program: input.program_id,
        placement: placement.id,
        student: input.student_id,
        kind: kind.as_str(),
        author: who.user_id,
        author_name: ssr::signed_in_name()?,
        ratings_json: serde_json::to_string(&rated).map_err(|_| AppError::Internal)?,
        readiness: readiness.map(|r| r.as_str()),
        comments: input.form.overall.trim().to_string(),
    };
    externship::submit_evaluation(&ctx.db, &new, chrono::Utc::now()).await?;
    Ok(())
}
