//! Parsing the cohort roster a program director uploads: a CSV with a header
//! row naming the columns name, email and student id (in any order; other
//! columns are ignored).
//!
//! Every problem in the file is reported at once, with the physical line it
//! is on, so the director can fix the spreadsheet in one pass. A file with
//! any problem yields no rows at all: enrolling half a cohort would leave the
//! director to work out who was missed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// More students than any one cohort has; a larger file is almost certainly
/// the wrong export, and the cap bounds the work one upload can cause.
pub const MAX_ROWS: usize = 2000;
/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest accepted student id, in characters.
pub const MAX_STUDENT_NUMBER_CHARS: usize = 64;
/// Longest email address (RFC 5321's path limit less the angle brackets).
pub const MAX_EMAIL_BYTES: usize = 254;

/// One student from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRow {
    /// Physical line in the file where the row starts.
    pub line: u64,
    pub name: String,
    /// Trimmed and lowercased, so it matches however the student types it.
    pub email: String,
    pub student_number: String,
}

/// Something wrong with the file, worded for the director.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
#[error("line {line}: {message}")]
pub struct RosterProblem {
    pub line: u64,
    pub message: String,
}

impl RosterProblem {
    fn new(line: u64, message: impl Into<String>) -> Self {
        RosterProblem { line, message: message.into() }
    }
}

/// The columns the roster needs, with the header spellings accepted for each
/// (compared after trimming, lowercasing and collapsing inner whitespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Email,
    StudentNumber,
}

impl Column {
    const ALL: [Column; 3] = [Column::Name, Column::Email, Column::StudentNumber];

    fn label(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::StudentNumber => "student id",
        }
    }

    fn spellings(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["name", "full name", "student name"],
            Column::Email => &["email", "e-mail", "email address"],
            Column::StudentNumber => &["student id", "student_id", "student number", "id"],
        }
    }

    fn for_header(header: &str) -> Option<Column> {
        let normalized = header.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        Column::ALL.into_iter().find(|column| column.spellings().contains(&normalized.as_str()))
    }
}

/// Where each needed column is in the file.
struct Layout {
    name: usize,
    email: usize,
    student_number: usize,
}

impl Layout {
    /// The fewest fields a row can have and still reach every needed column
    /// (for messages only).
    fn width(&self) -> usize {
        self.name.max(self.email).max(self.student_number).saturating_add(1)
    }
}

/// Parses a roster. `Ok` holds every student, in file order; `Err` holds
/// every problem found, in line order, and then no students are returned.
pub fn parse_roster(text: &str) -> Result<Vec<RosterRow>, Vec<RosterProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Spreadsheets saved as "CSV (Macintosh)" end lines with a bare CR, and
    // a file pasted together from several sources can mix CR, LF and CRLF.
    // The csv crate ends a record at any of them while lines are counted by
    // LF, so a row would be reported on the wrong line: one line ending for all.
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        text
    };

    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());

    let mut lines = LineLocator::new(text);
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut header: Option<(u64, Layout)> = None;
    let mut checker = RowChecker::default();
    let mut data_rows = 0usize;

    for result in reader.records() {
        let record = match result {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(lines.line, |at| lines.line_at(at.byte()));
                problems.push(RosterProblem::new(line, format!("could not read the file: {error}")));
                break;
            }
        };
        let line = record.position().map_or(lines.line, |at| lines.line_at(at.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }

        let Some((_, layout)) = &header else {
            match read_header(&record, line) {
                Ok(layout) => header = Some((line, layout)),
                // Without the columns nothing else can be checked.
                Err(problem) => return Err(vec![problem]),
            }
            continue;
        };

        if data_rows >= MAX_ROWS {
            problems.push(RosterProblem::new(
                line,
                format!("the roster has more than {MAX_ROWS} students; split it into smaller files"),
            ));
            break;
        }
        data_rows += 1;

        if let Some(row) = checker.check(line, &record, layout, &mut problems) {
            rows.push(row);
        }
    }

    match header {
        None => problems.push(RosterProblem::new(
            1,
            "the file is empty; the first line should be a header naming the columns name, email and student id",
        )),
        Some((header_line, _)) if data_rows == 0 => {
            problems.push(RosterProblem::new(header_line, "the roster has no students"));
        }
        Some(_) => {}
    }

    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// Checks data rows one at a time, remembering where each email and student
