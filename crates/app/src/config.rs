//! 配置: one configuration for the server and the command line.
//!
//! Read from `minzheng.toml` in the working folder (or the file `--config` / `MINZHENG_CONFIG`
//! names), then from the environment, which wins:
//!
//! | key | environment | default |
//! |---|---|---|
//! | `city` | `MINZHENG_CITY` | `2101` (沈阳市) |
//! | `database_url` | `MINZHENG_DATABASE_URL` | `sqlite://<data_dir>/minzheng.db` |
//! | `data_dir` | `MINZHENG_DATA_DIR` | the SQLite file's folder, else `minzheng-data` |
//! | `policy_dir` | `MINZHENG_POLICY_DIR` | the shipped policies of the city |
//! | `sources` | `MINZHENG_SOURCES` | the shipped departmental source catalogue |
//! | `pdf_font` | `MINZHENG_PDF_FONT` | the first Chinese font found ([`crate::pdf::font::SEARCHED`]) |
//! | `bind` | `MINZHENG_BIND` | `127.0.0.1:8080` |
//! | `secure_cookies` | `MINZHENG_SECURE_COOKIES` (`1`/`true`) | false (set behind TLS) |
//! | `log_requests` | `MINZHENG_LOG` (`off` turns it off) | true |
//!
//! Nothing else reads the environment. The database URL's password never reaches a log:
//! `Debug` and [`Config::redacted_database_url`] hide it.

use minzheng_domain::Bilingual;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The configuration of an installation.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The city served (its 4-digit division code).
    pub city: String,
    /// `sqlite://PATH` or `postgres://...`; None: an SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Where the database file, uploaded documents and the demo's files are kept (see
    /// [`Config::data_dir`]).
    pub data_dir: Option<PathBuf>,
    /// A folder of policy files (`parameters.toml`, `features.toml`, one file per program)
    /// instead of the shipped ones.
    pub policy_dir: Option<PathBuf>,
    /// A bureau's own catalogue of departmental sources instead of the shipped one.
    pub sources: Option<PathBuf>,
    /// The Chinese font PDFs embed (`.ttf`, `.otf`, `.ttc`; `file.ttc#2` for a face of a
    /// collection); None: the first found of [`crate::pdf::font::SEARCHED`].
    pub pdf_font: Option<PathBuf>,
    /// The server's address.
    pub bind: String,
    /// Mark cookies `Secure` and send HSTS (when served behind TLS).
    pub secure_cookies: bool,
    /// One log line per request (method, path, status, time; never the query).
    pub log_requests: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            city: "2101".into(),
            database_url: None,
            data_dir: None,
            policy_dir: None,
            sources: None,
            pdf_font: None,
            bind: "127.0.0.1:8080".into(),
            secure_cookies: false,
            log_requests: true,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("city", &self.city)
            .field("database_url", &self.database_url.as_deref().map(redact_url))
            .field("data_dir", &self.data_dir)
            .field("policy_dir", &self.policy_dir)
            .field("sources", &self.sources)
            .field("pdf_font", &self.pdf_font)
            .field("bind", &self.bind)
            .field("secure_cookies", &self.secure_cookies)
            .field("log_requests", &self.log_requests)
            .finish()
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{en}")]
pub struct ConfigError {
    zh: String,
    en: String,
}

impl Bilingual for ConfigError {
    fn zh(&self) -> String {
        self.zh.clone()
    }
    fn en(&self) -> String {
        self.en.clone()
    }
}

fn error(zh: String, en: String) -> ConfigError {
    ConfigError { zh, en }
}

/// The folder of the installation's files when nothing says otherwise.
pub const DEFAULT_DATA_DIR: &str = "minzheng-data";

/// The name of the configuration file looked for in the working folder.
pub const FILE: &str = "minzheng.toml";

