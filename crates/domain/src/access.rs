//! 角色与权限: who may see and do what, and where.
//!
//! Each account has one role and is bound to one region; it sees and acts only within that
//! region's subtree (等保2.0 第三级 access control; 个人信息保护法 §6 minimum necessary). The
//! role table below is the single source of truth: the app layer asks it before every use
//! case, so the API, the web pages and the CLI cannot differ.

use crate::region::{RegionCode, RegionLevel};
use serde::{Deserialize, Serialize};

/// 角色.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 社区工作者 (全科社工): keeps the registry, accepts applications city-wide (全市通办).
    CommunityWorker,
    /// 网格员: visits households of a grid.
    GridWorker,
    /// 街道审核: first review at the street.
    StreetReviewer,
    /// 区县审批: decides cases.
    CountyApprover,
    /// 核对 (county verification centre): household economic checks.
    VerificationOfficer,
    /// 市级管理: standards, statistics, accounts.
    CityAdmin,
    /// 审计: reads everything in scope and the audit log, changes nothing.
    Auditor,
}

/// What a use case needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read persons and households in scope.
    ReadRegistry,
    /// Change persons and households in scope.
    WriteRegistry,
    /// Import sheets into the registry.
    ImportRegistry,
    /// Export the registry to sheets.
    ExportRegistry,
    /// Search and export the audit log.
    ReadAudit,
    /// Create accounts below one's region.
    ManageUsers,
    /// 全市通办: accept an application from any resident of the city (found by full ID number).
    AcceptApplications,
    /// 资格核算: check a household in scope against every program, with the explanation.
    CheckEligibility,
    /// 政策找人 / 提标测算: sweep a region and cost parameter changes.
    RunSweeps,
    /// 标准调整: record a new value of a policy parameter for the region or below.
    SetParameters,
    /// 比对疑点、核对报告: read the findings and household check reports of the region.
    ReadFindings,
    /// 疑点处理: assign, verify and resolve findings of the region.
    WorkFindings,
    /// 数据比对: take in departmental data and rosters, run the comparison of the region.
    RunComparisons,
    /// 家庭经济状况核对: check a household's income and assets with its authorisation.
    VerifyHouseholds,
    /// 审核确认: take the steps of a case's procedure that the role is for (survey, check, review, notice, decision).
    HandleCases,
    /// 重点工作推进表: read the key tasks of the region and their progress.
    ReadTasks,
    /// 进展填报: record a month's progress of a key task owned within the region.
    ReportProgress,
    /// 任务管理: enter and import the key tasks of the region.
    ManageTasks,
    /// 资金发放: read the payment lists, payments and bank results of the region.
    ReadPayments,
    /// 发放账户: record residents' payment accounts ("一卡通").
    ManagePaymentAccounts,
    /// 编制花名册: prepare a month's payment list, send its bank file, import the bank's return.
    PreparePayroll,
    /// 审核花名册: approve (a second person), send back and lock a month's payment list.
    ApprovePayroll,
    /// 数据驾驶舱: the figures of the region (people covered, spending, flows, findings, cases),
    /// in numbers only, drilled down to the regions below.
    ViewDashboard,
    /// 养老服务: read the institutions, their beds and residents, the ability assessments and the
    /// indicators of the region.
    ReadElderCare,
    /// 能力评估: record an ability assessment (GB/T 42195-2022) of a resident of the region.
    AssessAbility,
    /// 养老机构管理: take institutions' filings, record grades and closures, admissions and
    /// discharges.
    ManageInstitutions,
    /// 殡葬: read the deaths, cremations, basic-service relief and cremation rates of the region.
    ReadFuneral,
    /// 死亡登记: record a death with its medical death certificate (居家死亡 at the community;
    /// the county's funeral administration).
    RecordDeath,
    /// 火化登记: record a cremation, its basic-service relief (惠民殡葬) and the ashes'
    /// destination (the county's funeral administration).
    RecordCremation,
    /// 婚姻登记: read the marriages, divorce applications, refusals and figures registered by the
    /// offices of the region.
    ReadMarriage,
    /// 婚姻登记员: register marriages, receive divorce applications and issue divorce
    /// certificates at the county's office (婚姻登记机关).
    RegisterMarriage,
    /// 社会组织: read the social organisations registered by the offices of the region, their
    /// reports, ratings and credit list entries.
    ReadSocialOrgs,
    /// 社会组织登记管理: receive and decide registrations, record changes, penalties,
    /// deregistrations, annual reports, ratings and list entries (a county's or the city's
    /// registry office).
    ManageSocialOrgs,
    /// 地名: read the place-name registers of the counties of the region.
    ReadPlaceNames,
    /// 地名管理: take applications for names, record their review, consultation, approval,
    /// filing and announcement (a county's civil affairs bureau).
    ManagePlaceNames,
    /// 民政统计: read the monthly report of the region, its comparisons and the units behind each
    /// figure.
    ReadStatistics,
    /// 统计关账: close a county's month of the report (its figures frozen) and note corrections
    /// beside its figures (the county's bureau).
    CloseStatistics,
    /// 网格事件上报: report a grid event in the account's community (grid workers, community
    /// workers).
    ReportEvents,
    /// 工单: read the grid events, 12345 orders and petitions of the region, their history and
    /// the KPIs.
    ReadWorkOrders,
    /// 工单承办: sign and reply to the orders dispatched to the account's community.
    HandleWorkOrders,
    /// 工单派遣: file 12345 orders and petitions, accept, refer, dispatch, verify and close, send
    /// back, evaluate, extend and escalate (the street's and county's dispatch desks).
    DispatchWorkOrders,
    /// 网格管理: assign the community's grid workers to its grids (the community, its street).
    ManageGrids,
    /// 低收入人口动态监测: read the warnings of the region, the monitored population and the
    /// outcomes.
    ReadMonitoring,
    /// 预警处置: visit, decide and report back on the warnings of the region; escalate the
    /// overdue (the street and county).
    HandleWarnings,
    /// 监测运行: run the warning rules over the region.
    RunMonitoring,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::CommunityWorker,
        Role::GridWorker,
        Role::StreetReviewer,
        Role::CountyApprover,
        Role::VerificationOfficer,
        Role::CityAdmin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CommunityWorker => "community_worker",
            Role::GridWorker => "grid_worker",
            Role::StreetReviewer => "street_reviewer",
            Role::CountyApprover => "county_approver",
            Role::VerificationOfficer => "verification_officer",
            Role::CityAdmin => "city_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::CommunityWorker => "社区工作者",
            Role::GridWorker => "网格员",
            Role::StreetReviewer => "街道审核",
            Role::CountyApprover => "区县审批",
            Role::VerificationOfficer => "核对",
            Role::CityAdmin => "市级管理",
            Role::Auditor => "审计",
        }
    }

    /// The role's name on English pages.
    pub fn en(self) -> &'static str {
        match self {
            Role::CommunityWorker => "community worker",
            Role::GridWorker => "grid worker",
            Role::StreetReviewer => "street reviewer",
            Role::CountyApprover => "county approver",
            Role::VerificationOfficer => "verification officer",
            Role::CityAdmin => "city administrator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == s.trim() || r.zh() == s.trim())
    }

    /// The level of region an account of this role is bound to (auditors: any level).
    pub fn bound_level(self) -> Option<RegionLevel> {
        match self {
            Role::CommunityWorker | Role::GridWorker => Some(RegionLevel::Community),
            Role::StreetReviewer => Some(RegionLevel::Street),
            Role::CountyApprover | Role::VerificationOfficer => Some(RegionLevel::County),
            Role::CityAdmin => Some(RegionLevel::City),
            Role::Auditor => None,
        }
    }

    /// The role table.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::CommunityWorker => matches!(
                p,
                ReadRegistry
                    | WriteRegistry
                    | ImportRegistry
                    | ExportRegistry
                    | AcceptApplications
                    | CheckEligibility
                    | ReadFindings
                    | HandleCases
                    | ManagePaymentAccounts
                    | ReadElderCare
                    | AssessAbility
                    | ReadFuneral
                    | RecordDeath
                    | ReportEvents
                    | ReadWorkOrders
                    | HandleWorkOrders
                    | ManageGrids
                    | ReadMonitoring
                    | HandleWarnings
            ),
            Role::GridWorker => {
                matches!(
                    p,
                    ReadRegistry
                        | WriteRegistry
                        | HandleCases
                        | ReportEvents
                        | ReadWorkOrders
                        | HandleWorkOrders
                        | ReadMonitoring
                        | HandleWarnings
                )
            }
            Role::StreetReviewer => matches!(
                p,
                ReadRegistry
                    | ExportRegistry
                    | CheckEligibility
                    | ReadFindings
                    | WorkFindings
                    | HandleCases
                    | ReadTasks
                    | ReportProgress
                    | ViewDashboard
                    | ReadElderCare
                    | ReadFuneral
                    | ReadStatistics
                    | ReadWorkOrders
                    | DispatchWorkOrders
                    | ManageGrids
                    | ReadMonitoring
                    | HandleWarnings
            ),
            Role::CountyApprover => matches!(
                p,
                ReadRegistry
                    | ExportRegistry
                    | CheckEligibility
                    | RunSweeps
                    | ReadFindings
                    | WorkFindings
                    | HandleCases
                    | ReadTasks
                    | ReportProgress
                    | ReadPayments
                    | ManagePaymentAccounts
                    | PreparePayroll
                    | ApprovePayroll
                    | ViewDashboard
                    | ReadElderCare
                    | AssessAbility
                    | ManageInstitutions
                    | ReadFuneral
                    | RecordDeath
                    | RecordCremation
                    | ReadMarriage
                    | RegisterMarriage
                    | ReadSocialOrgs
                    | ManageSocialOrgs
                    | ReadPlaceNames
                    | ManagePlaceNames
                    | ReadStatistics
                    | CloseStatistics
                    | ReadWorkOrders
                    | DispatchWorkOrders
                    | ReadMonitoring
                    | HandleWarnings
                    | RunMonitoring
            ),
            Role::VerificationOfficer => matches!(
                p,
                ReadRegistry
                    | CheckEligibility
                    | RunSweeps
                    | ReadFindings
                    | WorkFindings
                    | RunComparisons
                    | VerifyHouseholds
                    | HandleCases
                    | ReadMonitoring
                    | RunMonitoring
            ),
            Role::CityAdmin => {
                matches!(
                    p,
                    ReadRegistry
                        | ImportRegistry
                        | ExportRegistry
                        | ManageUsers
                        | CheckEligibility
                        | RunSweeps
                        | SetParameters
                        | ReadFindings
                        | RunComparisons
                        | ReadTasks
                        | ReportProgress
                        | ManageTasks
                        | ReadPayments
                        | ViewDashboard
                        | ReadElderCare
                        | ReadFuneral
                        | ReadMarriage
                        | ReadSocialOrgs
                        | ManageSocialOrgs
                        | ReadPlaceNames
                        | ReadStatistics
                        | ReadWorkOrders
                        | ReadMonitoring
                        | RunMonitoring
                )
            }
            Role::Auditor => {
                matches!(
                    p,
                    ReadRegistry
                        | ReadAudit
                        | ReadFindings
                        | ReadTasks
                        | ReadPayments
                        | ViewDashboard
                        | ReadElderCare
                        | ReadFuneral
                        | ReadMarriage
                        | ReadSocialOrgs
                        | ReadPlaceNames
                        | ReadStatistics
                        | ReadWorkOrders
                        | ReadMonitoring
                )
            }
        }
    }

    /// Whether the role sees full ID and phone numbers without asking (the others see them
    /// masked and unmask one with a stated reason, which is audited).
    pub fn sees_full_identity(self) -> bool {
        matches!(self, Role::CommunityWorker | Role::StreetReviewer | Role::CountyApprover | Role::VerificationOfficer)
    }
}

