//! Bank files as data: a bank's payment-file layout and its return-file layout are a mapping
//! (`layouts/*.toml`), like the departmental source catalogue; there is no national layout
//! (a record is name, ID number, account, amount, program, period: banks differ in the rest).
//! Pure: lines in, bytes out; bytes in, outcomes or refusals out.

use super::model::PayrollLine;
use minzheng_domain::{Bilingual, Fen};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 序号 (the payroll's line number).
    Seq,
    Name,
    IdNumber,
    Account,
    Amount,
    /// The program's name.
    Program,
    /// 发放期间 (2026-09).
    Period,
    /// A fixed text (`value`).
    Fixed,
    /// The bank's result code (return files).
    Result,
    /// The bank's reason text (return files).
    Reason,
    /// A column the return file has and Minzheng does not read.
    Ignore,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Column {
    pub field: Field,
    /// Column title in the header line.
    #[serde(default)]
    pub title: String,
    /// Width in bytes of the file's encoding, for fixed-width files.
    #[serde(default)]
    pub width: usize,
    /// The text of a `fixed` column.
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Delimited,
    Fixed,
    /// An Excel workbook (.xlsx): one row per payment, in the first sheet.
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Gbk,
    #[serde(rename = "utf-8")]
    Utf8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Yuan,
    Fen,
}

/// 汇总行: a line with the count and the total, before or after the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Totals {
    None,
    First,
    Last,
}

/// One file's shape.
#[derive(Debug, Clone, Deserialize)]
pub struct FileLayout {
    pub format: Format,
    /// The text's encoding (UTF-8 when not given; a workbook has its own).
    #[serde(default = "default_encoding")]
    pub encoding: Encoding,
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    pub amount_unit: Unit,
    /// A header line with the columns' titles.
    #[serde(default)]
    pub header: bool,
    /// The totals line: `H|count|total` style: its fields are `totals_tag`, count, amount.
    pub totals: Totals,
    #[serde(default)]
    pub totals_tag: String,
    pub columns: Vec<Column>,
}

fn default_encoding() -> Encoding {
    Encoding::Utf8
}

fn default_delimiter() -> String {
    "|".into()
}

/// The return file's words: which result codes mean paid, and the reasons of the others.
#[derive(Debug, Clone, Deserialize)]
pub struct ReturnLayout {
    #[serde(flatten)]
    pub file: FileLayout,
    pub paid_codes: Vec<String>,
    /// Result code → reason in the staff's words, where the file has only a code.
    #[serde(default)]
    pub reasons: HashMap<String, String>,
}

/// A bank's layouts (`layouts/<bank>.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct BankLayout {
    /// Short name used on the command line and in the form (`shengjing`).
    pub code: String,
    pub name: String,
    pub payment: FileLayout,
    #[serde(rename = "return")]
    pub returns: ReturnLayout,
}

/// The layouts shipped with Minzheng.
pub const SHIPPED: &[(&str, &str)] = &[
    ("shengjing", include_str!("layouts/shengjing.toml")),
    ("psbc", include_str!("layouts/psbc.toml")),
    ("xlsx", include_str!("layouts/xlsx.toml")),
];

/// Why a layout file was refused.
#[derive(Debug, thiserror::Error)]
#[error("bank layout {name}: {message}")]
pub struct LayoutError {
    pub name: String,
    pub message: String,
}

impl BankLayout {
    pub fn parse(name: &str, text: &str) -> Result<BankLayout, LayoutError> {
        let l: BankLayout = toml::from_str(text).map_err(|e| LayoutError { name: name.into(), message: e.to_string() })?;
        let bad = |m: &str| Err(LayoutError { name: name.into(), message: m.into() });
        for f in [&l.payment, &l.returns.file] {
            if f.format == Format::Fixed && f.columns.iter().any(|c| c.width == 0) {
                return bad("every column of a fixed-width file needs its width");
            }
            if f.format == Format::Delimited && f.delimiter.is_empty() {
                return bad("a delimited file needs its delimiter");
            }
        }
        let has = |f: &FileLayout, x: Field| f.columns.iter().any(|c| c.field == x);
        if !has(&l.payment, Field::Account) || !has(&l.payment, Field::Amount) {
            return bad("the payment file needs an account and an amount column");
        }
        if ![Field::Seq, Field::Account, Field::Amount, Field::Result].iter().all(|x| has(&l.returns.file, *x)) {
            return bad("the return file needs the sequence number, account, amount and result columns");
        }
        Ok(l)
    }

