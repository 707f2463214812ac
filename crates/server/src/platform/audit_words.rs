//! The audit log in an auditor's words: operations and objects by name (查询, 住户), and a
//! record's content as "field: value" pairs instead of raw JSON. The stored codes are kept; an
//! unknown one is shown as it is.

/// The operations of the log: code, Chinese, English.
pub(crate) const ACTIONS: &[(&str, &str, &str)] = &[
    ("read", "查询", "read"),
    ("list", "列表查询", "list"),
    ("list_cases", "列表查询", "list"),
    ("count_cases", "统计办件", "count cases"),
    ("export", "导出", "export"),
    ("unmask", "查看完整信息", "show in full"),
    ("import", "导入", "import"),
    ("import_cases", "导入办件", "import cases"),
    ("load", "加载", "load"),
    ("create", "新增", "add"),
    ("add", "新增", "add"),
    ("update", "修改", "change"),
    ("change", "修改", "change"),
    ("upsert", "修改", "change"),
    ("set", "修改", "change"),
    ("accept", "受理", "accept"),
    ("refused", "拒绝办理", "refused"),
    ("access_refused", "越权访问被拒", "access refused"),
    ("csrf_refused", "表单来源校验失败", "form check failed"),
    ("login", "登录", "sign in"),
    ("logout", "退出", "sign out"),
    ("login_failed", "登录失败", "sign-in failed"),
    ("login_rate_limited", "登录过于频繁被限制", "sign-ins limited"),
    ("set_password", "修改密码", "change password"),
    ("lookup_for_acceptance", "受理时查询申请人", "look up an applicant"),
    ("lookup_documents", "一次性告知：查询尚缺材料", "one-time notice: documents missing"),
    ("receipt", "打印受理回执", "print a receipt"),
    ("read_case", "查看办件", "read a case"),
    ("upload_document", "上传材料", "upload a document"),
    ("read_document", "查看材料", "read a document"),
    ("sweep", "政策测算", "sweep"),
    ("whatif", "提标测算", "what-if"),
    ("verify", "家庭经济状况核对", "household check"),
    ("tag_absent", "标记人户分离", "tag as absent"),
    ("assign", "分派", "assign"),
    ("resolve", "处理", "resolve"),
    ("false_positive", "排除误报", "false positive"),
    ("prepare", "编制发放名册", "prepare a payment list"),
    ("approve", "审核", "approve"),
    ("send_back", "退回", "send back"),
    ("lock", "锁定", "lock"),
    ("bank_return", "银行回盘", "bank return"),
    ("read_payments", "查询发放记录", "read payments"),
    ("save_accounts", "保存发放账户", "save accounts"),
    ("open_recoveries", "立案追回", "open recoveries"),
    ("repay", "退回资金", "repay"),
    ("write_off", "核销", "write off"),
    ("plan", "约定分期扣减", "agree monthly instalments"),
    ("deduct", "从发放中扣减", "deduct from a payment"),
    ("file_staff_relative", "工作人员近亲属备案", "file a relative of staff"),
    ("withdraw_staff_relative", "撤销近亲属备案", "withdraw a filing of a relative of staff"),
    ("check_amounts", "按规则核对发放金额", "check amounts against the rules"),
    ("save_institution_account", "登记供养机构账户", "record an institution's account"),
    ("set_budget", "设定预算", "set a budget"),
    ("set_calendar", "设定工作日历", "set the calendar"),
    ("add_tasks", "新增重点工作", "add key tasks"),
    ("report_progress", "填报进度", "report progress"),
    ("contacts", "查看政策找人联系名单", "read a contact list"),
    ("set_display_name", "登记工作人员姓名", "record a staff name"),
];

pub(crate) fn action(code: &str, zh: bool) -> String {
    ACTIONS.iter().find(|(c, _, _)| *c == code).map_or_else(|| code.to_string(), |(_, z, e)| if zh { z } else { e }.to_string())
}

