//! The competency framework file (`content/competencies/framework.toml`):
//! parsing with line numbers, validation, and CSV import and export so a
//! program can load the full list its accreditor publishes.
//!
//! CSV columns: `code,title,domain,steps` and optionally `modules`,
//! `attempts`, `setting`, `pass_percent`. Steps are separated by `|`; a step
//! starting with `*` is critical. For affective competencies the steps are
//! the behaviours rated.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{ContentError, line_of};
use crate::domain::checklist::ChecklistStep;
use crate::domain::competency::{Competency, CompetencyDomain, RequiredSetting, Requirement};
use crate::domain::edition::{Edition, EditionInfo};

/// Used when a competency does not set `pass_percent`.
pub const DEFAULT_PASS_PERCENT: u8 = 85;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    edition: Option<toml::Spanned<RawEdition>>,
    #[serde(default)]
    competency: Vec<toml::Spanned<RawCompetency>>,
}

/// The `[edition]` table: which framework and edition the file is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    id: String,
    name: String,
    publisher: String,
    version: String,
    /// The edition new programs start on, and modules' front matter names
    /// codes of. Exactly one file says so.
    #[serde(default)]
    default: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompetency {
    code: String,
    title: String,
    domain: String,
    #[serde(default)]
    modules: Vec<String>,
    #[serde(default)]
    steps: Vec<RawStep>,
    #[serde(default)]
    behaviours: Vec<String>,
    pass_percent: Option<u8>,
    requirement: Option<RawRequirement>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    same_as: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawStep {
    Plain(String),
    Detailed {
        text: String,
        #[serde(default)]
        critical: bool,
        note: Option<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    #[serde(default = "one")]
    attempts: i64,
    #[serde(default = "either")]
    setting: String,
}

fn one() -> i64 {
    1
}
fn either() -> String {
    "either".into()
}

/// The checklist version: a hash over everything that changes what a
/// sign-off against this competency means.
pub fn version_of(
    code: &str,
    title: &str,
    domain: CompetencyDomain,
    steps: &[ChecklistStep],
    pass_percent: u8,
) -> String {
    let mut h = Sha256::new();
    let canonical = serde_json::json!({
        "code": code, "title": title, "domain": domain.as_str(), "steps": steps, "pass_percent": pass_percent,
    });
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Fields of one competency before validation, from either format.
struct Draft {
    line: usize,
    code: String,
    title: String,
    domain: String,
    modules: Vec<String>,
    steps: Vec<ChecklistStep>,
    pass_percent: Option<u8>,
    attempts: i64,
    setting: String,
    references: Vec<String>,
    same_as: Vec<String>,
}

/// Validates drafts; pushes problems (by line) to `errors`.
fn validate(drafts: Vec<Draft>, slugs: &dyn Fn(&str) -> bool, mut err: impl FnMut(usize, String)) -> Vec<Competency> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for d in drafts {
        let line = d.line;
        if !super::is_competency_code(&d.code) {
            err(line, format!("code '{}' is not in the form I.P.2.b or A.1", d.code));
        }
        if let Some(first) = seen.insert(d.code.clone(), line) {
            err(line, format!("duplicate competency code {} (first on line {first})", d.code));
        }
        if d.title.trim().is_empty() {
            err(line, format!("competency {} has no title", d.code));
        }
        let Some(domain) = CompetencyDomain::parse(&d.domain) else {
            err(
                line,
                format!("competency {}: domain '{}' must be cognitive, psychomotor or affective", d.code, d.domain),
            );
            continue;
        };
        match domain {
            CompetencyDomain::Cognitive if !d.steps.is_empty() => {
                err(line, format!("competency {} is cognitive: it is assessed by tests and has no checklist", d.code))
            }
            CompetencyDomain::Psychomotor | CompetencyDomain::Affective if d.steps.is_empty() => err(
                line,
                format!(
                    "competency {} has an empty checklist: a {} competency needs {}",
                    d.code,
                    domain.as_str(),
                    if domain == CompetencyDomain::Affective { "behaviours to rate" } else { "steps" }
                ),
            ),
            CompetencyDomain::Affective if d.steps.iter().any(|s| s.critical) => err(
                line,
                format!("competency {}: affective behaviours cannot be critical (every one must be met)", d.code),
            ),
            _ => {}
        }
        if d.steps.iter().any(|s| s.text.trim().is_empty()) {
            err(line, format!("competency {} has an empty step", d.code));
        }
        if domain == CompetencyDomain::Psychomotor && !d.steps.is_empty() && !d.steps.iter().any(|s| s.critical) {
            err(
                line,
                format!(
                    "competency {} marks no step critical: mark the safety steps (patient identification, sharps…)",
                    d.code
                ),
            );
        }
        for m in &d.modules {
            if !slugs(m) {
                err(line, format!("competency {}: unknown module '{m}' (no content/modules/{m}.md)", d.code));
            }
        }
        for other in &d.same_as {
            if crate::domain::edition::RecordKey::parse(other).is_none() {
                err(
                    line,
                    format!(
                        "competency {}: same_as '{other}' must name edition:code, e.g. checkoff-starter:I.P.7",
                        d.code
                    ),
                );
            }
        }
        if d.references.iter().any(|r| r.trim().is_empty()) {
            err(line, format!("competency {} has an empty reference", d.code));
        }
        let pass_percent = match domain {
            CompetencyDomain::Affective => 100,
            _ => d.pass_percent.unwrap_or(DEFAULT_PASS_PERCENT),
        };
        if !(1..=100).contains(&pass_percent) {
            err(line, format!("competency {}: pass_percent {pass_percent} must be 1 to 100", d.code));
        }
        let attempts = match Requirement::validate(d.attempts) {
            Ok(a) => a,
            Err(message) => {
                err(line, format!("competency {}: {message}", d.code));
                1
            }
        };
        let setting = RequiredSetting::parse(&d.setting).unwrap_or_else(|| {
            err(line, format!("competency {}: setting '{}' must be lab, externship or either", d.code, d.setting));
            RequiredSetting::Either
        });
        let version = version_of(&d.code, &d.title, domain, &d.steps, pass_percent);
        out.push(Competency {
            code: d.code,
            title: d.title,
            domain,
            modules: d.modules,
            steps: d.steps,
            pass_percent,
            requirement: Requirement { attempts, setting },
            version,
            references: d.references,
            same_as: d.same_as,
        });
    }
    out
}

/// Parses and validates one edition's file (`content/competencies/<id>.toml`):
/// its `[edition]` table and competencies. Returns the edition and whether
/// it is the default, or `None` if the file cannot be read as one.
pub(super) fn parse_edition(
    path: &Path,
    text: &str,
    slugs: &dyn Fn(&str) -> bool,
    errors: &mut Vec<ContentError>,
) -> Option<(Edition, bool)> {
    let file: FrameworkFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            errors.push(ContentError { path: path.to_path_buf(), line, message: e.message().trim().to_string() });
            return None;
        }
    };
    let err = |line: usize, message: String| ContentError { path: path.to_path_buf(), line, message };
    let Some(raw) = &file.edition else {
        errors.push(err(
            1,
            "the file needs an [edition] table (id, name, publisher, version) naming the framework and edition".into(),
        ));
        return None;
    };
    let line = line_of(text, raw.span().start);
    let e = raw.get_ref();
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if !super::quiz_block::is_slug(&e.id) {
        errors.push(err(line, format!("edition id '{}' must be lower-case words joined by '-'", e.id)));
    } else if e.id != stem {
        errors.push(err(line, format!("edition id '{}' must match the file name ({stem}.toml)", e.id)));
    }
    for (key, value) in [("name", &e.name), ("publisher", &e.publisher), ("version", &e.version)] {
        if value.trim().is_empty() {
            errors.push(err(line, format!("edition {key} is empty")));
        }
    }
    let info = EditionInfo {
        id: e.id.clone(),
        name: e.name.clone(),
        publisher: e.publisher.clone(),
        version: e.version.clone(),
    };
    let default = e.default;
    let competencies = competencies_of(path, text, file, slugs, errors);
    Some((Edition { info, competencies }, default))
}

