//! Reading the spreadsheets bureaus have: .xlsx (and .xls) through calamine, .csv in UTF-8
//! (with or without BOM) or GBK/GB18030, detected. Title rows above the header and merged title
//! cells are skipped: the header is the first row naming at least two known columns.

use calamine::{Data, Reader};
use chrono::NaiveDate;
use minzheng_domain::Bilingual;
use std::path::Path;

/// A cell as the file holds it: the importer decides what each means in its column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number in a spreadsheet cell (an ID number stored as a number is one of these).
    Number(f64),
    /// A date cell of a spreadsheet.
    Date(NaiveDate),
    /// A formula error (#N/A, #REF! ...).
    Error(String),
}

impl Cell {
    /// The text of the cell (numbers without a needless `.0`).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Cell::Number(f) => format!("{f}"),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// One data row and its row number as the user sees it in Excel (1-based, header included).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<Cell>,
}

/// A sheet: its header names and data rows (empty rows dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// SHA-256 of the file's bytes.
    pub checksum: String,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0} is neither .xlsx, .xls nor .csv")]
    Kind(String),
    #[error("{0} is not a readable spreadsheet: {1}")]
    Spreadsheet(String, String),
    #[error("{0} is neither UTF-8 nor GBK text")]
    Encoding(String),
    #[error("{0}: no header row with the expected columns (for example 姓名, 身份证号) in the first 20 rows")]
    NoHeader(String),
    #[error("{0} has no sheet")]
    NoSheet(String),
}

impl Bilingual for SheetError {
    fn zh(&self) -> String {
        match self {
            SheetError::Io(p, e) => format!("无法读取文件{p}：{e}"),
            SheetError::Kind(p) => format!("文件{p}不是.xlsx、.xls或.csv格式"),
            SheetError::Spreadsheet(p, e) => format!("文件{p}不是可读取的电子表格：{e}"),
            SheetError::Encoding(p) => format!("文件{p}既不是UTF-8也不是GBK编码"),
            SheetError::NoHeader(p) => format!("文件{p}的前20行中找不到表头（应包含姓名、身份证号等列）"),
            SheetError::NoSheet(p) => format!("文件{p}中没有工作表"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Decodes CSV bytes: UTF-8 (BOM stripped) if valid, else GB18030 (a superset of GBK).
pub fn decode_text(mut bytes: Vec<u8>) -> Option<String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // Valid UTF-8 is taken as it is, without a copy (files run to hundreds of megabytes).
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            let bytes = e.into_bytes();
            let (text, _, had_errors) = encoding_rs::GB18030.decode(&bytes);
            (!had_errors).then(|| text.into_owned())
        }
    }
}

/// Reads CSV text into raw rows of text cells.
pub fn csv_rows(text: &str) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        // A malformed record (bad quoting) still gives its fields; the row check reports it.
        let cells = match record {
            Ok(r) => r.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) }).collect(),
            Err(e) => vec![Cell::Error(e.to_string())],
        };
        out.push(Row { number: i + 1, cells });
    }
    out
}

fn data_cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) => Cell::Date(d.date()),
            None => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => Cell::Text(s.clone()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e:?}")),
        #[allow(unreachable_patterns)]
        _ => Cell::Text(d.to_string()),
    }
}

/// Reads spreadsheet bytes (xlsx/xls/ods) into raw rows of the first sheet.
pub fn workbook_rows(name: &str, bytes: Vec<u8>) -> Result<Vec<Row>, SheetError> {
    let cursor = std::io::Cursor::new(bytes);
    let mut book = calamine::open_workbook_auto_from_rs(cursor).map_err(|e| SheetError::Spreadsheet(name.to_string(), e.to_string()))?;
    let first = book.sheet_names().first().cloned().ok_or_else(|| SheetError::NoSheet(name.to_string()))?;
    let range = book.worksheet_range(&first).map_err(|e| SheetError::Spreadsheet(name.to_string(), e.to_string()))?;
    let start_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let start_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![Cell::Empty; start_col];
            cells.extend(r.iter().map(data_cell));
            Row { number: start_row + i + 1, cells }
        })
        .collect())
}