    /// A shipped layout by its code.
    pub fn shipped(code: &str) -> Option<BankLayout> {
        SHIPPED.iter().find(|(c, _)| *c == code).and_then(|(c, t)| BankLayout::parse(c, t).ok())
    }
}

fn encode(enc: Encoding, text: &str) -> Vec<u8> {
    match enc {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        // ASCII is the same in GBK (digits, account numbers, amounts).
        Encoding::Gbk if text.is_ascii() => text.as_bytes().to_vec(),
        Encoding::Gbk => encoding_rs::GBK.encode(text).0.into_owned(),
    }
}

fn decode(enc: Encoding, bytes: &[u8]) -> Option<String> {
    match enc {
        Encoding::Utf8 => std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok().map(str::to_string),
        Encoding::Gbk => {
            let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
            (!had_errors).then(|| text.into_owned())
        }
    }
}

fn amount_text(unit: Unit, a: Fen) -> String {
    match unit {
        Unit::Yuan => a.to_string(),
        Unit::Fen => a.0.to_string(),
    }
}

/// Appends `text` padded (or cut) to `width` bytes in the file's encoding, without splitting a
/// character, to `out`.
fn put_fixed(out: &mut Vec<u8>, enc: Encoding, text: &str, width: usize, right: bool) {
    let ascii = text.is_ascii() || enc == Encoding::Utf8 && text.len() <= width;
    if ascii && text.len() <= width {
        let pad = width - text.len();
        if right {
            out.resize(out.len() + pad, b' ');
        }
        out.extend_from_slice(text.as_bytes());
        if !right {
            out.resize(out.len() + pad, b' ');
        }
    } else {
        out.extend(fixed(enc, text, width, right));
    }
}

/// Pads (or cuts) `text` to `width` bytes in the file's encoding, without splitting a character.
fn fixed(enc: Encoding, text: &str, width: usize, right: bool) -> Vec<u8> {
    let mut out = encode(enc, text);
    if out.len() > width {
        // Cut at the last whole character that fits.
        out.clear();
        for ch in text.chars() {
            let mut buf = [0u8; 4];
            let b = encode(enc, ch.encode_utf8(&mut buf));
            if out.len() + b.len() > width {
                break;
            }
            out.extend(b);
        }
    }
    let pad = vec![b' '; width - out.len()];
    if right {
        [pad, out].concat()
    } else {
        out.extend(pad);
        out
    }
}

/// The program and period a file is for.
pub struct FileFor<'a> {
    pub program_zh: &'a str,
    /// `2026-09`.
    pub period: &'a str,
}

/// Why a payment file could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {field} {value:?} does not fit the bank's {width}-byte column")]
pub struct DoesNotFit {
    pub line: i64,
    pub field: &'static str,
    pub value: String,
    pub width: usize,
}

