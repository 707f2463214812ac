//! Bank files as Excel workbooks (.xlsx), for banks whose bulk-credit template is a workbook:
//! the same columns, header row and totals row as the text layouts, one row per payment.
//! Account and ID numbers are text cells (a number cell keeps fifteen digits and no leading
//! zeros: a card number would credit another account); amounts are number cells, in yuan with
//! two decimals or in fen, as the layout says.

use super::{Column, Field, FileLayout, Totals, Unit};
use minzheng_domain::Fen;

/// One cell of a row.
pub(super) enum Value {
    Text(String),
    Count(usize),
    Amount(Fen),
}

/// The most rows a sheet holds (Excel's limit), header and totals included.
pub(super) const MAX_ROWS: usize = 1_048_576;

/// Writes the workbook: the totals row first or last as the layout says, the header row, then
/// `rows`. Rows are written in order through the writer's constant-memory mode (a million
/// payments are not held twice).
pub(super) fn write(
    layout: &FileLayout,
    sheet: &str,
    rows: impl Iterator<Item = Vec<Value>>,
    count: usize,
    total: Fen,
) -> Result<Vec<u8>, String> {
    let extra = usize::from(layout.header) + usize::from(layout.totals != Totals::None);
    if count + extra > MAX_ROWS {
        return Err(format!("{count}"));
    }
    let fail = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet_with_constant_memory().map_err(fail)?;
    ws.set_name(sheet).map_err(fail)?;
    let yuan = rust_xlsxwriter::Format::new().set_num_format("0.00");
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let mut r: u32 = 0;
    let put = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, cells: Vec<Value>| -> Result<(), String> {
        for (c, v) in cells.into_iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| e.to_string())?;
            match v {
                Value::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                Value::Count(n) => ws.write_number(r, c, n as f64).map(|_| ()),
                Value::Amount(a) => match layout.amount_unit {
                    Unit::Yuan => ws.write_number_with_format(r, c, a.0 as f64 / 100.0, &yuan).map(|_| ()),
                    Unit::Fen => ws.write_number(r, c, a.0 as f64).map(|_| ()),
                },
            }
            .map_err(fail)?;
        }
        Ok(())
    };
    let totals = || vec![Value::Text(layout.totals_tag.clone()), Value::Count(count), Value::Amount(total)];
    if layout.totals == Totals::First {
        put(ws, r, totals())?;
        r += 1;
    }
    if layout.header {
        for (c, col) in layout.columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| e.to_string())?;
            ws.write_string_with_format(r, c, &col.title, &bold).map_err(fail)?;
        }
        r += 1;
    }
    for row in rows {
        put(ws, r, row)?;
        r += 1;
    }
    if layout.totals == Totals::Last {
        put(ws, r, totals())?;
    }
    book.save_to_buffer().map_err(fail)
}

/// A column's cell for a payment: `text` gives the value of the columns that are not numbers.
pub(super) fn cell(c: &Column, net: Fen, text: String) -> Value {
    match c.field {
        Field::Amount => Value::Amount(net),
        _ => Value::Text(text),
    }
}

/// The rows of a workbook's first sheet as text, each with its row number as Excel shows it
/// (empty rows left out); `None` when the bytes are not a workbook that can be read.
pub(super) fn rows(bytes: &[u8]) -> Option<Vec<(usize, Vec<String>)>> {
    let rows = minzheng_app::sheet::workbook_rows("回盘", bytes.to_vec()).ok()?;
    // A number with a fraction is an amount in yuan: to the fen (a total a bank made with SUM can
    // be 1561.5099999999998).
    let text = |c: &minzheng_app::sheet::Cell| match c {
        minzheng_app::sheet::Cell::Number(f) if f.fract() != 0.0 => format!("{f:.2}"),
        other => other.text(),
    };
    Some(rows.into_iter().map(|r| (r.number, r.cells.iter().map(text).collect())).collect())
}
