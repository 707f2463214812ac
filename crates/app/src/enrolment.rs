//! 在保名册导入 / The bureau's existing roster in: when Minzheng is introduced, the households
//! already receiving each program come from the spreadsheets the counties keep, one row per
//! member (保障项目, 户编号, 区县代码, 姓名, 身份证号, 月保障金额, 起始月份, 保障状态). Approved cases
//! add enrolments later through the same store.
//!
//! An enrolment is taken whole or not at all: when one of its rows is wrong, every row of that
//! household and program is refused with its reason, and the rest of the file is stored.

use crate::import::{ImportReport, Reason, Rejected};
use crate::sheet::{self, normalise_header};
use minzheng_domain::enrolment::parse_month;
use minzheng_domain::{Bilingual, EnrolledMember, Enrolment, EnrolmentStatus, Fen, IdNumber, RegionCode, RegionLevel};
use minzheng_policy::Engine;
use minzheng_store::{Actor, Store, StoreError};
use std::collections::BTreeMap;
use std::path::Path;

/// The columns of a roster, with the other words sheets use for them.
const COLUMNS: &[(&str, &[&str])] = &[
    ("保障项目", &["项目", "救助类别", "保障类别"]),
    ("户编号", &["户号"]),
    ("区县代码", &["发放区县", "区县"]),
    ("姓名", &["成员姓名"]),
    ("身份证号", &["成员身份证号", "公民身份号码"]),
    ("月保障金额", &["保障金额", "月发放金额"]),
    ("起始月份", &["享受起始月份", "开始月份"]),
    ("保障状态", &["状态"]),
];