/// 当前用户: an authenticated account acting now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub name: String,
    pub role: Role,
    pub region: RegionCode,
}

impl Principal {
    /// Whether `code` is the account's region or below it.
    pub fn in_scope(&self, code: &RegionCode) -> bool {
        self.region.contains(code)
    }

    pub fn may(&self, p: Permission) -> bool {
        self.role.allows(p)
    }

    /// May the account act on a record of `code` with permission `p`?
    pub fn may_on(&self, p: Permission, code: &RegionCode) -> bool {
        self.may(p) && self.in_scope(code)
    }
}

/// Why an account cannot be bound as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {role} account is bound to a {expected} region, not to {code} (a {actual})")]
pub struct BindingError {
    pub role: &'static str,
    pub expected: &'static str,
    pub code: String,
    pub actual: &'static str,
}

impl crate::Bilingual for BindingError {
    fn zh(&self) -> String {
        format!(
            "{}账号应绑定到{}级区划，而{}是{}级",
            Role::parse(self.role).map(Role::zh).unwrap_or(self.role),
            self.expected,
            self.code,
            self.actual
        )
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Checks that a role may be bound to a region of that level.
pub fn check_binding(role: Role, region: &RegionCode) -> Result<(), BindingError> {
    match role.bound_level() {
        Some(level) if level != region.level() => {
            Err(BindingError { role: role.as_str(), expected: level.as_str(), code: region.to_string(), actual: region.level().as_str() })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("code")
    }

    #[test]
    fn an_account_acts_only_within_its_region() {
        let worker = Principal { name: "w".into(), role: Role::CommunityWorker, region: code("210112009001") };
        assert!(worker.may_on(Permission::ReadRegistry, &code("210112009001")));
        assert!(!worker.may_on(Permission::ReadRegistry, &code("210112009002")), "the next community is out of scope");
        assert!(!worker.may_on(Permission::ReadRegistry, &code("210112")), "the county above is out of scope");
        let county = Principal { name: "c".into(), role: Role::CountyApprover, region: code("210112") };
        assert!(county.may_on(Permission::ReadRegistry, &code("210112009001")));
        assert!(!county.may_on(Permission::ReadRegistry, &code("210102001002")), "和平区 is not 浑南区");
    }

    #[test]
    fn auditors_read_but_never_change() {
        for p in [Permission::WriteRegistry, Permission::ImportRegistry, Permission::ManageUsers] {
            assert!(!Role::Auditor.allows(p), "{p:?}");
        }
        assert!(Role::Auditor.allows(Permission::ReadAudit));
        assert!(Role::Auditor.allows(Permission::ReadRegistry));
        assert!(Role::ALL.iter().filter(|r| r.allows(Permission::ReadAudit)).count() == 1, "only auditors read the audit log");
    }

    #[test]
    fn roles_are_bound_to_regions_of_their_level() {
        assert!(check_binding(Role::CommunityWorker, &code("210112009001")).is_ok());
        assert!(check_binding(Role::CommunityWorker, &code("210112")).is_err());
        assert!(check_binding(Role::CountyApprover, &code("210112")).is_ok());
        assert!(check_binding(Role::CityAdmin, &code("2101")).is_ok());
        assert!(check_binding(Role::Auditor, &code("210112009")).is_ok());
        let e = check_binding(Role::StreetReviewer, &code("2101")).expect_err("wrong level");
        use crate::Bilingual;
        assert!(e.zh().contains("街道审核"), "{}", e.zh());
    }

    #[test]
    fn roles_read_from_their_names_in_both_languages() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(Role::parse(r.zh()), Some(r));
        }
    }
}
