//! Messages for people: every error a user can cause is said in Chinese and in English.

/// A message in both languages the platform speaks (zh-CN first, en second).
pub trait Bilingual {
    /// 中文说明.
    fn zh(&self) -> String;
    /// English explanation.
    fn en(&self) -> String;
    /// Both, as written in error files: `中文 / English`.
    fn both(&self) -> String {
        format!("{} / {}", self.zh(), self.en())
    }
}
