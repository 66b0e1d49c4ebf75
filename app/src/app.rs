//! The HTML shell and the route table.

use leptos::prelude::*;

use crate::components::form::{FormEcho, PageEcho};
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::api::accounts::{Me, whoami};
use crate::error::AppError;
use crate::pages::account::AccountPage;
use crate::pages::admin::{AdminPage, OutboxPage, SiteAuditPage};
use crate::pages::competencies::{
    CompetencyHistoryPage, EvaluatePage, LabSessionPage, MasterChecklistPage, RequirementsPage,
};
use crate::pages::externship::{ExternshipEvaluationPage, ExternshipSetupPage, HoursPage};
use crate::pages::join::JoinPage;
use crate::pages::people::{ProgramAuditPage, ProgramPeoplePage};
use crate::pages::reports::{CohortChecklistsPage, DashboardPage, SummaryPage};
use crate::pages::sign_in::{ForgotPasswordPage, LinkPage, ResetPasswordPage, SecondFactorPage, SignInPage};
use crate::pages::student::StudentRecordPage;
use crate::pages::{home::HomePage, module::ModulePage, modules::CatalogPage, not_found::NotFound};

/// The document around every server-rendered page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_content_security_policy();
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

/// The Content-Security-Policy of a page: scripts only from this site and
/// the inline hydration scripts that carry this response's nonce (Leptos
/// renders it into each of them), WebAssembly allowed to compile, styles
/// and images from this site only, no plugins, no `<base>`, no framing, and
/// forms that post only here. A script injected through some future escaping
/// bug has no nonce and does not run.
pub fn content_security_policy(nonce: &str) -> String {
    // `cargo leptos watch` reloads the page over a WebSocket on another port.
    let live_reload =
        if cfg!(feature = "ssr") && std::env::var_os("LEPTOS_WATCH").is_some() { " ws: wss:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'{live_reload}; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Puts the policy, with the nonce Leptos generated for this response, on
/// the response of the page being rendered.
#[cfg(feature = "ssr")]
fn send_content_security_policy() {
    use axum::http::{HeaderValue, header::CONTENT_SECURITY_POLICY};
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Who is signed in, asked once per page (again after each navigation:
/// signing in or out ends in one) and shared by the header and the pages, so
/// a page does not ask the server the same question twice.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<Me>, AppError>>);

/// The shared [`CurrentUser`] resource (inside the router).
pub fn current_user() -> Option<CurrentUser> {
    use_context::<CurrentUser>()
}

#[component]
fn CurrentUserProvider(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    provide_context(CurrentUser(Resource::new(move || location.pathname.get(), |_| whoami())));
    children()
}

/// "Sign in", or a link to the signed-in person's account.
#[component]
fn AccountLink() -> impl IntoView {
    let me = current_user().map(|c| c.0);
    view! {
        <Suspense fallback=|| view! { <a href="/sign-in">"Sign in"</a> }>
            {move || match me.and_then(|me| me.get()) {
                Some(Ok(Some(_))) => view! { <a href="/account">"Account"</a> }.into_any(),
                _ => view! { <a href="/sign-in">"Sign in"</a> }.into_any(),
            }}
        </Suspense>
    }
}

/// Every page's title, from the text its `<Title>` gives (often a student's
/// or a site's name). leptos_meta 0.8 writes the server-rendered `<title>`
/// without escaping it (a name holding `</title><script>` would run), while in
/// the browser the same text goes to `document.title`, which is plain text.
/// So the server escapes here, the one formatter every title passes
/// through, and the browser does not (it would show `&lt;` in the tab).
pub fn page_title(text: String) -> String {
    let title = if text.is_empty() { "Checkoff".to_string() } else { format!("{text} · Checkoff") };
    if cfg!(feature = "ssr") { crate::domain::text::escape_html(&title).into_owned() } else { title }
}

/// The echo of a refused plain form post, when the server rendered this
/// page for one (see `components::form`), and the same as JSON for the
/// page, so the browser hydrates what the server showed.
fn page_echo() -> (PageEcho, Option<String>) {
    #[cfg(feature = "ssr")]
    {
        let echo = crate::service::request::extension::<FormEcho>();
        // `<` escaped: the JSON sits in a <script> data block.
        let json = echo.as_ref().and_then(|e| serde_json::to_string(e).ok()).map(|j| j.replace('<', "\\u003c"));
        (PageEcho(echo), json)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let json = document().get_element_by_id("form-echo").and_then(|el| el.text_content());
        let echo = json.as_deref().and_then(|j| serde_json::from_str::<FormEcho>(j).ok());
        (PageEcho(echo), json)
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let (echo, echo_json) = page_echo();
    provide_context(echo);

    // Marks the document once the browser bundle has taken over the
    // server-rendered page. End-to-end tests wait for it, so a build whose
    // .wasm is missing or broken fails loudly instead of half-working.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title formatter=page_title/>
        {echo_json.map(|json| view! { <script type="application/json" id="form-echo" inner_html=json></script> })}
        <Router>
        <CurrentUserProvider>
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="wrap">
                <a class="brand" href="/">"Checkoff"</a>
                <nav class="site-nav" aria-label="Main">
                    <a href="/modules">"Modules"</a>
                    <AccountLink/>
                </nav>
            </div>
        </header>
            <main id="main" class="wrap" tabindex="-1">
                // Every page is rendered whole before it is sent (Async):
                // its data takes milliseconds, a refusal or a missing module
                // answers with the right status (401/403/404), readers
                // without the bundle still get the whole page, and no
                // half-sent stream is left behind when a phone drops off
                // the network. (With streamed pages, the access-matrix test
                // hung now and then on PostgreSQL after dropping a response
                // unread; with whole pages it has not, in 20 runs.)
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("modules") view=CatalogPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("modules"), ParamSegment("slug")) view=ModulePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("sign-in") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("sign-in"), StaticSegment("code")) view=SecondFactorPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("sign-in"), StaticSegment("link")) view=LinkPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("join") view=JoinPage ssr=SsrMode::Async/>
                    // Personal pages render once their data (and so the
                    // access decision) is known, so a refusal answers 401/403.
                    <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("outbox")) view=OutboxPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("audit")) view=SiteAuditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("people")) view=ProgramPeoplePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("audit")) view=ProgramAuditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("students"), ParamSegment("student")) view=StudentRecordPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("students"), ParamSegment("student"), StaticSegment("competencies"), ParamSegment("code")) view=CompetencyHistoryPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("students"), ParamSegment("student"), StaticSegment("evaluate"), ParamSegment("code")) view=EvaluatePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("students"), ParamSegment("student"), StaticSegment("checklist")) view=MasterChecklistPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("lab")) view=LabSessionPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("competencies")) view=RequirementsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("students"), ParamSegment("student"), StaticSegment("hours")) view=HoursPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("students"), ParamSegment("student"), StaticSegment("externship-evaluation")) view=ExternshipEvaluationPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("externship")) view=ExternshipSetupPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("dashboard")) view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("summary")) view=SummaryPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("programs"), ParamSegment("id"), StaticSegment("checklists")) view=CohortChecklistsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        <footer class="site-footer">
            <div class="wrap">
                <p>"Checkoff · open-source competency checklists for Medical Assistant programs"</p>
            </div>
        </footer>
        </CurrentUserProvider>
        </Router>
    }
}
