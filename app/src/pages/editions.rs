//! The framework edition a program is on, on its competencies page:
//! directors preview a move to another edition and confirm it, and import
//! their program's own framework from CSV (every problem by line first,
//! then all or nothing).

use crate::domain::ids::ProgramId;
use leptos::prelude::*;

use crate::api::editions::{
    EditionsView, ImportFramework, ImportPreview, SwitchEdition, edition_switch_preview, program_editions,
};
use crate::components::form::{FormError, last_error};
use crate::components::page_data::PageData;
use crate::components::status::ErrorNotice;
use crate::domain::edition::SwitchPreview;

#[component]
pub fn FrameworkEditions(program_id: ProgramId) -> impl IntoView {
    let switch = ServerAction::<SwitchEdition>::new();
    let import = ServerAction::<ImportFramework>::new();
    // The list of editions reloads after a move, or after an import that
    // stored an edition; the import form itself is never re-rendered by it,
    // so what the director typed stays.
    let imported = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(p)) = import.value().get()
            && p.imported.is_some()
        {
            imported.update(|n| *n += 1);
        }
    });
    let data =
        Resource::new(move || (program_id, switch.version().get(), imported.get()), |(p, ..)| program_editions(p));
    let access = Resource::new(move || program_id, program_editions);
    view! {
        <section class="card" aria-labelledby="edition-title">
            <h2 id="edition-title">"Framework edition"</h2>
            <PageData resource=data let:v>
                <Editions v switch/>
            </PageData>
            <Suspense fallback=|| ()>
                {move || access.get().map(|r| r.ok().filter(|v| v.can_manage).map(|_| view! { <ImportForm program_id import/> }))}
            </Suspense>
        </section>
    }
}

#[component]
fn Editions(v: EditionsView, switch: ServerAction<SwitchEdition>) -> impl IntoView {
    let current = v.current.clone();
    let others: Vec<_> = v.choices.iter().filter(|c| c.info.id != current.id).cloned().collect();
    let pid = v.program_id;
    view! {
        <p data-testid="current-edition">
            "This program is on "<strong>{current.name.clone()}</strong>
            {format!(" ({}, {}).", current.publisher, current.version)}
        </p>
        <p class="meta">
            "A competency code means a skill only within its edition. Records already signed keep the code, title and checklist they were signed against."
        </p>
        {v.can_manage.then(|| view! { <SwitchForm program_id=pid current=current.id.clone() others switch/> })}
    }
}

