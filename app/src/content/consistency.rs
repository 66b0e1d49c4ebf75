//! A checklist must agree with the module it tests. This finds the numbers
//! a checklist step names (an angle, a time, a volume, a count, a gauge, a
//! pressure) and reports a step whose number, for that unit, appears
//! nowhere in the modules the competency links to although the module does
//! give numbers in that unit: then the two disagree, and a student who does
//! what the module teaches could fail the step. A unit the module never
//! mentions is not a disagreement (the checklist may be more precise).

use std::collections::BTreeSet;

/// A number (or a range) with its unit, as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity {
    /// The numbers, as written (`"5"`, `"15"`; a range gives both ends).
    pub values: Vec<String>,
    /// The unit, normalised (`°`, `°C`, `°F`, `min`, `s`, `mL`, `h`, `mmHg`, `mm`, `cm`, `in`, `G`, `×`).
    pub unit: &'static str,
}

/// Units we compare, with the spellings that mean them. Longer spellings
/// first, so "minutes" is not read as "min" + "utes".
const UNITS: &[(&str, &[&str])] = &[
    ("mmHg", &["mm hg", "mmhg"]),
    // Temperatures before angles: "37 °C" is not an angle.
    ("°C", &["°c", "° c", "degrees celsius", "degrees c"]),
    ("°F", &["°f", "° f", "degrees fahrenheit", "degrees f"]),
    ("°", &["degrees", "degree", "°"]),
    ("min", &["minutes", "minute", "mins", "min"]),
    ("s", &["seconds", "second", "secs", "sec", "s"]),
    ("h", &["hours", "hour", "hrs", "hr", "h"]),
    ("mL", &["ml"]),
    ("mm", &["mm", "millimetres", "millimeters"]),
    ("cm", &["cm", "centimetres", "centimeters"]),
    ("in", &["inches", "inch"]),
    ("G", &["gauge", "g"]),
    ("×", &["times", "inversions", "×", "x"]),
];

/// The quantities in a text: numbers followed by a unit we compare.
pub fn quantities(text: &str) -> Vec<Quantity> {
    let lower = text.to_lowercase();
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        // A number that is not part of a word or a code (I.P.2.b, V4, 2026-01).
        let prev = if i == 0 { ' ' } else { chars[i - 1].1 };
        if !c.is_ascii_digit() || prev.is_alphanumeric() || prev == '.' || prev == '-' {
            i += 1;
            continue;
        }
        let (first, mut j) = number_at(&chars, i);
        let mut values = vec![first];
        // A range: "3–5", "3 - 5", "3 to 5".
        let after = rest_from(&lower, chars.get(j).map_or(lower.len(), |c| c.0));
        let trimmed = after.trim_start();
        for sep in ["–", "-", "to "] {
            if let Some(rest) = trimmed.strip_prefix(sep) {
                let rest_trim = rest.trim_start();
                if rest_trim.chars().next().is_some_and(|d| d.is_ascii_digit()) {
                    let skip = lower.len() - rest_trim.len();
                    if let Some(k) = chars.iter().position(|c| c.0 == skip) {
                        let (second, end) = number_at(&chars, k);
                        values.push(second);
                        j = end;
                    }
                }
                break;
            }
        }
        let tail = rest_from(&lower, chars.get(j).map_or(lower.len(), |c| c.0));
        let tail = tail.strip_prefix(' ').unwrap_or(tail);
        if let Some(unit) = unit_at(tail) {
            out.push(Quantity { values, unit });
        }
        i = j.max(i + 1);
        let _ = start;
    }
    out
}

fn rest_from(s: &str, at: usize) -> &str {
    s.get(at..).unwrap_or("")
}

/// The number starting at `chars[i]` (digits, one decimal point) and the
/// index after it.
fn number_at(chars: &[(usize, char)], i: usize) -> (String, usize) {
    let mut j = i;
    let mut text = String::new();
    let mut dot = false;
    while j < chars.len() {
        let c = chars[j].1;
        if c.is_ascii_digit() {
            text.push(c);
        } else if c == '.' && !dot && chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit()) {
            dot = true;
            text.push(c);
        } else {
            break;
        }
        j += 1;
    }
    (text, j)
}

