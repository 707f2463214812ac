//! Policy files: programs, features and parameters as data (`policies/<region>/*.toml`).
//!
//! Loading checks the structure (TOML with the file and line of a mistake) and the references
//! between files (a program naming a parameter, feature or program that does not exist). The SQL
//! in conditions and formulas is checked by planning it in [`crate::Engine::new`].

use chrono::NaiveDate;
use minzheng_domain::message::Bilingual;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Who a program is for: 以户 (household) or 以人 (person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Household,
    Person,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Household => "household",
            Unit::Person => "person",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Unit::Household => "户",
            Unit::Person => "人",
        }
    }
    /// The feature view a program for this unit reads.
    pub fn view(self) -> &'static str {
        match self {
            Unit::Household => "household_features",
            Unit::Person => "person_features",
        }
    }
}

/// 城乡: the area a standard is set for (the household's 城乡属性).
pub type Area = minzheng_domain::registry::HouseholdKind;

/// A named eligibility condition (条件), an SQL boolean expression over features (`hh_income`)
/// and parameters (`p.dibao_standard`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub name: String,
    pub zh: String,
    pub en: String,
    pub sql: String,
    /// 政策依据: the article the condition comes from.
    pub basis: String,
}

/// The amount formula (金额), an SQL integer expression in fen.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    pub zh: String,
    pub en: String,
    pub sql: String,
    pub basis: String,
}

/// A program (保障项目) as its policy file states it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// The names staff write for it in their spreadsheets (低保, 特困 ...), read as the program.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub unit: Unit,
    /// Lower runs first; programs may only refer to programs that run before them.
    pub priority: i32,
    /// 复核周期, months.
    pub review_months: u32,
    pub basis: String,
    /// Who is considered at all (a filter before the conditions; others are "not in scope").
    pub population: String,
    #[serde(default)]
    pub requires: Vec<String>,
    /// Programs that exclude this one for the same person (不得重复享受; a household program:
    /// when every counted member is in the other program), each saying whether being enrolled
    /// in it or qualifying for it by its rules excludes.
    #[serde(default)]
    pub excluded_by: Vec<ProgramLink>,
    /// Programs whose amount per member is subtracted (只发差额): the amount enrolled, or the
    /// amount the other program's rules give, as each link says.
    #[serde(default)]
    pub offset_by: Vec<ProgramLink>,
    /// Whether the approval is published (公示); never for children.
    #[serde(default = "yes")]
    pub notice: bool,
    #[serde(rename = "condition", default)]
    pub conditions: Vec<Condition>,
    pub amount: Amount,
}

fn yes() -> bool {
    true
}

/// What of another program a link reads: who is enrolled in it (在保记录: granted and not
/// stopped on the evaluation date), or who qualifies for it by its rules on the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkWhen {
    /// 已纳入 / 已享受: a member of an enrolment in force on the date (a suspended one too:
    /// the person is still in the program while something is checked).
    Enrolled,
    /// 符合条件: qualifies by the other program's rules in the same run.
    Eligible,
}

/// A link to another program (`excluded_by`, `offset_by`), written as
/// `{ program = "tekun", when = "enrolled", basis = "…" }`: the regulation decides whether being
/// granted the other program or only qualifying for it counts, so the file says which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramLink {
    pub program: String,
    pub when: LinkWhen,
    /// 政策依据 of the link; the other program's own basis when empty.
    pub basis: String,
}

impl ProgramLink {
    pub fn enrolled(program: &str) -> ProgramLink {
        ProgramLink { program: program.into(), when: LinkWhen::Enrolled, basis: String::new() }
    }
    pub fn eligible(program: &str) -> ProgramLink {
        ProgramLink { program: program.into(), when: LinkWhen::Eligible, basis: String::new() }
    }
}

