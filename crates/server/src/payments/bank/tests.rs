use super::*;
use crate::payments::model::PayrollLine;
use minzheng_domain::IdNumber;

fn line(no: i64, net: i64, held: bool) -> PayrollLine {
    PayrollLine {
        line_no: no,
        enrolment_id: no,
        household_no: format!("H{no}"),
        payee: IdNumber::parse("11010519491231002X").expect("id"),
        payee_name: "王秀英".into(),
        account_name: String::new(),
        bank: "盛京银行".into(),
        account_no: format!("62220200000000{no:05}"),
        months: vec![],
        amount: Fen(net),
        arrears: Fen(0),
        deduction: Fen(0),
        net: Fen(net),
        note: String::new(),
        held: held.then_some(super::super::model::Held::NoAccount),
        reissue_of: None,
    }
}

fn lines() -> Vec<PayrollLine> {
    vec![line(1, 104_100, false), line(2, 52_050, false), line(3, 99_900, true), line(4, 1, false)]
}

const WHAT: FileFor<'static> = FileFor { program_zh: "城乡低保", period: "2026-09" };

#[test]
fn the_shipped_layouts_read_and_write_their_files() {
    for (code, _) in SHIPPED {
        let l = BankLayout::shipped(code).unwrap_or_else(|| panic!("layout {code}"));
        let file = payment_file(&l.payment, &lines(), &WHAT).expect("fits");
        let text = match (l.payment.format, l.payment.encoding) {
            (Format::Xlsx, _) => format!("{:?}", xlsx::rows(&file).expect("a workbook")),
            (_, Encoding::Gbk) => encoding_rs::GBK.decode(&file).0.into_owned(),
            (_, Encoding::Utf8) => String::from_utf8(file.clone()).expect("utf-8"),
        };
        assert!(text.contains("王秀英"), "{code}: {text}");
        assert!(!text.contains("H3") && !text.contains("6222020000000000003"), "{code}: a held line is not sent");
        let failures = HashMap::from([(2, ("3001".to_string(), "账户冻结".to_string()))]);
        let back = return_file(&l.returns, &lines(), &failures);
        let r = reconcile(&l.returns, &back, &lines()).unwrap_or_else(|e| panic!("{code}: {e:?}"));
        assert_eq!(r.outcomes, vec![(1, Outcome::Paid), (2, Outcome::Failed("账户冻结".into())), (4, Outcome::Paid)], "{code}");
        assert_eq!((r.paid, r.failed), (Fen(104_101), Fen(52_050)));
    }
}

#[test]
fn a_fixed_width_gbk_file_keeps_its_columns_in_bytes() {
    let l = BankLayout::shipped("shengjing").expect("layout");
    let file = payment_file(&l.payment, &lines(), &WHAT).expect("fits");
    let widths: usize = l.payment.columns.iter().map(|c| c.width).sum();
    for rec in file.split(|b| *b == b'\n').filter(|r| r.len() > 2).skip(usize::from(l.payment.totals == Totals::First)) {
        assert_eq!(rec.strip_suffix(b"\r").unwrap_or(rec).len(), widths, "every record is as wide as the columns");
    }
}