/// Parses and validates a file's competencies (with or without an
/// `[edition]` table). `slugs` says whether a module exists.
#[cfg(test)]
pub(super) fn parse(
    path: &Path,
    text: &str,
    slugs: &dyn Fn(&str) -> bool,
    errors: &mut Vec<ContentError>,
) -> Vec<Competency> {
    let file: FrameworkFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            errors.push(ContentError { path: path.to_path_buf(), line, message: e.message().trim().to_string() });
            return Vec::new();
        }
    };
    competencies_of(path, text, file, slugs, errors)
}

fn competencies_of(
    path: &Path,
    text: &str,
    file: FrameworkFile,
    slugs: &dyn Fn(&str) -> bool,
    errors: &mut Vec<ContentError>,
) -> Vec<Competency> {
    let drafts = file
        .competency
        .into_iter()
        .map(|spanned| {
            let line = line_of(text, spanned.span().start);
            let c = spanned.into_inner();
            let (behaviours, steps) = (c.behaviours, c.steps);
            let mut all: Vec<ChecklistStep> = steps
                .into_iter()
                .map(|s| match s {
                    RawStep::Plain(text) => ChecklistStep { text, critical: false, note: None },
                    RawStep::Detailed { text, critical, note } => ChecklistStep { text, critical, note },
                })
                .collect();
            all.extend(behaviours.into_iter().map(|text| ChecklistStep { text, critical: false, note: None }));
            let (attempts, setting) = c.requirement.map_or((1, "either".to_string()), |r| (r.attempts, r.setting));
            Draft {
                line,
                code: c.code,
                title: c.title,
                domain: c.domain,
                modules: c.modules,
                steps: all,
                pass_percent: c.pass_percent,
                attempts,
                setting,
                references: c.references,
                same_as: c.same_as,
            }
        })
        .collect();
    validate(drafts, slugs, |line, message| errors.push(ContentError { path: path.to_path_buf(), line, message }))
}

