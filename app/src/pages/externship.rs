//! The externship's pages: a student's hours (logging, verifying a week at
//! once, corrections), the preceptor's "hours to verify" list, the program's
//! sites and placements, and the end-of-externship evaluations. Views only.

use crate::domain::ids::{ProgramId, UserId};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::externship::{
    AddSite, CorrectHours, DecideInput, EntryView, EvaluationFormView, EvaluationInput, EvaluationView,
    ExternshipSetupView, HoursPageView, LogHours, PlaceStudent, VerifyGroup, WeekView, decide_hours, end_placement,
    externship_evaluation_form, externship_setup, hours_page, hours_to_verify, submit_externship_evaluation,
    withdraw_hours,
};
use crate::components::charts::{Bar, BarChart};
use crate::components::form::{EchoScope, Field, FormError, Submit, action_error, last_error, textarea_text};
use crate::components::page_data::PageData;
use crate::domain::externship::{EvaluationForm, EvaluationKind, RATINGS, Readiness};
use crate::domain::hours::EntryStatus;
use crate::error::AppError;
use crate::pages::id_param;
use leptos::server_fn::ServerFn;

fn status_class(status: EntryStatus) -> &'static str {
    match status {
        EntryStatus::Approved => "badge status-complete",
        EntryStatus::Pending => "badge status-partial",
        EntryStatus::Returned => "badge status-attempted",
        EntryStatus::Withdrawn | EntryStatus::Voided => "badge status-none",
    }
}

/// A student's externship hours.
#[component]
pub fn HoursPage() -> impl IntoView {
    let (pid, sid) = (id_param("id"), id_param("student"));
    let log = ServerAction::<LogHours>::new();
    let correct = ServerAction::<CorrectHours>::new();
    let decide = Action::new(|input: &DecideInput| decide_hours(input.clone()));
    let withdraw = Action::new(|(p, e): &(ProgramId, i64)| withdraw_hours(*p, *e));
    let data = Resource::new(
        move || {
            (
                pid.get(),
                sid.get(),
                log.version().get(),
                correct.version().get(),
                decide.version().get(),
                withdraw.version().get(),
            )
        },
        |(p, s, ..)| async move { hours_page(p?, s?).await },
    );
    view! {
        <PageData resource=data title="Externship hours" let:v>
            <Hours v log correct decide withdraw/>
        </PageData>
    }
}

#[component]
fn Hours(
    v: HoursPageView,
    log: ServerAction<LogHours>,
    correct: ServerAction<CorrectHours>,
    decide: Action<DecideInput, Result<crate::api::externship::Decided, AppError>>,
    withdraw: Action<(ProgramId, i64), Result<(), AppError>>,
) -> impl IntoView {
    let (pid, sid) = (v.program_id, v.student_id);
    let bars: Vec<Bar> = v
        .per_week
        .iter()
        .map(|(week, h)| Bar {
            label: week.get(5..).unwrap_or(week).to_string(),
            value: *h,
            title: format!("Week of {week}: {h} h approved"),
        })
        .collect();
    let t = v.totals.clone();
    let decide_error = Signal::derive(move || decide.value().get().and_then(|r| r.err()));
    let decided = move || match decide.value().get() {
        Some(Ok(d)) if d.changed > 0 => {
            Some(format!("Done: {} entr{} ({} h).", d.changed, if d.changed == 1 { "y" } else { "ies" }, d.hours))
        }
        Some(Ok(_)) => Some("Those entries were already decided.".to_string()),
        _ => None,
    };
    let can_log = v.can_log;
    let a = HoursActions {
        pid,
        sid,
        can_verify: v.can_verify,
        can_log,
        can_correct: v.can_correct,
        decide,
        withdraw,
        correct,
    };
    view! {
        <Title text=format!("Externship hours · {}", v.student_name)/>
        <p class="breadcrumb"><a href=format!("/programs/{pid}/students/{sid}")>{v.student_name.clone()}</a></p>
        <h1>"Externship hours"</h1>
        {match v.placement.clone() {
            Some(p) => view! {
                <dl class="facts">
                    <dt>"Site"</dt><dd>{p.site_name}</dd>
                    <dt>"Preceptor"</dt><dd>{p.preceptors}</dd>
                    <dt>"Dates"</dt><dd>{match (p.start, p.end) { (Some(s), Some(e)) => format!("{s} to {e}"), _ => "Not set yet".into() }}</dd>
                    <dt>"Required"</dt><dd>{format!("{} h", p.required_hours)}</dd>
                </dl>
            }.into_any(),
            None => view! { <p class="notice">"No externship placement yet."</p> }.into_any(),
        }}
        <section class="card" aria-labelledby="totals-title">
            <h2 id="totals-title">"Progress"</h2>
            <p data-testid="hours-totals">
                <strong>{format!("{} of {} h approved", t.approved, t.required)}</strong>
                {format!(" · {} h awaiting the preceptor · {} h returned", t.pending, t.returned)}
            </p>
            <progress max="100" value=t.percent aria-labelledby="totals-title">{format!("{}%", t.percent)}</progress>
            {t.complete.then(|| view! { <p class="notice notice-ok">"Required hours complete."</p> })}
            <BarChart bars target=None unit="h" caption="Approved hours per week" category="Week"/>
        </section>
        {can_log.then(|| view! { <LogHoursForm program_id=pid log today=v.today.clone() competencies=v.competencies.clone()/> })}
        <div aria-live="polite" role="status" class="status-line">{decided}</div>
        <FormError error=decide_error/>
        {if v.weeks.is_empty() {
            view! { <p class="empty">"No hours logged yet."</p> }.into_any()
        } else {
            v.weeks.into_iter().map(|w| view! {
                <WeekSection w a/>
            }).collect_view().into_any()
        }}
        <Evaluations v_evaluations=v.evaluations pid sid can_site=v.can_evaluate_site can_student=v.can_evaluate_student/>
    }
}

