//! 追回: what was paid for months after an enrolment's end (停发月份), found from the locked
//! payment lists, and how it is recovered: repayments until settled, or a write-off with its
//! reason. Basis: 《社会救助暂行办法》第六十八条 (采取虚报、隐瞒、伪造等手段骗取社会救助资金的，
//! 决定停止救助，责令退回非法获取的救助资金); money paid after a death is recovered through the
//! bank (《最低生活保障审核确认办法》第三十三条).
//!
//! Pure: lines and enrolments in, overpayments out.

use super::model::PayrollLine;
use chrono::NaiveDate;
use minzheng_domain::{Bilingual, Enrolment, Fen, IdNumber, RegionCode};
use serde::Serialize;

/// 追回状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryStatus {
    /// 待追回.
    Open,
    /// 追回中: part repaid.
    Repaying,
    /// 已追回.
    Settled,
    /// 已核销: written off with a reason (the payee died without estate, ...).
    WrittenOff,
}

impl RecoveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryStatus::Open => "open",
            RecoveryStatus::Repaying => "repaying",
            RecoveryStatus::Settled => "settled",
            RecoveryStatus::WrittenOff => "written_off",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            RecoveryStatus::Open => "待追回",
            RecoveryStatus::Repaying => "追回中",
            RecoveryStatus::Settled => "已追回",
            RecoveryStatus::WrittenOff => "已核销",
        }
    }
    pub fn parse(s: &str) -> Option<RecoveryStatus> {
        [RecoveryStatus::Open, RecoveryStatus::Repaying, RecoveryStatus::Settled, RecoveryStatus::WrittenOff]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    /// After `repaid` of `amount`.
    pub fn after_repayment(repaid: Fen, amount: Fen) -> RecoveryStatus {
        if repaid.0 >= amount.0 {
            RecoveryStatus::Settled
        } else if repaid.0 > 0 {
            RecoveryStatus::Repaying
        } else {
            RecoveryStatus::Open
        }
    }
}

/// 多发资金: one payee's months paid after the enrolment's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overpayment {
    /// Store key; 0 before it is stored.
    pub id: i64,
    pub enrolment_id: i64,
    pub program: String,
    /// The paying county.
    pub county: RegionCode,
    pub household_no: String,
    pub payee: IdNumber,
    pub payee_name: String,
    /// The months paid that should not have been.
    pub months: Vec<NaiveDate>,
    pub amount: Fen,
    pub repaid: Fen,
    pub status: RecoveryStatus,
    /// Why: the end month and what set it.
    pub reason: String,
    /// 分期扣减: the amount agreed to be deducted each month from the enrolment's later
    /// payments until settled (0: no plan; repaid by hand).
    pub instalment: Fen,
}