impl Config {
    /// The file `path` names (which must exist), or `minzheng.toml` in the working folder when
    /// there is one, then the process's environment over it.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let env = |k: &str| std::env::var(k).ok();
        let named = path.map(Path::to_path_buf).or_else(|| env("MINZHENG_CONFIG").filter(|p| !p.is_empty()).map(PathBuf::from));
        let mut config = match named {
            Some(p) => Config::from_file(&p)?,
            None if Path::new(FILE).exists() => Config::from_file(Path::new(FILE))?,
            None => Config::default(),
        };
        config.apply_env(env)?;
        Ok(config)
    }

    /// Reads a configuration file (keys not given keep their defaults; unknown keys are refused).
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let name = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| error(format!("无法读取配置文件 {name}：{e}"), format!("cannot read the configuration file {name}: {e}")))?;
        Config::parse(&text).map_err(|e| {
            error(format!("配置文件 {name} 有误：{}", e.zh()), format!("the configuration file {name} is not valid: {}", e.en()))
        })
    }

    /// Parses the text of a configuration file.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| error(e.message().to_string(), e.message().to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Lays the environment (as `var` reads it) over the configuration.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let set = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = set("MINZHENG_CITY") {
            self.city = v.trim().to_string();
        }
        if let Some(v) = set("MINZHENG_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = set("MINZHENG_DATA_DIR") {
            self.data_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = set("MINZHENG_POLICY_DIR") {
            self.policy_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = set("MINZHENG_SOURCES") {
            self.sources = Some(PathBuf::from(v));
        }
        if let Some(v) = set("MINZHENG_PDF_FONT") {
            self.pdf_font = Some(PathBuf::from(v));
        }
        if let Some(v) = set("MINZHENG_BIND") {
            self.bind = v;
        }
        if let Some(v) = set("MINZHENG_SECURE_COOKIES") {
            self.secure_cookies = flag("MINZHENG_SECURE_COOKIES", &v)?;
        }
        if let Some(v) = set("MINZHENG_LOG") {
            self.log_requests = v.trim() != "off" && flag("MINZHENG_LOG", &v).unwrap_or(true);
        }
        self.check()
    }

    fn check(&self) -> Result<(), ConfigError> {
        let city = self.city.as_str();
        if city.len() != 4 || !city.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error(
                format!("city 应为地级市的 4 位区划代码（如 2101），不是“{city}”"),
                format!("city must be the 4-digit division code of a city (such as 2101), not {city:?}"),
            ));
        }
        if let Some(url) = &self.database_url {
            let known = ["sqlite://", "sqlite:", "postgres://", "postgresql://"];
            if !known.iter().any(|p| url.starts_with(p)) {
                let shown = redact_url(url);
                return Err(error(
                    format!("database_url 应以 sqlite:// 或 postgres:// 开头：{shown}"),
                    format!("database_url must start with sqlite:// or postgres://: {shown}"),
                ));
            }
        }
        Ok(())
    }

    /// The folder of the installation's files: `data_dir` when set, else the folder of the
    /// SQLite database `database_url` names, else `minzheng-data`.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        let sqlite = self.database_url.as_deref().and_then(|u| u.strip_prefix("sqlite://").or_else(|| u.strip_prefix("sqlite:")));
        match sqlite.and_then(|p| Path::new(p).parent()).filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) => dir.to_path_buf(),
            None => PathBuf::from(DEFAULT_DATA_DIR),
        }
    }

    /// The database to open.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir().join("minzheng.db").display()))
    }

    /// The database URL without its password, for messages.
    pub fn redacted_database_url(&self) -> String {
        redact_url(&self.database_url())
    }

    /// Where uploaded case documents are kept (by checksum).
    pub fn documents_dir(&self) -> PathBuf {
        self.data_dir().join("documents")
    }

    /// The city's policies: the folder `policy_dir` names, or the shipped ones of the city.
    pub fn policies(&self) -> Result<minzheng_policy::PolicySet, ConfigError> {
        match &self.policy_dir {
            Some(dir) => minzheng_policy::PolicySet::load_dir(dir).map_err(|e| error(e.to_string(), e.to_string())),
            None if self.city == "2101" => Ok(minzheng_policy::PolicySet::shenyang()),
            None => Err(error(
                format!("未随程序提供城市 {} 的政策文件：请用 policy_dir 指定政策目录", self.city),
                format!("no policies are shipped for city {}: name a folder of policy files with policy_dir", self.city),
            )),
        }
    }
}