#[component]
fn LogHoursForm(
    program_id: ProgramId,
    log: ServerAction<LogHours>,
    today: String,
    competencies: Vec<(String, String)>,
) -> impl IntoView {
    let error = action_error(log);
    let logged = move || match log.value().get() {
        Some(Ok(e)) => Some(format!("Logged {} h for {}: awaiting your preceptor.", e.hours, e.day)),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="log-title">
            <h2 id="log-title">"Log hours"</h2>
            <ActionForm action=log>
            <EchoScope action=LogHours::url()>
                <input type="hidden" name="program_id" value=program_id/>
                <Field label="Day" name="date" kind="date" error value=today/>
                <div class="field-row">
                    <Field label="Start" name="start" kind="time" error required=false hint="24-hour clock, quarter hours"/>
                    <Field label="End" name="end" kind="time" error required=false/>
                </div>
                <Field label="Or hours worked" name="hours" error required=false inputmode="decimal" hint="Only if you have no start and end times, e.g. 7.5"/>
                <TextArea label="What you did" name="activities" error/>
                <Field label="Competencies practised (optional)" name="competencies" error required=false hint="Codes separated by spaces, e.g. I.P.1.a II.P.2"/>
                <details class="hint">
                    <summary>"Competency codes"</summary>
                    <ul class="plain-list">{competencies.into_iter().map(|(c, t)| view! { <li><span class="code">{c}</span>" "{t}</li> }).collect_view()}</ul>
                </details>
                <FormError error/>
                <Submit label="Log hours" busy_label="Saving…" pending=log.pending()/>
            </EchoScope>
            </ActionForm>
            <p role="status" aria-live="polite" class="status-line" data-testid="logged">{logged}</p>
        </section>
    }
}

/// A multi-line input whose error is shown next to it.
#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let message = Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    let value = crate::components::form::echoed_text(name).or(value);
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea id=id name=name rows="3" required=required
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=move || message.get().is_some().then(|| error_id.clone())
            >{value.map(textarea_text)}</textarea>
            <p class="field-error" id=format!("field-{name}-error") aria-live="polite">{move || message.get()}</p>
        </div>
    }
}

/// What the viewer of an hours page may do, and the actions that do it.
#[derive(Clone, Copy)]
struct HoursActions {
    pid: ProgramId,
    sid: UserId,
    can_verify: bool,
    can_log: bool,
    can_correct: bool,
    decide: Action<DecideInput, Result<crate::api::externship::Decided, AppError>>,
    withdraw: Action<(ProgramId, i64), Result<(), AppError>>,
    correct: ServerAction<CorrectHours>,
}

