//! Content: the skill modules and competency framework in `content/`,
//! loaded, validated and rendered once at start-up (never per request).
//!
//! [`load`] either returns a whole, valid [`Catalog`] or every problem found,
//! each naming file and line (`path:line: message`): the server never serves
//! half a tree. The format is documented in `docs/content-format.md`.

pub mod framework;
mod markdown;
pub mod quiz_block;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::module::{ModuleSummary, ModuleView, TocEntry};
use crate::domain::quiz::Question;

/// One problem in the content tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// Every problem found, in file then line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}

pub use crate::domain::competency::{Competency, CompetencyDomain as Domain};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    summary: String,
    area: String,
    minutes: u32,
    order: i32,
    competencies: Vec<toml::Spanned<String>>,
    objectives: Vec<String>,
    #[serde(default = "default_mastery")]
    mastery: u8,
}

fn default_mastery() -> u8 {
    80
}

/// A validated, rendered module, with its answer key (server only).
#[derive(Debug, Clone)]
pub struct Module {
    pub summary: ModuleSummary,
    pub objectives: Vec<String>,
    pub mastery_percent: u8,
    pub toc: Vec<TocEntry>,
    pub body_html: String,
    pub questions: Vec<Question>,
    /// sha256 of the file, hex: which text an attempt was taken on.
    pub version: String,
    /// Lower-cased title, summary, area and plain text, for search.
    search_text: String,
}

impl Module {
    /// What the browser may see: questions without their key.
    pub fn view(&self) -> ModuleView {
        ModuleView {
            summary: self.summary.clone(),
            objectives: self.objectives.clone(),
            mastery_percent: self.mastery_percent,
            toc: self.toc.clone(),
            questions: self.questions.iter().map(|q| q.view(&self.summary.slug)).collect(),
            version: self.version.clone(),
        }
    }

    pub fn matches(&self, query: &str) -> bool {
        crate::domain::module::matches_query(&self.search_text, query)
    }
}

/// The whole validated content tree.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    modules: Vec<Module>,
    by_slug: HashMap<String, usize>,
    competencies: Vec<Competency>,
}

impl Catalog {
    /// Modules in catalogue order: by area, then `order`, then title.
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    pub fn module(&self, slug: &str) -> Option<&Module> {
        self.by_slug.get(slug).map(|&i| &self.modules[i])
    }

    /// The framework, in file order.
    pub fn competencies(&self) -> &[Competency] {
        &self.competencies
    }

    pub fn competency(&self, code: &str) -> Option<&Competency> {
        self.competencies.iter().find(|c| c.code == code)
    }

    /// Psychomotor and affective competencies: what is signed off and what
    /// the Master Competency Checklist lists.
    pub fn signed_off_competencies(&self) -> impl Iterator<Item = &Competency> {
        self.competencies.iter().filter(|c| c.domain.is_signed_off())
    }
}

/// Loads and validates `dir` (the `content/` folder).
pub fn load(dir: &Path) -> Result<Catalog, ContentErrors> {
    let mut errors = Vec::new();
    let framework_path = dir.join("competencies").join("framework.toml");
    let framework = match std::fs::read_to_string(&framework_path) {
        Ok(text) => Some(text),
        Err(e) => {
            errors.push(ContentError { path: framework_path.clone(), line: 0, message: format!("cannot read: {e}") });
            None
        }
    };
    let modules_dir = dir.join("modules");
    let mut files = Vec::new();
    match std::fs::read_dir(&modules_dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "md") {
                    match std::fs::read_to_string(&path) {
                        Ok(text) => files.push((path, text)),
                        Err(e) => errors.push(ContentError { path, line: 0, message: format!("cannot read: {e}") }),
                    }
                }
            }
        }
        Err(e) => errors.push(ContentError { path: modules_dir.clone(), line: 0, message: format!("cannot read: {e}") }),
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if !errors.is_empty() {
        return Err(ContentErrors(errors));
    }
    let framework = framework.unwrap_or_default();
    parse_tree(&framework_path, &framework, &modules_dir, &files, &check_image_file)
}

/// Checks an image file on disk: it exists, and an SVG carries no script.
/// Returns the problem, if any.
pub fn check_image_file(path: &Path) -> Option<String> {
    if !path.is_file() {
        return Some(format!("missing image (looked for {})", path.display()));
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        let text = std::fs::read_to_string(path).unwrap_or_default().to_lowercase();
        let scripted = text.contains("<script")
            || text.contains("javascript:")
            || text.contains("<foreignobject")
            || text.split(|c: char| c.is_whitespace()).any(|w| w.starts_with("on") && w.contains('='));
        if scripted {
            return Some(format!("{} contains script or event handlers; SVG figures must be static", path.display()));
        }
    }
    None
}

