//! Skill modules on the wire: the catalogue, a module's page, and
//! knowledge-check grading. Each server function reads the request and
//! calls `service::modules`, where progress is kept for signed-in students.

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

/// Modules grouped by area in catalogue order, filtered by `query` (every
/// word must appear in the title, summary or text).
#[server(endpoint = "modules", input = GetUrl)]
pub async fn list_modules(query: String) -> Result<Vec<CatalogArea>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::modules::list_modules(&ctx, &caller, &query).await
}

/// A module's page: text, table of contents and the questions of the
/// attempt the person takes next, without answers.
#[server(endpoint = "module", input = GetUrl)]
pub async fn get_module(slug: String) -> Result<ModuleView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::modules::get_module(&ctx, &caller, &slug).await
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
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::modules::quiz_attempt(&ctx, &caller, &slug).await
}

/// A module's body HTML, for pages rendered in the browser after a client-side
/// navigation. Server-rendered pages already hold it (see [`rendered_body`]).
#[server(endpoint = "module-body", input = GetUrl)]
pub async fn module_body(slug: String) -> Result<String, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::modules::module_body(&ctx, &caller, &slug)
}

/// The body HTML while rendering on the server; empty in the browser, where
/// hydration keeps the server's HTML as it is. Keeping the body out of the
/// hydration data cuts the venipuncture page from 85 KB to 58 KB (14.5 KB gzipped).
pub fn rendered_body(slug: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::service::Context>()
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
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::modules::submit_quiz(&ctx, &caller, &slug, attempt, &answers).await
}

/// Saves how far down a module the signed-in student has read (0-100).
#[server(endpoint = "reading")]
pub async fn record_reading(slug: String, percent: u8) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::modules::record_reading(&ctx, &caller, &slug, percent).await
}
