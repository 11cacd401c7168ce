//! Invoice balance (rules INV-1): exact 4-digit decimals, never floats.

use std::fmt;

/// An amount of money in ten-thousandths (4 decimal places, rules INV-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// Why an amount is refused (wire 5002).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a decimal with at most 4 places.
    #[error("not a decimal amount with at most 4 places")]
    Syntax,
    /// Too large to add up exactly.
    #[error("amount out of range")]
    Range,
    /// Negative where only amounts ≥ 0 are allowed (BLK-1 unit price).
    #[error("amount must not be negative")]
    Negative,
}

const SCALE: i64 = 10_000;

impl Money {
    /// Zero.
    pub const ZERO: Self = Self(0);

    /// The amount of `units` ten-thousandths.
    pub fn from_ten_thousandths(units: i64) -> Self {
        Self(units)
    }

    /// The amount in ten-thousandths.
    pub fn ten_thousandths(self) -> i64 {
        self.0
    }

    /// Parses `[-]digits[.digits]` with at most 4 decimal places.
    pub fn parse(s: &str) -> Result<Self, MoneyError> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 4 {
            return Err(MoneyError::Syntax);
        }
        let whole: i64 = int.parse().map_err(|_| MoneyError::Range)?;
        let mut part: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| MoneyError::Syntax)?
        };
        for _ in frac.len()..4 {
            part *= 10;
        }
        let v = whole
            .checked_mul(SCALE)
            .and_then(|w| w.checked_add(part))
            .ok_or(MoneyError::Range)?;
        Ok(Self(if neg { -v } else { v }))
    }

    /// Parses an amount that must be ≥ 0 (BLK-1 unit price).
    pub fn parse_non_negative(s: &str) -> Result<Self, MoneyError> {
        let m = Self::parse(s)?;
        if m.0 < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(m)
    }

    /// `self × n`, or `None` on overflow.
    pub fn checked_mul(self, n: i64) -> Option<Self> {
        self.0.checked_mul(n).map(Self)
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self − other`, or `None` on overflow.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }
}

impl fmt::Display for Money {
    /// Four decimal places, e.g. `12.5000`, `-0.0100`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let scale = SCALE.unsigned_abs();
        write!(f, "{sign}{}.{:04}", a / scale, a % scale)
    }
}

/// One invoice line: unit price × quantity (a bulk add is one line N × price, INV-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceLine {
    /// Unit price.
    pub unit_price: Money,
    /// Quantity.
    pub quantity: i64,
}

/// The invoice totals INV-1 compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InvoiceTotals {
    /// Amount Tax.
    pub tax: Money,
    /// Amount Shipping.
    pub shipping: Money,
    /// Amount Discount.
    pub discount: Money,
    /// Amount Charged.
    pub charged: Money,
}

/// The outcome of INV-1: balanced, or the difference charged − expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Balance {
    /// Σ lines + tax + shipping − discount = charged.
    Balanced,
    /// A warning (never a block): charged minus the expected sum.
    Off(Money),
}

impl Balance {
    /// Whether the invoice balances.
    pub fn is_balanced(self) -> bool {
        self == Self::Balanced
    }

    /// Charged minus expected (zero when balanced).
    pub fn difference(self) -> Money {
        match self {
            Self::Balanced => Money::ZERO,
            Self::Off(d) => d,
        }
    }
}

/// INV-1: Σ(price × qty) + tax + shipping − discount = charged, exactly; `None` when
/// the sums overflow (the caller reports E-CONFIG).
pub fn balance(lines: &[InvoiceLine], totals: &InvoiceTotals) -> Option<Balance> {
    let mut expected = Money::ZERO;
    for l in lines {
        expected = expected.checked_add(l.unit_price.checked_mul(l.quantity)?)?;
    }
    let expected = expected
        .checked_add(totals.tax)?
        .checked_add(totals.shipping)?
        .checked_sub(totals.discount)?;
    let diff = totals.charged.checked_sub(expected)?;
    Some(if diff == Money::ZERO {
        Balance::Balanced
    } else {
        Balance::Off(diff)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn money_parses_four_places_exactly() {
        assert_eq!(m("12").ten_thousandths(), 120_000);
        assert_eq!(m("0.1").ten_thousandths(), 1_000);
        assert_eq!(m("-1.0001").ten_thousandths(), -10_001);
        assert_eq!(m("3.5").to_string(), "3.5000");
        for bad in ["", ".5", "1.23456", "1e3", "1,5", "--1", "abc", "1.-2"] {
            assert!(Money::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Money::parse_non_negative("-1"), Err(MoneyError::Negative));
    }

    #[test]
    fn inv_1_bulk_add_is_one_line_n_times_price() {
        // 100 × 9.99 + 10 tax + 5 shipping − 4.99 discount = 1009.01
        let lines = [InvoiceLine {
            unit_price: m("9.99"),
            quantity: 100,
        }];
        let totals = InvoiceTotals {
            tax: m("10"),
            shipping: m("5"),
            discount: m("4.99"),
            charged: m("1009.01"),
        };
        assert_eq!(balance(&lines, &totals), Some(Balance::Balanced));
    }

    #[test]
    fn inv_1_imbalance_is_a_warning_with_the_difference() {
        let lines = [
            InvoiceLine {
                unit_price: m("0.1"),
                quantity: 3,
            },
            InvoiceLine {
                unit_price: m("1"),
                quantity: 1,
            },
        ];
        let totals = InvoiceTotals {
            charged: m("1.2"),
            ..InvoiceTotals::default()
        };
        // 0.1 × 3 is exactly 0.3 here (floats would say 0.30000000000000004).
        assert_eq!(balance(&lines, &totals), Some(Balance::Off(m("-0.1"))));
    }

    #[test]
    fn inv_1_overflow_is_none() {
        let lines = [InvoiceLine {
            unit_price: Money::from_ten_thousandths(i64::MAX),
            quantity: 2,
        }];
        assert_eq!(balance(&lines, &InvoiceTotals::default()), None);
    }
}
