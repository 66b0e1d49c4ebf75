//! A framework CSV (the import format) through
//! `app::content::framework::from_csv`, with every slug-shaped module name
//! taken to exist.
//!
//! Properties: no panic; accepted competencies meet every validation rule
//! and round-trip exactly through `to_csv` -> `from_csv`, and (with their
//! module and same_as lists, which need other files, cleared) through `to_toml` ->
//! the framework file parser; problems carry a line >= 1 that exists, in
//! line order.
#![no_main]

use app::content::framework::{from_csv, to_csv, to_toml};
use app::content::quiz_block::is_slug;
use app::domain::edition::EditionInfo;
use checkoff_fuzz::{FUZZ_EDITION_PATH, as_to_toml_keeps, check_competencies, line_count, parse_edition, verbose};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match from_csv(text, &is_slug) {
        Ok(cs) => {
            if verbose() {
                eprintln!("framework_csv: Ok, {} competencies", cs.len());
            }
            check_competencies(&cs, &is_slug);
            let csv = to_csv(&cs).expect("to_csv");
            match from_csv(&csv, &is_slug) {
                Ok(back) => assert_eq!(back, cs, "to_csv wrote:\n{csv}"),
                Err(e) => panic!("to_csv wrote:\n{csv}\nwhich does not read back: {e:?}"),
            }
            // Module lists need module files and `same_as` other editions:
            // cleared for the one-file, no-module tree.
            let mut cleared = cs.clone();
            for c in &mut cleared {
                c.modules.clear();
                c.same_as.clear();
            }
            let info =
                EditionInfo { id: "fuzz".into(), name: "Fuzz".into(), publisher: "Fuzz".into(), version: "1".into() };
            let toml = to_toml(&info, &cleared);
            match parse_edition(FUZZ_EDITION_PATH, &toml) {
                Ok(catalog) => {
                    assert_eq!(catalog.competencies(), as_to_toml_keeps(&cleared).as_slice(), "to_toml wrote:\n{toml}")
                }
                Err(e) => panic!("to_toml wrote:\n{toml}\nwhich does not parse:\n{e}"),
            }
        }
        Err(problems) => {
            if verbose() {
                eprintln!("framework_csv: Err {problems:?}");
            }
            assert!(!problems.is_empty());
            let lines = line_count(text) as u64;
            for p in &problems {
                assert!(p.line >= 1 && p.line <= lines, "line {} outside the file's {lines} lines: {p:?}", p.line);
                assert!(!p.message.trim().is_empty());
            }
            assert!(problems.windows(2).all(|w| w[0].line <= w[1].line));
        }
    }
});
