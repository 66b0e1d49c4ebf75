//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::pages::{home::HomePage, module::ModulePage, modules::CatalogPage, not_found::NotFound};

/// The document around every server-rendered page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" href="/pkg/checkoff.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Marks the document once the browser bundle has taken over the
    // server-rendered page. End-to-end tests wait for it, so a build whose
    // .wasm is missing or broken fails loudly instead of half-working.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title formatter=|title: String| {
            if title.is_empty() { "Checkoff".to_string() } else { format!("{title} · Checkoff") }
        }/>
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="wrap">
                <a class="brand" href="/">"Checkoff"</a>
                <nav class="site-nav" aria-label="Main">
                    <a href="/modules">"Modules"</a>
                </nav>
            </div>
        </header>
        <Router>
            <main id="main" class="wrap" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage/>
                    // Async: the page is sent once its data is ready, so a
                    // missing module answers 404 and readers without the
                    // bundle still get the whole text.
                    <Route path=StaticSegment("modules") view=CatalogPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("modules"), ParamSegment("slug")) view=ModulePage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
        <footer class="site-footer">
            <div class="wrap">
                <p>"Checkoff · open-source competency checklists for Medical Assistant programs"</p>
            </div>
        </footer>
    }
}
