//! Shared checks for the fuzz targets in `fuzz_targets/`: the properties a
//! parser's output must have, written once.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use app::content::{Catalog, Competency, ContentErrors, parse_tree, quiz_block};
use app::domain::competency::CompetencyDomain;
use app::domain::edition::RecordKey;
use app::domain::quiz::{Answer, Question, QuestionKind, grade};

/// Physical lines in `text`, as an editor numbers them (an empty text has one).
pub fn line_count(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// `CHECKOFF_FUZZ_VERBOSE=1` prints each input's outcome (for checking that
/// the seeds reach the success path: `cargo fuzz run T seeds/T -runs=0`).
pub fn verbose() -> bool {
    static V: OnceLock<bool> = OnceLock::new();
    *V.get_or_init(|| std::env::var_os("CHECKOFF_FUZZ_VERBOSE").is_some())
}

/// `CHECKOFF_FUZZ_FULL_RANGE` lets the structured target (hours) use the
/// whole range of a type instead of what the app's callers produce: `dates`
/// for every date, `minutes` for a draft's minutes, anything else for both.
pub fn full_range(what: &str) -> bool {
    static V: OnceLock<Option<String>> = OnceLock::new();
    match V.get_or_init(|| std::env::var("CHECKOFF_FUZZ_FULL_RANGE").ok()) {
        None => false,
        Some(v) if v == "dates" || v == "minutes" => v == what,
        Some(_) => true,
    }
}

// ---------------------------------------------------------------------------
// Questions

/// What `quiz_block::parse` promises of a question it accepts.
pub fn check_question(q: &Question) {
    assert!(quiz_block::is_slug(&q.id), "question id {:?} is not a slug", q.id);
    assert!(!q.prompt.trim().is_empty(), "empty prompt accepted");
    assert!(!q.explanation.trim().is_empty(), "empty explanation accepted");
    assert!(q.topic.as_deref().is_none_or(quiz_block::is_slug), "topic is not a slug: {q:?}");
    assert!(q.options.iter().all(|o| !o.trim().is_empty()), "empty option accepted: {q:?}");
    let distinct: HashSet<String> = q.options.iter().map(|o| o.to_lowercase()).collect();
    assert_eq!(distinct.len(), q.options.len(), "repeated option accepted: {q:?}");
    assert!(q.correct.windows(2).all(|w| w[0] < w[1]), "correct indices not increasing: {q:?}");
    assert!(q.correct.iter().all(|&i| i < q.options.len()), "correct index out of range: {q:?}");
    match q.kind {
        QuestionKind::Single => {
            assert!((2..=8).contains(&q.options.len()), "{q:?}");
            assert_eq!(q.correct.len(), 1, "{q:?}");
        }
        QuestionKind::Multiple => {
            assert!((2..=8).contains(&q.options.len()), "{q:?}");
            assert!(!q.correct.is_empty(), "{q:?}");
        }
        QuestionKind::Order => {
            assert!((3..=8).contains(&q.options.len()), "{q:?}");
            assert!(q.correct.is_empty(), "{q:?}");
        }
    }
    // The page's view carries no key: same options, opaque distinct ids.
    let view = q.view("fuzz-module");
    assert_eq!((view.id.as_str(), view.kind, view.options.len()), (q.id.as_str(), q.kind, q.options.len()));
    let ids: HashSet<&str> = view.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids.len(), view.options.len(), "option ids collide: {view:?}");
    let id_of =
        |text: &str| view.options.iter().find(|o| o.text == text).map(|o| o.id.clone()).expect("option in view");
    if q.kind == QuestionKind::Order {
        let shown: Vec<&str> = view.options.iter().map(|o| o.text.as_str()).collect();
        assert_ne!(shown, q.options, "ordering items shown in the correct order");
    }
    // The key's own answer gets full marks; no answer gets none.
    let key: Vec<String> = match q.kind {
        QuestionKind::Order => q.options.iter().map(|o| id_of(o)).collect(),
        _ => q.correct.iter().map(|&i| id_of(&q.options[i])).collect(),
    };
    let answer = Answer { question_id: q.id.clone(), option_ids: key };
    let graded = grade("fuzz-module", std::slice::from_ref(q), &[answer], 100);
    assert!(graded.mastered && graded.correct == 1, "the key's answer is not right: {q:?} {graded:?}");
    let graded = grade("fuzz-module", std::slice::from_ref(q), &[], 1);
    assert!(!graded.mastered && graded.correct == 0, "no answer is right: {q:?}");
}

