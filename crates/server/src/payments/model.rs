//! 资金发放, pure: payment accounts and their checks, the monthly payment list (发放花名册) worked
//! out from the enrolments in force, and what a locked month may no longer have done to it.
//!
//! Basis: 《社会救助暂行办法》第九条、第十三条 (paid monthly; stopped when the conditions are no
//! longer met); 财办〔2020〕37号 (惠民惠农财政补贴资金"一卡通": one card per person, household
//! subsidies to the head's card, per-person subsidies to the person's own).

use chrono::{Datelike, NaiveDate};
use minzheng_domain::enrolment::first_of_month;
use minzheng_domain::{Bilingual, Enrolment, Fen, IdNumber, RegionCode};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// 账户类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// 银行卡 (the social-security card or a debit card): 16–19 digits with a Luhn check digit.
    Card,
    /// 存折账号: 10–25 digits, no check digit.
    Passbook,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Card => "card",
            AccountKind::Passbook => "passbook",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            AccountKind::Card => "银行卡",
            AccountKind::Passbook => "存折",
        }
    }
    pub fn parse(s: &str) -> Option<AccountKind> {
        match s.trim() {
            "card" | "银行卡" | "社保卡" | "卡" | "" => Some(AccountKind::Card),
            "passbook" | "存折" => Some(AccountKind::Passbook),
            _ => None,
        }
    }
}

/// 发放账户 ("一卡通"): where a person's subsidies are paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAccount {
    /// The person paid (the card's holder).
    pub holder: IdNumber,
    pub holder_name: String,
    /// The holder's household (户编号), to tell relatives from strangers sharing an account.
    pub household_no: String,
    /// 开户银行.
    pub bank: String,
    pub kind: AccountKind,
    /// Digits only.
    pub account_no: String,
}

/// Why an account was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("account number {0:?} has characters other than digits")]
    NotDigits(String),
    #[error("a card number has 16 to 19 digits, {0:?} has {1}")]
    CardLength(String, usize),
    #[error("a passbook number has 10 to 25 digits, {0:?} has {1}")]
    PassbookLength(String, usize),
    #[error("card number {0:?} fails its check digit (Luhn): a digit is wrong or two are swapped")]
    CheckDigit(String),
    #[error("the bank is missing")]
    NoBank,
    #[error("the holder's name is missing")]
    NoName,
}

impl Bilingual for AccountError {
    fn zh(&self) -> String {
        match self {
            AccountError::NotDigits(a) => format!("账号“{a}”只能是数字"),
            AccountError::CardLength(a, n) => format!("银行卡号应为 16 至 19 位，“{a}”为 {n} 位"),
            AccountError::PassbookLength(a, n) => format!("存折账号应为 10 至 25 位，“{a}”为 {n} 位"),
            AccountError::CheckDigit(a) => format!("银行卡号“{a}”校验位不符：有数字写错或前后颠倒"),
            AccountError::NoBank => "未填写开户银行".into(),
            AccountError::NoName => "未填写持卡人姓名".into(),
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

/// Whether the digits pass the Luhn check (ISO/IEC 7812-1), as every UnionPay card number does.
pub fn luhn_ok(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if d > 9 {
            return false;
        }
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// The account number as written on a form or a sheet, spaces and dashes removed, checked for
/// its kind.
pub fn check_account_no(kind: AccountKind, written: &str) -> Result<String, AccountError> {
    let digits: String = written.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AccountError::NotDigits(written.trim().to_string()));
    }
    let n = digits.len();
    match kind {
        AccountKind::Card if !(16..=19).contains(&n) => Err(AccountError::CardLength(digits, n)),
        AccountKind::Card if !luhn_ok(&digits) => Err(AccountError::CheckDigit(digits)),
        AccountKind::Passbook if !(10..=25).contains(&n) => Err(AccountError::PassbookLength(digits, n)),
        _ => Ok(digits),
    }
}

impl PaymentAccount {
    /// Checks the account and puts its number in digits only.
    pub fn checked(mut self) -> Result<PaymentAccount, AccountError> {
        if self.bank.trim().is_empty() {
            return Err(AccountError::NoBank);
        }
        if self.holder_name.trim().is_empty() {
            return Err(AccountError::NoName);
        }
        self.account_no = check_account_no(self.kind, &self.account_no)?;
        self.bank = self.bank.trim().to_string();
        self.holder_name = self.holder_name.trim().to_string();
        Ok(self)
    }

    /// The number as shown to staff who do not pay: the bank's last four digits.
    pub fn masked_no(&self) -> String {
        let n = self.account_no.len();
        format!("**** {}", &self.account_no[n.saturating_sub(4)..])
    }
}

/// Accounts that receive for persons of different households (cards held by others, 冒领):
/// account number → the holders, for each account used by more than one household.
pub fn shared_accounts(accounts: &[PaymentAccount]) -> Vec<(String, Vec<&PaymentAccount>)> {
    let mut by_no: HashMap<&str, Vec<&PaymentAccount>> = HashMap::new();
    for a in accounts {
        by_no.entry(&a.account_no).or_default().push(a);
    }
    let mut out: Vec<(String, Vec<&PaymentAccount>)> = by_no
        .into_iter()
        .filter(|(_, v)| v.iter().map(|a| a.household_no.as_str()).collect::<HashSet<_>>().len() > 1)
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// 发放花名册 status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayrollStatus {
    /// 已编制: prepared by the county, may be prepared again.
    Prepared,
    /// 已审核: approved by a second person; may still be sent back.
    Approved,
    /// 已锁定: sent to the bank; nothing in it changes again (corrections go into a later month).
    Locked,
}

impl PayrollStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PayrollStatus::Prepared => "prepared",
            PayrollStatus::Approved => "approved",
            PayrollStatus::Locked => "locked",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            PayrollStatus::Prepared => "已编制",
            PayrollStatus::Approved => "已审核",
            PayrollStatus::Locked => "已锁定",
        }
    }
    pub fn parse(s: &str) -> Option<PayrollStatus> {
        [PayrollStatus::Prepared, PayrollStatus::Approved, PayrollStatus::Locked].into_iter().find(|p| p.as_str() == s)
    }
}

