//! Credential check shared by activation and the counter (rules ACT-3, ERR-1).

use std::hint::black_box;

use crate::ids::Password;
use crate::model::LicenseState;
use crate::refusal::Refusal;

/// Compared against when there is nothing real to compare, so that an unknown license
/// or an unset customer password costs the same work (ERR-1).
const DUMMY_SECRET: &str = "unlockd-dummy-password";

/// ACT-3: the Activation Password or the customer password, exact and case-sensitive;
/// ERR-1: an unknown license and a wrong password both give [`Refusal::Credentials`],
/// each after two constant-time compares.
pub fn check<'a>(
    license: Option<&'a LicenseState>,
    password: &Password,
) -> Result<&'a LicenseState, Refusal> {
    let Some(license) = license else {
        black_box(password.matches(DUMMY_SECRET) | password.matches(DUMMY_SECRET));
        return Err(Refusal::Credentials);
    };
    let by_activation = password.matches(&license.activation_password);
    let by_customer = match license.customer_password.as_deref() {
        Some(stored) => password.matches(stored),
        None => {
            black_box(password.matches(DUMMY_SECRET));
            false
        }
    };
    // `|`, not `||`: both compares always run.
    if black_box(by_activation | by_customer) {
        Ok(license)
    } else {
        Err(Refusal::Credentials)
    }
}
