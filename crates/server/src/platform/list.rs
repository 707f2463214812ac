//! The list pages' numbered pages and sortable columns (分页、每页条数、排序), one shape for
//! every list: `?page=3&size=50&sort=-found_on` (a leading `-` is largest first). The query's
//! filters stay in every link; a sort key the list does not offer is ignored, so a link cannot
//! reach the SQL with anything but the list's own columns (the store maps keys to columns too).

use crate::i18n::Lang;
use minzheng_store::Paging;
use serde::Deserialize;

/// The page sizes offered (每页条数).
pub const SIZES: [u32; 4] = [20, 50, 100, 200];
const DEFAULT_SIZE: u32 = 50;

/// The page, size and order as a list page's query string has them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageParams {
    pub page: Option<u32>,
    pub size: Option<u32>,
    pub sort: Option<String>,
}

/// One list's page and order, read from its query against the columns it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// From 1.
    pub page: u32,
    pub size: u32,
    /// The column's key and largest first.
    pub sort: Option<(&'static str, bool)>,
}

impl Listing {
    /// The page asked for against the list's columns (`(key or "" for none, label)`, as
    /// [`Listing::columns`] shows them): sizes other than those offered become the nearest
    /// offered one, a page below 1 is the first, a sort key that is no column's none.
    pub fn of(p: &PageParams, columns: &[(&'static str, &str)]) -> Listing {
        let size = match p.size {
            None => DEFAULT_SIZE,
            Some(n) => *SIZES.iter().find(|s| **s >= n).unwrap_or(&SIZES[SIZES.len() - 1]),
        };
        let sort = p.sort.as_deref().and_then(|s| {
            let (key, desc) = match s.strip_prefix('-') {
                Some(k) => (k, true),
                None => (s, false),
            };
            columns.iter().map(|(k, _)| *k).find(|k| !k.is_empty() && *k == key).map(|k| (k, desc))
        });
        Listing { page: p.page.unwrap_or(1).max(1), size, sort }
    }

    /// The store's paging for this page.
    pub fn paging(&self) -> Paging {
        Paging {
            offset: u64::from(self.page - 1) * u64::from(self.size),
            sort: self.sort.map(|(k, _)| k.to_string()),
            descending: self.sort.is_some_and(|(_, d)| d),
        }
    }

    /// The page's own part of a query string (`page=2&size=50&sort=-on`), without the page
    /// number when `page` is false.
    fn query(&self, page: Option<u32>, sort: Option<(&str, bool)>) -> String {
        let mut parts = Vec::new();
        if let Some(p) = page.filter(|p| *p > 1) {
            parts.push(format!("page={p}"));
        }
        if self.size != DEFAULT_SIZE {
            parts.push(format!("size={}", self.size));
        }
        if let Some((k, d)) = sort {
            parts.push(format!("sort={}{k}", if d { "-" } else { "" }));
        }
        parts.join("&")
    }

    /// The page strip under a list: 共 N 条, 第 p / n 页, the neighbouring page numbers, previous
    /// and next, and the sizes offered; every link keeps `filters` (an encoded query string).
    pub fn pager(&self, path: &str, filters: &str, total: u64, lang: Lang) -> Pager {
        let pages = u32::try_from(total.div_ceil(u64::from(self.size))).unwrap_or(u32::MAX).max(1);
        let href = |page: u32, size: u32| {
            let l = Listing { page, size, sort: self.sort };
            join(path, filters, &l.query(Some(page), self.sort))
        };
        let mut numbers: Vec<u32> = vec![1, pages];
        numbers.extend(self.page.saturating_sub(2).max(1)..=self.page.saturating_add(2).min(pages));
        numbers.sort_unstable();
        numbers.dedup();
        let mut links = Vec::new();
        let mut last = 0;
        for n in numbers {
            if n > last + 1 {
                links.push(PageLink { label: "…".into(), href: None, current: false });
            }
            links.push(PageLink { label: n.to_string(), href: Some(href(n, self.size)), current: n == self.page });
            last = n;
        }
        let zh = lang == Lang::Zh;
        Pager {
            total,
            shown: if zh {
                format!("第 {} / {} 页", self.page.min(pages), pages)
            } else {
                format!("Page {} of {}", self.page.min(pages), pages)
            },
            previous: (self.page > 1).then(|| href(self.page.min(pages.saturating_add(1)) - 1, self.size)),
            next: (self.page < pages).then(|| href(self.page + 1, self.size)),
            previous_label: if zh { "上一页" } else { "Previous" },
            next_label: if zh { "下一页" } else { "Next" },
            size_label: if zh { "每页" } else { "Per page" },
            links,
            sizes: SIZES.iter().map(|s| (s.to_string(), href(1, *s), *s == self.size)).collect(),
            beyond: self.page > pages && total > 0,
        }
    }

    /// A list's header cells: each sortable one a link that orders by it (again: the other
    /// way), with ▲ or ▼ on the column in use; `columns` are (key or "" for none, label).
    pub fn columns(&self, path: &str, filters: &str, columns: &[(&str, &str)]) -> Vec<Column> {
        columns
            .iter()
            .map(|(key, label)| {
                if key.is_empty() {
                    return Column { label: label.to_string(), href: None, mark: "" };
                }
                let (mark, next) = match self.sort {
                    Some((k, false)) if k == *key => ("▲", (*key, true)),
                    Some((k, true)) if k == *key => ("▼", (*key, false)),
                    _ => ("", (*key, false)),
                };
                let l = Listing { page: 1, size: self.size, sort: None };
                Column { label: label.to_string(), href: Some(join(path, filters, &l.query(None, Some(next)))), mark }
            })
            .collect()
    }
}

fn join(path: &str, filters: &str, own: &str) -> String {
    match (filters.is_empty(), own.is_empty()) {
        (true, true) => path.to_string(),
        (false, true) => format!("{path}?{filters}"),
        (true, false) => format!("{path}?{own}"),
        (false, false) => format!("{path}?{filters}&{own}"),
    }
}

/// A query string's value, percent-encoded (a region typed as 浑南区, say).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The filters of a list as a query string: the pairs with a value, encoded.
pub fn filters(pairs: &[(&str, Option<&str>)]) -> String {
    pairs.iter().filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| format!("{k}={}", encode(v)))).collect::<Vec<_>>().join("&")
}

