//! 数据来源目录: the registered departmental sources (what each file is, its columns, what it
//! counts as and what it says to the comparison), read once at start. Economy (storing files)
//! and the comparison both read it; neither reads the other for it.

use minzheng_domain::source::SourceCatalogue;

static CATALOGUE: std::sync::OnceLock<SourceCatalogue> = std::sync::OnceLock::new();

/// The registered sources: those [`use_catalogue`] set at start (from the configuration's
/// `sources`), else the shipped `policies/sources.toml`.
pub fn catalogue() -> &'static SourceCatalogue {
    CATALOGUE.get_or_init(SourceCatalogue::shipped)
}

/// Reads a bureau's own catalogue (`sources` in the configuration; the shipped one for None)
/// and makes it the catalogue of this process. A malformed file is refused with its line, so
/// that the command line and the server refuse to start with it.
pub fn use_catalogue(path: Option<&std::path::Path>) -> Result<(), minzheng_domain::source::SourceError> {
    let catalogue = load_catalogue(path)?;
    // Set once at start; a second call (tests starting several servers) keeps the first.
    let _ = CATALOGUE.set(catalogue);
    Ok(())
}

fn load_catalogue(path: Option<&std::path::Path>) -> Result<SourceCatalogue, minzheng_domain::source::SourceError> {
    match path {
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| minzheng_domain::source::SourceError {
                file: name.clone(),
                line: 0,
                reason: e.to_string(),
                reason_zh: format!("无法读取：{e}"),
            })?;
            SourceCatalogue::parse(&name, &text)
        }
        None => SourceCatalogue::parse("sources.toml", minzheng_domain::source::SHIPPED),
    }
}