impl Bilingual for DoesNotFit {
    fn zh(&self) -> String {
        format!("第 {} 笔的{}“{}”超出银行文件该列的 {} 字节，文件未生成", self.line, self.field, self.value, self.width)
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Why a payment file was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefused {
    #[error(transparent)]
    DoesNotFit(DoesNotFit),
    /// More payments than a sheet has rows.
    #[error("{0} payments do not fit one sheet of a workbook")]
    TooManyRows(usize),
    #[error("the workbook could not be written: {0}")]
    Workbook(String),
}

impl Bilingual for FileRefused {
    fn zh(&self) -> String {
        match self {
            FileRefused::DoesNotFit(e) => e.zh(),
            FileRefused::TooManyRows(n) => {
                format!("{n} 笔发放超出 Excel 工作表的行数上限（{} 行），请改用文本格式，文件未生成", xlsx::MAX_ROWS)
            }
            FileRefused::Workbook(e) => format!("Excel 文件生成失败：{e}"),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// What a file of this layout is called: `.xlsx` for a workbook, `.txt` for text.
pub fn extension(layout: &FileLayout) -> &'static str {
    match layout.format {
        Format::Xlsx => "xlsx",
        _ => "txt",
    }
}

/// Checks that what identifies a payment (sequence, account, ID number, amount) fits its fixed
/// column: cut, it would credit another account or another amount. A name may be cut.
fn check_fits(layout: &FileLayout, lines: &[&PayrollLine]) -> Result<(), DoesNotFit> {
    if layout.format != Format::Fixed {
        return Ok(());
    }
    for c in &layout.columns {
        for l in lines {
            let (field, value) = match c.field {
                Field::Seq => ("序号", l.line_no.to_string()),
                Field::Account => ("账号", l.account_no.clone()),
                Field::IdNumber => ("身份证号", l.payee.to_string()),
                Field::Amount => ("金额", amount_text(layout.amount_unit, l.net)),
                _ => continue,
            };
            if value.len() > c.width {
                return Err(DoesNotFit { line: l.line_no, field, value, width: c.width });
            }
        }
    }
    Ok(())
}

/// The text of a column of the payment file for one line (as a workbook's cell).
fn sent_text(c: &Column, l: &PayrollLine, what: &FileFor<'_>) -> String {
    match c.field {
        Field::Seq => l.line_no.to_string(),
        Field::Name => l.account_holder().to_string(),
        Field::IdNumber => l.payee.to_string(),
        Field::Account => l.account_no.clone(),
        Field::Amount => l.net.to_string(),
        Field::Program => what.program_zh.to_string(),
        Field::Period => what.period.to_string(),
        Field::Fixed => c.value.clone(),
        Field::Result | Field::Reason | Field::Ignore => String::new(),
    }
}

/// The payment file (发放清单) of a locked payroll's lines that go to the bank (held ones not);
/// refused when a sequence number, account, ID number or amount does not fit its column.
pub fn payment_file(layout: &FileLayout, lines: &[PayrollLine], what: &FileFor<'_>) -> Result<Vec<u8>, FileRefused> {
    let paid: Vec<&PayrollLine> = lines.iter().filter(|l| l.held.is_none()).collect();
    check_fits(layout, &paid).map_err(FileRefused::DoesNotFit)?;
    let total = Fen(paid.iter().map(|l| l.net.0).sum());
    if layout.format == Format::Xlsx {
        let rows = paid.iter().map(|l| layout.columns.iter().map(|c| xlsx::cell(c, l.net, sent_text(c, l, what))).collect());
        return xlsx::write(layout, "发放清单", rows, paid.len(), total).map_err(|e| match e.parse::<usize>() {
            Ok(n) => FileRefused::TooManyRows(n),
            Err(_) => FileRefused::Workbook(e),
        });
    }
    let mut out = Vec::with_capacity(paid.len() * 96);
    let enc = layout.encoding;
    let line_of = |fields: Vec<(String, usize, bool)>| -> Vec<u8> {
        match layout.format {
            Format::Fixed => fields.into_iter().flat_map(|(t, w, right)| fixed(enc, &t, w, right)).collect(),
            _ => encode(enc, &fields.into_iter().map(|f| f.0).collect::<Vec<_>>().join(&layout.delimiter)),
        }
    };
    let totals = || {
        let count = paid.len().to_string();
        let sum = amount_text(layout.amount_unit, total);
        match layout.format {
            Format::Fixed => [fixed(enc, &layout.totals_tag, 2, false), fixed(enc, &count, 10, true), fixed(enc, &sum, 16, true)].concat(),
            _ => encode(enc, &[layout.totals_tag.as_str(), &count, &sum].join(&layout.delimiter)),
        }
    };
    if layout.totals == Totals::First {
        out.extend(totals());
        out.extend(b"\r\n");
    }
    if layout.header {
        out.extend(line_of(layout.columns.iter().map(|c| (c.title.clone(), c.width, false)).collect()));
        out.extend(b"\r\n");
    }
    // The fields the same on every line, encoded once.
    let constant = |c: &Column| -> Option<Vec<u8>> {
        let text = match c.field {
            Field::Program => what.program_zh,
            Field::Period => what.period,
            Field::Fixed => c.value.as_str(),
            Field::Result | Field::Reason | Field::Ignore => "",
            _ => return None,
        };
        Some(match layout.format {
            Format::Fixed => fixed(enc, text, c.width, false),
            _ => encode(enc, text),
        })
    };
    let constants: Vec<Option<Vec<u8>>> = layout.columns.iter().map(constant).collect();
    let delimiter = encode(enc, &layout.delimiter);
    // The records in runs on every core (encoding is most of the work), joined in order.
    let records = |run: &[&PayrollLine]| -> Vec<u8> {
        let mut out = Vec::with_capacity(run.len() * 96);
        let mut text = String::with_capacity(32);
        for l in run {
            for (i, c) in layout.columns.iter().enumerate() {
                if layout.format == Format::Delimited && i > 0 {
                    out.extend_from_slice(&delimiter);
                }
                if let Some(Some(bytes)) = constants.get(i) {
                    out.extend_from_slice(bytes);
                    continue;
                }
                text.clear();
                let right = match c.field {
                    Field::Seq => {
                        use std::fmt::Write as _;
                        let _ = write!(text, "{}", l.line_no);
                        true
                    }
                    Field::Name => {
                        text.push_str(l.account_holder());
                        false
                    }
                    Field::IdNumber => {
                        text.push_str(l.payee.as_str());
                        false
                    }
                    Field::Account => {
                        text.push_str(&l.account_no);
                        false
                    }
                    Field::Amount => {
                        text.push_str(&amount_text(layout.amount_unit, l.net));
                        true
                    }
                    _ => false,
                };
                match layout.format {
                    Format::Fixed => put_fixed(&mut out, enc, &text, c.width, right),
                    _ if enc == Encoding::Utf8 || text.is_ascii() => out.extend_from_slice(text.as_bytes()),
                    _ => out.extend(encode(enc, &text)),
                }
            }
            out.extend_from_slice(b"\r\n");
        }
        out
    };
    for part in super::parallel::in_runs(&paid, 50_000, records) {
        out.extend_from_slice(&part);
    }
    if layout.totals == Totals::Last {
        out.extend(totals());
        out.extend(b"\r\n");
    }
    Ok(out)
}

/// What the bank says of one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    /// 退票, with the bank's reason.
    Failed(String),
}

/// Why a return file (or one of its lines) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The file's line number (1-based); 0 for the file as a whole.
    pub line: usize,
    pub zh: String,
    pub en: String,
}

impl Bilingual for Refusal {
    fn zh(&self) -> String {
        if self.line == 0 {
            self.zh.clone()
        } else {
            format!("第 {} 行：{}", self.line, self.zh)
        }
    }
    fn en(&self) -> String {
        if self.line == 0 {
            self.en.clone()
        } else {
            format!("line {}: {}", self.line, self.en)
        }
    }
}

fn refusal(line: usize, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal { line, zh: zh.into(), en: en.into() }
}

/// A return file read and matched with the payroll: the outcome of every line sent, or every
/// reason it cannot be applied. All or nothing: one refusal and nothing is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// (line_no, outcome), one for each line sent to the bank.
    pub outcomes: Vec<(i64, Outcome)>,
    pub paid: Fen,
    pub failed: Fen,
}

fn parse_amount(unit: Unit, text: &str) -> Option<Fen> {
    let t = text.trim();
    match unit {
        Unit::Yuan => Fen::parse_yuan(t).ok(),
        Unit::Fen => t.parse::<i64>().ok().map(Fen),
    }
}

/// Splits one line of the file into its fields (fixed-width by the encoding's bytes).
fn fields_of(layout: &FileLayout, raw: &[u8]) -> Option<Vec<String>> {
    match layout.format {
        Format::Delimited | Format::Xlsx => {
            decode(layout.encoding, raw).map(|t| t.split(layout.delimiter.as_str()).map(|s| s.trim().to_string()).collect())
        }
        Format::Fixed => {
            let mut at = 0;
            let mut out = Vec::with_capacity(layout.columns.len());
            for c in &layout.columns {
                let end = (at + c.width).min(raw.len());
                out.push(decode(layout.encoding, raw.get(at..end)?)?.trim().to_string());
                at = end;
            }
            Some(out)
        }
    }
}

/// The records of a return file and its totals line, each with its line (or row) number and
/// its fields (`None`: not in the layout's encoding); the header line left out.
type Records = (Vec<(usize, Option<Vec<String>>)>, Option<(usize, Option<Vec<String>>)>);

fn records_of(f: &FileLayout, bytes: &[u8]) -> Result<Records, Refusal> {
    let mut records: Vec<(usize, Option<Vec<String>>)>;
    let mut totals_line = None;
    if f.format == Format::Xlsx {
        let rows = xlsx::rows(bytes).ok_or_else(|| refusal(0, "不是可以读取的 Excel 工作簿（.xlsx）", "not a readable .xlsx workbook"))?;
        records = rows.into_iter().map(|(n, cells)| (n, Some(cells))).collect();
        match f.totals {
            Totals::First if !records.is_empty() => totals_line = Some(records.remove(0)),
            Totals::Last => totals_line = records.pop(),
            _ => {}
        }
    } else {
        let text_lines = bytes.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let mut raw: Vec<(usize, &[u8])> = text_lines.enumerate().filter(|(_, l)| !l.is_empty()).map(|(i, l)| (i + 1, l)).collect();
        let totals_raw = match f.totals {
            Totals::First if !raw.is_empty() => Some(raw.remove(0)),
            Totals::Last => raw.pop(),
            _ => None,
        };
        totals_line = totals_raw.map(|(n, raw)| {
            let fields = match f.format {
                Format::Fixed => {
                    let part =
                        |a: usize, b: usize| raw.get(a..b.min(raw.len())).and_then(|s| decode(f.encoding, s)).map(|s| s.trim().to_string());
                    (|| Some(vec![part(0, 2)?, part(2, 12)?, part(12, 28)?]))()
                }
                _ => decode(f.encoding, raw).map(|t| t.split(f.delimiter.as_str()).map(|s| s.trim().to_string()).collect::<Vec<_>>()),
            };
            (n, fields)
        });
        records = raw.into_iter().map(|(n, l)| (n, fields_of(f, l))).collect();
    }
    if f.header && !records.is_empty() {
        records.remove(0);
    }
    Ok((records, totals_line))
}

/// Reads a bank's return file against the lines that were sent: every line sent must come back
/// once, with its account and amount; the totals line (when the layout has one) must agree.
pub fn reconcile(layout: &ReturnLayout, bytes: &[u8], sent: &[PayrollLine]) -> Result<Reconciliation, Vec<Refusal>> {
    let f = &layout.file;
    let mut refusals = Vec::new();
    let (records, totals_line) = records_of(f, bytes).map_err(|r| vec![r])?;
    let by_no: HashMap<i64, &PayrollLine> = sent.iter().filter(|l| l.held.is_none()).map(|l| (l.line_no, l)).collect();
    let col = |x: Field| f.columns.iter().position(|c| c.field == x);
    let (seq, acct, amt, res) = (col(Field::Seq), col(Field::Account), col(Field::Amount), col(Field::Result));
    let reason_col = col(Field::Reason);
    let mut seen = HashSet::new();
    let mut outcomes = Vec::new();
    let (mut paid, mut failed, mut sum) = (Fen(0), Fen(0), Fen(0));
    for (n, fields) in &records {
        let Some(fields) = fields else {
            refusals.push(refusal(*n, "编码不符（应为银行约定的编码）", "not in the layout's encoding"));
            continue;
        };
        let get = |i: Option<usize>| i.and_then(|i| fields.get(i)).map(String::as_str).unwrap_or_default();
        let Ok(no) = get(seq).parse::<i64>() else {
            refusals.push(refusal(*n, format!("序号“{}”不是数字", get(seq)), format!("sequence {:?} is not a number", get(seq))));
            continue;
        };
        let Some(line) = by_no.get(&no) else {
            refusals.push(refusal(*n, format!("序号 {no} 不在本月发放清单中"), format!("sequence {no} was not in the payment file")));
            continue;
        };
        if !seen.insert(no) {
            refusals.push(refusal(*n, format!("序号 {no} 重复出现"), format!("sequence {no} appears twice")));
            continue;
        }
        if get(acct) != line.account_no {
            refusals.push(refusal(
                *n,
                format!("序号 {no} 的账号与发放清单不符"),
                format!("sequence {no}: the account differs from the payment file"),
            ));
            continue;
        }
        let Some(amount) = parse_amount(f.amount_unit, get(amt)) else {
            refusals.push(refusal(*n, format!("金额“{}”无法识别", get(amt)), format!("amount {:?} not understood", get(amt))));
            continue;
        };
        if amount != line.net {
            refusals.push(refusal(
                *n,
                format!("序号 {no} 的金额 {amount} 元与发放清单的 {} 元不符", line.net),
                format!("sequence {no}: amount {amount} differs from the {} sent", line.net),
            ));
            continue;
        }
        sum += amount;
        let code = get(res).trim();
        if layout.paid_codes.iter().any(|c| c == code) {
            paid += amount;
            outcomes.push((no, Outcome::Paid));
        } else {
            let said = get(reason_col).trim();
            let reason = if said.is_empty() {
                layout.reasons.get(code).cloned().unwrap_or_else(|| format!("银行返回码 {code}"))
            } else {
                said.to_string()
            };
            failed += amount;
            outcomes.push((no, Outcome::Failed(reason)));
        }
    }
    let mut missing: Vec<i64> = by_no.keys().filter(|k| !seen.contains(k)).copied().collect();
    missing.sort_unstable();
    if !missing.is_empty() && refusals.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(i64::to_string).collect();
        refusals.push(refusal(
            0,
            format!("回盘缺少 {} 笔发放记录（序号 {}）", missing.len(), shown.join("、")),
            format!("{} payments sent are missing from the return (sequence {})", missing.len(), shown.join(", ")),
        ));
    }
    if let Some((n, t)) = totals_line {
        let count = t.as_ref().and_then(|t| t.get(1)).and_then(|c| c.parse::<usize>().ok());
        let total = t.as_ref().and_then(|t| t.get(2)).and_then(|a| parse_amount(f.amount_unit, a));
        if count != Some(records.len()) || total != Some(sum) {
            refusals.push(refusal(
                n,
                format!(
                    "汇总行（{} 笔，{} 元）与明细（{} 笔，{} 元）不符",
                    count.map_or("?".into(), |c| c.to_string()),
                    total.map_or("?".into(), |t| t.to_string()),
                    records.len(),
                    sum
                ),
                format!("the totals line does not agree with the {} records of {} yuan", records.len(), sum),
            ));
        }
    }
    if refusals.is_empty() {
        outcomes.sort_by_key(|(n, _)| *n);
        Ok(Reconciliation { outcomes, paid, failed })
    } else {
        Err(refusals)
    }
}