impl<'de> Deserialize<'de> for ProgramLink {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ProgramLink, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Written {
            program: String,
            when: String,
            #[serde(default)]
            basis: String,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ProgramLink;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("{ program = \"…\", when = \"enrolled\" | \"eligible\" }")
            }
            fn visit_str<E: serde::de::Error>(self, code: &str) -> Result<ProgramLink, E> {
                Err(E::custom(format!(
                    "write {{ program = \"{code}\", when = \"enrolled\" }} (being granted it counts) or when = \"eligible\" \
                     (qualifying by its rules counts) / 须写明依据哪一种：已纳入（enrolled，看在保记录）或符合条件（eligible，按规则判断）"
                )))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<ProgramLink, A::Error> {
                let w = Written::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                let when = match w.when.as_str() {
                    "enrolled" => LinkWhen::Enrolled,
                    "eligible" => LinkWhen::Eligible,
                    other => {
                        return Err(serde::de::Error::custom(format!(
                        "when = {other:?}: write \"enrolled\" (being granted it counts) or \"eligible\" (qualifying by its rules counts) \
                             / when 只能是 \"enrolled\"（已纳入，看在保记录）或 \"eligible\"（符合条件，按规则判断）"
                    )))
                    }
                };
                Ok(ProgramLink { program: w.program, when, basis: w.basis })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// One dated value of a parameter as shipped in `parameters.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippedValue {
    pub region: String,
    #[serde(default)]
    pub area: Option<Area>,
    pub from: NaiveDate,
    pub value: i64,
    pub reason: String,
}

/// A parameter (参数): standards, thresholds and bands.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterDef {
    pub name: String,
    pub zh: String,
    pub en: String,
    /// `fen/person/month`, `permille`, `months` ...
    pub unit: String,
    pub basis: String,
    #[serde(default)]
    pub values: Vec<ShippedValue>,
}

/// A feature column a rule may read, with its meaning and data source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureDef {
    pub name: String,
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub source: String,
}

/// A feature view: SQL over the snapshot tables and the views before it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub name: String,
    pub sql: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeaturesFile {
    #[serde(rename = "view")]
    views: Vec<View>,
    #[serde(rename = "feature")]
    features: Vec<FeatureDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParametersFile {
    #[serde(rename = "parameter")]
    parameters: Vec<ParameterDef>,
}

/// Everything a region's policy folder says.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// The region the folder is for (`2101`).
    pub region: String,
    pub views: Vec<View>,
    pub features: Vec<FeatureDef>,
    pub parameters: Vec<ParameterDef>,
    /// In evaluation order (priority, then code).
    pub programs: Vec<Program>,
    /// 监测对象类别 (`warnings.toml`): who the monitoring of low-income people follows.
    pub categories: Vec<crate::warnings::Category>,
    /// 预警规则 (`warnings.toml`): what raises a warning.
    pub warnings: Vec<crate::warnings::WarningRule>,
    /// Where each program came from, for error messages.
    pub(crate) sources: BTreeMap<String, Source>,
}

/// A file's name and text, kept to point at lines in later checks.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub file: String,
    pub text: String,
}

impl Source {
    /// The 1-based line of the first occurrence of `needle`, or 1.
    pub fn line_of(&self, needle: &str) -> usize {
        self.text.find(needle).map(|at| line_at(&self.text, at)).unwrap_or(1)
    }

    /// The 1-based line of the first `needle` in the (last) block that declares `code =
    /// "<code>"`: a rule's own line, not the same text elsewhere; else the first anywhere.
    pub fn line_in_block(&self, code: &str, needle: &str) -> usize {
        let anchor = format!("code = \"{code}\"");
        if let Some((start, _)) = self.text.match_indices(&anchor).last() {
            let end = self.text[start + anchor.len()..].find("\ncode = ").map(|e| start + anchor.len() + e).unwrap_or(self.text.len());
            if let Some(at) = self.text[start..end].find(needle) {
                return line_at(&self.text, start + at);
            }
        }
        self.line_of(needle)
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1
}

/// A policy folder that cannot be used, with the file and line of the mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub reason: String,
    pub reason_zh: String,
}

