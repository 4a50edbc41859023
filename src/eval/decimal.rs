//! Exact decimal numbers for literals, `divby` and decimal arithmetic (URL §5.1.1.18,
//! §3.6): an `i128` mantissa and a decimal scale up to 38. Semantic choice: decimals have
//! floating scale (arbitrary precision within 38 digits); a literal with more significant
//! digits is rejected with [`crate::EvalError::NotSupported`]. A sum, product or quotient
//! whose exact digits do not fit in 38 is rounded (half away from zero) to the fractional
//! digits that fit, as a decimal with fixed precision would; only a result beyond
//! ±1.7e38 overflows.

use std::cmp::Ordering;

/// The largest decimal scale (digits after the point) and precision kept.
pub(crate) const MAX_SCALE: u32 = 38;
/// Fractional digits kept by decimal division (`divby`, `div` of decimals, `average`).
///
/// Semantic choice (URL §5.1.1.2 leaves `div` scale to the service): quotients are
/// truncated toward zero after 28 fractional digits.
const DIVISION_SCALE: u32 = 28;

/// An exact decimal number: `mantissa / 10^scale`, `scale <= 38`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    /// The digits as an integer.
    pub(crate) mantissa: i128,
    /// How many of the digits are after the decimal point.
    pub(crate) scale: u32,
}

