use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::check_server;
use crate::components::checklist_preview::ChecklistPreview;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
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
