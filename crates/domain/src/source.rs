//! 数据来源 / The departmental data sources the bureau receives, as data: what each holds, the
//! columns its rows are read by, what a row adds to a person's economic situation (the items the
//! policy features read) and what it says to the comparison of enrolled households (a death, a
//! move, a residence elsewhere, a marriage). The shipped catalogue is `policies/sources.toml`;
//! 《社会救助家庭经济状况核对办法》 and MZ/T 073-2024 name the sources and their data elements.

use crate::economy::{EconomicItem, ItemError, ItemKind};
use crate::money::Fen;
use crate::IdNumber;
use serde::Deserialize;

/// What a row adds to its person's economic situation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemRule {
    /// One of `kind` per row (a vehicle, a property, a business).
    Count(ItemKind),
    /// `kind`, its amount in yuan in `amount`.
    Amount { kind: ItemKind, amount: String },
    /// The kind read from `column` (the words of [`ItemKind::parse`], or the source's own words,
    /// where `None` keeps the row as a record that adds nothing), the amount from `amount`.
    ByColumn { column: String, amount: String, kinds: Vec<(String, Option<ItemKind>)> },
    /// A vehicle per row, valued: of `kind`, or of the kind the word in `kind_column` names in
    /// `kinds` (专用车辆 for 残疾人专用车 ...), its value in yuan in `value` (the value unknown,
    /// [`crate::economy::UNKNOWN_VALUE`], when the cell is empty or the file has no such column).
    Valued { kind: ItemKind, value: String, kind_column: Option<String>, kinds: Vec<(String, Option<ItemKind>)> },
}

/// What a row says to the comparison of enrolled households.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// 死亡: the person died on the row's date.
    Death,
    /// 户籍迁出: the hukou moved to the region in `region_column` on the row's date.
    MoveOut { region_column: String },
    /// 居住地/参保地: the person lives, works or is insured in the region of `region_column`
    /// (空挂户 where it is outside the city).
    Residence { region_column: String },
    /// 婚姻登记: `type_column` says 结婚 or 离婚, `spouse_column` the spouse's ID number.
    Marriage { type_column: String, spouse_column: String },
}

/// One registered source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// File-name stem and stored code (`deaths`, `tax` ...).
    pub code: String,
    /// 数据提供部门.
    pub department: String,
    /// What it holds, `中文 / English`.
    pub content: String,
    /// The department in a few characters, for summaries.
    pub short: String,
    pub headers: Vec<String>,
    /// The column that dates a row.
    pub date: Option<String>,
    /// The column naming the month a row's amount is for (所属月份): the file's monthly rows
    /// are averaged over the months the file covers, not added up as one month.
    pub month: Option<String>,
    pub item: Option<ItemRule>,
    pub signal: Option<Signal>,
}

impl Source {
    /// `department · content`, as lists show it.
    pub fn title(&self) -> String {
        format!("{} · {}", self.department, self.content)
    }

    /// The content in Chinese (before ` / `).
    pub fn content_zh(&self) -> &str {
        self.content.split(" / ").next().unwrap_or(&self.content)
    }

