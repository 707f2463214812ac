//! `minzheng bench fuzz`: the readers and parsers that take what users and other departments
//! send, fed millions of mutated inputs on the stable toolchain (no cargo-fuzz): every case must
//! return (a value or a reasoned error), never panic, and the process's peak memory is reported
//! so that an input that allocates without bound shows.
//!
//! Inputs are real files mutated: a generated city's persons sheet as CSV (UTF-8 and GBK) and as
//! .xlsx, and text around valid ID numbers, region codes, amounts and dates. Mutations flip,
//! insert, delete, duplicate and splice bytes, and plant cells in the far corner of a sheet.

use anyhow::Result;
use minzheng_app::sheet::{self, Cell};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// A small, fast, seeded generator (xorshift64*): the run is the same for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes a mutation may insert: the ones readers treat specially.
const INTERESTING: &[&[u8]] = &[
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"X",
    b"x",
    b"-",
    b"+",
    b".",
    b"e9",
    b"99999999999999999999",
    b"\xE5\xA7\x93\xE5\x90\x8D",
    b"\xD0\xD5",
    b"1900-02-29",
    b"9999-12-31",
    b"+262142-01-01",
    b"NaN",
    b"-0",
    b"\xC2\xA0",
    b"</c>",
    b"r=\"XFD1048576\"",
];

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                v.splice(at..at, piece.iter().copied());
            }
            2 if !v.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 if !v.is_empty() => {
                let from = rng.below(v.len());
                let end = (from + 1 + rng.below(64)).min(v.len());
                let piece: Vec<u8> = v[from..end].to_vec();
                v.splice(at..at, piece);
            }
            4 => {
                let b = (rng.next() & 0xFF) as u8;
                v.insert(at.min(v.len()), b);
            }
            _ if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = (rng.next() & 0xFF) as u8;
            }
            _ => v.push((rng.next() & 0xFF) as u8),
        }
    }
    v
}

/// What one target took and found.
struct Outcome {
    name: &'static str,
    cases: u64,
    panics: u64,
    seconds: f64,
    first_panic: Option<Vec<u8>>,
}

