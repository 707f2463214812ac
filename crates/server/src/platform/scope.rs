//! The checks every sub-platform's use cases begin with: the account's permission, the region
//! asked for within the account's, and ID numbers shown as the account may see them. Each
//! module's failure type takes [`AccessError`] with `?`.

use minzheng_app::registry::AccessError;
use minzheng_domain::{IdNumber, Permission, Principal, RegionCode};

/// The account may do `p`.
pub fn need(who: &Principal, p: Permission) -> Result<(), AccessError> {
    if who.may(p) {
        Ok(())
    } else {
        Err(AccessError::Forbidden)
    }
}

/// The region asked for (the account's own when none), when within the account's region.
pub fn within<'a>(who: &'a Principal, region: Option<&'a RegionCode>) -> Result<&'a RegionCode, AccessError> {
    let region = region.unwrap_or(&who.region);
    if who.in_scope(region) {
        Ok(region)
    } else {
        Err(AccessError::OutOfScope)
    }
}

/// An ID number as the account may see it: in full, or masked for the roles that see numbers
/// masked (`Role::sees_full_identity`).
pub fn shown(who: &Principal, id_number: &str) -> String {
    match IdNumber::parse(id_number) {
        Ok(id) if !who.role.sees_full_identity() => id.masked(),
        _ => id_number.to_string(),
    }
}