/// A return file as the bank would send it, from the payment file's lines and the outcomes:
/// for the demo's planted failures and the tests.
pub fn return_file(layout: &ReturnLayout, sent: &[PayrollLine], failed: &HashMap<i64, (String, String)>) -> Vec<u8> {
    let f = &layout.file;
    let paid_code = layout.paid_codes.first().cloned().unwrap_or_default();
    let lines: Vec<&PayrollLine> = sent.iter().filter(|l| l.held.is_none()).collect();
    let total = Fen(lines.iter().map(|l| l.net.0).sum());
    let text_of = |c: &Column, l: &PayrollLine| -> (String, bool) {
        let fail = failed.get(&l.line_no);
        match c.field {
            Field::Seq => (l.line_no.to_string(), true),
            Field::Name => (l.account_holder().to_string(), false),
            Field::IdNumber => (l.payee.to_string(), false),
            Field::Account => (l.account_no.clone(), false),
            Field::Amount => (amount_text(f.amount_unit, l.net), true),
            Field::Result => (fail.map_or(paid_code.clone(), |x| x.0.clone()), false),
            Field::Reason => (fail.map(|x| x.1.clone()).unwrap_or_default(), false),
            Field::Program | Field::Period | Field::Fixed | Field::Ignore => (c.value.clone(), false),
        }
    };
    if f.format == Format::Xlsx {
        let rows = lines.iter().map(|l| f.columns.iter().map(|c| xlsx::cell(c, l.net, text_of(c, l).0)).collect());
        // For the demo and the tests: a workbook that cannot be written is an empty file, which
        // the return's reading refuses.
        return xlsx::write(f, "回盘", rows, lines.len(), total).unwrap_or_default();
    }
    let mut out = Vec::new();
    let row = |fields: Vec<(String, usize, bool)>| -> Vec<u8> {
        match f.format {
            Format::Fixed => fields.into_iter().flat_map(|(t, w, r)| fixed(f.encoding, &t, w, r)).collect(),
            _ => encode(f.encoding, &fields.into_iter().map(|x| x.0).collect::<Vec<_>>().join(&f.delimiter)),
        }
    };
    let totals = || {
        let c = lines.len().to_string();
        let s = amount_text(f.amount_unit, total);
        match f.format {
            Format::Fixed => {
                [fixed(f.encoding, &f.totals_tag, 2, false), fixed(f.encoding, &c, 10, true), fixed(f.encoding, &s, 16, true)].concat()
            }
            _ => encode(f.encoding, &[f.totals_tag.as_str(), &c, &s].join(&f.delimiter)),
        }
    };
    if f.totals == Totals::First {
        out.extend(totals());
        out.extend(b"\r\n");
    }
    if f.header {
        out.extend(row(f.columns.iter().map(|c| (c.title.clone(), c.width, false)).collect()));
        out.extend(b"\r\n");
    }
    for l in &lines {
        out.extend(row(f
            .columns
            .iter()
            .map(|c| {
                let (t, right) = text_of(c, l);
                (t, c.width, right)
            })
            .collect()));
        out.extend(b"\r\n");
    }
    if f.totals == Totals::Last {
        out.extend(totals());
        out.extend(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests;
mod xlsx;
