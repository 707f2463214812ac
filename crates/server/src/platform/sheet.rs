//! Lists as Excel workbooks (导出Excel): one sheet, a header row, the rows as the page shows them.

use crate::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The most rows a list exports at once (a larger list is narrowed by its filters first).
pub(crate) const MAX_ROWS: usize = 10_000;

/// A workbook of one sheet: `headers`, then `rows` (text as shown on the page; cells that are
/// whole numbers are written as numbers).
pub(crate) fn workbook(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", "导出失败", format!("cannot write the workbook: {e}"))
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet().set_name(sheet).map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            // Whole numbers as numbers; codes with leading zeros and ID numbers stay text.
            match v.parse::<i64>() {
                Ok(n) if !v.starts_with('0') && v.len() < 12 => ws.write_number(r, c, n as f64).map(|_| ()),
                _ => ws.write_string(r, c, v).map(|_| ()),
            }
            .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// The workbook as a download.
pub(crate) fn download(bytes: Vec<u8>, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        bytes,
    )
        .into_response()
}
