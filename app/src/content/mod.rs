//! Content: the skill modules and competency framework in `content/`,
//! loaded, validated and rendered once at start-up (never per request).
//!
//! [`load`] either returns a whole, valid [`Catalog`] or every problem found,
//! each naming file and line (`path:line: message`): the server never serves
//! half a tree. The format is documented in `docs/content-format.md`.

pub mod consistency;
pub mod framework;
mod markdown;
pub mod quiz_block;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use std::sync::Arc;

use crate::domain::edition::{Edition, RecordKey};
use crate::domain::module::{ModuleSummary, ModuleView, TocEntry};
use crate::domain::quiz::{Draw, Question, QuestionKind};

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
    /// Questions each attempt draws from the bank (default: all of them).
    questions_per_attempt: Option<usize>,
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
    /// Questions an attempt draws (`None`: all).
    pub questions_per_attempt: Option<usize>,
    /// 1-based position at which each single-choice question's key was
    /// written (check-content reports the spread; the page shuffles).
    pub authored_key_positions: Vec<usize>,
    /// sha256 of the file, hex: which text an attempt was taken on.
    pub version: String,
    /// Lower-cased title, summary, area and plain text, for search.
    search_text: String,
}

/// Who is taking an attempt, for drawing it: visitors who are not signed
/// in all get the same first draw (their page can be cached and shared).
pub const ANYONE: &str = "anyone";

impl Module {
    /// Attempt `number` of `taker` (a student id, or [`ANYONE`]).
    pub fn draw(&self, taker: &str, number: u32) -> Draw {
        crate::domain::quiz::draw(
            &self.summary.slug,
            &self.version,
            taker,
            number,
            &self.questions,
            self.questions_per_attempt,
        )
    }

    /// What the browser may see of attempt `number` of `taker`: its drawn
    /// questions, options shuffled, without the key.
    pub fn view(&self, taker: &str, number: u32) -> ModuleView {
        let draw = self.draw(taker, number);
        ModuleView {
            summary: self.summary.clone(),
            objectives: self.objectives.clone(),
            mastery_percent: self.mastery_percent,
            toc: self.toc.clone(),
            questions: draw.views(&self.summary.slug, &self.questions),
            version: self.version.clone(),
            attempt: number,
            bank_size: self.questions.len(),
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
    /// Every framework edition in `content/competencies/`, by file name.
    editions: Vec<Arc<Edition>>,
    default_edition: usize,
    /// Problems that do not stop the server (`check-content` prints them).
    warnings: Vec<ContentError>,
}

impl Catalog {
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    pub fn module(&self, slug: &str) -> Option<&Module> {
        self.by_slug.get(slug).map(|&i| &self.modules[i])
    }

    pub fn editions(&self) -> &[Arc<Edition>] {
        &self.editions
    }

    pub fn edition(&self, id: &str) -> Option<&Arc<Edition>> {
        self.editions.iter().find(|e| e.id() == id)
    }

    /// The edition new programs start on, whose codes modules name.
    pub fn default_edition(&self) -> &Arc<Edition> {
        &self.editions[self.default_edition]
    }

    /// The default edition's competencies.
    pub fn competencies(&self) -> &[Competency] {
        &self.default_edition().competencies
    }

    /// A competency of the default edition.
    pub fn competency(&self, code: &str) -> Option<&Competency> {
        self.default_edition().competency(code)
    }

    /// The default edition's competencies evaluated by a checklist.
    pub fn signed_off_competencies(&self) -> impl Iterator<Item = &Competency> {
        self.default_edition().signed_off()
    }

    pub fn warnings(&self) -> &[ContentError] {
        &self.warnings
    }
}

/// Reads every file with `extension` in `dir`, sorted by name.
pub fn read_files(dir: &Path, extension: &str, errors: &mut Vec<ContentError>) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == extension) {
                    match std::fs::read_to_string(&path) {
                        Ok(text) => files.push((path, text)),
                        Err(e) => errors.push(ContentError { path, line: 1, message: format!("cannot read: {e}") }),
                    }
                }
            }
        }
        Err(e) => errors.push(ContentError { path: dir.to_path_buf(), line: 1, message: format!("cannot read: {e}") }),
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// Loads and validates `dir` (the `content/` folder).
pub fn load(dir: &Path) -> Result<Catalog, ContentErrors> {
    let mut errors = Vec::new();
    let editions = read_files(&dir.join("competencies"), "toml", &mut errors);
    let modules_dir = dir.join("modules");
    let files = read_files(&modules_dir, "md", &mut errors);
    if !errors.is_empty() {
        return Err(ContentErrors(errors));
    }
    parse_tree(&editions, &modules_dir, &files, &check_image_file)
}