#[test]
fn a_return_with_a_wrong_line_applies_nothing_and_names_every_problem() {
    let l = BankLayout::shipped("psbc").expect("layout");
    let good = String::from_utf8(return_file(&l.returns, &lines(), &HashMap::new())).expect("utf-8");
    // An amount changed, a line repeated, a line the payroll never had, the totals wrong.
    let bad = good.replace("|1041.00|", "|1014.00|").replacen(
        "\r\n",
        "\r\n4|王秀英|6222020000000000004|0.01|0000|\r\n99|张三|6222020000000000099|1.00|0000|\r\n",
        1,
    );
    let e = reconcile(&l.returns, bad.as_bytes(), &lines()).expect_err("refused");
    let said: Vec<String> = e.iter().map(|r| r.zh()).collect();
    assert!(said.iter().any(|s| s.contains("金额 1014.00 元与发放清单的 1041.00 元不符")), "{said:?}");
    assert!(said.iter().any(|s| s.contains("序号 4 重复出现")), "{said:?}");
    assert!(said.iter().any(|s| s.contains("序号 99 不在本月发放清单中")), "{said:?}");
    // A missing line.
    let short: String = good.lines().filter(|x| !x.starts_with("2|")).map(|x| format!("{x}\r\n")).collect();
    let e = reconcile(&l.returns, short.as_bytes(), &lines()).expect_err("refused");
    assert!(e.iter().any(|r| r.zh().contains("缺少 1 笔")), "{e:?}");
    // Not UTF-8 where the layout says UTF-8.
    let gbk = encoding_rs::GBK.encode(&good).0.into_owned();
    assert!(reconcile(&l.returns, &gbk, &lines()).is_err());
}

#[test]
fn an_account_longer_than_its_column_stops_the_file() {
    let l = BankLayout::shipped("shengjing").expect("layout");
    let mut long = lines();
    long[1].account_no = "1234567890123456789012".into();
    let Err(FileRefused::DoesNotFit(e)) = payment_file(&l.payment, &long, &WHAT) else { panic!("refused") };
    assert_eq!((e.line, e.field, e.width), (2, "账号", 19));
    assert!(payment_file(&BankLayout::shipped("psbc").expect("psbc").payment, &long, &WHAT).is_ok(), "a delimited file has no width");
}

#[test]
fn a_layout_without_the_needed_columns_is_refused() {
    let text = r#"code = "x"
name = "x"
[payment]
format = "fixed"
encoding = "gbk"
amount_unit = "fen"
totals = "none"
columns = [{ field = "account" }, { field = "amount", width = 12 }]
[return]
format = "delimited"
encoding = "utf-8"
amount_unit = "fen"
totals = "none"
paid_codes = ["0"]
columns = [{ field = "seq" }, { field = "account" }, { field = "amount" }, { field = "result" }]
"#;
    assert!(BankLayout::parse("x", text).err().is_some_and(|e| e.message.contains("width")));
}

#[test]
fn a_workbook_keeps_account_numbers_whole_and_reads_back_as_the_text_files_do() {
    let l = BankLayout::shipped("xlsx").expect("layout");
    let mut sent = lines();
    // Nineteen digits with a leading zero: a number cell would keep fifteen and drop the zero.
    sent[0].account_no = "0622202000000000017".into();
    let file = payment_file(&l.payment, &sent, &WHAT).expect("written");
    let rows = xlsx::rows(&file).expect("a workbook");
    assert_eq!(rows[0].1[..2], ["序号".to_string(), "姓名".to_string()], "the header row");
    assert_eq!(rows[1].1[3], "0622202000000000017", "the account as written");
    assert_eq!(rows[1].1[4], "1041", "the amount a number of yuan");
    assert_eq!(rows.last().expect("totals").1, ["合计", "3", "1561.51"], "count and total of the lines sent");
    // The bank's answer as a workbook: one failure, the rest paid.
    let back = return_file(&l.returns, &sent, &HashMap::from([(4, ("3002".to_string(), "户名与账号不符".to_string()))]));
    let r = reconcile(&l.returns, &back, &sent).expect("reconciled");
    assert_eq!(r.outcomes, vec![(1, Outcome::Paid), (2, Outcome::Paid), (4, Outcome::Failed("户名与账号不符".into()))]);
    // A text file where a workbook is expected, and a workbook with no payment in it.
    let e = reconcile(&l.returns, b"1|x", &sent).expect_err("not a workbook");
    assert!(e[0].zh().contains("Excel"), "{e:?}");
    let short = xlsx::write(&l.returns.file, "回盘", std::iter::empty(), 0, Fen(0)).expect("written");
    let e = reconcile(&l.returns, &short, &sent).expect_err("nothing came back");
    assert!(e.iter().any(|r| r.zh().contains("缺少 3 笔")), "{e:?}");
}