fn flag(name: &str, v: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(error(format!("{name} 应为 true 或 false，不是“{other}”"), format!("{name} must be true or false, not {other:?}"))),
    }
}

/// A URL without the password of its user (`postgres://user:***@host/db`).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn a_file_sets_what_it_names_and_the_environment_wins() {
        let mut c = Config::parse("city = \"2101\"\ndata_dir = \"/srv/minzheng\"\nsecure_cookies = true\n").expect("parses");
        assert_eq!((c.data_dir(), c.secure_cookies, c.bind.as_str()), (PathBuf::from("/srv/minzheng"), true, "127.0.0.1:8080"));
        assert_eq!(c.database_url(), "sqlite:///srv/minzheng/minzheng.db");
        c.apply_env(vars(&[
            ("MINZHENG_DATABASE_URL", "postgres://mz:s3cret@db/minzheng"),
            ("MINZHENG_SECURE_COOKIES", "0"),
            ("MINZHENG_LOG", "off"),
        ]))
        .expect("env");
        assert_eq!((c.database_url().as_str(), c.secure_cookies, c.log_requests), ("postgres://mz:s3cret@db/minzheng", false, false));
        assert_eq!(c.documents_dir(), Path::new("/srv/minzheng/documents"));
    }

    #[test]
    fn files_go_beside_the_sqlite_database_unless_a_folder_is_named() {
        let mut c = Config::default();
        assert_eq!((c.data_dir(), c.database_url()), (PathBuf::from("minzheng-data"), "sqlite://minzheng-data/minzheng.db".to_string()));
        c.apply_env(vars(&[("MINZHENG_DATABASE_URL", "sqlite:///var/lib/mz/city.db")])).expect("env");
        assert_eq!(c.data_dir(), PathBuf::from("/var/lib/mz"));
        c.apply_env(vars(&[("MINZHENG_DATA_DIR", "/srv/files")])).expect("env");
        assert_eq!((c.data_dir(), c.database_url()), (PathBuf::from("/srv/files"), "sqlite:///var/lib/mz/city.db".to_string()));
    }

    #[test]
    fn the_password_never_shows() {
        let c = Config { database_url: Some("postgres://mz:s3cret@db:5432/minzheng".into()), ..Config::default() };
        let shown = format!("{c:?} {}", c.redacted_database_url());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://mz:***@db:5432/minzheng"), "{shown}");
    }

    #[test]
    fn mistakes_are_refused_in_both_languages() {
        let unknown = Config::parse("databse_url = \"sqlite://x.db\"\n").expect_err("a misspelt key");
        assert!(unknown.en().contains("databse_url"), "{}", unknown.en());
        let city = Config::parse("city = \"沈阳\"\n").expect_err("not a code");
        assert!(city.zh().contains("4 位区划代码") && city.en().contains("4-digit"));
        let url = Config::parse("database_url = \"mysql://root:pw@h/db\"\n").expect_err("another database");
        assert!(!url.en().contains("pw@"), "{}", url.en());
        let mut c = Config::default();
        let flag = c.apply_env(vars(&[("MINZHENG_SECURE_COOKIES", "perhaps")])).expect_err("not a flag");
        assert!(flag.en().contains("MINZHENG_SECURE_COOKIES"));
    }

    #[test]
    fn a_city_without_shipped_policies_needs_a_folder() {
        let c = Config { city: "2102".into(), ..Config::default() };
        assert!(c.policies().expect_err("none shipped for Dalian").en().contains("policy_dir"));
        assert!(Config::default().policies().is_ok());
    }
}
