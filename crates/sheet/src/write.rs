//! Writing a sheet of text cells with its header row, as .csv (UTF-8 with BOM, as Excel writes
//! it) or .xlsx: exports, error files and generated data.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The format a sheet is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("cannot write {path}: {source}")]
    Xlsx { path: PathBuf, source: rust_xlsxwriter::XlsxError },
    #[error("{0} has {1} rows, more than an .xlsx sheet holds (1,048,575); use csv")]
    TooManyRows(String, usize),
}

/// Writes one sheet of rows with headers.
pub fn write_table(path: &Path, headers: &[&str], rows: &[Vec<String>], format: Format) -> Result<(), WriteError> {
    match format {
        Format::Csv => {
            let io = |source| WriteError::Io { path: path.to_path_buf(), source };
            let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).map_err(io)?);
            file.write_all(b"\xEF\xBB\xBF").map_err(io)?;
            let mut w = csv::Writer::from_writer(file);
            let err = |source| WriteError::Csv { path: path.to_path_buf(), source };
            w.write_record(headers).map_err(err)?;
            for r in rows {
                w.write_record(r).map_err(err)?;
            }
            w.flush().map_err(io)?;
            Ok(())
        }
        Format::Xlsx => {
            if rows.len() >= 1_048_575 {
                return Err(WriteError::TooManyRows(path.display().to_string(), rows.len()));
            }
            let err = |source| WriteError::Xlsx { path: path.to_path_buf(), source };
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet_with_constant_memory().map_err(err)?;
            for (c, h) in headers.iter().enumerate() {
                sheet.write_string(0, c as u16, *h).map_err(err)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    // Every cell is text: ID numbers must never become numbers.
                    sheet.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
                }
            }
            book.save(path).map_err(err)
        }
    }
}
