//! The externship: sites and placements (staff), hours entries (students),
//! verification and corrections (preceptors, staff), and the
//! end-of-externship evaluations. Each function asks the policy first,
//! applies `domain::{hours, externship}`, and stores through
//! `storage::externship`.

use crate::domain::ids::{ProgramId, UserId};
use chrono::{NaiveDate, NaiveTime};

use super::{Caller, Context};
use crate::api::externship::{
    DecideInput, Decided, EntryView, EvaluationFormView, EvaluationInput, EvaluationView, ExternshipSetupView,
    HoursPageView, PlacementSummary, SiteView, TotalsView, VerifyGroup, WeekView,
};
use crate::domain::access::{Action, Role};
use crate::domain::externship::{EvaluationKind, RatedItem, Readiness, SetupError, SiteDraft, check, rating_label};
use crate::domain::hours::{
    EntryStatus, HoursDraft, HoursError, HoursTotals, MAX_CODES_PER_ENTRY, Span, decision_size_ok, format_hours,
    hours_to_minutes, placement_for, week_of,
};
use crate::domain::reason::{ReasonFor, check_optional_note, check_reason};
use crate::error::AppError;
use crate::service::editions::edition_of_program;
use crate::storage::externship::{self, Decider, Decision, EvaluationRow, HoursRow, PlacementDetail};
use crate::storage::programs;

/// The hours form as the student (or a corrector) fills it in.
#[derive(Debug, Clone, Default)]
pub struct HoursForm {
    /// "2026-11-23".
    pub date: String,
    /// "08:00", or empty with `hours`.
    pub start: String,
    pub end: String,
    /// "7.5", or empty with `start` and `end`.
    pub hours: String,
    pub activities: String,
}

/// Approved hours corrected: the entry, the corrected form and the reason.
#[derive(Debug, Clone, Default)]
pub struct Correction {
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub entry_id: i64,
    pub form: HoursForm,
    pub reason: String,
}

/// The placement form: every value as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct PlacementForm {
    pub student_id: String,
    pub site_id: String,
    pub preceptor_id: String,
    /// Empty: no co-preceptor.
    pub co_preceptor_id: String,
    pub start: String,
    pub end: String,
    /// Empty: the program's requirement.
    pub required_hours: String,
}

