//! Knowledge checks: questions, what the browser may see of them, and grading.
//!
//! The answer key never leaves the server: [`Question`] holds it, while the
//! page receives [`QuestionView`]s whose option ids are opaque tokens and
//! whose ordering items are shuffled, so neither ids nor order reveal the
//! answer. Grading ([`grade`]) runs on the server on submit.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// Exactly one correct option.
    Single,
    /// Any number (at least one) of correct options; the selection must match exactly.
    Multiple,
    /// Items to put in order; the author writes them in the correct order.
    Order,
}

/// A question as written in the content, with its answer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    /// Options (single/multiple) or items in the correct order (order).
    pub options: Vec<String>,
    /// Indices of correct options (single/multiple); unused for order.
    pub correct: Vec<usize>,
    pub explanation: String,
}

/// One option as shown in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    /// Opaque: derived from the module, question and option text.
    pub id: String,
    pub text: String,
}

/// What the browser receives before the student answers: no answer key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<OptionView>,
}

/// A student's answer to one question: the chosen option ids (single,
/// multiple) or all option ids in the chosen order (order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question_id: String,
    pub option_ids: Vec<String>,
}

/// The verdict on one question, shown after submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub question_id: String,
    pub correct: bool,
    /// Whether the student gave any answer to this question.
    pub answered: bool,
    pub explanation: String,
    /// The right answer, in words (options joined, or items in order).
    pub right_answer: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizResult {
    pub questions: Vec<QuestionResult>,
    pub correct: usize,
    pub total: usize,
    /// Whole percent, rounded down (79.9 % does not reach an 80 % threshold).
    pub score_percent: u8,
    pub mastered: bool,
}

/// FNV-1a: small, stable across builds and platforms (ids and shuffles must
/// not change between server restarts).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

fn option_id(module: &str, question: &str, text: &str) -> String {
    format!("o{:012x}", fnv1a(&[module, question, text]) & 0xffff_ffff_ffff)
}

impl Question {
    fn option_ids(&self, module: &str) -> Vec<String> {
        self.options.iter().map(|t| option_id(module, &self.id, t)).collect()
    }

    /// The view sent to the page. Ordering items are shuffled deterministically
    /// (same order on every load) and never in the correct order.
    pub fn view(&self, module: &str) -> QuestionView {
        let ids = self.option_ids(module);
        let mut order: Vec<usize> = (0..self.options.len()).collect();
        if self.kind == QuestionKind::Order {
            let mut seed = fnv1a(&[module, &self.id, "shuffle"]);
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            if order.iter().enumerate().all(|(i, &o)| i == o) {
                order.rotate_left(1);
            }
        }
        QuestionView {
            id: self.id.clone(),
            kind: self.kind,
            prompt: self.prompt.clone(),
            options: order
                .into_iter()
                .map(|i| OptionView { id: ids[i].clone(), text: self.options[i].clone() })
                .collect(),
        }
    }

    fn grade(&self, module: &str, answer: Option<&Answer>) -> QuestionResult {
        let ids = self.option_ids(module);
        let given: &[String] = answer.map(|a| a.option_ids.as_slice()).unwrap_or(&[]);
        let correct = match self.kind {
            QuestionKind::Order => given == ids.as_slice(),
            QuestionKind::Single | QuestionKind::Multiple => {
                let mut want: Vec<&String> = self.correct.iter().filter_map(|&i| ids.get(i)).collect();
                let mut got: Vec<&String> = given.iter().collect();
                want.sort();
                got.sort();
                got.dedup();
                !got.is_empty() && want == got && given.len() == got.len()
            }
        };
        let right_answer = match self.kind {
            QuestionKind::Order => self.options.clone(),
            _ => self.correct.iter().filter_map(|&i| self.options.get(i).cloned()).collect(),
        };
        QuestionResult {
            question_id: self.id.clone(),
            correct,
            answered: !given.is_empty(),
            explanation: self.explanation.clone(),
            right_answer,
        }
    }
}

