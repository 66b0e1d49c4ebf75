//! Framework editions: which one a program is on, what moving to another
//! would do (a preview), moving (directors), and importing a program's own
//! edition from CSV (preview every problem by line, then all or nothing).
//! The rules are `domain::edition`; shipped editions are files
//! (`content/competencies`), imported ones rows (`storage::editions`).

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
    pub program_id: i64,
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

#[cfg(feature = "ssr")]
pub use crate::service::editions::{edition_of_program, resolve};

/// The edition a program is on and the ones it could move to. Its
/// instructors and directors see it; directors may change it.
#[server(endpoint = "program-editions", input = GetUrl)]
pub async fn program_editions(program_id: i64) -> Result<EditionsView, AppError> {
    use crate::domain::access::{Action, decide};
    let who = super::authorize_signed_in(&Action::ViewProgramCompetencies { program: program_id })?;
    let ctx = super::ServerContext::get()?;
    let (_, current) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let mut choices: Vec<EditionChoice> = ctx
        .catalog
        .editions()
        .iter()
        .map(|e| EditionChoice { info: e.info.clone(), competencies: e.signed_off().count(), imported: false })
        .collect();
    for stored in crate::storage::editions::of_program(&ctx.db, program_id).await? {
        let e = resolve(&ctx.db, &ctx.catalog, &stored.id).await?;
        choices.push(EditionChoice { info: e.info.clone(), competencies: e.signed_off().count(), imported: true });
    }
    let can_manage = decide(Some(&who), &Action::ManageRequirements { program: program_id }).allowed();
    Ok(EditionsView { program_id, current: current.info.clone(), choices, can_manage })
}

/// What moving the program to `edition_id` would do: which recorded
/// competencies count toward which of the new edition's, which count
/// toward nothing, and which start from nothing. Directors.
#[server(endpoint = "edition-switch-preview", input = GetUrl)]
pub async fn edition_switch_preview(program_id: i64, edition_id: String) -> Result<SwitchPreview, AppError> {
    super::authorize_signed_in(&crate::domain::access::Action::ManageRequirements { program: program_id })?;
    let ctx = super::ServerContext::get()?;
    let (_, from) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    let to = available(&ctx, program_id, &edition_id).await?;
    let recorded = crate::storage::signoffs::recorded_competencies(&ctx.db, program_id).await?;
    Ok(crate::domain::edition::preview(&from.info, &to, &recorded))
}

/// Moves the program to another edition (directors), from the edition the
/// preview was made on: records stay as signed; the program's own
/// requirements follow the competencies they were set for; the audit log
/// says what mapped.
#[server(endpoint = "switch-edition")]
pub async fn switch_edition(program_id: i64, from: String, to: String) -> Result<(), AppError> {
    use crate::domain::edition::RecordKey;
    let me = super::authorize_signed_in(&crate::domain::access::Action::ManageRequirements { program: program_id })?;
    let ctx = super::ServerContext::get()?;
    let (_, current) = edition_of_program(&ctx.db, &ctx.catalog, program_id).await?;
    if current.id() != from {
        return Err(AppError::BadRequest(
            "The program's edition changed since the preview was shown. Look at the preview again.".into(),
        ));
    }
    if from == to {
        return Err(AppError::field("edition_id", "The program is on this edition already."));
    }
    let target = available(&ctx, program_id, &to).await?;
    let recorded = crate::storage::signoffs::recorded_competencies(&ctx.db, program_id).await?;
    let preview = crate::domain::edition::preview(&current.info, &target, &recorded);
    // The program's own requirements, carried to the competency each maps to.
    let overrides = crate::storage::signoffs::requirements(&ctx.db, program_id).await?;
    let counting = target.counting_map();
    let carried: Vec<(String, crate::domain::competency::Requirement)> = overrides
        .iter()
        .filter_map(|(code, r)| counting.get(&RecordKey::new(current.id(), code)).map(|to_code| (to_code.clone(), *r)))
        .collect();
    let detail = format!(
        "{} recorded competencies map, {} do not, {} start from nothing; {} of {} program requirements carried over",
        preview.mapped.len(),
        preview.unmapped.len(),
        preview.new_in_target.len(),
        carried.len(),
        overrides.len()
    );
    let switched = crate::storage::programs::set_edition(
        &ctx.db,
        program_id,
        &from,
        &to,
        &carried,
        &detail,
        me.user_id,
        chrono::Utc::now(),
    )
    .await?;
    if !switched {
        return Err(AppError::BadRequest(
            "The program's edition changed since the preview was shown. Look at the preview again.".into(),
        ));
    }
    Ok(())
}

/// An edition the program may move to: shipped, or imported by it.
#[cfg(feature = "ssr")]
async fn available(
    ctx: &super::ServerContext,
    program_id: i64,
    id: &str,
) -> Result<std::sync::Arc<crate::domain::edition::Edition>, AppError> {
    if let Some(e) = ctx.catalog.edition(id) {
        return Ok(e.clone());
    }
    match crate::storage::editions::get(&ctx.db, id).await? {
        Some(stored) if stored.program_id == program_id => resolve(&ctx.db, &ctx.catalog, id).await,
        _ => Err(AppError::field("edition_id", "Choose one of the editions listed.")),
    }
}

/// Checks a framework CSV and, with `import` set and no problem found,
/// stores it as one of the program's editions, all or nothing (directors).
/// Importing the same file again finds the edition already stored.
#[server(endpoint = "framework-import")]
pub async fn import_framework(
    program_id: i64,
    name: String,
    version: String,
    csv: String,
    import: bool,
) -> Result<ImportPreview, AppError> {
    use crate::domain::competency::CompetencyDomain;
    use sha2::{Digest, Sha256};
    let me = super::authorize_signed_in(&crate::domain::access::Action::ManageRequirements { program: program_id })?;
    let ctx = super::ServerContext::get()?;
    let name = name.trim();
    let version = version.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field(
            "name",
            "Name the framework, for example \"Our program's 2027 list\" (up to 200 characters).",
        ));
    }
    AppError::one_line("name", name)?;
    if version.is_empty() || version.chars().count() > 50 {
        return Err(AppError::field("version", "Give the edition's year or version (up to 50 characters)."));
    }
    AppError::one_line("version", version)?;
    if csv.trim().is_empty() {
        return Err(AppError::field("csv", "Paste the CSV, or choose the file."));
    }
    let program = crate::storage::programs::get_program(&ctx.db, program_id).await?.ok_or(AppError::NotFound)?;
    let slugs = |slug: &str| ctx.catalog.module(slug).is_some();
    let mut preview = ImportPreview {
        problems: Vec::new(),
        psychomotor: 0,
        affective: 0,
        cognitive: 0,
        competencies: Vec::new(),
        imported: None,
    };
    let competencies = match crate::content::framework::from_csv(&csv, &slugs) {
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
    if !import || !preview.problems.is_empty() {
        return Ok(preview);
    }
    // The same file (byte for byte, whatever its name) is the same edition.
    let sha = hex::encode(Sha256::digest(csv.as_bytes()));
    let id = format!("program-{program_id}-{}", &sha[..12]);
    let json = serde_json::to_string(&competencies).map_err(|e| {
        tracing::error!(error = %e, "could not serialize an imported framework");
        AppError::Internal
    })?;
    let stored = crate::storage::editions::import(
        &ctx.db,
        &crate::storage::editions::NewEdition {
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