fn run_target(name: &'static str, seeds: &[Vec<u8>], cases: u64, rng: &mut Rng, f: &dyn Fn(&[u8])) -> Outcome {
    let started = Instant::now();
    let mut panics = 0;
    let mut first_panic = None;
    for i in 0..cases {
        let seed = &seeds[(i % seeds.len() as u64) as usize];
        let input = mutate(seed, rng);
        if std::panic::catch_unwind(AssertUnwindSafe(|| f(&input))).is_err() {
            panics += 1;
            first_panic.get_or_insert(input);
        }
    }
    Outcome { name, cases, panics, seconds: started.elapsed().as_secs_f64(), first_panic }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// A valid workbook whose cells come from the input: its lines as rows, fields as cells, and
/// each line's first byte choosing whether the row lands far away (up to XFD1048576).
fn workbook_of(input: &[u8]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let text = String::from_utf8_lossy(input);
    for (r, line) in text.lines().take(40).enumerate() {
        let far = line.as_bytes().first().copied().unwrap_or(0);
        let row = if far % 7 == 0 { 1_048_575 - r as u32 } else { r as u32 };
        for (c, field) in line.split(',').take(30).enumerate() {
            let col = if far % 11 == 0 { 16_383 - c as u16 } else { c as u16 };
            let _ = match field.parse::<f64>() {
                Ok(n) if n.is_finite() => sheet.write_number(row, col, n).map(|_| ()),
                _ => sheet.write_string(row, col, field).map(|_| ()),
            };
        }
    }
    book.save_to_buffer().unwrap_or_default()
}

fn known_header(h: &str) -> bool {
    ["姓名", "身份证号", "性别", "户号", "与户主关系", "出生日期", "社区", "金额"].contains(&h)
}

pub fn fuzz(cases: u64, seed: u64) -> Result<()> {
    println!("command: minzheng bench fuzz --cases {cases} --seed {seed}");
    let dir = std::env::temp_dir().join(format!("minzheng-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let city = minzheng_synth::generate(&minzheng_app::regions::liaoning(), &minzheng_synth::Config::new(30, seed))?;
    let rows = minzheng_synth::files::persons_rows(&city);
    let (csv, xlsx) = (dir.join("persons.csv"), dir.join("persons.xlsx"));
    minzheng_synth::files::write_table(&csv, minzheng_domain::registry::columns::PERSONS, &rows, minzheng_synth::files::Format::Csv)?;
    minzheng_synth::files::write_table(&xlsx, minzheng_domain::registry::columns::PERSONS, &rows, minzheng_synth::files::Format::Xlsx)?;
    let csv_utf8 = std::fs::read(&csv)?;
    let text = String::from_utf8_lossy(&csv_utf8).to_string();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let csv_seeds = vec![csv_utf8.clone(), gbk.into_owned(), csv_utf8[..csv_utf8.len().min(300)].to_vec()];
    let xlsx_seeds = vec![std::fs::read(&xlsx)?];
    let _ = std::fs::remove_dir_all(&dir);
    let ids: Vec<Vec<u8>> = city.persons.iter().take(20).map(|p| p.id_number.as_str().as_bytes().to_vec()).collect();
    let regions: Vec<Vec<u8>> = vec![b"210112009001".to_vec(), b"2101".to_vec(), b"210112".to_vec(), b"21".to_vec()];
    let money: Vec<Vec<u8>> =
        vec![b"1041.00".to_vec(), b"848".to_vec(), b"0.5".to_vec(), b"1,234.56".to_vec(), "１０４１元".as_bytes().to_vec()];
    let dates: Vec<Vec<u8>> = vec![b"2026-07-01".to_vec(), b"20260701".to_vec(), "2026年7月1日".as_bytes().to_vec(), b"46000".to_vec()];

    // Panics are counted, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let small = cases;
    // Valid workbooks are written for each case (a few milliseconds): a thousandth as many.
    let outcomes = vec![
        run_target("CSV reader (UTF-8/GBK detection, rows, header)", &csv_seeds, small, &mut rng, &|b| {
            if let Some(t) = sheet::decode_text(b.to_vec()) {
                let _ = sheet::with_header("f.csv", sheet::csv_rows(&t), known_header, String::new());
            }
        }),
        run_target("XLSX reader (zip, XML, cells)", &xlsx_seeds, cases, &mut rng, &|b| {
            let _ = sheet::read_bytes("f.xlsx", b.to_vec(), known_header);
        }),
        run_target("XLSX cells (valid workbooks, mutated text and places)", &csv_seeds, (cases / 1000).max(1), &mut rng, &|b| {
            let _ = sheet::read_bytes("f.xlsx", workbook_of(b), known_header);
        }),
        run_target("ID number parser (GB 11643)", &ids, small, &mut rng, &|b| {
            let _ = minzheng_domain::IdNumber::parse(&String::from_utf8_lossy(b));
        }),
        run_target("region code parser", &regions, small, &mut rng, &|b| {
            let _ = minzheng_domain::RegionCode::parse(&String::from_utf8_lossy(b));
        }),
        run_target("money parser (yuan to fen)", &money, small, &mut rng, &|b| {
            let _ = minzheng_domain::Fen::parse_yuan(&String::from_utf8_lossy(b));
        }),
        run_target("date cells of imports", &dates, small, &mut rng, &|b| {
            let _ = minzheng_app::import::parse_date(&Cell::Text(String::from_utf8_lossy(b).to_string()));
        }),
    ];
    let _ = std::panic::take_hook();
    println!("{:<56} {:>12} {:>8} {:>10} {:>12}", "target", "cases", "panics", "seconds", "cases/s");
    let mut failed = false;
    for o in &outcomes {
        println!("{:<56} {:>12} {:>8} {:>10.1} {:>12.0}", o.name, o.cases, o.panics, o.seconds, o.cases as f64 / o.seconds.max(1e-9));
        if let Some(input) = &o.first_panic {
            failed = true;
            println!("  first panicking input ({} bytes): {}", input.len(), hex::encode(&input[..input.len().min(256)]));
        }
    }
    println!("peak memory of the process: {:.0} MiB", peak_rss_mib());
    if failed {
        anyhow::bail!("a reader panicked: see the inputs above");
    }
    Ok(())
}
