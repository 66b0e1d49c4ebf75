//! One `quiz` block through `app::content::quiz_block::parse`.
//!
//! Input: two bytes (little-endian) giving the block's first file line less
//! one, then the block's text.
//!
//! Properties: no panic; an accepted question is well-formed and written
//! back in the block syntax parses to the same question; every problem is on
//! a line of the block.
#![no_main]

use app::content::quiz_block::parse;
use checkoff_fuzz::{check_question, quiz_block_text, verbose};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let first_line = 1 + usize::from(u16::from_le_bytes([data[0], data[1]]));
    let Ok(text) = std::str::from_utf8(&data[2..]) else { return };
    let last_line = first_line + text.lines().count().max(1) - 1;
    match parse(text, first_line) {
        Ok(q) => {
            if verbose() {
                eprintln!("quiz_block: Ok {q:?}");
            }
            check_question(&q);
            let again = quiz_block_text(&q);
            match parse(&again, first_line) {
                Ok(back) => assert_eq!(back, q, "written back as:\n{again}"),
                Err(e) => panic!("written back as:\n{again}\nit does not parse: {e:?}"),
            }
        }
        Err(errors) => {
            if verbose() {
                eprintln!("quiz_block: Err {errors:?}");
            }
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(
                    (first_line..=last_line).contains(&e.line),
                    "line {} outside the block's lines {first_line}..={last_line}: {e:?}",
                    e.line
                );
            }
        }
    }
});