/// Writes a question back in the `quiz` block syntax.
pub fn quiz_block_text(q: &Question) -> String {
    let kind = match q.kind {
        QuestionKind::Single => "single",
        QuestionKind::Multiple => "multiple",
        QuestionKind::Order => "order",
    };
    let mut out = format!("id: {}\ntype: {kind}\nquestion: {}\n", q.id, q.prompt);
    if let Some(t) = &q.topic {
        out.push_str(&format!("topic: {t}\n"));
    }
    for (i, o) in q.options.iter().enumerate() {
        match q.kind {
            QuestionKind::Order => out.push_str(&format!("{}. {o}\n", i + 1)),
            _ => out.push_str(&format!("- [{}] {o}\n", if q.correct.contains(&i) { "x" } else { " " })),
        }
    }
    out.push_str(&format!("explanation: {}\n", q.explanation));
    out
}

// ---------------------------------------------------------------------------
// Competencies

/// What the framework validation promises of every competency it returns.
/// `slugs` is the set of modules that exist (None: any slug).
pub fn check_competencies(cs: &[Competency], slug_ok: &dyn Fn(&str) -> bool) {
    let mut codes = HashSet::new();
    for c in cs {
        assert!(app::content::is_competency_code(&c.code), "bad code accepted: {c:?}");
        assert!(codes.insert(c.code.as_str()), "duplicate code accepted: {}", c.code);
        assert!(!c.title.trim().is_empty(), "empty title accepted: {c:?}");
        assert!((1..=100).contains(&c.pass_percent), "{c:?}");
        assert!((1..=50).contains(&c.requirement.attempts), "{c:?}");
        assert!(c.steps.iter().all(|s| !s.text.trim().is_empty()), "empty step accepted: {c:?}");
        assert!(c.modules.iter().all(|m| slug_ok(m)), "unknown module accepted: {c:?}");
        assert!(c.references.iter().all(|r| !r.trim().is_empty()), "empty reference accepted: {c:?}");
        assert!(c.same_as.iter().all(|k| RecordKey::parse(k).is_some()), "bad same_as accepted: {c:?}");
        match c.domain {
            CompetencyDomain::Cognitive => assert!(c.steps.is_empty(), "{c:?}"),
            CompetencyDomain::Psychomotor => {
                assert!(c.steps.iter().any(|s| s.critical), "psychomotor without a critical step: {c:?}")
            }
            CompetencyDomain::Affective => {
                assert!(!c.steps.is_empty() && c.steps.iter().all(|s| !s.critical), "{c:?}");
                assert_eq!(c.pass_percent, 100, "{c:?}");
            }
        }
        let expected = app::content::framework::version_of(&c.code, &c.title, c.domain, &c.steps, c.pass_percent);
        assert_eq!(c.version, expected, "version is not the hash of the checklist: {c:?}");
    }
}

/// The competencies as `to_toml` keeps them: step notes are not written (the
/// CSV format has none), and KNOWN (see fuzz/README.md): a cognitive
/// competency's `pass_percent` is not written either, so it comes back as
/// the default 85 with a different `version`. Drop the second rule once
/// `to_toml` writes it.
pub fn as_to_toml_keeps(cs: &[Competency]) -> Vec<Competency> {
    cs.iter()
        .map(|c| {
            let mut c = c.clone();
            // Affective behaviours are plain strings in the file.
            if c.domain == CompetencyDomain::Affective {
                for s in &mut c.steps {
                    s.note = None;
                }
            }
            c.version = app::content::framework::version_of(&c.code, &c.title, c.domain, &c.steps, c.pass_percent);
            c
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The content tree around one fuzzed module file

/// Where an edition file with this text would be: named after the first
/// `id = "…"` line (an edition's id must be its file name), so every real
/// edition can load.
pub fn edition_path(text: &str) -> String {
    let id = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("id = \"").and_then(|r| r.split('"').next()))
        .filter(|id| quiz_block::is_slug(id))
        .unwrap_or("checkoff-starter");
    format!("content/competencies/{id}.toml")
}
/// The module target's stand-in edition.
pub const FUZZ_EDITION_PATH: &str = "content/competencies/fuzz.toml";
pub const MODULES_DIR: &str = "content/modules";
/// The fuzzed file's name (its slug is `fuzzed`, not a real module's).
pub const FUZZED_FILE: &str = "content/modules/fuzzed.md";

/// The content tree the fuzzed module file is checked in: one edition with
/// every competency code of the real editions (each as a bare cognitive
/// entry: a module only needs its codes to exist, and the small file keeps
/// the TOML parse out of the per-input cost), and no other module, so
/// `module:` links resolve only to `fuzzed` itself (the seeds' links point there).
pub struct Tree {
    pub edition: String,
    pub images: HashSet<String>,
}

fn repo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| {
        let content = repo_dir().join("content");
        let mut codes: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(content.join("competencies")).expect("read content/competencies").flatten() {
            if entry.path().extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(entry.path()).expect("read an edition");
                codes.extend(
                    text.lines()
                        .filter_map(|l| l.trim().strip_prefix("code = \"").and_then(|r| r.split('"').next()))
                        .map(str::to_string),
                );
            }
        }
        codes.sort();
        codes.dedup();
        assert!(!codes.is_empty(), "no competency code found in content/competencies/*.toml");
        let mut edition =
            String::from("[edition]\nid = \"fuzz\"\nname = \"Fuzz\"\npublisher = \"Fuzz\"\nversion = \"1\"\n\n");
        for code in codes {
            edition.push_str(&format!(
                "[[competency]]\ncode = \"{code}\"\ntitle = \"{code}\"\ndomain = \"cognitive\"\n\n"
            ));
        }
        let images = std::fs::read_dir(content.join("modules/images"))
            .map(|d| d.flatten().map(|e| format!("images/{}", e.file_name().to_string_lossy())).collect())
            .unwrap_or_default();
        let tree = Tree { edition, images };
        if let Err(e) = tree.parse(None) {
            panic!("the stand-in edition does not load:\n{e}");
        }
        tree
    })
}

