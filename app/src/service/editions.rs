//! Framework editions: which one a program is on (shipped with Checkoff, or
//! imported by a program), what moving to another would do (a preview),
//! moving (directors), and importing a program's own edition from CSV
//! (every problem by line, then all or nothing). The rules are
//! `domain::edition`; shipped editions are files (`content/competencies`),
//! imported ones rows (`storage::editions`).
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use super::{Caller, Context};
use crate::api::editions::{EditionChoice, EditionsView, ImportPreview};
use crate::content::Catalog;
use crate::domain::access::{Action, ProgramId};
use crate::domain::competency::{Competency, CompetencyDomain};
use crate::domain::edition::{
    Edition, EditionInfo, SwitchPreview, carried_requirements, check_import_labels, imported_id, preview,
};
use crate::error::AppError;
use crate::storage::{Db, editions, programs, signoffs};

/// Imported editions never change once stored (their id names their
/// content), so every server may keep the ones it has read.
fn cache() -> &'static RwLock<HashMap<String, Arc<Edition>>> {
    static CACHE: OnceLock<RwLock<HashMap<String, Arc<Edition>>>> = OnceLock::new();
    CACHE.get_or_init(RwLock::default)
}

/// The edition with this id: shipped, or imported by some program.
pub async fn resolve(db: &Db, catalog: &Catalog, id: &str) -> Result<Arc<Edition>, AppError> {
    if let Some(e) = catalog.edition(id) {
        return Ok(e.clone());
    }
    if let Some(e) = cache().read().ok().and_then(|c| c.get(id).cloned()) {
        return Ok(e);
    }
    let Some(stored) = editions::get(db, id).await? else {
        tracing::error!(edition = id, "a program is on a framework edition that is neither shipped nor imported");
        return Err(AppError::Internal);
    };
    let competencies: Vec<Competency> = serde_json::from_str(&stored.competencies).map_err(|e| {
        tracing::error!(edition = id, error = %e, "a stored framework edition could not be read");
        AppError::Internal
    })?;
    let edition = Arc::new(Edition {
        info: EditionInfo { id: stored.id, name: stored.name, publisher: stored.publisher, version: stored.version },
        competencies,
    });
    if let Ok(mut c) = cache().write() {
        c.insert(id.to_string(), edition.clone());
    }
    Ok(edition)
}

/// A program and the edition it is on.
pub async fn edition_of_program(
    db: &Db,
    catalog: &Catalog,
    program: ProgramId,
) -> Result<(programs::Program, Arc<Edition>), AppError> {
    let p = programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
    let e = resolve(db, catalog, &p.edition_id).await?;
    Ok((p, e))
}

/// The edition a program is on and the ones it could move to. Its
/// instructors and directors see it; directors may change it.
pub async fn program_editions(ctx: &Context, caller: &Caller, program: ProgramId) -> Result<EditionsView, AppError> {
    caller.authorize_signed_in(&Action::ViewProgramCompetencies { program })?;
    let (_, current) = edition_of_program(&ctx.db, &ctx.catalog, program).await?;
    let mut choices: Vec<EditionChoice> = ctx
        .catalog
        .editions()
        .iter()
        .map(|e| EditionChoice { info: e.info.clone(), competencies: e.signed_off().count(), imported: false })
        .collect();
    for stored in editions::of_program(&ctx.db, program).await? {
        let e = resolve(&ctx.db, &ctx.catalog, &stored.id).await?;
        choices.push(EditionChoice { info: e.info.clone(), competencies: e.signed_off().count(), imported: true });
    }
    let can_manage = caller.may(&Action::ManageRequirements { program });
    Ok(EditionsView { program_id: program, current: current.info.clone(), choices, can_manage })
}

/// What moving the program to `edition_id` would do (directors).
pub async fn switch_preview(
    ctx: &Context,
    caller: &Caller,
    program: ProgramId,
    edition_id: &str,
) -> Result<SwitchPreview, AppError> {
    caller.authorize_signed_in(&Action::ManageRequirements { program })?;
    let (_, from) = edition_of_program(&ctx.db, &ctx.catalog, program).await?;
    let to = available(ctx, program, edition_id).await?;
    let recorded = signoffs::recorded_competencies(&ctx.db, program).await?;
    Ok(preview(&from.info, &to, &recorded))
}

fn changed_since_preview() -> AppError {
    AppError::BadRequest("The program's edition changed since the preview was shown. Look at the preview again.".into())
}

