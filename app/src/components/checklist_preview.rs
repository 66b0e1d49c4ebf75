use leptos::prelude::*;

use crate::domain::checklist::{ChecklistStep, Tally};

/// A short, illustrative hand-hygiene checklist (alcohol-based hand rub) that
/// visitors can tick, showing how a check-off counts steps and why a missed
/// critical step fails an attempt.
#[component]
pub fn ChecklistPreview() -> impl IntoView {
    let steps: Vec<ChecklistStep> = [
        ("Remove hand and wrist jewellery", false),
        ("Apply enough rub to cover all surfaces of both hands", true),
        ("Rub palms, backs of hands, between fingers, thumbs and fingertips", true),
        ("Keep rubbing until hands are dry (about 20–30 seconds)", true),
    ]
    .into_iter()
    .map(|(text, critical)| ChecklistStep { text: text.to_string(), critical, note: None })
    .collect();
    let performed = RwSignal::new(vec![false; steps.len()]);
    let steps = StoredValue::new(steps);
    let tally = Memo::new(move |_| steps.with_value(|s| performed.with(|p| Tally::of(s, p))));

    view! {
        <section class="card" aria-labelledby="preview-title">
            <h2 id="preview-title">"Try a checklist"</h2>
            <p>
                "This is how an evaluator checks a student off: tick each step performed. "
                "Steps marked critical are safety steps; missing one fails the attempt."
            </p>
            <fieldset class="checklist">
                <legend>"Hand hygiene with alcohol-based hand rub"</legend>
                {steps
                    .get_value()
                    .into_iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let id = format!("preview-step-{i}");
                        view! {
                            <div class="checklist-step">
                                <input
                                    type="checkbox"
                                    id=id.clone()
                                    prop:checked=move || performed.with(|p| p[i])
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        performed.update(|p| p[i] = on);
                                    }
                                />
                                <label for=id>
                                    {step.text}
                                    {step.critical.then(|| view! { <span class="badge badge-critical">"Critical"</span> })}
                                </label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <p class="status-line" role="status" aria-live="polite" data-testid="preview-tally">
                {move || {
                    let t = tally.get();
                    let critical = if t.all_critical_met() {
                        "all critical steps met".to_string()
                    } else {
                        format!("{} critical step{} missed", t.critical_missed, if t.critical_missed == 1 { "" } else { "s" })
                    };
                    format!("{} of {} steps performed; {}.", t.performed, t.total, critical)
                }}
            </p>
        </section>
    }
}
