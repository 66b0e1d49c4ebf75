//! Competency pages: a student's competencies (on their record), one
//! competency's history with corrections, the evaluation sheet, the printable
//! Master Competency Checklist, the lab session list and the program's
//! requirements. View only: every rule is on the server.

use crate::domain::ids::{ProgramId, UserId};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::page_data::PageData;
use crate::pages::id_param;

use crate::api::signoffs::{
    CompetencyHistoryView, CompetencyRecordView, LabSessionView, RequestSignoff, RequirementsView, SetRequirement,
    SheetView, SignEvaluation, SignInput, SignResult, VoidSignoff, competency_history, competency_record,
    evaluation_sheet, lab_session, my_requests, program_requirements, signed_result,
};
use crate::components::form::{FormError, Submit, last_error, textarea_text};
use crate::domain::competency::{CompetencyStatus, Setting};
use crate::domain::evaluation::StepMark;

fn param(name: &'static str) -> Memo<String> {
    let p = use_params_map();
    Memo::new(move |_| p.read().get(name).unwrap_or_default())
}

fn query(name: &'static str) -> Memo<Option<String>> {
    let q = use_query_map();
    Memo::new(move |_| q.read().get(name).filter(|s| !s.is_empty()))
}

#[component]
pub fn StatusBadge(status: CompetencyStatus) -> impl IntoView {
    view! { <span class=format!("badge {}", status.css())>{status.label()}</span> }
}

/// The competency section of a student's record.
#[component]
pub fn CompetencySection(program_id: ProgramId, student_id: UserId) -> impl IntoView {
    let ask = ServerAction::<RequestSignoff>::new();
    let record = Resource::new(move || ask.version().get(), move |_| competency_record(program_id, student_id));
    let ask_error = last_error(ask.value());
    view! {
        <section class="card" aria-labelledby="competencies-title">
            <h2 id="competencies-title">"Competencies"</h2>
            <PageData resource=record loading="Loading competencies…" let:rec>
                <CompetencyTable rec ask/>
            </PageData>
            <p class="status-line" role="status" data-testid="request-status">
                {move || match ask.value().get() {
                    Some(Ok(preceptor)) => format!("Request sent to {preceptor}. They get an e-mail with a link to sign it off."),
                    _ => String::new(),
                }}
            </p>
            <FormError error=ask_error/>
        </section>
    }
}

