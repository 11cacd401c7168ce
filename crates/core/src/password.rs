//! Generated license passwords (rules PWD-1..4, errata E-14).
//!
//! A [`PasswordRules`] value is validated once ([`PasswordRules::new`]) and then draws
//! passwords from the injected RNG by rejection sampling (PWD-4), so a seeded RNG
//! reproduces its output. Uniqueness is not promised (PWD-4).

use rand::RngCore;

/// Characters of the numeric random part (PWD-2).
const NUMERIC: &[u8] = b"0123456789";
/// Characters of the alphanumeric random part (PWD-2).
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// The default activation-password alphabet: alphanumeric without `0 O o 1 l I` (PWD-3).
const UNAMBIGUOUS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
/// Random characters when no length is given (PWD-1).
const DEFAULT_RANDOM: usize = 6;
/// Longest password (PWD-1).
const MAX_LENGTH: usize = 50;
/// Longest password when the rules also make the activation password (errata E-14).
const MAX_ACTIVATION_LENGTH: usize = 32;
/// Characters a prefix may not contain besides spaces (errata E-14).
const PREFIX_FORBIDDEN: &[u8] = b"&=+%#;";
/// Default Activation Password Length setting (PWD-3).
pub const DEFAULT_ACTIVATION_LENGTH: usize = 10;

/// Why a set of password settings is refused (wire 5002).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    /// The prefix has a space, a non-printable or non-ASCII character, or one of
    /// `&=+%#;` (PWD-2, E-14).
    #[error("password prefix may hold printable ASCII without spaces or &=+%#;")]
    BadPrefix,
    /// The length is below |prefix| + 3 (or 3 without a prefix) (PWD-1).
    #[error("password length {0} is too short for the prefix")]
    TooShort(usize),
    /// The length exceeds 50, or 32 with activation-password rules (PWD-1, E-14).
    #[error("password length {0} is too long")]
    TooLong(usize),
    /// The Activation Password Length setting is outside 6..=32 (PWD-3).
    #[error("activation password length {0} is outside 6..=32")]
    BadActivationLength(usize),
}

/// Validated password settings of one bulk add (seed 000 field list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRules {
    prefix: String,
    random_len: usize,
    numeric: bool,
    use_for_activation: bool,
    activation_len: usize,
}

impl PasswordRules {
    /// Checks the settings: `length` is the whole password length (prefix included),
    /// `None` meaning prefix + 6 (PWD-1); `activation_len` is the Activation Password
    /// Length setting used when `use_for_activation` is off (PWD-3).
    pub fn new(
        prefix: &str,
        length: Option<usize>,
        numeric: bool,
        use_for_activation: bool,
        activation_len: usize,
    ) -> Result<Self, PasswordRuleError> {
        if prefix
            .bytes()
            .any(|b| !b.is_ascii_graphic() || PREFIX_FORBIDDEN.contains(&b))
        {
            return Err(PasswordRuleError::BadPrefix);
        }
        let total = length.unwrap_or(prefix.len() + DEFAULT_RANDOM);
        if total < prefix.len() + 3 {
            return Err(PasswordRuleError::TooShort(total));
        }
        let max = if use_for_activation {
            MAX_ACTIVATION_LENGTH
        } else {
            MAX_LENGTH
        };
        if total > max {
            return Err(PasswordRuleError::TooLong(total));
        }
        if !(6..=MAX_ACTIVATION_LENGTH).contains(&activation_len) {
            return Err(PasswordRuleError::BadActivationLength(activation_len));
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            random_len: total - prefix.len(),
            numeric,
            use_for_activation,
            activation_len,
        })
    }

    /// The prefix every rule-made password starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Length of every rule-made password.
    pub fn length(&self) -> usize {
        self.prefix.len() + self.random_len
    }

    /// Whether the random part is digits only.
    pub fn numeric(&self) -> bool {
        self.numeric
    }

    /// Whether activation passwords follow these rules (PWD-3).
    pub fn used_for_activation(&self) -> bool {
        self.use_for_activation
    }

    /// The Activation Password Length setting (PWD-3).
    pub fn activation_length(&self) -> usize {
        self.activation_len
    }

    /// A password under PWD-1/2: prefix + random part.
    pub fn generate(&self, rng: &mut dyn RngCore) -> String {
        let alphabet = if self.numeric { NUMERIC } else { ALPHANUMERIC };
        let mut s = String::with_capacity(self.length());
        s.push_str(&self.prefix);
        push_random(&mut s, alphabet, self.random_len, rng);
        s
    }

    /// A license activation password under PWD-3: the rules when "use password
    /// rules" is set, else unambiguous alphanumerics of the configured length.
    pub fn generate_activation(&self, rng: &mut dyn RngCore) -> String {
        if self.use_for_activation {
            return self.generate(rng);
        }
        let mut s = String::with_capacity(self.activation_len);
        push_random(&mut s, UNAMBIGUOUS, self.activation_len, rng);
        s
    }
}

