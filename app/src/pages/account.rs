//! The signed-in person's own account: password, two-step sign-in, sign-out.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::{BeginTwoFactor, ChangePassword, ConfirmTwoFactor, DisableTwoFactor, Me, SignOut, whoami};
use crate::components::form::{Field, FormError, Submit, last_error};
use crate::components::page_data::PageData;
use crate::components::status::ErrorNotice;
use crate::error::AppError;

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <PageData resource=me let:me>
            {match me {
                Some(me) => view! { <AccountDetails me/> }.into_any(),
                None => view! { <ErrorNotice error=AppError::Unauthenticated/> }.into_any(),
            }}
        </PageData>
    }
}

#[component]
fn AccountDetails(me: Me) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <section class="card" aria-labelledby="who-title">
            <h2 id="who-title">{me.name.clone()}</h2>
            <p class="meta">{me.email.clone()}</p>
            <ul class="plain-list">
                {me.roles.iter().map(|r| view! {
                    <li>{format!("{} · {}", r.role.as_str(), r.program_name)}</li>
                }).collect_view()}
                {me.site_admin.then(|| view! { <li>"site administrator"</li> })}
            </ul>
            <ActionForm action=sign_out>
                <button type="submit" class="button button-secondary">"Sign out"</button>
            </ActionForm>
        </section>
        {me.admin_needs_two_factor.then(|| view! {
            <p class="notice notice-warn" role="status">
                "You are a site administrator. Turn on two-step sign-in below; administrator pages stay closed until you do."
            </p>
        })}
        <PasswordForm has_password=me.has_password/>
        <TwoFactor on=me.two_factor_on admin=me.site_admin || me.admin_needs_two_factor/>
    }
}

#[component]
fn PasswordForm(has_password: bool) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = last_error(action.value());
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{if has_password { "Change your password" } else { "Set a password" }}</h2>
            {(!has_password).then(|| view! {
                <p>"You sign in with e-mailed links. A password is optional; it lets you sign in without waiting for mail."</p>
            })}
            <ActionForm action>
                {has_password.then(|| view! {
                    <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" error/>
                })}
                <Field
                    label="New password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 10 characters."
                    error
                />
                <FormError error/>
                <Submit label="Save password" busy_label="Saving…" pending=action.pending()/>
            </ActionForm>
            <p class="status-line" role="status">{move || saved().then_some("Password saved. Other sessions were signed out.")}</p>
        </section>
    }
}

#[component]
fn TwoFactor(on: bool, admin: bool) -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let begin_error = last_error(begin.value());
    let confirm_error = last_error(confirm.value());
    let disable_error = last_error(disable.value());
    let setup = move || begin.value().get().and_then(|r| r.ok());
    let codes = move || confirm.value().get().and_then(|r| r.ok());
    let disabled = move || matches!(disable.value().get(), Some(Ok(())));

    view! {
        <section class="card" aria-labelledby="tfa-title">
            <h2 id="tfa-title">"Two-step sign-in"</h2>
            {move || {
                if let Some(codes) = codes() {
                    return view! {
                        <p role="status">"Two-step sign-in is on. Keep these recovery codes somewhere safe: each works once if you lose your phone. They are not shown again."</p>
                        <ul class="recovery-codes" data-testid="recovery-codes">
                            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                        </ul>
                    }.into_any();
                }
                if on && !disabled() {
                    return view! {
                        <p>"On. You enter a code from your authenticator app when you sign in."</p>
                        {(!admin).then(|| view! {
                            <ActionForm action=disable>
                                <Field label="Current code (to turn it off)" name="code" autocomplete="one-time-code" inputmode="numeric" error=disable_error/>
                                <FormError error=disable_error/>
                                <Submit label="Turn off" busy_label="Turning off…" pending=disable.pending()/>
                            </ActionForm>
                        })}
                    }.into_any();
                }
                match setup() {
                    None => view! {
                        <p>{if disabled() { "Off." } else { "Off. Add a code from an authenticator app to your password, so a stolen password is not enough." }}</p>
                        <ActionForm action=begin>
                            <FormError error=begin_error/>
                            <Submit label="Turn on two-step sign-in" busy_label="Preparing…" pending=begin.pending()/>
                        </ActionForm>
                    }.into_any(),
                    Some(setup) => view! {
                        <ol>
                            <li>
                                "In your authenticator app, add an account with this key: "
                                <code class="secret" data-testid="totp-secret">{setup.secret.clone()}</code>
                            </li>
                            <li>"Enter the 6-digit code the app shows."</li>
                        </ol>
                        <p class="meta"><a class="tap-link" href=setup.otpauth_uri.clone()>"Open in an authenticator app on this device"</a></p>
                        <ActionForm action=confirm>
                            <Field label="Code" name="code" autocomplete="one-time-code" inputmode="numeric" error=confirm_error/>
                            <FormError error=confirm_error/>
                            <Submit label="Confirm" busy_label="Checking…" pending=confirm.pending()/>
                        </ActionForm>
                    }.into_any(),
                }
            }}
        </section>
    }
}
