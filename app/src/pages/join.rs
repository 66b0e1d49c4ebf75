//! `/join?token=…`: someone who already has an account is asked to join a
//! program (a roster import or an invitation named their address). They
//! accept or decline here; nothing is granted until they accept.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::people::{AnswerMembershipOffer, OfferView, membership_offer};
use crate::components::form::{FormError, last_error};
use crate::components::page_data::PageData;

#[component]
pub fn JoinPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let offer = Resource::new(move || token.get(), membership_offer);
    view! {
        <Title text="Join a program"/>
        <div class="narrow">
            <h1>"Join a program"</h1>
            <PageData resource=offer loading="Checking your link…" let:o>
                <Offer offer=o token/>
            </PageData>
        </div>
    }
}

#[component]
fn Offer(offer: OfferView, token: Memo<String>) -> impl IntoView {
    let action = ServerAction::<AnswerMembershipOffer>::new();
    let error = last_error(action.value());
    let done = move || action.value().get().and_then(Result::ok);
    let asker = offer.offered_by.clone().unwrap_or_else(|| "The program".into());
    let what = format!(
        "{asker} asks {} to join {} as {}{}.",
        offer.person_name,
        offer.program_name,
        offer.role.as_str(),
        offer.cohort.as_ref().map(|c| format!(" (cohort {c})")).unwrap_or_default()
    );
    let state = offer.state;
    view! {
        <section class="card">
            <p>{what}</p>
            {move || match (done(), state.as_str()) {
                (Some(message), _) => view! { <p class="notice notice-ok" role="status">{message}</p><p><a class="tap-link" href="/sign-in">"Sign in"</a></p> }.into_any(),
                (None, "open") => view! {
                    <p>"If you accept, the program's staff will see your work in this program from today on, not what you did before."</p>
                    <FormError error/>
                    <div class="button-row">
                        <ActionForm action>
                            <input type="hidden" name="token" value=move || token.get()/>
                            <input type="hidden" name="accept" value="true"/>
                            <button type="submit" class="button" disabled=move || action.pending().get()>"Accept"</button>
                        </ActionForm>
                        <ActionForm action>
                            <input type="hidden" name="token" value=move || token.get()/>
                            <input type="hidden" name="accept" value="false"/>
                            <button type="submit" class="button button-secondary" disabled=move || action.pending().get()>"Decline"</button>
                        </ActionForm>
                    </div>
                }.into_any(),
                (None, "accepted") => view! { <p>"You accepted this already."</p><p><a class="tap-link" href="/sign-in">"Sign in"</a></p> }.into_any(),
                (None, "declined") => view! { <p>"You declined this offer."</p> }.into_any(),
                (None, _) => view! { <p>"This offer has expired. Ask the program to send a new one."</p> }.into_any(),
            }}
        </section>
    }
}
