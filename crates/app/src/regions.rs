//! 行政区划: the real division tree of Liaoning (18,248 divisions down to community and
//! village), shipped inside the binary from `data/liaoning-regions.csv`.

use minzheng_store::{Actor, Store, StoreError};

pub use minzheng_domain::region::tree::{liaoning, parse_csv, RegionFileError, LIAONING_CSV};

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
    use minzheng_domain::RegionLevel;

    #[test]
    fn the_shipped_tree_is_the_real_one() {
        let regions = parse_csv(LIAONING_CSV).expect("shipped file parses");
        assert_eq!(regions.len(), 18_248);
        let in_shenyang = |level| regions.iter().filter(|r| r.level == level && r.code.as_str().starts_with("2101")).count();
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
