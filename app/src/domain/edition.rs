//! Framework editions. A competency code means different skills in different
//! editions of an accreditor's curriculum (MAERB 2015's I.P.7 is "Administer
//! parenteral medications"; the starter framework's I.P.7 was "Select proper
//! sites"), so a code alone never identifies a competency: an (edition, code)
//! pair does. A program is on one edition; every sign-off record names the
//! edition it was signed under.
//!
//! When a program moves to another edition, records already made keep their
//! own edition, code, title and steps. A competency of the new edition may
//! say which competencies of other editions are the same skill (`same_as`,
//! written `edition:code`); records of those count toward it. Everything
//! here is pure.

use crate::domain::ids::ProgramId;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::competency::Competency;

/// The edition of records made before editions existed (their `edition`
/// column is empty): the framework Checkoff shipped first.
pub const LEGACY_EDITION: &str = "checkoff-starter";

/// The edition a stored record belongs to.
pub fn of_record(stored: Option<&str>) -> &str {
    stored.filter(|s| !s.is_empty()).unwrap_or(LEGACY_EDITION)
}

/// Who publishes an edition, and which it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditionInfo {
    /// Stable identifier, lower-case words joined by `-`: `maerb-2015`.
    pub id: String,
    /// As people say it: "MAERB Core Curriculum (2015)".
    pub name: String,
    /// "CAAHEP / MAERB", or the program's name for its own list.
    pub publisher: String,
    /// The edition's year or version label.
    pub version: String,
}

/// An edition with its competencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    pub info: EditionInfo,
    pub competencies: Vec<Competency>,
}

/// A competency of another edition, as `same_as` names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordKey {
    pub edition: String,
    pub code: String,
}

impl RecordKey {
    pub fn new(edition: &str, code: &str) -> RecordKey {
        RecordKey { edition: edition.to_string(), code: code.to_string() }
    }

    /// Reads `edition:code`.
    pub fn parse(text: &str) -> Option<RecordKey> {
        let (edition, code) = text.split_once(':')?;
        (!edition.is_empty() && !code.is_empty()).then(|| RecordKey::new(edition.trim(), code.trim()))
    }
}

impl std::fmt::Display for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.edition, self.code)
    }
}

impl Edition {
    pub fn id(&self) -> &str {
        &self.info.id
    }

    pub fn competency(&self, code: &str) -> Option<&Competency> {
        self.competencies.iter().find(|c| c.code == code)
    }

    /// Competencies evaluated by a checklist (psychomotor and affective).
    pub fn signed_off(&self) -> impl Iterator<Item = &Competency> {
        self.competencies.iter().filter(|c| c.domain.is_signed_off())
    }

    /// The record keys that count toward `code` in this edition: its own,
    /// then those its `same_as` names.
    pub fn keys_of(&self, code: &str) -> Vec<RecordKey> {
        let mut keys = vec![RecordKey::new(self.id(), code)];
        if let Some(c) = self.competency(code) {
            keys.extend(c.same_as.iter().filter_map(|s| RecordKey::parse(s)));
        }
        keys
    }

    /// Every record key that counts toward some competency of this edition,
    /// and which: the map a tally or record is looked up in.
    pub fn counting_map(&self) -> HashMap<RecordKey, String> {
        let mut map = HashMap::new();
        for c in &self.competencies {
            for key in self.keys_of(&c.code) {
                map.entry(key).or_insert_with(|| c.code.clone());
            }
        }
        map
    }
}

