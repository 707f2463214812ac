//! 行政区划: the real division tree of Liaoning (18,248 divisions down to community and
//! village), shipped inside the binary from `data/liaoning-regions.csv`.

use minzheng_domain::{Region, RegionCode, RegionLevel};
use minzheng_store::{Actor, Store, StoreError};

/// The shipped CSV: `code,level,name,parent_code`.
pub const LIAONING_CSV: &str = include_str!("../../../data/liaoning-regions.csv");

/// Why a region file line was refused.
#[derive(Debug, thiserror::Error)]
#[error("region file line {line}: {reason}")]
pub struct RegionFileError {
    pub line: usize,
    pub reason: String,
}

/// Parses a region file (`code,level,name,parent_code`, header first).
pub fn parse_csv(text: &str) -> Result<Vec<Region>, RegionFileError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let err = |reason: String| RegionFileError { line: line_no, reason };
        let mut parts = line.split(',');
        let (code, level, name, parent) = (parts.next(), parts.next(), parts.next(), parts.next());
        let code = RegionCode::parse(code.unwrap_or("")).map_err(|e| err(e.to_string()))?;
        let level = RegionLevel::parse(level.unwrap_or("")).ok_or_else(|| err("unknown level".into()))?;
        if level != code.level() {
            return Err(err(format!("level {} does not match code {code}", level.as_str())));
        }
        let name = name.unwrap_or("").trim().to_string();
        if name.is_empty() {
            return Err(err("empty name".into()));
        }
        let parent = match parent.map(str::trim) {
            Some(p) if !p.is_empty() => Some(RegionCode::parse(p).map_err(|e| err(e.to_string()))?),
            _ => None,
        };
        out.push(Region { code, name, level, parent });
    }
    Ok(out)
}

/// The shipped tree.
pub fn liaoning() -> Vec<Region> {
    // The shipped file is checked by a test; a failure here is a build defect.
    parse_csv(LIAONING_CSV).unwrap_or_default()
}

/// Loads the shipped tree into the store if it is not there yet; returns how many were added.
pub async fn ensure_loaded(store: &dyn Store, actor: &Actor) -> Result<u64, StoreError> {
    let counts = store.counts().await?;
    if counts.regions >= 18_000 {
        return Ok(0);
    }
    store.load_regions(&liaoning(), actor).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tree_is_the_real_one() {
        let regions = parse_csv(LIAONING_CSV).expect("shipped file parses");
        assert_eq!(regions.len(), 18_248);
        let in_shenyang = |level| {
            regions
                .iter()
                .filter(|r| r.level == level && r.code.as_str().starts_with("2101"))
                .count()
        };
        assert_eq!(in_shenyang(RegionLevel::County), 13);
        assert_eq!(in_shenyang(RegionLevel::Street), 190);
        assert_eq!(in_shenyang(RegionLevel::Community), 2_703);
        let hunnan = regions.iter().find(|r| r.code.as_str() == "210112").expect("浑南区");
        assert_eq!(hunnan.name, "浑南区");
        // Every parent is in the tree.
        let codes: std::collections::HashSet<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        assert!(regions.iter().all(|r| r.parent.as_ref().is_none_or(|p| codes.contains(p.as_str()))));
    }

    #[test]
    fn a_broken_line_is_named() {
        let e = parse_csv("code,level,name,parent_code\n2101,county,沈阳市,21\n").expect_err("bad level");
        assert_eq!(e.line, 2);
    }
}
