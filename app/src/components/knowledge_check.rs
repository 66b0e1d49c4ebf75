//! The knowledge check form. It holds no answer key: it sends the student's
//! choices to the server, which grades them and returns explanations.

use leptos::prelude::*;

use crate::api::modules::{quiz_attempt, submit_quiz};
use crate::domain::quiz::{Answer, QuestionKind, QuestionView, QuizResult};
use crate::error::AppError;

type Graded = Option<Result<QuizResult, AppError>>;

/// What a fresh attempt starts with: nothing chosen, ordering items as shown.
fn blank_choices(questions: &[QuestionView]) -> Vec<Vec<String>> {
    questions
        .iter()
        .map(|q| match q.kind {
            QuestionKind::Order => q.options.iter().map(|o| o.id.clone()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// One attempt at a module's knowledge check (its questions and their
/// order were drawn on the server for this attempt). After the result, a
/// student can take another attempt: a new draw, other questions, another order.
#[component]
pub fn KnowledgeCheck(slug: String, questions: Vec<QuestionView>, mastery: u8, attempt: u32) -> impl IntoView {
    let choices = RwSignal::new(blank_choices(&questions));
    let current = RwSignal::new((attempt, questions));
    let result: RwSignal<Graded> = RwSignal::new(None);
    let slug = StoredValue::new(slug);
    let submit = Action::new(move |answers: &Vec<Answer>| {
        let (slug, attempt, answers) = (slug.get_value(), current.with_untracked(|c| c.0), answers.clone());
        async move {
            let graded = submit_quiz(slug, attempt, answers).await;
            result.set(Some(graded));
        }
    });
    let pending = submit.pending();
    let next = Action::new(move |_: &()| {
        let slug = slug.get_value();
        async move {
            match quiz_attempt(slug).await {
                Ok(a) => {
                    choices.set(blank_choices(&a.questions));
                    current.set((a.attempt, a.questions));
                    result.set(None);
                    // The new attempt's heading, for keyboard and screen-reader users.
                    #[cfg(feature = "hydrate")]
                    if let Some(el) = document().get_element_by_id("knowledge-check-title") {
                        use leptos::wasm_bindgen::JsCast;
                        if let Ok(h) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                            let _ = h.focus();
                        }
                    }
                }
                Err(e) => result.set(Some(Err(e))),
            }
        }
    });
    let total = move || current.with(|c| c.1.len());
    let graded = Signal::derive(move || result.get());

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let answers = current.with(|(_, qs)| {
            choices.with(|c| {
                qs.iter()
                    .zip(c.iter())
                    .map(|(q, ids)| Answer { question_id: q.id.clone(), option_ids: ids.clone() })
                    .collect::<Vec<_>>()
            })
        });
        submit.dispatch(answers);
    };

    view! {
        <section id="knowledge-check" class="card quiz" aria-labelledby="knowledge-check-title">
            <h2 id="knowledge-check-title" tabindex="-1">"Knowledge check"</h2>
            <p>
                {move || format!("{} questions. You need {mastery}% to master this module. ", total())}
                "Each answer is explained after you submit."
            </p>
            <p class="meta" data-testid="quiz-attempt">{move || format!("Attempt {}", current.with(|c| c.0))}</p>
            <form on:submit=on_submit novalidate>
                {move || {
                    current
                        .get()
                        .1
                        .into_iter()
                        .enumerate()
                        .map(|(i, q)| view! { <QuestionField index=i question=q choices result=graded/> })
                        .collect_view()
                }}
                <div class="quiz-actions">
                    <button type="submit" class="button" disabled=move || pending.get() || result.with(|r| matches!(r, Some(Ok(_))))>
                        {move || if pending.get() { "Checking…" } else { "Submit answers" }}
                    </button>
                    {move || result.with(|r| matches!(r, Some(Ok(_)))).then(|| view! {
                        <button type="button" class="button button-secondary" on:click=move |_| { next.dispatch(()); }
                            disabled=move || next.pending().get()>
                            "Take another attempt"
                        </button>
                    })}
                </div>
            </form>
            <div class="quiz-summary" role="status" aria-live="polite" data-testid="quiz-summary">
                {move || result.get().map(|r| match r {
                    Ok(r) => summary_text(&r, mastery),
                    Err(e) => e.to_string(),
                })}
            </div>
        </section>
    }
}

fn summary_text(r: &QuizResult, mastery: u8) -> String {
    if r.mastered {
        format!("You scored {} of {} ({}%). Module mastered.", r.correct, r.total, r.score_percent)
    } else {
        format!(
            "You scored {} of {} ({}%). You need {mastery}% to master this module: read the explanations, then try again.",
            r.correct, r.total, r.score_percent
        )
    }
}

#[component]
fn QuestionField(
    index: usize,
    question: QuestionView,
    choices: RwSignal<Vec<Vec<String>>>,
    result: Signal<Graded>,
) -> impl IntoView {
    let qid = question.id.clone();
    let name = format!("q-{}", question.id);
    let kind = question.kind;
    let hint = match kind {
        QuestionKind::Single => "Choose one.",
        QuestionKind::Multiple => "Choose all that apply.",
        QuestionKind::Order => "Put the items in order with the Move buttons, first at the top.",
    };
    let options = StoredValue::new(question.options.clone());
    let verdict = {
        let qid = qid.clone();
        move || {
            result.with(|r| match r {
                Some(Ok(r)) => r.questions.iter().find(|q| q.question_id == qid).cloned(),
                _ => None,
            })
        }
    };

    let body = match kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let input_type = if kind == QuestionKind::Single { "radio" } else { "checkbox" };
            question
                .options
                .iter()
                .enumerate()
                .map(|(j, o)| {
                    let id = format!("{name}-{j}");
                    let oid = o.id.clone();
                    let oid_checked = o.id.clone();
                    view! {
                        <div class="choice">
                            <input
                                type=input_type
                                id=id.clone()
                                name=name.clone()
                                value=o.id.clone()
                                prop:checked=move || choices.with(|c| c[index].contains(&oid_checked))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    choices.update(|c| {
                                        let picked = &mut c[index];
                                        if kind == QuestionKind::Single {
                                            picked.clear();
                                        }
                                        picked.retain(|x| x != &oid);
                                        if on {
                                            picked.push(oid.clone());
                                        }
                                    });
                                }
                            />
                            <label for=id>{o.text.clone()}</label>
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        }
        QuestionKind::Order => view! {
            <ol class="order-list">
                {move || {
                    let current = choices.with(|c| c[index].clone());
                    let n = current.len();
                    current
                        .into_iter()
                        .enumerate()
                        .map(|(pos, oid)| {
                            let text = options.with_value(|os| {
                                os.iter().find(|o| o.id == oid).map(|o| o.text.clone()).unwrap_or_default()
                            });
                            let up_id = format!("{name}-{oid}-up");
                            let down_id = format!("{name}-{oid}-down");
                            let (up_focus, down_focus) = (up_id.clone(), down_id.clone());
                            view! {
                                <li class="order-item">
                                    <span class="order-text">{text.clone()}</span>
                                    <span class="order-buttons">
                                        <button type="button" class="button button-small button-secondary" id=up_id
                                            aria-label=format!("Move “{text}” up")
                                            disabled=pos == 0
                                            on:click=move |_| {
                                                choices.update(|c| c[index].swap(pos, pos - 1));
                                                focus_later(if pos == 1 { down_focus_for(&up_focus) } else { up_focus.clone() });
                                            }>"↑"</button>
                                        <button type="button" class="button button-small button-secondary" id=down_id
                                            aria-label=format!("Move “{text}” down")
                                            disabled=pos + 1 == n
                                            on:click=move |_| {
                                                choices.update(|c| c[index].swap(pos, pos + 1));
                                                focus_later(if pos + 2 == n { up_focus_for(&down_focus) } else { down_focus.clone() });
                                            }>"↓"</button>
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        }
        .into_any(),
    };

    view! {
        <fieldset class="question" id=format!("question-{qid}") data-question=qid.clone()>
            <legend>{format!("{}. {}", index + 1, question.prompt)}</legend>
            <p class="hint">{hint}</p>
            {body}
            {move || verdict().map(|v| {
                let class = if v.correct { "feedback feedback-correct" } else { "feedback feedback-incorrect" };
                let headline = if v.correct {
                    "Correct."
                } else if v.answered {
                    "Not quite."
                } else {
                    "Not answered."
                };
                let right = if v.correct {
                    None
                } else {
                    Some(view! { <p><strong>"Answer: "</strong>{v.right_answer.join(if kind == QuestionKind::Order { " → " } else { "; " })}</p> })
                };
                view! {
                    <div class=class data-testid="feedback">
                        <p class="feedback-title">{headline}</p>
                        {right}
                        <p>{v.explanation}</p>
                    </div>
                }
            })}
        </fieldset>
    }
}

/// The partner button's id: when an item reaches the top or bottom, the
/// button just pressed becomes disabled, so focus moves to the other one.
fn down_focus_for(up_id: &str) -> String {
    up_id.trim_end_matches("-up").to_string() + "-down"
}

fn up_focus_for(down_id: &str) -> String {
    down_id.trim_end_matches("-down").to_string() + "-up"
}

/// Keeps keyboard focus on the moved item's button after the list re-renders.
fn focus_later(id: String) {
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        if let Some(el) = document().get_element_by_id(&id)
            && let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    });
}
