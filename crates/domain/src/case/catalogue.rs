//! The service catalogue's types (办事指南): services, the documents each needs, which the applicant still owes.

#[allow(unused_imports)]
use super::*;

/// What a service does to an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// 申请: a new enrolment.
    Apply,
    /// 变更: members or income changed; the amount is computed again.
    Change,
    /// 暂停: payment held.
    Suspend,
    /// 终止: the enrolment ends.
    Stop,
    /// 渐退: income rose through work; paid on for some months, then ended.
    Exit,
}

impl ServiceKind {
    pub fn zh(self) -> &'static str {
        match self {
            ServiceKind::Apply => "申请",
            ServiceKind::Change => "变更",
            ServiceKind::Suspend => "暂停",
            ServiceKind::Stop => "终止",
            ServiceKind::Exit => "渐退",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ServiceKind::Apply => "application",
            ServiceKind::Change => "change",
            ServiceKind::Suspend => "suspension",
            ServiceKind::Stop => "ending",
            ServiceKind::Exit => "gradual exit",
        }
    }
}

/// 办理要件: a document a service asks for, and whether shared data replaces it (零要件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub code: String,
    pub zh: String,
    pub en: String,
    /// The shared data that replaces the paper (`hukou`, `identity`, `disability`, `income`,
    /// `marriage`, `death` ...), when it does.
    #[serde(default)]
    pub replaced_by: Option<String>,
    /// Since when the data replaces it (精减日期).
    #[serde(default)]
    pub replaced_on: Option<NaiveDate>,
}

/// The name of the shared data that replaces a paper (`replaced_by`), as staff call it; the
/// code itself when unknown.
pub fn shared_data_name(code: &str, zh: bool) -> &str {
    let (z, e) = match code {
        "identity" => ("公安人口信息", "police population data"),
        "hukou" => ("户籍信息", "household registration data"),
        "disability" => ("残联残疾人信息", "disability federation data"),
        "economic_check" => ("家庭经济状况核对", "household economic check"),
        "income" => ("收入信息", "income data"),
        "enrolment" => ("救助对象信息", "assistance enrolment data"),
        "marriage" => ("婚姻登记信息", "marriage registration data"),
        "death" => ("死亡信息", "death records"),
        _ => return code,
    };
    if zh {
        z
    } else {
        e
    }
}

impl Document {
    /// Whether, on `day`, shared data stands in for the paper.
    pub fn replaced(&self, day: NaiveDate) -> bool {
        self.replaced_by.is_some() && self.replaced_on.is_none_or(|r| r <= day)
    }
}

/// 服务事项.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub kind: ServiceKind,
    /// The program of the policy files (`dibao`, `tekun` ...) or `linshi` (临时救助).
    pub program: String,
    pub basis: String,
    /// 入户调查 (always done for relatives of staff).
    pub survey: bool,
    /// 家庭经济状况核对.
    pub economic_check: bool,
    /// 公示 (never for children).
    pub notice: bool,
    /// 先行救助: the street may pay first and complete the file after.
    #[serde(default)]
    pub pay_first: bool,
    /// The amount is given by the decider (临时救助) rather than computed by the rules.
    #[serde(default)]
    pub amount_given: bool,
    /// Granted to a person (高龄补贴, the disability subsidies, the children's allowances):
    /// each member applies on their own, so one open case per program and *applicant*.
    #[serde(default)]
    pub per_person: bool,
    #[serde(default)]
    pub documents: Vec<Document>,
}

impl Service {
    /// Documents the applicant must still bring on `day`.
    pub fn required(&self, day: NaiveDate) -> Vec<&Document> {
        self.documents.iter().filter(|d| !d.replaced(day)).collect()
    }
}

/// One line of the documents report (要件精减情况).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentsLine {
    pub service: String,
    pub zh: String,
    /// Documents the service had.
    pub total: usize,
    /// Still required on paper on the report date.
    pub required: Vec<String>,
    /// Replaced by shared data on the report date, with the data.
    pub replaced: Vec<(String, String)>,
    /// Required on paper on the base date.
    pub required_then: usize,
}

/// Documents per service on `on`, and how many fewer are asked for than on `since`.
pub fn documents_report(services: &[Service], since: NaiveDate, on: NaiveDate) -> Vec<DocumentsLine> {
    services
        .iter()
        .map(|s| DocumentsLine {
            service: s.code.clone(),
            zh: s.zh.clone(),
            total: s.documents.len(),
            required: s.required(on).iter().map(|d| d.zh.clone()).collect(),
            replaced: s
                .documents
                .iter()
                .filter(|d| d.replaced(on))
                .map(|d| (d.zh.clone(), d.replaced_by.clone().unwrap_or_default()))
                .collect(),
            required_then: s.required(since).len(),
        })
        .collect()
}
