//! The program director's pages: the cohort dashboard, the accreditation
//! summary, and every student's Master Competency Checklist in one
//! printable document. Views only.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::reports::{
    DashboardView, StudentFilter, SummaryView, accreditation_summary, cohort_checklists, program_dashboard,
    status_of_char,
};
use crate::components::charts::{Bar, BarChart, LineChart, Point};
use crate::components::page_data::PageData;
use crate::domain::competency::CompetencyStatus;
use crate::pages::id_param;

fn query_param(name: &'static str) -> Memo<String> {
    let q = use_query_map();
    Memo::new(move |_| q.read().get(name).unwrap_or_default())
}

/// A status for people who do not read colour: one symbol per cell.
fn symbol(s: CompetencyStatus) -> &'static str {
    match s {
        CompetencyStatus::Complete => "✓",
        CompetencyStatus::PassedInLab => "L",
        CompetencyStatus::PassedAtExternship => "X",
        CompetencyStatus::Attempted => "·",
        CompetencyStatus::NotStarted => "",
    }
}

#[component]
fn CohortPicker(
    cohorts: Vec<(i64, String)>,
    selected: Option<i64>,
    #[prop(optional)] filter: Option<StudentFilter>,
) -> impl IntoView {
    view! {
        <form method="get" class="card inline-form" aria-label="Filters">
            <div class="field">
                <label for="cohort">"Cohort"</label>
                <select id="cohort" name="cohort">
                    <option value="0" selected=selected.is_none()>"All cohorts"</option>
                    {cohorts.into_iter().map(|(id, name)| view! { <option value=id selected=selected == Some(id)>{name}</option> }).collect_view()}
                </select>
            </div>
            {filter.map(|f| view! {
                <div class="field">
                    <label for="status">"Students"</label>
                    <select id="status" name="status">
                        {StudentFilter::ALL.into_iter().map(|o| view! { <option value=o.as_str() selected=o == f>{o.label()}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <button type="submit" class="button button-secondary">"Show"</button>
        </form>
    }
}

/// Students by competencies, hours, the at-risk list and charts.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let pid = id_param("id");
    let (cohort, status) = (query_param("cohort"), query_param("status"));
    let data = Resource::new(
        move || (pid.get(), cohort.get(), status.get()),
        |(p, c, s)| async move { program_dashboard(p?, c.parse().unwrap_or(0), s).await },
    );
    view! {
        <PageData resource=data title="Cohort dashboard" let:v>
            <Dashboard v/>
        </PageData>
    }
}

#[component]
fn Dashboard(v: DashboardView) -> impl IntoView {
    let pid = v.program_id;
    let hours_bars: Vec<Bar> = v
        .hours_per_week
        .iter()
        .map(|(w, h)| Bar {
            label: w.get(5..).unwrap_or(w).to_string(),
            value: *h,
            title: format!("Week of {w}: {h:.1} h approved"),
        })
        .collect();
    let passes: Vec<Point> = v
        .passes_over_time
        .iter()
        .filter_map(|(w, n)| Some(Point { date: chrono::NaiveDate::parse_from_str(w, "%Y-%m-%d").ok()?, value: *n }))
        .collect();
    let risky: Vec<_> = v.rows.iter().filter(|r| !r.risks.is_empty()).cloned().collect();
    let shown = v.rows.len();
    let codes = v.competencies.clone();
    view! {
        <Title text=format!("Cohort dashboard · {}", v.program_name)/>
        <p class="breadcrumb"><a href="/">"Home"</a>" · "<a href=format!("/programs/{pid}/summary")>"Accreditation summary"</a></p>
        <h1>"Cohort dashboard"</h1>
        <CohortPicker cohorts=v.cohorts.clone() selected=v.cohort_id filter=v.filter/>
        <p data-testid="dashboard-counts">{format!("{} students in view of {} · {} at risk", shown, v.cohort_size, v.at_risk)}</p>
        <section class="card" aria-labelledby="risk-title">
            <h2 id="risk-title">{format!("At risk ({})", v.at_risk)}</h2>
            {if risky.is_empty() {
                view! { <p class="empty">"No student in view is at risk."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list risk-list" data-testid="at-risk">
                        {risky.into_iter().map(|r| view! {
                            <li>
                                <a href=format!("/programs/{pid}/students/{}", r.student_id)>{r.name.clone()}</a>
                                <ul>{r.risks.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <div class="chart-pair">
            <section class="card" aria-labelledby="hours-chart-title">
                <h2 id="hours-chart-title">"Approved hours per week"</h2>
                <BarChart bars=hours_bars target=None unit="h" caption="Approved externship hours per week, all students in the cohort" category="Week"/>
            </section>
            <section class="card" aria-labelledby="passes-chart-title">
                <h2 id="passes-chart-title">"Competency passes to date"</h2>
                <LineChart series=passes target=None caption="Passed evaluations, cumulative by week" unit="passes"/>
            </section>
        </div>
        <section class="bleed" aria-labelledby="grid-title">
            <h2 id="grid-title">"Students by competency"</h2>
            <p class="legend">
                <span class="badge status-complete">"✓ Complete"</span>" "
                <span class="badge status-partial">"L Passed in lab · X Passed at externship"</span>" "
                <span class="badge status-attempted">"· Attempted"</span>" "
                <span class="badge status-none">"Not started"</span>
            </p>
            <div class="table-scroll grid-scroll" role="region" aria-labelledby="grid-title" tabindex="0">
                <table class="data-table cohort-grid" data-testid="cohort-grid">
                    <thead>
                        <tr>
                            <th scope="col" class="sticky">"Student"</th>
                            <th scope="col">"Complete"</th>
                            <th scope="col">"Hours"</th>
                            {codes.iter().map(|(code, title, _)| view! { <th scope="col" class="code-col"><abbr title=title.clone()>{code.clone()}</abbr></th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {v.rows.into_iter().map(|r| {
                            let total = codes.len();
                            view! {
                                <tr>
                                    <th scope="row" class="sticky"><a href=format!("/programs/{pid}/students/{}", r.student_id)>{r.name.clone()}</a></th>
                                    <td>{format!("{} / {total}", r.complete)}</td>
                                    <td class="hours-cell">
                                        <progress max="100" value=r.hours_percent aria-label=format!("{} of {} h approved", r.approved_hours, r.required_hours)></progress>
                                        <span class="meta">{format!("{}/{}", r.approved_hours, r.required_hours)}</span>
                                    </td>
                                    {r.cells.chars().zip(codes.iter()).map(|(c, (code, _, _))| {
                                        let s = status_of_char(c);
                                        view! { <td class=format!("cell {}", s.css()) title=format!("{code}: {}", s.label())>{symbol(s)}</td> }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" class="sticky">"Students complete"</th>
                            <td></td>
                            <td></td>
                            {v.complete_per_competency.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// The accreditation summary of a cohort: shares complete and the exceptions.
#[component]
pub fn SummaryPage() -> impl IntoView {
    let pid = id_param("id");
    let cohort = query_param("cohort");
    let data = Resource::new(
        move || (pid.get(), cohort.get()),
        |(p, c)| async move { accreditation_summary(p?, c.parse().unwrap_or(0)).await },
    );
    view! {
        <PageData resource=data title="Accreditation summary" let:v>
            <Summary v/>
        </PageData>
    }
}

#[component]
fn Summary(v: SummaryView) -> impl IntoView {
    let pid = v.program_id;
    let f = v.figures;
    let cohort_q = v.cohort_id.unwrap_or(0);
    let figure = |label: String, n: usize, pct: u8| {
        view! {
            <div class="figure">
                <p class="figure-value">{format!("{pct}%")}</p>
                <p class="figure-label">{format!("{label}: {n} of {}", f.students)}</p>
            </div>
        }
    };
    view! {
        <Title text=format!("Accreditation summary · {}", v.program_name)/>
        <div class="printable">
            <p class="breadcrumb no-print"><a href="/">"Home"</a>" · "<a href=format!("/programs/{pid}/dashboard")>"Cohort dashboard"</a></p>
            <h1>"Accreditation summary"</h1>
            <CohortPicker cohorts=v.cohorts.clone() selected=v.cohort_id/>
            <dl class="facts">
                <dt>"Program"</dt><dd>{v.program_name.clone()}</dd>
                <dt>"Cohort"</dt><dd>{v.cohort_name.clone()}</dd>
                <dt>"Students"</dt><dd data-testid="summary-students">{f.students}</dd>
                <dt>"Generated"</dt><dd>{v.generated_at.clone()}</dd>
            </dl>
            <div class="figures" data-testid="summary-figures">
                {figure(format!("All {} psychomotor competencies", v.psychomotor_required), f.psychomotor_complete, f.psychomotor_percent())}
                {figure(format!("All {} affective competencies", v.affective_required), f.affective_complete, f.affective_percent())}
                {figure("Externship hours complete".into(), f.hours_complete, f.hours_percent())}
                {figure("Complete in every part".into(), f.all_complete, f.all_percent())}
            </div>
            <p class="no-print">
                <a class="button" href=format!("/programs/{pid}/summary.csv?cohort={cohort_q}") download="">"Download CSV"</a>" "
                <a class="button button-secondary" href=format!("/programs/{pid}/checklists?cohort={cohort_q}")>"Printable checklists for every student"</a>
            </p>
            <section aria-labelledby="readiness-title">
                <h2 id="readiness-title">"Preceptors' readiness ratings"</h2>
                <ul class="plain-list">
                    {v.readiness.into_iter().map(|(r, n)| view! { <li>{format!("{}: {n}", r.label())}</li> }).collect_view()}
                    <li>{format!("Site evaluations by students: {}", v.site_evaluations)}</li>
                </ul>
            </section>
            <section aria-labelledby="exceptions-title">
                <h2 id="exceptions-title">{format!("Exceptions ({})", v.exceptions.len())}</h2>
                {if v.exceptions.is_empty() {
                    view! { <p>"Every student is complete in every part."</p> }.into_any()
                } else {
                    view! {
                        <table class="data-table" data-testid="exceptions">
                            <thead><tr><th scope="col">"Student"</th><th scope="col">"What is missing"</th></tr></thead>
                            <tbody>
                                {v.exceptions.into_iter().map(|e| view! {
                                    <tr>
                                        <td><a href=format!("/programs/{pid}/students/{}", e.student_id)>{e.name}</a></td>
                                        <td><ul class="plain-list">{e.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

/// Every student's Master Competency Checklist, one per printed page.
#[component]
pub fn CohortChecklistsPage() -> impl IntoView {
    let pid = id_param("id");
    let cohort = query_param("cohort");
    let data = Resource::new(
        move || (pid.get(), cohort.get()),
        |(p, c)| async move { cohort_checklists(p?, c.parse().unwrap_or(0)).await },
    );
    view! {
        <Title text="Master Competency Checklists"/>
        <PageData resource=data title="Master Competency Checklists" loading="Preparing the checklists…" let:list>
            <p class="no-print">{format!("{} checklists. Use your browser's Print command; each starts on a new page.", list.len())}</p>
            {list.into_iter().map(|rec| view! { <div class="page-break"><crate::pages::competencies::MasterChecklist rec/></div> }).collect_view()}
        </PageData>
    }
}
