//! Framework editions on the wire: which one a program is on, what moving
//! to another would do, moving, and importing a program's own edition from
//! CSV. Each server function reads the request and calls `service::editions`.

use crate::domain::ids::ProgramId;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::edition::{EditionInfo, SwitchPreview};
use crate::error::AppError;

/// An edition a program can be on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditionChoice {
    pub info: EditionInfo,
    /// Psychomotor and affective competencies it holds.
    pub competencies: usize,
    /// Imported by this program (otherwise shipped with Checkoff).
    pub imported: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditionsView {
    pub program_id: ProgramId,
    pub current: EditionInfo,
    pub choices: Vec<EditionChoice>,
    /// Directors may switch and import; instructors see which edition is in force.
    pub can_manage: bool,
}

/// What a framework CSV would import, or why it would not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Every problem, by physical line of the CSV; nothing is imported
    /// while any remains.
    pub problems: Vec<(u64, String)>,
    pub psychomotor: usize,
    pub affective: usize,
    pub cognitive: usize,
    /// (code, title) of every competency, in file order.
    pub competencies: Vec<(String, String)>,
    /// Set once imported: the edition's id, and whether the same file had
    /// been imported before (then nothing changed).
    pub imported: Option<(String, bool)>,
}

/// The edition a program is on and the ones it could move to. Its
/// instructors and directors see it; directors may change it.
#[server(endpoint = "program-editions", input = GetUrl)]
pub async fn program_editions(program_id: ProgramId) -> Result<EditionsView, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::editions::program_editions(&ctx, &caller, program_id).await
}

/// What moving the program to `edition_id` would do: which recorded
/// competencies count toward which of the new edition's, which count
/// toward nothing, and which start from nothing. Directors.
#[server(endpoint = "edition-switch-preview", input = GetUrl)]
pub async fn edition_switch_preview(program_id: ProgramId, edition_id: String) -> Result<SwitchPreview, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::editions::switch_preview(&ctx, &caller, program_id, &edition_id).await
}

/// Moves the program to another edition (directors), from the edition the
/// preview was made on.
#[server(endpoint = "switch-edition")]
pub async fn switch_edition(program_id: ProgramId, from: String, to: String) -> Result<(), AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::editions::switch_edition(&ctx, &caller, program_id, &from, &to).await
}

/// Checks a framework CSV and, with `import` set and no problem found,
/// stores it as one of the program's editions, all or nothing (directors).
#[server(endpoint = "framework-import")]
pub async fn import_framework(
    program_id: ProgramId,
    name: String,
    version: String,
    csv: String,
    import: bool,
) -> Result<ImportPreview, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    let cmd = crate::service::editions::ImportFramework {
        program: program_id,
        name: &name,
        version: &version,
        csv: &csv,
        import,
    };
    crate::service::editions::import_framework(&ctx, &caller, cmd).await
}
