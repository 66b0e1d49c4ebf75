//! Reusable view components. Views only: rules come from `crate::domain`.

pub mod charts;
pub mod checklist_preview;
pub mod form;
pub mod knowledge_check;
pub mod page_data;
pub mod status;