    /// The item of one row of this source, reading cells by header; `Ok(None)` for a row that
    /// adds nothing (a source without items, or a kind kept as a record only).
    pub fn item(&self, cell: impl Fn(&str) -> Option<String>) -> Result<Option<EconomicItem>, ItemError> {
        let Some(rule) = &self.item else { return Ok(None) };
        let id_text = cell("身份证号").ok_or(ItemError::Column("身份证号".into()))?;
        let money = |col: &str| -> Result<i64, ItemError> {
            let text = cell(col).ok_or(ItemError::Column(col.to_string()))?;
            Fen::parse_yuan(&text).map(|f| f.0).map_err(|_| ItemError::Amount(text))
        };
        let (kind, amount) = match rule {
            ItemRule::Count(kind) => (*kind, 1),
            ItemRule::Valued { kind, value, kind_column, kinds } => {
                let word = kind_column.as_ref().and_then(|c| cell(c)).unwrap_or_default();
                let kind = match kinds.iter().find(|(w, _)| w == word.trim()) {
                    Some((_, None)) => return Ok(None),
                    Some((_, Some(k))) => *k,
                    None => *kind,
                };
                let amount = match cell(value).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
                    None => crate::economy::UNKNOWN_VALUE,
                    Some(t) => Fen::parse_yuan(&t).map(|f| f.0).ok().filter(|v| *v >= 0).ok_or(ItemError::Amount(t))?,
                };
                (kind, amount)
            }
            ItemRule::Amount { kind, amount } => (*kind, money(amount)?),
            ItemRule::ByColumn { column, amount, kinds } => {
                let word = cell(column).ok_or(ItemError::Column(column.clone()))?;
                let kind = match kinds.iter().find(|(w, _)| w == word.trim()) {
                    Some((_, None)) => return Ok(None),
                    Some((_, Some(k))) => *k,
                    None => ItemKind::parse(&word).ok_or(ItemError::Kind(word))?,
                };
                (kind, money(amount)?)
            }
        };
        let id_number = IdNumber::parse(&id_text).map_err(|e| ItemError::Id(e.to_string()))?;
        Ok(Some(EconomicItem { id_number, kind, amount, source: self.code.clone() }))
    }
}

/// The registered sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCatalogue {
    pub sources: Vec<Source>,
}

/// A catalogue refused at load: the file, the line and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("source catalogue {file}, line {line}: {reason}")]
pub struct SourceError {
    pub file: String,
    pub line: usize,
    pub reason: String,
    pub reason_zh: String,
}

impl crate::Bilingual for SourceError {
    fn zh(&self) -> String {
        format!("数据来源文件 {} 第 {} 行：{}", self.file, self.line, self.reason_zh)
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    source: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    code: String,
    department: String,
    content: String,
    short: Option<String>,
    headers: Vec<String>,
    date: Option<String>,
    month: Option<String>,
    item: Option<RawItem>,
    signal: Option<RawSignal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    kind: Option<String>,
    kind_column: Option<String>,
    amount: Option<String>,
    /// The value column of a vehicle (yuan).
    value: Option<String>,
    #[serde(default)]
    kinds: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    kind: String,
    region_column: Option<String>,
    type_column: Option<String>,
    spouse_column: Option<String>,
}

/// The catalogue shipped for 沈阳市.
pub const SHIPPED: &str = include_str!("../../../policies/sources.toml");

impl SourceCatalogue {
    /// The shipped catalogue (`policies/sources.toml`), checked by a test.
    pub fn shipped() -> SourceCatalogue {
        SourceCatalogue::parse("sources.toml", SHIPPED).unwrap_or(SourceCatalogue { sources: Vec::new() })
    }