/// Checks an image file on disk: it exists, and an SVG carries no script.
/// Returns the problem, if any.
pub fn check_image_file(path: &Path) -> Option<String> {
    if !path.is_file() {
        return Some(format!("missing image (looked for {})", path.display()));
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text.to_lowercase(),
            // An SVG that cannot be read cannot be checked for script.
            Err(e) => return Some(format!("could not read image {}: {e}", path.display())),
        };
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
    edition_files: &[(PathBuf, String)],
    modules_dir: &Path,
    files: &[(PathBuf, String)],
    check_image: &dyn Fn(&Path) -> Option<String>,
) -> Result<Catalog, ContentErrors> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

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
    let (mut editions, default_edition) = parse_editions(edition_files, &slug_exists, &mut errors);
    let no_codes = HashSet::new();
    let codes: HashSet<&str> = match default_edition.and_then(|i| editions.get(i)) {
        Some(e) => e.competencies.iter().map(|c| c.code.as_str()).collect(),
        None => no_codes,
    };

    let mut modules = Vec::new();
    for (path, text) in files {
        let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match parse_module(path, &slug, text, &codes, &slugs, modules_dir, check_image, &mut warnings) {
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
    // A competency of the default edition is taught by the modules that
    // name it in their front matter, plus any the edition names itself
    // (other editions name their modules themselves).
    let default_edition = default_edition.unwrap_or(0);
    if let Some(e) = editions.get_mut(default_edition) {
        for c in &mut e.competencies {
            for m in &modules {
                if m.summary.competencies.contains(&c.code) && !c.modules.contains(&m.summary.slug) {
                    c.modules.push(m.summary.slug.clone());
                }
            }
        }
    }
    for (e, (path, text)) in editions.iter().zip(edition_files) {
        // Affective behaviours are rated in any setting; a psychomotor skill
        // needs teaching before it is checked off.
        for c in e
            .competencies
            .iter()
            .filter(|c| c.domain == crate::domain::competency::CompetencyDomain::Psychomotor && c.modules.is_empty())
        {
            let line = text.find(&format!("code = \"{}\"", c.code)).map_or(1, |at| line_of(text, at));
            warnings.push(ContentError {
                path: path.clone(),
                line,
                message: format!("competency {} links to no module: no module teaches it yet", c.code),
            });
        }
    }
    // Checklists agree with the modules they link to (`consistency`).
    let reading: HashMap<String, (&PathBuf, String)> = files
        .iter()
        .map(|(path, text)| {
            let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            (slug, (path, without_quiz_blocks(text)))
        })
        .collect();
    for (e, (path, text)) in editions.iter().zip(edition_files) {
        for c in &e.competencies {
            let at = text.find(&format!("code = \"{}\"", c.code)).unwrap_or(0);
            for (n, step) in c.steps.iter().enumerate() {
                let step_line =
                    text[at..].find(step.text.as_str()).map_or(line_of(text, at), |i| line_of(text, at + i));
                let linked: Vec<&(&PathBuf, String)> = c.modules.iter().filter_map(|m| reading.get(m)).collect();
                let texts: Vec<&str> = linked.iter().map(|(_, t)| t.as_str()).collect();
                for (q, places) in consistency::disagreements(&step.text, &texts) {
                    let theirs: Vec<String> = places
                        .iter()
                        .take(3)
                        .map(|(m, line, v)| format!("{v} at {}:{line}", linked[*m].0.display()))
                        .collect();
                    warnings.push(ContentError {
                        path: path.clone(),
                        line: step_line,
                        message: format!(
                            "competency {} step {} says {} {}, which no module it links to gives ({})",
                            c.code,
                            n + 1,
                            q.values.join("–"),
                            q.unit,
                            theirs.join("; ")
                        ),
                    });
                }
            }
        }
    }
    let by_slug = modules.iter().enumerate().map(|(i, m)| (m.summary.slug.clone(), i)).collect();
    let editions = editions.into_iter().map(Arc::new).collect();
    Ok(Catalog { modules, by_slug, editions, default_edition, warnings })
}

/// Parses every edition file; checks that ids are unique, that exactly one
/// is the default, and that every `same_as` names a competency that exists.
/// Returns the editions (in file order, one per readable file) and the
/// index of the default.
fn parse_editions(
    files: &[(PathBuf, String)],
    slug_exists: &dyn Fn(&str) -> bool,
    errors: &mut Vec<ContentError>,
) -> (Vec<Edition>, Option<usize>) {
    let mut editions: Vec<Edition> = Vec::new();
    let mut defaults = Vec::new();
    let mut paths = Vec::new();
    let mut sources = Vec::new();
    for (index, (path, text)) in files.iter().enumerate() {
        let Some((edition, default)) = framework::parse_edition(path, text, slug_exists, errors) else { continue };
        if let Some(other) = editions.iter().position(|e| e.id() == edition.id()) {
            errors.push(ContentError {
                path: path.clone(),
                line: 1,
                message: format!("edition id '{}' is also used by {}", edition.id(), paths[other]),
            });
        }
        if default {
            defaults.push(editions.len());
        }
        paths.push(path.display().to_string());
        sources.push(index);
        editions.push(edition);
    }
    if files.is_empty() {
        errors.push(ContentError {
            path: PathBuf::from("content/competencies"),
            line: 1,
            message: "no framework edition: add content/competencies/<edition>.toml".into(),
        });
    }
    let default = match defaults.as_slice() {
        [one] => Some(*one),
        [] if editions.len() == 1 => Some(0),
        [] => {
            if let Some((path, _)) = files.first() {
                errors.push(ContentError {
                    path: path.clone(),
                    line: 1,
                    message: "no edition is marked `default = true`".into(),
                });
            }
            None
        }
        [_, second, ..] => {
            errors.push(ContentError {
                path: PathBuf::from(&paths[*second]),
                line: 1,
                message: format!("more than one edition is marked `default = true` (also {})", paths[defaults[0]]),
            });
            None
        }
    };
    for (e, &index) in editions.iter().zip(&sources) {
        let (path, text) = &files[index];
        for c in &e.competencies {
            for key in c.same_as.iter().filter_map(|s| RecordKey::parse(s)) {
                let known =
                    editions.iter().find(|x| x.id() == key.edition).is_some_and(|x| x.competency(&key.code).is_some());
                if !known {
                    let line = text.find(&format!("code = \"{}\"", c.code)).map_or(1, |at| line_of(text, at));
                    errors.push(ContentError {
                        path: path.clone(),
                        line,
                        message: format!(
                            "competency {}: same_as names {key}, which is not a competency of any edition here",
                            c.code
                        ),
                    });
                }
            }
        }
    }
    (editions, default)
}

/// A module's text with its knowledge-check blocks blanked (their wrong
/// options name wrong numbers on purpose), line numbers kept.
fn without_quiz_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_quiz = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if !in_quiz && t.starts_with("```quiz") {
            in_quiz = true;
        } else if in_quiz && t.starts_with("```") {
            in_quiz = false;
            out.push('\n');
            continue;
        }
        if in_quiz {
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    out
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

#[allow(clippy::too_many_arguments)]
fn parse_module(
    path: &Path,
    slug: &str,
    text: &str,
    codes: &HashSet<&str>,
    slugs: &BTreeMap<String, &Path>,
    modules_dir: &Path,
    check_image: &dyn Fn(&Path) -> Option<String>,
    warnings: &mut Vec<ContentError>,
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
    let fm_line = |needle: &str| fm_text.find(needle).map(|i| line_of(text, fm_start + i)).unwrap_or(2);
    for (name, value) in [("title", &front.title), ("summary", &front.summary), ("area", &front.area)] {
        if value.trim().is_empty() {
            errors.push(err(fm_line(name), format!("front matter: '{name}' is empty")));
        }
    }
    if front.objectives.is_empty() || front.objectives.iter().any(|o| o.trim().is_empty()) {
        errors.push(err(
            fm_line("objectives"),
            "front matter: 'objectives' needs at least one non-empty objective".into(),
        ));
    }
    if front.competencies.is_empty() {
        errors.push(err(fm_line("competencies"), "front matter: 'competencies' names no competency code".into()));
    }
    for code in &front.competencies {
        if !codes.contains(code.get_ref().as_str()) {
            errors.push(err(
                line_of(text, fm_start + code.span().start),
                format!("unknown competency code '{}' (not in the default framework edition)", code.get_ref()),
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
    if let Some(n) = front.questions_per_attempt
        && !(1..=rendered.questions.len()).contains(&n)
    {
        errors.push(err(
            fm_line("questions_per_attempt"),
            format!("questions_per_attempt {n} must be 1 to the {} questions in the module", rendered.questions.len()),
        ));
    }
    let topics: HashSet<Option<&str>> = rendered.questions.iter().map(|(q, _)| q.topic.as_deref()).collect();
    if topics.len() > 1
        && topics.contains(&None)
        && let Some((q, line)) = rendered.questions.iter().find(|(q, _)| q.topic.is_none())
    {
        errors.push(err(*line, format!("question '{}' has no topic: give every question one, or none", q.id)));
    }
    // Test-wiseness: a key much longer than every distractor gives itself away.
    for (q, line) in &rendered.questions {
        if q.kind == QuestionKind::Order {
            continue;
        }
        let key_len = q.correct.iter().filter_map(|&i| q.options.get(i)).map(|o| o.chars().count()).max().unwrap_or(0);
        let longest_wrong = (0..q.options.len())
            .filter(|i| !q.correct.contains(i))
            .filter_map(|i| q.options.get(i))
            .map(|o| o.chars().count())
            .max()
            .unwrap_or(0);
        if longest_wrong > 0 && key_len * 2 > longest_wrong * 3 {
            warnings.push(err(
                *line,
                format!(
                    "question '{}': the key is the longest option by {:.1}× (more than 1.5×); shorten it or lengthen a distractor",
                    q.id,
                    key_len as f64 / longest_wrong as f64
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let search_text =
        format!("{} {} {} {}", front.title, front.summary, front.area, rendered.plain_text).to_lowercase();
    let questions: Vec<Question> = rendered.questions.into_iter().map(|(q, _)| q).collect();
    let authored_key_positions = questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Single)
        .filter_map(|q| q.correct.first().map(|i| i + 1))
        .collect();
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
        questions_per_attempt: front.questions_per_attempt,
        authored_key_positions,
        version: hex::encode(Sha256::digest(text.as_bytes())),
        search_text,
    })
}

#[cfg(test)]
mod tests;