/// One entry of the page strip: a number, or an ellipsis (no link).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    pub label: String,
    pub href: Option<String>,
    pub current: bool,
}

/// The strip of page links under a list (templates/_pager.html).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    pub total: u64,
    pub shown: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub previous_label: &'static str,
    pub next_label: &'static str,
    pub size_label: &'static str,
    pub links: Vec<PageLink>,
    /// (size, link, in use).
    pub sizes: Vec<(String, String, bool)>,
    /// A page number past the last page was asked for (the list says so).
    pub beyond: bool,
}

/// A list's header cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub label: String,
    pub href: Option<String>,
    pub mark: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(page: Option<u32>, size: Option<u32>, sort: Option<&str>) -> PageParams {
        PageParams { page, size, sort: sort.map(str::to_string) }
    }

    #[test]
    fn a_page_is_read_against_the_lists_own_columns() {
        let l = Listing::of(&params(Some(3), Some(20), Some("-found_on")), &[("found_on", ""), ("status", "")]);
        assert_eq!(l, Listing { page: 3, size: 20, sort: Some(("found_on", true)) });
        assert_eq!(l.paging(), Paging { offset: 40, sort: Some("found_on".into()), descending: true });
        // Not a column of this list, page 0, an odd size: the list's defaults and nearest size.
        let l = Listing::of(&params(Some(0), Some(30), Some("id; DROP TABLE x")), &[("found_on", "")]);
        assert_eq!(l, Listing { page: 1, size: 50, sort: None });
        assert_eq!(Listing::of(&params(None, Some(100_000), None), &[]).size, 200);
        assert_eq!(Listing::of(&params(None, None, Some("")), &[("", "PDF")]).sort, None, "a column without a key is not sorted by");
    }

    #[test]
    fn the_page_strip_keeps_the_filters_and_shows_neighbours_and_ends() {
        let l = Listing::of(&params(Some(6), Some(20), Some("status")), &[("status", "")]);
        let p = l.pager("/findings", "region=210112&kind=deceased", 1_000, Lang::Zh);
        assert_eq!(p.shown, "第 6 / 50 页");
        let labels: Vec<&str> = p.links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, vec!["1", "…", "4", "5", "6", "7", "8", "…", "50"]);
        assert_eq!(p.previous.as_deref(), Some("/findings?region=210112&kind=deceased&page=5&size=20&sort=status"));
        assert_eq!(p.links[0].href.as_deref(), Some("/findings?region=210112&kind=deceased&size=20&sort=status"));
        assert!(p.links.iter().find(|l| l.label == "6").is_some_and(|l| l.current));
        let p = l.pager("/findings", "", 0, Lang::En);
        assert_eq!((p.shown.as_str(), p.next, p.links.len()), ("Page 1 of 1", None, 1));
        // A page number from nowhere: the strip still leads back, nothing overflows.
        let far = Listing::of(&params(Some(u32::MAX), None, None), &[]);
        let p = far.pager("/cases", "list=all", 120, Lang::Zh);
        assert!(p.beyond && p.previous.as_deref() == Some("/cases?list=all&page=3"), "{p:?}");
    }

    #[test]
    fn a_column_header_orders_by_it_and_again_the_other_way() {
        let l = Listing::of(&params(Some(4), None, Some("on")), &[("on", "")]);
        let c = l.columns("/verifications", "region=2101", &[("on", "核对基准日"), ("", "PDF")]);
        assert_eq!((c[0].mark, c[0].href.as_deref()), ("▲", Some("/verifications?region=2101&sort=-on")));
        assert_eq!(c[1].href, None);
        let l = Listing::of(&params(None, None, None), &[("on", "")]);
        assert_eq!(l.columns("/v", "", &[("on", "x")])[0].href.as_deref(), Some("/v?sort=on"));
    }

    #[test]
    fn filters_are_encoded() {
        assert_eq!(filters(&[("region", Some("浑南区")), ("kind", None), ("status", Some(""))]), "region=%E6%B5%91%E5%8D%97%E5%8C%BA");
    }
}