#[component]
fn WeekSection(w: WeekView, a: HoursActions) -> impl IntoView {
    let HoursActions { pid, sid, can_verify, decide, .. } = a;
    let ids = w.pending_ids.clone();
    let n = ids.len();
    let heading_id = format!("week-{}", w.week_start);
    view! {
        <section class="card week" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{w.label.clone()}</h2>
            <p class="meta">{format!("{} h approved · {} h awaiting the preceptor", w.approved_hours, w.pending_hours)}</p>
            {(can_verify && n > 0).then(|| {
                let ids = ids.clone();
                view! {
                    <button type="button" class="button" disabled=move || decide.pending().get()
                        on:click=move |_| { decide.dispatch(DecideInput { program_id: pid, student_id: sid, entry_ids: ids.clone(), decision: "approve".into(), reason: String::new() }); }>
                        {format!("Approve {n} entr{} ({} h)", if n == 1 { "y" } else { "ies" }, w.pending_hours)}
                    </button>
                }
            })}
            {if n > 0 {
                view! {
                    <ul class="plain-list entries">
                        {w.entries.into_iter().map(|e| view! { <EntryItem e a/> }).collect_view()}
                    </ul>
                }.into_any()
            } else {
                // Decided weeks fold away: a phone shows what still needs doing.
                let count = w.entries.len();
                view! {
                    <details>
                        <summary>{format!("{count} entr{}", if count == 1 { "y" } else { "ies" })}</summary>
                        <ul class="plain-list entries">
                            {w.entries.into_iter().map(|e| view! { <EntryItem e a/> }).collect_view()}
                        </ul>
                    </details>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn EntryItem(e: EntryView, a: HoursActions) -> impl IntoView {
    let HoursActions { pid, sid, can_verify, can_log, can_correct, decide, withdraw, correct } = a;
    let pending = e.status == EntryStatus::Pending;
    let approved = e.status == EntryStatus::Approved;
    let id = e.id;
    let reason = RwSignal::new(String::new());
    let reason_id = format!("return-reason-{id}");
    view! {
        <li class="entry" data-testid="hours-entry">
            <p>
                <strong>{e.day.clone()}</strong>
                {(!e.times.is_empty()).then(|| format!(" · {}", e.times))}
                {format!(" · {} h ", e.hours)}
                <span class=status_class(e.status)>{e.status_label.clone()}</span>
            </p>
            <p>{e.activities.clone()}</p>
            {(!e.codes.is_empty()).then(|| view! { <p class="meta">"Practised: "<span class="code">{e.codes.clone()}</span></p> })}
            {e.decided.clone().map(|d| view! { <p class="meta">{d}{e.reason.clone().map(|r| format!(": {r}"))}</p> })}
            {e.corrects_id.map(|c| view! { <p class="meta">{format!("Corrects entry {c}")}</p> })}
            {(can_log && pending).then(|| view! {
                <button type="button" class="button button-small button-secondary" on:click=move |_| { withdraw.dispatch((pid, id)); }>
                    "Withdraw"<span class="visually-hidden">{format!(" {}", e.day)}</span>
                </button>
            })}
            {(can_verify && pending).then(|| view! {
                <button type="button" class="button button-small" on:click=move |_| {
                    decide.dispatch(DecideInput { program_id: pid, student_id: sid, entry_ids: vec![id], decision: "approve".into(), reason: String::new() });
                }>"Approve"<span class="visually-hidden">{format!(" {}", e.day)}</span></button>
                <details>
                    <summary>"Return to the student"</summary>
                    <form on:submit=move |ev| {
                        ev.prevent_default();
                        decide.dispatch(DecideInput { program_id: pid, student_id: sid, entry_ids: vec![id], decision: "return".into(), reason: reason.get_untracked() });
                    }>
                        <div class="field">
                            <label for=reason_id.clone()>"What should the student fix?"</label>
                            <input id=reason_id.clone() name="reason" type="text" required minlength=crate::domain::reason::MIN_REASON_CHARS maxlength=crate::domain::reason::MAX_REASON_CHARS
                                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                            <p class="field-error" aria-live="polite">
                                {move || decide.value().get().and_then(|r| r.err()).and_then(|e| e.for_field("reason"))}
                            </p>
                        </div>
                        <button type="submit" class="button button-small">"Return"</button>
                    </form>
                </details>
            })}
            {(can_correct && approved).then(|| view! { <CorrectForm e=e.clone() pid sid correct/> })}
        </li>
    }
}

#[component]
fn CorrectForm(e: EntryView, pid: ProgramId, sid: UserId, correct: ServerAction<CorrectHours>) -> impl IntoView {
    let open = RwSignal::new(false);
    let error = last_error(correct.value());
    let (start, end) = e.times.split_once('–').map(|(s, t)| (s.to_string(), t.to_string())).unwrap_or_default();
    let hours = if e.times.is_empty() { e.hours.clone() } else { String::new() };
    let day = e.day.clone();
    view! {
        <button type="button" class="button button-small button-secondary" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
            "Correct"<span class="visually-hidden">{format!(" {day}")}</span>
        </button>
        {move || open.get().then(|| {
            let (e, start, end, hours) = (e.clone(), start.clone(), end.clone(), hours.clone());
            view! {
            <ActionForm action=correct>
                <input type="hidden" name="program_id" value=pid/>
                <input type="hidden" name="student_id" value=sid/>
                <input type="hidden" name="entry_id" value=e.id/>
                <Field label="Day" name="date" kind="date" error value=e.date.clone()/>
                <Field label="Start" name="start" kind="time" error required=false value=start.clone()/>
                <Field label="End" name="end" kind="time" error required=false value=end.clone()/>
                <Field label="Or hours worked" name="hours" error required=false value=hours.clone()/>
                <TextArea label="What was done" name="activities" error value=e.activities.clone()/>
                <TextArea label="Why the correction (kept with both entries)" name="reason" error/>
                <FormError error/>
                <Submit label="Save correction" busy_label="Saving…" pending=correct.pending()/>
            </ActionForm>
            }
        })}
    }
}

#[component]
fn Evaluations(
    v_evaluations: Vec<EvaluationView>,
    pid: ProgramId,
    sid: UserId,
    can_site: bool,
    can_student: bool,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="evaluations-title">
            <h2 id="evaluations-title">"End-of-externship evaluations"</h2>
            {can_student.then(|| view! {
                <p><a class="button" href=format!("/programs/{pid}/students/{sid}/externship-evaluation?kind=of_student")>"Evaluate this student"</a></p>
            })}
            {can_site.then(|| view! {
                <p><a class="button" href=format!("/programs/{pid}/students/{sid}/externship-evaluation?kind=of_site")>"Evaluate your site"</a></p>
            })}
            {if v_evaluations.is_empty() {
                view! { <p class="empty">"None submitted yet."</p> }.into_any()
            } else {
                v_evaluations.into_iter().map(|e| view! { <EvaluationSummary e/> }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
pub fn EvaluationSummary(e: EvaluationView) -> impl IntoView {
    view! {
        <article class="evaluation">
            <h3>{e.kind_label.clone()}</h3>
            <p class="meta">{format!("{}, {}", e.author_name, e.submitted_at)}</p>
            {e.readiness.map(|r| view! { <p><strong>"Readiness: "</strong>{r.label()}</p> })}
            {e.readiness_unreadable.then(|| view! { <p class="notice notice-error">"Readiness: could not be read."</p> })}
            {match e.ratings {
                Some(ratings) => view! { <ul class="plain-list">
                    {ratings.into_iter().map(|(item, rating, comment)| view! {
                        <li>{format!("{item}: {rating}")}{(!comment.is_empty()).then(|| format!(" ({comment})"))}</li>
                    }).collect_view()}
                </ul> }.into_any(),
                None => view! { <p class="notice notice-error">"The ratings could not be read."</p> }.into_any(),
            }}
            {(!e.comments.is_empty()).then(|| view! { <p>{e.comments.clone()}</p> })}
        </article>
    }
}

/// The preceptor's pending hours, a week per student, each approved in one action.
#[component]
pub fn HoursToVerify() -> impl IntoView {
    let decide = Action::new(|input: &DecideInput| decide_hours(input.clone()));
    let groups = Resource::new(move || decide.version().get(), |_| hours_to_verify());
    let done = move || match decide.value().get() {
        Some(Ok(d)) if d.changed > 0 => Some(format!("Approved {} h.", d.hours)),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <section class="card" aria-labelledby="verify-title">
            <h2 id="verify-title">"Hours to verify"</h2>
            <p role="status" aria-live="polite" class="status-line" data-testid="verify-status">{done}</p>
            <PageData resource=groups let:list>
                {if list.is_empty() {
                    view! { <p class="empty">"Nothing waiting."</p> }.into_any()
                } else {
                    list.into_iter().map(|g| view! { <VerifyCard g decide/> }).collect_view().into_any()
                }}
            </PageData>
        </section>
    }
}

#[component]
fn VerifyCard(
    g: VerifyGroup,
    decide: Action<DecideInput, Result<crate::api::externship::Decided, AppError>>,
) -> impl IntoView {
    let n = g.entry_ids.len();
    let input = DecideInput {
        program_id: g.program_id,
        student_id: g.student_id,
        entry_ids: g.entry_ids.clone(),
        decision: "approve".into(),
        reason: String::new(),
    };
    view! {
        <article class="verify-group" data-testid="verify-group">
            <h3>{format!("{} · {}", g.student_name, g.week_label)}</h3>
            <ul class="plain-list">
                {g.entries.into_iter().map(|e| view! {
                    <li>{format!("{}{} · {} h · {}", e.day, if e.times.is_empty() { String::new() } else { format!(" {}", e.times) }, e.hours, e.activities)}</li>
                }).collect_view()}
            </ul>
            <p class="actions">
                <button type="button" class="button" disabled=move || decide.pending().get()
                    on:click=move |_| { decide.dispatch(input.clone()); }>
                    {format!("Approve {n} entr{} ({} h)", if n == 1 { "y" } else { "ies" }, g.hours)}
                    <span class="visually-hidden">{format!(" for {}", g.student_name)}</span>
                </button>
                " "
                <a href=format!("/programs/{}/students/{}/hours", g.program_id, g.student_id)>"Review or return"</a>
            </p>
        </article>
    }
}

/// A program's clinic sites and placements (directors, instructors).
#[component]
pub fn ExternshipSetupPage() -> impl IntoView {
    let pid = id_param("id");
    let add_site = ServerAction::<AddSite>::new();
    let place = ServerAction::<PlaceStudent>::new();
    let end = Action::new(|(p, id): &(ProgramId, i64)| end_placement(*p, *id));
    let data = Resource::new(
        move || (pid.get(), add_site.version().get(), place.version().get(), end.version().get()),
        |(p, ..)| async move { externship_setup(p?).await },
    );
    view! {
        <PageData resource=data title="Externship" heading="Externship sites and placements" let:v>
            <Setup v add_site place end/>
        </PageData>
    }
}

#[component]
fn Setup(
    v: ExternshipSetupView,
    add_site: ServerAction<AddSite>,
    place: ServerAction<PlaceStudent>,
    end: Action<(ProgramId, i64), Result<(), AppError>>,
) -> impl IntoView {
    let pid = v.program_id;
    let site_error = last_error(add_site.value());
    let place_error = last_error(place.value());
    let select = |label: &'static str,
                  name: &'static str,
                  options: Vec<(String, String)>,
                  optional: bool,
                  error: Signal<Option<AppError>>| {
        let id = format!("field-{name}");
        let message = Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
        view! {
            <div class="field" class:field-invalid=move || message.get().is_some()>
                <label for=id.clone()>{label}</label>
                <select id=id name=name>
                    {optional.then(|| view! { <option value="">"None"</option> })}
                    {options.into_iter().map(|(id, n)| view! { <option value=id>{n}</option> }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || message.get()}</p>
            </div>
        }
    };
    let sites: Vec<(String, String)> = v.sites.iter().map(|s| (s.id.to_string(), s.name.clone())).collect();
    let people = |list: &[(UserId, String)]| -> Vec<(String, String)> {
        list.iter().map(|(id, name)| (id.to_string(), name.clone())).collect()
    };
    view! {
        <Title text="Externship sites and placements"/>
        <p class="breadcrumb"><a href="/">"Home"</a></p>
        <h1>"Externship sites and placements"</h1>
        <p>{format!("{} requires {} externship hours unless a placement says otherwise.", v.program_name, v.required_hours)}</p>
        <section class="card" aria-labelledby="placements-title">
            <h2 id="placements-title">"Active placements"</h2>
            {if v.placements.is_empty() {
                view! { <p class="empty">"No active placements."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" role="region" aria-label="Placements" tabindex="0">
                        <table class="data-table">
                            <thead><tr><th scope="col">"Student"</th><th scope="col">"Site"</th><th scope="col">"Preceptors"</th><th scope="col">"Dates"</th><th scope="col">"Hours"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                            <tbody>
                                {v.placements.into_iter().map(|(p, student_id, student)| {
                                    let id = p.id;
                                    view! {
                                        <tr>
                                            <td><a href=format!("/programs/{pid}/students/{student_id}/hours")>{student.clone()}</a></td>
                                            <td>{p.site_name}</td>
                                            <td>{p.preceptors}</td>
                                            <td>{format!("{} to {}", p.start.unwrap_or_else(|| "?".into()), p.end.unwrap_or_else(|| "?".into()))}</td>
                                            <td>{p.required_hours}</td>
                                            <td><button type="button" class="button button-small button-secondary" on:click=move |_| { end.dispatch((pid, id)); }>
                                                "End"<span class="visually-hidden">{format!(" placement of {student}")}</span>
                                            </button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h3>"Place a student"</h3>
            <ActionForm action=place>
                <input type="hidden" name="program_id" value=pid/>
                {select("Student", "student_id", people(&v.students), false, place_error)}
                {select("Site", "site_id", sites, false, place_error)}
                {select("Preceptor", "preceptor_id", people(&v.preceptors), false, place_error)}
                {select("Second preceptor (optional)", "co_preceptor_id", people(&v.preceptors), true, place_error)}
                <div class="field-row">
                    <Field label="First day" name="start" kind="date" error=place_error/>
                    <Field label="Last day" name="end" kind="date" error=place_error/>
                </div>
                <Field label="Required hours (optional)" name="required_hours" error=place_error required=false inputmode="numeric" hint="Leave empty for the program's requirement"/>
                <FormError error=place_error/>
                <Submit label="Place student" busy_label="Saving…" pending=place.pending()/>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="sites-title">
            <h2 id="sites-title">"Clinic sites"</h2>
            <ul class="plain-list">
                {v.sites.into_iter().map(|s| view! {
                    <li><strong>{s.name}</strong>{(!s.address.is_empty()).then(|| format!(" · {}", s.address))}{(!s.contact.is_empty()).then(|| format!(" · {}", s.contact))}</li>
                }).collect_view()}
            </ul>
            <h3>"Add a site"</h3>
            <ActionForm action=add_site>
                <input type="hidden" name="program_id" value=pid/>
                <Field label="Site name" name="name" error=site_error/>
                <Field label="Address" name="address" error=site_error required=false/>
                <Field label="Contact person" name="contact_name" error=site_error required=false/>
                <Field label="Contact e-mail" name="contact_email" kind="email" error=site_error required=false/>
                <Field label="Contact phone" name="contact_phone" kind="tel" error=site_error required=false/>
                <FormError error=site_error/>
                <Submit label="Add site" busy_label="Saving…" pending=add_site.pending()/>
            </ActionForm>
        </section>
    }
}

/// The end-of-externship evaluation form (`?kind=of_student` or `of_site`).
#[component]
pub fn ExternshipEvaluationPage() -> impl IntoView {
    let (pid, sid) = (id_param("id"), id_param("student"));
    let q = use_query_map();
    let kind = Memo::new(move |_| q.read().get("kind").unwrap_or_default());
    let data = Resource::new(
        move || (pid.get(), sid.get(), kind.get()),
        |(p, s, k)| async move { externship_evaluation_form(p?, s?, k).await },
    );
    view! {
        <PageData resource=data title="Evaluation" heading="End-of-externship evaluation" let:v>
            <EvaluationFormPage v/>
        </PageData>
    }
}

#[component]
fn EvaluationFormPage(v: EvaluationFormView) -> impl IntoView {
    let of_student = v.kind == EvaluationKind::OfStudent;
    let title =
        if of_student { format!("Evaluation of {}", v.student_name) } else { format!("Evaluation of {}", v.site_name) };
    let n = v.items.len();
    let ratings: Vec<RwSignal<u8>> = (0..n).map(|_| RwSignal::new(0)).collect();
    let comments: Vec<RwSignal<String>> = (0..n).map(|_| RwSignal::new(String::new())).collect();
    let readiness = RwSignal::new(String::new());
    let overall = RwSignal::new(String::new());
    let submit = Action::new(|input: &EvaluationInput| submit_externship_evaluation(input.clone()));
    let error = Signal::derive(move || submit.value().get().and_then(|r| r.err()));
    let field_error = move |name: String| move || error.get().and_then(|e| e.for_field(&name));
    let (pid, sid, kind) = (v.program_id, v.student_id, v.kind);
    let (r2, c2) = (ratings.clone(), comments.clone());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = EvaluationForm {
            ratings: r2.iter().map(|r| r.get_untracked()).collect(),
            comments: c2.iter().map(|c| c.get_untracked()).collect(),
            readiness: Some(readiness.get_untracked()).filter(|r| !r.is_empty()),
            overall: overall.get_untracked(),
        };
        submit.dispatch(EvaluationInput { program_id: pid, student_id: sid, kind, form });
    };
    let submitted = move || matches!(submit.value().get(), Some(Ok(())));
    view! {
        <Title text=title.clone()/>
        <p class="breadcrumb"><a href=format!("/programs/{pid}/students/{sid}/hours")>"Externship hours"</a></p>
        <h1>{title}</h1>
        {match v.already {
            Some(e) => view! { <p class="notice">"You have submitted this evaluation."</p><EvaluationSummary e/> }.into_any(),
            None => view! {
                <Show when=move || !submitted() fallback=|| view! { <p class="notice notice-ok" role="status">"Thank you: your evaluation is saved."</p> }>
                    <form class="card" on:submit=on_submit.clone()>
                        {v.items.iter().enumerate().map(|(i, item)| {
                            let r = ratings[i];
                            let c = comments[i];
                            let rating_msg = field_error(format!("rating-{i}"));
                            let comment_msg = field_error(format!("comment-{i}"));
                            view! {
                                <fieldset class="field rating">
                                    <legend>{item.clone()}</legend>
                                    {RATINGS.iter().map(|(value, label)| {
                                        let value = *value;
                                        view! {
                                            <label class="choice">
                                                <input type="radio" name=format!("rating-{i}") value=value
                                                    prop:checked=move || r.get() == value on:change=move |_| r.set(value)/>
                                                {*label}
                                            </label>
                                        }
                                    }).collect_view()}
                                    <p class="field-error" aria-live="polite">{rating_msg}</p>
                                    <label for=format!("comment-{i}")>"Comment (needed for “below expectations”)"</label>
                                    <textarea id=format!("comment-{i}") rows="2" prop:value=move || c.get() on:input=move |ev| c.set(event_target_value(&ev))></textarea>
                                    <p class="field-error" aria-live="polite">{comment_msg}</p>
                                </fieldset>
                            }
                        }).collect_view()}
                        {of_student.then(|| {
                            let msg = field_error("readiness".into());
                            view! {
                                <fieldset class="field">
                                    <legend>"Overall readiness"</legend>
                                    {Readiness::ALL.into_iter().map(|r| view! {
                                        <label class="choice">
                                            <input type="radio" name="readiness" value=r.as_str()
                                                prop:checked=move || readiness.get() == r.as_str() on:change=move |_| readiness.set(r.as_str().to_string())/>
                                            {r.label()}
                                        </label>
                                    }).collect_view()}
                                    <p class="field-error" aria-live="polite">{msg}</p>
                                </fieldset>
                            }
                        })}
                        <div class="field">
                            <label for="overall">"Comments"</label>
                            <textarea id="overall" rows="4" prop:value=move || overall.get() on:input=move |ev| overall.set(event_target_value(&ev))></textarea>
                            <p class="field-error" aria-live="polite">{field_error("overall".into())}</p>
                        </div>
                        <FormError error/>
                        <Submit label="Submit evaluation" busy_label="Saving…" pending=submit.pending()/>
                    </form>
                </Show>
            }.into_any(),
        }}
    }
}