/// The unit a text starts with, if it is one we compare (as a whole word).
fn unit_at(text: &str) -> Option<&'static str> {
    for (unit, spellings) in UNITS {
        for s in *spellings {
            if let Some(rest) = text.strip_prefix(s) {
                let ends_word = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
                if ends_word || !s.chars().all(|c| c.is_alphabetic()) {
                    return Some(unit);
                }
            }
        }
    }
    None
}

/// Where a module gives a figure: (module index, line, the figure as `value unit`).
pub type Place = (usize, usize, String);

/// Quantities of a step that disagree with the modules it links to (a
/// figure in a unit the modules use, which none of them gives): for each,
/// the modules' own figures in that unit (as `value unit` at module index
/// and line). Empty when the step agrees, or names no unit the modules use.
pub fn disagreements(step: &str, modules: &[&str]) -> Vec<(Quantity, Vec<Place>)> {
    // Per unit: the figures the modules give, and where they give them.
    let mut by_unit: Vec<(&'static str, BTreeSet<String>, Vec<Place>)> = Vec::new();
    for (m, module_text) in modules.iter().enumerate() {
        for (n, line) in module_text.lines().enumerate() {
            for q in quantities(line) {
                let entry = match by_unit.iter_mut().find(|(u, _, _)| *u == q.unit) {
                    Some(e) => e,
                    None => {
                        by_unit.push((q.unit, BTreeSet::new(), Vec::new()));
                        by_unit.last_mut().expect("just pushed")
                    }
                };
                entry.1.extend(q.values.iter().cloned());
                entry.2.push((m, n + 1, format!("{} {}", q.values.join("–"), q.unit)));
            }
        }
    }
    let mut out = Vec::new();
    for q in quantities(step) {
        let Some((_, known, places)) = by_unit.iter().find(|(u, _, _)| *u == q.unit) else { continue };
        if q.values.iter().any(|v| !known.contains(v)) {
            out.push((q, places.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_units_are_found() {
        let q = quantities(
            "Rest for at least 5 minutes; insert at a 15° angle, then 10–15 degrees; use a 23 G needle; invert 8-10 times",
        );
        let got: Vec<(String, &str)> = q.iter().map(|q| (q.values.join("-"), q.unit)).collect();
        assert_eq!(
            got,
            vec![
                ("5".into(), "min"),
                ("15".into(), "°"),
                ("10-15".into(), "°"),
                ("23".into(), "G"),
                ("8-10".into(), "×")
            ]
        );
        assert!(quantities("Identify the patient with two identifiers (I.P.2.b, V4)").is_empty());
        assert_eq!(quantities("within 2 hours")[0].unit, "h");
        assert_eq!(quantities("inflate to 20 to 30 mmHg above")[0].values, vec!["20", "30"]);
    }

    #[test]
    fn a_step_that_contradicts_its_module_is_reported() {
        let module = "Seat the patient and let them rest for 3–5 minutes.\nDeflate at 2 mmHg per second.";
        let bad = disagreements("Seat the patient for at least 5 minutes, then 10 minutes more", &[module]);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0.values, vec!["10"]);
        assert_eq!(bad[0].1, vec![(0, 1, "3–5 min".to_string())]);
        assert!(disagreements("Rest 3–5 minutes", &[module]).is_empty());
        // A unit the module never names is not a disagreement.
        assert!(disagreements("Use a 23 G needle", &[module]).is_empty());
        // A figure any linked module gives agrees.
        assert!(disagreements("Rest 10 minutes", &[module, "Wait 10 minutes."]).is_empty());
        // Temperatures are not angles.
        assert!(disagreements("Insert at 15°", &["Keep it at 37 °C."]).is_empty());
    }
}