/// One edition file, alone, through `parse_tree` (no modules).
pub fn parse_edition(path: &str, text: &str) -> Result<Catalog, ContentErrors> {
    parse_tree(&[(PathBuf::from(path), text.to_string())], Path::new(MODULES_DIR), &[], &|_| None)
}

impl Tree {
    /// Parses the tree, plus `module` as `content/modules/fuzzed.md` if given.
    /// Every image path the parser asks about is checked to stay inside
    /// `content/modules/images`.
    pub fn parse(&self, module: Option<&str>) -> Result<Catalog, ContentErrors> {
        let files: Vec<(PathBuf, String)> =
            module.map(|text| (PathBuf::from(FUZZED_FILE), text.to_string())).into_iter().collect();
        let modules_dir = Path::new(MODULES_DIR);
        let check_image = |p: &Path| {
            let rel = p.strip_prefix(modules_dir).unwrap_or_else(|_| panic!("image path {p:?} outside {MODULES_DIR}"));
            assert!(
                rel.starts_with("images") && rel.components().all(|c| matches!(c, Component::Normal(_))),
                "image path {p:?} escapes {MODULES_DIR}/images"
            );
            let rel = rel.to_string_lossy();
            (!self.images.contains(rel.as_ref())).then(|| format!("missing image {rel}"))
        };
        parse_tree(&[(PathBuf::from(FUZZ_EDITION_PATH), self.edition.clone())], modules_dir, &files, &check_image)
    }
}

// ---------------------------------------------------------------------------
// Rendered HTML

/// Written out here on purpose, not imported from `app::content::markdown`:
/// the property is "the page holds only these tags", so a sanitizer whose own
/// list grew (say, by `script`) fails here instead of agreeing with itself.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];
const ALLOWED_ATTRS: &[&str] = &[
    "href",
    "title",
    "src",
    "alt",
    "loading",
    "width",
    "height",
    "id",
    "role",
    "tabindex",
    "aria-label",
    "start",
    "scope",
    "class",
    "lang",
    "rel",
];

/// The sanitizer's promise, checked on its output: only allow-listed tags and
/// attributes, and every URL relative or http(s)/mailto. The output is
/// html5ever's serialization: text escapes `<`, attribute values are always
/// double-quoted with `"` escaped.
pub fn assert_safe_html(html: &str) {
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric()) {
            i += 1;
        }
        let tag = html[start..i].to_ascii_lowercase();
        assert!(ALLOWED_TAGS.contains(&tag.as_str()), "tag <{tag}> survived sanitizing:\n{html}");
        // Attributes up to '>'.
        loop {
            while i < b.len() && (b[i] == b' ' || b[i] == b'/') {
                i += 1;
            }
            match b.get(i) {
                None => panic!("unterminated tag <{tag}> in:\n{html}"),
                Some(b'>') => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let name_start = i;
            while i < b.len() && !matches!(b[i], b'=' | b' ' | b'>' | b'/') {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            assert!(
                ALLOWED_ATTRS.contains(&name.as_str()),
                "attribute {name:?} on <{tag}> survived sanitizing:\n{html}"
            );
            if b.get(i) == Some(&b'=') {
                i += 1;
                assert_eq!(b.get(i), Some(&b'"'), "unquoted attribute value in:\n{html}");
                i += 1;
                let value_start = i;
                while i < b.len() && b[i] != b'"' {
                    i += 1;
                }
                let value = html[value_start..i].replace("&amp;", "&").replace("&quot;", "\"");
                i += 1;
                if name == "href" || name == "src" {
                    assert_safe_url(&value, html);
                }
            }
        }
    }
}

fn assert_safe_url(value: &str, html: &str) {
    // What a browser would do with it: absolute URLs keep their scheme.
    if let Ok(u) = url::Url::parse(value) {
        assert!(
            matches!(u.scheme(), "http" | "https" | "mailto"),
            "URL {value:?} with scheme {:?} survived sanitizing:\n{html}",
            u.scheme()
        );
    }
}