#[component]
fn CompetencyTable(rec: CompetencyRecordView, ask: ServerAction<RequestSignoff>) -> impl IntoView {
    let (pid, sid) = (rec.program_id, rec.student_id);
    let complete = rec.complete();
    let total = rec.rows.len();
    let remaining = total - complete;
    let can_ask = rec.viewer_is_student && rec.preceptor_name.is_some();
    let evaluates = rec.viewer_evaluates;
    view! {
        <p data-testid="competency-summary">
            {format!("{complete} of {total} competencies complete; {remaining} to go.")}
        </p>
        <progress max=total value=complete aria-labelledby="competencies-title">{format!("{complete}/{total}")}</progress>
        {rec.preceptor_name.clone().map(|p| view! {
            <p class="meta">{format!("Externship preceptor: {p}{}", rec.site_name.clone().map(|s| format!(", {s}")).unwrap_or_default())}</p>
        })}
        <p class="meta">
            <a class="tap-link" href=format!("/programs/{pid}/students/{sid}/checklist")>"Master Competency Checklist (printable)"</a>
            " · "
            <a class="tap-link" href=format!("/programs/{pid}/students/{sid}/checklist.csv") download="">"CSV"</a>
        </p>
        <div class="table-scroll" role="region" aria-label="Competencies" tabindex="0">
            <table class="data-table" data-testid="competency-table">
                <thead>
                    <tr>
                        <th scope="col">"Competency"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Passes"</th>
                        <th scope="col">"Completed"</th>
                        <th scope="col"><span class="visually-hidden">"Action"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rec.rows.into_iter().map(|r| {
                        let history = format!("/programs/{pid}/students/{sid}/competencies/{}", r.competency.code);
                        let evaluate = format!("/programs/{pid}/students/{sid}/evaluate/{}", r.competency.code);
                        let show_ask = can_ask && r.externship_allowed && r.competency.status != CompetencyStatus::Complete && !r.request_open;
                        let code = r.competency.code.clone();
                        view! {
                            <tr data-code=r.competency.code.clone()>
                                <td>
                                    <a href=history><span class="code">{r.competency.code.clone()}</span>" "{r.competency.title.clone()}</a>
                                    <span class="meta">{format!(" · {}", r.competency.domain.as_str())}</span>
                                </td>
                                <td><StatusBadge status=r.competency.status/></td>
                                <td>{format!("{} of {} ({})", r.competency.counted_passes, r.competency.required_passes, r.competency.where_label)}</td>
                                <td>{r.completed_on.clone().map(|d| format!("{d}, {}", r.completed_by.clone().unwrap_or_default())).unwrap_or_else(|| "–".into())}</td>
                                <td>
                                    {r.request_open.then(|| view! { <span class="badge badge-muted">"Requested"</span> })}
                                    {show_ask.then(|| view! {
                                        <ActionForm action=ask>
                                            <input type="hidden" name="program_id" value=pid/>
                                            <input type="hidden" name="code" value=code.clone()/>
                                            <button type="submit" class="button button-small" disabled=move || ask.pending().get()>
                                                "Ask preceptor"<span class="visually-hidden">{format!(" to sign off {}", r.competency.title)}</span>
                                            </button>
                                        </ActionForm>
                                    })}
                                    {evaluates.then(|| view! {
                                        <a class="button button-small" href=evaluate>"Evaluate"<span class="visually-hidden">{format!(" {}", r.competency.code)}</span></a>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Every record of one competency for one student, newest first.
#[component]
pub fn CompetencyHistoryPage() -> impl IntoView {
    let (pid, sid, code) = (id_param("id"), id_param("student"), param("code"));
    let void = ServerAction::<VoidSignoff>::new();
    let history = Resource::new(
        move || (pid.get(), sid.get(), code.get(), void.version().get()),
        |(p, s, c, _)| async move { competency_history(p?, s?, c).await },
    );
    view! {
        <PageData resource=history title="Competency" let:h>
            <History h void/>
        </PageData>
    }
}

#[component]
fn History(h: CompetencyHistoryView, void: ServerAction<VoidSignoff>) -> impl IntoView {
    let error = last_error(void.value());
    let pid = h.program_id;
    view! {
        <Title text=format!("{} · {}", h.competency.code, h.student_name)/>
        <p class="breadcrumb"><a href=format!("/programs/{}/students/{}", h.program_id, h.student_id)>{h.student_name.clone()}</a></p>
        <h1><span class="code">{h.competency.code.clone()}</span>" "{h.competency.title.clone()}</h1>
        <p>
            <StatusBadge status=h.competency.status/>
            {format!(" {} of {} successful attempts ({}).", h.competency.counted_passes, h.competency.required_passes, h.competency.where_label)}
        </p>
        {h.records.is_empty().then(|| view! { <p class="empty">"No attempt recorded yet."</p> })}
        <FormError error/>
        <ol class="plain-list record-list">
            {h.records.into_iter().map(|r| {
                let heading = if r.is_void {
                    format!("Correction: voids record {}", r.voids_id.unwrap_or_default())
                } else if r.passed {
                    format!("Passed · {}%", r.score_percent)
                } else {
                    format!("Not passed · {}%", r.score_percent)
                };
                let class = if r.is_void || r.voided_by.is_some() { "card record record-void" } else if r.passed { "card record record-pass" } else { "card record record-fail" };
                let reason_error = Signal::derive(move || error.get().and_then(|e| e.for_field("reason")));
                view! {
                    <li class=class id=format!("record-{}", r.id)>
                        <h2 class="record-title">{heading}</h2>
                        <p class="meta">
                            {format!("Record {} · {} · {} ({}) · {}", r.id, r.signed_at, r.evaluator_name, r.evaluator_role, r.setting)}
                        </p>
                        {r.voided_by.map(|v| view! { <p class="notice notice-warn">{format!("Voided by record {v}: it no longer counts.")}</p> })}
                        {r.reason.clone().map(|reason| view! { <p><strong>"Reason: "</strong>{reason}</p> })}
                        {r.steps.is_none().then(|| view! {
                            <p class="notice notice-error">"The steps of this record could not be read. The problem has been logged; the record itself is kept."</p>
                        })}
                        {r.steps.as_ref().filter(|steps| !steps.is_empty()).map(|steps| view! {
                            <ol class="step-results">
                                {steps.iter().map(|s| view! {
                                    <li class:step-missed=!s.met>
                                        <span class="step-mark" aria-hidden="true">{if s.met { "✓" } else { "✗" }}</span>
                                        <span class="visually-hidden">{if s.met { "Met: " } else { "Not met: " }}</span>
                                        {s.text.clone()}
                                        {s.critical.then(|| view! { <span class="badge badge-critical">"Critical"</span> })}
                                        {(!s.comment.is_empty()).then(|| view! { <span class="step-comment">{format!(" – {}", s.comment)}</span> })}
                                    </li>
                                }).collect_view()}
                            </ol>
                        })}
                        {(!r.comment.is_empty()).then(|| view! { <p><strong>"Comment: "</strong>{r.comment.clone()}</p> })}
                        <p class="attestation">{r.attestation.clone()}</p>
                        <p class="meta">
                            {format!("Checklist version {}{}", r.checklist_version, if r.current_checklist { " (current)" } else { " (an earlier version)" })}
                        </p>
                        {r.may_correct.then(|| view! {
                            <details class="correction">
                                <summary>"Record a correction"</summary>
                                <p class="hint">"This adds a record voiding this one. Both stay on the record."</p>
                                <ActionForm action=void>
                                    <input type="hidden" name="program_id" value=pid/>
                                    <input type="hidden" name="signoff_id" value=r.id/>
                                    <div class="field" class:field-invalid=move || reason_error.get().is_some()>
                                        <label for=format!("reason-{}", r.id)>"Reason"</label>
                                        <textarea id=format!("reason-{}", r.id) name="reason" required=true rows="3"
                                            aria-invalid=move || reason_error.get().is_some().then_some("true")></textarea>
                                        <p class="field-error" aria-live="polite">{move || reason_error.get()}</p>
                                    </div>
                                    <Submit label="Void this record" busy_label="Saving…" pending=void.pending()/>
                                </ActionForm>
                            </details>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// The evaluation sheet: tick each step performed correctly, confirm the
/// attestation, sign. Built for a phone in a clinic corridor: one button
/// marks every step, the result is computed by the server and shown at once.
///
/// It is also a plain HTML form posted to this page's own address, so it
/// works as soon as its HTML arrives, before the browser bundle (or without
/// JavaScript): see `server::no_script`. Ticks and text entered before the
/// bundle arrives are kept when it does, and counted.
#[component]
pub fn EvaluatePage() -> impl IntoView {
    let (pid, sid, code) = (id_param("id"), id_param("student"), param("code"));
    let lab = query("lab");
    let signed = query("signed");
    let sheet = Resource::new(
        move || (pid.get(), sid.get(), code.get()),
        |(p, s, c)| async move { evaluation_sheet(p?, s?, c).await },
    );
    let result = Resource::new(
        move || (pid.get(), sid.get(), code.get(), signed.get().and_then(|s| s.parse::<i64>().ok())),
        |(p, s, c, signed)| async move {
            match signed {
                Some(id) => signed_result(p?, s?, c, id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <PageData resource=sheet title="Evaluate" loading="Loading the checklist…" let:sheet>
            <PageData resource=result title="Evaluate" loading="Loading the result…" let:signed>
                <Sheet sheet=sheet.clone() lab=lab.get().is_some() signed/>
            </PageData>
        </PageData>
    }
}

/// In a lab session, the next student not yet complete on this competency
/// after `sid` (asked once the result is in, so it reflects this sign-off).
async fn next_in_lab(pid: ProgramId, sid: UserId, code: String) -> Option<(String, String)> {
    let list = lab_session(pid, Some(code.clone())).await.ok()?;
    let after = list.students.iter().position(|s| s.student_id == sid).map_or(0, |i| i + 1);
    list.students
        .iter()
        .cycle()
        .skip(after)
        .take(list.students.len())
        .find(|s| s.student_id != sid && s.status != CompetencyStatus::Complete)
        .map(|s| (s.name.clone(), format!("/programs/{pid}/students/{}/evaluate/{code}?lab=1", s.student_id)))
}

/// A form control's state as the DOM holds it: after hydration, what was
/// ticked or typed before the bundle arrived is read back into the signals
/// (a reactive `checked`/`value` binding would have reset it).
fn sync_checked(node: NodeRef<leptos::html::Input>, signal: RwSignal<bool>) {
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            signal.set(el.checked());
        }
    });
}

fn sync_text(node: NodeRef<leptos::html::Textarea>, signal: RwSignal<String>) {
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            signal.set(el.value());
        }
    });
}

#[component]
fn Sheet(sheet: SheetView, lab: bool, signed: Option<SignResult>) -> impl IntoView {
    let n = sheet.steps.len();
    // Where a plain-form submission left off, when the server showed the
    // page again with its error.
    let echo = sheet.echo.clone();
    let echoed_mark = |i: usize| echo.as_ref().and_then(|e| e.marks.get(i)).cloned().unwrap_or_default();
    let met: Vec<RwSignal<bool>> = (0..n).map(|i| RwSignal::new(echoed_mark(i).met)).collect();
    let comments: Vec<RwSignal<String>> = (0..n).map(|i| RwSignal::new(echoed_mark(i).comment)).collect();
    let met_refs: Vec<NodeRef<leptos::html::Input>> = (0..n).map(|_| NodeRef::new()).collect();
    let comment_refs: Vec<NodeRef<leptos::html::Textarea>> = (0..n).map(|_| NodeRef::new()).collect();
    let comment = RwSignal::new(echo.as_ref().map(|e| e.comment.clone()).unwrap_or_default());
    let comment_ref = NodeRef::<leptos::html::Textarea>::new();
    let attested = RwSignal::new(echo.as_ref().is_some_and(|e| e.attested));
    let attest_ref = NodeRef::<leptos::html::Input>::new();
    for i in 0..n {
        sync_checked(met_refs[i], met[i]);
        sync_text(comment_refs[i], comments[i]);
    }
    sync_text(comment_ref, comment);
    sync_checked(attest_ref, attested);
    // The server sends a sheet only to someone who may sign in some setting.
    let first_setting = sheet.settings.first().copied().unwrap_or(Setting::Lab);
    let setting = RwSignal::new(
        echo.as_ref().and_then(|e| e.setting).filter(|s| sheet.settings.contains(s)).unwrap_or(first_setting),
    );
    let sign = ServerAction::<SignEvaluation>::new();
    // The error of the last submission: this page's own, or the plain
    // form's that the server sent the page back with.
    let echoed_error = echo.as_ref().and_then(|e| e.error.clone());
    let error = Signal::derive(move || match sign.value().get() {
        Some(result) => result.err(),
        None => echoed_error.clone(),
    });
    let field_error = move |name: String| Signal::derive(move || error.get().and_then(|e| e.for_field(&name)));
    let steps = sheet.steps.clone();
    let tally = {
        let met = met.clone();
        let steps = steps.clone();
        move || {
            let done = met.iter().filter(|m| m.get()).count();
            let critical_missed = steps.iter().zip(&met).filter(|(s, m)| s.critical && !m.get()).count();
            (done, critical_missed)
        }
    };
    let submit = {
        let (met, comments) = (met.clone(), comments.clone());
        let sheet = sheet.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let marks = met
                .iter()
                .zip(&comments)
                .map(|(m, c)| StepMark { met: m.get_untracked(), comment: c.get_untracked() })
                .collect();
            sign.dispatch(SignEvaluation {
                input: SignInput {
                    program_id: sheet.program_id,
                    student_id: sheet.student_id,
                    code: sheet.code.clone(),
                    setting: setting.get_untracked(),
                    checklist_version: sheet.checklist_version.clone(),
                    marks,
                    comment: comment.get_untracked(),
                    attested: attested.get_untracked(),
                    request_id: sheet.request_id,
                },
            });
        }
    };
    // With the bundle: ticks every box here. Without it, the button posts
    // the form with intent=mark-all and the server sends the sheet back with
    // every box ticked (nothing is signed).
    let mark_all = {
        let (met, met_refs) = (met.clone(), met_refs.clone());
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            for (m, r) in met.iter().zip(&met_refs) {
                m.set(true);
                if let Some(el) = r.get_untracked() {
                    el.set_checked(true);
                }
            }
        }
    };
    let (pid, sid, code) = (sheet.program_id, sheet.student_id, sheet.code.clone());
    let record_path = format!("/programs/{pid}/students/{sid}");
    let lab_path = format!("/programs/{pid}/lab?code={code}");
    let action_path = format!(
        "/programs/{pid}/students/{sid}/evaluate/{}{}",
        crate::domain::redirect::percent_encode(&code),
        if lab { "?lab=1" } else { "" }
    );
    let affective = sheet.affective;
    let attest_error = field_error("attest".into());
    let steps_error = field_error("steps".into());
    let setting_error = field_error("setting".into());
    let step_word = if affective { "behaviours meet expectation" } else { "steps performed" };
    // The result: of this page's submission, or of the plain form's (the
    // page it was redirected to).
    let result = Signal::derive(move || sign.value().get().and_then(Result::ok).or_else(|| signed.clone()));
    let next_student = {
        let code = code.clone();
        Resource::new(
            move || (lab, result.with(Option::is_some)),
            move |(lab, done)| {
                let code = code.clone();
                async move { if lab && done { next_in_lab(pid, sid, code).await } else { None } }
            },
        )
    };
    let next_student = Signal::derive(move || next_student.get().flatten());
    view! {
        <Title text=format!("Evaluate {} · {}", sheet.code, sheet.student_name)/>
        <p class="breadcrumb">{sheet.program_name.clone()}</p>
        <h1><span class="code">{sheet.code.clone()}</span>" "{sheet.title.clone()}</h1>
        <p class="lede">{format!("Student: {}", sheet.student_name)}" "<StatusBadge status=sheet.status/></p>
        {sheet.request_id.is_some().then(|| view! { <p class="notice">"The student asked you to sign this off."</p> })}
        <Show
            when=move || result.with(Option::is_none)
            fallback=move || {
                let next = next_student.get();
                view! { {result.get().map(|r| view! { <ResultCard r record_path=record_path.clone() lab_path=lab.then(|| lab_path.clone()) next/> })} }
            }
        >
            <form class="card evaluation" method="post" action=action_path.clone() on:submit=submit.clone() novalidate>
                <input type="hidden" name="checklist_version" value=sheet.checklist_version.clone()/>
                {sheet.request_id.map(|id| view! { <input type="hidden" name="request_id" value=id.to_string()/> })}
                <div class="sheet-tools">
                    <button type="submit" name="intent" value="mark-all" class="button button-secondary" on:click=mark_all.clone()>
                        {if affective { "All behaviours meet expectation" } else { "Mark every step performed" }}
                    </button>
                    <p class="status-line" role="status" aria-live="polite" data-testid="tally">
                        {let tally = tally.clone(); move || {
                            let (done, critical_missed) = tally();
                            let mut s = format!("{done} of {n} {step_word}");
                            if critical_missed > 0 && !affective {
                                s.push_str(&format!(" · {critical_missed} critical not yet marked"));
                            }
                            s
                        }}
                    </p>
                </div>
                <fieldset>
                    <legend>{if affective { "Behaviours (tick each that meets expectation)" } else { "Procedure steps (tick each performed correctly)" }}</legend>
                    <p class="field-error" aria-live="polite">{move || steps_error.get()}</p>
                    <ol class="checklist">
                        {steps.iter().enumerate().map(|(i, s)| {
                            let m = met[i];
                            let c = comments[i];
                            let (m_ref, c_ref) = (met_refs[i], comment_refs[i]);
                            let id = format!("step-{i}");
                            let comment_id = format!("comment-{i}");
                            let err = field_error(format!("comment_{i}"));
                            // Open when there is something to show: an
                            // affective sheet's comments, an error, text.
                            let open = affective || !c.get_untracked().is_empty() || err.get_untracked().is_some();
                            view! {
                                <li class="checklist-step" class:step-critical=s.critical>
                                    <input type="checkbox" id=id.clone() name="step" value=i.to_string() node_ref=m_ref
                                        checked=m.get_untracked() on:change=move |ev| m.set(event_target_checked(&ev))/>
                                    <label for=id>
                                        {s.text.clone()}
                                        {s.critical.then(|| view! { <span class="badge badge-critical">"Critical"</span> })}
                                    </label>
                                    {s.note.clone().map(|note| view! { <p class="hint">{note}</p> })}
                                    <details class="step-comment-box" open=open>
                                        <summary>{if affective { "Comment (required if not met)" } else { "Comment" }}</summary>
                                        <label for=comment_id.clone() class="visually-hidden">{format!("Comment on: {}", s.text)}</label>
                                        <textarea id=comment_id name=format!("comment_{i}") rows="2" node_ref=c_ref
                                            on:input=move |ev| c.set(event_target_value(&ev))
                                            aria-invalid=move || err.get().is_some().then_some("true")>{textarea_text(c.get_untracked())}</textarea>
                                        <p class="field-error" aria-live="polite">{move || err.get()}</p>
                                    </details>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </fieldset>
                {(sheet.settings.len() > 1).then(|| view! {
                    <fieldset>
                        <legend>"Where did you observe it?"</legend>
                        {sheet.settings.iter().map(|&s| {
                            let label = match s { Setting::Lab => "Campus lab", Setting::Externship => "Externship site" };
                            view! {
                                <label class="radio">
                                    <input type="radio" name="setting" value=s.as_str() checked=setting.get_untracked() == s on:change=move |_| setting.set(s)/>
                                    {label}
                                </label>
                            }
                        }).collect_view()}
                        <p class="field-error" aria-live="polite">{move || setting_error.get()}</p>
                    </fieldset>
                })}
                {(sheet.settings.len() == 1).then(|| view! {
                    <input type="hidden" name="setting" value=first_setting.as_str()/>
                    <p class="meta">{format!("Setting: {}", if first_setting == Setting::Lab { "campus lab" } else { "externship site" })}</p>
                })}
                <div class="field">
                    <label for="overall-comment">"Comment for the student (optional)"</label>
                    <textarea id="overall-comment" name="comment" rows="3" node_ref=comment_ref
                        on:input=move |ev| comment.set(event_target_value(&ev))>{textarea_text(comment.get_untracked())}</textarea>
                </div>
                <div class="field attest" class:field-invalid=move || attest_error.get().is_some()>
                    <input type="checkbox" id="attest" name="attest" value="on" node_ref=attest_ref
                        checked=attested.get_untracked() on:change=move |ev| attested.set(event_target_checked(&ev))
                        aria-describedby="attest-error"/>
                    <label for="attest">{sheet.attestation.clone()}</label>
                    <p class="field-error" id="attest-error" aria-live="polite">{move || attest_error.get()}</p>
                </div>
                <FormError error/>
                <Submit label="Sign" busy_label="Signing…" pending=sign.pending()/>
                <p class="hint">"The result is computed from your marks: every critical step, and "{format!("{}%", sheet.pass_percent)}" of all steps, must be met. Your name, the time and this checklist's version are recorded."</p>
            </form>
        </Show>
    }
}

#[component]
fn ResultCard(
    r: SignResult,
    record_path: String,
    lab_path: Option<String>,
    next: Option<(String, String)>,
) -> impl IntoView {
    view! {
        <section class=if r.passed { "card result result-pass" } else { "card result result-fail" } role="status" aria-live="polite" data-testid="sign-result">
            <h2>{if r.passed { "Signed: passed" } else { "Signed: not passed" }}</h2>
            <p>{format!("{} of {} steps met ({}%). Record {} is stored.", r.steps_met, r.steps_total, r.score_percent, r.id)}</p>
            {(!r.critical_missed.is_empty()).then(|| view! {
                <div class="notice notice-error">
                    <p><strong>"Critical step missed:"</strong></p>
                    <ul>{r.critical_missed.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            {(!r.not_met.is_empty()).then(|| view! {
                <div class="notice notice-warn">
                    <p><strong>"Did not meet expectation:"</strong></p>
                    <ul>{r.not_met.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            <p>"Standing now: "<StatusBadge status=r.status/></p>
            <p class="link-row">
                {next.map(|(name, href)| view! { <a class="button" href=href>{format!("Next: {name}")}</a> })}
                {lab_path.map(|p| view! { <a class="tap-link" href=p>"Back to the lab session"</a> })}
                <a class="tap-link" href=record_path>"Student's record"</a>
                " "
                <a class="tap-link" href="/">"Home"</a>
            </p>
        </section>
    }
}

/// The Master Competency Checklist: what a site surveyor asks to see.
#[component]
pub fn MasterChecklistPage() -> impl IntoView {
    let (pid, sid) = (id_param("id"), id_param("student"));
    let record = Resource::new(move || (pid.get(), sid.get()), |(p, s)| async move { competency_record(p?, s?).await });
    view! {
        <PageData resource=record title="Master Competency Checklist" let:rec>
            <MasterChecklist rec/>
        </PageData>
    }
}

#[component]
pub fn MasterChecklist(rec: CompetencyRecordView) -> impl IntoView {
    let (pid, sid) = (rec.program_id, rec.student_id);
    let complete = rec.complete();
    let total = rec.rows.len();
    view! {
        <Title text=format!("Master Competency Checklist · {}", rec.student_name)/>
        <div class="printable">
            <p class="breadcrumb no-print"><a href=format!("/programs/{pid}/students/{sid}")>{rec.student_name.clone()}</a></p>
            <h1>"Master Competency Checklist"</h1>
            <dl class="facts">
                <dt>"Program"</dt><dd>{rec.program_name.clone()}</dd>
                <dt>"Student"</dt><dd>{rec.student_name.clone()}</dd>
                <dt>"Student id"</dt><dd>{rec.student_number.clone().unwrap_or_else(|| "–".into())}</dd>
                <dt>"Cohort"</dt><dd>{rec.cohort.clone().unwrap_or_else(|| "–".into())}</dd>
                <dt>"Complete"</dt><dd>{format!("{complete} of {total}")}</dd>
                <dt>"Printed"</dt><dd>{rec.generated_at.clone()}</dd>
            </dl>
            <p class="no-print">
                <a class="button" href=format!("/programs/{pid}/students/{sid}/checklist.csv") download="">"Download CSV"</a>
                " Use your browser's Print command for a paper copy."
            </p>
            <table class="data-table checklist-table">
                <thead>
                    <tr>
                        <th scope="col">"Code"</th>
                        <th scope="col">"Competency"</th>
                        <th scope="col">"Domain"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Passed on (UTC)"</th>
                        <th scope="col">"Setting"</th>
                        <th scope="col">"Evaluator"</th>
                    </tr>
                </thead>
                <tbody>
                    {rec.rows.into_iter().map(|r| view! {
                        <tr>
                            <td class="code">{r.competency.code}</td>
                            <td>{r.competency.title}</td>
                            <td>{r.competency.domain.as_str()}</td>
                            <td>{format!("{} ({} of {})", r.competency.status.label(), r.competency.counted_passes, r.competency.required_passes)}</td>
                            <td>{r.completed_on.unwrap_or_default()}</td>
                            <td>{r.completed_setting.map(|s| s.label())}</td>
                            <td>{r.completed_by.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="signature-lines">
                <p>"Program director: ______________________________ Date: ____________"</p>
            </div>
        </div>
    }
}

/// An instructor's lab session: every student on one competency.
#[component]
pub fn LabSessionPage() -> impl IntoView {
    let pid = id_param("id");
    let code = query("code");
    let view_data = Resource::new(move || (pid.get(), code.get()), |(p, c)| async move { lab_session(p?, c).await });
    view! {
        <PageData resource=view_data title="Lab session" let:v>
            <LabSession v/>
        </PageData>
    }
}

#[component]
fn LabSession(v: LabSessionView) -> impl IntoView {
    let pid = v.program_id;
    let code = v.code.clone();
    let done = v.students.iter().filter(|s| s.status == CompetencyStatus::Complete).count();
    let total = v.students.len();
    view! {
        <Title text=format!("Lab session · {}", v.code)/>
        <p class="breadcrumb">{v.program_name.clone()}</p>
        <h1>"Lab session"</h1>
        <form method="get" class="card inline-form">
            <div class="field">
                <label for="code">"Competency"</label>
                <select id="code" name="code">
                    {v.competencies.iter().map(|(c, t)| view! {
                        <option value=c.clone() selected=*c == code>{format!("{c} {t}")}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button button-secondary">"Show"</button>
        </form>
        <h2><span class="code">{v.code.clone()}</span>" "{v.title.clone()}</h2>
        <p>{format!("{done} of {total} students complete.")}</p>
        {(!v.can_evaluate).then(|| view! { <p class="notice">"Only the program's instructors evaluate in the lab, for competencies the lab may sign off."</p> })}
        <div class="table-scroll" role="region" aria-label="Students" tabindex="0">
            <table class="data-table" data-testid="lab-table">
                <thead><tr><th scope="col">"Student"</th><th scope="col">"Cohort"</th><th scope="col">"Status"</th><th scope="col">"Passes"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                <tbody>
                    {v.students.into_iter().map(|s| {
                        let code = code.clone();
                        view! {
                            <tr>
                                <td><a href=format!("/programs/{pid}/students/{}/competencies/{code}", s.student_id)>{s.name.clone()}</a></td>
                                <td>{s.cohort.clone().unwrap_or_default()}</td>
                                <td><StatusBadge status=s.status/></td>
                                <td>{format!("{} of {} · {} attempts", s.counted_passes, s.required_passes, s.attempts)}</td>
                                <td>{v.can_evaluate.then(|| view! {
                                    <a class="button button-small" href=format!("/programs/{pid}/students/{}/evaluate/{code}?lab=1", s.student_id)>
                                        "Evaluate"<span class="visually-hidden">{format!(" {}", s.name)}</span>
                                    </a>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The program's requirement per competency; directors change them.
#[component]
pub fn RequirementsPage() -> impl IntoView {
    let pid = id_param("id");
    let save = ServerAction::<SetRequirement>::new();
    let data = Resource::new(
        move || (pid.get(), save.version().get()),
        |(p, _)| async move { program_requirements(p?).await },
    );
    view! {
        <PageData resource=data title="Competency requirements" let:v>
            <Requirements v save/>
        </PageData>
    }
}

#[component]
fn Requirements(v: RequirementsView, save: ServerAction<SetRequirement>) -> impl IntoView {
    let error = last_error(save.value());
    let pid = v.program_id;
    view! {
        <Title text="Competency requirements"/>
        <p class="breadcrumb">{v.program_name.clone()}</p>
        <h1>"Competency requirements"</h1>
        <crate::pages::editions::FrameworkEditions program_id=pid/>
        <h2>"Requirements"</h2>
        <p>"How many successful attempts each competency needs, and where they may be observed. The framework's default applies unless the program sets its own."</p>
        <div aria-live="polite">
            {move || error.get().map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })}
        </div>
        <div class="table-scroll" role="region" aria-label="Requirements" tabindex="0">
            <table class="data-table">
                <thead><tr><th scope="col">"Competency"</th><th scope="col">"Default"</th><th scope="col">"This program"</th></tr></thead>
                <tbody>
                    {v.rows.into_iter().map(|r| {
                        let current = r.program.unwrap_or(r.default);
                        let id = r.code.replace('.', "-");
                        view! {
                            <tr>
                                <td><span class="code">{r.code.clone()}</span>" "{r.title.clone()}</td>
                                <td>{format!("{} × {}", r.default.attempts, r.default.setting.label())}</td>
                                <td>
                                    {if v.can_edit {
                                        view! {
                                            <ActionForm action=save attr:class="inline-form">
                                                <input type="hidden" name="program_id" value=pid/>
                                                <input type="hidden" name="code" value=r.code.clone()/>
                                                <label for=format!("attempts-{id}") class="visually-hidden">{format!("Successful attempts for {}", r.code)}</label>
                                                <input id=format!("attempts-{id}") name="attempts" type="number" min="1" max="50" inputmode="numeric" value=current.attempts.to_string() class="input-narrow"/>
                                                <label for=format!("setting-{id}") class="visually-hidden">{format!("Where, for {}", r.code)}</label>
                                                <select id=format!("setting-{id}") name="setting">
                                                    {["either", "lab", "externship"].into_iter().map(|s| view! {
                                                        <option value=s selected=current.setting.as_str() == s>{match s { "either" => "lab or externship", other => other }}</option>
                                                    }).collect_view()}
                                                </select>
                                                <button type="submit" class="button button-small">"Save"<span class="visually-hidden">{format!(" {}", r.code)}</span></button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! { <span>{format!("{} × {}", current.attempts, current.setting.label())}</span> }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A preceptor's open sign-off requests, on their home page.
#[component]
pub fn PendingRequests() -> impl IntoView {
    let requests = Resource::new(|| (), |_| my_requests());
    view! {
        <section class="card" aria-labelledby="requests-title">
            <h2 id="requests-title">"Sign-off requests"</h2>
            <PageData resource=requests let:list>
                {if list.is_empty() {
                    view! { <p class="empty">"No requests are waiting for you."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list link-list" data-testid="my-requests">
                            {list.into_iter().map(|q| view! {
                                <li>
                                    <a href=q.evaluate_path>{format!("{}: {} {}", q.student_name, q.code, q.title)}</a>
                                    <span class="meta">{format!(" · asked {}", q.asked_on)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </PageData>
        </section>
    }
}
