use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::{Me, whoami};
use crate::api::check_server;
use crate::api::people::my_students;
use crate::components::checklist_preview::ChecklistPreview;
use crate::components::page_data::PageData;
use crate::components::status::ErrorNotice;
use crate::domain::access::Role;
use crate::pages::competencies::PendingRequests;
use crate::pages::externship::HoursToVerify;

#[component]
pub fn HomePage() -> impl IntoView {
    // The header's resource: one whoami per page.
    let me = crate::app::current_user().map(|c| c.0).unwrap_or_else(|| Resource::new(String::new, |_| whoami()));
    view! {
        <Title text=""/>
        <Suspense fallback=|| ()>
            {move || me.get().map(|r| match r {
                Ok(Some(me)) => view! { <Dashboard me/> }.into_any(),
                Ok(None) => ().into_any(),
                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
            })}
        </Suspense>
        <section class="hero" aria-labelledby="hero-title">
            <h1 id="hero-title">"Checkoff"</h1>
            <p class="lede">
                "Skill modules, procedure checklists and signed competency records for Medical "
                "Assistant programs: students see what they have passed and what is left, "
                "instructors and externship preceptors sign off what they observed, and program "
                "directors show accreditors who signed what, and when."
            </p>
        </section>
        <ChecklistPreview/>
        <ServerCheck/>
    }
}

/// Asks the server which database it runs on: proves the page is hydrated
/// and that server functions reach the database.
#[component]
fn ServerCheck() -> impl IntoView {
    let check = Action::new(|_: &()| check_server());
    let pending = check.pending();
    let result = check.value();

    view! {
        <section class="card" aria-labelledby="server-check-title">
            <h2 id="server-check-title">"Server check"</h2>
            <p>"Ask the server which database it is using."</p>
            <button
                type="button"
                class="button"
                on:click=move |_| {
                    check.dispatch(());
                }
                disabled=move || pending.get()
            >
                {move || if pending.get() { "Checking…" } else { "Check the server" }}
            </button>
            <p class="status-line" role="status" aria-live="polite" data-testid="server-status">
                {move || match result.get() {
                    None => String::new(),
                    Some(Ok(s)) => format!(
                        "Connected to {} {} (schema version {}).",
                        if s.engine == "postgres" { "PostgreSQL" } else { "SQLite" },
                        s.engine_version,
                        s.migration_version.map(|v| v.to_string()).unwrap_or_else(|| "none".into()),
                    ),
                    Some(Err(e)) => e.to_string(),
                }}
            </p>
        </section>
    }
}

/// What the signed-in person came to do, by role.
#[component]
fn Dashboard(me: Me) -> impl IntoView {
    let first_name = me.name.split_whitespace().next().unwrap_or_default().to_string();
    let preceptor = me.is(Role::Preceptor);
    view! {
        <section class="card dashboard" aria-labelledby="dashboard-title">
            <h2 id="dashboard-title">{format!("Hello, {first_name}")}</h2>
            {me.admin_needs_two_factor.then(|| view! {
                <p class="notice notice-warn">
                    "Administrator pages open once you " <a href="/account">"turn on two-step sign-in"</a> "."
                </p>
            })}
            <ul class="plain-list link-list">
                {me.site_admin.then(|| view! { <li><a href="/admin">"Administration"</a></li> })}
                {me.roles.iter().map(|r| {
                    let (pid, name) = (r.program_id, r.program_name.clone());
                    match r.role {
                        Role::Director => view! {
                            <li><a href=format!("/programs/{pid}/dashboard")>{format!("Cohort dashboard of {name}")}</a></li>
                            <li><a href=format!("/programs/{pid}/summary")>{format!("Accreditation summary of {name}")}</a></li>
                            <li><a href=format!("/programs/{pid}/externship")>{format!("Externship sites and placements of {name}")}</a></li>
                            <li><a href=format!("/programs/{pid}/people")>{format!("People of {name}")}</a></li>
                            <li><a href=format!("/programs/{pid}/competencies")>{format!("Competency requirements of {name}")}</a></li>
                        }.into_any(),
                        Role::Student => view! {
                            <li><a href=format!("/programs/{pid}/students/{}", me.user_id)>{format!("Your record in {name}")}</a></li>
                            <li><a href=format!("/programs/{pid}/students/{}/hours", me.user_id)>{format!("Your externship hours in {name}")}</a></li>
                        }.into_any(),
                        Role::Instructor => view! {
                            <li><a href=format!("/programs/{pid}/lab")>{format!("Lab session in {name}")}</a></li>
                            <li><a href=format!("/programs/{pid}/externship")>{format!("Externship sites and placements of {name}")}</a></li>
                        }.into_any(),
                        Role::Preceptor => ().into_any(),
                    }
                }).collect_view()}
                <li><a href="/modules">"Skill modules"</a></li>
                <li><a href="/account">"Your account"</a></li>
            </ul>
        </section>
        {preceptor.then(|| view! { <HoursToVerify/><PendingRequests/><PlacedStudents/> })}
    }
}

/// A preceptor's students: only those placed with them (the server filters).
#[component]
fn PlacedStudents() -> impl IntoView {
    let students = Resource::new(|| (), |_| my_students());
    view! {
        <section class="card" aria-labelledby="students-title">
            <h2 id="students-title">"Your students"</h2>
            <PageData resource=students let:list>
                {if list.is_empty() {
                    view! { <p class="empty">"No students are placed with you yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list link-list" data-testid="my-students">
                            {list.into_iter().map(|p| view! {
                                <li>
                                    <a href=format!("/programs/{}/students/{}", p.program_id, p.student_id)>{p.student_name}</a>
                                    <span class="meta">{format!(" · {} · {}", p.site_name, p.program_name)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </PageData>
        </section>
    }
}