impl Default for PasswordRules {
    /// No prefix, 6 mixed-case alphanumerics, default activation passwords.
    fn default() -> Self {
        Self {
            prefix: String::new(),
            random_len: DEFAULT_RANDOM,
            numeric: false,
            use_for_activation: false,
            activation_len: DEFAULT_ACTIVATION_LENGTH,
        }
    }
}

/// Appends `n` uniform draws from `alphabet` (PWD-4: rejection sampling on bytes).
fn push_random(out: &mut String, alphabet: &[u8], n: usize, rng: &mut dyn RngCore) {
    // The largest multiple of the alphabet size that fits a byte: draws at or above it
    // are rejected so every character is equally likely.
    let len = alphabet.len();
    let limit = 256 - 256 % len;
    let mut left = n;
    let mut buf = [0u8; 64];
    while left > 0 {
        rng.fill_bytes(&mut buf);
        for &b in &buf {
            if left == 0 {
                break;
            }
            let b = usize::from(b);
            if b < limit {
                out.push(char::from(alphabet[b % len]));
                left -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    #[test]
    fn pwd_1_default_is_six_random_characters() {
        let r = PasswordRules::default();
        let p = r.generate(&mut rng());
        assert_eq!(p.len(), 6);
        assert!(p.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn pwd_1_prefix_without_length_appends_six() {
        let r = PasswordRules::new("ACME-", None, false, false, 10).unwrap();
        let p = r.generate(&mut rng());
        assert!(p.starts_with("ACME-"));
        assert_eq!(p.len(), 11);
    }

    #[test]
    fn pwd_1_length_must_leave_three_random_characters() {
        assert_eq!(
            PasswordRules::new("ABCD", Some(6), false, false, 10),
            Err(PasswordRuleError::TooShort(6))
        );
        assert!(PasswordRules::new("ABCD", Some(7), false, false, 10).is_ok());
        assert_eq!(
            PasswordRules::new("", Some(2), false, false, 10),
            Err(PasswordRuleError::TooShort(2))
        );
    }

    #[test]
    fn pwd_1_at_most_fifty_and_e14_at_most_32_for_activation() {
        assert!(PasswordRules::new("", Some(50), false, false, 10).is_ok());
        assert_eq!(
            PasswordRules::new("", Some(51), false, false, 10),
            Err(PasswordRuleError::TooLong(51))
        );
        assert_eq!(
            PasswordRules::new("", Some(33), false, true, 10),
            Err(PasswordRuleError::TooLong(33))
        );
    }

    #[test]
    fn e14_prefix_refuses_space_and_reserved_characters() {
        for p in ["A B", "A&", "A=", "A+", "A%", "A#", "A;", "É", "A\0"] {
            assert_eq!(
                PasswordRules::new(p, None, false, false, 10),
                Err(PasswordRuleError::BadPrefix),
                "{p:?}"
            );
        }
    }

    #[test]
    fn pwd_3_activation_length_is_6_to_32() {
        assert!(PasswordRules::new("", None, false, false, 5).is_err());
        assert!(PasswordRules::new("", None, false, false, 33).is_err());
        assert!(PasswordRules::new("", None, false, false, 32).is_ok());
    }

    #[test]
    fn pwd_4_seeded_rng_reproduces() {
        let r = PasswordRules::new("X", Some(12), false, false, 10).unwrap();
        assert_eq!(r.generate(&mut rng()), r.generate(&mut rng()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// PWD-1..3: every generated password obeys its rules.
        #[test]
        fn pwd_every_password_obeys_its_rules(
            prefix in "[A-Za-z0-9_.-]{0,12}",
            extra in proptest::option::of(3usize..20),
            numeric: bool,
            for_activation: bool,
            act_len in 6usize..=32,
            seed: u64,
        ) {
            let length = extra.map(|e| prefix.len() + e);
            let Ok(r) = PasswordRules::new(&prefix, length, numeric, for_activation, act_len) else {
                // Only E-14's 32-character cap may refuse these inputs.
                prop_assert!(for_activation && length.unwrap_or(prefix.len() + 6) > 32);
                return Ok(());
            };
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for _ in 0..8 {
                let p = r.generate(&mut rng);
                prop_assert!(p.starts_with(&prefix));
                prop_assert_eq!(p.len(), length.unwrap_or(prefix.len() + 6));
                let tail = &p[prefix.len()..];
                if numeric {
                    prop_assert!(tail.bytes().all(|b| b.is_ascii_digit()));
                } else {
                    prop_assert!(tail.bytes().all(|b| b.is_ascii_alphanumeric()));
                }
                let a = r.generate_activation(&mut rng);
                if for_activation {
                    prop_assert!(a.starts_with(&prefix));
                    prop_assert!(a.len() <= 32);
                } else {
                    prop_assert_eq!(a.len(), act_len);
                    prop_assert!(a.bytes().all(|b| UNAMBIGUOUS.contains(&b)));
                    prop_assert!(!a.contains(['0', 'O', 'o', '1', 'l', 'I']));
                }
            }
        }
    }
}
