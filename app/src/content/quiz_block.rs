//! The `quiz` fenced-block syntax (documented in docs/content-format.md).

use crate::domain::quiz::{Question, QuestionKind};

/// A problem in a quiz block: the line is relative to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    pub line: usize,
    pub message: String,
}

/// Parses one block. `first_line` is the file line of the block's first
/// content line (the one after the opening fence).
pub fn parse(text: &str, first_line: usize) -> Result<Question, Vec<BlockError>> {
    let mut errors = Vec::new();
    let mut err = |line: usize, message: String| errors.push(BlockError { line, message });
    let (mut id, mut kind, mut prompt, mut explanation, mut topic) = (None, None, None, None, None);
    let mut options: Vec<(String, bool, usize)> = Vec::new();
    let mut numbered: Vec<(String, usize)> = Vec::new();

    for (i, raw) in text.lines().enumerate() {
        let line_no = first_line + i;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("- [") {
            let (mark, text) = match rest.split_once(']') {
                Some((m, t)) => (m.trim().to_ascii_lowercase(), t.trim()),
                None => {
                    err(line_no, "option must look like '- [ ] text' or '- [x] text'".into());
                    continue;
                }
            };
            if mark != "x" && !mark.is_empty() {
                err(line_no, format!("option mark must be [ ] or [x], found [{mark}]"));
            }
            if text.is_empty() {
                err(line_no, "option has no text".into());
            }
            options.push((text.to_string(), mark == "x", line_no));
            continue;
        }
        if let Some((n, rest)) = line.split_once(". ")
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
        {
            if rest.trim().is_empty() {
                err(line_no, "ordering item has no text".into());
            }
            numbered.push((rest.trim().to_string(), line_no));
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            err(line_no, format!("expected 'key: value', an option '- [ ] …' or an item '1. …', found '{line}'"));
            continue;
        };
        let value = value.trim().to_string();
        let slot = match key.trim() {
            "id" => &mut id,
            "type" => &mut kind,
            "question" => &mut prompt,
            "explanation" => &mut explanation,
            "topic" => &mut topic,
            other => {
                err(line_no, format!("unknown key '{other}' (expected id, type, topic, question, explanation)"));
                continue;
            }
        };
        if value.is_empty() {
            err(line_no, format!("'{}' is empty", key.trim()));
        }
        if slot.is_some() {
            err(line_no, format!("'{}' is given twice", key.trim()));
        }
        *slot = Some((value, line_no));
    }

    let end_line = first_line + text.lines().count().saturating_sub(1);
    let id = match id {
        Some((v, l)) => {
            if !is_slug(&v) {
                err(l, format!("id '{v}' must be lower-case words joined by '-'"));
            }
            v
        }
        None => {
            err(first_line, "missing 'id'".into());
            String::new()
        }
    };
    let kind = match kind {
        Some((v, l)) => match v.as_str() {
            "single" => Some(QuestionKind::Single),
            "multiple" => Some(QuestionKind::Multiple),
            "order" => Some(QuestionKind::Order),
            other => {
                err(l, format!("type '{other}' is not one of single, multiple, order"));
                None
            }
        },
        None => {
            err(first_line, "missing 'type'".into());
            None
        }
    };
    if prompt.is_none() {
        err(first_line, "missing 'question'".into());
    }
    if let Some((t, l)) = &topic
        && !is_slug(t)
    {
        err(*l, format!("topic '{t}' must be lower-case words joined by '-'"));
    }
    if explanation.is_none() {
        err(end_line, "missing 'explanation' (shown to students after they answer)".into());
    }

    let mut question_options = Vec::new();
    let mut correct = Vec::new();
    match kind {
        Some(QuestionKind::Single) | Some(QuestionKind::Multiple) => {
            if let Some((_, l)) = numbered.first() {
                err(*l, "numbered items are for 'type: order'; use '- [ ]' options".into());
            }
            if !(2..=8).contains(&options.len()) {
                err(end_line, format!("needs 2 to 8 options, found {}", options.len()));
            }
            let marked = options.iter().filter(|o| o.1).count();
            if kind == Some(QuestionKind::Single) && marked != 1 {
                err(end_line, format!("a single-choice question needs exactly one [x], found {marked}"));
            }
            if kind == Some(QuestionKind::Multiple) && marked == 0 {
                err(end_line, "a multiple-select question needs at least one [x]".into());
            }
            for (i, (text, right, _)) in options.iter().enumerate() {
                question_options.push(text.clone());
                if *right {
                    correct.push(i);
                }
            }
        }
        Some(QuestionKind::Order) => {
            if let Some((_, _, l)) = options.first() {
                err(*l, "'- [ ]' options are for single and multiple; list ordering items as '1. …'".into());
            }
            if !(3..=8).contains(&numbered.len()) {
                err(end_line, format!("an ordering question needs 3 to 8 items, found {}", numbered.len()));
            }
            question_options = numbered.iter().map(|(t, _)| t.clone()).collect();
        }
        None => {}
    }
    let mut seen = std::collections::HashSet::new();
    for (text, line) in options.iter().map(|o| (&o.0, o.2)).chain(numbered.iter().map(|n| (&n.0, n.1))) {
        if !seen.insert(text.to_lowercase()) {
            err(line, format!("option '{text}' appears twice"));
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Question {
        id,
        kind: kind.unwrap_or(QuestionKind::Single),
        prompt: prompt.map(|p| p.0).unwrap_or_default(),
        options: question_options,
        correct,
        explanation: explanation.map(|e| e.0).unwrap_or_default(),
        topic: topic.map(|t| t.0),
    })
}

/// Lower-case ASCII words joined by single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_kind() {
        let q = parse("id: a\ntype: single\nquestion: Q?\n- [ ] no\n- [x] yes\nexplanation: E.", 10).unwrap();
        assert_eq!((q.kind, q.correct.clone()), (QuestionKind::Single, vec![1]));
        let q = parse("id: b\ntype: multiple\nquestion: Q?\n- [x] a\n- [X] b\n- [ ] c\nexplanation: E.", 1).unwrap();
        assert_eq!(q.correct, vec![0, 1]);
        let q = parse("id: c\ntype: order\nquestion: Q?\n1. a\n2. b\n3. c\nexplanation: E.", 1).unwrap();
        assert_eq!(q.options, vec!["a", "b", "c"]);
    }

    #[test]
    fn errors_name_the_line() {
        let errs = parse("id: a\ntype: single\nquestion: Q?\n- [ ] no\n- [?] yes\nexplanation: E.", 20).unwrap_err();
        assert!(errs.iter().any(|e| e.line == 24 && e.message.contains("[?]")), "{errs:?}");
        let errs = parse("id: a\ntype: pick\nquestion: Q?\n- [ ] no\n- [x] yes\nexplanation: E.", 5).unwrap_err();
        assert_eq!(errs[0].line, 6);
        let errs = parse("id: a\ntype: single\nquestion: Q?\n- [x] no\n- [x] yes", 1).unwrap_err();
        assert!(errs.iter().any(|e| e.message.contains("explanation")));
        assert!(errs.iter().any(|e| e.message.contains("exactly one")));
        let errs = parse("id: a\ntype: order\nquestion: Q?\n1. a\n2. b\nexplanation: E.", 1).unwrap_err();
        assert!(errs[0].message.contains("3 to 8"));
        let errs = parse("id: Bad Id\ntype: single\nquestion: Q?\n- [ ] a\n- [x] b\nexplanation: E.\ncolour: red", 1)
            .unwrap_err();
        assert!(errs.iter().any(|e| e.line == 1 && e.message.contains("lower-case")));
        assert!(errs.iter().any(|e| e.line == 7 && e.message.contains("unknown key")));
    }
}
