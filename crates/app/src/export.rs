//! 导出: persons and households of a region to .xlsx or .csv, page by page.

use crate::import::Communities;
use minzheng_domain::registry::{columns, household_row, person_row};
use minzheng_domain::{Household, RegionCode};
use minzheng_store::{HouseholdQuery, Progress, Store, StoreError};
use minzheng_synth::files::{write_table, Format, WriteError};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Persons,
    Households,
}

/// Exports persons or households living in `region` (the whole store if none); returns rows.
pub async fn export(
    store: &dyn Store,
    what: What,
    region: Option<RegionCode>,
    path: &Path,
    format: Format,
    progress: Progress<'_>,
) -> Result<usize, ExportError> {
    let communities = Communities::load(store).await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut after = None;
    loop {
        let page = store.search_households(&HouseholdQuery { region: region.clone(), after: after.clone(), limit: 1000 }).await?;
        let nos: Vec<String> = page.items.iter().map(|h| h.household_no.clone()).collect();
        let members = store.members_of(&nos).await?;
        let by_no: HashMap<&str, &Household> = page.items.iter().map(|h| (h.household_no.as_str(), h)).collect();
        match what {
            What::Persons => {
                for p in &members {
                    let h = p.household_no.as_deref().and_then(|n| by_no.get(n).copied());
                    let name = h.and_then(|h| communities.name(&h.community)).unwrap_or("");
                    rows.push(person_row(p, h, name));
                }
            }
            What::Households => {
                let heads = minzheng_domain::registry::heads_and_sizes(&members);
                for h in &page.items {
                    let (head, n) = heads.get(h.household_no.as_str()).copied().unwrap_or(("", 0));
                    rows.push(household_row(h, head, n, communities.name(&h.community).unwrap_or("")));
                }
            }
        }
        progress(rows.len() as u64);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let headers = match what {
        What::Persons => columns::PERSONS,
        What::Households => columns::HOUSEHOLDS,
    };
    write_table(path, headers, &rows, format)?;
    Ok(rows.len())
}
