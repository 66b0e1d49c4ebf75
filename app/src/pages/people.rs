//! A program's people (directors): members, invitations, roster import,
//! placements with preceptors, and the program's security audit log.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::people::{
    AuditView, ImportRoster, InvitePerson, ProgramPeopleView, RosterReport, program_audit, program_people,
};
use crate::components::form::{Field, FormError, Submit, last_error};
use crate::components::page_data::PageData;
use crate::domain::access::Role;
use crate::pages::id_param;

#[component]
pub fn ProgramPeoplePage() -> impl IntoView {
    let id = id_param("id");
    let invite = ServerAction::<InvitePerson>::new();
    let import = ServerAction::<ImportRoster>::new();
    let people = Resource::new(
        move || (id.get(), invite.version().get(), import.version().get()),
        |(id, ..)| async move { program_people(id?).await },
    );
    view! {
        <Title text="People"/>
        <PageData resource=people title="People" let:p>
            <People people=p invite import/>
        </PageData>
    }
}

#[component]
fn People(
    people: ProgramPeopleView,
    invite: ServerAction<InvitePerson>,
    import: ServerAction<ImportRoster>,
) -> impl IntoView {
    let program_id = people.program_id;
    let invite_error = last_error(invite.value());
    let import_error = last_error(import.value());
    let invited = move || matches!(invite.value().get(), Some(Ok(())));
    view! {
        <p class="breadcrumb"><a href="/">"Home"</a></p>
        <h1>{people.program_name.clone()}</h1>
        <p><a class="tap-link" href=format!("/programs/{program_id}/audit")>"Security audit log"</a></p>

        <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">"People"</h2>
            <div class="table-scroll" role="region" aria-labelledby="members-title" tabindex="0">
                <table class="data-table">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Cohort"</th><th scope="col">"Student id"</th><th scope="col">"E-mail"</th></tr></thead>
                    <tbody>
                        {people.members.iter().map(|m| {
                            let name = if m.role == Role::Student {
                                view! { <a href=format!("/programs/{program_id}/students/{}", m.user_id)>{m.name.clone()}</a> }.into_any()
                            } else {
                                m.name.clone().into_any()
                            };
                            view! {
                                <tr>
                                    <td>{name}</td>
                                    <td>{m.role.as_str()}</td>
                                    <td>{m.cohort.clone().unwrap_or_default()}</td>
                                    <td>{m.student_number.clone().unwrap_or_default()}</td>
                                    <td>{m.email.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>

        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">"Invite an instructor or preceptor"</h2>
            <p>"They get an e-mail with a link that signs them in. Preceptors never need a password."</p>
            <ActionForm action=invite>
                <input type="hidden" name="program_id" value=program_id/>
                <Field label="Name" name="name" autocomplete="off" error=invite_error/>
                <Field label="E-mail" name="email" kind="email" autocomplete="off" error=invite_error/>
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role">
                        <option value="preceptor">"Preceptor (externship site)"</option>
                        <option value="instructor">"Instructor"</option>
                    </select>
                </div>
                <FormError error=invite_error/>
                <Submit label="Send invitation" busy_label="Sending…" pending=invite.pending()/>
            </ActionForm>
            <p class="status-line" role="status" data-testid="invite-status">{move || invited().then_some("Invitation sent.")}</p>
        </section>

        <section class="card" aria-labelledby="roster-title">
            <h2 id="roster-title">"Import a cohort roster"</h2>
            <p>
                "Paste the roster as CSV with a header row: " <code>"name,email,student id"</code>
                ". Every row is checked first; if any row is wrong nothing is imported and each problem is listed by line."
            </p>
            <ActionForm action=import>
                <input type="hidden" name="program_id" value=program_id/>
                <Field label="Cohort" name="cohort" hint="An existing cohort's name adds to it; a new name creates it." error=import_error/>
                <div class="field">
                    <label for="roster-csv">"Roster (CSV)"</label>
                    <textarea id="roster-csv" name="csv" rows="8" required=true spellcheck="false"></textarea>
                </div>
                <FormError error=import_error/>
                <Submit label="Import roster" busy_label="Importing…" pending=import.pending()/>
            </ActionForm>
            <div role="status" aria-live="polite" data-testid="roster-report">
                {move || import.value().get().and_then(|r| r.ok()).map(|report| match report {
                    RosterReport::Imported { cohort, students_added, accounts_created, already_enrolled, offered } => view! {
                        <p class="notice notice-ok">{format!(
                            "Imported into {cohort}: {students_added} students added ({accounts_created} new accounts), {already_enrolled} already enrolled."
                        )}</p>
                        {(offered > 0).then(|| view! {
                            <p class="notice">{format!(
                                "{offered} of these already had a Checkoff account: each was e-mailed to accept the place, and joins on accepting."
                            )}</p>
                        })}
                    }.into_any(),
                    RosterReport::Rejected { problems } => view! {
                        <div class="notice notice-error">
                            <p>{format!("Nothing was imported. Fix {} problem{} and try again:", problems.len(), if problems.len() == 1 { "" } else { "s" })}</p>
                            <ul>{problems.into_iter().map(|(line, msg)| view! { <li>{format!("Line {line}: {msg}")}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any(),
                })}
            </div>
        </section>

        <section class="card" aria-labelledby="placements-title">
            <h2 id="placements-title">"Externship placements"</h2>
            <ul class="plain-list">
                {people.placements.iter().map(|p| view! {
                    <li>{format!("{} with {} at {}", p.student_name, p.preceptor_name, p.site_name)}</li>
                }).collect_view()}
            </ul>
            <p><a class="tap-link" href=format!("/programs/{program_id}/externship")>"Sites and placements"</a></p>
        </section>
    }
}

#[component]
pub fn ProgramAuditPage() -> impl IntoView {
    let id = id_param("id");
    let events = Resource::new(move || id.get(), |id| async move { program_audit(id?).await });
    view! {
        <Title text="Security audit log"/>
        <p class="breadcrumb"><a href=move || id.get().ok().map(|id| format!("/programs/{id}/people"))>"People"</a></p>
        <h1>"Security audit log"</h1>
        <PageData resource=events let:events>
            <AuditTable events/>
        </PageData>
    }
}

#[component]
pub fn AuditTable(events: Vec<AuditView>) -> impl IntoView {
    view! {
        <div class="table-scroll" role="region" aria-label="Audit events" tabindex="0">
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"When"</th><th scope="col">"Event"</th><th scope="col">"By"</th>
                    <th scope="col">"About"</th><th scope="col">"Address"</th><th scope="col">"Detail"</th>
                </tr></thead>
                <tbody>
                    {events.into_iter().map(|e| view! {
                        <tr>
                            <td>{e.at}</td>
                            <td>{e.kind}</td>
                            <td>{e.actor.unwrap_or_default()}</td>
                            <td>{e.subject.or(e.email).unwrap_or_default()}</td>
                            <td>{e.ip.unwrap_or_default()}</td>
                            <td>{e.detail}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
