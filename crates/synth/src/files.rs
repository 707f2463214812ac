//! Writes a generated city as the files departments deliver: `persons`, `households`, each
//! departmental dataset, and `anomalies` (the answer key of the planted errors), as CSV (UTF-8
//! with BOM, as Excel writes it) or .xlsx.

use crate::{City, Table};
use minzheng_domain::registry::{columns, household_row, person_row};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use minzheng_sheet::{write_table, Format, WriteError};

fn ext(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    }
}

/// The persons sheet of a city, one row per person.
pub fn persons_rows(city: &City) -> Vec<Vec<String>> {
    let households: HashMap<&str, &minzheng_domain::Household> = city.households.iter().map(|h| (h.household_no.as_str(), h)).collect();
    city.persons
        .iter()
        .map(|p| {
            let h = p.household_no.as_deref().and_then(|n| households.get(n).copied());
            let name = h.and_then(|h| city.community_names.get(h.community.as_str())).map(String::as_str).unwrap_or("");
            person_row(p, h, name)
        })
        .collect()
}

/// The households sheet of a city.
pub fn households_rows(city: &City) -> Vec<Vec<String>> {
    let heads = minzheng_domain::registry::heads_and_sizes(&city.persons);
    city.households
        .iter()
        .map(|h| {
            let (head, n) = heads.get(h.household_no.as_str()).copied().unwrap_or(("", 0));
            let name = city.community_names.get(h.community.as_str()).map(String::as_str).unwrap_or("");
            household_row(h, head, n, name)
        })
        .collect()
}

/// Writes every file of the city into `dir` (created if missing); returns the paths written.
pub fn write_city(city: &City, dir: &Path, format: Format) -> Result<Vec<PathBuf>, WriteError> {
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Io { path: dir.to_path_buf(), source })?;
    let path = |stem: &str| dir.join(format!("{stem}.{}", ext(format)));
    // Two writers: the registry sheets on one thread, the departmental datasets on another.
    let registry = || -> Result<Vec<PathBuf>, WriteError> {
        let (p, h) = (path("persons"), path("households"));
        write_table(&p, columns::PERSONS, &persons_rows(city), format)?;
        write_table(&h, columns::HOUSEHOLDS, &households_rows(city), format)?;
        let r = path(city.roster.name);
        write_table(&r, &city.roster.headers, &city.roster.rows, format)?;
        Ok(vec![p, h, r])
    };
    let departments = || -> Result<Vec<PathBuf>, WriteError> {
        let mut out = Vec::new();
        for Table { name, headers, rows, .. } in &city.datasets {
            let p = path(name);
            write_table(&p, headers, rows, format)?;
            out.push(p);
        }
        Ok(out)
    };
    let (a, b) = std::thread::scope(|s| {
        let handle = s.spawn(departments);
        let a = registry();
        (a, handle.join())
    });
    let mut written = a?;
    match b {
        Ok(paths) => written.extend(paths?),
        Err(_) => return Err(WriteError::Io { path: dir.to_path_buf(), source: std::io::Error::other("writer thread failed") }),
    }
    let answer: Vec<Vec<String>> = city
        .anomalies
        .iter()
        .map(|a| {
            vec![
                a.kind.as_str().to_string(),
                a.dataset.to_string(),
                a.true_id.to_string(),
                a.recorded_id.clone(),
                a.true_name.clone(),
                a.recorded_name.clone(),
            ]
        })
        .collect();
    let p = path("anomalies");
    write_table(&p, &["类型", "数据集", "真实身份证号", "记录身份证号", "真实姓名", "记录姓名"], &answer, format)?;
    written.push(p);
    Ok(written)
}
