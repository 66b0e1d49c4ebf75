use leptos::prelude::*;

use crate::error::AppError;

/// An error from the server, in the words of `AppError`'s `Display`.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! { <p class="notice notice-error" role="alert">{error.to_string()}</p> }
}