impl Bilingual for PolicyError {
    fn zh(&self) -> String {
        format!("政策文件 {} 第 {} 行：{}", self.file, self.line, self.reason_zh)
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

impl PolicyError {
    pub(crate) fn at(source: &Source, needle: &str, en: impl Into<String>, zh: impl Into<String>) -> PolicyError {
        PolicyError { file: source.file.clone(), line: source.line_of(needle), reason: en.into(), reason_zh: zh.into() }
    }

    /// An error in the block of `code` (a monitoring category or rule), at the line of `needle`
    /// within it.
    pub(crate) fn in_block(source: &Source, code: &str, needle: &str, en: impl Into<String>, zh: impl Into<String>) -> PolicyError {
        PolicyError { file: source.file.clone(), line: source.line_in_block(code, needle), reason: en.into(), reason_zh: zh.into() }
    }
}

/// The policy folder shipped for 沈阳市, built into the binary.
pub const SHENYANG: &[(&str, &str)] = &[
    ("parameters.toml", include_str!("../../../policies/2101/parameters.toml")),
    ("features.toml", include_str!("../../../policies/2101/features.toml")),
    ("dibao.toml", include_str!("../../../policies/2101/dibao.toml")),
    ("dibao_single.toml", include_str!("../../../policies/2101/dibao_single.toml")),
    ("dibao_edge.toml", include_str!("../../../policies/2101/dibao_edge.toml")),
    ("tekun.toml", include_str!("../../../policies/2101/tekun.toml")),
    ("gaoling.toml", include_str!("../../../policies/2101/gaoling.toml")),
    ("disability_living.toml", include_str!("../../../policies/2101/disability_living.toml")),
    ("disability_care.toml", include_str!("../../../policies/2101/disability_care.toml")),
    ("orphan.toml", include_str!("../../../policies/2101/orphan.toml")),
    ("unsupported_child.toml", include_str!("../../../policies/2101/unsupported_child.toml")),
    ("warnings.toml", include_str!("../../../policies/2101/warnings.toml")),
];

impl PolicySet {
    /// The shipped 沈阳市 policies.
    pub fn shenyang() -> PolicySet {
        match PolicySet::from_files("2101", SHENYANG.iter().map(|(f, t)| (f.to_string(), t.to_string()))) {
            Ok(set) => set,
            // The shipped files are checked by the tests; a broken build must not start.
            #[allow(clippy::panic, reason = "the shipped files are checked by the tests")]
            Err(e) => panic!("shipped policy files are invalid: {e}"),
        }
    }

    /// Reads a folder: `parameters.toml`, `features.toml` and one file per program.
    pub fn load_dir(dir: &Path) -> Result<PolicySet, PolicyError> {
        let region = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let io = |path: &PathBuf, e: std::io::Error| PolicyError {
            file: path.display().to_string(),
            line: 0,
            reason: format!("cannot read: {e}"),
            reason_zh: format!("无法读取：{e}"),
        };
        let mut files = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| io(&dir.to_path_buf(), e))?;
        for entry in entries {
            let path = entry.map_err(|e| io(&dir.to_path_buf(), e))?.path();
            if path.extension().and_then(|e| e.to_str()) == Some("toml") {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                files.push((path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string(), text));
            }
        }
        files.sort();
        PolicySet::from_files(&region, files)
    }

    /// Parses and cross-checks a folder's files given as (file name, text).
    pub fn from_files(region: &str, files: impl IntoIterator<Item = (String, String)>) -> Result<PolicySet, PolicyError> {
        let mut set = PolicySet {
            region: region.to_string(),
            views: Vec::new(),
            features: Vec::new(),
            parameters: Vec::new(),
            programs: Vec::new(),
            categories: Vec::new(),
            warnings: Vec::new(),
            sources: BTreeMap::new(),
        };
        let mut have_features = false;
        let mut have_parameters = false;
        for (file, text) in files {
            let source = Source { file: file.clone(), text };
            let parse_error = |e: toml::de::Error| PolicyError {
                file: file.clone(),
                line: e.span().map(|s| line_at(&source.text, s.start)).unwrap_or(1),
                reason: e.message().to_string(),
                reason_zh: format!("格式错误：{}", e.message()),
            };
            match file.as_str() {
                "features.toml" => {
                    let f: FeaturesFile = toml::from_str(&source.text).map_err(parse_error)?;
                    set.views = f.views;
                    set.features = f.features;
                    have_features = true;
                    set.sources.insert("features".into(), source);
                }
                "warnings.toml" => {
                    let f: crate::warnings::WarningsFile = toml::from_str(&source.text).map_err(parse_error)?;
                    set.categories = f.categories;
                    set.warnings = f.rules;
                    set.sources.insert("warnings".into(), source);
                }
                "parameters.toml" => {
                    let f: ParametersFile = toml::from_str(&source.text).map_err(parse_error)?;
                    set.parameters = f.parameters;
                    have_parameters = true;
                    set.sources.insert("parameters".into(), source);
                }
                _ => {
                    let p: Program = toml::from_str(&source.text).map_err(parse_error)?;
                    if set.sources.contains_key(&p.code) {
                        return Err(PolicyError::at(
                            &source,
                            "code",
                            format!("program code {:?} is used by two files", p.code),
                            format!("项目代码“{}”被两个文件使用", p.code),
                        ));
                    }
                    set.sources.insert(p.code.clone(), source);
                    set.programs.push(p);
                }
            }
        }
        let missing = |name: &str| PolicyError {
            file: name.to_string(),
            line: 0,
            reason: "the policy folder has no such file".into(),
            reason_zh: "政策目录缺少此文件".into(),
        };
        if !have_features {
            return Err(missing("features.toml"));
        }
        if !have_parameters {
            return Err(missing("parameters.toml"));
        }
        set.programs.sort_by(|a, b| (a.priority, &a.code).cmp(&(b.priority, &b.code)));
        set.check_references()?;
        Ok(set)
    }

    pub(crate) fn source(&self, key: &str) -> &Source {
        static EMPTY: std::sync::OnceLock<Source> = std::sync::OnceLock::new();
        self.sources.get(key).unwrap_or_else(|| EMPTY.get_or_init(|| Source { file: String::new(), text: String::new() }))
    }

    pub fn program(&self, code: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.code == code)
    }