    /// Reads a catalogue; a malformed one is refused with its line and the reason.
    pub fn parse(file: &str, text: &str) -> Result<SourceCatalogue, SourceError> {
        let line_at = |offset: usize| text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1;
        let raw: File = toml::from_str(text).map_err(|e| SourceError {
            file: file.to_string(),
            line: e.span().map(|s| line_at(s.start)).unwrap_or(1),
            reason: e.message().to_string(),
            reason_zh: format!("格式错误：{}", e.message()),
        })?;
        // The line of each [[source]] table, for errors about one source.
        let starts: Vec<usize> = text.match_indices("[[source]]").map(|(at, _)| line_at(at)).collect();
        let mut sources: Vec<Source> = Vec::new();
        for (n, r) in raw.source.into_iter().enumerate() {
            let line = starts.get(n).copied().unwrap_or(1);
            let bad = |en: String, zh: String| SourceError { file: file.to_string(), line, reason: en, reason_zh: zh };
            if r.code.is_empty() || !r.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return Err(bad(
                    format!("code {:?} must be lower-case letters, digits and _", r.code),
                    format!("代码“{}”只能由小写字母、数字和下划线组成", r.code),
                ));
            }
            if sources.iter().any(|s| s.code == r.code) {
                return Err(bad(format!("source {} is registered twice", r.code), format!("数据来源 {} 重复登记", r.code)));
            }
            let column = |c: &str, what: &str| -> Result<String, SourceError> {
                if r.headers.iter().any(|h| h == c) {
                    Ok(c.to_string())
                } else {
                    Err(bad(
                        format!("{what} column {c} is not among the headers of {}", r.code),
                        format!("{what}列“{c}”不在 {} 的列名中", r.code),
                    ))
                }
            };
            column("身份证号", "ID")?;
            column("姓名", "name")?;
            let date = r.date.as_deref().map(|d| column(d, "date")).transpose()?;
            let month = r.month.as_deref().map(|m| column(m, "month")).transpose()?;
            let kind_of = |k: &str| {
                ItemKind::parse(k).ok_or_else(|| {
                    bad(
                        format!("item kind {k:?} is not known ({})", ItemKind::ALL.map(|k| k.as_str()).join(", ")),
                        format!("项目类别“{k}”无法识别"),
                    )
                })
            };
            let words_of = |kinds: toml::Table| -> Result<Vec<(String, Option<ItemKind>)>, SourceError> {
                let mut words = Vec::new();
                for (w, k) in kinds {
                    let k = k.as_str().ok_or_else(|| {
                        bad(format!("kinds: {w} must name a kind or \"\""), format!("kinds：“{w}”应对应一个项目类别或空串"))
                    })?;
                    words.push((w, if k.is_empty() { None } else { Some(kind_of(k)?) }));
                }
                Ok(words)
            };
            let item = match r.item {
                None => None,
                Some(RawItem { kind: Some(k), kind_column, amount: None, kinds, value: Some(v) }) => {
                    let kind = kind_of(&k)?;
                    if !kind.is_vehicle() {
                        return Err(bad(format!("{k}: a value column is for vehicles"), format!("“{k}”：价值列只用于车辆")));
                    }
                    let kind_column = kind_column.map(|c| column(&c, "kind")).transpose()?;
                    Some(ItemRule::Valued { kind, value: column(&v, "value")?, kind_column, kinds: words_of(kinds)? })
                }
                Some(RawItem { kind: Some(k), kind_column: None, amount, kinds, value: None }) if kinds.is_empty() => {
                    let kind = kind_of(&k)?;
                    match (kind.is_money(), amount) {
                        (false, None) => Some(ItemRule::Count(kind)),
                        (true, Some(a)) => Some(ItemRule::Amount { kind, amount: column(&a, "amount")? }),
                        (false, Some(_)) => {
                            return Err(bad(format!("{k} is a count: no amount column"), format!("“{k}”按件计数，不应有金额列")))
                        }
                        (true, None) => {
                            return Err(bad(format!("{k} is money: name its amount column"), format!("“{k}”是金额，应指明金额列")))
                        }
                    }
                }
                Some(RawItem { kind: None, kind_column: Some(c), amount: Some(a), kinds, value: None }) => {
                    Some(ItemRule::ByColumn { column: column(&c, "kind")?, amount: column(&a, "amount")?, kinds: words_of(kinds)? })
                }
                Some(_) => {
                    return Err(bad(
                        "item must be { kind [, amount] }, { kind_column, amount [, kinds] } or, for vehicles, { kind, value [, kind_column, kinds] }"
                            .into(),
                        "item 应为 { kind [, amount] }、{ kind_column, amount [, kinds] }，车辆为 { kind, value [, kind_column, kinds] }".into(),
                    ))
                }
            };
            let need = |c: Option<String>, name: &str| -> Result<String, SourceError> {
                match c {
                    Some(c) => column(&c, name),
                    None => Err(bad(format!("signal {name} is missing"), format!("signal 缺少 {name}"))),
                }
            };
            let signal = match r.signal {
                None => None,
                Some(s) => Some(match s.kind.as_str() {
                    "death" => Signal::Death,
                    "move_out" => Signal::MoveOut { region_column: need(s.region_column, "region_column")? },
                    "residence" => Signal::Residence { region_column: need(s.region_column, "region_column")? },
                    "marriage" => Signal::Marriage {
                        type_column: need(s.type_column, "type_column")?,
                        spouse_column: need(s.spouse_column, "spouse_column")?,
                    },
                    k => {
                        return Err(bad(
                            format!("signal kind {k:?} is not death, move_out, residence or marriage"),
                            format!("signal 类别“{k}”应为 death、move_out、residence 或 marriage"),
                        ))
                    }
                }),
            };
            if signal.is_some() && date.is_none() {
                return Err(bad(
                    format!("{}: a {} signal needs a date column", r.code, raw_signal_name(&signal)),
                    format!("{}：此类信号需要日期列（date）", r.code),
                ));
            }
            sources.push(Source {
                short: r.short.unwrap_or_else(|| r.department.clone()),
                code: r.code,
                department: r.department,
                content: r.content,
                headers: r.headers,
                date,
                month,
                item,
                signal,
            });
        }
        Ok(SourceCatalogue { sources })
    }

