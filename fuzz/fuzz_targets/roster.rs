//! A cohort roster CSV through `app::domain::roster::parse_roster`.
//!
//! Properties: no panic; accepted rows are valid (name, plausible lower-case
//! email, student id; no repeats; lines increasing, after a header, inside
//! the file) and written back as CSV read back to the same students;
//! problems carry a line >= 1 that exists, in line order.
#![no_main]

use std::collections::HashSet;

use app::domain::roster::{MAX_NAME_CHARS, MAX_ROWS, MAX_STUDENT_NUMBER_CHARS, is_plausible_email, parse_roster};
use checkoff_fuzz::{line_count, verbose};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The parser reads CR, LF and CRLF alike as line endings.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = line_count(&body.replace("\r\n", "\n").replace('\r', "\n")) as u64;
    match parse_roster(text) {
        Ok(rows) => {
            if verbose() {
                eprintln!("roster: Ok, {} rows", rows.len());
            }
            assert!(!rows.is_empty() && rows.len() <= MAX_ROWS);
            let mut emails = HashSet::new();
            let mut numbers = HashSet::new();
            let mut last_line = 1;
            for r in &rows {
                assert!(r.line > last_line, "row line {} after line {last_line}", r.line);
                assert!(r.line <= lines, "row line {} in a file of {lines} lines", r.line);
                last_line = r.line;
                assert!(!r.name.is_empty() && r.name.chars().count() <= MAX_NAME_CHARS, "{r:?}");
                assert!(!r.name.chars().any(char::is_control), "{r:?}");
                assert_eq!(r.name.trim_ascii(), r.name, "name not trimmed: {r:?}");
                assert!(is_plausible_email(&r.email) && r.email == r.email.to_lowercase(), "{r:?}");
                assert!(emails.insert(r.email.clone()), "repeated email accepted: {r:?}");
                assert!(!r.student_number.is_empty() && r.student_number.chars().count() <= MAX_STUDENT_NUMBER_CHARS);
                assert!(!r.student_number.chars().any(char::is_control), "{r:?}");
                assert!(numbers.insert(r.student_number.to_lowercase()), "repeated student id accepted: {r:?}");
            }
            // Written back as a plain roster, it reads back the same.
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["name", "email", "student id"]).unwrap();
            for r in &rows {
                w.write_record([&r.name, &r.email, &r.student_number]).unwrap();
            }
            let again = String::from_utf8(w.into_inner().unwrap()).unwrap();
            match parse_roster(&again) {
                Ok(back) => {
                    let key = |rs: &[app::domain::roster::RosterRow]| {
                        rs.iter()
                            .map(|r| (r.name.clone(), r.email.clone(), r.student_number.clone()))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(key(&back), key(&rows), "written back as:\n{again}");
                    assert!(back.iter().enumerate().all(|(i, r)| r.line == i as u64 + 2), "{back:?}");
                }
                Err(e) => panic!("written back as:\n{again}\nit does not parse: {e:?}"),
            }
        }
        Err(problems) => {
            if verbose() {
                eprintln!("roster: Err {problems:?}");
            }
            assert!(!problems.is_empty());
            for p in &problems {
                assert!(p.line >= 1 && p.line <= lines, "line {} outside the file's {lines} lines: {p:?}", p.line);
                assert!(!p.message.trim().is_empty());
            }
            assert!(problems.windows(2).all(|w| w[0].line <= w[1].line), "problems not in line order: {problems:?}");
        }
    }
});
