//! Skill modules: the catalogue, a module's page, and knowledge-check grading.
//!
//! Modules are public reading (they hold no personal data). Progress is
//! personal: it is read and stored only for the signed-in student, and a
//! visitor who is not signed in gets grading without storage.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

use crate::domain::module::{ModuleStatus, ModuleSummary, ModuleView};
use crate::domain::quiz::{Answer, QuizResult};
use crate::error::AppError;

/// One module in the catalogue, with the student's standing on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub module: ModuleSummary,
    pub status: ModuleStatus,
    pub best_score: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogArea {
    pub area: String,
    pub entries: Vec<CatalogEntry>,
}

/// Authorizes reading modules, and returns the signed-in person's id when
/// they may also keep their own progress.
#[cfg(feature = "ssr")]
fn read_modules_as() -> Result<Option<i64>, AppError> {
    use crate::domain::access::{Action, decide};
    let who = super::authorize(&Action::ReadModules)?;
    Ok(who.filter(|p| decide(Some(p), &Action::OwnProgress).allowed()).map(|p| p.user_id))
}

/// Modules grouped by area in catalogue order, filtered by `query` (every
/// word must appear in the title, summary or text).
#[server(endpoint = "modules", input = GetUrl)]
pub async fn list_modules(query: String) -> Result<Vec<CatalogArea>, AppError> {
    use crate::storage::progress;
    let student = read_modules_as()?;
    let ctx = super::ServerContext::get()?;
    let progress = match student {
        Some(student) => progress::for_student(&ctx.db, student).await?,
        None => Vec::new(),
    };
    let mut areas: Vec<CatalogArea> = Vec::new();
    for module in ctx.catalog.modules().iter().filter(|m| m.matches(&query)) {
        let mine = progress.iter().find(|p| p.module_slug == module.summary.slug);
        let entry = CatalogEntry {
            module: module.summary.clone(),
            status: mine
                .map(|p| ModuleStatus::from_facts(p.opened, p.attempts > 0, p.mastered))
                .unwrap_or(ModuleStatus::NotStarted),
            best_score: mine.and_then(|p| p.best_score).map(|s| s.clamp(0, 100) as u8),
        };
        match areas.last_mut() {
            Some(a) if a.area == module.summary.area => a.entries.push(entry),
            _ => areas.push(CatalogArea { area: module.summary.area.clone(), entries: vec![entry] }),
        }
    }
    Ok(areas)
}

/// The attempt a person takes next at a module: a signed-in student's next
/// numbered attempt (its draw is theirs, stable until they submit it), or
/// the shared first draw for a visitor.
#[cfg(feature = "ssr")]
async fn next_attempt(db: &crate::storage::Db, student: Option<i64>, slug: &str) -> Result<(String, u32), AppError> {
    Ok(match student {
        Some(s) => {
            let done = crate::storage::progress::attempt_count(db, s, slug).await?;
            (s.to_string(), u32::try_from(done).unwrap_or(u32::MAX - 1).saturating_add(1))
        }
        None => (crate::content::ANYONE.to_string(), 1),
    })
}

/// A module's page: text, table of contents and the questions of the
/// attempt the person takes next, without answers.
#[server(endpoint = "module", input = GetUrl)]
pub async fn get_module(slug: String) -> Result<ModuleView, AppError> {
    let student = read_modules_as()?;
    let ctx = super::ServerContext::get()?;
    let module = ctx.catalog.module(&slug).ok_or(AppError::NotFound)?;
    if let Some(student) = student {
        crate::storage::progress::record_reading(&ctx.db, student, &slug, 0, chrono::Utc::now()).await?;
    }
    let (taker, number) = next_attempt(&ctx.db, student, &slug).await?;
    Ok(module.view(&taker, number))
}

/// The questions of an attempt, as the knowledge check shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizAttemptView {
    pub attempt: u32,
    pub questions: Vec<crate::domain::quiz::QuestionView>,
}

