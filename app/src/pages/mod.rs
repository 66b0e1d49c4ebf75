//! Pages: one module per route. Views only; data comes from `crate::api`.

pub mod account;
pub mod admin;
pub mod competencies;
pub mod editions;
pub mod externship;
pub mod home;
pub mod join;
pub mod module;
pub mod modules;
pub mod not_found;
pub mod people;
pub mod reports;
pub mod sign_in;
pub mod student;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::error::AppError;

/// A positive id from the route (`:id`, `:student`). A missing, malformed or
/// non-positive one is `AppError::NotFound`: the page answers 404 without
/// asking the server about a record that cannot exist.
pub fn id_param<T>(name: &'static str) -> Memo<Result<T, AppError>>
where
    T: std::str::FromStr + Clone + PartialEq + Send + Sync + 'static,
{
    let params = use_params_map();
    Memo::new(move |_| parse_id(params.read().get(name).as_deref()))
}

/// The rule behind [`id_param`]: the id types (`domain::ids`) accept only a
/// positive integer.
pub fn parse_id<T: std::str::FromStr>(raw: Option<&str>) -> Result<T, AppError> {
    raw.and_then(|s| s.parse::<T>().ok()).ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_numbers_are_ids() {
        use crate::domain::ids::ProgramId;
        assert_eq!(parse_id::<ProgramId>(Some("42")), Ok(ProgramId(42)));
        for bad in [None, Some(""), Some("abc"), Some("0"), Some("-3"), Some("1.5"), Some("99999999999999999999")] {
            assert_eq!(parse_id::<ProgramId>(bad), Err(AppError::NotFound), "{bad:?}");
        }
    }
}
