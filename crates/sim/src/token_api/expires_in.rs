//! The token API's `expiresIn` vocabulary: "30 minutes", "12 hours", "8 days", "5 years".
//!
//! The reference shows those four and "90 days"; the syntax matches the `ms` package that
//! `jsonwebtoken` (Node) uses, so its units and abbreviations are accepted too.

use std::time::Duration;

/// The lifetime when `expiresIn` is absent (reference: "1 day").
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Parses an `expiresIn` value. A bare number is milliseconds, as in `ms`.
pub fn parse(input: &str) -> Result<Duration, String> {
    let text = input.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let amount: f64 = number
        .parse()
        .map_err(|_| format!("expiresIn \"{input}\" does not start with a number"))?;
    let unit_ms: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
        "d" | "day" | "days" => 86_400_000.0,
        "w" | "week" | "weeks" => 604_800_000.0,
        "y" | "yr" | "yrs" | "year" | "years" => 31_557_600_000.0,
        other => return Err(format!("expiresIn unit \"{other}\" is not known")),
    };
    let ms = amount * unit_ms;
    if !(ms.is_finite() && ms >= 1.0) {
        return Err(format!("expiresIn \"{input}\" is not a positive duration"));
    }
    Ok(Duration::from_millis(ms.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples() {
        assert_eq!(parse("30 minutes"), Ok(Duration::from_secs(30 * 60)));
        assert_eq!(parse("12 hours"), Ok(Duration::from_secs(12 * 3600)));
        assert_eq!(parse("8 days"), Ok(Duration::from_secs(8 * 86400)));
        assert_eq!(parse("90 days"), Ok(Duration::from_millis(7_776_000_000)));
        // ms: a year is 365.25 days
        assert_eq!(
            parse("5 years"),
            Ok(Duration::from_millis(5 * 31_557_600_000))
        );
    }

    #[test]
    fn abbreviations_and_bare_milliseconds() {
        assert_eq!(parse("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse("1 DAY"), Ok(Duration::from_secs(86400)));
        assert_eq!(parse("1500"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("1.5 hours"), Ok(Duration::from_secs(5400)));
    }

    #[test]
    fn nonsense_is_rejected_with_a_reason() {
        assert!(parse("").is_err());
        assert!(parse("days").is_err());
        assert!(parse("3 fortnights")
            .expect_err("unknown unit")
            .contains("fortnights"));
        assert!(parse("0 days").is_err());
        assert!(parse("-1 days").is_err());
    }
}
