//! Knowledge checks: questions, what the browser may see of them, drawing
//! an attempt, and grading.
//!
//! The answer key never leaves the server: [`Question`] holds it, while the
//! page receives [`QuestionView`]s whose option ids are opaque tokens. Each
//! attempt is drawn ([`draw`]): which questions of the module's bank it asks
//! (evenly across the author's topics), in what order, and each question's
//! options in an order of their own, so where an author wrote the key tells
//! the student nothing and a retake is not the same test. A draw is a pure
//! function of who takes it and which attempt it is, so a reload shows the
//! same attempt without anything being written. Grading ([`grade_draw`]) is
//! by option identity, never by position, against the attempt's own draw.

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
    /// The author's grouping; an attempt draws evenly across topics.
    pub topic: Option<String>,
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

/// A small, well-mixed generator (splitmix64): draws must be the same on
/// every server and every release, so no library generator is used.
struct Mixer(u64);

impl Mixer {
    fn new(seed: u64) -> Mixer {
        Mixer(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// One question of an attempt: which, and its options in the order shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawnQuestion {
    pub question_id: String,
    /// Indices into the question's options, in display order.
    pub order: Vec<usize>,
}

/// An attempt as drawn: stored with the attempt when it is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draw {
    /// 1 for a student's first attempt at the module, 2 for the next…
    pub number: u32,
    pub questions: Vec<DrawnQuestion>,
}

/// Draws attempt `number` of `taker` (a student's id, or "anyone" for a
/// visitor who is not signed in) at a module: up to `size` questions (all
/// when `None`), taken in turn from each topic so every topic is asked
/// about, in a shuffled order, each question's options shuffled. Ordering
/// questions never show their items in the right order.
pub fn draw(
    module: &str,
    version: &str,
    taker: &str,
    number: u32,
    questions: &[Question],
    size: Option<usize>,
) -> Draw {
    let mut mix = Mixer::new(fnv1a(&[module, version, taker, &number.to_string(), "draw"]));
    let size = size.unwrap_or(questions.len()).min(questions.len());
    // Topics in order of first appearance; questions without one share a pool.
    let mut topics: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let t = q.topic.as_deref();
        match topics.iter_mut().find(|(x, _)| *x == t) {
            Some((_, list)) => list.push(i),
            None => topics.push((t, vec![i])),
        }
    }
    for (_, list) in &mut topics {
        mix.shuffle(list);
    }
    // Which topic goes first rotates too, so a short draw is not always
    // weighted toward the first topics.
    mix.shuffle(&mut topics);
    let mut chosen = Vec::with_capacity(size);
    let mut round = 0;
    while chosen.len() < size {
        let mut took = false;
        for (_, list) in &topics {
            if chosen.len() == size {
                break;
            }
            if let Some(&i) = list.get(round) {
                chosen.push(i);
                took = true;
            }
        }
        if !took {
            break;
        }
        round += 1;
    }
    mix.shuffle(&mut chosen);
    let drawn = chosen
        .into_iter()
        .map(|i| {
            let q = &questions[i];
            let mut order: Vec<usize> = (0..q.options.len()).collect();
            mix.shuffle(&mut order);
            if q.kind == QuestionKind::Order && order.iter().enumerate().all(|(k, &o)| k == o) {
                order.rotate_left(1);
            }
            DrawnQuestion { question_id: q.id.clone(), order }
        })
        .collect();
    Draw { number, questions: drawn }
}

impl Draw {
    /// The questions of this attempt as the page shows them.
    pub fn views(&self, module: &str, questions: &[Question]) -> Vec<QuestionView> {
        self.questions
            .iter()
            .filter_map(|d| questions.iter().find(|q| q.id == d.question_id).map(|q| q.view_in(module, &d.order)))
            .collect()
    }
}

/// Grades an attempt against its own draw: only the drawn questions count,
/// and answers are option ids, so the order they were shown in (this
/// attempt's or any other's) does not matter.
pub fn grade_draw(
    module: &str,
    questions: &[Question],
    draw: &Draw,
    answers: &[Answer],
    mastery_percent: u8,
) -> QuizResult {
    let asked: Vec<Question> =
        draw.questions.iter().filter_map(|d| questions.iter().find(|q| q.id == d.question_id).cloned()).collect();
    grade(module, &asked, answers, mastery_percent)
}

impl Question {
    fn option_ids(&self, module: &str) -> Vec<String> {
        self.options.iter().map(|t| option_id(module, &self.id, t)).collect()
    }