/// One month's payment list of a program in a county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payroll {
    /// Store key; 0 before it is stored.
    pub id: i64,
    pub program: String,
    pub county: RegionCode,
    /// The first day of the month paid.
    pub month: NaiveDate,
    pub status: PayrollStatus,
    pub prepared_by: String,
    pub approved_by: Option<String>,
    /// Lines, and the total of what goes to the bank (held lines not counted).
    pub lines: i64,
    pub total: Fen,
}

/// Why a line is not sent to the bank this month (暂缓发放).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Held {
    /// 无发放账户.
    NoAccount,
    /// 退票待更正账户: the bank returned the last payment and the account has not changed since.
    AccountNotCorrected,
}

impl Held {
    pub fn as_str(self) -> &'static str {
        match self {
            Held::NoAccount => "no_account",
            Held::AccountNotCorrected => "account_not_corrected",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Held::NoAccount => "无发放账户，暂缓发放",
            Held::AccountNotCorrected => "上次退票后账户未更正，暂缓补发",
        }
    }
    pub fn parse(s: &str) -> Option<Held> {
        [Held::NoAccount, Held::AccountNotCorrected].into_iter().find(|h| h.as_str() == s)
    }
}

/// One line of a payment list: who is paid, to which account, for which months, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayrollLine {
    /// 1, 2, ... within the payroll.
    pub line_no: i64,
    pub enrolment_id: i64,
    pub household_no: String,
    pub payee: IdNumber,
    pub payee_name: String,
    /// The name on the account at the bank when it is not the payee's: the institution's, for a
    /// person in concentrated support (empty: the payee's own account).
    pub account_name: String,
    pub bank: String,
    pub account_no: String,
    /// The months this line pays (the month of the payroll, months owed, a returned payment).
    pub months: Vec<NaiveDate>,
    /// 当月金额.
    pub amount: Fen,
    /// 补发: months in force that no locked payroll paid, and returned payments re-issued.
    pub arrears: Fen,
    /// 扣减: instalments of a recovery (追回) agreed to be taken from payments.
    pub deduction: Fen,
    /// 实发 = amount + arrears − deduction (never below zero).
    pub net: Fen,
    /// The explanation, in the staff's words.
    pub note: String,
    pub held: Option<Held>,
    /// The earlier line (payroll id, line no) this one pays again after the bank returned it.
    pub reissue_of: Option<(i64, i64)>,
}

impl PayrollLine {
    /// The name on the account, as the bank file gives it.
    pub fn account_holder(&self) -> &str {
        if self.account_name.is_empty() {
            &self.payee_name
        } else {
            &self.account_name
        }
    }
}

/// What was paid before, as the locked payrolls of the program and county say.
#[derive(Debug, Default, Clone)]
pub struct PaidBefore {
    /// The first month of a locked payroll of this program and county in Minzheng: months before
    /// it were paid by the system it replaced, and are owed to no one. `None`: this is the first.
    pub first_month: Option<NaiveDate>,
    /// (enrolment, payee) → months covered by a locked payroll line.
    pub covered: HashMap<(i64, IdNumber), HashSet<NaiveDate>>,
    /// enrolment → months covered whoever was paid (a household program paid to a head who has
    /// since changed: the household's months are paid once).
    pub covered_enrolment: HashMap<i64, HashSet<NaiveDate>>,
    /// Lines the bank returned (退票) that no later line paid again.
    pub returned: Vec<Returned>,
}

/// A payment the bank returned, to be paid again once the account is corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned {
    pub payroll_id: i64,
    pub line_no: i64,
    pub enrolment_id: i64,
    pub household_no: String,
    pub payee: IdNumber,
    pub payee_name: String,
    pub months: Vec<NaiveDate>,
    pub net: Fen,
    /// The bank's reason (账户冻结, 户名不符 ...).
    pub reason: String,
    /// The account number the failed payment went to.
    pub account_no: String,
}

/// The inputs of a payroll besides the enrolments.
pub struct PayrollInputs<'a> {
    pub month: NaiveDate,
    /// Whether the program is granted to persons (paid to each member's card).
    pub per_person: bool,
    /// The household heads, by 户编号 (payee of household programs).
    pub heads: &'a HashMap<String, (IdNumber, String)>,
    pub accounts: &'a HashMap<IdNumber, PaymentAccount>,
    pub before: &'a PaidBefore,
    /// Recovery instalments to take this month, by enrolment.
    pub deductions: &'a HashMap<i64, Fen>,
    /// 集中供养: payees whose support goes to the institution housing them.
    pub institutions: &'a HashMap<IdNumber, InstitutionPayee>,
}

