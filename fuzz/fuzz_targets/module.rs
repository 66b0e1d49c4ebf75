//! One skill-module file (front matter, Markdown, `quiz` blocks) through the
//! whole content validator, `app::content::parse_tree`, in a tree holding
//! every real competency code and no other module (see `checkoff_fuzz::Tree`).
//!
//! Properties: no panic; an accepted module is well-formed (questions,
//! table of contents, sanitized HTML); a rejected one is blamed on its own
//! file only, on lines that exist, in line order; image paths asked about
//! never leave content/modules/images.
#![no_main]

use std::collections::HashSet;
use std::path::Path;

use app::content::Module;
use app::domain::quiz::{Answer, QuestionKind, grade_draw};
use checkoff_fuzz::{FUZZED_FILE, assert_safe_html, check_question, line_count, tree, verbose};
use libfuzzer_sys::fuzz_target;

/// Attempts drawn from the bank: the promised number of distinct questions,
/// every topic asked about when there is room, options a permutation (an
/// ordering question never in the right order), and the key's answers to
/// the drawn questions get full marks.
fn check_draws(m: &Module) {
    let slug = &m.summary.slug;
    let size = m.questions_per_attempt.unwrap_or(m.questions.len());
    assert!((1..=m.questions.len()).contains(&size), "attempts draw {size} of {} questions", m.questions.len());
    let mut topics: Vec<Option<&str>> = m.questions.iter().map(|q| q.topic.as_deref()).collect();
    topics.sort();
    topics.dedup();
    for (taker, number) in [("anyone", 1), ("17", 1), ("17", 2)] {
        let draw = m.draw(taker, number);
        assert_eq!(draw, m.draw(taker, number), "a draw is not a pure function");
        assert_eq!(draw.questions.len(), size);
        let mut seen = HashSet::new();
        let mut asked_topics = HashSet::new();
        for d in &draw.questions {
            assert!(seen.insert(d.question_id.as_str()), "question drawn twice: {draw:?}");
            let q = m.questions.iter().find(|q| q.id == d.question_id).expect("drawn question is in the bank");
            asked_topics.insert(q.topic.as_deref());
            let mut order = d.order.clone();
            order.sort();
            assert_eq!(order, (0..q.options.len()).collect::<Vec<_>>(), "options not a permutation: {d:?}");
            if q.kind == QuestionKind::Order {
                assert!(d.order.iter().enumerate().any(|(k, &o)| k != o), "ordering items shown in order: {d:?}");
            }
        }
        if size >= topics.len() {
            assert_eq!(asked_topics.len(), topics.len(), "a topic is never asked about: {draw:?}");
        }
        let views = draw.views(slug, &m.questions);
        assert_eq!(views.len(), size);
        let answers: Vec<Answer> = views
            .iter()
            .map(|v| {
                let q = m.questions.iter().find(|q| q.id == v.id).unwrap();
                let id_of = |text: &str| v.options.iter().find(|o| o.text == text).unwrap().id.clone();
                let option_ids = match q.kind {
                    QuestionKind::Order => q.options.iter().map(|o| id_of(o)).collect(),
                    _ => q.correct.iter().map(|&i| id_of(&q.options[i])).collect(),
                };
                Answer { question_id: q.id.clone(), option_ids }
            })
            .collect();
        let result = grade_draw(slug, &m.questions, &draw, &answers, m.mastery_percent);
        assert!(result.correct == size && result.total == size && result.mastered, "the key does not pass: {result:?}");
    }
    let view = m.view("17", 1);
    assert_eq!((view.questions.len(), view.bank_size), (size, m.questions.len()));
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let tree = tree();
    let lines = line_count(text);
    match tree.parse(Some(text)) {
        Ok(catalog) => {
            if verbose() {
                eprintln!("module: Ok");
            }
            let m = catalog.module("fuzzed").expect("the accepted module is in the catalog");
            assert!(!m.summary.title.trim().is_empty() && !m.summary.area.trim().is_empty());
            assert!(m.summary.minutes >= 1 && (1..=100).contains(&m.mastery_percent));
            assert!(!m.objectives.is_empty() && m.objectives.iter().all(|o| !o.trim().is_empty()));
            assert!(!m.questions.is_empty(), "accepted without a knowledge check");
            assert_eq!(m.summary.question_count, m.questions.len());
            let mut ids = HashSet::new();
            for q in &m.questions {
                check_question(q);
                assert!(ids.insert(q.id.as_str()), "duplicate question id {} accepted", q.id);
            }
            assert!(!m.summary.competencies.is_empty());
            for code in &m.summary.competencies {
                let c = catalog.competency(code).unwrap_or_else(|| panic!("unknown competency {code} accepted"));
                assert!(c.modules.iter().any(|s| s == "fuzzed"), "{code} does not list the module teaching it");
            }
            let mut anchors = HashSet::new();
            for t in &m.toc {
                assert!((2..=3).contains(&t.level), "toc level {} in {:?}", t.level, m.toc);
                assert!(!t.id.is_empty() && anchors.insert(t.id.clone()), "toc ids: {:?}", m.toc);
                assert!(!["main", "toc", "knowledge-check", "objectives", "references-list"].contains(&t.id.as_str()));
            }
            assert!(m.version.len() == 64 && m.version.bytes().all(|b| b.is_ascii_hexdigit()));
            assert_safe_html(&m.body_html);
            check_draws(m);
        }
        Err(errors) => {
            if verbose() {
                eprintln!("module: Err\n{errors}");
            }
            let errors = errors.0;
            assert!(!errors.is_empty(), "Err with no problem");
            for e in &errors {
                assert_eq!(e.path, Path::new(FUZZED_FILE), "a problem blamed on another file: {e}");
                assert!(e.line >= 1 && e.line <= lines, "line {} outside the file's {lines} lines: {e}", e.line);
                assert!(!e.message.trim().is_empty());
            }
            assert!(errors.windows(2).all(|w| w[0].line <= w[1].line), "problems not in line order");
        }
    }
});