/// The framework as CSV, one competency per row (the import format).
pub fn to_csv(competencies: &[Competency]) -> Result<String, crate::csv_export::CsvError> {
    let mut t = crate::csv_export::CsvTable::new(&[
        "code",
        "title",
        "domain",
        "steps",
        "modules",
        "attempts",
        "setting",
        "pass_percent",
        "same_as",
        "references",
    ])?;
    for c in competencies {
        let steps: Vec<String> =
            c.steps.iter().map(|s| if s.critical { format!("*{}", s.text) } else { s.text.clone() }).collect();
        t.row([
            c.code.as_str(),
            c.title.as_str(),
            c.domain.as_str(),
            &steps.join(" | "),
            &c.modules.join(" "),
            &c.requirement.attempts.to_string(),
            c.requirement.setting.as_str(),
            &c.pass_percent.to_string(),
            &c.same_as.join(" "),
            &c.references.join(" | "),
        ])?;
    }
    t.finish()
}

/// A problem with one CSV row, by physical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub line: u64,
    pub message: String,
}

/// Reads a framework CSV. Every bad row is reported by line; nothing is
/// returned unless the whole file is good.
pub fn from_csv(text: &str, slugs: &dyn Fn(&str) -> bool) -> Result<Vec<Competency>, Vec<CsvProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_ascii_lowercase().replace([' ', '-'], "_")).collect(),
        Err(e) => return Err(vec![CsvProblem { line: 1, message: format!("cannot read the header row: {e}") }]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(code_i), Some(title_i), Some(domain_i)) = (col("code"), col("title"), col("domain")) else {
        return Err(vec![CsvProblem {
            line: 1,
            message: "the header row must name at least code, title and domain".into(),
        }]);
    };
    let (steps_i, modules_i, attempts_i, setting_i, pass_i) =
        (col("steps"), col("modules"), col("attempts"), col("setting"), col("pass_percent"));
    let (same_as_i, references_i) = (col("same_as"), col("references"));
    let mut drafts = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(CsvProblem { line, message: format!("unreadable row: {e}") });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        // Cells we exported carry a `'` before a formula trigger: take it off.
        let get = |i: Option<usize>| {
            crate::domain::text::restore_csv_cell(i.and_then(|i| record.get(i)).unwrap_or("")).to_string()
        };
        let steps = get(steps_i)
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match s.strip_prefix('*') {
                Some(rest) => ChecklistStep { text: rest.trim().to_string(), critical: true, note: None },
                None => ChecklistStep { text: s.to_string(), critical: false, note: None },
            })
            .collect();
        let attempts = match get(attempts_i).as_str() {
            "" => 1,
            s => s.parse::<i64>().unwrap_or(0),
        };
        let pass_percent = match get(pass_i).as_str() {
            "" => None,
            s => match s.trim_end_matches('%').parse::<u8>() {
                Ok(p) => Some(p),
                Err(_) => {
                    problems.push(CsvProblem { line, message: format!("pass_percent '{s}' is not a whole number") });
                    None
                }
            },
        };
        let setting = match get(setting_i).as_str() {
            "" => "either".to_string(),
            s => s.to_string(),
        };
        drafts.push(Draft {
            line: line as usize,
            code: get(Some(code_i)),
            title: get(Some(title_i)),
            domain: get(Some(domain_i)),
            modules: get(modules_i).split([' ', ',', ';']).filter(|s| !s.is_empty()).map(str::to_string).collect(),
            steps,
            pass_percent,
            attempts,
            setting,
            same_as: get(same_as_i).split([' ', ',', ';']).filter(|s| !s.is_empty()).map(str::to_string).collect(),
            references: get(references_i)
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    let competencies =
        validate(drafts, slugs, |line, message| problems.push(CsvProblem { line: line as u64, message }));
    if problems.is_empty() {
        Ok(competencies)
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes an edition as a framework file, in the format `parse_edition` reads.
pub fn to_toml(info: &EditionInfo, competencies: &[Competency]) -> String {
    let q = |s: &str| toml_string(s);
    let mut out = String::from(
        "# Competency framework, imported from CSV. Codes follow the accreditor's numbering style;\n\
         # check titles and checklists against the current edition of your accreditor's standards.\n",
    );
    out.push_str(&format!(
        "\n[edition]\nid = {}\nname = {}\npublisher = {}\nversion = {}\n",
        q(&info.id),
        q(&info.name),
        q(&info.publisher),
        q(&info.version)
    ));
    let by_code: BTreeMap<usize, &Competency> = competencies.iter().enumerate().collect();
    for c in by_code.values() {
        out.push_str(&format!(
            "\n[[competency]]\ncode = {}\ntitle = {}\ndomain = {}\n",
            q(&c.code),
            q(&c.title),
            q(c.domain.as_str())
        ));
        if !c.modules.is_empty() {
            let ms: Vec<String> = c.modules.iter().map(|m| q(m)).collect();
            out.push_str(&format!("modules = [{}]\n", ms.join(", ")));
        }
        // Affective competencies are always 100 %; every other domain keeps
        // its own figure (a cognitive one used to come back as 85).
        if c.domain != CompetencyDomain::Affective && c.pass_percent != DEFAULT_PASS_PERCENT {
            out.push_str(&format!("pass_percent = {}\n", c.pass_percent));
        }
        if !c.same_as.is_empty() {
            let xs: Vec<String> = c.same_as.iter().map(|m| q(m)).collect();
            out.push_str(&format!("same_as = [{}]\n", xs.join(", ")));
        }
        if !c.references.is_empty() {
            let xs: Vec<String> = c.references.iter().map(|m| q(m)).collect();
            out.push_str(&format!("references = [{}]\n", xs.join(", ")));
        }
        if c.requirement != Requirement::DEFAULT {
            out.push_str(&format!(
                "requirement = {{ attempts = {}, setting = {} }}\n",
                c.requirement.attempts,
                q(c.requirement.setting.as_str())
            ));
        }
        let key = if c.domain == CompetencyDomain::Affective { "behaviours" } else { "steps" };
        if !c.steps.is_empty() {
            out.push_str(&format!("{key} = [\n"));
            for s in &c.steps {
                if c.domain == CompetencyDomain::Affective {
                    out.push_str(&format!("  {},\n", q(&s.text)));
                } else if s.critical || s.note.is_some() {
                    // The evaluator's note is part of the checklist version.
                    let note = s.note.as_ref().map(|n| format!(", note = {}", q(n))).unwrap_or_default();
                    out.push_str(&format!("  {{ text = {}, critical = {}{note} }},\n", q(&s.text), s.critical));
                } else {
                    out.push_str(&format!("  {},\n", q(&s.text)));
                }
            }
            out.push_str("]\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_modules(_: &str) -> bool {
        false
    }
    fn any_module(_: &str) -> bool {
        true
    }

    const GOOD: &str = r#"
[[competency]]
code = "I.P.2.b"
title = "Perform venipuncture"
domain = "psychomotor"
modules = ["venipuncture"]
requirement = { attempts = 2, setting = "externship" }
steps = [
  { text = "Identify the patient with two identifiers", critical = true },
  "Assemble equipment",
]

[[competency]]
code = "A.1"
title = "Demonstrate critical thinking"
domain = "affective"
behaviours = ["Recognizes a problem", "Weighs options"]

[[competency]]
code = "I.C.1"
title = "Describe structural organization"
domain = "cognitive"
"#;

    #[test]
    fn a_good_framework_parses_with_versions_and_requirements() {
        let mut errors = Vec::new();
        let cs = parse(Path::new("fw.toml"), GOOD, &any_module, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cs.len(), 3);
        assert_eq!(cs[0].requirement, Requirement { attempts: 2, setting: RequiredSetting::Externship });
        assert!(cs[0].steps[0].critical);
        assert_eq!(cs[0].pass_percent, DEFAULT_PASS_PERCENT);
        assert_eq!(cs[1].pass_percent, 100, "affective behaviours must all be met");
        assert_eq!(cs[1].steps.len(), 2);
        assert_eq!(cs[0].version.len(), 64);
        assert_ne!(cs[0].version, cs[1].version);
    }

    #[test]
    fn editing_a_step_changes_the_version() {
        let mut errors = Vec::new();
        let a = parse(Path::new("fw.toml"), GOOD, &any_module, &mut errors);
        let b = parse(
            Path::new("fw.toml"),
            &GOOD.replace("Assemble equipment", "Assemble the equipment"),
            &any_module,
            &mut errors,
        );
        assert_ne!(a[0].version, b[0].version);
        assert_eq!(a[1].version, b[1].version);
    }

    #[test]
    fn problems_name_their_line() {
        let bad = "[[competency]]\ncode = \"I.P.9\"\ntitle = \"Inject\"\ndomain = \"psychomotor\"\nmodules = [\"nope\"]\nsteps = []\n\n\
                   [[competency]]\ncode = \"I.P.9\"\ntitle = \"Again\"\ndomain = \"psychomotor\"\nsteps = [\"only step\"]\n\n\
                   [[competency]]\ncode = \"A.1\"\ntitle = \"Feel\"\ndomain = \"affective\"\nbehaviours = []\nrequirement = { attempts = 0 }\n";
        let mut errors = Vec::new();
        parse(Path::new("fw.toml"), bad, &no_modules, &mut errors);
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        let has = |line: usize, needle: &str| errors.iter().any(|e| e.line == line && e.message.contains(needle));
        assert!(has(1, "empty checklist"), "{text:?}");
        assert!(has(1, "unknown module 'nope'"), "{text:?}");
        assert!(has(8, "duplicate competency code I.P.9 (first on line 1)"), "{text:?}");
        assert!(has(8, "marks no step critical"), "{text:?}");
        assert!(has(14, "needs behaviours to rate"), "{text:?}");
        assert!(has(14, "from 1 to 50"), "{text:?}");
    }

    #[test]
    fn csv_round_trips_through_toml() {
        let mut errors = Vec::new();
        let cs = parse(Path::new("fw.toml"), GOOD, &any_module, &mut errors);
        let csv = to_csv(&cs).unwrap();
        let back = from_csv(&csv, &any_module).unwrap();
        assert_eq!(back, cs);
        let info = EditionInfo { id: "fw".into(), name: "Test".into(), publisher: "Us".into(), version: "1".into() };
        let toml = to_toml(&info, &back);
        let again = parse(Path::new("fw.toml"), &toml, &any_module, &mut errors);
        assert!(errors.is_empty(), "{errors:?}\n{toml}");
        assert_eq!(again, cs);
    }

    #[test]
    fn to_toml_keeps_a_cognitive_pass_mark_and_step_notes() {
        // Both were lost on the way back to a file (found by fuzz/framework_csv).
        let text = r#"
[[competency]]
code = "I.C.1"
title = "Describe structural organization"
domain = "cognitive"
pass_percent = 70

[[competency]]
code = "I.P.1"
title = "Measure blood pressure"
domain = "psychomotor"
steps = [
  { text = "Rest the patient", critical = false, note = "at least 5 minutes" },
  { text = "Identify the patient", critical = true },
]
"#;
        let mut errors = Vec::new();
        let cs = parse(Path::new("fw.toml"), text, &any_module, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let info = EditionInfo { id: "fw".into(), name: "Test".into(), publisher: "Us".into(), version: "1".into() };
        let toml = to_toml(&info, &cs);
        let again = parse(Path::new("fw.toml"), &toml, &any_module, &mut errors);
        assert!(errors.is_empty(), "{errors:?}\n{toml}");
        assert_eq!(again, cs, "{toml}");
        assert_eq!(again[0].pass_percent, 70);
    }

    #[test]
    fn bad_csv_rows_are_reported_by_line() {
        let csv = "code,title,domain,steps,attempts\n\
                   I.P.1.a,Measure blood pressure,psychomotor,*Identify the patient | Position the arm,1\n\
                   I.P.1.a,Duplicate,psychomotor,*Step,1\n\
                   bad code,Title,psychomotor,*Step,1\n\
                   A.1,Listen,affective,,1\n\
                   I.P.3,Title,feelings,*Step,1\n\
                   I.P.4,Title,psychomotor,*Step,nine\n";
        let problems = from_csv(csv, &any_module).unwrap_err();
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7], "{problems:?}");
        assert!(problems[0].message.contains("duplicate"));
        assert!(problems[3].message.contains("domain 'feelings'"));
        let missing = from_csv("name,email\n", &any_module).unwrap_err();
        assert_eq!(missing[0].line, 1);
    }
}
