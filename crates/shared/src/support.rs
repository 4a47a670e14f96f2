//! Support reports (issue 11): what the diagnostics page (`public/diagnostics.html`) sends to
//! `POST /api/support/reports`, and the short report id a pilot reads out over the phone.
//!
//! A report id is 8 characters of an alphabet without look-alikes (no `0 O 1 I L U`), shown as
//! two groups of four: `K7M2-QX4P`. 30⁸ ≈ 6.6·10¹¹ ids: guessing one is hopeless, and reading
//! one is only for an operator ([`paths::SUPPORT_REPORT`] needs the admin token).

use serde::{Deserialize, Serialize};

/// Route paths.
pub mod paths {
    /// `POST`: stores a report, no session needed (a pilot who cannot sign in sends one too).
    pub const SUPPORT_REPORTS: &str = "/api/support/reports";
    /// `GET` (operator, `Authorization: Bearer <SUPPORT_ADMIN_TOKEN>`): one report.
    pub const SUPPORT_REPORT: &str = "/api/support/reports/{id}";

    /// `/api/support/reports/{id}`.
    pub fn support_report(id: &str) -> String {
        format!("/api/support/reports/{id}")
    }
}

/// `POST /api/support/reports`: the report as the pilot would copy it (plain text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSupportReport {
    pub report: String,
}

/// The answer: the id to read out, and when it was stored (epoch ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportReportReceipt {
    pub id: String,
    pub created_at: i64,
}

/// A stored report, as an operator reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportReport {
    pub id: String,
    pub created_at: i64,
    /// The client address the proxy saw (the right-most untrusted hop behind proxies).
    pub client_addr: String,
    pub report: String,
}

/// The characters of a report id: digits and capitals without `0 O 1 I L U`.
pub const ID_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The id of 8 alphabet indexes (each taken modulo the alphabet): `K7M2-QX4P`.
pub fn format_id(indexes: [u8; 8]) -> String {
    let mut id = String::with_capacity(9);
    for (i, n) in indexes.iter().enumerate() {
        if i == 4 {
            id.push('-');
        }
        id.push(char::from(ID_ALPHABET[usize::from(*n) % ID_ALPHABET.len()]));
    }
    id
}

/// An id as a pilot or an operator may type it (lower case, without the dash, with spaces)
/// in its canonical form, or `None` if it cannot be one.
pub fn parse_id(text: &str) -> Option<String> {
    let chars: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' '))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if chars.len() != 8 || !chars.iter().all(|c| ID_ALPHABET.contains(c)) {
        return None;
    }
    let (a, b) = chars.split_at(4);
    Some(format!(
        "{}-{}",
        String::from_utf8_lossy(a),
        String::from_utf8_lossy(b)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_out_loud_and_typed_back() {
        let id = format_id([17, 5, 18, 0, 21, 27, 2, 20]);
        assert_eq!(id, "K7M2-QX4P");
        assert_eq!(parse_id("k7m2 qx4p").as_deref(), Some("K7M2-QX4P"));
        assert_eq!(parse_id("K7M2QX4P").as_deref(), Some("K7M2-QX4P"));
        assert_eq!(parse_id("K7M2-QX4O"), None, "O is not in the alphabet");
        assert_eq!(parse_id("K7M2-QX4"), None);
        assert_eq!(parse_id("../../etc"), None);
        assert_eq!(
            format_id([255; 8]).len(),
            9,
            "any byte maps into the alphabet"
        );
    }

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in b"01OILU" {
            assert!(!ID_ALPHABET.contains(c), "{}", char::from(*c));
        }
        let mut sorted = ID_ALPHABET.to_vec();
        sorted.dedup();
        assert_eq!(sorted.len(), 30);
    }
}