/// Moves the program to another edition (directors), from the edition the
/// preview was made on: records stay as signed; the program's own
/// requirements follow the competencies they were set for; the audit log
/// says what mapped.
pub async fn switch_edition(
    ctx: &Context,
    caller: &Caller,
    program: ProgramId,
    from: &str,
    to: &str,
) -> Result<(), AppError> {
    let me = caller.authorize_signed_in(&Action::ManageRequirements { program })?;
    let (_, current) = edition_of_program(&ctx.db, &ctx.catalog, program).await?;
    if current.id() != from {
        return Err(changed_since_preview());
    }
    if from == to {
        return Err(AppError::field("edition_id", "The program is on this edition already."));
    }
    let target = available(ctx, program, to).await?;
    let recorded = signoffs::recorded_competencies(&ctx.db, program).await?;
    let preview = preview(&current.info, &target, &recorded);
    let overrides = signoffs::requirements(&ctx.db, program).await?;
    let carried = carried_requirements(current.id(), &target, &overrides);
    let detail = preview.audit_detail(carried.len(), overrides.len());
    let switched =
        programs::set_edition(&ctx.db, program, from, to, &carried, &detail, me.user_id, chrono::Utc::now()).await?;
    if !switched {
        return Err(changed_since_preview());
    }
    Ok(())
}

/// An edition the program may move to: shipped, or imported by it.
async fn available(ctx: &Context, program: ProgramId, id: &str) -> Result<Arc<Edition>, AppError> {
    if let Some(e) = ctx.catalog.edition(id) {
        return Ok(e.clone());
    }
    match editions::get(&ctx.db, id).await? {
        Some(stored) if stored.program_id == program => resolve(&ctx.db, &ctx.catalog, id).await,
        _ => Err(AppError::field("edition_id", "Choose one of the editions listed.")),
    }
}

/// A framework CSV to check and, with `import` set, to store.
#[derive(Debug, Clone)]
pub struct ImportFramework<'a> {
    pub program: ProgramId,
    pub name: &'a str,
    pub version: &'a str,
    pub csv: &'a str,
    pub import: bool,
}

/// Checks a framework CSV and, with `import` set and no problem found,
/// stores it as one of the program's editions, all or nothing (directors).
/// Importing the same file again finds the edition already stored.
pub async fn import_framework(
    ctx: &Context,
    caller: &Caller,
    cmd: ImportFramework<'_>,
) -> Result<ImportPreview, AppError> {
    use sha2::{Digest, Sha256};
    let program_id = cmd.program;
    let me = caller.authorize_signed_in(&Action::ManageRequirements { program: program_id })?;
    let name = cmd.name.trim();
    let version = cmd.version.trim();
    check_import_labels(name, version).map_err(|e| AppError::field(e.field, e.message))?;
    if cmd.csv.trim().is_empty() {
        return Err(AppError::field("csv", "Paste the CSV, or choose the file."));
    }
    let program = programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let slugs = |slug: &str| ctx.catalog.module(slug).is_some();
    let mut preview = ImportPreview {
        problems: Vec::new(),
        psychomotor: 0,
        affective: 0,
        cognitive: 0,
        competencies: Vec::new(),
        imported: None,
    };
    let competencies = match crate::content::framework::from_csv(cmd.csv, &slugs) {
        Ok(c) => c,
        Err(problems) => {
            preview.problems = problems.into_iter().map(|p| (p.line, p.message)).collect();
            return Ok(preview);
        }
    };
    for c in &competencies {
        match c.domain {
            CompetencyDomain::Psychomotor => preview.psychomotor += 1,
            CompetencyDomain::Affective => preview.affective += 1,
            CompetencyDomain::Cognitive => preview.cognitive += 1,
        }
    }
    preview.competencies = competencies.iter().map(|c| (c.code.clone(), c.title.clone())).collect();
    if preview.psychomotor + preview.affective == 0 {
        preview.problems.push((1, "the file holds no psychomotor or affective competency to sign off".into()));
    }
    if !cmd.import || !preview.problems.is_empty() {
        return Ok(preview);
    }
    let sha = hex::encode(Sha256::digest(cmd.csv.as_bytes()));
    let id = imported_id(program_id, &sha);
    let json = serde_json::to_string(&competencies).map_err(|e| {
        tracing::error!(error = %e, program = %program_id, "could not serialize an imported framework");
        AppError::Internal
    })?;
    let stored = editions::import(
        &ctx.db,
        &editions::NewEdition {
            id: &id,
            program: program_id,
            name,
            publisher: &program.name,
            version,
            source_sha256: &sha,
            competencies_json: &json,
            imported_by: me.user_id,
        },
        chrono::Utc::now(),
    )
    .await?;
    preview.imported = Some(stored);
    Ok(preview)
}
