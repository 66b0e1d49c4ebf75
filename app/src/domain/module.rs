//! Skill modules as students see them (no answer keys here: see `quiz`).

use serde::{Deserialize, Serialize};

use super::quiz::QuestionView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub area: String,
    pub minutes: u32,
    pub order: i32,
    pub competencies: Vec<String>,
    pub question_count: usize,
}

/// One entry of a module's table of contents (`##` and `###` headings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Everything the module page shows before the student answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleView {
    pub summary: ModuleSummary,
    pub objectives: Vec<String>,
    pub mastery_percent: u8,
    pub toc: Vec<TocEntry>,
    // The body HTML is not here: it is rendered into the page once, not also
    // serialized beside it for hydration (see `api::modules::module_body`).
    pub questions: Vec<QuestionView>,
    /// Content hash of the module file: attempts record which text they were taken on.
    pub version: String,
    /// Which attempt these questions are (`quiz::draw`): the page sends it
    /// back with the answers, and they are graded against this draw.
    pub attempt: u32,
    /// Questions in the module's bank (an attempt may ask fewer).
    pub bank_size: usize,
}

/// A student's standing on a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModuleStatus {
    NotStarted,
    Reading,
    Mastered,
}

impl ModuleStatus {
    pub fn label(self) -> &'static str {
        match self {
            ModuleStatus::NotStarted => "Not started",
            ModuleStatus::Reading => "Reading",
            ModuleStatus::Mastered => "Mastered",
        }
    }

    /// Mastered once any attempt reached the threshold; reading once opened
    /// or attempted.
    pub fn from_facts(opened: bool, attempted: bool, mastered: bool) -> ModuleStatus {
        if mastered {
            ModuleStatus::Mastered
        } else if opened || attempted {
            ModuleStatus::Reading
        } else {
            ModuleStatus::NotStarted
        }
    }
}

/// Catalogue search: every word of the query must appear in the title,
/// summary, area or text (case-insensitive).
pub fn matches_query(haystack_lower: &str, query: &str) -> bool {
    query.split_whitespace().map(str::to_lowercase).all(|word| haystack_lower.contains(&word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_facts() {
        assert_eq!(ModuleStatus::from_facts(false, false, false), ModuleStatus::NotStarted);
        assert_eq!(ModuleStatus::from_facts(true, false, false), ModuleStatus::Reading);
        assert_eq!(ModuleStatus::from_facts(false, true, false), ModuleStatus::Reading);
        assert_eq!(ModuleStatus::from_facts(true, true, true), ModuleStatus::Mastered);
    }

    #[test]
    fn search_needs_every_word() {
        let text = "venipuncture with a butterfly set";
        assert!(matches_query(text, "Butterfly"));
        assert!(matches_query(text, "butterfly venipuncture"));
        assert!(!matches_query(text, "butterfly heel"));
        assert!(matches_query(text, "   "));
    }
}
