//! Skill modules: the catalogue, a module's page, and knowledge-check grading.
//!
//! Modules are public reading (they hold no personal data). Progress is
//! personal: it is read and stored only for the signed-in student, and a
//! visitor who is not signed in gets grading without storage.

use super::{Caller, Context};
use crate::api::modules::{CatalogArea, CatalogEntry, QuizAttemptView};
use crate::domain::access::{Action, UserId};
use crate::domain::module::{ModuleStatus, ModuleView};
use crate::domain::quiz::{Answer, QuizResult, fits_draw, grade_draw, next_attempt_number};
use crate::error::AppError;
use crate::storage::{Db, progress};

/// Authorizes reading modules, and returns the signed-in person's id when
/// they may also keep their own progress.
fn read_modules_as(caller: &Caller) -> Result<Option<UserId>, AppError> {
    let who = caller.authorize(&Action::ReadModules)?;
    Ok(who.filter(|_| caller.may(&Action::OwnProgress)).map(|p| p.user_id))
}

/// Modules grouped by area in catalogue order, filtered by `query` (every
/// word must appear in the title, summary or text). A stored best score
/// outside 0-100 is logged and not shown.
pub async fn list_modules(ctx: &Context, caller: &Caller, query: &str) -> Result<Vec<CatalogArea>, AppError> {
    let student = read_modules_as(caller)?;
    let progress = match student {
        Some(student) => progress::for_student(&ctx.db, student).await?,
        None => Vec::new(),
    };
    let mut areas: Vec<CatalogArea> = Vec::new();
    for module in ctx.catalog.modules().iter().filter(|m| m.matches(query)) {
        let mine = progress.iter().find(|p| p.module_slug == module.summary.slug);
        let entry = CatalogEntry {
            module: module.summary.clone(),
            status: mine
                .map(|p| ModuleStatus::from_facts(p.opened, p.attempts > 0, p.mastered))
                .unwrap_or(ModuleStatus::NotStarted),
            best_score: mine.and_then(|p| {
                let score = p.best_score?;
                let shown = u8::try_from(score).ok().filter(|s| *s <= 100);
                if shown.is_none() {
                    tracing::error!(student = ?student, module = %p.module_slug, score, "a stored best score is out of range");
                }
                shown
            }),
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
async fn next_attempt(db: &Db, student: Option<UserId>, slug: &str) -> Result<(String, u32), AppError> {
    Ok(match student {
        Some(s) => (s.to_string(), next_attempt_number(progress::attempt_count(db, s, slug).await?)),
        None => (crate::content::ANYONE.to_string(), 1),
    })
}

/// A module's page: text, table of contents and the questions of the
/// attempt the person takes next, without answers. A student's first
/// opening of it is recorded.
pub async fn get_module(ctx: &Context, caller: &Caller, slug: &str) -> Result<ModuleView, AppError> {
    let student = read_modules_as(caller)?;
    let module = ctx.catalog.module(slug).ok_or(AppError::NotFound)?;
    let (taker, number) = match student {
        Some(student) => {
            let (opened, attempts) = progress::opened_and_attempts(&ctx.db, student, slug).await?;
            // The first opening is recorded; later views are reads only (a
            // write per page view queued every student behind the disk).
            if !opened {
                progress::record_reading(&ctx.db, student, slug, 0, chrono::Utc::now()).await?;
            }
            (student.to_string(), next_attempt_number(attempts))
        }
        None => (crate::content::ANYONE.to_string(), 1),
    };
    Ok(module.view(&taker, number))
}

/// The next attempt at a module's knowledge check.
pub async fn quiz_attempt(ctx: &Context, caller: &Caller, slug: &str) -> Result<QuizAttemptView, AppError> {
    let student = read_modules_as(caller)?;
    let module = ctx.catalog.module(slug).ok_or(AppError::NotFound)?;
    let (taker, number) = next_attempt(&ctx.db, student, slug).await?;
    let view = module.view(&taker, number);
    Ok(QuizAttemptView { attempt: view.attempt, questions: view.questions })
}

/// A module's body HTML.
pub fn module_body(ctx: &Context, caller: &Caller, slug: &str) -> Result<String, AppError> {
    read_modules_as(caller)?;
    Ok(ctx.catalog.module(slug).ok_or(AppError::NotFound)?.body_html.clone())
}

/// Grades attempt `attempt` of a knowledge check against its own draw and
/// by option identity, and keeps it (with the draw it answered) for a
/// signed-in student. A student's attempt is graded once: submitting it
/// again, from another tab, is refused.
pub async fn submit_quiz(
    ctx: &Context,
    caller: &Caller,
    slug: &str,
    attempt: u32,
    answers: &[Answer],
) -> Result<QuizResult, AppError> {
    let student = read_modules_as(caller)?;
    let module = ctx.catalog.module(slug).ok_or(AppError::NotFound)?;
    let (taker, expected) = next_attempt(&ctx.db, student, slug).await?;
    if student.is_some() && attempt != expected {
        return Err(AppError::BadRequest(
            "This attempt was already submitted (perhaps in another tab). Reload the page for your next attempt."
                .into(),
        ));
    }
    let draw = module.draw(&taker, attempt.max(1));
    if !fits_draw(answers, &draw) {
        return Err(AppError::BadRequest("That answer sheet does not fit this knowledge check.".into()));
    }
    let result = grade_draw(slug, &module.questions, &draw, answers, module.mastery_percent);
    if let Some(student) = student {
        progress::record_attempt(
            &ctx.db,
            &progress::NewAttempt {
                student_id: student,
                module_slug: slug,
                module_version: &module.version,
                mastery_percent: module.mastery_percent,
                answers,
                result: &result,
                draw: &draw,
            },
            chrono::Utc::now(),
        )
        .await?;
    }
    Ok(result)
}

/// Saves how far down a module the signed-in student has read (0-100).
pub async fn record_reading(ctx: &Context, caller: &Caller, slug: &str, percent: u8) -> Result<(), AppError> {
    let student = caller.authorize_signed_in(&Action::OwnProgress)?.user_id;
    if ctx.catalog.module(slug).is_none() {
        return Err(AppError::NotFound);
    }
    progress::record_reading(&ctx.db, student, slug, percent.min(100), chrono::Utc::now()).await?;
    Ok(())
}
