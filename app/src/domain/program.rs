//! A program as an administrator creates it.

/// The longest program name, in characters.
pub const MAX_NAME: usize = 200;

/// A program's name (trimmed): present, on one line, within [`MAX_NAME`].
/// The error is the message for the name field.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err("Name the program (up to 200 characters).".into());
    }
    crate::domain::text::check(name, crate::domain::text::TextKind::SingleLine).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_present_short_and_on_one_line() {
        assert_eq!(check_name("Riverside Medical Assisting"), Ok(()));
        assert!(check_name("").is_err());
        assert!(check_name(&"é".repeat(201)).is_err());
        assert_eq!(check_name(&"é".repeat(200)), Ok(()));
        assert!(check_name("Two\nlines").is_err());
    }
}
