//! `minzheng payments ...`: the module's command line. It acts as the county bureau's staff of
//! `--county`, under the operator's name: the same checks as the pages (a list is approved by
//! someone other than the one who prepared it, so approving is for a second operator or the
//! web page).

use super::model::{AccountKind, PaymentAccount};
use super::service::{self, Step};
use minzheng_app::RequestContext;
use minzheng_domain::{Bilingual, IdNumber, Principal, RegionCode, Role};
use minzheng_policy::Engine;
use minzheng_store::{Actor, Store};
use std::path::PathBuf;

/// 资金发放.
#[derive(Debug, clap::Subcommand)]
pub enum PaymentsWhat {
    /// Record payment accounts from a sheet (.xlsx or .csv: 身份证号, 姓名, 开户银行, 账户类型, 账号); all or none.
    Accounts {
        file: PathBuf,
        #[arg(long)]
        county: String,
    },
    /// Prepare (or prepare again) a month's payment list of a program.
    Prepare {
        #[arg(long)]
        county: String,
        #[arg(long)]
        program: String,
        /// 2026-09
        #[arg(long)]
        month: String,
    },
    /// Approve, send back or lock a payment list (approve: not the one who prepared it).
    Step {
        id: i64,
        /// approve, send_back, lock
        step: String,
        #[arg(long)]
        county: String,
    },
    /// Write a locked list's bank file in a bank's layout (shengjing, psbc, xlsx).
    BankFile {
        id: i64,
        #[arg(long)]
        layout: String,
        #[arg(long)]
        county: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import the bank's return file of a locked list: all lines applied, or none with every reason.
    Return {
        id: i64,
        file: PathBuf,
        #[arg(long)]
        layout: String,
        #[arg(long)]
        county: String,
    },
    /// 金额与规则不符: run the rules for a list's county and month and raise a finding for each
    /// line whose amount differs.
    CheckAmounts {
        id: i64,
        #[arg(long)]
        county: String,
    },
    /// The payment lists of a county.
    List {
        #[arg(long)]
        county: String,
    },
}

fn county_staff(operator: &Actor, county: &str) -> Result<Principal, String> {
    let region = RegionCode::parse(county).map_err(|e| e.both())?;
    Ok(Principal { name: operator.name.clone(), role: Role::CountyApprover, region })
}

fn read(file: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(file).map_err(|e| format!("无法读取 {}：{e} / cannot read {}: {e}", file.display(), file.display()))
}

/// Reads an accounts sheet: one account per row, or the rows in error with their reasons.
pub fn read_accounts(name: &str, bytes: Vec<u8>) -> Result<Vec<PaymentAccount>, String> {
    let known = ["身份证号", "姓名", "开户银行", "账户类型", "账号"];
    let sheet = minzheng_app::sheet::read_bytes(name, bytes, |h| known.contains(&h.trim())).map_err(|e| e.to_string())?;
    let col = |h: &str| sheet.headers.iter().position(|x| x.trim() == h);
    let (Some(id), Some(nm), Some(bank), Some(no)) = (col("身份证号"), col("姓名"), col("开户银行"), col("账号")) else {
        return Err("表头应有 身份证号、姓名、开户银行、账号 / the header needs 身份证号, 姓名, 开户银行, 账号".into());
    };
    let kind = col("账户类型");
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for r in &sheet.rows {
        let cell = |i: usize| r.cells.get(i).map(|c| c.text()).unwrap_or_default();
        let holder = match IdNumber::parse(&cell(id)) {
            Ok(h) => h,
            Err(e) => {
                errors.push(format!("第 {} 行：{} / row {}: {}", r.number, e.zh(), r.number, e.en()));
                continue;
            }
        };
        let k = kind.map(cell).unwrap_or_default();
        let Some(k) = AccountKind::parse(&k) else {
            errors.push(format!("第 {} 行：账户类型“{k}”应为 银行卡 或 存折 / row {}: kind {k:?}", r.number, r.number));
            continue;
        };
        let a =
            PaymentAccount { holder, holder_name: cell(nm), household_no: String::new(), bank: cell(bank), kind: k, account_no: cell(no) };
        match a.checked() {
            Ok(a) => out.push(a),
            Err(e) => errors.push(format!("第 {} 行：{} / row {}: {}", r.number, e.zh(), r.number, e.en())),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

/// Runs a `payments` command.
pub async fn run(what: PaymentsWhat, store: &dyn Store, engine: &Engine, operator: &Actor) -> Result<(), String> {
    let today = minzheng_domain::calendar::today_in_beijing();
    let month_of = |m: &str| {
        minzheng_domain::enrolment::parse_month(m)
            .map_err(|_| format!("月份“{m}”无法识别，请写成 2026-09 / month {m:?}: write it as 2026-09"))
    };
    match what {
        PaymentsWhat::Accounts { file, county } => {
            let who = county_staff(operator, &county)?;
            let accounts = read_accounts(&file.display().to_string(), read(&file)?)?;
            let n = service::save_accounts(store, &RequestContext::new(&who, operator, today), accounts, &file.display().to_string())
                .await
                .map_err(|e| e.both())?;
            println!("登记或更新账户 {n} 个 / {n} accounts recorded or changed");
        }
        PaymentsWhat::Prepare { county, program, month } => {
            let who = county_staff(operator, &county)?;
            let which = service::ListFor { program, county: who.region.clone(), month: month_of(&month)? };
            let (p, lines) =
                service::prepare(store, engine, &RequestContext::new(&who, operator, today), &which).await.map_err(|e| e.both())?;
            let held = lines.iter().filter(|l| l.held.is_some()).count();
            println!(
                "花名册 {}：{} 笔，送银行 {} 元，暂缓 {held} 笔 / payroll {}: {} lines, {} yuan to the bank, {held} held",
                p.id, p.lines, p.total, p.id, p.lines, p.total
            );
        }
        PaymentsWhat::Step { id, step, county } => {
            let who = county_staff(operator, &county)?;
            let s = Step::parse(&step)
                .ok_or_else(|| format!("“{step}”应为 approve、send_back 或 lock / {step:?}: approve, send_back or lock"))?;
            let p = service::step(store, engine, &RequestContext::new(&who, operator, today), id, s).await.map_err(|e| e.both())?;
            println!("花名册 {id}：{} / payroll {id}: {}", p.status.zh(), p.status.as_str());
        }
        PaymentsWhat::BankFile { id, layout, county, out } => {
            let who = county_staff(operator, &county)?;
            let (_, bytes) =
                service::bank_file(store, engine, &RequestContext::new(&who, operator, today), id, &layout).await.map_err(|e| e.both())?;
            std::fs::write(&out, bytes).map_err(|e| format!("无法写入 {}：{e} / cannot write {}: {e}", out.display(), out.display()))?;
            println!("{}", out.display());
        }
        PaymentsWhat::Return { id, file, layout, county } => {
            let who = county_staff(operator, &county)?;
            let r = service::bank_return(store, &RequestContext::new(&who, operator, today), id, &layout, &read(&file)?)
                .await
                .map_err(|e| e.both())?;
            println!(
                "入账 {} 笔 {} 元，退票 {} 笔 {} 元 / {} credited ({} yuan), {} returned ({} yuan)",
                r.paid, r.paid_amount, r.failed, r.failed_amount, r.paid, r.paid_amount, r.failed, r.failed_amount
            );
        }
        PaymentsWhat::CheckAmounts { id, county } => {
            let who = county_staff(operator, &county)?;
            let (new, differ) =
                service::check_amounts(store, engine, &RequestContext::new(&who, operator, today), id).await.map_err(|e| e.both())?;
            println!("与规则不符 {differ} 笔，新疑点 {new} 条 / {differ} lines differ from the rules, {new} new findings");
        }
        PaymentsWhat::List { county } => {
            let who = county_staff(operator, &county)?;
            for p in service::list(store, &who, None).await.map_err(|e| e.both())? {
                println!(
                    "{:>6} {} {} {} {} {:>8} {:>14}",
                    p.id,
                    p.month.format("%Y-%m"),
                    p.county,
                    p.program,
                    p.status.zh(),
                    p.lines,
                    p.total
                );
            }
        }
    }
    Ok(())
}