/// What moving a program from its edition to `target` would do, shown to
/// the director before they confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwitchPreview {
    pub from: EditionInfo,
    pub to: EditionInfo,
    /// Competencies with records that count toward a competency of the
    /// target: (recorded key, its title then, target code, target title, records).
    pub mapped: Vec<MappedCompetency>,
    /// Competencies with records that count toward nothing in the target:
    /// the records stay (append-only) and show on each student's history,
    /// but no longer count toward completion.
    pub unmapped: Vec<UnmappedCompetency>,
    /// Competencies of the target with no record counting toward them yet.
    pub new_in_target: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedCompetency {
    pub from: RecordKey,
    pub from_title: String,
    pub to_code: String,
    pub to_title: String,
    pub records: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmappedCompetency {
    pub from: RecordKey,
    pub title: String,
    pub records: i64,
}

/// Builds the preview from the program's recorded competencies (key, the
/// title recorded, how many records).
pub fn preview(from: &EditionInfo, target: &Edition, recorded: &[(RecordKey, String, i64)]) -> SwitchPreview {
    let map = target.counting_map();
    let mut mapped = Vec::new();
    let mut unmapped = Vec::new();
    let mut covered: HashSet<&str> = HashSet::new();
    // One line per recorded key, in code order.
    let mut by_key: BTreeMap<&RecordKey, (&str, i64)> = BTreeMap::new();
    for (key, title, n) in recorded {
        let entry = by_key.entry(key).or_insert((title.as_str(), 0));
        entry.1 += n;
    }
    for (key, (title, records)) in by_key {
        match map.get(key).and_then(|code| target.competency(code)) {
            Some(c) => {
                covered.insert(c.code.as_str());
                mapped.push(MappedCompetency {
                    from: key.clone(),
                    from_title: title.to_string(),
                    to_code: c.code.clone(),
                    to_title: c.title.clone(),
                    records,
                });
            }
            None => unmapped.push(UnmappedCompetency { from: key.clone(), title: title.to_string(), records }),
        }
    }
    let new_in_target = target
        .signed_off()
        .filter(|c| !covered.contains(c.code.as_str()))
        .map(|c| (c.code.clone(), c.title.clone()))
        .collect();
    SwitchPreview { from: from.clone(), to: target.info.clone(), mapped, unmapped, new_in_target }
}

/// The program's own requirements carried to a new edition: each goes to
/// the competency of `target` its (edition `from`, code) counts toward;
/// one that counts toward nothing is dropped.
pub fn carried_requirements(
    from: &str,
    target: &Edition,
    overrides: &[(String, crate::domain::competency::Requirement)],
) -> Vec<(String, crate::domain::competency::Requirement)> {
    let counting = target.counting_map();
    overrides
        .iter()
        .filter_map(|(code, r)| counting.get(&RecordKey::new(from, code)).map(|to_code| (to_code.clone(), *r)))
        .collect()
}

impl SwitchPreview {
    /// What the audit log says of a switch made from this preview.
    pub fn audit_detail(&self, carried: usize, requirements: usize) -> String {
        format!(
            "{} recorded competencies map, {} do not, {} start from nothing; {carried} of {requirements} program requirements carried over",
            self.mapped.len(),
            self.unmapped.len(),
            self.new_in_target.len(),
        )
    }
}

/// The longest name of an imported edition, in characters.
pub const MAX_IMPORT_NAME: usize = 200;
/// The longest version of an imported edition, in characters.
pub const MAX_IMPORT_VERSION: usize = 50;

/// Why an imported edition's name or version is refused, and which of the two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError {
    pub field: &'static str,
    pub message: String,
}

/// The name and version a director gives an imported edition (trimmed):
/// each present, on one line, within its length.
pub fn check_import_labels(name: &str, version: &str) -> Result<(), LabelError> {
    let line = |field: &'static str, value: &str| {
        crate::domain::text::check(value, crate::domain::text::TextKind::SingleLine)
            .map_err(|e| LabelError { field, message: e.to_string() })
    };
    if name.is_empty() || name.chars().count() > MAX_IMPORT_NAME {
        return Err(LabelError {
            field: "name",
            message: "Name the framework, for example \"Our program's 2027 list\" (up to 200 characters).".into(),
        });
    }
    line("name", name)?;
    if version.is_empty() || version.chars().count() > MAX_IMPORT_VERSION {
        return Err(LabelError {
            field: "version",
            message: "Give the edition's year or version (up to 50 characters).".into(),
        });
    }
    line("version", version)
}