/// id was first seen so a repeat can point back to it.
#[derive(Default)]
struct RowChecker {
    first_line_for_email: HashMap<String, u64>,
    /// Keyed case-insensitively: "a123" and "A123" are the same student to
    /// a person reading the list.
    first_line_for_number: HashMap<String, u64>,
}

impl RowChecker {
    /// Appends every problem with the row to `problems`; returns the row
    /// only if it had none.
    fn check(
        &mut self,
        line: u64,
        record: &csv::StringRecord,
        layout: &Layout,
        problems: &mut Vec<RosterProblem>,
    ) -> Option<RosterRow> {
        let (Some(name), Some(email), Some(number)) =
            (record.get(layout.name), record.get(layout.email), record.get(layout.student_number))
        else {
            problems.push(RosterProblem::new(
                line,
                format!(
                    "this row has {} columns but needs at least {} to reach the name, email and \
                     student id columns; check for a missing comma",
                    record.len(),
                    layout.width()
                ),
            ));
            return None;
        };
        let email = email.to_lowercase();
        let before = problems.len();
        let mut problem = |message: String| problems.push(RosterProblem::new(line, message));

        if name.is_empty() {
            problem("missing name".into());
        } else if name.chars().count() > MAX_NAME_CHARS {
            problem(format!("the name is longer than {MAX_NAME_CHARS} characters"));
        } else if name.chars().any(char::is_control) {
            problem("the name contains a line break or control character".into());
        }

        if email.is_empty() {
            problem("missing email".into());
        } else if !is_plausible_email(&email) {
            problem(format!("\"{}\" is not a valid email address", shorten(&email)));
        } else if let Some(first) = self.first_line_for_email.get(&email) {
            problem(format!("the email {email} is already on line {first}"));
        } else {
            self.first_line_for_email.insert(email.clone(), line);
        }

        if number.is_empty() {
            problem("missing student id".into());
        } else if number.chars().count() > MAX_STUDENT_NUMBER_CHARS {
            problem(format!("the student id is longer than {MAX_STUDENT_NUMBER_CHARS} characters"));
        } else if number.chars().any(char::is_control) {
            problem("the student id contains a line break or control character".into());
        } else {
            let key = number.to_lowercase();
            if let Some(first) = self.first_line_for_number.get(&key) {
                problem(format!("the student id {number} is already on line {first}"));
            } else {
                self.first_line_for_number.insert(key, line);
            }
        }

        (problems.len() == before).then(|| RosterRow {
            line,
            name: name.to_string(),
            email,
            student_number: number.to_string(),
        })
    }
}

/// Turns the byte offsets csv reports into physical line numbers.
///
/// csv's own `Position::line()` is recorded before the reader consumes the
/// previous record's line ending (the LF of a CRLF) and any blank lines, so
/// after either it names an earlier line than the one the row is on. The
/// byte offset has the same lag, but skipping line-ending bytes from it lands
/// on the row's first character, whose line is then exact, including after
/// quoted fields that span lines.
struct LineLocator<'a> {
    text: &'a [u8],
    /// Bytes before this offset have been counted...
    offset: usize,
    /// ...and this is the line the offset is on.
    line: u64,
}

impl<'a> LineLocator<'a> {
    fn new(text: &'a str) -> Self {
        LineLocator { text: text.as_bytes(), offset: 0, line: 1 }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while let Some(b'\r' | b'\n') = self.text.get(target) {
            target += 1;
        }
        if target < self.offset {
            // csv only moves forward, but start over rather than miscount.
            self.offset = 0;
            self.line = 1;
        }
        let newlines =
            self.text.get(self.offset..target).map_or(0, |skipped| skipped.iter().filter(|&&b| b == b'\n').count());
        self.line += newlines as u64;
        self.offset = target;
        self.line
    }
}