/// The objects of the log: code, Chinese, English.
pub(crate) const ENTITIES: &[(&str, &str, &str)] = &[
    ("person", "人员", "person"),
    ("household", "住户", "household"),
    ("registry", "人口库", "registry"),
    ("regions", "行政区划", "regions"),
    ("account", "账号", "account"),
    ("session", "会话", "session"),
    ("route", "功能", "function"),
    ("audit_log", "审计日志", "audit log"),
    ("case", "办件", "case"),
    ("calendar", "工作日历", "calendar"),
    ("enrolment", "保障对象", "enrolment"),
    ("enrolments", "保障对象", "enrolment"),
    ("finding", "比对疑点", "finding"),
    ("findings", "比对疑点", "finding"),
    ("dept_record", "部门数据", "department record"),
    ("economic_batch", "经济状况数据批次", "economic data batch"),
    ("household_check", "核对报告", "check report"),
    ("parameter", "政策参数", "parameter"),
    ("policy_run", "测算", "policy run"),
    ("payroll", "发放名册", "payment list"),
    ("payment_accounts", "发放账户", "payment accounts"),
    ("recovery", "追回", "recovery"),
    ("recoveries", "追回", "recovery"),
    ("staff_relative", "工作人员近亲属备案", "filing of a relative of staff"),
    ("staff_relatives", "工作人员近亲属备案", "register of relatives of staff"),
    ("institution_account", "供养机构账户", "institution account"),
    ("budget", "预算", "budget"),
    ("key_task", "重点工作", "key task"),
    ("key_tasks", "重点工作", "key task"),
];

pub(crate) fn entity(code: &str, zh: bool) -> String {
    ENTITIES.iter().find(|(c, _, _)| *c == code).map_or_else(|| code.to_string(), |(_, z, e)| if zh { z } else { e }.to_string())
}

/// A record's content, readable: `键：值；…` for an object (nested values in short), at most
/// 160 characters.
pub(crate) fn detail(v: &serde_json::Value, zh: bool) -> String {
    let text = match v {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => "—".into(),
                    other => other.to_string(),
                };
                format!("{}{}{value}", field(k, zh), if zh { "：" } else { ": " })
            })
            .collect::<Vec<_>>()
            .join(if zh { "；" } else { "; " }),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out: String = text.chars().take(160).collect();
    if text.chars().count() > 160 {
        out.push('…');
    }
    out
}

fn field(key: &str, zh: bool) -> String {
    if !zh {
        return key.replace('_', " ");
    }
    match key {
        "role" => "角色",
        "region" => "区划",
        "status" => "状态",
        "reason" => "理由",
        "rows" => "行数",
        "count" => "数量",
        "ids" => "编号",
        "needs" => "所需权限",
        "comment" => "意见",
        "detail" => "内容",
        "program" => "保障项目",
        "month" => "月份",
        "amount" => "金额",
        "total" => "合计",
        "query" => "查询条件",
        "source" => "来源",
        "file" => "文件",
        "instalment" => "每月扣减",
        "repaid" => "已追回",
        "relation" => "亲属关系",
        "relative" => "近亲属",
        "staff_name" => "工作人员",
        "staff_unit" => "所在单位",
        "removed_on" => "撤销日期",
        "payroll" => "发放名册",
        "bank" => "开户银行",
        "account_no" => "账号",
        "name" => "名称",
        "lines" => "笔数",
        "differ" => "不符笔数",
        _ => return key.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auditor_reads_names_not_codes() {
        assert_eq!(action("unmask", true), "查看完整信息");
        assert_eq!(entity("household", true), "住户");
        assert_eq!(action("something_new", true), "something_new", "an unknown code as it is");
        let d = detail(&serde_json::json!({ "role": "审计", "reason": "核查", "ids": [1, 2] }), true);
        for part in ["编号：[1,2]", "理由：核查", "角色：审计"] {
            assert!(d.contains(part), "{d}");
        }
        assert!(!d.contains('{') && !d.contains('"'), "{d}");
    }
}