/// Finds the header among the first rows: the first row in which `is_known` accepts at least
/// two cells. Rows above it (titles, merged title cells) are dropped, and so are empty rows.
pub fn with_header(name: &str, rows: Vec<Row>, is_known: impl Fn(&str) -> bool, checksum: String) -> Result<Sheet, SheetError> {
    let pos = rows
        .iter()
        .take(20)
        .position(|r| r.cells.iter().filter(|c| is_known(&normalise_header(&c.text()))).count() >= 2)
        .ok_or_else(|| SheetError::NoHeader(name.to_string()))?;
    let headers: Vec<String> = rows[pos].cells.iter().map(|c| normalise_header(&c.text())).collect();
    let data = rows.into_iter().skip(pos + 1).filter(|r| !r.cells.iter().all(Cell::is_empty)).collect();
    Ok(Sheet { headers, rows: data, checksum })
}

/// Header text without spaces, line breaks, asterisks of required fields and units in brackets.
pub fn normalise_header(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊').collect();
    match s.find(['(', '（']) {
        Some(i) if i > 0 => s[..i].to_string(),
        _ => s,
    }
}

/// Reads a file: .csv by encoding detection, anything else as a workbook.
pub fn read(path: &Path, is_known: impl Fn(&str) -> bool) -> Result<Sheet, SheetError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SheetError::Io(name.clone(), e))?;
    read_bytes(&name, bytes, is_known)
}

/// Reads file bytes; `name` decides the kind by its extension.
pub fn read_bytes(name: &str, bytes: Vec<u8>, is_known: impl Fn(&str) -> bool) -> Result<Sheet, SheetError> {
    use sha2::Digest;
    let checksum = hex::encode(sha2::Sha256::digest(&bytes));
    let lower = name.to_lowercase();
    let rows = if lower.ends_with(".csv") || lower.ends_with(".txt") {
        let text = decode_text(bytes).ok_or_else(|| SheetError::Encoding(name.to_string()))?;
        csv_rows(&text)
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") || lower.ends_with(".ods") {
        workbook_rows(name, bytes)?
    } else {
        return Err(SheetError::Kind(name.to_string()));
    };
    with_header(name, rows, is_known, checksum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gbk_text_is_recognised() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,身份证号\n张三,11010519491231002X\n");
        let text = decode_text(gbk.into_owned()).expect("decodes");
        assert!(text.starts_with("姓名"));
    }

    #[test]
    fn a_title_row_above_the_header_is_skipped() {
        let rows = csv_rows("东湖社区居民信息表,,\n姓名,身份证号,性别\n张三,11010519491231002X,女\n,,\n");
        let sheet = with_header("t.csv", rows, |h| ["姓名", "身份证号", "性别"].contains(&h), String::new()).expect("header");
        assert_eq!(sheet.headers, ["姓名", "身份证号", "性别"]);
        assert_eq!(sheet.rows.len(), 1, "the empty row is dropped");
        assert_eq!(sheet.rows[0].number, 3, "row numbers are those Excel shows");
    }

    #[test]
    fn headers_lose_marks_and_units() {
        assert_eq!(normalise_header(" *身份证号 "), "身份证号");
        assert_eq!(normalise_header("金额（元）"), "金额");
    }

    proptest! {
        #[test]
        fn no_bytes_make_the_csv_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Some(text) = decode_text(bytes.clone()) {
                let rows = csv_rows(&text);
                let _ = with_header("f.csv", rows, |h| h == "姓名" || h == "身份证号", String::new());
            }
        }

        #[test]
        fn no_bytes_make_the_workbook_reader_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_bytes("f.xlsx", bytes, |_| true);
        }
    }
}
