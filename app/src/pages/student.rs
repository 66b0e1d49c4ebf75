//! A student's record in a program: who they are and where they stand on
//! each skill module. Visible to the student, the program's staff, and
//! preceptors the student is placed with.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::people::{StudentRecordView, student_record};
use crate::components::page_data::PageData;
use crate::pages::competencies::CompetencySection;
use crate::pages::id_param;

#[component]
pub fn StudentRecordPage() -> impl IntoView {
    let (pid, sid) = (id_param("id"), id_param("student"));
    let record = Resource::new(
        move || (pid.get(), sid.get()),
        |(program, student)| async move { student_record(program?, student?).await },
    );
    view! {
        <PageData resource=record title="Student record" let:record>
            <Record record/>
        </PageData>
    }
}

#[component]
fn Record(record: StudentRecordView) -> impl IntoView {
    let mastered = record.modules.iter().filter(|m| m.mastered).count();
    let total = record.modules.len();
    view! {
        <Title text=record.name.clone()/>
        <p class="breadcrumb">{record.program_name.clone()}</p>
        <h1>{record.name.clone()}</h1>
        <p class="meta">
            {record.cohort.clone().map(|c| format!("Cohort {c}")).unwrap_or_default()}
            {record.student_number.clone().map(|n| format!(" · Student id {n}")).unwrap_or_default()}
        </p>
        <p><a class="tap-link" href=format!("/programs/{}/students/{}/hours", record.program_id, record.student_id)>"Externship hours and evaluations"</a></p>
        <CompetencySection program_id=record.program_id student_id=record.student_id/>
        <section class="card" aria-labelledby="modules-title">
            <h2 id="modules-title">"Skill modules"</h2>
            <p>{format!("{mastered} of {total} knowledge checks passed.")}</p>
            <p class="meta">{format!("Counted from {}, when this student joined the program.", record.joined_on)}</p>
            <progress max=total value=mastered aria-labelledby="modules-title">{format!("{mastered}/{total}")}</progress>
            <div class="table-scroll" role="region" aria-label="Module progress" tabindex="0">
                <table class="data-table">
                    <thead><tr><th scope="col">"Module"</th><th scope="col">"Read"</th><th scope="col">"Attempts"</th><th scope="col">"Best score"</th><th scope="col">"Passed"</th></tr></thead>
                    <tbody>
                        {record.modules.into_iter().map(|m| view! {
                            <tr>
                                <td><a href=format!("/modules/{}", m.slug)>{m.title}</a></td>
                                <td>{format!("{}%", m.read_percent)}</td>
                                <td>{m.attempts}</td>
                                <td>{m.best_score.map(|s| format!("{s}%")).unwrap_or_else(|| "–".into())}</td>
                                <td>{match (m.mastered, m.counted_attempt) {
                                    (true, Some(counted)) => format!("Yes ({counted})"),
                                    (true, None) => "Yes".to_string(),
                                    (false, _) => "Not yet".to_string(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
