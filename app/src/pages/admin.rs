//! Site administration: programs and their first directors, the site audit
//! log, and the development mail outbox.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{CreateProgram, list_programs, outbox, site_audit};
use crate::api::people::InvitePerson;
use crate::components::form::{Field, FormError, Submit, last_error};
use crate::components::page_data::PageData;
use crate::pages::people::AuditTable;

#[component]
pub fn AdminPage() -> impl IntoView {
    let create = ServerAction::<CreateProgram>::new();
    let invite = ServerAction::<InvitePerson>::new();
    let programs = Resource::new(move || create.version().get(), |_| list_programs());
    let create_error = last_error(create.value());
    let invite_error = last_error(invite.value());
    let invited = move || matches!(invite.value().get(), Some(Ok(())));
    view! {
        <Title text="Administration"/>
        <h1>"Administration"</h1>
        <p><a class="tap-link" href="/admin/outbox">"Mail outbox"</a> " · " <a class="tap-link" href="/admin/audit">"Security audit log"</a></p>
        <PageData resource=programs let:programs>
            <section class="card" aria-labelledby="programs-title">
                <h2 id="programs-title">"Programs"</h2>
                <ul class="plain-list link-list">
                    {programs.iter().map(|p| view! {
                        <li><a href=format!("/programs/{}/people", p.id)>{p.name.clone()}</a></li>
                    }).collect_view()}
                </ul>
                <ActionForm action=create>
                    <Field label="New program's name" name="name" error=create_error/>
                    <FormError error=create_error/>
                    <Submit label="Create program" busy_label="Creating…" pending=create.pending()/>
                </ActionForm>
            </section>
            <section class="card" aria-labelledby="director-title">
                <h2 id="director-title">"Invite a program director"</h2>
                <ActionForm action=invite>
                    <input type="hidden" name="role" value="director"/>
                    <div class="field">
                        <label for="director-program">"Program"</label>
                        <select id="director-program" name="program_id">
                            {programs.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <Field label="Name" name="name" autocomplete="off" error=invite_error/>
                    <Field label="E-mail" name="email" kind="email" autocomplete="off" error=invite_error/>
                    <FormError error=invite_error/>
                    <Submit label="Send invitation" busy_label="Sending…" pending=invite.pending()/>
                </ActionForm>
                <p class="status-line" role="status">{move || invited().then_some("Invitation sent.")}</p>
            </section>
        </PageData>
    }
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    let mail = Resource::new(|| (), |_| outbox());
    view! {
        <Title text="Mail outbox"/>
        <p class="breadcrumb"><a href="/admin">"Administration"</a></p>
        <h1>"Mail outbox"</h1>
        <p class="lede">"No mail server is configured, so mail is kept here instead of being sent. Newest first."</p>
        <PageData resource=mail let:mail>
            {if mail.is_empty() {
                view! { <p class="empty">"No mail yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="plain-list outbox">
                        {mail.into_iter().map(|m| view! {
                            <li class="card outbox-mail" data-to=m.to.clone()>
                                <h2 class="outbox-subject">{m.subject}</h2>
                                <p class="meta">{format!("To {} · {}", m.to, m.at)}</p>
                                <pre class="outbox-body">{m.body}</pre>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </PageData>
    }
}

#[component]
pub fn SiteAuditPage() -> impl IntoView {
    let events = Resource::new(|| (), |_| site_audit());
    view! {
        <Title text="Security audit log"/>
        <p class="breadcrumb"><a href="/admin">"Administration"</a></p>
        <h1>"Security audit log"</h1>
        <PageData resource=events let:events>
            <AuditTable events/>
        </PageData>
    }
}