    /// The view with options in `order` (indices into the options; any
    /// index out of range is skipped).
    pub fn view_in(&self, module: &str, order: &[usize]) -> QuestionView {
        let ids = self.option_ids(module);
        QuestionView {
            id: self.id.clone(),
            kind: self.kind,
            prompt: self.prompt.clone(),
            options: order
                .iter()
                .filter_map(|&i| Some(OptionView { id: ids.get(i)?.clone(), text: self.options.get(i)?.clone() }))
                .collect(),
        }
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
    let results: Vec<QuestionResult> =
        questions.iter().map(|q| q.grade(module, answers.iter().find(|a| a.question_id == q.id))).collect();
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

/// The most options one answer may name (no question has more).
pub const MAX_OPTIONS_PER_ANSWER: usize = 16;

/// Whether an answer sheet fits an attempt's draw: no more answers than
/// questions drawn, none naming more than [`MAX_OPTIONS_PER_ANSWER`]
/// options. It bounds what a client can make the server store.
pub fn fits_draw(answers: &[Answer], draw: &Draw) -> bool {
    answers.len() <= draw.questions.len() && answers.iter().all(|a| a.option_ids.len() <= MAX_OPTIONS_PER_ANSWER)
}

/// The number of a student's next attempt, after `submitted` attempts (1 for the first).
pub fn next_attempt_number(submitted: i64) -> u32 {
    u32::try_from(submitted).unwrap_or(u32::MAX - 1).saturating_add(1)
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
            topic: None,
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
            topic: None,
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
            topic: None,
        }
    }

    fn ids_of(q: &Question, texts: &[&str]) -> Vec<String> {
        let v = q.view("m");
        texts.iter().map(|t| v.options.iter().find(|o| o.text == *t).unwrap().id.clone()).collect()
    }

    fn answer(q: &Question, texts: &[&str]) -> Answer {
        Answer { question_id: q.id.clone(), option_ids: ids_of(q, texts) }
    }

    #[test]
    fn single_choice_is_right_only_with_the_key() {
        let q = single();
        let r = grade("m", std::slice::from_ref(&q), &[answer(&q, &["Blood culture"])], 80);
        assert_eq!((r.correct, r.score_percent, r.mastered), (1, 100, true));
        let r = grade("m", std::slice::from_ref(&q), &[answer(&q, &["Lavender"])], 80);
        assert_eq!((r.correct, r.mastered), (0, false));
        assert_eq!(r.questions[0].right_answer, vec!["Blood culture".to_string()]);
        let r = grade("m", std::slice::from_ref(&q), &[answer(&q, &["Lavender", "Blood culture"])], 80);
        assert_eq!(r.correct, 0, "two picks on a single-choice question");
    }

    #[test]
    fn multiple_select_must_match_exactly() {
        let q = multiple();
        assert_eq!(grade("m", std::slice::from_ref(&q), &[answer(&q, &["Gloves", "Gown"])], 80).correct, 1);
        assert_eq!(grade("m", std::slice::from_ref(&q), &[answer(&q, &["Gown"])], 80).correct, 0);
        assert_eq!(grade("m", std::slice::from_ref(&q), &[answer(&q, &["Gown", "Gloves", "Pen"])], 80).correct, 0);
        let dup = Answer { question_id: "ppe".into(), option_ids: ids_of(&q, &["Gown", "Gown", "Gloves"]) };
        assert_eq!(grade("m", &[q], &[dup], 80).correct, 0, "duplicates are not a valid selection");
    }