/// The id of a program's imported edition: the same file (byte for byte,
/// whatever its name) is the same edition. `sha256_hex` is the file's digest.
pub fn imported_id(program: ProgramId, sha256_hex: &str) -> String {
    let short: String = sha256_hex.chars().take(12).collect();
    format!("program-{program}-{short}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checklist::ChecklistStep;
    use crate::domain::competency::{CompetencyDomain, Requirement};

    fn competency(code: &str, title: &str, same_as: &[&str]) -> Competency {
        Competency {
            code: code.into(),
            title: title.into(),
            domain: CompetencyDomain::Psychomotor,
            modules: vec![],
            steps: vec![ChecklistStep { text: "Do it".into(), critical: true, note: None }],
            pass_percent: 85,
            requirement: Requirement::DEFAULT,
            version: format!("v-{code}"),
            references: vec![],
            same_as: same_as.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn edition(id: &str, competencies: Vec<Competency>) -> Edition {
        Edition {
            info: EditionInfo { id: id.into(), name: id.into(), publisher: "P".into(), version: "1".into() },
            competencies,
        }
    }

    fn maerb() -> Edition {
        edition(
            "maerb-2015",
            vec![
                competency(
                    "I.P.5",
                    "Select proper sites for administering parenteral medication",
                    &["checkoff-starter:I.P.7"],
                ),
                competency("I.P.7", "Administer parenteral (excluding IV) medications", &["checkoff-starter:I.P.9"]),
                competency("I.P.9", "Assist provider with a patient exam", &[]),
            ],
        )
    }

    #[test]
    fn a_code_counts_only_for_the_skill_it_meant() {
        let m = maerb();
        let map = m.counting_map();
        // The starter's I.P.7 (sites) counts toward 2015's I.P.5, never 2015's I.P.7.
        assert_eq!(map.get(&RecordKey::new("checkoff-starter", "I.P.7")).map(String::as_str), Some("I.P.5"));
        assert_eq!(map.get(&RecordKey::new("maerb-2015", "I.P.7")).map(String::as_str), Some("I.P.7"));
        assert_eq!(map.get(&RecordKey::new("checkoff-starter", "I.P.9")).map(String::as_str), Some("I.P.7"));
        assert_eq!(map.get(&RecordKey::new("checkoff-starter", "A.1")), None);
        assert_eq!(of_record(None), LEGACY_EDITION);
        assert_eq!(of_record(Some("maerb-2015")), "maerb-2015");
    }

    #[test]
    fn the_preview_says_what_maps_and_what_does_not() {
        let starter = EditionInfo {
            id: LEGACY_EDITION.into(),
            name: "Starter".into(),
            publisher: "Checkoff".into(),
            version: "1".into(),
        };
        let recorded = vec![
            (RecordKey::new(LEGACY_EDITION, "I.P.7"), "Select proper sites".to_string(), 4),
            (RecordKey::new(LEGACY_EDITION, "A.1"), "Critical thinking".to_string(), 2),
            (RecordKey::new(LEGACY_EDITION, "I.P.7"), "Select proper sites".to_string(), 1),
        ];
        let p = preview(&starter, &maerb(), &recorded);
        assert_eq!(p.mapped.len(), 1);
        assert_eq!((p.mapped[0].to_code.as_str(), p.mapped[0].records), ("I.P.5", 5));
        assert_eq!(p.unmapped.iter().map(|u| u.from.to_string()).collect::<Vec<_>>(), vec!["checkoff-starter:A.1"]);
        assert_eq!(p.new_in_target.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), vec!["I.P.7", "I.P.9"]);
    }

    #[test]
    fn record_keys_read_and_print_as_edition_colon_code() {
        assert_eq!(RecordKey::parse("checkoff-starter:I.P.7"), Some(RecordKey::new("checkoff-starter", "I.P.7")));
        assert_eq!(RecordKey::parse("I.P.7"), None);
        assert_eq!(RecordKey::parse(":I.P.7"), None);
        assert_eq!(RecordKey::new("a", "B.1").to_string(), "a:B.1");
    }

    #[test]
    fn requirements_follow_their_competency_or_are_dropped() {
        let strict = Requirement { attempts: 3, ..Requirement::DEFAULT };
        let target = Edition {
            info: EditionInfo { id: "b".into(), name: "B".into(), publisher: "P".into(), version: "2".into() },
            competencies: vec![competency("N1", "New one", &["a:O1"]), competency("N2", "New two", &[])],
        };
        let overrides = vec![("O1".to_string(), strict), ("O9".to_string(), strict)];
        assert_eq!(carried_requirements("a", &target, &overrides), vec![("N1".to_string(), strict)]);
        // From another edition, O1 maps to nothing.
        assert!(carried_requirements("c", &target, &overrides).is_empty());
    }

    #[test]
    fn import_labels_are_present_short_and_on_one_line() {
        assert_eq!(check_import_labels("Our list", "2027"), Ok(()));
        assert_eq!(check_import_labels("", "2027").map_err(|e| e.field), Err("name"));
        assert_eq!(check_import_labels(&"x".repeat(201), "2027").map_err(|e| e.field), Err("name"));
        assert_eq!(check_import_labels(&"x".repeat(200), "2027"), Ok(()));
        assert_eq!(check_import_labels("a\nb", "").map_err(|e| e.field), Err("name"));
        assert_eq!(check_import_labels("Our list", "").map_err(|e| e.field), Err("version"));
        assert_eq!(check_import_labels("Our list", &"1".repeat(51)).map_err(|e| e.field), Err("version"));
        assert_eq!(check_import_labels("Our list", "1\r").map_err(|e| e.field), Err("version"));
    }

    #[test]
    fn an_imported_edition_is_named_by_its_program_and_digest() {
        assert_eq!(imported_id(ProgramId(7), "0123456789abcdef0123"), "program-7-0123456789ab");
    }
}
