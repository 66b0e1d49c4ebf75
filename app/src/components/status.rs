use leptos::prelude::*;

use crate::error::AppError;

/// An error from the server, in the words of `AppError`'s `Display`. On the
/// server it also sets the page's HTTP status, so a refused page answers
/// 401/403 and not "200 with an apology". A visitor who is not signed in
/// gets a link to sign in and come back.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(error.status());
    }
    let sign_in = matches!(error, AppError::Unauthenticated).then(|| {
        let location = leptos_router::hooks::use_location();
        let next = location.pathname.get_untracked();
        view! { " " <a href=format!("/sign-in?next={next}")>"Sign in"</a> }
    });
    view! { <p class="notice notice-error" role="alert">{error.to_string()} {sign_in}</p> }
}
