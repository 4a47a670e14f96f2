//! What the Access tokens panel ([`super::tokens`]) says before a new token's request is sent,
//! and of the refusals it knows more of than the page's general sentence. Apart from the
//! panel, so that it is tested natively (the panel needs the panels bundle's link).

use crate::error::AppError;
use crate::i18n::Tr;
use crate::text;
use pilot_portal_shared::tokens::{check_name, parse_expires_in, NameProblem, NewTokenRequest};
use pilot_portal_shared::ErrorCode;

/// What is wrong with a new token's request, in the pilot's words, before it is sent: the
/// proxy's checks (the same functions) answer in English, with one code for every field.
pub fn request_problem(req: &NewTokenRequest) -> Option<Tr> {
    match check_name(&req.name) {
        Ok(_) => {}
        Err(NameProblem::Missing) => return Some(text::TOKENS_NAME_MISSING),
        Err(_) => return Some(text::TOKENS_NAME_REFUSED),
    }
    if parse_expires_in(&req.expires_in).is_err() {
        return Some(text::TOKENS_LIFETIME_REFUSED);
    }
    req.scopes.is_empty().then_some(text::TOKENS_PICK_ONE)
}

/// A custom lifetime as the platform reads it (`3 days`), from what the pilot typed in their
/// language: units in English, Russian or Chinese, any case, with or without a space (`3 дня`,
/// `2 Hours`, `3天`). Anything else is returned trimmed, for [`request_problem`] to name.
pub fn lifetime_for_platform(typed: &str) -> String {
    let typed = typed.trim();
    let digits = typed.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = typed.split_at(digits);
    let unit = unit.trim().to_lowercase();
    let unit = unit.trim_end_matches('.');
    let english = match unit {
        "minute" | "minutes" | "min" | "мин" | "минута" | "минуты" | "минут" | "分钟" | "分" => {
            "minute"
        }
        "hour" | "hours" | "h" | "ч" | "час" | "часа" | "часов" | "小时" | "时" => {
            "hour"
        }
        "day" | "days" | "d" | "д" | "день" | "дня" | "дней" | "天" | "日" => "day",
        "year" | "years" | "y" | "г" | "год" | "года" | "лет" | "年" => "year",
        _ => return typed.to_owned(),
    };
    if number.is_empty() {
        return typed.to_owned();
    }
    let plural = if number.trim_start_matches('0') == "1" {
        ""
    } else {
        "s"
    };
    format!("{number} {english}{plural}")
}

/// The methods of `requested` that this controller's own token (`own`, its scopes as the
/// platform lists them) does not hold: what a 403 on issuing most likely refused. None when
/// the own token's scopes are not known or not restricted (an empty list: every method of the
/// pilot, as the platform's document says). `/api/v1` is optional; `X /a/*` covers `X /a/…`.
pub fn beyond_own(requested: &[String], own: &[String]) -> Vec<String> {
    if own.is_empty() {
        return Vec::new();
    }
    let plain = |scope: &str| scope.replacen(" /api/v1/", " /", 1);
    let covers = |own: &str, wanted: &str| {
        let (own, wanted) = (plain(own), plain(wanted));
        own == wanted
            || own
                .strip_suffix('*')
                .is_some_and(|prefix| prefix.ends_with('/') && wanted.starts_with(prefix))
    };
    requested
        .iter()
        .filter(|wanted| !own.iter().any(|o| covers(o, wanted)))
        .cloned()
        .collect()
}

/// The panel's own words for a refusal it knows more of than the page's general sentence.
pub fn panel_words(error: &AppError, revoking: bool) -> Option<Tr> {
    match (error.code()?, revoking) {
        (ErrorCode::TokenScopeMissing, false) => Some(text::TOKENS_METHODS_NOT_GRANTED),
        (ErrorCode::NotFound, true) => Some(text::TOKENS_NOT_REVOCABLE),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: &str, expires_in: &str, scopes: &[&str]) -> NewTokenRequest {
        NewTokenRequest {
            name: name.into(),
            expires_in: expires_in.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn each_field_is_named_before_anything_is_sent() {
        let ok = ["GET /tokens"];
        assert_eq!(request_problem(&request("Laptop GS", "7 days", &ok)), None);
        assert_eq!(
            request_problem(&request("  ", "7 days", &ok)),
            Some(text::TOKENS_NAME_MISSING)
        );
        for bad in [
            "\u{202E}yranimilerp-enord",
            "Pilot 2 · 5YSZL260021E9W",
            "a\u{200B}b",
        ] {
            assert_eq!(
                request_problem(&request(bad, "7 days", &ok)),
                Some(text::TOKENS_NAME_REFUSED),
                "{bad}"
            );
        }
        for bad in ["2 weeks", "", "0 days", "11 years"] {
            assert_eq!(
                request_problem(&request("GS", bad, &ok)),
                Some(text::TOKENS_LIFETIME_REFUSED),
                "{bad}"
            );
        }
        assert_eq!(
            request_problem(&request("GS", "45 minutes", &[])),
            Some(text::TOKENS_PICK_ONE)
        );
    }

    #[test]
    fn the_methods_beyond_the_controllers_own_token_are_named() {
        let own: Vec<String> = ["GET /tokens", "POST /api/v1/tokens", "GET /objects/*"]
            .map(String::from)
            .to_vec();
        let asked: Vec<String> = [
            "GET /tokens",
            "POST /tokens",
            "GET /objects/:id",
            "GET /objects",
            "DELETE /tokens/:id",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            beyond_own(&asked, &own),
            ["GET /objects", "DELETE /tokens/:id"]
        );
        assert!(beyond_own(&asked, &[]).is_empty(), "not known: none named");
    }

    #[test]
    fn a_lifetime_may_be_typed_in_the_pilots_language() {
        for (typed, sent) in [
            ("3 days", "3 days"),
            ("1 Day", "1 day"),
            (" 3 дня ", "3 days"),
            ("2 часа", "2 hours"),
            ("5 лет", "5 years"),
            ("1 год", "1 year"),
            ("45 мин.", "45 minutes"),
            ("3天", "3 days"),
            ("2 小时", "2 hours"),
            ("30分钟", "30 minutes"),
            ("1年", "1 year"),
            ("12 HOURS", "12 hours"),
        ] {
            let sent_as = lifetime_for_platform(typed);
            assert_eq!(sent_as, sent, "{typed}");
            assert!(parse_expires_in(&sent_as).is_ok(), "{typed}");
        }
        for kept in ["2 weeks", "days", "", "3 days ago", "-1 day"] {
            assert_eq!(lifetime_for_platform(kept), kept.trim(), "{kept}");
            assert!(
                parse_expires_in(&lifetime_for_platform(kept)).is_err(),
                "{kept}"
            );
        }
    }

    fn refused(code: ErrorCode) -> AppError {
        AppError::Api {
            status: 403,
            code,
            message: String::new(),
            retry_after_secs: None,
            upstream_code: None,
        }
    }

    #[test]
    fn the_panel_words_what_it_knows_more_of() {
        assert_eq!(
            panel_words(&refused(ErrorCode::TokenScopeMissing), false),
            Some(text::TOKENS_METHODS_NOT_GRANTED)
        );
        assert_eq!(
            panel_words(&refused(ErrorCode::NotFound), true),
            Some(text::TOKENS_NOT_REVOCABLE)
        );
        // listing or revoking without the permission stays the general sentence
        assert_eq!(
            panel_words(&refused(ErrorCode::TokenScopeMissing), true),
            None
        );
        assert_eq!(
            panel_words(&AppError::Network("offline".into()), false),
            None
        );
    }
}