#[component]
fn SwitchForm(
    program_id: ProgramId,
    current: String,
    others: Vec<crate::api::editions::EditionChoice>,
    switch: ServerAction<SwitchEdition>,
) -> impl IntoView {
    let first = others.first().map(|c| c.info.id.clone()).unwrap_or_default();
    let target = RwSignal::new(first);
    let preview = Action::new(move |(p, e): &(ProgramId, String)| edition_switch_preview(*p, e.clone()));
    let error = last_error(switch.value());
    let done = move || matches!(switch.value().get(), Some(Ok(())));
    let from = StoredValue::new(current);
    view! {
        <h3>"Move to another edition"</h3>
        {if others.is_empty() {
            view! { <p class="empty">"No other edition is available."</p> }.into_any()
        } else {
            view! {
                <div class="inline-form">
                    <div class="field">
                        <label for="edition-target">"Edition"</label>
                        <select id="edition-target" on:change=move |ev| target.set(event_target_value(&ev))>
                            {others.iter().map(|c| view! {
                                <option value=c.info.id.clone()>{format!("{} ({} competencies{})", c.info.name, c.competencies, if c.imported { ", imported" } else { "" })}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <button type="button" class="button button-secondary" on:click=move |_| { preview.dispatch((program_id, target.get_untracked())); }>
                        "Preview the move"
                    </button>
                </div>
                <div aria-live="polite">
                    {move || preview.value().get().map(|r| match r {
                        Ok(p) => view! { <PreviewTable p=p.clone()/> <ConfirmSwitch program_id from=from.get_value() to=p.to.id.clone() switch/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    })}
                    <FormError error/>
                    {move || done().then(|| view! { <p class="notice notice-ok" role="status">"The program has moved. Its record pages and dashboard now use the new edition."</p> })}
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn PreviewTable(p: SwitchPreview) -> impl IntoView {
    let records: i64 = p.mapped.iter().map(|m| m.records).sum();
    view! {
        <div data-testid="switch-preview">
            <p>{format!(
                "From {} to {}: {} recorded competencies ({records} records) count toward the new edition, {} do not, and {} competencies start from nothing.",
                p.from.name, p.to.name, p.mapped.len(), p.unmapped.len(), p.new_in_target.len()
            )}</p>
            {(!p.mapped.is_empty()).then(|| view! {
                <div class="table-scroll" role="region" aria-label="Competencies that map" tabindex="0">
                    <table class="data-table">
                        <caption>"What maps"</caption>
                        <thead><tr><th scope="col">"Recorded as"</th><th scope="col">"Counts toward"</th><th scope="col">"Records"</th></tr></thead>
                        <tbody>
                            {p.mapped.iter().map(|m| view! {
                                <tr>
                                    <td><span class="code">{m.from.code.clone()}</span>" "{m.from_title.clone()}</td>
                                    <td><span class="code">{m.to_code.clone()}</span>" "{m.to_title.clone()}</td>
                                    <td>{m.records}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {(!p.unmapped.is_empty()).then(|| view! {
                <h4>"What does not map"</h4>
                <p class="meta">"These records stay on each student's history, but no longer count toward completion."</p>
                <ul class="plain-list" data-testid="unmapped">
                    {p.unmapped.iter().map(|u| view! { <li><span class="code">{u.from.code.clone()}</span>{format!(" {} ({} records)", u.title, u.records)}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
fn ConfirmSwitch(
    program_id: ProgramId,
    from: String,
    to: String,
    switch: ServerAction<SwitchEdition>,
) -> impl IntoView {
    view! {
        <ActionForm action=switch>
            <input type="hidden" name="program_id" value=program_id/>
            <input type="hidden" name="from" value=from/>
            <input type="hidden" name="to" value=to/>
            <button type="submit" class="button" disabled=move || switch.pending().get()>"Move the program to this edition"</button>
        </ActionForm>
    }
}

#[component]
fn ImportForm(program_id: ProgramId, import: ServerAction<ImportFramework>) -> impl IntoView {
    let csv = RwSignal::new(String::new());
    let error = last_error(import.value());
    let report = move || import.value().get().and_then(Result::ok);
    let field_error = move |name: &'static str| move || error.get().and_then(|e| e.for_field(name));
    view! {
        <h3>"Import the program's own framework (CSV)"</h3>
        <p>
            "Columns: "<code>"code,title,domain,steps"</code>" and optionally "<code>"modules,attempts,setting,pass_percent,same_as,references"</code>
            ". Steps are separated by "<code>"|"</code>"; a step starting with "<code>"*"</code>" is critical. "
            <a href="/competencies.csv">"Download the default edition"</a>" as an example."
        </p>
        <ActionForm action=import>
            <input type="hidden" name="program_id" value=program_id/>
            <div class="field">
                <label for="framework-name">"Name"</label>
                <input id="framework-name" name="name" required=true aria-describedby="framework-name-error"/>
                <p id="framework-name-error" class="field-error">{field_error("name")}</p>
            </div>
            <div class="field">
                <label for="framework-version">"Year or version"</label>
                <input id="framework-version" name="version" required=true class="input-narrow" aria-describedby="framework-version-error"/>
                <p id="framework-version-error" class="field-error">{field_error("version")}</p>
            </div>
            <div class="field">
                <label for="framework-file">"CSV file"</label>
                <input id="framework-file" type="file" accept=".csv,text/csv" on:change=move |ev| read_file_into(ev, csv)/>
            </div>
            <div class="field">
                <label for="framework-csv">"Or paste the CSV"</label>
                <textarea id="framework-csv" name="csv" rows="8" spellcheck="false" prop:value=move || csv.get()
                    on:input=move |ev| csv.set(event_target_value(&ev)) aria-describedby="framework-csv-error"></textarea>
                <p id="framework-csv-error" class="field-error">{field_error("csv")}</p>
            </div>
            <FormError error/>
            <div class="button-row">
                // The button pressed says which: the form sends its name and value.
                <button type="submit" name="import" value="false" class="button button-secondary" disabled=move || import.pending().get()>
                    "Check the file"
                </button>
                <button type="submit" name="import" value="true" class="button" disabled=move || import.pending().get()>
                    "Import"
                </button>
            </div>
        </ActionForm>
        <div aria-live="polite" data-testid="import-report">
            {move || report().map(|p| view! { <ImportReport p/> })}
        </div>
    }
}

#[component]
fn ImportReport(p: ImportPreview) -> impl IntoView {
    if !p.problems.is_empty() {
        let n = p.problems.len();
        return view! {
            <div class="notice notice-error">
                <p>{format!("Nothing was imported. Fix {n} problem{} and check again:", if n == 1 { "" } else { "s" })}</p>
                <ul>{p.problems.into_iter().map(|(line, m)| view! { <li>{format!("Line {line}: {m}")}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any();
    }
    let counts =
        format!("{} psychomotor, {} affective and {} cognitive competencies.", p.psychomotor, p.affective, p.cognitive);
    match p.imported {
        Some((id, true)) => view! {
            <p class="notice notice-ok" role="status">{format!("Imported as edition {id}: {counts} Move the program to it above when you are ready.")}</p>
        }
        .into_any(),
        Some((id, false)) => view! {
            <p class="notice" role="status">{format!("This file was imported before (edition {id}); nothing changed.")}</p>
        }
        .into_any(),
        None => view! { <p class="notice notice-ok" role="status">{format!("The file is ready to import: {counts}")}</p> }.into_any(),
    }
}

/// Reads the chosen file into the CSV box (in the browser; the page works
/// without it by pasting).
fn read_file_into(ev: leptos::ev::Event, csv: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            leptos::task::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                    && let Some(text) = text.as_string()
                {
                    csv.set(text);
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, csv);
    }
}