/// Cuts user text quoted back in a message, so a whole paragraph pasted into
/// the email column does not swamp the list of problems.
fn shorten(text: &str) -> String {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// Finds the needed columns in the header row, or says which are missing.
fn read_header(record: &csv::StringRecord, line: u64) -> Result<Layout, RosterProblem> {
    let mut found: [Option<usize>; 3] = [None; 3];
    let mut repeated = Vec::new();
    for (index, header) in record.iter().enumerate() {
        let Some(column) = Column::for_header(header) else {
            continue;
        };
        let slot = match column {
            Column::Name => &mut found[0],
            Column::Email => &mut found[1],
            Column::StudentNumber => &mut found[2],
        };
        if slot.is_some() {
            if !repeated.contains(&column.label()) {
                repeated.push(column.label());
            }
        } else {
            *slot = Some(index);
        }
    }

    if !repeated.is_empty() {
        return Err(RosterProblem::new(
            line,
            format!("the header has more than one {} column; keep one of each", repeated.join(", ")),
        ));
    }

    match found {
        [Some(name), Some(email), Some(student_number)] => Ok(Layout { name, email, student_number }),
        _ => {
            let missing: Vec<&str> = Column::ALL
                .into_iter()
                .zip(found)
                .filter(|(_, index)| index.is_none())
                .map(|(column, _)| column.label())
                .collect();
            Err(RosterProblem::new(
                line,
                format!(
                    "the header is missing the {} column{}; the first line should name the columns name, email and student id",
                    missing.join(", "),
                    if missing.len() == 1 { "" } else { "s" }
                ),
            ))
        }
    }
}

/// A cheap sanity check, not validation: catches typos and shifted columns
/// (a name in the email column) before invitations bounce. Expects the
/// address already trimmed.
pub fn is_plausible_email(email: &str) -> bool {
    if email.is_empty() || email.len() > MAX_EMAIL_BYTES {
        return false;
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(u64, String)> {
        parse_roster(text).unwrap_err().into_iter().map(|p| (p.line, p.message)).collect()
    }

    fn lines(text: &str) -> Vec<u64> {
        problems(text).into_iter().map(|(line, _)| line).collect()
    }

    #[test]
    fn parses_a_simple_roster() {
        let rows = parse_roster(
            "name,email,student id\n\
             Ana Lima,ana@example.edu,S001\n\
             Ben Cho,ben@example.edu,S002\n",
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![
                RosterRow {
                    line: 2,
                    name: "Ana Lima".into(),
                    email: "ana@example.edu".into(),
                    student_number: "S001".into(),
                },
                RosterRow {
                    line: 3,
                    name: "Ben Cho".into(),
                    email: "ben@example.edu".into(),
                    student_number: "S002".into(),
                },
            ]
        );
    }

    #[test]
    fn trims_fields_and_lowercases_email() {
        let rows = parse_roster("name,email,student id\n  Ana Lima , Ana@Example.EDU ,  S001  \n").unwrap();
        assert_eq!(rows[0].name, "Ana Lima");
        assert_eq!(rows[0].email, "ana@example.edu");
        assert_eq!(rows[0].student_number, "S001");
    }

    #[test]
    fn no_trailing_newline_is_fine() {
        let rows = parse_roster("name,email,student id\nAna,ana@example.edu,1").unwrap();
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn header_spellings_case_and_order() {
        for header in [
            "name,email,student id",
            "Name,Email,Student ID",
            "FULL NAME,E-MAIL,STUDENT_ID",
            "Student Name,Email Address,Student Number",
            "  student   name , email ,  id ",
            "id,email,name",
            "Email,ID,Full Name",
        ] {
            let columns: Vec<&str> = header.split(',').map(str::trim).collect();
            let values: Vec<&str> = columns
                .iter()
                .map(|c| {
                    let c = c.to_lowercase();
                    if c.contains("mail") {
                        "ana@example.edu"
                    } else if c.contains("name") {
                        "Ana Lima"
                    } else {
                        "S001"
                    }
                })
                .collect();
            let text = format!("{header}\n{}\n", values.join(","));
            let rows = parse_roster(&text).unwrap_or_else(|e| panic!("{header:?}: {e:?}"));
            assert_eq!(rows.len(), 1, "{header:?}");
            assert_eq!(rows[0].name, "Ana Lima", "{header:?}");
            assert_eq!(rows[0].email, "ana@example.edu", "{header:?}");
            assert_eq!(rows[0].student_number, "S001", "{header:?}");
        }
    }

    #[test]
    fn extra_columns_are_ignored() {
        let rows = parse_roster(
            "Phone,Name,Cohort,Email,Student ID,Notes\n\
             555-1234,Ana Lima,Fall,ana@example.edu,S001,likes mornings\n",
        )
        .unwrap();
        assert_eq!(rows[0].name, "Ana Lima");
        assert_eq!(rows[0].email, "ana@example.edu");
        assert_eq!(rows[0].student_number, "S001");
    }

    #[test]
    fn missing_header_columns_are_named_on_line_1() {
        let found = problems("name,phone\nAna,555\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("email, student id columns"), "{}", found[0].1);
        assert!(!found[0].1.contains("missing the name"), "{}", found[0].1);

        let found = problems("Name,Email\nAna,ana@example.edu\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("missing the student id column;"), "{}", found[0].1);
    }

    #[test]
    fn a_data_row_instead_of_a_header_is_reported() {
        let found = problems("Ana Lima,ana@example.edu,S001\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("name, email, student id"), "{}", found[0].1);
    }

    #[test]
    fn repeated_header_column_is_a_problem() {
        let found = problems("name,email,e-mail,student id\nAna,a@example.edu,b@example.edu,1\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("more than one email column"), "{}", found[0].1);
    }

    #[test]
    fn empty_file_is_a_problem() {
        for text in ["", "\n\n", "\u{feff}", " , , \n"] {
            let found = problems(text);
            assert_eq!(found.len(), 1, "{text:?}");
            assert_eq!(found[0].0, 1, "{text:?}");
            assert!(found[0].1.contains("empty"), "{text:?}: {}", found[0].1);
        }
    }

    #[test]
    fn header_only_has_no_students() {
        for text in ["name,email,student id", "name,email,student id\n", "name,email,student id\n\n,,\n"] {
            assert_eq!(problems(text), vec![(1, "the roster has no students".to_string())], "{text:?}");
        }
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let rows = parse_roster("\u{feff}Name,Email,Student ID\nAna,ana@example.edu,1\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "Ana");
    }

    #[test]
    fn quoted_commas_and_quotes() {
        let rows = parse_roster(
            "name,email,student id\n\
             \"Lima, Ana\",ana@example.edu,S001\n\
             \"Ben \"\"Benny\"\" Cho\",ben@example.edu,\"S,002\"\n",
        )
        .unwrap();
        assert_eq!(rows[0].name, "Lima, Ana");
        assert_eq!(rows[1].name, "Ben \"Benny\" Cho");
        assert_eq!(rows[1].student_number, "S,002");
    }

    #[test]
    fn crlf_line_endings() {
        let text = "name,email,student id\r\nAna,ana@example.edu,1\r\nBen,ben@example.edu,2\r\n";
        let rows = parse_roster(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].student_number, "2");

        let bad = "name,email,student id\r\nAna,ana@example.edu,1\r\nBen,nope,2\r\n";
        assert_eq!(lines(bad), vec![3]);
    }

    #[test]
    fn bare_cr_line_endings_still_number_lines() {
        let text = "name,email,student id\rAna,ana@example.edu,1\rBen,nope,2\r";
        assert_eq!(lines(text), vec![3]);
    }

    #[test]
    fn mixed_line_endings_number_every_line() {
        // A bare CR among LFs ends a record too (found by fuzz/roster): the
        // student is on line 2, not on the header's line.
        let rows = parse_roster("Name,Email,Student Number\ra,n@e.d,S\n").unwrap();
        assert_eq!(rows[0].line, 2);
        let text = "name,email,student id\r\nAna,ana@example.edu,1\rBen,nope,2\nCy,cy@example.edu,3\n";
        assert_eq!(lines(text), vec![3]);
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        let text = "\nname,email,student id\n\nAna,ana@example.edu,1\n\n\nBen,ben@example.edu,2\n\n";
        let rows = parse_roster(text).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![4, 7]);
    }

    #[test]
    fn embedded_newlines_keep_physical_line_numbers() {
        let text = "name,email,student id,notes\n\
                    Ana,ana@example.edu,1,\"first line\nsecond line\nthird line\"\n\
                    Ben,not-an-email,2,\n";
        // Ana's row spans lines 2-4, so Ben is on physical line 5.
        assert_eq!(lines(text), vec![5]);
    }

    #[test]
    fn line_numbers_survive_crlf_blank_lines_and_multiline_fields_together() {
        let text = "\u{feff}name,email,student id,notes\r\n\
                    \r\n\
                    Ana,ana@example.edu,1,\"one\r\ntwo\"\r\n\
                    \r\n\
                    \r\n\
                    Ben,ben@example.edu,,\r\n\
                    Cy,cy@example.edu,3,\r\n\
                    ,cy@example.edu,4,";
        // Header 1, blank 2, Ana 3-4, blank 5-6, Ben 7, Cy 8, last row 9.
        assert_eq!(
            problems(text),
            vec![
                (7, "missing student id".to_string()),
                (9, "missing name".to_string()),
                (9, "the email cy@example.edu is already on line 8".to_string()),
            ]
        );
    }

    #[test]
    fn header_after_leading_blank_lines() {
        let rows = parse_roster("\n\nname,email,student id\nAna,ana@example.edu,1\n").unwrap();
        assert_eq!(rows[0].line, 4);
        assert_eq!(problems("\r\n\r\nname,email,student id\r\n"), vec![(3, "the roster has no students".to_string())]);
    }

    #[test]
    fn line_locator_counts_from_any_offset() {
        let mut lines = LineLocator::new("a\r\n\r\nb\nc");
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(2), 3); // the LF of the first CRLF, then a blank line
        assert_eq!(lines.line_at(9), 4);
        assert_eq!(lines.line_at(u64::MAX), 4);
        assert_eq!(lines.line_at(0), 1);
    }

    #[test]
    fn one_bad_row_among_good_rows_fails_the_whole_file() {
        let text = "name,email,student id\n\
                    Ana,ana@example.edu,1\n\
                    Ben,ben@example.edu,2\n\
                    ,cy@example.edu,3\n\
                    Dee,dee@example.edu,4\n";
        assert_eq!(problems(text), vec![(4, "missing name".to_string())]);
    }

    #[test]
    fn all_problems_are_collected() {
        let text = "name,email,student id\n\
                    ,ana@example.edu,1\n\
                    Ben,,2\n\
                    Cy,cy@example.edu,\n\
                    ,,\u{20}\n\
                    Dee,dee at example.edu,4\n\
                    ,bad,\n";
        // Line 5 (all empty after trimming) is blank and skipped.
        assert_eq!(
            problems(text),
            vec![
                (2, "missing name".to_string()),
                (3, "missing email".to_string()),
                (4, "missing student id".to_string()),
                (6, "\"dee at example.edu\" is not a valid email address".to_string()),
                (7, "missing name".to_string()),
                (7, "\"bad\" is not a valid email address".to_string()),
                (7, "missing student id".to_string()),
            ]
        );
    }

    #[test]
    fn short_rows_are_reported_not_fatal() {
        let text = "name,email,student id\n\
                    Ana,ana@example.edu\n\
                    Ben,ben@example.edu,2\n\
                    Cy\n";
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2, 4]);
        assert!(found[0].1.contains("2 columns"), "{}", found[0].1);
        assert!(found[1].1.contains("1 columns"), "{}", found[1].1);
    }

    #[test]
    fn invalid_values_are_quoted_back_shortened() {
        let long = "x".repeat(500);
        let found = problems(&format!("name,email,student id\nAna,{long},1\n"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, format!("\"{}…\" is not a valid email address", "x".repeat(60)));
        assert_eq!(shorten("ana"), "ana");
        assert_eq!(shorten(&"é".repeat(61)), format!("{}…", "é".repeat(60)));
        assert_eq!(shorten(&"é".repeat(60)), "é".repeat(60));
    }

    #[test]
    fn long_rows_are_fine() {
        let rows = parse_roster("name,email,student id\nAna,ana@example.edu,1,extra,stuff\n").unwrap();
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn too_long_name_and_student_id() {
        let long_name = "x".repeat(MAX_NAME_CHARS + 1);
        let ok_name = "é".repeat(MAX_NAME_CHARS); // counted in characters, not bytes
        let long_id = "9".repeat(MAX_STUDENT_NUMBER_CHARS + 1);
        let ok_id = "9".repeat(MAX_STUDENT_NUMBER_CHARS);
        let text = format!(
            "name,email,student id\n\
             {long_name},a@example.edu,1\n\
             {ok_name},b@example.edu,2\n\
             Cy,c@example.edu,{long_id}\n\
             Dee,d@example.edu,{ok_id}\n"
        );
        assert_eq!(
            problems(&text),
            vec![
                (2, "the name is longer than 200 characters".to_string()),
                (4, "the student id is longer than 64 characters".to_string()),
            ]
        );
    }

    #[test]
    fn control_characters_in_names_are_refused() {
        let text = "name,email,student id\n\"Ana\nLima\",ana@example.edu,1\n";
        let found = problems(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 2);
        assert!(found[0].1.contains("line break"), "{}", found[0].1);
    }

    #[test]
    fn duplicate_emails_name_the_earlier_line() {
        let text = "name,email,student id\n\
                    Ana,ana@example.edu,1\n\
                    Ben,ben@example.edu,2\n\
                    Ana Again,ANA@example.edu ,3\n\
                    Ana Thrice,ana@example.edu,4\n";
        assert_eq!(
            problems(text),
            vec![
                (4, "the email ana@example.edu is already on line 2".to_string()),
                (5, "the email ana@example.edu is already on line 2".to_string()),
            ]
        );
    }

    #[test]
    fn duplicate_student_ids_name_the_earlier_line() {
        let text = "name,email,student id\n\
                    Ana,ana@example.edu,S001\n\
                    Ben,ben@example.edu,s001\n\
                    Cy,cy@example.edu,S002\n";
        assert_eq!(problems(text), vec![(3, "the student id s001 is already on line 2".to_string())]);
    }

    #[test]
    fn a_row_can_have_several_problems() {
        let text = "name,email,student id\n\
                    Ana,ana@example.edu,1\n\
                    ,ana@example.edu,1\n";
        assert_eq!(
            problems(text),
            vec![
                (3, "missing name".to_string()),
                (3, "the email ana@example.edu is already on line 2".to_string()),
                (3, "the student id 1 is already on line 2".to_string()),
            ]
        );
    }

    #[test]
    fn row_cap() {
        let mut text = String::from("name,email,student id\n");
        for i in 0..MAX_ROWS {
            text.push_str(&format!("Student {i},s{i}@example.edu,{i}\n"));
        }
        assert_eq!(parse_roster(&text).unwrap().len(), MAX_ROWS);

        text.push_str("One Too Many,extra@example.edu,extra\n");
        text.push_str("Two Too Many,extra2@example.edu,extra2\n");
        let found = problems(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, MAX_ROWS as u64 + 2);
        assert!(found[0].1.contains("more than 2000"), "{}", found[0].1);
    }

    #[test]
    fn display_is_line_then_message() {
        let problem = RosterProblem { line: 7, message: "missing name".into() };
        assert_eq!(problem.to_string(), "line 7: missing name");
    }

    #[test]
    fn plausible_emails() {
        for good in ["a@b.co", "ana.lima+ma@example.edu", "x@sub.domain.example", "o'brien@example.ie"] {
            assert!(is_plausible_email(good), "{good:?}");
        }
        let too_long = format!("{}@example.edu", "a".repeat(MAX_EMAIL_BYTES));
        let just_fits = format!("{}@example.edu", "a".repeat(MAX_EMAIL_BYTES - "@example.edu".len()));
        assert!(is_plausible_email(&just_fits));
        for bad in [
            "",
            "plain",
            "@example.edu",
            "ana@",
            "ana@localhost",
            "ana@@example.edu",
            "ana@b@example.edu",
            "ana @example.edu",
            "ana@exa mple.edu",
            "ana@.example.edu",
            "ana@example.edu.",
            "ana@example..edu",
            "ana\t@example.edu",
            too_long.as_str(),
        ] {
            assert!(!is_plausible_email(bad), "{bad:?}");
        }
    }
}