fn canonical(header: &str) -> Option<&'static str> {
    let h = normalise_header(header);
    COLUMNS.iter().find(|(c, others)| *c == h || others.contains(&h.as_str())).map(|(c, _)| *c)
}

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error(transparent)]
    Sheet(#[from] sheet::SheetError),
    #[error("the roster has no column {0}")]
    Column(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Bilingual for RosterError {
    fn zh(&self) -> String {
        match self {
            RosterError::Sheet(e) => format!("文件无法读取：{e}"),
            RosterError::Column(c) => format!("在保名册缺少“{c}”列"),
            RosterError::Store(_) => "数据库错误，请稍后重试".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// What a roster import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RosterReport {
    pub file: String,
    pub rows: usize,
    pub enrolments: usize,
    pub members: usize,
    /// Refused rows with their reasons (and the headers, for the error file).
    pub import: ImportReport,
}

/// Reads a roster and stores its enrolments (new, or replacing those of the same program and household).
pub async fn import_roster(store: &dyn Store, engine: &Engine, path: &Path, actor: &Actor) -> Result<RosterReport, RosterError> {
    let sheet = sheet::read(path, |h| canonical(h).is_some())?;
    let cols: Vec<Option<&'static str>> = sheet.headers.iter().map(|h| canonical(h)).collect();
    for required in ["保障项目", "户编号", "区县代码", "姓名", "身份证号", "月保障金额", "起始月份"] {
        if !cols.contains(&Some(required)) {
            return Err(RosterError::Column(required));
        }
    }
    let cell = |row: &sheet::Row, name: &str| {
        cols.iter().position(|c| *c == Some(name)).and_then(|i| row.cells.get(i)).map(|c| c.text()).unwrap_or_default()
    };
    // A program by its code, its name or a name staff write for it (低保 for 最低生活保障).
    let program_of = |text: &str| {
        let t = text.trim();
        engine.policy.programs.iter().find(|p| p.code == t || p.zh == t || p.aliases.iter().any(|a| a == t)).map(|p| p.code.clone())
    };
    let accepted_names = engine
        .policy
        .programs
        .iter()
        .map(|p| std::iter::once(p.zh.as_str()).chain(p.aliases.iter().map(String::as_str)).collect::<Vec<_>>().join("/"))
        .collect::<Vec<_>>()
        .join("、");

    // Each row parsed, grouped by (program, household).
    struct Parsed {
        row: usize,
        cells: Vec<String>,
        member: Option<EnrolledMember>,
        head: Option<(RegionCode, Fen, chrono::NaiveDate, EnrolmentStatus)>,
        reasons: Vec<Reason>,
    }
    let mut groups: BTreeMap<(String, String), Vec<Parsed>> = BTreeMap::new();
    for row in &sheet.rows {
        let mut reasons = Vec::new();
        let program_text = cell(row, "保障项目");
        let program = program_of(&program_text);
        if program.is_none() {
            let e = minzheng_domain::enrolment::EnrolmentError::Program(program_text.clone(), accepted_names.clone());
            reasons.push(Reason::new(e.zh(), e.en()));
        }
        let household = cell(row, "户编号");
        if household.is_empty() {
            reasons.push(Reason::new("缺少户编号", "no household number"));
        }
        let member = match IdNumber::parse(&cell(row, "身份证号")) {
            Ok(id) => Some(EnrolledMember { id_number: id, name: cell(row, "姓名"), amount: None, end: None }),
            Err(e) => {
                reasons.push(Reason::new(format!("身份证号：{}", e.zh()), format!("ID number: {e}")));
                None
            }
        };
        let county = match RegionCode::parse(&cell(row, "区县代码")) {
            Ok(c) if c.level() == RegionLevel::County => Some(c),
            _ => {
                let t = cell(row, "区县代码");
                reasons
                    .push(Reason::new(format!("区县代码“{t}”应为6位区县代码"), format!("county code {t:?} must be a 6-digit county code")));
                None
            }
        };
        let amount = match Fen::parse_yuan(&cell(row, "月保障金额")) {
            Ok(f) if f.0 >= 0 => Some(f),
            _ => {
                let t = cell(row, "月保障金额");
                reasons.push(Reason::new(format!("月保障金额“{t}”不是以元计的金额"), format!("monthly amount {t:?} is not a sum in yuan")));
                None
            }
        };
        let start = parse_month(&cell(row, "起始月份")).map_err(|e| reasons.push(Reason::new(e.zh(), e.en()))).ok();
        let status_text = cell(row, "保障状态");
        let status = EnrolmentStatus::parse(&status_text);
        if status.is_none() {
            let e = minzheng_domain::enrolment::EnrolmentError::Status(status_text);
            reasons.push(Reason::new(e.zh(), e.en()));
        }
        let head = match (county, amount, start, status) {
            (Some(c), Some(a), Some(s), Some(st)) => Some((c, a, s, st)),
            _ => None,
        };
        let cells = row.cells.iter().map(|c| c.text()).collect();
        groups.entry((program.unwrap_or(program_text), household)).or_default().push(Parsed {
            row: row.number,
            cells,
            member,
            head,
            reasons,
        });
    }

    let mut enrolments = Vec::new();
    let mut rejected = Vec::new();
    for ((program, household_no), rows) in groups {
        let heads: Vec<_> = rows.iter().filter_map(|r| r.head.clone()).collect();
        let consistent = heads.windows(2).all(|w| w[0] == w[1]);
        let mut ids: Vec<IdNumber> = rows.iter().filter_map(|r| r.member.as_ref().map(|m| m.id_number)).collect();
        ids.sort_unstable();
        let duplicate = ids.windows(2).any(|w| w[0] == w[1]);
        let wrong = rows.iter().any(|r| !r.reasons.is_empty());
        if wrong || !consistent || duplicate {
            for r in rows {
                let mut reasons = r.reasons;
                if !consistent {
                    let e = minzheng_domain::enrolment::EnrolmentError::Inconsistent;
                    reasons.push(Reason::new(e.zh(), e.en()));
                }
                if duplicate {
                    reasons
                        .push(Reason::new("同一成员在该户该项目中出现两次", "the same member appears twice in this household's enrolment"));
                }
                if reasons.is_empty() {
                    reasons.push(Reason::new(
                        "同户同项目的其他行有误，整户未导入",
                        "another row of this household and program is refused, so the whole enrolment is",
                    ));
                }
                rejected.push(Rejected { row: r.row, cells: r.cells, reasons });
            }
            continue;
        }
        let Some((county, monthly_amount, start, status)) = heads.into_iter().next() else { continue };
        let mut members: Vec<EnrolledMember> = rows.into_iter().filter_map(|r| r.member).collect();
        members.sort_by_key(|m| m.id_number);
        enrolments.push(Enrolment { id: 0, program, household_no, county, members, monthly_amount, start, status, end: None });
    }
    rejected.sort_by_key(|r| r.row);
    let source = format!("{} sha256:{}", path.file_name().and_then(|n| n.to_str()).unwrap_or_default(), sheet.checksum);
    if !enrolments.is_empty() {
        store.upsert_enrolments(&enrolments, &source, actor).await?;
    }
    let members = enrolments.iter().map(|e| e.members.len()).sum();
    Ok(RosterReport {
        file: path.display().to_string(),
        rows: sheet.rows.len(),
        enrolments: enrolments.len(),
        members,
        import: ImportReport {
            rows: sheet.rows.len(),
            accepted: members,
            rejected,
            headers: sheet.headers.clone(),
            checksum: sheet.checksum,
            ..Default::default()
        },
    })
}
