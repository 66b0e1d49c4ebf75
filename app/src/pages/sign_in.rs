//! Signing in: password, emailed link, second factor, forgotten password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::accounts::{
    RequestPasswordReset, RequestSignInLink, ResetPassword, SignIn, SignInCode, UseSignInLink, link_info,
};
use crate::components::form::{EchoScope, Field, FormError, Submit, action_error, last_error};
use crate::components::page_data::data_view;
use crate::components::status::ErrorNotice;
use leptos::server_fn::ServerFn;

fn query_param(name: &'static str) -> Memo<String> {
    let q = use_query_map();
    Memo::new(move |_| q.read().get(name).unwrap_or_default())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let next = query_param("next");
    let password = ServerAction::<SignIn>::new();
    let password_error = action_error(password);
    let link = ServerAction::<RequestSignInLink>::new();
    let link_error = action_error(link);
    let link_sent = move || matches!(link.value().get(), Some(Ok(())));

    view! {
        <Title text="Sign in"/>
        <div class="narrow">
            <h1>"Sign in"</h1>
            <section class="card" aria-labelledby="password-title">
                <h2 id="password-title">"With your password"</h2>
                <ActionForm action=password>
                <EchoScope action=SignIn::url()>
                    <input type="hidden" name="next" value=move || next.get()/>
                    <Field label="E-mail" name="email" kind="email" autocomplete="username" error=password_error/>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" error=password_error/>
                    <FormError error=password_error/>
                    <Submit label="Sign in" busy_label="Signing in…" pending=password.pending()/>
                </EchoScope>
                </ActionForm>
                <p class="meta"><a class="tap-link" href="/forgot-password">"Forgot your password?"</a></p>
            </section>
            <section class="card" aria-labelledby="link-title">
                <h2 id="link-title">"With a link by e-mail"</h2>
                <p>"Preceptors and anyone without a password: we e-mail you a link that signs you in once."</p>
                <ActionForm action=link>
                <EchoScope action=RequestSignInLink::url()>
                    <Field label="E-mail" name="email" kind="email" autocomplete="email" error=link_error/>
                    <FormError error=link_error/>
                    <Submit label="E-mail me a sign-in link" busy_label="Sending…" pending=link.pending()/>
                </EchoScope>
                </ActionForm>
                <p class="status-line" role="status" data-testid="link-status">
                    {move || link_sent().then_some(
                        "If that address has an account, a sign-in link is on its way. It works once, within 30 minutes.",
                    )}
                </p>
            </section>
        </div>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let next = query_param("next");
    let action = ServerAction::<SignInCode>::new();
    let error = last_error(action.value());
    view! {
        <Title text="Two-step sign-in"/>
        <div class="narrow">
            <h1>"Two-step sign-in"</h1>
            <section class="card">
                <p>"Enter the 6-digit code from your authenticator app, or one of your recovery codes."</p>
                <ActionForm action>
                    <input type="hidden" name="next" value=move || next.get()/>
                    <Field label="Code" name="code" autocomplete="one-time-code" inputmode="numeric" error/>
                    <FormError error/>
                    <Submit label="Continue" busy_label="Checking…" pending=action.pending()/>
                </ActionForm>
            </section>
        </div>
    }
}

/// The page an emailed link opens. It asks before using the link, because
/// mail scanners open links too and would otherwise use them up.
#[component]
pub fn LinkPage() -> impl IntoView {
    let token = query_param("token");
    let next = query_param("next");
    let info = Resource::new(move || token.get(), link_info);
    let action = ServerAction::<UseSignInLink>::new();
    let error = action_error(action);
    view! {
        <Title text="Sign in"/>
        <div class="narrow">
            <h1>"Sign in"</h1>
            {data_view(
                info,
                "Checking your link…",
                move |info| view! {
                        <section class="card">
                            <p>{format!("This link signs in {}.", info.name)}</p>
                            <ActionForm action>
                                <input type="hidden" name="token" value=move || token.get()/>
                                <input type="hidden" name="next" value=move || next.get()/>
                                <FormError error/>
                                <Submit label="Continue" busy_label="Signing in…" pending=action.pending()/>
                            </ActionForm>
                        </section>
                },
                |e| view! {
                    <ErrorNotice error=e/>
                    <p><a class="tap-link" href="/sign-in">"Ask for a new sign-in link"</a></p>
                }.into_any(),
            )}
        </div>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = last_error(action.value());
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Forgot your password"/>
        <div class="narrow">
            <h1>"Forgot your password"</h1>
            <section class="card">
                <p>"We e-mail you a link to set a new password. It works once, within an hour."</p>
                <ActionForm action>
                    <Field label="E-mail" name="email" kind="email" autocomplete="email" error/>
                    <FormError error/>
                    <Submit label="E-mail me a link" busy_label="Sending…" pending=action.pending()/>
                </ActionForm>
                <p class="status-line" role="status">
                    {move || sent().then_some("If that address has an account, a link is on its way.")}
                </p>
            </section>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = query_param("token");
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action.value());
    view! {
        <Title text="Set a new password"/>
        <div class="narrow">
            <h1>"Set a new password"</h1>
            <section class="card">
                <ActionForm action>
                    <input type="hidden" name="token" value=move || token.get()/>
                    <Field
                        label="New password"
                        name="password"
                        kind="password"
                        autocomplete="new-password"
                        hint="At least 10 characters. A short sentence is easy to remember and hard to guess."
                        error
                    />
                    <FormError error/>
                    <Submit label="Set password and sign in" busy_label="Saving…" pending=action.pending()/>
                </ActionForm>
            </section>
        </div>
    }
}
