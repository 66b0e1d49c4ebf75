//! A skill module: objectives, table of contents, the text, references, and
//! the knowledge check. Prints cleanly (see `@media print` in style/).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::modules::{get_module, module_body, record_reading, rendered_body};
use crate::components::knowledge_check::KnowledgeCheck;
use crate::components::page_data::data_view;
use crate::components::status::ErrorNotice;
use crate::domain::access::Role;
use crate::domain::module::ModuleView;
use crate::error::AppError;
use crate::pages::not_found::NotFound;

#[component]
pub fn ModulePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let module = Resource::new(slug, get_module);

    data_view(
        module,
        "Loading module…",
        |m| view! { <ModuleArticle module=m/> },
        |e| match e {
            AppError::NotFound => view! { <NotFound/> }.into_any(),
            e => view! { <ErrorNotice error=e/> }.into_any(),
        },
    )
}

#[component]
fn ModuleArticle(module: ModuleView) -> impl IntoView {
    let s = module.summary;
    let codes = s.competencies.join(", ");
    let body = RwSignal::new(rendered_body(&s.slug));
    let body_ref = NodeRef::<leptos::html::Div>::new();
    // After a client-side navigation the body is not in the page yet: fetch it.
    // (After hydration it is: the server rendered it.)
    let body_slug = s.slug.clone();
    Effect::new(move |_| {
        if let Some(el) = body_ref.get()
            && el.text_content().unwrap_or_default().trim().is_empty()
        {
            let slug = body_slug.clone();
            leptos::task::spawn_local(async move {
                if let Ok(html) = module_body(slug).await {
                    body.set(html);
                }
            });
        }
    });
    track_reading(s.slug.clone(), body_ref);
    view! {
        <Title text=s.title.clone()/>
        <article class="module">
            <p class="breadcrumb"><a href="/modules">"Skill modules"</a>" › "{s.area.clone()}</p>
            <h1>{s.title.clone()}</h1>
            <p class="lede">{s.summary.clone()}</p>
            <p class="meta">
                {format!("{} min read · {} questions · mastery {}% · prepares for {codes}", s.minutes, s.question_count, module.mastery_percent)}
            </p>
            <p class="no-print">
                <button type="button" class="button button-secondary" on:click=move |_| {
                    let _ = window().print();
                }>"Print this module"</button>
            </p>
            <section class="card objectives" aria-labelledby="objectives">
                <h2 id="objectives">"Learning objectives"</h2>
                <ul>{module.objectives.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
            </section>
            <nav class="toc" aria-labelledby="toc">
                <h2 id="toc">"On this page"</h2>
                <ol>
                    {module
                        .toc
                        .into_iter()
                        .map(|t| {
                            let class = if t.level == 3 { "toc-sub" } else { "" };
                            view! { <li class=class><a href=format!("#{}", t.id)>{t.text}</a></li> }
                        })
                        .collect_view()}
                    <li><a href="#knowledge-check">"Knowledge check"</a></li>
                </ol>
            </nav>
            <div class="module-body" node_ref=body_ref inner_html=move || body.get()></div>
            <KnowledgeCheck slug=s.slug questions=module.questions mastery=module.mastery_percent attempt=module.attempt/>
        </article>
    }
}

/// Tells the server how far a signed-in student has read, in quarters, as
/// they scroll: the catalogue and their record show it. Nothing is sent for
/// anyone else (the server would refuse it anyway).
fn track_reading(slug: String, body_ref: NodeRef<leptos::html::Div>) {
    // The page's shared answer to "who is signed in" (already loaded with the
    // page, so no further request).
    let me = crate::app::current_user().map(|c| c.0);
    let reported = StoredValue::new(0u8);
    let handle = window_event_listener(leptos::ev::scroll, move |_| {
        let student =
            me.and_then(|me| me.get_untracked()).and_then(|r| r.ok()).flatten().is_some_and(|m| m.is(Role::Student));
        let Some(el) = body_ref.get_untracked() else { return };
        if !student {
            return;
        }
        let w = window();
        let viewport = w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
        let scrolled = w.scroll_y().unwrap_or(0.0);
        let (top, height) = (f64::from(el.offset_top()), f64::from(el.offset_height()));
        if height <= 0.0 {
            return;
        }
        // The share of the text that has come into view.
        let seen = ((scrolled + viewport - top) / height).clamp(0.0, 1.0);
        let quarter = ((seen * 4.0).floor() as u8).min(4) * 25;
        if quarter > reported.get_value() {
            reported.set_value(quarter);
            let slug = slug.clone();
            leptos::task::spawn_local(async move {
                let _ = record_reading(slug, quarter).await;
            });
        }
    });
    on_cleanup(move || handle.remove());
}
