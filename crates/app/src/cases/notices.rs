//! 公示 and decision letters as PDF.

use super::*;
#[allow(unused_imports)]
use crate::RequestContext;

/// The public notice list (公示名单) of a community: cases in notice there, with the name,
/// household size and amount only (children are never noticed).
pub async fn notice_list(
    store: &dyn Store,
    cx: &RequestContext<'_>,
    community: &minzheng_domain::RegionCode,
) -> Result<Vec<Case>, CaseFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    if !who.in_scope(community) {
        store.audit(actor, &[refused_entry(community.as_str(), "notice_list")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .search_cases(&CaseQuery {
                community: Some(community.clone()),
                status: Some(CaseStatus::Notice),
                before,
                limit: 500,
                ..CaseQuery::default()
            })
            .await?;
        out.extend(page.items.into_iter().filter(|c| !c.child));
        match page.next.and_then(|n| n.parse().ok()) {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    store.audit(actor, &[CaseAudit::NoticesListed(community).entry()]).await?;
    Ok(out)
}

/// 公示名单 as PDF.
pub fn notice_pdf(community_name: &str, cases: &[Case], program_name: impl Fn(&str) -> String) -> Vec<u8> {
    use crate::pdf::Block;
    let mut blocks = vec![
        Block::Title(format!("{community_name}社会救助审核确认公示")),
        Block::Paragraph("根据《社会救助暂行办法》和《最低生活保障审核确认办法》，现将以下申请对象予以公示，公示期 7 天。对公示对象有异议的，请在公示期内向社区（村）或街道（乡镇）反映。拟保障金额为按政策规则核算的金额；标注“待审批核定”的，由审批机关依核对结果核定。".into()),
    ];
    blocks.push(Block::Table {
        widths: vec![1.0, 2.0, 2.6, 1.4, 1.8, 2.4],
        header: vec!["序号".into(), "申请人".into(), "项目".into(), "家庭人口".into(), "拟保障金额（元/月）".into(), "公示期".into()],
        rows: cases
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    (i + 1).to_string(),
                    c.applicant_name.clone(),
                    program_name(&c.program),
                    c.household_size.to_string(),
                    // Nothing by the rules (the recorded income or assets exceed them): the
                    // amount is for the approving authority to decide, not "0.00".
                    match c.file.proposed {
                        Some(f) if f.0 > 0 => f.to_string(),
                        _ => "待审批核定".into(),
                    },
                    format!(
                        "{} 至 {}",
                        c.notice_from.map(|d| d.to_string()).unwrap_or_default(),
                        c.notice_until.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ]
            })
            .collect(),
    });
    if cases.is_empty() {
        blocks.push(Block::Paragraph("本社区目前没有公示中的申请。".into()));
    }
    crate::pdf::render("社会救助审核确认公示", &blocks)
}

/// The decision letter (批准通知书) or the refusal letter with its reason (不予批准决定书).
pub fn decision_pdf(case: &Case, service: &Service, owner_name: &str) -> Option<Vec<u8>> {
    use crate::pdf::Block;
    let d = case.file.decision.as_ref()?;
    let title = if d.approved { "社会救助审批通知书" } else { "不予批准社会救助决定书" };
    let mut fields = vec![
        ("办件编号".to_string(), format!("QSTB-{:08}", case.id)),
        ("申请人".into(), format!("{}（{}）", case.applicant_name, case.applicant.masked())),
        ("申请事项".into(), service.zh.clone()),
        ("受理日期".into(), case.accepted_on.to_string()),
        ("决定日期".into(), d.on.to_string()),
        ("决定机关".into(), if case.delegated { format!("{owner_name}（审批权限下放，街道审批）") } else { format!("{owner_name}民政局") }),
    ];
    let mut blocks = vec![Block::Title(title.into())];
    if d.approved {
        match (d.amount, service.amount_given) {
            (Some(a), true) => fields.push(("救助金额（一次性）".into(), format!("{a} 元"))),
            (Some(a), false) => fields.push(("月保障金额".into(), format!("{a} 元"))),
            (None, _) => {}
        }
        if let Some(b) = d.band {
            fields.push(("审批档次".into(), b.zh().to_string()));
        }
        if let Some(s) = d.start {
            fields.push(("发放起始月份".into(), s.format("%Y年%m月").to_string()));
        }
        if let Some(r) = d.review_on {
            fields.push(("下次复核日期".into(), r.to_string()));
        }
        if let Some(e) = d.exit_until {
            fields.push(("渐退期至".into(), e.format("%Y年%m月").to_string()));
        }
        blocks.push(Block::Fields(fields));
        blocks.push(Block::Paragraph(format!("经审核，您的申请符合条件，决定予以批准。依据：{}。", service.basis)));
    } else {
        blocks.push(Block::Fields(fields));
        blocks.push(Block::Heading("不予批准的理由".into()));
        blocks.push(Block::Paragraph(d.reason.clone()));
        blocks.push(Block::Paragraph(format!(
            "依据：{}。如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
            service.basis
        )));
    }
    Some(crate::pdf::render(title, &blocks))
}

/// The case as the window that accepted it may print its receipt (受理回执): the accepting
/// community (with the name masked as its limited view shows it, when the household is not its
/// own), besides the owning county and the household's street and community. Audited.
pub async fn for_receipt(store: &dyn Store, cx: &RequestContext<'_>, id: i64) -> Result<Case, CaseFailure> {
    let (who, actor) = (cx.who, cx.actor);
    if !who.may(Permission::ReadRegistry) {
        return Err(AccessError::Forbidden.into());
    }
    let mut c = store.case(id).await?.ok_or(AccessError::NotFound)?;
    let handles = who.in_scope(&c.owner) || who.in_scope(&c.community);
    // The accepting window itself (not its street or county): the name as the limited view shows it.
    if !(handles || who.region == c.accepted_at) {
        store.audit(actor, &[refused_entry(&id.to_string(), "receipt")]).await?;
        return Err(AccessError::OutOfScope.into());
    }
    if !handles {
        c.applicant_name = mask_name(&c.applicant_name);
    }
    store.audit(actor, &[CaseAudit::ReceiptRead(id).entry()]).await?;
    Ok(c)
}

/// 受理回执: what the applicant takes home from the window: the case number to ask after it,
/// what was applied for, the documents received, who decides and by when.
/// (《社会救助暂行办法》第十一条; 全市通办: accepted anywhere, decided by the hukou county.)
pub fn receipt_pdf(case: &Case, service: &Service, accepted_at_name: &str, owner_name: &str) -> Vec<u8> {
    use crate::pdf::Block;
    let received: Vec<String> = case
        .file
        .documents
        .iter()
        .map(|code| service.documents.iter().find(|d| &d.code == code).map_or(code.clone(), |d| d.zh.clone()))
        .collect();
    let replaced: Vec<String> = service
        .documents
        .iter()
        .filter(|d| d.replaced(case.accepted_on) && !case.file.documents.contains(&d.code))
        .map(|d| format!("{}（{}）", d.zh, minzheng_domain::case::shared_data_name(d.replaced_by.as_deref().unwrap_or(""), true)))
        .collect();
    let title = "受理回执";
    let blocks = vec![
        Block::Title(title.into()),
        Block::Fields(vec![
            ("办件编号".into(), format!("QSTB-{:08}", case.id)),
            ("申请人".into(), format!("{}（{}）", case.applicant_name, case.applicant.masked())),
            ("申请事项".into(), service.zh.clone()),
            ("受理日期".into(), case.accepted_on.to_string()),
            ("受理地点".into(), accepted_at_name.to_string()),
            ("审批机关".into(), format!("{owner_name}民政局")),
            ("办结时限".into(), format!("{}前作出决定", case.due)),
        ]),
        Block::Heading("已收取的申请材料".into()),
        Block::Paragraph(if received.is_empty() { "无".into() } else { received.join("、") }),
        Block::Heading("由共享数据核验、无需提交的材料".into()),
        Block::Paragraph(if replaced.is_empty() { "无".into() } else { replaced.join("、") }),
        Block::Paragraph(
            "您的申请已受理。工作人员将入户调查、核对家庭经济状况并按规定公示，审批结果将书面告知。可凭办件编号在任一社区窗口查询办理进度。"
                .into(),
        ),
    ];
    crate::pdf::render(title, &blocks)
}

/// 一次性告知书: when an application cannot be accepted for documents missing, everything still
/// to bring, told at once and in writing, so the applicant comes back only once.
pub fn missing_documents_pdf(
    service: &Service,
    applicant_name: &str,
    missing: &[&minzheng_domain::case::Document],
    on: NaiveDate,
    community_name: &str,
) -> Vec<u8> {
    use crate::pdf::Block;
    let title = "一次性告知书";
    let mut rows: Vec<Vec<String>> = missing.iter().enumerate().map(|(i, d)| vec![(i + 1).to_string(), d.zh.clone()]).collect();
    if rows.is_empty() {
        rows.push(vec!["—".into(), "材料齐全".into()]);
    }
    let blocks = vec![
        Block::Title(title.into()),
        Block::Fields(vec![
            ("申请人".into(), applicant_name.to_string()),
            ("申请事项".into(), service.zh.clone()),
            ("告知日期".into(), on.to_string()),
            ("告知单位".into(), community_name.to_string()),
        ]),
        Block::Paragraph("您申请的事项尚缺下列材料，请补齐后到任一社区窗口提交，我们将当场受理：".into()),
        Block::Table { widths: vec![0.12, 0.88], header: vec!["序号".into(), "材料".into()], rows },
        Block::Paragraph(format!("办理依据：{}。以上为需补齐的全部材料，不再要求其他材料。", service.basis)),
    ];
    crate::pdf::render(title, &blocks)
}
