//! `minzheng bench payroll`: a month's payment list for N enrolments, its bank files in the two
//! shipped layouts, and the bank's return of N lines read and reconciled; then the list stored
//! in a fresh SQLite database. Each step timed on its own.

use anyhow::Result;
use chrono::NaiveDate;
use minzheng_domain::{EnrolledMember, Enrolment, EnrolmentStatus, Fen, IdNumber, RegionCode, Sex};
use minzheng_server::payments::bank::{self, BankLayout, FileFor};
use minzheng_server::payments::model::{self, AccountKind, PaidBefore, PaymentAccount, PayrollInputs};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

fn card(n: u64) -> String {
    let body = format!("621700{n:012}");
    (0..10).map(|c| format!("{body}{c}")).find(|x| model::luhn_ok(x)).unwrap_or(body)
}

pub async fn payroll(enrolments: u64, seed: u64, database_url: Option<&str>) -> Result<()> {
    println!("command: minzheng bench payroll --enrolments {enrolments} --seed {seed}");
    let county = RegionCode::parse("210112").map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let month = NaiveDate::from_ymd_opt(2026, 9, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    let start = NaiveDate::from_ymd_opt(2026, 3, 1).ok_or_else(|| anyhow::anyhow!("date"))?;
    let t0 = Instant::now();
    let mut list = Vec::with_capacity(enrolments as usize);
    let mut heads = HashMap::with_capacity(enrolments as usize);
    let mut accounts = HashMap::with_capacity(enrolments as usize);
    let mut before = PaidBefore { first_month: Some(start), ..Default::default() };
    for i in 0..enrolments {
        let birth = NaiveDate::from_ymd_opt(1940 + (i % 60) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32).unwrap_or(start);
        // Unique numbers: 420 birth dates × 1,000 sequence numbers × 10 districts.
        const AREAS: [u32; 10] = [210102, 210103, 210104, 210105, 210106, 210111, 210112, 210113, 210114, 210115];
        let seq = ((i / 420) % 1000) as u16;
        let id = IdNumber::from_parts(AREAS[((i / 420_000) % 10) as usize], birth, seq, if seq % 2 == 1 { Sex::Male } else { Sex::Female });
        let no = format!("210112{i:010}");
        let amount = Fen(50_000 + ((i.wrapping_mul(seed | 1)) % 60_000) as i64);
        list.push(Enrolment {
            id: i as i64 + 1,
            program: "dibao".into(),
            household_no: no.clone(),
            county: county.clone(),
            members: vec![EnrolledMember { id_number: id, name: "王秀英".into(), amount: None, end: None }],
            monthly_amount: amount,
            start,
            status: if i % 50 == 0 { EnrolmentStatus::Stopped } else { EnrolmentStatus::Active },
            end: (i % 50 == 0).then_some(month),
        });
        heads.insert(no.clone(), (id, "王秀英".to_string()));
        // One in a hundred has no card yet; every month before September was paid for all but
        // one in twenty, whose last month is owed.
        if i % 100 != 7 {
            accounts.insert(
                id,
                PaymentAccount {
                    holder: id,
                    holder_name: "王秀英".into(),
                    household_no: no,
                    bank: "盛京银行".into(),
                    kind: AccountKind::Card,
                    account_no: card(i),
                },
            );
        }
        let mut months: HashSet<NaiveDate> = HashSet::new();
        let mut m = start;
        while m < month {
            let next = minzheng_domain::enrolment::next_month(m);
            if !(i % 20 == 3 && next == month) {
                months.insert(m);
            }
            m = next;
        }
        before.covered_enrolment.insert(i as i64 + 1, months.clone());
        before.covered.insert((i as i64 + 1, id), months);
    }
    let t1 = Instant::now();
    println!("payroll bench: {enrolments} enrolments (低保, one county), set up in {:.2} s", (t1 - t0).as_secs_f64());
    let deductions = HashMap::new();
    let institutions = HashMap::new();
    let inputs = PayrollInputs {
        month,
        per_person: false,
        heads: &heads,
        accounts: &accounts,
        before: &before,
        deductions: &deductions,
        institutions: &institutions,
    };
    let t = Instant::now();
    let lines = model::prepare(&list, &inputs);
    let prepare = t.elapsed().as_secs_f64();
    let held = lines.iter().filter(|l| l.held.is_some()).count();
    let arrears = lines.iter().filter(|l| l.arrears.0 > 0).count();
    println!(
        "  work out the list: {prepare:.2} s ({} lines, {arrears} with arrears, {held} held, {} yuan to the bank)",
        lines.len(),
        model::bank_total(&lines)
    );
    let mut files = 0.0;
    let mut outcomes = Vec::new();
    // The two text layouts are the target's "bank files"; the workbook is timed beside them.
    for code in ["shengjing", "psbc", "xlsx"] {
        let layout = BankLayout::shipped(code).ok_or_else(|| anyhow::anyhow!("layout {code}"))?;
        let t = Instant::now();
        let out = bank::payment_file(&layout.payment, &lines, &FileFor { program_zh: "城乡低保", period: "2026-09" })
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        let s = t.elapsed().as_secs_f64();
        if code != "xlsx" {
            files += s;
        }
        println!("  bank file {code}: {s:.2} s ({} MB)", out.len() / 1_000_000);
        let failed: HashMap<i64, (String, String)> =
            lines.iter().filter(|l| l.line_no % 997 == 0).map(|l| (l.line_no, ("3001".to_string(), "账户冻结".to_string()))).collect();
        let back = bank::return_file(&layout.returns, &lines, &failed);
        let t = Instant::now();
        let r = bank::reconcile(&layout.returns, &back, &lines).map_err(|e| anyhow::anyhow!("{} refusals", e.len()))?;
        outcomes = r.outcomes.clone();
        println!(
            "  read and reconcile the {code} return ({} lines): {:.2} s ({} paid, {} returned)",
            r.outcomes.len(),
            t.elapsed().as_secs_f64(),
            r.paid,
            r.failed
        );
    }
    println!("  list + both bank files: {:.2} s", prepare + files);

    // 资金监督 over twelve months of this list: every check on every line of each month.
    use minzheng_server::payments::supervision::Map;
    let mut persons: Map<IdNumber, minzheng_domain::Person> = Map::default();
    let mut communities: Map<String, RegionCode> = Map::default();
    let community = RegionCode::parse("210112009001").map_err(|e| anyhow::anyhow!(e.to_string()))?;
    for (i, l) in lines.iter().enumerate() {
        communities.insert(l.household_no.clone(), community.clone());
        // One payee in a thousand died in June.
        if i % 1000 == 11 {
            let mut p = minzheng_domain::Person {
                id_number: l.payee,
                name: l.payee_name.clone(),
                sex: l.payee.sex(),
                birth_date: l.payee.birth_date(),
                hukou_region: community.clone(),
                household_no: Some(l.household_no.clone()),
                relation: minzheng_domain::Relation::Head,
                status: minzheng_domain::PersonStatus::Alive,
                disability: None,
                phone: None,
                tags: vec![],
            };
            p.status = minzheng_domain::PersonStatus::Deceased(NaiveDate::from_ymd_opt(2026, 6, 15));
            persons.insert(l.payee, p);
        }
    }
    // One account in five hundred also registered to another household.
    let account_households: Map<String, Vec<String>> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 500 == 3)
        .map(|(_, l)| (l.account_no.clone(), vec![l.household_no.clone(), "OTHER".to_string()]))
        .collect();
    let paid_elsewhere: Map<IdNumber, Vec<(String, String)>> = Map::default();
    let ex = |a: &str, b: &str| a != b && (a == "tekun" || b == "tekun");
    let t = Instant::now();
    let mut found = 0;
    // One payee in 5,000 is a filed relative of staff.
    let relatives: Map<IdNumber, Vec<minzheng_server::payments::relatives::StaffRelative>> = lines
        .iter()
        .filter(|l| l.line_no % 5000 == 17)
        .map(|l| {
            let r = minzheng_server::payments::relatives::StaffRelative {
                id: l.line_no,
                county: RegionCode::parse("210112").map_err(|e| anyhow::anyhow!(e.to_string()))?,
                staff_name: "李梅".into(),
                staff_unit: "五三街道办事处".into(),
                relative: l.payee,
                relative_name: l.payee_name.clone(),
                relation: minzheng_server::payments::relatives::Relation::Parent,
                filed_on: NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| anyhow::anyhow!("day"))?,
                filed_by: "bench".into(),
                removed_on: None,
            };
            Ok((l.payee, vec![r]))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut checked = 0;
    let mut monthly = lines.clone();
    for k in 0..12u32 {
        let m = NaiveDate::from_ymd_opt(2026, 1 + k, 1).ok_or_else(|| anyhow::anyhow!("month"))?;
        for l in &mut monthly {
            l.months.clear();
            l.months.push(m);
        }
        let facts = minzheng_server::payments::supervision::Facts {
            payroll_id: i64::from(k),
            program: "dibao",
            program_zh: "城乡低保",
            county: &RegionCode::parse("210112").map_err(|e| anyhow::anyhow!(e.to_string()))?,
            on: m,
            persons: &persons,
            communities: &communities,
            account_households: &account_households,
            paid_elsewhere: &paid_elsewhere,
            excludes: &ex,
            name_of: &|c: &str| c.to_string(),
            relatives: &relatives,
        };
        found += minzheng_server::payments::supervision::check(&monthly, &facts).len();
        checked += monthly.len();
    }
    println!(
        "  supervision checks, 12 months × {} lines ({checked} payments): {:.2} s ({found} findings before dedup across months)",
        lines.len(),
        t.elapsed().as_secs_f64()
    );
    // Stored in a fresh database (SQLite, or a new PostgreSQL database beside the one named), as
    // `save_payroll` does: the lines and the list in one transaction with its audit record.
    let dir = super::temp_dir("payroll");
    std::fs::create_dir_all(&dir)?;
    let fresh = super::fresh_database(database_url, &dir, "payroll").await?;
    let url = fresh.url.clone();
    let store = minzheng_store::connect(&url).await?;
    store.migrate_module(&minzheng_server::payments::store::MIGRATIONS).await?;
    let p = model::Payroll {
        id: 0,
        program: "dibao".into(),
        county,
        month,
        status: model::PayrollStatus::Prepared,
        prepared_by: "bench".into(),
        approved_by: None,
        lines: lines.len() as i64,
        total: model::bank_total(&lines),
    };
    let payments = minzheng_server::payments::store::payment_store(store.as_ref());
    let actor = minzheng_store::Actor::new("bench");
    let t = Instant::now();
    let id = payments.save_payroll(&p, &lines, &actor).await?;
    println!("  store the list ({:?}): {:.2} s", store.backend(), t.elapsed().as_secs_f64());
    use minzheng_server::payments::model::PayrollStatus::{Approved, Locked, Prepared};
    let head = minzheng_store::Actor::new("bench-head");
    anyhow::ensure!(payments.move_payroll(id, Prepared, Approved, &head).await?, "approve");
    anyhow::ensure!(payments.move_payroll(id, Approved, Locked, &head).await?, "lock");
    let results: Vec<minzheng_server::payments::store::PaymentResult> = outcomes
        .iter()
        .map(|(n, o)| minzheng_server::payments::store::PaymentResult {
            line_no: *n,
            paid: *o == bank::Outcome::Paid,
            reason: match o {
                bank::Outcome::Failed(w) => w.clone(),
                bank::Outcome::Paid => String::new(),
            },
        })
        .collect();
    let t = Instant::now();
    payments.record_results(id, &results, "bench", &actor).await?;
    println!("  store the bank's results ({} lines): {:.2} s", results.len(), t.elapsed().as_secs_f64());
    drop(store);
    super::drop_fresh(fresh).await?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
