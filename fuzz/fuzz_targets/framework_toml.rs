//! A competency framework edition file (`content/competencies/<id>.toml`):
//! TOML deserialization plus validation, through `app::content::parse_tree`
//! with this one edition and no module files (the edition parser itself,
//! `framework::parse_edition`, is private to `app::content`). With no
//! modules, an edition naming modules is rejected.
//!
//! Properties: no panic; accepted competencies meet every validation rule;
//! `to_toml` writes the edition as a file that parses again to the same
//! edition and competencies;
//! `to_csv` output does not panic `from_csv`; problems are on lines of the
//! file, in line order.
#![no_main]

use std::path::Path;

use app::content::framework::{from_csv, to_csv, to_toml};
use checkoff_fuzz::{as_to_toml_keeps, check_competencies, edition_path, line_count, parse_edition, verbose};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = edition_path(text);
    match parse_edition(&path, text) {
        Ok(catalog) => {
            let edition = catalog.default_edition();
            let cs = catalog.competencies();
            if verbose() {
                eprintln!("framework_toml: Ok, {} competencies", cs.len());
            }
            assert_eq!(catalog.editions().len(), 1);
            check_competencies(cs, &|_| false);
            for w in catalog.warnings() {
                assert!(w.line >= 1 && w.line <= line_count(text), "warning off the file: {w}");
            }
            let written = to_toml(&edition.info, cs);
            match parse_edition(&path, &written) {
                Ok(back) => {
                    assert_eq!(back.default_edition().info, edition.info, "to_toml wrote:\n{written}");
                    assert_eq!(
                        as_to_toml_keeps(back.competencies()),
                        as_to_toml_keeps(cs),
                        "to_toml wrote:\n{written}"
                    );
                }
                Err(e) => panic!("to_toml wrote:\n{written}\nwhich does not parse:\n{e}"),
            }
            // The CSV export is lossy for some step texts (see the report),
            // so only: it reads back without a panic, and what it accepts is valid.
            let csv = to_csv(cs).expect("to_csv");
            if let Ok(back) = from_csv(&csv, &|_| false) {
                check_competencies(&back, &|_| false);
                assert_eq!(back.len(), cs.len());
            }
        }
        Err(errors) => {
            if verbose() {
                eprintln!("framework_toml: Err\n{errors}");
            }
            let lines = line_count(text);
            let errors = errors.0;
            assert!(!errors.is_empty());
            for e in &errors {
                assert_eq!(e.path, Path::new(&path));
                assert!(e.line >= 1 && e.line <= lines, "line {} outside the file's {lines} lines: {e}", e.line);
            }
            assert!(errors.windows(2).all(|w| w[0].line <= w[1].line));
        }
    }
});
