//! The page frame every page is drawn in: the signed-in account's bar with its menu. Kept apart
//! from the pages and from sign-in so that both can use it without depending on each other.

/// The signed-in account, shown in the page header with the sign-out button.
pub(crate) struct UserBar {
    pub name: String,
    pub role: &'static str,
    pub region: String,
    pub csrf: String,
    /// The navigation links the account's role may use, from every module's menu.
    pub menu: Vec<NavLink>,
}

/// One link of the navigation as a page shows it.
#[derive(Debug, Clone)]
pub(crate) struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}
