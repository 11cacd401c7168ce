//! Bulk add planning (rules BLK-1..3, SEQ-1..3, errata E-6).
//!
//! Pure: checks the request and, once the store has reserved the ID range, lays out
//! the licenses to insert. The store does the reservation, staging and publishing.

use rand::RngCore;

use crate::password::PasswordRules;

/// Default cap of SOAP AddMultiple (errata E-6: `bulk_max`, default 10000).
pub const DEFAULT_BULK_MAX: u32 = 10_000;

/// Why a bulk add is refused before anything is written (wire 5002).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BulkError {
    /// Count ≤ 0 (BLK-1).
    #[error("count must be at least 1")]
    CountTooSmall,
    /// Count above the cap (BLK-1, E-6); only SOAP has a cap.
    #[error("count {count} exceeds the maximum {max}")]
    CountTooLarge {
        /// Requested count.
        count: i64,
        /// The configured cap.
        max: u32,
    },
    /// The count does not fit the license ID space.
    #[error("count {0} does not fit the license ID space")]
    IdSpace(i64),
}

/// A validated license count of one bulk add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkCount(u32);

impl BulkCount {
    /// Checks `count` against 1..=`max` (SOAP, E-6) or 1..=i32::MAX (`max` None: the
    /// CLI has no cap).
    pub fn new(count: i64, max: Option<u32>) -> Result<Self, BulkError> {
        if count < 1 {
            return Err(BulkError::CountTooSmall);
        }
        if let Some(max) = max {
            if count > i64::from(max) {
                return Err(BulkError::CountTooLarge { count, max });
            }
        }
        let n = i32::try_from(count).map_err(|_| BulkError::IdSpace(count))?;
        Ok(Self(n.unsigned_abs()))
    }

    /// The number of licenses.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// A reserved block of license IDs `[first, first + len)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdBlock {
    first: i32,
    len: u32,
}

impl IdBlock {
    /// The block after `highest` (SEQ-2: f = highest ID + 1), or an error when it
    /// would leave the i32 ID space.
    pub fn after(highest: i32, count: BulkCount) -> Result<Self, BulkError> {
        let too_big = || BulkError::IdSpace(i64::from(count.get()));
        let first = highest.max(0).checked_add(1).ok_or_else(too_big)?;
        let last = i64::from(first) + i64::from(count.get()) - 1;
        if last > i64::from(i32::MAX) {
            return Err(too_big());
        }
        Ok(Self {
            first,
            len: count.get(),
        })
    }

    /// First ID.
    pub fn first(self) -> i32 {
        self.first
    }

    /// Last ID (inclusive).
    pub fn last(self) -> i32 {
        // In range: checked in `after`.
        self.first + (self.len as i32) - 1
    }

    /// Number of IDs.
    pub fn len(self) -> u32 {
        self.len
    }

    /// Always false: a block holds at least one ID.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// The IDs in order.
    pub fn ids(self) -> impl Iterator<Item = i32> {
        self.first..=self.last()
    }
}

/// One planned license of a bulk add: ID and passwords (PWD-1..3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLicense {
    /// License ID from the reserved block.
    pub id: i32,
    /// License activation password (PWD-3).
    pub activation_password: String,
    /// Password of the new unregistered customer (PWD-1/2), when one is created.
    pub customer_password: Option<String>,
}

/// Plans the licenses of IDs `ids` (a chunk of the reserved block): one activation
/// password each, plus a customer password when each license gets its own new
/// unregistered customer (BLK-1).
pub fn plan_chunk(
    ids: impl Iterator<Item = i32>,
    rules: &PasswordRules,
    new_customers: bool,
    rng: &mut dyn RngCore,
) -> Vec<PlannedLicense> {
    ids.map(|id| PlannedLicense {
        id,
        activation_password: rules.generate_activation(rng),
        customer_password: new_customers.then(|| rules.generate(rng)),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn blk_1_count_bounds() {
        assert_eq!(BulkCount::new(0, Some(10)), Err(BulkError::CountTooSmall));
        assert_eq!(BulkCount::new(-5, None), Err(BulkError::CountTooSmall));
        assert_eq!(
            BulkCount::new(11, Some(10)),
            Err(BulkError::CountTooLarge { count: 11, max: 10 })
        );
        assert_eq!(BulkCount::new(10, Some(10)).map(BulkCount::get), Ok(10));
        // E-6: the CLI has no cap.
        assert_eq!(
            BulkCount::new(1_000_000, None).map(BulkCount::get),
            Ok(1_000_000)
        );
        assert!(BulkCount::new(i64::from(i32::MAX) + 1, None).is_err());
    }

    #[test]
    fn seq_2_block_starts_after_the_highest_id() {
        let b = IdBlock::after(1003, BulkCount::new(3, None).unwrap()).unwrap();
        assert_eq!((b.first(), b.last(), b.len()), (1004, 1006, 3));
        assert_eq!(b.ids().collect::<Vec<_>>(), vec![1004, 1005, 1006]);
        let empty_db = IdBlock::after(0, BulkCount::new(1, None).unwrap()).unwrap();
        assert_eq!(empty_db.first(), 1);
        assert!(IdBlock::after(i32::MAX - 1, BulkCount::new(2, None).unwrap()).is_err());
    }

    #[test]
    fn blk_1_customer_passwords_only_for_new_customers() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let rules = PasswordRules::default();
        let with = plan_chunk(1..=3, &rules, true, &mut rng);
        assert!(with.iter().all(|p| p.customer_password.is_some()));
        let without = plan_chunk(4..=5, &rules, false, &mut rng);
        assert_eq!(without.iter().map(|p| p.id).collect::<Vec<_>>(), [4, 5]);
        assert!(without.iter().all(|p| p.customer_password.is_none()));
    }
}
