//! The token API's `expiresIn` vocabulary, exactly as the document shows it: `30 minutes`,
//! `12 hours`, `8 days`, `5 years` (and `90 days`), absent meaning one day.
//!
//! Only `<whole number> <unit>` with those four units (singular allowed) is accepted: the
//! document shows nothing else, so a client relying on more (`2h`, bare milliseconds, weeks)
//! would be relying on a guess, and the simulator refuses it. A year counts 365.25 days, as
//! the `ms` package that this syntax resembles counts it (the only source for "years").

use std::time::Duration;

/// The lifetime when `expiresIn` is absent (document: "1 day").
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Parses an `expiresIn` value.
pub fn parse(input: &str) -> Result<Duration, String> {
    let mut words = input.split_whitespace();
    let (Some(number), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(format!("expiresIn \"{input}\" is not \"<number> <unit>\""));
    };
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expiresIn \"{input}\" does not start with a whole number"
        ));
    }
    let amount: u64 = number
        .parse()
        .map_err(|_| format!("expiresIn \"{input}\" is too large"))?;
    let unit_ms: u64 = match unit {
        "minute" | "minutes" => 60_000,
        "hour" | "hours" => 3_600_000,
        "day" | "days" => 86_400_000,
        "year" | "years" => 31_557_600_000,
        other => return Err(format!("expiresIn unit \"{other}\" is not known")),
    };
    if amount == 0 {
        return Err(format!("expiresIn \"{input}\" is not a positive duration"));
    }
    let ms = amount
        .checked_mul(unit_ms)
        .ok_or_else(|| format!("expiresIn \"{input}\" is too large"))?;
    Ok(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_forms() {
        assert_eq!(parse("30 minutes"), Ok(Duration::from_secs(30 * 60)));
        assert_eq!(parse("12 hours"), Ok(Duration::from_secs(12 * 3600)));
        assert_eq!(parse("8 days"), Ok(Duration::from_secs(8 * 86400)));
        assert_eq!(parse("90 days"), Ok(Duration::from_millis(7_776_000_000)));
        assert_eq!(
            parse("5 years"),
            Ok(Duration::from_millis(5 * 31_557_600_000))
        );
        assert_eq!(parse("1 day"), Ok(Duration::from_secs(86400)));
        assert_eq!(parse("1 minute"), Ok(Duration::from_secs(60)));
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for bad in [
            "",
            "days",
            "2h",
            "1500",
            "1.5 hours",
            "1 DAY",
            "1 week",
            "30 seconds",
            "-1 days",
            "1 day extra",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("3 fortnights")
            .expect_err("unknown unit")
            .contains("fortnights"));
        assert!(parse("0 days").is_err());
        assert!(parse("99999999999999999 years").is_err());
    }
}