pub fn day_label(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// A stored entry's status. One that does not parse is a corrupt record:
/// logged with its id and refused, never shown as some other status.
pub fn status_of(h: &HoursRow) -> Result<EntryStatus, AppError> {
    EntryStatus::parse(&h.status).ok_or_else(|| {
        tracing::error!(entry = h.id, status = %h.status, "stored hours entry has an unknown status");
        AppError::Internal
    })
}

pub fn entry_view(h: &HoursRow) -> Result<EntryView, AppError> {
    let status = status_of(h)?;
    let decided = match (status, &h.decided_by_name, h.decided_at) {
        (EntryStatus::Pending, ..) => None,
        (s, Some(name), Some(at)) => Some(format!("{} by {name}, {}", s.label(), at.format("%-d %b %Y"))),
        _ => None,
    };
    Ok(EntryView {
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
        status,
        status_label: status.label().to_string(),
        decided,
        reason: h.decision_reason.clone(),
        corrects_id: h.corrects_id,
    })
}

/// Approved, pending and returned hours against the requirement.
pub fn totals(entries: &[HoursRow], required_hours: i32) -> Result<HoursTotals, AppError> {
    let mut facts = Vec::with_capacity(entries.len());
    for h in entries {
        if let Some(v) = status_of(h)?.verification() {
            facts.push((i64::from(h.minutes), v));
        }
    }
    Ok(HoursTotals::of(&facts, i64::from(required_hours)))
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
pub fn weeks(entries: &[HoursRow]) -> Result<Vec<WeekView>, AppError> {
    let mut starts: Vec<NaiveDate> = entries.iter().map(|h| week_of(h.work_date)).collect();
    starts.sort_unstable_by(|a, b| b.cmp(a));
    starts.dedup();
    starts
        .into_iter()
        .map(|monday| {
            let mut mine: Vec<&HoursRow> = entries.iter().filter(|h| week_of(h.work_date) == monday).collect();
            mine.sort_by(|a, b| (a.work_date, &a.start_time, a.id).cmp(&(b.work_date, &b.start_time, b.id)));
            let views = mine.into_iter().map(entry_view).collect::<Result<Vec<_>, _>>()?;
            let sum =
                |s: EntryStatus| views.iter().filter(|e| e.status == s).map(|e| i64::from(e.minutes)).sum::<i64>();
            Ok(WeekView {
                week_start: monday.to_string(),
                label: format!("Week of {}", monday.format("%-d %b %Y")),
                pending_ids: views.iter().filter(|e| e.status == EntryStatus::Pending).map(|e| e.id).collect(),
                pending_hours: format_hours(sum(EntryStatus::Pending)),
                approved_hours: format_hours(sum(EntryStatus::Approved)),
                entries: views,
            })
        })
        .collect()
}

/// Approved hours per week from the first entry's week to the last.
pub fn per_week(entries: &[HoursRow]) -> Result<Vec<(String, f64)>, AppError> {
    let mut approved: Vec<&HoursRow> = Vec::new();
    for h in entries {
        if status_of(h)? == EntryStatus::Approved {
            approved.push(h);
        }
    }
    let (Some(first), Some(last)) =
        (approved.iter().map(|h| week_of(h.work_date)).min(), approved.iter().map(|h| week_of(h.work_date)).max())
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut week = first;
    while week <= last {
        let minutes: i64 = approved.iter().filter(|h| week_of(h.work_date) == week).map(|h| i64::from(h.minutes)).sum();
        out.push((week.to_string(), minutes as f64 / 60.0));
        week += chrono::Duration::weeks(1);
    }
    Ok(out)
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

/// A stored evaluation as people read it. An unknown kind is a corrupt
/// record (an error); ratings or a readiness that cannot be read are logged
/// with the record's id and shown as such, never as "no ratings".
pub fn evaluation_view(e: &EvaluationRow) -> Result<EvaluationView, AppError> {
    let Some(kind) = EvaluationKind::parse(&e.kind) else {
        tracing::error!(evaluation = e.id, kind = %e.kind, "stored evaluation has an unknown kind");
        return Err(AppError::Internal);
    };
    let ratings = match serde_json::from_str::<Vec<RatedItem>>(&e.ratings) {
        Ok(rated) => Some(rated.into_iter().map(|r| (r.item, rating_label(r.rating).to_string(), r.comment)).collect()),
        Err(error) => {
            tracing::error!(evaluation = e.id, %error, "stored evaluation ratings could not be read");
            None
        }
    };
    let readiness = e.readiness.as_deref().map(|s| (s, Readiness::parse(s)));
    if let Some((stored, None)) = readiness {
        tracing::error!(evaluation = e.id, readiness = %stored, "stored evaluation has an unknown readiness");
    }
    Ok(EvaluationView {
        kind,
        kind_label: kind.label().to_string(),
        author_name: e.author_name.clone(),
        submitted_at: e.submitted_at.format("%-d %b %Y").to_string(),
        ratings,
        readiness: readiness.and_then(|(_, r)| r),
        readiness_unreadable: matches!(readiness, Some((_, None))),
        comments: e.comments.clone(),
    })
}

/// Parses the hours form into a draft; errors name the form's inputs.
pub fn parse_draft(form: &HoursForm) -> Result<HoursDraft, AppError> {
    let HoursForm { date, start, end, hours, activities } = form;
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("date", "Choose the day you worked."))?;
    let time = |s: &str, field: &str| {
        NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| AppError::field(field, "Enter a time such as 08:00."))
    };
    let span = match (start.trim().is_empty(), end.trim().is_empty(), hours.trim().is_empty()) {
        (false, false, _) => Span::Times { start: time(start, "start")?, end: time(end, "end")? },
        (true, true, false) => {
            let h: f64 = hours
                .trim()
                .replace(',', ".")
                .parse()
                .map_err(|_| AppError::field("hours", "Enter hours as a number, such as 7.5."))?;
            Span::Minutes(hours_to_minutes(h).ok_or_else(|| AppError::field("hours", "A day holds at most 24 hours."))?)
        }
        (false, true, _) => return Err(AppError::field("end", "Enter the time you finished.")),
        (true, false, _) => return Err(AppError::field("start", "Enter the time you started.")),
        (true, true, true) => {
            return Err(AppError::field("start", "Enter your start and end times, or the hours worked."));
        }
    };
    Ok(HoursDraft { date, span, activities: activities.clone() })
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
    if codes.len() > MAX_CODES_PER_ENTRY {
        return Err(AppError::field("competencies", "List up to 20 competencies."));
    }
    Ok(codes.join(" "))
}

fn setup_error(e: SetupError) -> AppError {
    AppError::field(e.field, e.message)
}

/// Who decides, as the decision log records them.
fn decider(caller: &Caller, id: UserId, role: &str) -> Result<Decider, AppError> {
    Ok(Decider {
        id,
        name: caller.name()?.to_string(),
        role: role.to_string(),
        ip: Some(caller.ip.clone()),
        user_agent: caller.user_agent.clone(),
    })
}

/// A student's hours, placement and end-of-externship evaluations.
pub async fn hours_page(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    student_id: UserId,
) -> Result<HoursPageView, AppError> {
    let who = caller.authorize_signed_in(&Action::ViewStudentRecord { program: program_id, student: student_id })?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let placement = externship::latest_placement_of(&ctx.db, program_id, student_id).await?;
    let entries = externship::hours_of_student(&ctx.db, program_id, student_id).await?;
    let evaluations = externship::evaluations_of_student(&ctx.db, program_id, student_id).await?;
    let required = placement.as_ref().map_or(program.required_externship_hours, |p| p.required_hours);
    let allowed = |a: Action| caller.may(&a);
    let active = placement.as_ref().is_some_and(|p| p.ended_at.is_none());
    let has_dates = placement.as_ref().is_some_and(|p| p.dates().is_some());
    let wrote =
        |kind: EvaluationKind| evaluations.iter().any(|e| e.kind == kind.as_str() && e.author_id == who.user_id);
    let may_write = |kind: EvaluationKind| {
        placement.is_some() && !wrote(kind) && allowed(kind.author_action(program_id, student_id))
    };
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    Ok(HoursPageView {
        program_id,
        program_name: program.name,
        student_id,
        student_name: member.display_name,
        totals: totals_view(totals(&entries, required)?),
        weeks: weeks(&entries)?,
        per_week: per_week(&entries)?,
        can_log: active && has_dates && allowed(Action::OwnExternship { program: program_id, student: student_id }),
        can_verify: allowed(Action::VerifyHours { program: program_id, student: student_id }),
        can_correct: allowed(Action::CorrectHours { program: program_id, student: student_id }),
        can_evaluate_site: may_write(EvaluationKind::OfSite),
        can_evaluate_student: may_write(EvaluationKind::OfStudent),
        evaluations: evaluations.iter().map(evaluation_view).collect::<Result<_, _>>()?,
        placement: placement.as_ref().map(placement_summary),
        competencies: edition.signed_off().map(|c| (c.code.clone(), c.title.clone())).collect(),
        today: chrono::Utc::now().date_naive().to_string(),
    })
}

/// The signed-in student logs hours at their placement.
pub async fn log_hours(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    form: &HoursForm,
    competencies: &str,
) -> Result<EntryView, AppError> {
    let me = caller.principal().ok_or(AppError::Unauthenticated)?.user_id;
    caller.authorize_signed_in(&Action::OwnExternship { program: program_id, student: me })?;
    let draft = parse_draft(form)?;
    let placements = externship::active_placements_of(&ctx.db, program_id, me).await?;
    let (placement, dates) = placement_for(&placements, PlacementDetail::dates, draft.date)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (_, edition) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let codes = parse_codes(&edition, competencies)?;
    let now = chrono::Utc::now();
    let new = externship::NewHours {
        program: program_id,
        placement: placement.id,
        student: me,
        draft: draft.clone(),
        placement_dates: dates,
        today: now.date_naive(),
        competency_codes: codes,
    };
    let id = externship::log_hours(&ctx.db, &new, now).await?.map_err(|e| hours_error(e, draft.span))?;
    let stored = externship::entries(&ctx.db, &[id]).await?;
    stored.first().ok_or(AppError::Internal).and_then(entry_view)
}

/// The student withdraws a pending entry (a mistake they noticed first).
pub async fn withdraw_hours(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    entry_id: i64,
) -> Result<(), AppError> {
    let me = caller.principal().ok_or(AppError::Unauthenticated)?.user_id;
    caller.authorize_signed_in(&Action::OwnExternship { program: program_id, student: me })?;
    let entry = externship::entries(&ctx.db, &[entry_id]).await?.into_iter().next().ok_or(AppError::NotFound)?;
    if entry.student_id != me || entry.program_id != program_id {
        return Err(AppError::NotFound);
    }
    let by = decider(caller, me, Role::Student.as_str())?;
    let changed = externship::decide(&ctx.db, &[entry_id], Decision::Withdraw, None, &by, chrono::Utc::now()).await?;
    if changed == 0 {
        return Err(AppError::BadRequest("Only entries still awaiting the preceptor can be withdrawn.".into()));
    }
    Ok(())
}

/// The preceptor approves or returns one entry or a week of them.
pub async fn decide_hours(ctx: &Context, caller: &Caller, input: &DecideInput) -> Result<Decided, AppError> {
    let who =
        caller.authorize_signed_in(&Action::VerifyHours { program: input.program_id, student: input.student_id })?;
    let decision = match input.decision.as_str() {
        "approve" => Decision::Approve,
        "return" => Decision::Return,
        _ => return Err(AppError::BadRequest("Choose approve or return.".into())),
    };
    let reason = match decision {
        Decision::Return => check_reason(&input.reason, ReasonFor::ReturnHours),
        // Only approve and return come through this form (see above).
        Decision::Approve | Decision::Withdraw => check_optional_note(&input.reason),
    }
    .map_err(|e| AppError::field("reason", e.to_string()))?;
    let reason = reason.as_str();
    if !decision_size_ok(input.entry_ids.len()) {
        return Err(AppError::BadRequest("Choose between 1 and 200 entries.".into()));
    }
    let entries = externship::entries(&ctx.db, &input.entry_ids).await?;
    // Every id must be this student's, in this program: the policy was asked
    // about this student only.
    if entries.len() != input.entry_ids.len()
        || entries.iter().any(|e| e.student_id != input.student_id || e.program_id != input.program_id)
    {
        return Err(AppError::NotFound);
    }
    let mut pending: Vec<&HoursRow> = Vec::new();
    for e in &entries {
        if status_of(e)?.awaits_decision() {
            pending.push(e);
        }
    }
    let ids: Vec<i64> = pending.iter().map(|e| e.id).collect();
    let by = decider(caller, who.user_id, Role::Preceptor.as_str())?;
    let reason = (!reason.is_empty()).then_some(reason);
    let changed = externship::decide(&ctx.db, &ids, decision, reason, &by, chrono::Utc::now()).await?;
    let minutes: i64 = pending.iter().map(|e| i64::from(e.minutes)).sum();
    Ok(Decided { changed, hours: format_hours(minutes), skipped: input.entry_ids.len() - changed })
}

/// Corrects approved hours: the entry is voided and the corrected one stored
/// in its place, approved by the corrector, with the reason on both.
pub async fn correct_hours(ctx: &Context, caller: &Caller, c: &Correction) -> Result<EntryView, AppError> {
    let (program_id, student_id) = (c.program_id, c.student_id);
    let who = caller.authorize_signed_in(&Action::CorrectHours { program: program_id, student: student_id })?;
    let reason =
        check_reason(&c.reason, ReasonFor::CorrectHours).map_err(|e| AppError::field("reason", e.to_string()))?;
    let reason = reason.as_str();
    let entry = externship::entries(&ctx.db, &[c.entry_id]).await?.into_iter().next().ok_or(AppError::NotFound)?;
    if entry.student_id != student_id || entry.program_id != program_id {
        return Err(AppError::NotFound);
    }
    if !status_of(&entry)?.correctable() {
        return Err(AppError::BadRequest(
            "Only approved hours are corrected; pending hours are approved or returned.".into(),
        ));
    }
    let placement = externship::placement(&ctx.db, entry.placement_id).await?.ok_or(AppError::NotFound)?;
    let dates = placement.dates().ok_or(AppError::NotFound)?;
    let draft = parse_draft(&c.form)?;
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
    let by = decider(caller, who.user_id, crate::domain::evaluation::corrector_role(who, program_id).as_str())?;
    let id = match externship::correct(&ctx.db, c.entry_id, &corrected, reason, &by, now).await {
        Ok(r) => r.map_err(|e| hours_error(e, draft.span))?,
        Err(crate::storage::StorageError::NotFound) => {
            return Err(AppError::BadRequest("These hours were corrected meanwhile; reload the page.".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let stored = externship::entries(&ctx.db, &[id]).await?;
    stored.first().ok_or(AppError::Internal).and_then(entry_view)
}

/// Pending hours on the signed-in preceptor's placements, a group per
/// student and week (empty for anyone else).
pub async fn hours_to_verify(ctx: &Context, caller: &Caller) -> Result<Vec<VerifyGroup>, AppError> {
    let me = caller.authorize_signed_in(&Action::OwnAccount)?;
    let pending = externship::pending_for_preceptor(&ctx.db, me.user_id).await?;
    let mut groups: Vec<VerifyGroup> = Vec::new();
    for h in &pending {
        let label = format!("Week of {}", week_of(h.work_date).format("%-d %b %Y"));
        let view = entry_view(h)?;
        match groups
            .iter_mut()
            .find(|g| g.student_id == h.student_id && g.program_id == h.program_id && g.week_label == label)
        {
            Some(g) => {
                g.entry_ids.push(h.id);
                g.entries.push(view);
            }
            None => groups.push(VerifyGroup {
                program_id: h.program_id,
                student_id: h.student_id,
                student_name: h.student_name.clone(),
                week_label: label,
                entry_ids: vec![h.id],
                entries: vec![view],
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
pub async fn externship_setup(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
) -> Result<ExternshipSetupView, AppError> {
    caller.authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let members = programs::members(&ctx.db, program_id).await?;
    let people = |role: Role| -> Vec<(UserId, String)> {
        members.iter().filter(|m| m.role == role.as_str()).map(|m| (m.user_id, m.display_name.clone())).collect()
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
            .map(|p| (placement_summary(p), p.student_id, p.student_name.clone()))
            .collect(),
        students: people(Role::Student),
        preceptors: people(Role::Preceptor),
    })
}

/// Adds a clinic site to the program.
pub async fn add_site(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    draft: &SiteDraft,
) -> Result<i64, AppError> {
    let who = caller.authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    let site = crate::domain::externship::check_site(draft).map_err(setup_error)?;
    if !site.contact_email.is_empty() && !crate::domain::roster::is_plausible_email(&site.contact_email) {
        return Err(AppError::field(
            "contact_email",
            "Enter an e-mail address such as name@clinic.example, or leave it empty.",
        ));
    }
    let site = externship::NewSite {
        name: site.name,
        address: site.address,
        contact_name: site.contact_name,
        contact_email: site.contact_email,
        contact_phone: site.contact_phone,
    };
    Ok(externship::create_site(&ctx.db, program_id, &site, who.user_id, chrono::Utc::now()).await?)
}

/// Places a student at a site with one or two preceptors, for given dates.
pub async fn place_student(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    form: &PlacementForm,
) -> Result<i64, AppError> {
    let who = caller.authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    let members = programs::members(&ctx.db, program_id).await?;
    let holds = |user: UserId, role: Role| members.iter().any(|m| m.user_id == user && m.role == role.as_str());
    // People are named by their account ids in the form.
    let id = |s: &str| s.trim().parse::<UserId>().ok();
    let student = id(&form.student_id)
        .filter(|s| holds(*s, Role::Student))
        .ok_or_else(|| AppError::field("student_id", "Choose a student of this program."))?;
    let preceptor = id(&form.preceptor_id)
        .filter(|p| holds(*p, Role::Preceptor))
        .ok_or_else(|| AppError::field("preceptor_id", "Choose a preceptor of this program."))?;
    let mut preceptors = vec![preceptor];
    if !form.co_preceptor_id.trim().is_empty() {
        let co = id(&form.co_preceptor_id)
            .filter(|p| holds(*p, Role::Preceptor))
            .ok_or_else(|| AppError::field("co_preceptor_id", "Choose a preceptor of this program, or none."))?;
        if co != preceptor {
            preceptors.push(co);
        }
    }
    let sites = externship::sites(&ctx.db, program_id).await?;
    let site = form
        .site_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|s| sites.iter().any(|x| x.id == *s))
        .ok_or_else(|| AppError::field("site_id", "Choose a site of this program."))?;
    let date = |s: &str, field: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| AppError::field(field, "Choose a date."))
    };
    let (start, end) = (date(&form.start, "start")?, date(&form.end, "end")?);
    crate::domain::externship::check_placement_dates(start, end).map_err(setup_error)?;
    let required_hours = crate::domain::externship::parse_required_hours(&form.required_hours).map_err(setup_error)?;
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
pub async fn end_placement(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    placement_id: i64,
) -> Result<(), AppError> {
    let who = caller.authorize_signed_in(&Action::ManagePlacements { program: program_id })?;
    if !externship::end_placement(&ctx.db, program_id, placement_id, who.user_id, chrono::Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The end-of-externship evaluation form: the preceptor's of the student
/// (`of_student`), or the student's of their site (`of_site`).
pub async fn evaluation_form(
    ctx: &Context,
    caller: &Caller,
    program_id: ProgramId,
    student_id: UserId,
    kind: &str,
) -> Result<EvaluationFormView, AppError> {
    let kind = EvaluationKind::parse(kind).ok_or(AppError::NotFound)?;
    let who = caller.authorize_signed_in(&kind.author_action(program_id, student_id))?;
    let member = programs::student_in_program(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let placement =
        externship::latest_placement_of(&ctx.db, program_id, student_id).await?.ok_or(AppError::NotFound)?;
    let already = externship::evaluations_of_student(&ctx.db, program_id, student_id)
        .await?
        .iter()
        .find(|e| e.kind == kind.as_str() && e.author_id == who.user_id && e.placement_id == placement.id)
        .map(evaluation_view)
        .transpose()?;
    Ok(EvaluationFormView {
        program_id,
        student_id,
        student_name: member.display_name,
        site_name: placement.site_name,
        kind,
        items: kind.items().iter().map(|s| (*s).to_string()).collect(),
        already,
    })
}

/// Submits an end-of-externship evaluation (once per author and placement).
pub async fn submit_evaluation(ctx: &Context, caller: &Caller, input: &EvaluationInput) -> Result<(), AppError> {
    let kind = input.kind;
    let who = caller.authorize_signed_in(&kind.author_action(input.program_id, input.student_id))?;
    let (rated, readiness) = check(kind, &input.form).map_err(|e| AppError::field(&e.field, e.message))?;
    let placement = externship::latest_placement_of(&ctx.db, input.program_id, input.student_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let new = externship::NewEvaluation {
        program: input.program_id,
        placement: placement.id,
        student: input.student_id,
        kind: kind.as_str(),
        author: who.user_id,
        author_name: caller.name()?.to_string(),
        ratings_json: serde_json::to_string(&rated).map_err(|_| AppError::Internal)?,
        readiness: readiness.map(|r| r.as_str()),
        comments: input.form.overall.trim().to_string(),
    };
    externship::submit_evaluation(&ctx.db, &new, chrono::Utc::now()).await?;
    Ok(())
}
