//! Loading a page's data, in one place: the one "Loading…" line while the
//! first answer is on its way, the one error arm (which also sets the HTTP
//! status during SSR, see [`ErrorNotice`]), and the view of the data.
//!
//! Built on `Transition` and `Suspend` (the Leptos 0.8 way): when the
//! resource reloads, for instance after an action it tracks, the content
//! already shown stays until the new data is there and is then updated in
//! place, so a form keeps what the user typed next to a field error.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::status::ErrorNotice;
use crate::error::AppError;

/// The text shown while a page's data loads.
pub const LOADING: &str = "Loading…";

/// A resource's data, shown by `view` once loaded and by `error` when the
/// server refused or failed; `loading` until the first answer. What
/// [`PageData`] is made of, for the odd page whose error needs its own view.
pub fn data_view<T, V, F, E>(
    resource: Resource<Result<T, AppError>>,
    loading: &'static str,
    view: F,
    error: E,
) -> impl IntoView + use<T, V, F, E>
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    E: Fn(AppError) -> AnyView + Send + Sync + 'static,
{
    let (view, error) = (Arc::new(view), Arc::new(error));
    view! {
        <Transition fallback=move || view! { <p role="status">{loading}</p> }>
            {move || {
                let (view, error) = (Arc::clone(&view), Arc::clone(&error));
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => view(data).into_any(),
                        Err(e) => error(e),
                    }
                })
            }}
        </Transition>
    }
}

/// A page's data, or a section's. On an error a page (given a `title`)
/// still has its title and heading (`heading`, when it says more than
/// `title`) above the notice; a section (a card, a list under the page's own
/// heading: no `title`) shows the notice alone.
///
/// ```ignore
/// <PageData resource=record title="Student record" let:record>
///     <Record record/>
/// </PageData>
/// ```
#[component]
pub fn PageData<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    /// The page's title (and heading) when its data cannot be shown.
    #[prop(optional)]
    title: Option<&'static str>,
    /// The heading when it differs from the title.
    #[prop(optional)]
    heading: Option<&'static str>,
    /// The loading line, if not [`LOADING`].
    #[prop(optional)]
    loading: Option<&'static str>,
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
{
    data_view(resource, loading.unwrap_or(LOADING), children, move |e| match title {
        Some(title) => {
            view! { <Title text=title/><h1>{heading.unwrap_or(title)}</h1><ErrorNotice error=e/> }.into_any()
        }
        None => view! { <ErrorNotice error=e/> }.into_any(),
    })
}
