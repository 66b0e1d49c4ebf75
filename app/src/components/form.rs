//! Form parts shared by every form: a labelled input whose error is shown
//! next to it (and announced), and the form-level error above the button.
//! Forms are Leptos `ActionForm`s: on an error nothing is navigated away, so
//! everything the user typed stays in place.
//!
//! Before the browser bundle arrives (or without JavaScript) an `ActionForm`
//! is a plain form post to its server function. If the server refuses it,
//! it shows the page the form was on again with a [`FormEcho`]: inside an
//! [`EchoScope`] naming that server function, inputs are filled with what was
//! sent (never a password) and [`action_error`] gives the error, so it is
//! shown next to its field exactly as after a scripted submission.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A plain form post the server refused, as it shows the page again: the
/// server function's address, the fields sent (passwords left out), and
/// the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub error: AppError,
}

/// This page's echo, if the server rendered it for a refused post (provided
/// by the app on the server and, from the page, in the browser).
#[derive(Debug, Clone, Default)]
pub struct PageEcho(pub Option<FormEcho>);

/// The server function the inputs inside an [`EchoScope`] are sent to.
#[derive(Debug, Clone, Copy)]
struct FormAction(&'static str);

fn echo_of(action: &str) -> Option<FormEcho> {
    use_context::<PageEcho>().and_then(|e| e.0).filter(|e| e.action == action)
}

/// What the input `name` of the enclosing form held when it was refused.
fn echoed_value(name: &str) -> Option<String> {
    let action = use_context::<FormAction>()?;
    echo_of(action.0)?.fields.into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// User text as a `<textarea>`'s content. tachys writes a textarea's
/// children into server-rendered HTML without escaping them (it treats the
/// element like `<script>`), so `</textarea>` in the text would end the
/// element and the rest would be markup. The server escapes it here; in the
/// browser the text becomes a text node, which is plain text already.
pub fn textarea_text(text: String) -> String {
    if cfg!(feature = "ssr") { crate::domain::text::escape_html(&text).into_owned() } else { text }
}

/// [`echoed_value`] for inputs defined elsewhere (a text area).
pub fn echoed_text(name: &str) -> Option<String> {
    echoed_value(name)
}

/// Inside an `ActionForm`: marks the inputs inside it as those of the form
/// posted to `action` (`SignIn::url()`), so a refused plain post fills them
/// again, and names the page the form is on (`__page`; server functions
/// ignore it): the page a plain post returns to, even when the browser is
/// showing a refused post's answer at the server function's address.
#[component]
pub fn EchoScope(action: &'static str, children: Children) -> impl IntoView {
    provide_context(FormAction(action));
    let location = leptos_router::hooks::use_location();
    let page = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
    let page = if page.starts_with("/api/") { String::new() } else { page };
    view! {
        <input type="hidden" name="__page" value=page/>
        {children()}
    }
}

/// The error of an action's last submission: from the page's own code, or
/// the plain post's that the server showed this page again with.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let echoed = echo_of(S::url()).map(|e| e.error);
    let value = action.value();
    Signal::derive(move || match value.get() {
        Some(result) => result.err(),
        None => echoed.clone(),
    })
}

/// The error of an action's last result, if it failed.
pub fn last_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    // A password is never sent back to the page.
    let value = if kind == "password" { value } else { echoed_value(name).or(value) };
    let message = Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                inputmode=inputmode
                required=required
                value=value
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            <p class="field-error" id=error_id aria-live="polite">{move || message.get()}</p>
        </div>
    }
}

/// Errors that are not about one input (too many attempts, no access,
/// network loss), shown above the submit button.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div aria-live="assertive">
            {move || {
                error
                    .get()
                    .filter(|e| !e.is_field())
                    .map(|e| view! { <p class="notice notice-error" role="alert">{e.to_string()}</p> })
            }}
        </div>
    }
}

/// A submit button that says when the form is being sent.
#[component]
pub fn Submit(label: &'static str, busy_label: &'static str, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    view! {
        <button type="submit" class="button" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { busy_label } else { label }}
        </button>
    }
}
