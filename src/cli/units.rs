//! Sizes and durations as users type them (`5G`, `1.5GiB`, `30d`, `1d12h`) and sizes as
//! pinwheel prints them (`12.3 MiB`).

/// A size or duration that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UnitError {
    /// No number where one was expected.
    #[error("expected a number, found `{0}`")]
    NotANumber(String),
    /// A unit this parser does not know.
    #[error("unknown unit `{unit}` (expected {expected})")]
    UnknownUnit {
        /// The unit as typed.
        unit: String,
        /// The units that would have been accepted.
        expected: &'static str,
    },
    /// A duration part without a unit: `30` could be seconds or days.
    #[error("`{0}` needs a unit (s, m, h, d or w)")]
    MissingUnit(String),
    /// Too large to represent.
    #[error("`{0}` is too large")]
    TooLarge(String),
}

const SIZE_UNITS: &str =
    "B, K/KiB, M/MiB, G/GiB, T/TiB (1024-based) or KB, MB, GB, TB (1000-based)";

/// Bytes from `500`, `500B`, `64K`, `500M`, `5G`, `1.5GiB`, `2TB`… Single letters and `…iB`
/// are powers of 1024 (as `du -h`, ripgrep and most tools print them); `KB`, `MB`, `GB`, `TB`
/// are powers of 1000. Case and a space before the unit do not matter.
///
/// # Errors
/// When the number or the unit cannot be read, or the size does not fit in 64 bits.
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(UnitError::UnknownUnit {
                unit: unit.trim().to_string(),
                expected: SIZE_UNITS,
            });
        }
    };
    scale(number, multiplier, text)
}

/// A duration from one or more `<number><unit>` parts: `90m`, `12h`, `30d`, `2w`, `1d12h`,
/// `1.5h`. Units: `s`, `m` (minutes), `h`, `d`, `w`. A bare number is refused: it could mean
/// seconds or days.
///
/// # Errors
/// When a part has no number or no known unit, or the duration overflows.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, UnitError> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(UnitError::NotANumber(text.to_string()));
    }
    let mut seconds: u64 = 0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| UnitError::MissingUnit(text.to_string()))?;
        let (number, after) = rest.split_at(number_end);
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let multiplier = match unit.trim() {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            other => {
                return Err(UnitError::UnknownUnit {
                    unit: other.to_string(),
                    expected: "s, m, h, d or w",
                });
            }
        };
        seconds = seconds
            .checked_add(scale(number, multiplier, text)?)
            .ok_or_else(|| UnitError::TooLarge(text.to_string()))?;
        rest = next.trim_start();
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// `number` × `multiplier`, exactly for integers, rounded for decimals.
fn scale(number: &str, multiplier: u64, whole: &str) -> Result<u64, UnitError> {
    let not_a_number = || UnitError::NotANumber(whole.trim().to_string());
    let too_large = || UnitError::TooLarge(whole.trim().to_string());
    if number.is_empty() {
        return Err(not_a_number());
    }
    if !number.contains('.') {
        let integer: u64 = number.parse().map_err(|_| too_large())?;
        return integer.checked_mul(multiplier).ok_or_else(too_large);
    }
    let decimal: f64 = number.parse().map_err(|_| not_a_number())?;
    #[allow(
        clippy::cast_precision_loss,
        reason = "multipliers are powers of 2 and 10 far below 2^53"
    )]
    let value = (decimal * multiplier as f64).round();
    // 2^64 is exactly representable; anything at or above it does not fit.
    if !value.is_finite() || value >= 18_446_744_073_709_551_616.0 {
        return Err(too_large());
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked above: finite, non-negative (no sign is parsed) and below 2^64"
    )]
    Ok(value as u64)
}

/// `0 B`, `512 B`, `1.5 KiB`, `12.3 MiB`, `1.2 GiB`.
#[must_use]
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "one decimal is shown: the precision lost above 2^53 bytes is invisible"
    )]
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn sizes() {
        for (text, bytes) in [
            ("0", 0),
            ("1234", 1234),
            ("1234B", 1234),
            ("64k", 64 * 1024),
            ("500M", 500 << 20),
            ("5G", 5 << 30),
            ("5g", 5 << 30),
            ("1.5GiB", 3 << 29),
            ("1.5 GiB", 3 << 29),
            ("2T", 2 << 40),
            ("2TB", 2_000_000_000_000),
            ("10MB", 10_000_000),
            ("1KB", 1000),
            (" 7 kib ", 7 * 1024),
            ("0.5K", 512),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
    }

    #[test]
    fn bad_sizes() {
        assert!(matches!(parse_size(""), Err(UnitError::NotANumber(_))));
        assert!(matches!(parse_size("G"), Err(UnitError::NotANumber(_))));
        assert!(matches!(
            parse_size("-5G"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_size("5X"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_size("5 GB!"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_size("1.2.3M"),
            Err(UnitError::NotANumber(_))
        ));
        assert!(matches!(
            parse_size("99999999T"),
            Err(UnitError::TooLarge(_))
        ));
        assert!(matches!(
            parse_size("20000000000T"),
            Err(UnitError::TooLarge(_))
        ));
        assert!(matches!(
            parse_size("99999999999999999999"),
            Err(UnitError::TooLarge(_))
        ));
        assert!(matches!(
            parse_size("1e3"),
            Err(UnitError::UnknownUnit { .. })
        ));
    }

    #[test]
    fn durations() {
        for (text, seconds) in [
            ("30d", 30 * 86_400),
            ("12h", 12 * 3_600),
            ("90m", 90 * 60),
            ("45s", 45),
            ("2w", 14 * 86_400),
            ("1d12h", 36 * 3_600),
            ("1d 12h", 36 * 3_600),
            ("1.5h", 5_400),
            ("0s", 0),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(seconds)),
                "{text}"
            );
        }
    }

    #[test]
    fn bad_durations() {
        assert!(matches!(
            parse_duration("30"),
            Err(UnitError::MissingUnit(_))
        ));
        assert!(matches!(
            parse_duration("1d12"),
            Err(UnitError::MissingUnit(_))
        ));
        assert!(matches!(parse_duration(""), Err(UnitError::NotANumber(_))));
        assert!(matches!(parse_duration("d"), Err(UnitError::NotANumber(_))));
        assert!(matches!(
            parse_duration("3 days"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_duration("5y"),
            Err(UnitError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_duration("99999999999999999w"),
            Err(UnitError::TooLarge(_))
        ));
    }

    #[test]
    fn formatted_sizes() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(5 << 20), "5.0 MiB");
        assert_eq!(format_size(3 << 29), "1.5 GiB");
        assert_eq!(format_size(u64::MAX), "16.0 EiB");
    }
}
