//! Ids of records, typed: a program's id cannot be passed where a person's
//! is expected. Each is the database's integer, the same number in URLs, in
//! JSON and in the sign-off hash (serde and sqlx see the integer itself).

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl $name {
            /// The integer, for logs and for SQL that computes with it.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// In a hidden form field or a data attribute: the number.
        impl leptos::prelude::IntoAttributeValue for $name {
            type Output = String;

            fn into_attribute_value(self) -> String {
                self.0.to_string()
            }
        }

        impl std::str::FromStr for $name {
            type Err = BadId;

            /// A positive integer; anything else names no record.
            fn from_str(s: &str) -> Result<Self, BadId> {
                s.parse::<i64>().ok().filter(|n| *n > 0).map($name).ok_or(BadId)
            }
        }
    };
}

/// Text that is not the id of any record (a URL typed by hand, a tampered form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id")]
pub struct BadId;

id_type!(
    /// A program: one school's Medical Assisting program.
    ProgramId
);
id_type!(
    /// A person's account (students, staff and preceptors alike).
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_from_urls_as_positive_integers_only() {
        assert_eq!("42".parse::<ProgramId>(), Ok(ProgramId(42)));
        for bad in ["", "0", "-3", "abc", "1.5", "99999999999999999999"] {
            assert_eq!(bad.parse::<ProgramId>(), Err(BadId), "{bad}");
        }
    }

    #[test]
    fn ids_travel_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&UserId(7)).ok().as_deref(), Some("7"));
        assert_eq!(serde_json::from_str::<UserId>("7").ok(), Some(UserId(7)));
        assert_eq!(UserId(7).to_string(), "7");
    }
}