impl Decimal {
    /// Parses exact decimal text (`-12.50`, `123`, no exponent). `None` when the text is
    /// malformed or has more than 38 significant digits.
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let frac_part = frac_part.trim_end_matches('0');
        let mut mantissa: i128 = 0;
        for c in int_part.chars().chain(frac_part.chars()) {
            let digit = c.to_digit(10)?;
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(digit))?;
        }
        let scale = u32::try_from(frac_part.len()).ok()?;
        if scale > MAX_SCALE {
            return None;
        }
        Some(Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale,
        })
    }

    /// An integer as a decimal.
    pub(crate) fn from_int(value: i128) -> Decimal {
        Decimal {
            mantissa: value,
            scale: 0,
        }
    }

    /// Removes trailing fractional zeros.
    pub(crate) fn normalize(mut self) -> Decimal {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// The mantissa rescaled to `scale` (>= self.scale), if it fits.
    fn rescaled(self, scale: u32) -> Option<i128> {
        10i128
            .checked_pow(scale.checked_sub(self.scale)?)
            .and_then(|factor| self.mantissa.checked_mul(factor))
    }

    /// The mantissa at `scale`: widened exactly when `scale >= self.scale` (if it fits),
    /// else rounded half away from zero.
    fn at_scale(self, scale: u32) -> Option<i128> {
        if scale >= self.scale {
            return self.rescaled(scale);
        }
        let divisor = 10i128.checked_pow(self.scale - scale)?;
        let quotient = self.mantissa / divisor;
        let remainder = self.mantissa % divisor;
        // |remainder| * 2 >= divisor, without overflowing.
        Some(
            if remainder.unsigned_abs() >= divisor.unsigned_abs() - remainder.unsigned_abs() {
                quotient + self.mantissa.signum()
            } else {
                quotient
            },
        )
    }

    /// Both mantissas at one common scale: the larger of the two scales when both fit,
    /// else the largest smaller scale at which they do (the finer operand rounded).
    fn aligned(self, other: Decimal) -> Option<(i128, i128, u32)> {
        let mut scale = self.scale.max(other.scale);
        loop {
            if let (Some(a), Some(b)) = (self.at_scale(scale), other.at_scale(scale)) {
                return Some((a, b, scale));
            }
            scale = scale.checked_sub(1)?;
        }
    }

    /// The decimal with one fractional digit fewer (rounded), `None` at scale 0.
    fn coarser(self) -> Option<Decimal> {
        let scale = self.scale.checked_sub(1)?;
        Some(Decimal {
            mantissa: self.at_scale(scale)?,
            scale,
        })
    }

    /// The integer value when the scale is zero after normalising.
    pub(crate) fn as_integer(self) -> Option<i128> {
        let normalized = self.normalize();
        (normalized.scale == 0).then_some(normalized.mantissa)
    }

    /// Exact comparison (always succeeds: floor division keeps both parts in range).
    pub(crate) fn cmp_exact(self, other: Decimal) -> Ordering {
        let scale = self.scale.max(other.scale);
        if let (Some(a), Some(b)) = (self.rescaled(scale), other.rescaled(scale)) {
            return a.cmp(&b);
        }
        // Compare integer parts, then the fractions (each below 10^scale, which fits).
        let split = |d: Decimal| {
            let unit = 10i128.pow(d.scale);
            (
                d.mantissa.div_euclid(unit),
                d.mantissa.rem_euclid(unit),
                d.scale,
            )
        };
        let (int_a, frac_a, scale_a) = split(self);
        let (int_b, frac_b, scale_b) = split(other);
        int_a.cmp(&int_b).then_with(|| {
            let widen = |frac: i128, s: u32| frac * 10i128.pow(scale - s);
            widen(frac_a, scale_a).cmp(&widen(frac_b, scale_b))
        })
    }

    /// The nearest double (through the decimal text, which Rust rounds correctly).
    pub(crate) fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// `self + other`, rounded when the exact sum has more than 38 digits; `None` beyond
    /// the range.
    pub(crate) fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let (mut a, mut b) = (self, other);
        loop {
            let (x, y, scale) = a.aligned(b)?;
            if let Some(sum) = x.checked_add(y) {
                return Some(Decimal {
                    mantissa: sum,
                    scale,
                });
            }
            // The digits fit but the sum carries past them: one digit fewer.
            let coarser = scale.checked_sub(1)?;
            a = Decimal {
                mantissa: a.at_scale(coarser)?,
                scale: coarser,
            };
            b = Decimal {
                mantissa: b.at_scale(coarser)?,
                scale: coarser,
            };
        }
    }

    /// `self * other`, rounded when the exact product has more than 38 digits; `None`
    /// beyond the range.
    pub(crate) fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let (mut a, mut b) = (self, other);
        loop {
            if let Some(mantissa) = a.mantissa.checked_mul(b.mantissa) {
                let mut product = Decimal {
                    mantissa,
                    scale: a.scale + b.scale,
                }
                .normalize();
                while product.scale > MAX_SCALE {
                    product = product.coarser()?;
                }
                return Some(product);
            }
            // Drop a fractional digit of the finer operand and try again.
            if a.scale >= b.scale {
                a = a.coarser()?;
            } else {
                b = b.coarser()?;
            }
        }
    }

    /// `self % other` (sign of `self`), if it fits.
    pub(crate) fn checked_rem(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let rem = self.rescaled(scale)?.checked_rem(other.rescaled(scale)?)?;
        Some(Decimal {
            mantissa: rem,
            scale,
        })
    }

    /// `self / other` by long division, truncated after [`DIVISION_SCALE`] digits.
    /// `None` on overflow or a zero divisor.
    ///
    /// The mantissas are divided as they are (`m₁·10^-s₁ / m₂·10^-s₂` is
    /// `(m₁/m₂)·10^(s₂-s₁)`), so no operand loses digits to a common scale.
    pub(crate) fn checked_div(self, other: Decimal) -> Option<Decimal> {
        if other.mantissa == 0 {
            return None;
        }
        let negative = (self.mantissa < 0) != (other.mantissa < 0);
        let (n, d) = (self.mantissa.unsigned_abs(), other.mantissa.unsigned_abs());
        // The scale of the quotient so far: digits after the point of `n / d`, shifted.
        let shift = i64::from(self.scale) - i64::from(other.scale);
        let limit = i64::from(DIVISION_SCALE);
        let mut mantissa = i128::try_from(n / d).ok()?;
        let mut remainder = n % d;
        let mut scale = shift;
        while remainder != 0 && scale < limit {
            let Some(widened) = remainder.checked_mul(10) else {
                break;
            };
            let digit = i128::try_from(widened / d).ok()?;
            let Some(next) = mantissa.checked_mul(10).and_then(|m| m.checked_add(digit)) else {
                break;
            };
            mantissa = next;
            remainder = widened % d;
            scale += 1;
        }
        // Truncate to DIVISION_SCALE, or widen to an integer when the quotient ended
        // with a negative scale.
        while scale > limit {
            mantissa /= 10;
            scale -= 1;
        }
        if scale < 0 {
            let factor = 10i128.checked_pow(u32::try_from(-scale).ok()?)?;
            mantissa = mantissa.checked_mul(factor)?;
            scale = 0;
        }
        Some(
            Decimal {
                mantissa: if negative { -mantissa } else { mantissa },
                scale: u32::try_from(scale).ok()?,
            }
            .normalize(),
        )
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int_part}.{frac_part}")
    }
}