/// The next attempt at a module's knowledge check (after submitting one, a
/// student's next attempt is a new draw: other questions, another order).
#[server(endpoint = "quiz-attempt", input = GetUrl)]
pub async fn quiz_attempt(slug: String) -> Result<QuizAttemptView, AppError> {
    let student = read_modules_as()?;
    let ctx = super::ServerContext::get()?;
    let module = ctx.catalog.module(&slug).ok_or(AppError::NotFound)?;
    let (taker, number) = next_attempt(&ctx.db, student, &slug).await?;
    let view = module.view(&taker, number);
    Ok(QuizAttemptView { attempt: view.attempt, questions: view.questions })
}

/// A module's body HTML, for pages rendered in the browser after a client-side
/// navigation. Server-rendered pages already hold it (see [`rendered_body`]).
#[server(endpoint = "module-body", input = GetUrl)]
pub async fn module_body(slug: String) -> Result<String, AppError> {
    read_modules_as()?;
    let ctx = super::ServerContext::get()?;
    Ok(ctx.catalog.module(&slug).ok_or(AppError::NotFound)?.body_html.clone())
}

/// The body HTML while rendering on the server; empty in the browser, where
/// hydration keeps the server's HTML as it is. Keeping the body out of the
/// hydration data cuts the venipuncture page from 85 KB to 58 KB (14.5 KB gzipped).
pub fn rendered_body(slug: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<super::ServerContext>()
            .and_then(|ctx| ctx.catalog.module(slug).map(|m| m.body_html.clone()))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = slug;
        String::new()
    }
}

/// Grades attempt `attempt` of a knowledge check on the server, against its
/// own draw and by option identity, and keeps it (with the draw it
/// answered) for a signed-in student. A student's attempt is graded once:
/// submitting it again, from another tab, is refused.
#[server(endpoint = "quiz", input = Json)]
pub async fn submit_quiz(slug: String, attempt: u32, answers: Vec<Answer>) -> Result<QuizResult, AppError> {
    let student = read_modules_as()?;
    let ctx = super::ServerContext::get()?;
    let module = ctx.catalog.module(&slug).ok_or(AppError::NotFound)?;
    let (taker, expected) = next_attempt(&ctx.db, student, &slug).await?;
    if student.is_some() && attempt != expected {
        return Err(AppError::BadRequest(
            "This attempt was already submitted (perhaps in another tab). Reload the page for your next attempt."
                .into(),
        ));
    }
    let draw = module.draw(&taker, attempt.max(1));
    // Bound what a client can make us store.
    if answers.len() > draw.questions.len() || answers.iter().any(|a| a.option_ids.len() > 16) {
        return Err(AppError::BadRequest("That answer sheet does not fit this knowledge check.".into()));
    }
    let result = crate::domain::quiz::grade_draw(&slug, &module.questions, &draw, &answers, module.mastery_percent);
    if let Some(student) = student {
        let stored = crate::storage::progress::record_attempt(
            &ctx.db,
            &crate::storage::progress::NewAttempt {
                student_id: student,
                module_slug: &slug,
                module_version: &module.version,
                mastery_percent: module.mastery_percent,
                answers: &answers,
                result: &result,
                draw: &draw,
            },
            chrono::Utc::now(),
        )
        .await;
        stored?;
    }
    Ok(result)
}

/// Saves how far down a module the signed-in student has read (0-100).
#[server(endpoint = "reading")]
pub async fn record_reading(slug: String, percent: u8) -> Result<(), AppError> {
    let Some(who) = super::authorize(&crate::domain::access::Action::OwnProgress)? else {
        return Err(AppError::Unauthenticated);
    };
    let student = who.user_id;
    let ctx = super::ServerContext::get()?;
    if ctx.catalog.module(&slug).is_none() {
        return Err(AppError::NotFound);
    }
    crate::storage::progress::record_reading(&ctx.db, student, &slug, percent.min(100), chrono::Utc::now()).await?;
    Ok(())
}