    /// Whether two programs may not be received together by one person (不得重复享受): either
    /// is excluded by the other, whichever way the link is decided.
    pub fn excludes(&self, a: &str, b: &str) -> bool {
        let by = |x: &str, y: &str| self.program(x).is_some_and(|p| p.excluded_by.iter().any(|l| l.program == y));
        by(a, b) || by(b, a)
    }

    pub fn parameter(&self, name: &str) -> Option<&ParameterDef> {
        self.parameters.iter().find(|p| p.name == name)
    }

    pub fn feature(&self, name: &str) -> Option<&FeatureDef> {
        self.features.iter().find(|f| f.name == name)
    }

    /// Names used in a rule's SQL: (parameters written `p.name`, bare identifiers).
    pub fn references(sql: &str) -> (Vec<String>, Vec<String>) {
        let mut params = Vec::new();
        let mut idents = Vec::new();
        let bytes = sql.as_bytes();
        let mut i = 0;
        let mut in_string = false;
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'\'' {
                in_string = !in_string;
                i += 1;
                continue;
            }
            if in_string
                || !(c.is_ascii_alphabetic() || c == b'_')
                || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
            {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                i += 1;
            }
            let word = &sql[start..i];
            if let Some(name) = word.strip_prefix("p.") {
                if !params.iter().any(|p| p == name) {
                    params.push(name.to_string());
                }
            } else if !KEYWORDS.contains(&word.to_ascii_uppercase().as_str()) && !idents.iter().any(|p| p == word) {
                idents.push(word.to_string());
            }
        }
        (params, idents)
    }

    fn check_references(&self) -> Result<(), PolicyError> {
        let params: HashSet<&str> = self.parameters.iter().map(|p| p.name.as_str()).collect();
        let features: HashSet<&str> = self.features.iter().map(|f| f.name.as_str()).collect();
        let pf = self.source("parameters");
        for p in &self.parameters {
            if self.parameters.iter().filter(|q| q.name == p.name).count() > 1 {
                return Err(PolicyError::at(
                    pf,
                    &format!("\"{}\"", p.name),
                    format!("parameter {:?} is declared twice", p.name),
                    format!("参数“{}”重复定义", p.name),
                ));
            }
            if features.contains(p.name.as_str()) {
                return Err(PolicyError::at(
                    pf,
                    &format!("\"{}\"", p.name),
                    format!("parameter {:?} has the name of a feature", p.name),
                    format!("参数“{}”与特征同名", p.name),
                ));
            }
        }
        let mut earlier: Vec<&Program> = Vec::new();
        for program in &self.programs {
            let src = self.source(&program.code);
            let mut rules: Vec<(&str, &str)> = vec![("population", program.population.as_str())];
            for c in &program.conditions {
                rules.push((c.name.as_str(), c.sql.as_str()));
            }
            rules.push(("amount", program.amount.sql.as_str()));
            for (rule, sql) in rules {
                let (ps, ids) = PolicySet::references(sql);
                for p in ps {
                    if !params.contains(p.as_str()) {
                        return Err(PolicyError::at(
                            src,
                            sql,
                            format!("{rule}: unknown parameter p.{p} (not in parameters.toml)"),
                            format!("{rule}：未定义的参数 p.{p}（parameters.toml 中没有）"),
                        ));
                    }
                }
                for id in ids {
                    if !features.contains(id.as_str()) && !BUILTIN_COLUMNS.contains(&id.as_str()) {
                        return Err(PolicyError::at(
                            src,
                            sql,
                            format!("{rule}: unknown feature {id:?} (not in features.toml)"),
                            format!("{rule}：未定义的特征“{id}”（features.toml 中没有）"),
                        ));
                    }
                }
            }
            for alias in &program.aliases {
                if let Some(other) = self
                    .programs
                    .iter()
                    .find(|p| p.code != program.code && (p.zh == *alias || p.code == *alias || p.aliases.contains(alias)))
                {
                    return Err(PolicyError::at(
                        src,
                        "aliases",
                        format!("aliases: {alias:?} also names the program {:?}", other.code),
                        format!("aliases：简称“{alias}”同时指项目“{}”", other.code),
                    ));
                }
            }
            if program.conditions.is_empty() {
                return Err(PolicyError::at(
                    src,
                    "code",
                    "a program needs at least one [[condition]]",
                    "项目至少需要一个条件 [[condition]]",
                ));
            }
            // A link to who is enrolled reads the enrolments, not the other program's result:
            // the other program may run in any order.
            let requires: Vec<(&str, bool)> = program.requires.iter().map(|c| (c.as_str(), false)).collect();
            let excluded: Vec<(&str, bool)> =
                program.excluded_by.iter().map(|l| (l.program.as_str(), l.when == LinkWhen::Enrolled)).collect();
            let offset: Vec<(&str, bool)> = program.offset_by.iter().map(|l| (l.program.as_str(), l.when == LinkWhen::Enrolled)).collect();
            for (list, what) in [(requires, "requires"), (excluded, "excluded_by"), (offset, "offset_by")] {
                for (code, enrolled) in list {
                    let found = if enrolled { self.program(code) } else { earlier.iter().find(|p| p.code == code).copied() };
                    let Some(other) = found else {
                        let later = self.program(code).is_some();
                        return Err(PolicyError::at(
                            src,
                            what,
                            if later {
                                format!("{what}: program {code:?} is evaluated after this one (give it a lower priority)")
                            } else {
                                format!("{what}: no program {code:?}")
                            },
                            if later {
                                format!("{what}：项目“{code}”排在本项目之后（应设更小的 priority）")
                            } else {
                                format!("{what}：没有项目“{code}”")
                            },
                        ));
                    };
                    if program.unit == Unit::Household && other.unit == Unit::Person && what != "excluded_by" {
                        return Err(PolicyError::at(
                            src,
                            what,
                            format!("{what}: a household program cannot depend on the person program {code:?}"),
                            format!("{what}：以户项目不能依赖以人项目“{code}”"),
                        ));
                    }
                }
            }
            earlier.push(program);
        }
        self.check_warnings(&params, &features)
    }

    /// The monitoring's categories and rules: names known, a legal basis given, codes unique.
    fn check_warnings(&self, params: &HashSet<&str>, features: &HashSet<&str>) -> Result<(), PolicyError> {
        let src = self.source("warnings");
        let codes: Vec<String> = self.programs.iter().map(|p| p.code.clone()).collect();
        let mut rules: Vec<(&str, &str, &str, Vec<&str>)> = Vec::new();
        for c in &self.categories {
            rules.push(("category", &c.code, &c.basis, vec![c.condition.as_str()]));
        }
        for w in &self.warnings {
            rules.push(("rule", &w.code, &w.basis, vec![w.condition.as_str(), w.occurrence.as_str()]));
        }
        let mut seen = HashSet::new();
        for (what, code, basis, sqls) in rules {
            let at = format!("\"{code}\"");
            if !seen.insert((what, code)) {
                return Err(PolicyError::in_block(
                    src,
                    code,
                    &at,
                    format!("{what} {code:?} is declared twice"),
                    format!("{code} 重复定义"),
                ));
            }
            if basis.trim().is_empty() {
                return Err(PolicyError::in_block(
                    src,
                    code,
                    "basis",
                    format!("{what} {code:?}: no legal basis"),
                    format!("{code}：缺少政策依据（basis）"),
                ));
            }
            for sql in sqls {
                let (ps, ids) = PolicySet::references(sql);
                if let Some(p) = ps.iter().find(|p| !params.contains(p.as_str())) {
                    return Err(PolicyError::in_block(
                        src,
                        code,
                        sql,
                        format!("{code}: unknown parameter p.{p} (not in parameters.toml)"),
                        format!("{code}：未定义的参数 p.{p}（parameters.toml 中没有）"),
                    ));
                }
                if let Some(id) = ids.iter().find(|id| {
                    !features.contains(id.as_str())
                        && !BUILTIN_COLUMNS.contains(&id.as_str())
                        && !crate::warnings::is_event_column(id, &codes)
                }) {
                    return Err(PolicyError::in_block(
                        src,
                        code,
                        sql,
                        format!("{code}: unknown feature {id:?} (neither in features.toml nor a monitoring event column)"),
                        format!("{code}：未定义的特征“{id}”（features.toml 和监测事件列中都没有）"),
                    ));
                }
            }
        }
        for w in &self.warnings {
            if w.days == 0 {
                return Err(PolicyError::in_block(
                    src,
                    &w.code,
                    "days",
                    format!("rule {:?}: days must be at least 1", w.code),
                    format!("{}：办理时限（days）至少为 1 个工作日", w.code),
                ));
            }
        }
        Ok(())
    }
}

/// Columns every feature view carries besides the declared features.
pub const BUILTIN_COLUMNS: &[&str] = &["pid", "hid", "county", "rural", "id_number", "name"];

const KEYWORDS: &[&str] = &[
    "AND", "OR", "NOT", "CASE", "WHEN", "THEN", "ELSE", "END", "IN", "BETWEEN", "IS", "NULL", "TRUE", "FALSE", "LIKE", "COALESCE",
    "GREATEST", "LEAST", "CAST", "AS", "INT", "BIGINT", "ABS",
];