/// Where the support of a person in concentrated support goes: the institution's account (none
/// recorded yet: the line is held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionPayee {
    pub institution_id: i64,
    /// The institution's name: the account's name at the bank.
    pub name: String,
    pub bank: Option<String>,
    pub account_no: Option<String>,
}

/// The account a payee is paid to: the institution's for a person in concentrated support, else
/// the person's card; `(name on the account, bank, account number)`, the account `None` when
/// there is none (the name is the institution's for a person it houses all the same).
fn paid_to(inputs: &PayrollInputs<'_>, payee: IdNumber, name: &str) -> (String, Option<(String, String)>) {
    match inputs.institutions.get(&payee) {
        Some(i) => (i.name.clone(), i.account_no.clone().map(|no| (i.bank.clone().unwrap_or_default(), no))),
        None => (name.to_string(), inputs.accounts.get(&payee).map(|a| (a.bank.clone(), a.account_no.clone()))),
    }
}

fn ym(m: NaiveDate) -> String {
    format!("{}年{}月", m.year(), m.month())
}

/// The day a month's list must be locked and sent to the bank: the `due_day` of that month (the
/// month's last day when it is shorter), by the city's parameter `payroll_due_day`.
pub fn due_on(month: NaiveDate, due_day: u32) -> NaiveDate {
    let first = first_of_month(month);
    let last = minzheng_domain::enrolment::next_month(first).pred_opt().unwrap_or(first);
    first.with_day(due_day.clamp(1, last.day())).unwrap_or(last)
}

/// Whether a list not yet locked is late on `today`.
pub fn late(status: PayrollStatus, month: NaiveDate, due_day: u32, today: NaiveDate) -> bool {
    status != PayrollStatus::Locked && today > due_on(month, due_day)
}

