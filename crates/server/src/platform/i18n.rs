//! 中文 / English: the pages speak Chinese by default; the `mz_lang` cookie (set by `/lang/en`
//! and `/lang/zh`) switches them. Every text on the pages is here, in both languages.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub const COOKIE: &str = "mz_lang";

impl Lang {
    /// The language a request asks for (its cookie), Chinese by default.
    pub fn of(headers: &HeaderMap) -> Lang {
        let en = headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .any(|(k, v)| k == COOKIE && v == "en");
        if en {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// The words of the pages.
pub struct Text {
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub other_lang_href: &'static str,
    pub brand: &'static str,
    pub sub: &'static str,
    pub check_eligibility: &'static str,
    pub sign_out: &'static str,
    pub sign_in: &'static str,
    pub account: &'static str,
    pub password: &'static str,
    pub home: &'static str,
    pub work_queue: &'static str,
    pub no_work: &'static str,
    pub platforms: &'static str,
    pub coming: &'static str,
    pub residents: &'static str,
    pub region_code: &'static str,
    pub region_placeholder: &'static str,
    pub name: &'static str,
    pub name_placeholder: &'static str,
    pub search: &'static str,
    pub scope: &'static str,
    pub residents_hint: &'static str,
    pub nothing_found: &'static str,
    pub date_from: &'static str,
    pub date_to: &'static str,
    pub id_number: &'static str,
    pub sex: &'static str,
    pub birth_date: &'static str,
    pub relation: &'static str,
    pub status: &'static str,
    pub household_no: &'static str,
    pub tags: &'static str,
    pub next_page: &'static str,
    pub household: &'static str,
    pub community: &'static str,
    pub address: &'static str,
    pub grid: &'static str,
    pub building: &'static str,
    pub kind: &'static str,
    pub members: &'static str,
    pub changes: &'static str,
    pub no_changes: &'static str,
    pub time: &'static str,
    pub operator: &'static str,
    pub object: &'static str,
    pub change: &'static str,
    pub back_to_community: &'static str,
    pub audit_log: &'static str,
    pub action: &'static str,
    pub role: &'static str,
    pub region: &'static str,
    pub key: &'static str,
    pub detail: &'static str,
    pub export_excel: &'static str,
    pub no_records: &'static str,
    pub earlier: &'static str,
    pub unmask: &'static str,
    pub reason: &'static str,
    pub unmasked_title: &'static str,
    pub phone: &'static str,
    pub unmask_note: &'static str,
    pub distribution: &'static str,
}

pub static ZH: Text = Text {
    lang: "zh-CN",
    other_lang: "English",
    other_lang_href: "/lang/en",
    brand: "民政服务管理平台",
    sub: "Minzheng · 基层治理 人口信息",
    check_eligibility: "资格核算（各救助项目）",
    sign_out: "退出",
    sign_in: "登录",
    account: "账号",
    password: "密码",
    home: "工作台",
    work_queue: "待办",
    no_work: "本角色没有办件待办。",
    platforms: "业务系统",
    coming: "建设中",
    residents: "居民查询",
    region_code: "区划代码",
    region_placeholder: "代码或名称，如 浑南区",
    name: "姓名",
    name_placeholder: "姓名、姓或身份证号",
    search: "查询",
    scope: "范围",
    residents_hint: "输入社区、街道或区县的区划代码，或输入姓名查询。",
    nothing_found: "未找到符合条件的记录",
    date_from: "起始日期",
    date_to: "截止日期",
    id_number: "身份证号",
    sex: "性别",
    birth_date: "出生日期",
    relation: "与户主关系",
    status: "状态",
    household_no: "户号",
    tags: "标签",
    next_page: "下一页 →",
    household: "户",
    community: "所属社区",
    address: "住址",
    grid: "网格",
    building: "楼栋",
    kind: "城乡属性",
    members: "家庭成员",
    changes: "变更记录",
    no_changes: "暂无变更（导入后未修改）。",
    time: "时间",
    operator: "操作人",
    object: "对象",
    change: "变更内容",
    back_to_community: "← 返回本社区居民",
    audit_log: "审计日志",
    action: "操作",
    role: "角色",
    region: "区划",
    key: "标识",
    detail: "内容",
    export_excel: "导出 Excel",
    no_records: "没有符合条件的记录。",
    earlier: "更早 →",
    unmask: "查看完整号码",
    reason: "查看理由",
    unmasked_title: "完整信息",
    phone: "联系电话",
    unmask_note: "本次查看及理由已记入审计日志。",
    distribution: "居民分布",
};

pub static EN: Text = Text {
    lang: "en",
    other_lang: "中文",
    other_lang_href: "/lang/zh",
    brand: "Minzheng",
    sub: "Civil affairs platform · residents registry",
    check_eligibility: "Check eligibility (all programs)",
    sign_out: "Sign out",
    sign_in: "Sign in",
    account: "Account",
    password: "Password",
    home: "Home",
    work_queue: "Work queue",
    no_work: "This role has no cases to work.",
    platforms: "Sub-platforms",
    coming: "coming",
    residents: "Residents",
    region_code: "Region code",
    region_placeholder: "code or name, e.g. 浑南区",
    name: "Name",
    name_placeholder: "name, surname or ID number",
    search: "Search",
    scope: "Scope",
    residents_hint: "Enter the code of a community, street or county, or a name.",
    nothing_found: "Nothing matches",
    date_from: "From",
    date_to: "To",
    id_number: "ID number",
    sex: "Sex",
    birth_date: "Birth date",
    relation: "Relation to head",
    status: "Status",
    household_no: "Household",
    tags: "Tags",
    next_page: "Next page →",
    household: "Household",
    community: "Community",
    address: "Address",
    grid: "Grid",
    building: "Building",
    kind: "Urban/rural",
    members: "Members",
    changes: "Changes",
    no_changes: "No changes since it was imported.",
    time: "Time",
    operator: "By",
    object: "Record",
    change: "Change",
    back_to_community: "← Back to the community's residents",
    audit_log: "Audit log",
    action: "Action",
    role: "Role",
    region: "Region",
    key: "Key",
    detail: "Detail",
    export_excel: "Export to Excel",
    no_records: "No matching records.",
    earlier: "Earlier →",
    unmask: "Show full numbers",
    reason: "Reason",
    unmasked_title: "Full details",
    phone: "Phone",
    unmask_note: "This view and its reason are in the audit log.",
    distribution: "Residents by region",
};