    pub fn get(&self, code: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.code == code)
    }

    /// What a source's rows say to the comparison, if anything.
    pub fn signal_of(&self, code: &str) -> Option<&Signal> {
        self.get(code).and_then(|s| s.signal.as_ref())
    }

    /// The source a file holds, from its name: the longest code the stem is or starts with
    /// (followed by `-` or `_`): `tax-2026-06.xlsx`.
    pub fn of_file_stem(&self, stem: &str) -> Option<&Source> {
        let stem = stem.to_lowercase();
        self.sources
            .iter()
            .filter(|s| stem == s.code || stem.starts_with(&format!("{}-", s.code)) || stem.starts_with(&format!("{}_", s.code)))
            .max_by_key(|s| s.code.len())
    }

    /// The codes, comma-separated (for messages).
    pub fn codes(&self) -> String {
        self.sources.iter().map(|s| s.code.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The department in a few characters (the code itself for an unknown source).
    pub fn short<'a>(&'a self, code: &'a str) -> &'a str {
        self.get(code).map(|s| s.short.as_str()).unwrap_or(code)
    }
}

fn raw_signal_name(s: &Option<Signal>) -> &'static str {
    match s {
        Some(Signal::Death) => "death",
        Some(Signal::MoveOut { .. }) => "move_out",
        Some(Signal::Residence { .. }) => "residence",
        Some(Signal::Marriage { .. }) => "marriage",
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_reads() {
        let c = SourceCatalogue::parse("sources.toml", SHIPPED).expect("shipped catalogue");
        for code in [
            "deaths",
            "cremations",
            "hukou_moves",
            "residence",
            "vehicles",
            "property",
            "business",
            "income",
            "social_insurance",
            "tax",
            "provident_fund",
            "deposits",
            "marriages",
        ] {
            assert!(c.get(code).is_some(), "{code}");
        }
        assert_eq!(c.of_file_stem("tax-2026-06").map(|s| s.code.as_str()), Some("tax"));
        assert_eq!(c.of_file_stem("DEATHS").map(|s| s.code.as_str()), Some("deaths"));
        assert_eq!(c.of_file_stem("taxes"), None);
        assert_eq!(c.get("hukou_moves").and_then(|s| s.signal.clone()), Some(Signal::MoveOut { region_column: "迁往地区划".into() }));
    }

    fn cells<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |h| pairs.iter().find(|(k, _)| *k == h).map(|(_, v)| v.to_string())
    }

    #[test]
    fn tax_rows_add_what_human_resources_do_not_see() {
        let c = SourceCatalogue::shipped();
        let tax = c.get("tax").expect("tax");
        let id = "11010519491231002X";
        let wage = tax.item(cells(&[("身份证号", id), ("所得项目", "工资薪金所得"), ("收入额", "5200.00")])).expect("row");
        assert_eq!(wage, None, "wages are counted from the income dataset, not twice");
        let rent = tax.item(cells(&[("身份证号", id), ("所得项目", "财产租赁所得"), ("收入额", "1500")])).expect("row").expect("item");
        assert_eq!((rent.kind, rent.amount, rent.source.as_str()), (ItemKind::PropertyIncome, 150_000, "tax"));
        let e = tax.item(cells(&[("身份证号", id), ("所得项目", "彩票中奖"), ("收入额", "10")])).expect_err("unknown word");
        assert_eq!(e, ItemError::Kind("彩票中奖".into()));
        let vehicles = c.get("vehicles").expect("vehicles");
        let car =
            vehicles.item(cells(&[("身份证号", id), ("车辆类型", "小型普通客车"), ("车辆价值", "85000")])).expect("row").expect("item");
        assert_eq!((car.kind, car.amount), (ItemKind::Car, 8_500_000));
        let unknown =
            vehicles.item(cells(&[("身份证号", id), ("车辆类型", "小型普通客车"), ("车辆价值", "")])).expect("row").expect("item");
        assert_eq!((unknown.kind, unknown.amount), (ItemKind::Car, crate::economy::UNKNOWN_VALUE), "an empty value is not a value of 0");
        let older = vehicles.item(cells(&[("身份证号", id)])).expect("row").expect("item");
        assert_eq!((older.kind, older.amount), (ItemKind::Car, crate::economy::UNKNOWN_VALUE), "a file without the value column");
        let tricycle =
            vehicles.item(cells(&[("身份证号", id), ("车辆类型", "三轮汽车"), ("车辆价值", "8000")])).expect("row").expect("item");
        assert_eq!((tricycle.kind, tricycle.amount), (ItemKind::SpecialVehicle, 800_000));
        let e = vehicles.item(cells(&[("身份证号", id), ("车辆类型", "小型普通客车"), ("车辆价值", "八万")])).expect_err("not a value");
        assert_eq!(e, ItemError::Amount("八万".into()));
        assert_eq!(c.get("deaths").expect("deaths").item(cells(&[("身份证号", id)])), Ok(None));
    }

    #[test]
    fn a_malformed_catalogue_is_refused_with_its_line() {
        let base =
            "[[source]]\ncode = \"tax\"\ndepartment = \"税务\"\ncontent = \"x / x\"\nheaders = [\"身份证号\", \"姓名\", \"收入额\"]\n";
        let e =
            SourceCatalogue::parse("s.toml", &format!("# 本地来源\n{base}item = {{ kind = \"lottery\" }}\n")).expect_err("unknown kind");
        assert_eq!(e.line, 2, "the line of the source's [[source]]");
        assert!(e.reason.contains("lottery"), "{e}");
        let e = SourceCatalogue::parse("s.toml", &format!("{base}item = {{ kind = \"wage\", amount = \"金额\" }}\n"))
            .expect_err("unknown column");
        assert!(e.reason.contains("金额"), "{e}");
        let e = SourceCatalogue::parse("s.toml", &format!("{base}month = \"所属月份\"\n")).expect_err("no such month column");
        assert!(e.reason.contains("month column 所属月份"), "{e}");
        let e = SourceCatalogue::parse("s.toml", &format!("{base}signal = {{ kind = \"death\" }}\n")).expect_err("death without date");
        assert!(e.reason.contains("date"), "{e}");
        let e = SourceCatalogue::parse("s.toml", &format!("{base}colour = 1\n")).expect_err("unknown field");
        assert_eq!(e.line, 6);
        let e = SourceCatalogue::parse("s.toml", &format!("{base}{base}")).expect_err("twice");
        assert!(e.reason_zh.contains("重复"), "{e}");
        assert_eq!(e.line, 6, "the second one");
        let e = SourceCatalogue::parse("s.toml", "[[source]]\ncode = \"Tax!\"\ndepartment = \"\"\ncontent = \"\"\nheaders = []\n")
            .expect_err("code");
        assert!(e.reason.contains("lower-case"), "{e}");
    }
}