/// A line's note in English: the notes are written in Chinese when the list is prepared (they are
/// printed on the list and kept with it) from a few fixed phrases, read here phrase by phrase.
pub fn note_en(note: &str) -> String {
    // 2026年9月 → 2026-09 first, then the phrases.
    let mut out = String::with_capacity(note.len());
    let chars: Vec<char> = note.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let digits = |from: usize| chars[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let y = digits(i);
        if y == 4 && chars.get(i + 4) == Some(&'年') {
            let m = digits(i + 5);
            if (1..=2).contains(&m) && chars.get(i + 5 + m) == Some(&'月') {
                let year: String = chars[i..i + 4].iter().collect();
                let month: String = chars[i + 5..i + 5 + m].iter().collect();
                out.push_str(&format!("{year}-{month:0>2}"));
                i += 6 + m;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    [
        ("；名册未分人金额，按人均分", "; the roster gave no per-person amounts: shared equally"),
        ("；扣减追回款 ", "; recovery deducted "),
        ("（供养机构尚未登记账户）", " (no account recorded for the institution yet)"),
        ("；集中供养：", "; concentrated support: "),
        ("的供养金发至供养机构账户：", "'s support paid to the institution's account: "),
        ("补发退票（", "re-issue of a returned payment ("),
        ("）：", "): "),
        ("保障金 ", " allowance "),
        ("补发 ", "arrears "),
        (" 共 ", ", in all "),
        (" 元", " yuan"),
        ("、", ", "),
        ("；", "; "),
    ]
    .iter()
    .fold(out, |acc, (zh, en)| acc.replace(zh, en))
}

/// The months from `from` up to, not including, `to`.
fn months_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = first_of_month(from);
    while m < to {
        out.push(m);
        m = minzheng_domain::enrolment::next_month(m);
    }
    out
}

/// The month's payment list from the enrolments of one program and county: one line per
/// household (paid to the head's card) or, for programs granted to persons, per member (to the
/// member's card); months in force since the first payroll that no locked payroll paid are
/// added as arrears; returned payments are paid again when the account has been corrected;
/// agreed recovery instalments are deducted. Lines without an account are listed, held.
pub fn prepare(enrolments: &[Enrolment], inputs: &PayrollInputs<'_>) -> Vec<PayrollLine> {
    let month = first_of_month(inputs.month);
    let since = inputs.before.first_month.unwrap_or(month).min(month);
    let mut sorted: Vec<&Enrolment> = enrolments.iter().collect();
    sorted.sort_by(|a, b| a.household_no.cmp(&b.household_no).then(a.id.cmp(&b.id)));
    // The enrolments' lines in runs on every core, then the re-issues of returned payments.
    let mut lines: Vec<PayrollLine> =
        super::parallel::in_runs(&sorted, 20_000, |run| lines_of(run, inputs, since, month)).into_iter().flatten().collect();
    reissues(enrolments, inputs, &mut lines);
    for (i, l) in lines.iter_mut().enumerate() {
        l.line_no = i64::try_from(i).unwrap_or(i64::MAX) + 1;
    }
    lines
}

/// The lines of some enrolments (sorted): this month's amount, the arrears, the deduction.
fn lines_of(sorted: &[&Enrolment], inputs: &PayrollInputs<'_>, since: NaiveDate, month: NaiveDate) -> Vec<PayrollLine> {
    let mut lines = Vec::with_capacity(sorted.len());
    for e in sorted.iter().copied() {
        // Who is paid how much a month under this enrolment.
        // (payee, name, monthly amount, note, the payee's own end month).
        let shares: Vec<(IdNumber, String, Fen, &str, Option<NaiveDate>)> = if inputs.per_person {
            let known = e.members.iter().all(|m| m.amount.is_some());
            let n = i64::try_from(e.members.len().max(1)).unwrap_or(1);
            e.members
                .iter()
                .enumerate()
                .map(|(i, m)| match m.amount {
                    Some(a) if known => (m.id_number, m.name.clone(), a, "", m.end),
                    // A roster that gave only the total: shared equally, the odd fen to the first.
                    _ => {
                        let base = e.monthly_amount.0 / n;
                        let extra = if i == 0 { e.monthly_amount.0 - base * n } else { 0 };
                        (m.id_number, m.name.clone(), Fen(base + extra), "；名册未分人金额，按人均分", m.end)
                    }
                })
                .collect()
        } else {
            let (id, name) =
                inputs.heads.get(&e.household_no).cloned().or_else(|| e.members.first().map(|m| (m.id_number, m.name.clone()))).unzip();
            match (id, name) {
                (Some(id), Some(name)) => vec![(id, name, e.monthly_amount, "", None)],
                _ => continue,
            }
        };
        let mut deduction_left = inputs.deductions.get(&e.id).copied().unwrap_or_default();
        for (payee, name, monthly, share_note, own_end) in shares {
            // A month is paid to the payee while the enrolment and their own part are.
            let paid = |m: NaiveDate| e.paid_for(m) && own_end.is_none_or(|end| m < end);
            let covered =
                if inputs.per_person { inputs.before.covered.get(&(e.id, payee)) } else { inputs.before.covered_enrolment.get(&e.id) };
            // A stopped enrolment is owed nothing: the months it was not paid before its end were
            // held (暂停) or never due.
            let owed: Vec<NaiveDate> = if e.status == minzheng_domain::EnrolmentStatus::Stopped {
                Vec::new()
            } else {
                months_between(since.max(e.start), month)
                    .into_iter()
                    .filter(|m| paid(*m) && !covered.is_some_and(|c| c.contains(m)))
                    .collect()
            };
            let this_month = paid(month) && !covered.is_some_and(|c| c.contains(&month));
            if owed.is_empty() && !this_month {
                continue;
            }
            let amount = if this_month { monthly } else { Fen(0) };
            let arrears = Fen(monthly.0 * i64::try_from(owed.len()).unwrap_or(0));
            let gross = amount + arrears;
            // A line held (no account) pays nothing this month, so it deducts nothing either.
            let (holder, account) = paid_to(inputs, payee, &name);
            let deduction = if account.is_some() { Fen(deduction_left.0.min(gross.0).max(0)) } else { Fen(0) };
            deduction_left -= deduction;
            let mut months = owed.clone();
            if this_month {
                months.push(month);
            }
            let mut note = if this_month { format!("{}保障金 {} 元", ym(month), monthly) } else { String::new() };
            if !owed.is_empty() {
                let list: Vec<String> = owed.iter().map(|m| ym(*m)).collect();
                if !note.is_empty() {
                    note.push('；');
                }
                note.push_str(&format!("补发 {} 共 {} 元", list.join("、"), arrears));
            }
            if deduction.0 > 0 {
                note.push_str(&format!("；扣减追回款 {deduction} 元"));
            }
            note.push_str(share_note);
            if let Some(i) = inputs.institutions.get(&payee) {
                note.push_str(&format!("；集中供养：{name}的供养金发至供养机构账户：{}", i.name));
                if i.account_no.is_none() {
                    note.push_str("（供养机构尚未登记账户）");
                }
            }
            lines.push(PayrollLine {
                line_no: 0,
                enrolment_id: e.id,
                household_no: e.household_no.clone(),
                payee,
                account_name: if holder == name { String::new() } else { holder },
                payee_name: name,
                bank: account.as_ref().map(|a| a.0.clone()).unwrap_or_default(),
                account_no: account.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
                months,
                amount,
                arrears,
                deduction,
                net: gross - deduction,
                note,
                held: account.is_none().then_some(Held::NoAccount),
                reissue_of: None,
            });
        }
    }
    lines
}

/// The returned payments paid again (补发退票) once the account has been corrected.
fn reissues(enrolments: &[Enrolment], inputs: &PayrollInputs<'_>, lines: &mut Vec<PayrollLine>) {
    let by_id: HashMap<i64, &Enrolment> = enrolments.iter().map(|e| (e.id, e)).collect();
    for r in &inputs.before.returned {
        // Only the months still due: none after the enrolment's end.
        let due: Vec<NaiveDate> =
            r.months.iter().copied().filter(|m| by_id.get(&r.enrolment_id).is_none_or(|e| e.end.is_none_or(|end| *m < end))).collect();
        if due.is_empty() {
            continue;
        }
        let n = i64::try_from(r.months.len().max(1)).unwrap_or(1);
        let net = if due.len() == r.months.len() { r.net } else { Fen(r.net.0 / n * i64::try_from(due.len()).unwrap_or(0)) };
        let r = &Returned { months: due, net, ..r.clone() };
        let (holder, account) = paid_to(inputs, r.payee, &r.payee_name);
        let held = match &account {
            None => Some(Held::NoAccount),
            Some(a) if a.1 == r.account_no => Some(Held::AccountNotCorrected),
            Some(_) => None,
        };
        let list: Vec<String> = r.months.iter().map(|m| ym(*m)).collect();
        lines.push(PayrollLine {
            line_no: 0,
            enrolment_id: r.enrolment_id,
            household_no: r.household_no.clone(),
            payee: r.payee,
            account_name: if holder == r.payee_name { String::new() } else { holder },
            payee_name: r.payee_name.clone(),
            bank: account.as_ref().map(|a| a.0.clone()).unwrap_or_default(),
            account_no: account.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
            months: r.months.clone(),
            amount: Fen(0),
            arrears: r.net,
            deduction: Fen(0),
            net: r.net,
            note: format!("补发退票（{}）：{} 共 {} 元", r.reason, list.join("、"), r.net),
            held,
            reissue_of: Some((r.payroll_id, r.line_no)),
        });
    }
}

/// The total sent to the bank: the lines not held.
pub fn bank_total(lines: &[PayrollLine]) -> Fen {
    Fen(lines.iter().filter(|l| l.held.is_none()).map(|l| l.net.0).sum())
}

/// Why a payroll step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayrollError {
    #[error("the payroll of this month is {0:?}: it can no longer be prepared again")]
    NotPrepared(&'static str),
    #[error("a payroll is approved by a second person, not by the one who prepared it ({0})")]
    SamePerson(String),
    #[error("only an approved payroll can be locked; this one is {0:?}")]
    NotApproved(&'static str),
    #[error("the payroll is locked: nothing in it changes; corrections go into a later month")]
    Locked,
    #[error("the month {0} is after the coming month: a payroll is prepared for this month or the next")]
    TooEarly(String),
    #[error("{0:?} is not a program granted by the county")]
    Program(String),
    #[error("only a locked payroll (sent to the bank) has a bank file and a bank return")]
    NotLocked,
    #[error("the list of {0} is not locked yet: months are prepared and locked in order, so that none is paid twice")]
    EarlierOpen(String),
    #[error("a recovery this list deducts from was repaid or written off since the list was prepared: send it back and prepare it again")]
    DeductionsChanged,
    #[error("who lives in an institution in concentrated support changed since the list was prepared: send it back and prepare it again")]
    ResidenceChanged,
}

impl Bilingual for PayrollError {
    fn zh(&self) -> String {
        match self {
            PayrollError::NotPrepared(s) => format!("本月花名册{s}，不能重新编制"),
            PayrollError::SamePerson(n) => format!("花名册须由编制人（{n}）以外的人员审核"),
            PayrollError::NotApproved(s) => format!("只有已审核的花名册可以锁定，本花名册{s}"),
            PayrollError::Locked => "花名册已锁定，不能再更改；更正在以后月份中调整".into(),
            PayrollError::TooEarly(m) => format!("{m} 晚于下月：只能编制本月或下月的花名册"),
            PayrollError::Program(p) => format!("“{p}”不是区县发放的保障项目"),
            PayrollError::NotLocked => "只有已锁定（已送银行）的花名册才有银行发放文件和回盘".into(),
            PayrollError::EarlierOpen(m) => format!("{m} 的花名册尚未锁定：花名册按月份依次编制和锁定，以免同一月份重复发放"),
            PayrollError::DeductionsChanged => "本花名册扣减的追回款在编制后已登记还款或核销：请退回并重新编制".into(),
            PayrollError::ResidenceChanged => {
                "编制后集中供养人员的入住或离院情况有变化（供养金的收款账户随之改变）：请退回并重新编制".into()
            }
        }
    }
    fn en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minzheng_domain::{EnrolledMember, EnrolmentStatus};
    use proptest::prelude::*;

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).expect("date")
    }
    const HEAD: &str = "11010519491231002X";
    const WIFE: &str = "110105194912310038";

    fn id(s: &str) -> IdNumber {
        IdNumber::parse(s).expect("id")
    }

    fn account(holder: &str, no: &str, household: &str) -> PaymentAccount {
        PaymentAccount {
            holder: id(holder),
            holder_name: "王秀英".into(),
            household_no: household.into(),
            bank: "盛京银行".into(),
            kind: AccountKind::Card,
            account_no: no.into(),
        }
    }

    fn dibao(start: NaiveDate) -> Enrolment {
        Enrolment {
            id: 1,
            program: "dibao".into(),
            household_no: "H1".into(),
            county: RegionCode::parse("210112").expect("county"),
            members: vec![
                EnrolledMember { id_number: id(HEAD), name: "王秀英".into(), amount: None, end: None },
                EnrolledMember { id_number: id(WIFE), name: "李四".into(), amount: None, end: None },
            ],
            monthly_amount: Fen(208_200),
            start,
            status: EnrolmentStatus::Active,
            end: None,
        }
    }

    // A UnionPay test number that passes Luhn: 6222 0202 0000 0000 00X.
    fn valid_card() -> String {
        let body = "622202020000000000";
        (0..10).map(|c| format!("{body}{c}")).find(|n| luhn_ok(n)).expect("a check digit")
    }

    #[test]
    fn card_numbers_are_checked_like_the_bank_does() {
        let card = valid_card();
        assert_eq!(check_account_no(AccountKind::Card, &format!("{} {}", &card[..4], &card[4..])), Ok(card.clone()));
        let mut swapped: Vec<char> = card.chars().collect();
        swapped.swap(16, 17);
        let swapped: String = swapped.into_iter().collect();
        if swapped != card {
            assert!(matches!(check_account_no(AccountKind::Card, &swapped), Err(AccountError::CheckDigit(_))));
        }
        assert!(matches!(check_account_no(AccountKind::Card, "6222 02"), Err(AccountError::CardLength(_, 6))));
        assert!(matches!(check_account_no(AccountKind::Card, "6222O2020000000000"), Err(AccountError::NotDigits(_))));
        assert!(check_account_no(AccountKind::Passbook, "1234567890123").is_ok(), "a passbook has no check digit");
        assert_eq!(AccountError::CheckDigit("1".into()).zh(), "银行卡号“1”校验位不符：有数字写错或前后颠倒");
    }

    #[test]
    fn one_account_for_two_households_is_flagged_relatives_are_not() {
        let card = valid_card();
        let same_household = [account(HEAD, &card, "H1"), account(WIFE, &card, "H1")];
        assert!(shared_accounts(&same_household).is_empty(), "a couple may share a card");
        let strangers = [account(HEAD, &card, "H1"), account(WIFE, &card, "H2")];
        assert_eq!(shared_accounts(&strangers).len(), 1);
    }

    fn inputs<'a>(
        month: NaiveDate,
        heads: &'a HashMap<String, (IdNumber, String)>,
        accounts: &'a HashMap<IdNumber, PaymentAccount>,
        before: &'a PaidBefore,
        deductions: &'a HashMap<i64, Fen>,
    ) -> PayrollInputs<'a> {
        PayrollInputs { month, per_person: false, heads, accounts, before, deductions, institutions: Box::leak(Box::default()) }
    }

    #[test]
    fn a_household_is_paid_to_the_heads_card_with_the_months_it_is_owed() {
        let heads = HashMap::from([("H1".to_string(), (id(HEAD), "王秀英".to_string()))]);
        let accounts = HashMap::from([(id(HEAD), account(HEAD, &valid_card(), "H1"))]);
        let none = HashMap::new();
        // The first payroll made here: earlier months were paid by the old system.
        let first = prepare(&[dibao(d(2025, 1))], &inputs(d(2026, 9), &heads, &accounts, &PaidBefore::default(), &none));
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].payee, first[0].amount, first[0].arrears, first[0].net), (id(HEAD), Fen(208_200), Fen(0), Fen(208_200)));
        assert_eq!(first[0].note, "2026年9月保障金 2082.00 元");
        // Approved in October from September, and October's payroll is the first that sees it:
        // September is owed.
        let before = PaidBefore { first_month: Some(d(2026, 8)), ..Default::default() };
        let late = prepare(&[dibao(d(2026, 9))], &inputs(d(2026, 10), &heads, &accounts, &before, &none));
        assert_eq!((late[0].amount, late[0].arrears, late[0].months.clone()), (Fen(208_200), Fen(208_200), vec![d(2026, 9), d(2026, 10)]));
        assert!(late[0].note.contains("补发 2026年9月"), "{}", late[0].note);
        // A month already paid is not paid again.
        // September was paid to the former head (since deceased): the household is not paid it
        // again to the new one.
        let mut covered = PaidBefore { first_month: Some(d(2026, 8)), ..Default::default() };
        covered.covered.insert((1, id(WIFE)), HashSet::from([d(2026, 9)]));
        covered.covered_enrolment.insert(1, HashSet::from([d(2026, 9)]));
        let again = prepare(&[dibao(d(2026, 9))], &inputs(d(2026, 10), &heads, &accounts, &covered, &none));
        assert_eq!((again[0].payee, again[0].arrears, again[0].net), (id(HEAD), Fen(0), Fen(208_200)));
        // A stopped enrolment is owed nothing (the months it was held are not arrears).
        let mut held = dibao(d(2026, 8));
        held.status = EnrolmentStatus::Stopped;
        held.end = Some(d(2026, 11));
        let before = PaidBefore { first_month: Some(d(2026, 8)), ..Default::default() };
        let stopped = prepare(&[held], &inputs(d(2026, 10), &heads, &accounts, &before, &none));
        assert_eq!(stopped.iter().map(|l| (l.amount, l.arrears)).collect::<Vec<_>>(), vec![(Fen(208_200), Fen(0))], "October only");
    }

    #[test]
    fn a_stopped_enrolment_is_not_paid_and_a_missing_account_holds_the_line() {
        let heads = HashMap::new();
        let none_accounts = HashMap::new();
        let none = HashMap::new();
        let mut e = dibao(d(2026, 1));
        e.status = EnrolmentStatus::Stopped;
        e.end = Some(d(2026, 10));
        let before = PaidBefore { first_month: Some(d(2026, 1)), ..Default::default() };
        assert!(prepare(&[e.clone()], &inputs(d(2026, 10), &heads, &none_accounts, &before, &none))
            .iter()
            .all(|l| !l.months.contains(&d(2026, 10))));
        e.end = None;
        e.status = EnrolmentStatus::Active;
        let held = prepare(&[e], &inputs(d(2026, 1), &heads, &none_accounts, &before, &none));
        assert_eq!((held[0].payee, held[0].held), (id(HEAD), Some(Held::NoAccount)), "no head known: the first member; no card: held");
        assert_eq!(bank_total(&held), Fen(0));
    }

    #[test]
    fn persons_are_paid_their_own_amounts_to_their_own_cards_and_recoveries_are_deducted() {
        let mut e = dibao(d(2026, 9));
        e.program = "gaoling".into();
        e.members[0].amount = Some(Fen(10_000));
        e.members[1].amount = Some(Fen(30_000));
        e.monthly_amount = Fen(40_000);
        let heads = HashMap::new();
        let accounts = HashMap::from([(id(HEAD), account(HEAD, &valid_card(), "H1")), (id(WIFE), account(WIFE, &valid_card(), "H1"))]);
        let before = PaidBefore::default();
        let deduct = HashMap::from([(1, Fen(15_000))]);
        let lines = prepare(&[e], &PayrollInputs { per_person: true, ..inputs(d(2026, 9), &heads, &accounts, &before, &deduct) });
        assert_eq!(
            lines.iter().map(|l| (l.payee, l.amount, l.deduction, l.net)).collect::<Vec<_>>(),
            vec![(id(HEAD), Fen(10_000), Fen(10_000), Fen(0)), (id(WIFE), Fen(30_000), Fen(5_000), Fen(25_000)),]
        );
    }

    #[test]
    fn a_held_line_deducts_nothing_and_concentrated_support_goes_to_the_institution() {
        let mut e = dibao(d(2026, 9));
        e.program = "tekun".into();
        e.members[0].amount = Some(Fen(129_300));
        e.members[1].amount = Some(Fen(129_300));
        e.monthly_amount = Fen(258_600);
        let heads = HashMap::new();
        // The head has no card (held); the wife lives in a care home in concentrated support.
        let accounts = HashMap::from([(id(WIFE), account(WIFE, &valid_card(), "H1"))]);
        let before = PaidBefore::default();
        let deduct = HashMap::from([(1, Fen(20_000))]);
        let home = HashMap::from([(
            id(WIFE),
            InstitutionPayee {
                institution_id: 7,
                name: "浑南区中心敬老院".into(),
                bank: Some("盛京银行".into()),
                account_no: Some("0112010000001234".into()),
            },
        )]);
        let lines = prepare(
            &[e],
            &PayrollInputs { per_person: true, institutions: &home, ..inputs(d(2026, 9), &heads, &accounts, &before, &deduct) },
        );
        let head = lines.iter().find(|l| l.payee == id(HEAD)).expect("head");
        assert_eq!((head.held, head.deduction), (Some(Held::NoAccount), Fen(0)), "held: nothing deducted from it");
        let wife = lines.iter().find(|l| l.payee == id(WIFE)).expect("wife");
        assert_eq!((wife.deduction, wife.net), (Fen(20_000), Fen(109_300)), "the instalment taken from the line that is paid");
        assert_eq!(
            (wife.payee_name.as_str(), wife.account_holder(), wife.account_no.as_str()),
            ("李四", "浑南区中心敬老院", "0112010000001234")
        );
        assert!(wife.note.ends_with("集中供养：李四的供养金发至供养机构账户：浑南区中心敬老院"), "{}", wife.note);
        assert!(note_en(&wife.note).ends_with("concentrated support: 李四's support paid to the institution's account: 浑南区中心敬老院"));
    }

    #[test]
    fn a_large_list_worked_out_on_every_core_is_the_list_worked_out_in_one_run() {
        let enrolments: Vec<Enrolment> = (0..30_000)
            .map(|i| Enrolment { id: i + 1, household_no: format!("H{:06}", (i * 7919) % 30_000), ..dibao(d(2026, 7)) })
            .collect();
        let heads = HashMap::new();
        let accounts = HashMap::from([(id(HEAD), account(HEAD, &valid_card(), "H1"))]);
        let before = PaidBefore::default();
        let deduct = HashMap::from([(17, Fen(5_000))]);
        let inputs = inputs(d(2026, 9), &heads, &accounts, &before, &deduct);
        let lines = prepare(&enrolments, &inputs);
        let mut sorted: Vec<&Enrolment> = enrolments.iter().collect();
        sorted.sort_by(|a, b| a.household_no.cmp(&b.household_no).then(a.id.cmp(&b.id)));
        let mut one_run = lines_of(&sorted, &inputs, d(2026, 9), d(2026, 9));
        for (i, l) in one_run.iter_mut().enumerate() {
            l.line_no = i64::try_from(i).expect("small") + 1;
        }
        assert_eq!(lines.len(), 30_000);
        assert!(lines == one_run, "the same lines in the same order");
    }

    #[test]
    fn a_list_is_due_by_the_citys_day_of_its_month() {
        assert_eq!(due_on(d(2026, 9), 10), NaiveDate::from_ymd_opt(2026, 9, 10).expect("day"));
        assert_eq!(due_on(d(2026, 2), 31), NaiveDate::from_ymd_opt(2026, 2, 28).expect("day"), "a short month: its last day");
        let on = |day| NaiveDate::from_ymd_opt(2026, 9, day).expect("day");
        assert!(!late(PayrollStatus::Approved, d(2026, 9), 10, on(10)), "on the day: not late");
        assert!(late(PayrollStatus::Approved, d(2026, 9), 10, on(11)));
        assert!(!late(PayrollStatus::Locked, d(2026, 9), 10, on(30)), "locked: done");
    }

    #[test]
    fn a_lines_note_reads_in_english() {
        assert_eq!(
            note_en("2026年10月保障金 300.00 元；补发 2026年8月、2026年9月 共 600.00 元；扣减追回款 100.00 元"),
            "2026-10 allowance 300.00 yuan; arrears 2026-08, 2026-09, in all 600.00 yuan; recovery deducted 100.00 yuan"
        );
        assert_eq!(
            note_en("补发退票（账户冻结）：2026年9月 共 1041.00 元"),
            "re-issue of a returned payment (账户冻结): 2026-09, in all 1041.00 yuan"
        );
    }

    #[test]
    fn a_member_whose_part_stopped_is_paid_no_more_while_the_others_are() {
        let mut e = dibao(d(2026, 9));
        e.program = "gaoling".into();
        e.members[0].amount = Some(Fen(10_000));
        e.members[1].amount = Some(Fen(30_000));
        e.members[0].end = Some(d(2026, 10));
        e.monthly_amount = Fen(30_000);
        let heads = HashMap::new();
        let accounts = HashMap::from([(id(HEAD), account(HEAD, &valid_card(), "H1")), (id(WIFE), account(WIFE, &valid_card(), "H1"))]);
        let none = HashMap::new();
        let before = PaidBefore::default();
        let per_person =
            |month| prepare(&[e.clone()], &PayrollInputs { per_person: true, ..inputs(month, &heads, &accounts, &before, &none) });
        assert_eq!(per_person(d(2026, 9)).len(), 2, "September: both");
        let october = per_person(d(2026, 10));
        assert_eq!(
            october.iter().map(|l| (l.payee, l.amount)).collect::<Vec<_>>(),
            vec![(id(WIFE), Fen(30_000))],
            "October: the wife only"
        );
    }

    #[test]
    fn a_returned_payment_is_paid_again_once_the_account_is_corrected() {
        let heads = HashMap::new();
        let old = valid_card();
        let returned = Returned {
            payroll_id: 3,
            line_no: 7,
            enrolment_id: 9,
            household_no: "H9".into(),
            payee: id(HEAD),
            payee_name: "王秀英".into(),
            months: vec![d(2026, 9)],
            net: Fen(104_100),
            reason: "账户冻结".into(),
            account_no: old.clone(),
        };
        let before = PaidBefore { first_month: Some(d(2026, 9)), returned: vec![returned], ..Default::default() };
        let none = HashMap::new();
        let same = HashMap::from([(id(HEAD), account(HEAD, &old, "H9"))]);
        let l = prepare(&[], &inputs(d(2026, 10), &heads, &same, &before, &none));
        assert_eq!(l[0].held, Some(Held::AccountNotCorrected));
        let mut new = account(HEAD, "6217000000000000000", "H9");
        new.kind = AccountKind::Passbook;
        let fixed = HashMap::from([(id(HEAD), new)]);
        let l = prepare(&[], &inputs(d(2026, 10), &heads, &fixed, &before, &none));
        assert_eq!((l[0].held, l[0].net, l[0].reissue_of), (None, Fen(104_100), Some((3, 7))));
        assert!(l[0].note.starts_with("补发退票（账户冻结）"));
    }

    proptest! {
        #[test]
        fn a_lines_net_is_what_it_adds_up_to_and_never_negative(amount in 0i64..1_000_000, months in 0u32..14, deduct in 0i64..20_000_000) {
            let heads = HashMap::new();
            let accounts = HashMap::new();
            let before = PaidBefore { first_month: Some(d(2025, 1)), ..Default::default() };
            let mut e = dibao(d(2025, 1 + (months % 12)));
            e.monthly_amount = Fen(amount);
            let deductions = HashMap::from([(1, Fen(deduct))]);
            for l in prepare(&[e], &inputs(d(2026, 2), &heads, &accounts, &before, &deductions)) {
                prop_assert_eq!(l.net, l.amount + l.arrears - l.deduction);
                prop_assert!(l.net.0 >= 0);
                prop_assert_eq!(l.arrears.0, amount * i64::try_from(l.months.len()).unwrap_or(0) - l.amount.0);
            }
        }

        #[test]
        fn luhn_never_panics_and_a_changed_digit_is_caught(s in "[0-9]{15,18}", pos in 0usize..15, delta in 1u8..10) {
            let full = (0..10).map(|c| format!("{s}{c}")).find(|n| luhn_ok(n)).expect("one check digit fits");
            let mut bytes = full.clone().into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).expect("digits");
            prop_assert!(!luhn_ok(&changed), "{} → {}", full, changed);
        }
    }
}
