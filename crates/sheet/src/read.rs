//! Reading the spreadsheets bureaus have: .xlsx through calamine, cell by cell (an old .xls is
//! refused with the way out: save it as .xlsx), .csv in UTF-8
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
    #[error("{0} is an old .xls workbook (or not a workbook): open it in Excel or WPS and save it as .xlsx, then import that")]
    OldFormat(String),
    #[error("{0} is too large to import at once: more than {1} cells from A1 to its last used cells; split it or remove cells far to the right or below the data")]
    TooLarge(String, usize),
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
            SheetError::OldFormat(p) => format!("文件{p}是旧版.xls格式（或不是电子表格）：请用Excel或WPS打开后另存为.xlsx再导入"),
            SheetError::TooLarge(p, n) => {
                format!("文件{p}过大，无法一次导入：自A1起超过{n}个单元格；请拆分文件，或删除数据右侧、下方远处的单元格")
            }
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

/// The most cells a workbook's rows may take, counted from column A of each row to its last
/// value (a million persons with thirty columns). A file of a few kilobytes can name a cell at
/// XFD1048576 or a value in the last column of every row; such a file is refused with
/// [`SheetError::TooLarge`] before the cells are allocated.
pub const MAX_CELLS: usize = 30_000_000;

/// Reads .xlsx bytes cell by cell into raw rows of the first sheet. Only rows with values are kept, each as
/// wide as its last value: what a sheet's dimension claims is never allocated.
pub fn workbook_rows(name: &str, bytes: Vec<u8>) -> Result<Vec<Row>, SheetError> {
    let bad = |e: &dyn std::fmt::Display| SheetError::Spreadsheet(name.to_string(), e.to_string());
    if !bytes.starts_with(b"PK") {
        // The binary .xls format is read whole by calamine, which sizes its grid from the cells'
        // addresses before anything can be checked: a file of a kilobyte can ask for a hundred
        // gigabytes. Such files are refused with the way out.
        return Err(SheetError::OldFormat(name.to_string()));
    }
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let first = book.sheet_names().first().cloned().ok_or_else(|| SheetError::NoSheet(name.to_string()))?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(|e| bad(&e))?;
    let mut rows: Vec<Row> = Vec::new();
    let mut taken = 0usize;
    let mut in_order = true;
    while let Some(cell) = cells.next_cell().map_err(|e| bad(&e))? {
        let (r, c) = cell.get_position();
        let value = data_cell(&Data::from(cell.get_value().clone()));
        if value == Cell::Empty {
            continue;
        }
        let (number, col) = (r as usize + 1, c as usize);
        let row = match rows.last_mut() {
            Some(last) if last.number == number => last,
            last => {
                in_order &= last.is_none_or(|l| l.number < number);
                rows.push(Row { number, cells: Vec::new() });
                rows.last_mut().ok_or_else(|| SheetError::NoSheet(name.to_string()))?
            }
        };
        if col >= row.cells.len() {
            taken += col + 1 - row.cells.len();
            if taken > MAX_CELLS {
                return Err(SheetError::TooLarge(name.to_string(), MAX_CELLS));
            }
            row.cells.resize(col + 1, Cell::Empty);
        }
        row.cells[col] = value;
    }
    if !in_order {
        rows.sort_by_key(|r| r.number);
        rows.dedup_by(|later, kept| {
            if later.number != kept.number {
                return false;
            }
            if later.cells.len() > kept.cells.len() {
                kept.cells.resize(later.cells.len(), Cell::Empty);
            }
            for (i, c) in std::mem::take(&mut later.cells).into_iter().enumerate() {
                if c != Cell::Empty {
                    kept.cells[i] = c;
                }
            }
            true
        });
    }
    Ok(rows)
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
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") {
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

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, c, v) in cells {
            sheet.write_string(*r, *c, *v).expect("cell");
        }
        book.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn a_value_in_the_last_cell_of_the_sheet_is_read_without_allocating_the_sheet() {
        let bytes = workbook(&[(0, 0, "姓名"), (0, 1, "身份证号"), (1, 0, "张三"), (1, 1, "11010519491231002X"), (1_048_575, 16_383, "x")]);
        assert!(bytes.len() < 10_000, "a few kilobytes: {}", bytes.len());
        let sheet = read_bytes("bomb.xlsx", bytes, |h| h == "姓名" || h == "身份证号").expect("read");
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].cells[0], Cell::Text("张三".into()));
        assert_eq!(sheet.rows[1].number, 1_048_576, "the far cell keeps the row number Excel shows");
    }

    #[test]
    fn a_workbook_whose_rows_reach_far_to_the_right_is_refused_as_too_large() {
        let mut cells: Vec<(u32, u16, &str)> = vec![(0, 0, "姓名"), (0, 1, "身份证号")];
        cells.extend((1..2_000).map(|r| (r, 16_383, "x")));
        let err = read_bytes("wide.xlsx", workbook(&cells), |_| true).expect_err("refused");
        assert!(matches!(err, SheetError::TooLarge(_, MAX_CELLS)), "{err}");
        assert!(err.zh().contains("过大"));
    }

    #[test]
    fn an_old_xls_workbook_is_refused_with_the_way_out() {
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.resize(1024, 0);
        let err = read_bytes("名册.xls", ole, |_| true).expect_err("refused");
        assert!(matches!(err, SheetError::OldFormat(_)));
        assert!(err.zh().contains("另存为.xlsx") && err.en().contains("save it as .xlsx"));
    }

    #[test]
    fn cells_written_out_of_order_land_in_their_rows() {
        let bytes = workbook(&[(2, 1, "b3"), (0, 0, "姓名"), (0, 1, "身份证号"), (2, 0, "a3"), (1, 0, "a2")]);
        let rows = workbook_rows("o.xlsx", bytes).expect("read");
        let numbers: Vec<usize> = rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(rows[2].cells, [Cell::Text("a3".into()), Cell::Text("b3".into())]);
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