/// Grades a submission against the key. Unanswered questions count as wrong;
/// answers to unknown questions are ignored.
pub fn grade(module: &str, questions: &[Question], answers: &[Answer], mastery_percent: u8) -> QuizResult {
    let results: Vec<QuestionResult> = questions
        .iter()
        .map(|q| q.grade(module, answers.iter().find(|a| a.question_id == q.id)))
        .collect();
    let correct = results.iter().filter(|r| r.correct).count();
    let total = results.len();
    let score_percent = (correct * 100).checked_div(total).map_or(0, |p| p as u8);
    QuizResult {
        questions: results,
        correct,
        total,
        score_percent,
        mastered: total > 0 && score_percent >= mastery_percent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single() -> Question {
        Question {
            id: "first".into(),
            kind: QuestionKind::Single,
            prompt: "Which first?".into(),
            options: vec!["Light blue".into(), "Blood culture".into(), "Lavender".into()],
            correct: vec![1],
            explanation: "Sterile first.".into(),
        }
    }

    fn multiple() -> Question {
        Question {
            id: "ppe".into(),
            kind: QuestionKind::Multiple,
            prompt: "Which are PPE?".into(),
            options: vec!["Gown".into(), "Gloves".into(), "Pen".into()],
            correct: vec![0, 1],
            explanation: "".into(),
        }
    }

    fn order() -> Question {
        Question {
            id: "draw".into(),
            kind: QuestionKind::Order,
            prompt: "Order of draw".into(),
            options: vec!["Culture".into(), "Citrate".into(), "Serum".into(), "Heparin".into(), "EDTA".into()],
            correct: vec![],
            explanation: "".into(),
        }
    }

    fn ids_of(q: &Question, texts: &[&str]) -> Vec<String> {
        let v = q.view("m");
        texts
            .iter()
            .map(|t| v.options.iter().find(|o| o.text == *t).unwrap().id.clone())
            .collect()
    }

    fn answer(q: &Question, texts: &[&str]) -> Answer {
        Answer { question_id: q.id.clone(), option_ids: ids_of(q, texts) }
    }

    #[test]
    fn single_choice_is_right_only_with_the_key() {
        let q = single();
        let r = grade("m", &[q.clone()], &[answer(&q, &["Blood culture"])], 80);
        assert_eq!((r.correct, r.score_percent, r.mastered), (1, 100, true));
        let r = grade("m", &[q.clone()], &[answer(&q, &["Lavender"])], 80);
        assert_eq!((r.correct, r.mastered), (0, false));
        assert_eq!(r.questions[0].right_answer, vec!["Blood culture".to_string()]);
        let r = grade("m", &[q.clone()], &[answer(&q, &["Lavender", "Blood culture"])], 80);
        assert_eq!(r.correct, 0, "two picks on a single-choice question");
    }

    #[test]
    fn multiple_select_must_match_exactly() {
        let q = multiple();
        assert_eq!(grade("m", &[q.clone()], &[answer(&q, &["Gloves", "Gown"])], 80).correct, 1);
        assert_eq!(grade("m", &[q.clone()], &[answer(&q, &["Gown"])], 80).correct, 0);
        assert_eq!(grade("m", &[q.clone()], &[answer(&q, &["Gown", "Gloves", "Pen"])], 80).correct, 0);
        let dup = Answer { question_id: "ppe".into(), option_ids: ids_of(&q, &["Gown", "Gown", "Gloves"]) };
        assert_eq!(grade("m", &[q], &[dup], 80).correct, 0, "duplicates are not a valid selection");
    }

    #[test]
    fn ordering_must_be_the_exact_order() {
        let q = order();
        let right = answer(&q, &["Culture", "Citrate", "Serum", "Heparin", "EDTA"]);
        assert_eq!(grade("m", &[q.clone()], &[right], 80).correct, 1);
        let swapped = answer(&q, &["Culture", "Serum", "Citrate", "Heparin", "EDTA"]);
        assert_eq!(grade("m", &[q.clone()], &[swapped], 80).correct, 0);
        let short = answer(&q, &["Culture", "Citrate", "Serum", "Heparin"]);
        assert_eq!(grade("m", &[q], &[short], 80).correct, 0);
    }

    #[test]
    fn the_view_does_not_reveal_the_order() {
        let q = order();
        let v = q.view("m");
        let shown: Vec<&str> = v.options.iter().map(|o| o.text.as_str()).collect();
        assert_ne!(shown, vec!["Culture", "Citrate", "Serum", "Heparin", "EDTA"]);
        assert_eq!(v, q.view("m"), "the same order on every load");
        // Ids are opaque tokens, not positions.
        assert!(v.options.iter().all(|o| o.id.starts_with('o') && o.id.len() == 13));
    }

    #[test]
    fn a_two_item_order_is_still_shuffled() {
        let mut q = order();
        q.options.truncate(2);
        let v = q.view("m");
        assert_eq!(v.options[0].text, "Citrate");
    }

    #[test]
    fn score_rounds_down_against_the_threshold() {
        let qs: Vec<Question> = (0..5).map(|i| Question { id: format!("q{i}"), ..single() }).collect();
        let answers: Vec<Answer> = qs.iter().take(4).map(|q| answer(q, &["Blood culture"])).collect();
        let r = grade("m", &qs, &answers, 80);
        assert_eq!((r.correct, r.total, r.score_percent, r.mastered), (4, 5, 80, true));
        let r = grade("m", &qs, &answers[..3], 80);
        assert_eq!((r.score_percent, r.mastered), (60, false));
        assert!(!r.questions[4].answered);
    }

    #[test]
    fn answers_to_unknown_questions_are_ignored() {
        let q = single();
        let stray = Answer { question_id: "nope".into(), option_ids: vec!["x".into()] };
        let r = grade("m", &[q], &[stray], 80);
        assert_eq!((r.correct, r.total), (0, 1));
    }
}
