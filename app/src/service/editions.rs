//! Framework editions: which one a program is on (shipped with Checkoff, or
//! imported by a program), and the rules of moving between them
//! (`domain::edition`).
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::content::Catalog;
use crate::domain::competency::Competency;
use crate::domain::edition::{Edition, EditionInfo};
use crate::error::AppError;
use crate::storage::{Db, editions, programs};

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
    program: i64,
) -> Result<(programs::Program, Arc<Edition>), AppError> {
    let p = programs::get_program(db, program).await?.ok_or(AppError::NotFound)?;
    let e = resolve(db, catalog, &p.edition_id).await?;
    Ok((p, e))
}