/// Validates and renders a tree given as text. `check_image` returns the
/// problem with an image path under `modules_dir`, if any (tests pass a
/// closure; [`load`] asks the disk with [`check_image_file`]).
pub fn parse_tree(
    framework_path: &Path,
    framework: &str,
    modules_dir: &Path,
    files: &[(PathBuf, String)],
    check_image: &dyn Fn(&Path) -> Option<String>,
) -> Result<Catalog, ContentErrors> {
    let mut errors = Vec::new();

    // Slugs first: modules link to each other.
    let mut slugs: BTreeMap<String, &Path> = BTreeMap::new();
    for (path, _) in files {
        let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if !quiz_block::is_slug(&slug) {
            errors.push(ContentError {
                path: path.clone(),
                line: 1,
                message: format!("file name '{slug}' is not a valid slug (lower-case words joined by '-')"),
            });
        }
        let key = slug.to_lowercase();
        if let Some(other) = slugs.get(&key) {
            errors.push(ContentError {
                path: path.clone(),
                line: 1,
                message: format!("duplicate slug '{slug}': also {}", other.display()),
            });
        } else {
            slugs.insert(key, path);
        }
    }

    let slug_exists = |slug: &str| slugs.contains_key(slug);
    let mut competencies = framework::parse(framework_path, framework, &slug_exists, &mut errors);
    let codes: HashSet<String> = competencies.iter().map(|c| c.code.clone()).collect();
    let codes: HashSet<&str> = codes.iter().map(String::as_str).collect();

    let mut modules = Vec::new();
    for (path, text) in files {
        let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match parse_module(path, &slug, text, &codes, &slugs, modules_dir, check_image) {
            Ok(m) => modules.push(m),
            Err(mut e) => errors.append(&mut e),
        }
    }

    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        return Err(ContentErrors(errors));
    }
    modules.sort_by(|a, b| {
        (&a.summary.area, a.summary.order, &a.summary.title).cmp(&(&b.summary.area, b.summary.order, &b.summary.title))
    });
    // A competency is taught by the modules that name it in their front
    // matter, plus any the framework names itself.
    for c in &mut competencies {
        for m in &modules {
            if m.summary.competencies.contains(&c.code) && !c.modules.contains(&m.summary.slug) {
                c.modules.push(m.summary.slug.clone());
            }
        }
    }
    let by_slug = modules.iter().enumerate().map(|(i, m)| (m.summary.slug.clone(), i)).collect();
    Ok(Catalog { modules, by_slug, competencies })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// `I.P.2.b`, `III.C.10`, `A.1`: a roman or letter area, then dot-separated
/// parts, each a number, a lower-case letter, or a domain letter.
pub fn is_competency_code(code: &str) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && parts[0].chars().all(|c| c.is_ascii_uppercase())
}

fn parse_module(
    path: &Path,
    slug: &str,
    text: &str,
    codes: &HashSet<&str>,
    slugs: &BTreeMap<String, &Path>,
    modules_dir: &Path,
    check_image: &dyn Fn(&Path) -> Option<String>,
) -> Result<Module, Vec<ContentError>> {
    let err = |line: usize, message: String| ContentError { path: path.to_path_buf(), line, message };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Front matter: between a first line "+++" and the next line "+++".
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("+++") {
        return Err(vec![err(1, "missing front matter: the file must start with a line '+++'".into())]);
    }
    let fm_start = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    let mut offset = fm_start;
    let mut fm_end = None;
    for line in lines {
        if line.trim_end() == "+++" {
            fm_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((fm_end, body_start)) = fm_end else {
        return Err(vec![err(1, "front matter is not closed: add a line '+++' after it".into())]);
    };
    let fm_text = &text[fm_start..fm_end];
    let front: FrontMatter = match toml::from_str(fm_text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, fm_start + s.start)).unwrap_or(1);
            return Err(vec![err(line, format!("front matter: {}", e.message().trim()))]);
        }
    };
    let mut errors = Vec::new();
    let fm_line = |needle: &str| {
        fm_text.find(needle).map(|i| line_of(text, fm_start + i)).unwrap_or(2)
    };
    for (name, value) in [("title", &front.title), ("summary", &front.summary), ("area", &front.area)] {
        if value.trim().is_empty() {
            errors.push(err(fm_line(name), format!("front matter: '{name}' is empty")));
        }
    }
    if front.objectives.is_empty() || front.objectives.iter().any(|o| o.trim().is_empty()) {
        errors.push(err(fm_line("objectives"), "front matter: 'objectives' needs at least one non-empty objective".into()));
    }
    if front.competencies.is_empty() {
        errors.push(err(fm_line("competencies"), "front matter: 'competencies' names no competency code".into()));
    }
    for code in &front.competencies {
        if !codes.contains(code.get_ref().as_str()) {
            errors.push(err(
                line_of(text, fm_start + code.span().start),
                format!("unknown competency code '{}' (not in content/competencies/framework.toml)", code.get_ref()),
            ));
        }
    }
    if !(1..=100).contains(&front.mastery) {
        errors.push(err(fm_line("mastery"), format!("front matter: mastery {} must be 1 to 100", front.mastery)));
    }
    if front.minutes == 0 {
        errors.push(err(fm_line("minutes"), "front matter: minutes must be at least 1".into()));
    }

    let body_line = line_of(text, body_start);
    let rendered = markdown::render(&text[body_start..], body_line, slugs, modules_dir, check_image);
    for e in rendered.errors {
        errors.push(err(e.line, e.message));
    }
    let mut ids = HashMap::new();
    for (q, line) in &rendered.questions {
        if let Some(first) = ids.insert(q.id.clone(), *line) {
            errors.push(err(*line, format!("duplicate question id '{}' (first on line {first})", q.id)));
        }
    }
    if rendered.questions.is_empty() {
        errors.push(err(body_line, "the module has no knowledge check (no ```quiz block)".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let search_text = format!("{} {} {} {}", front.title, front.summary, front.area, rendered.plain_text).to_lowercase();
    let questions: Vec<Question> = rendered.questions.into_iter().map(|(q, _)| q).collect();
    Ok(Module {
        summary: ModuleSummary {
            slug: slug.to_string(),
            title: front.title,
            summary: front.summary,
            area: front.area,
            minutes: front.minutes,
            order: front.order,
            competencies: front.competencies.into_iter().map(|c| c.into_inner()).collect(),
            question_count: questions.len(),
        },
        objectives: front.objectives,
        mastery_percent: front.mastery,
        toc: rendered.toc,
        body_html: rendered.html,
        questions,
        version: hex::encode(Sha256::digest(text.as_bytes())),
        search_text,
    })
}

#[cfg(test)]
mod tests;
