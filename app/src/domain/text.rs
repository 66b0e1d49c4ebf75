//! Rules for text that people type, and for putting text where it could be
//! read as something else (HTML, a spreadsheet formula). Pure and shared.
//!
//! - [`check`]: what any text input may contain. One rule for both engines:
//!   PostgreSQL refuses NUL in text and SQLite stores it, so NUL and the
//!   other control characters are refused before they reach either. Newline
//!   (and the carriage return browsers send with it) and tab are allowed only
//!   where text is multi-line.
//! - [`escape_html`]: for the few places where the framework does not escape
//!   for us (the server-rendered `<title>`).
//! - [`neutralise_csv_cell`]: a cell a spreadsheet would run as a formula
//!   becomes text (OWASP "CSV injection"; ASVS 5.0 1.2.10).

use std::borrow::Cow;

/// What a text value may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Names, codes, e-mail addresses, reasons on one line: no line breaks, no tabs.
    SingleLine,
    /// Comments, descriptions, CSV uploads: newline, carriage return and tab too.
    MultiLine,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("Remove the control character (U+{0:04X}) from this text.")]
    ControlCharacter(u32),
    #[error("Keep this on one line.")]
    LineBreak,
}

/// Checks `value` against the rule for `kind`.
pub fn check(value: &str, kind: TextKind) -> Result<(), TextError> {
    for c in value.chars() {
        match c {
            '\n' | '\r' | '\t' if kind == TextKind::MultiLine => {}
            '\n' | '\r' => return Err(TextError::LineBreak),
            '\t' => return Err(TextError::ControlCharacter(9)),
            c if is_forbidden_control(c) => return Err(TextError::ControlCharacter(c as u32)),
            _ => {}
        }
    }
    Ok(())
}

/// Control characters no text input may hold, whatever its kind: C0 and C1
/// controls and DEL, except the line breaks and tab that [`check`] judges by
/// kind. (Format characters such as zero-width joiners are left alone: they
/// are part of how some names are written.)
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// Escapes text for an HTML text node or a double- or single-quoted attribute.
pub fn escape_html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// First characters that make a spreadsheet read a cell as a formula (or,
/// for tab, carriage return and NUL, shift it into one).
const FORMULA_TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\0'];

/// A CSV cell that a spreadsheet shows as the text it is: a leading `'`
/// before any formula trigger (Excel, LibreOffice and Google Sheets all hide
/// it and keep the rest as text).
/// A cell that already starts with quotes before a trigger gets one more, so
/// that [`restore_csv_cell`] gives back exactly what was written.
pub fn neutralise_csv_cell(cell: &str) -> Cow<'_, str> {
    if starts_with_trigger(cell.trim_start_matches('\'')) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn starts_with_trigger(text: &str) -> bool {
    text.chars().next().is_some_and(|c| FORMULA_TRIGGERS.contains(&c))
}

/// The inverse of [`neutralise_csv_cell`], for importing a file we exported.
pub fn restore_csv_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_with_trigger(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_refuses_breaks_and_controls() {
        assert_eq!(check("Ana María O'Neil-Šimić", TextKind::SingleLine), Ok(()));
        assert_eq!(check("a\nb", TextKind::SingleLine), Err(TextError::LineBreak));
        assert_eq!(check("a\rb", TextKind::SingleLine), Err(TextError::LineBreak));
        assert_eq!(check("a\tb", TextKind::SingleLine), Err(TextError::ControlCharacter(9)));
        assert_eq!(check("a\0b", TextKind::SingleLine), Err(TextError::ControlCharacter(0)));
    }

    #[test]
    fn multi_line_text_keeps_breaks_and_tabs_only() {
        assert_eq!(check("line one\r\nline\ttwo", TextKind::MultiLine), Ok(()));
        for bad in ['\0', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}'] {
            assert_eq!(
                check(&format!("a{bad}b"), TextKind::MultiLine),
                Err(TextError::ControlCharacter(bad as u32)),
                "{bad:?}"
            );
        }
        // Zero-width joiner: part of some names and emoji, not a control.
        assert_eq!(check("a\u{200d}b", TextKind::MultiLine), Ok(()));
    }

    #[test]
    fn html_escaping_covers_text_and_attributes() {
        assert_eq!(escape_html("plain"), "plain");
        assert_eq!(
            escape_html("</title><script>alert('x')</script> & \"q\""),
            "&lt;/title&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn formula_cells_become_text_and_come_back() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("\0x", "'\0x"),
            ("Ana", "Ana"),
            ("", ""),
            ("'quoted", "'quoted"),
            ("'=x", "''=x"),
            ("''-x", "'''-x"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralise_csv_cell(cell), out, "{cell:?}");
            assert_eq!(restore_csv_cell(&neutralise_csv_cell(cell)), cell, "{cell:?}");
        }
    }
}
