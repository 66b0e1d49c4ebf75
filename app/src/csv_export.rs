//! The one CSV writer every export uses (a student's Master Competency
//! Checklist, the accreditation summary, the competency framework).
//!
//! - Every cell goes through `domain::text::neutralise_csv_cell`: a name
//!   such as `=HYPERLINK(…)` or `+1…` is shown by a spreadsheet as the text
//!   it is, never run as a formula (ASVS 5.0 1.2.10).
//! - Quoting follows RFC 4180 (the `csv` crate).
//! - Failures are errors, never an empty or half-written file.

use crate::domain::text::neutralise_csv_cell;

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("could not write a CSV row: {0}")]
    Write(#[from] csv::Error),
    #[error("could not finish the CSV: {0}")]
    Finish(String),
}

/// A CSV document being written: a header, then rows of the same width.
pub struct CsvTable {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvTable {
    pub fn new(header: &[&str]) -> Result<CsvTable, CsvError> {
        let mut table = CsvTable { writer: csv::Writer::from_writer(Vec::new()) };
        table.row(header.iter().copied())?;
        Ok(table)
    }

    /// Appends one row; each cell is neutralised.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), CsvError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let record: Vec<String> = cells.into_iter().map(|c| neutralise_csv_cell(c.as_ref()).into_owned()).collect();
        self.writer.write_record(&record)?;
        Ok(())
    }

    pub fn finish(self) -> Result<String, CsvError> {
        let bytes = self.writer.into_inner().map_err(|e| CsvError::Finish(e.error().to_string()))?;
        String::from_utf8(bytes).map_err(|e| CsvError::Finish(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_neutralised() {
        let mut t = CsvTable::new(&["name", "note"]).unwrap();
        t.row(["=cmd|' /C calc'!A0", "a, \"b\"\nc"]).unwrap();
        t.row(["@SUM(1)", "-1"]).unwrap();
        t.row(["Ana", "ok"]).unwrap();
        let csv = t.finish().unwrap();
        assert_eq!(csv, "name,note\n'=cmd|' /C calc'!A0,\"a, \"\"b\"\"\nc\"\n'@SUM(1),'-1\nAna,ok\n");
    }

    #[test]
    fn rows_of_the_wrong_width_are_errors() {
        let mut t = CsvTable::new(&["a", "b"]).unwrap();
        assert!(t.row(["only one"]).is_err());
    }
}
