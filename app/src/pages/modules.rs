//! The module catalogue: modules grouped by area, with the student's
//! progress, and a search over titles and text.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::modules::{CatalogArea, CatalogEntry, list_modules};
use crate::components::page_data::PageData;
use crate::domain::module::ModuleStatus;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let areas = Resource::new(q, list_modules);

    view! {
        <Title text="Skill modules"/>
        <h1>"Skill modules"</h1>
        <p class="lede">"Study each procedure before you perform it in the lab or at your externship."</p>
        // A plain GET form: search works before (and without) the browser bundle.
        <form method="get" action="/modules" role="search" class="search">
            <label for="module-search">"Search modules"</label>
            <div class="search-row">
                <input id="module-search" type="search" name="q" prop:value=q autocomplete="off"/>
                <button type="submit" class="button">"Search"</button>
            </div>
        </form>
        <PageData resource=areas loading="Loading modules…" let:areas>
            <AreaList areas query=q()/>
        </PageData>
    }
}

#[component]
fn AreaList(areas: Vec<CatalogArea>, query: String) -> impl IntoView {
    if areas.is_empty() {
        return view! {
            <p class="empty" role="status">
                {format!("No module matches “{query}”. ")}
                <a href="/modules">"Show all modules"</a>
            </p>
        }
        .into_any();
    }
    let count: usize = areas.iter().map(|a| a.entries.len()).sum();
    let summary = if query.trim().is_empty() {
        format!("{count} modules")
    } else {
        format!("{count} module{} matching “{query}”", if count == 1 { "" } else { "s" })
    };
    view! {
        <p class="result-count" role="status">{summary}</p>
        {areas
            .into_iter()
            .map(|area| {
                let id = format!("area-{}", area.area.to_lowercase().replace(' ', "-"));
                let labelled_by = id.clone();
                view! {
                    <section class="area" aria-labelledby=labelled_by>
                        <h2 id=id>{area.area}</h2>
                        <ul class="module-list">
                            {area.entries.into_iter().map(|e| view! { <ModuleCard entry=e/> }).collect_view()}
                        </ul>
                    </section>
                }
            })
            .collect_view()}
    }
    .into_any()
}

#[component]
fn ModuleCard(entry: CatalogEntry) -> impl IntoView {
    let m = entry.module;
    let badge = match entry.status {
        ModuleStatus::Mastered => "badge badge-ok",
        ModuleStatus::Reading => "badge badge-warn",
        ModuleStatus::NotStarted => "badge badge-muted",
    };
    let best = entry.best_score.map(|s| format!(" · best score {s}%"));
    view! {
        <li class="module-card">
            <h3><a href=format!("/modules/{}", m.slug)>{m.title}</a></h3>
            <p>{m.summary}</p>
            <p class="meta">
                <span class=badge data-testid="module-status">{entry.status.label()}</span>
                {format!(" {} min · {} questions", m.minutes, m.question_count)}
                {best}
            </p>
        </li>
    }
}