    #[test]
    fn ordering_must_be_the_exact_order() {
        let q = order();
        let right = answer(&q, &["Culture", "Citrate", "Serum", "Heparin", "EDTA"]);
        assert_eq!(grade("m", std::slice::from_ref(&q), &[right], 80).correct, 1);
        let swapped = answer(&q, &["Culture", "Serum", "Citrate", "Heparin", "EDTA"]);
        assert_eq!(grade("m", std::slice::from_ref(&q), &[swapped], 80).correct, 0);
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

    fn bank() -> Vec<Question> {
        let topics = ["identification", "tubes", "safety"];
        (0..18)
            .map(|i| Question {
                id: format!("q{i}"),
                topic: Some(topics[i % 3].to_string()),
                options: vec![
                    format!("right {i}"),
                    format!("wrong a {i}"),
                    format!("wrong b {i}"),
                    format!("wrong c {i}"),
                ],
                correct: vec![0],
                ..single()
            })
            .collect()
    }

    #[test]
    fn a_draw_is_stable_and_a_retake_differs() {
        let b = bank();
        let first = draw("m", "v1", "42", 1, &b, Some(9));
        assert_eq!(first, draw("m", "v1", "42", 1, &b, Some(9)), "a reload shows the same attempt");
        assert_eq!(first.questions.len(), 9);
        let second = draw("m", "v1", "42", 2, &b, Some(9));
        assert_ne!(first.questions, second.questions, "a retake is not the same test");
        assert_ne!(first, draw("m", "v1", "43", 1, &b, Some(9)), "another student gets another draw");
    }

    #[test]
    fn every_topic_is_asked_about() {
        let b = bank();
        for n in 1..50 {
            let d = draw("m", "v1", "7", n, &b, Some(6));
            for topic in ["identification", "tubes", "safety"] {
                let asked = d
                    .questions
                    .iter()
                    .filter(|q| b.iter().find(|x| x.id == q.question_id).unwrap().topic.as_deref() == Some(topic))
                    .count();
                assert_eq!(asked, 2, "attempt {n}, topic {topic}");
            }
        }
    }

    #[test]
    fn the_key_is_not_where_the_author_wrote_it() {
        // Over many attempts the key of a single-choice question lands on
        // every position about equally often.
        let b = bank();
        let mut at = [0usize; 4];
        for n in 1..=400 {
            for d in draw("m", "v1", "7", n, &b, None).questions {
                let key_at = d.order.iter().position(|&i| i == 0).unwrap();
                at[key_at] += 1;
            }
        }
        let total: usize = at.iter().sum();
        for (pos, count) in at.iter().enumerate() {
            let share = *count as f64 / total as f64;
            assert!((0.2..0.3).contains(&share), "position {pos}: {share:.3} of {total}");
        }
    }

    #[test]
    fn the_same_answers_at_different_positions_score_the_same() {
        let b = bank();
        let one = draw("m", "v1", "7", 1, &b, None);
        let two = draw("m", "v1", "7", 2, &b, None);
        // Answer by text, whatever position each attempt shows it in.
        let answer_all = |d: &Draw| -> Vec<Answer> {
            d.views("m", &b)
                .iter()
                .map(|v| Answer {
                    question_id: v.id.clone(),
                    option_ids: v
                        .options
                        .iter()
                        .filter(|o| o.text.starts_with("right"))
                        .map(|o| o.id.clone())
                        .collect(),
                })
                .collect()
        };
        let r1 = grade_draw("m", &b, &one, &answer_all(&one), 80);
        let r2 = grade_draw("m", &b, &two, &answer_all(&two), 80);
        assert_eq!((r1.correct, r2.correct), (18, 18));
        // Attempt one's answers submitted against attempt two grade by identity.
        assert_eq!(grade_draw("m", &b, &two, &answer_all(&one), 80).correct, 18);
        // Positions mean nothing: "the first option" of attempt one is not an answer in attempt two.
        let first_shown: Vec<Answer> = one
            .views("m", &b)
            .iter()
            .map(|v| Answer { question_id: v.id.clone(), option_ids: vec![v.options[0].id.clone()] })
            .collect();
        let by_position = grade_draw("m", &b, &two, &first_shown, 80).correct;
        let by_identity = first_shown
            .iter()
            .filter(|a| b.iter().find(|q| q.id == a.question_id).unwrap().option_ids("m")[0] == a.option_ids[0])
            .count();
        assert_eq!(by_position, by_identity);
    }

    #[test]
    fn only_the_drawn_questions_count() {
        let b = bank();
        let d = draw("m", "v1", "7", 3, &b, Some(5));
        let r = grade_draw("m", &b, &d, &[], 80);
        assert_eq!(r.total, 5);
    }

    #[test]
    fn an_answer_sheet_fits_its_draw() {
        let drawn = |n: usize| Draw {
            number: 1,
            questions: (0..n).map(|i| DrawnQuestion { question_id: format!("q{i}"), order: vec![0, 1] }).collect(),
        };
        let answer =
            |k: usize| Answer { question_id: "q0".into(), option_ids: (0..k).map(|i| i.to_string()).collect() };
        assert!(fits_draw(&[answer(1)], &drawn(1)));
        assert!(fits_draw(&[], &drawn(1)));
        assert!(!fits_draw(&[answer(1), answer(1)], &drawn(1)));
        assert!(fits_draw(&[answer(MAX_OPTIONS_PER_ANSWER)], &drawn(1)));
        assert!(!fits_draw(&[answer(MAX_OPTIONS_PER_ANSWER + 1)], &drawn(1)));
    }

    #[test]
    fn attempts_are_numbered_from_one() {
        assert_eq!(next_attempt_number(0), 1);
        assert_eq!(next_attempt_number(4), 5);
        assert_eq!(next_attempt_number(i64::MAX), u32::MAX);
    }
}