/// The overpayments of `lines` (lines of locked lists, with whether the bank credited them)
/// for enrolments that have an end month, or members with their own (a member's part stopped):
/// every month at or after the payee's end that was paid.
pub fn overpayments(enrolment: &Enrolment, lines: &[(&PayrollLine, bool)]) -> Vec<Overpayment> {
    // The payee's end: the enrolment's, or the member's own when earlier.
    let end_of = |payee: IdNumber| {
        let own = enrolment.members.iter().find(|m| m.id_number == payee).and_then(|m| m.end);
        match (enrolment.end, own) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let mut by_payee: std::collections::BTreeMap<IdNumber, Overpayment> = std::collections::BTreeMap::new();
    for (l, credited) in lines {
        if !credited || l.enrolment_id != enrolment.id || l.months.is_empty() {
            continue;
        }
        let Some(end) = end_of(l.payee) else { continue };
        // The line's gross shared equally over its months (a month's amount, or arrears).
        let per_month = (l.amount.0 + l.arrears.0) / i64::try_from(l.months.len()).unwrap_or(1);
        for m in l.months.iter().filter(|m| **m >= end) {
            let o = by_payee.entry(l.payee).or_insert_with(|| Overpayment {
                id: 0,
                enrolment_id: enrolment.id,
                program: enrolment.program.clone(),
                county: enrolment.county.clone(),
                household_no: enrolment.household_no.clone(),
                payee: l.payee,
                payee_name: l.payee_name.clone(),
                months: Vec::new(),
                amount: Fen(0),
                repaid: Fen(0),
                status: RecoveryStatus::Open,
                reason: format!("停发月份 {} 之后仍已发放", end.format("%Y-%m")),
                instalment: Fen(0),
            });
            if !o.months.contains(m) {
                o.months.push(*m);
                o.amount += Fen(per_month);
            }
        }
    }
    let mut out: Vec<Overpayment> = by_payee.into_values().collect();
    for o in &mut out {
        o.months.sort_unstable();
    }
    out
}

/// Why a recovery step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    #[error("a repayment is more than zero and at most the {0} yuan still owed")]
    Amount(Fen),
    #[error("this recovery is {0}: it takes no more steps")]
    Closed(&'static str),
    #[error("a write-off needs its reason (at least 4 characters)")]
    NoReason,
    #[error("a monthly instalment is zero (no plan) or more, and at most the {0} yuan still owed")]
    Instalment(Fen),
    #[error("the enrolment this was paid under is no longer paid: nothing can be deducted from it; record repayments instead")]
    NothingToDeductFrom,
}

impl Bilingual for RecoveryError {
    fn zh(&self) -> String {
        match self {
            RecoveryError::Amount(left) => format!("还款金额应大于零且不超过尚欠的 {left} 元"),
            RecoveryError::Closed(s) => format!("该笔追回{s}，不能再操作"),
            RecoveryError::NoReason => "核销须写明原因（至少 4 个字）".into(),
            RecoveryError::Instalment(left) => format!("每月扣减金额应不小于零（零为取消扣减）且不超过尚欠的 {left} 元"),
            RecoveryError::NothingToDeductFrom => "该笔多发所属的在保记录已停发，无法从以后的发放中扣减；请登记还款或核销".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Checks a repayment against what is still owed.
pub fn check_repayment(o: &Overpayment, amount: Fen) -> Result<RecoveryStatus, RecoveryError> {
    if matches!(o.status, RecoveryStatus::Settled | RecoveryStatus::WrittenOff) {
        return Err(RecoveryError::Closed(o.status.zh()));
    }
    let left = o.amount - o.repaid;
    if amount.0 <= 0 || amount.0 > left.0 {
        return Err(RecoveryError::Amount(left));
    }
    Ok(RecoveryStatus::after_repayment(o.repaid + amount, o.amount))
}

/// Checks a recovery plan: what is still owed, and an enrolment still paid to deduct it from.
pub fn check_instalment(o: &Overpayment, instalment: Fen, still_paid: bool) -> Result<(), RecoveryError> {
    if matches!(o.status, RecoveryStatus::Settled | RecoveryStatus::WrittenOff) {
        return Err(RecoveryError::Closed(o.status.zh()));
    }
    let left = o.amount - o.repaid;
    if instalment.0 < 0 || instalment.0 > left.0 {
        return Err(RecoveryError::Instalment(left));
    }
    if instalment.0 > 0 && !still_paid {
        return Err(RecoveryError::NothingToDeductFrom);
    }
    Ok(())
}

/// 分期扣减: what a month's list deducts from each enrolment's payment: the instalments of its
/// open recoveries that have a plan, each at most what it still owes. (The list's lines take
/// no more than they pay: see `model::prepare`.)
pub fn deductions(recoveries: &[Overpayment]) -> std::collections::HashMap<i64, Fen> {
    let mut out = std::collections::HashMap::new();
    for (o, plan) in recoveries.iter().filter_map(|o| o.plan().map(|p| (o, p))) {
        let take = plan.instalment.0.min(plan.owed.0);
        if take > 0 {
            *out.entry(o.enrolment_id).or_insert(Fen(0)) += Fen(take);
        }
    }
    out
}

/// A recovery with a plan, as the lock of a list books its deductions to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub id: i64,
    /// What is still owed.
    pub owed: Fen,
    pub instalment: Fen,
}

impl Overpayment {
    /// Its plan, while it is being recovered by deductions.
    pub fn plan(&self) -> Option<Plan> {
        (self.instalment.0 > 0 && matches!(self.status, RecoveryStatus::Open | RecoveryStatus::Repaying)).then(|| Plan {
            id: self.id,
            owed: self.amount - self.repaid,
            instalment: self.instalment,
        })
    }
}

/// How an amount deducted from an enrolment's payments is booked to its recoveries with a plan:
/// oldest first, each up to its instalment and what it owes; `(recovery id, amount)`. What
/// cannot be booked (repaid by hand since the list was prepared) is returned as the rest.
pub fn book_deduction(plans: &[Plan], taken: Fen) -> (Vec<(i64, Fen)>, Fen) {
    let mut left = taken.0;
    let mut out = Vec::new();
    let mut sorted: Vec<&Plan> = plans.iter().filter(|p| p.instalment.0 > 0).collect();
    sorted.sort_by_key(|p| p.id);
    for p in sorted {
        let x = left.min(p.instalment.0).min(p.owed.0);
        if x > 0 {
            out.push((p.id, Fen(x)));
            left -= x;
        }
    }
    (out, Fen(left))
}

#[cfg(test)]
mod tests {
    use super::*;
    use minzheng_domain::{EnrolledMember, EnrolmentStatus};

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).expect("date")
    }

    fn line(months: Vec<NaiveDate>, amount: i64, arrears: i64) -> PayrollLine {
        PayrollLine {
            line_no: 1,
            enrolment_id: 1,
            household_no: "H1".into(),
            payee: IdNumber::parse("11010519491231002X").expect("id"),
            payee_name: "王秀英".into(),
            account_name: String::new(),
            bank: String::new(),
            account_no: String::new(),
            months,
            amount: Fen(amount),
            arrears: Fen(arrears),
            deduction: Fen(0),
            net: Fen(amount + arrears),
            note: String::new(),
            held: None,
            reissue_of: None,
        }
    }

    #[test]
    fn months_paid_after_the_end_are_owed_back_and_returned_ones_are_not() {
        let e = Enrolment {
            id: 1,
            program: "dibao".into(),
            household_no: "H1".into(),
            county: RegionCode::parse("210112").expect("c"),
            members: vec![EnrolledMember {
                id_number: IdNumber::parse("11010519491231002X").expect("id"),
                name: "王秀英".into(),
                amount: None,
                end: None,
            }],
            monthly_amount: Fen(104_100),
            start: d(2026, 1),
            status: EnrolmentStatus::Stopped,
            end: Some(d(2026, 9)),
        };
        let aug = line(vec![d(2026, 8)], 104_100, 0);
        let sep = line(vec![d(2026, 9)], 104_100, 0);
        let oct = line(vec![d(2026, 10)], 104_100, 0);
        let nov_with_arrears = line(vec![d(2026, 10), d(2026, 11)], 104_100, 104_100);
        let found = overpayments(&e, &[(&aug, true), (&sep, true), (&oct, false), (&nov_with_arrears, true)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].months, vec![d(2026, 9), d(2026, 10), d(2026, 11)], "August was due; October's return was not credited");
        assert_eq!(found[0].amount, Fen(3 * 104_100));
        assert!(overpayments(&Enrolment { end: None, ..e.clone() }, &[(&sep, true)]).is_empty());
        // A member whose own part stopped (a death) while the enrolment goes on: what was paid to
        // them from their end month is owed back.
        let mut gaoling = Enrolment { end: None, status: EnrolmentStatus::Active, program: "gaoling".into(), ..e };
        gaoling.members[0].end = Some(d(2026, 10));
        let found = overpayments(&gaoling, &[(&sep, true), (&oct, true)]);
        assert_eq!((found.len(), found[0].months.clone(), found[0].amount), (1, vec![d(2026, 10)], Fen(104_100)));
    }

    #[test]
    fn repayments_settle_and_nothing_beyond_what_is_owed() {
        let o = Overpayment {
            id: 1,
            enrolment_id: 1,
            program: "dibao".into(),
            county: RegionCode::parse("210112").expect("c"),
            household_no: "H1".into(),
            payee: IdNumber::parse("11010519491231002X").expect("id"),
            payee_name: "王秀英".into(),
            months: vec![d(2026, 9)],
            amount: Fen(104_100),
            repaid: Fen(50_000),
            status: RecoveryStatus::Repaying,
            reason: String::new(),
            instalment: Fen(0),
        };
        assert_eq!(check_repayment(&o, Fen(54_100)), Ok(RecoveryStatus::Settled));
        assert_eq!(check_repayment(&o, Fen(10_000)), Ok(RecoveryStatus::Repaying));
        assert_eq!(check_repayment(&o, Fen(54_101)), Err(RecoveryError::Amount(Fen(54_100))));
        assert!(check_repayment(&o, Fen(0)).is_err());
        let closed = Overpayment { status: RecoveryStatus::WrittenOff, ..o.clone() };
        assert_eq!(check_repayment(&closed, Fen(1)), Err(RecoveryError::Closed("已核销")));
        // A plan: at most what is owed, and only while the enrolment is still paid.
        assert_eq!(check_instalment(&o, Fen(20_000), true), Ok(()));
        assert_eq!(check_instalment(&o, Fen(54_101), true), Err(RecoveryError::Instalment(Fen(54_100))));
        assert_eq!(check_instalment(&o, Fen(20_000), false), Err(RecoveryError::NothingToDeductFrom));
        assert_eq!(check_instalment(&o, Fen(0), false), Ok(()), "a plan can always be cancelled");
    }

    #[test]
    fn instalments_are_deducted_oldest_first_and_never_beyond_what_is_owed() {
        let owed = |id: i64, amount: i64, repaid: i64, instalment: i64| Overpayment {
            id,
            enrolment_id: 7,
            program: "dibao".into(),
            county: RegionCode::parse("210112").expect("c"),
            household_no: "H1".into(),
            payee: IdNumber::parse("11010519491231002X").expect("id"),
            payee_name: "王秀英".into(),
            months: vec![d(2026, 9)],
            amount: Fen(amount),
            repaid: Fen(repaid),
            status: RecoveryStatus::after_repayment(Fen(repaid), Fen(amount)),
            reason: String::new(),
            instalment: Fen(instalment),
        };
        // Two recoveries of one enrolment with plans (the second owes less than its instalment),
        // one without a plan, one settled.
        let list = [owed(2, 30_000, 25_000, 10_000), owed(1, 100_000, 0, 20_000), owed(3, 50_000, 0, 0), owed(4, 10_000, 10_000, 5_000)];
        assert_eq!(deductions(&list), std::collections::HashMap::from([(7, Fen(25_000))]));
        let plans: Vec<Plan> = list.iter().filter_map(Overpayment::plan).collect();
        assert_eq!(plans.len(), 2, "the settled one and the one without a plan have none");
        assert_eq!(book_deduction(&plans, Fen(25_000)), (vec![(1, Fen(20_000)), (2, Fen(5_000))], Fen(0)));
        // The line could pay only 12,000: the oldest plan takes it.
        assert_eq!(book_deduction(&plans, Fen(12_000)), (vec![(1, Fen(12_000))], Fen(0)));
        // More was deducted than is now owed (a repayment by hand since): the rest is returned.
        let first: Vec<Plan> = list[..1].iter().filter_map(Overpayment::plan).collect();
        assert_eq!(book_deduction(&first, Fen(8_000)), (vec![(2, Fen(5_000))], Fen(3_000)));
    }
}
