//! Access tokens (issue 9): the `/api/tokens` contract, and the rules for `expiresIn` and scope
//! strings, written once so the page and the proxy judge a value alike.
//!
//! The platform's own vocabulary (`platform-token-api.ru.txt`) shows `expiresIn` as
//! `30 minutes`, `12 hours`, `8 days`, `5 years` and scopes as `"<METHOD> <path>"` with an
//! optional `/api/v1` prefix, `:param` segments (`GET /objects/:id`) and, per the vendor's
//! Grafana plugin, a `*` tail (`GET /models/*`). Only those forms are accepted, so nothing the
//! platform might read differently goes upstream.

use serde::{Deserialize, Serialize};

/// Route paths of the token panel.
pub mod paths {
    /// `GET` lists the project's tokens, `POST` issues one.
    pub const TOKENS: &str = "/api/tokens";
    /// `GET`: the methods a new token may be given.
    pub const TOKEN_SCOPES: &str = "/api/tokens/scopes";
    /// `DELETE`: revokes one token (route pattern; [`token`] fills it).
    pub const TOKEN: &str = "/api/tokens/{id}";

    /// `/api/tokens/{id}`.
    pub fn token(id: &str) -> String {
        format!("/api/tokens/{id}")
    }
}

/// One token of the project as the platform lists it. The value itself is never listed: the
/// platform cannot give it again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TokenEntry {
    /// The platform's `_id` (24 hex characters).
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Epoch milliseconds; `None` if the platform did not say.
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The token the caller itself is using (this controller's).
    #[serde(default)]
    pub current: bool,
}

/// `POST /api/tokens`: a token for another tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTokenRequest {
    pub name: String,
    /// `<n> minutes|hours|days|years`, see [`parse_expires_in`].
    pub expires_in: String,
    pub scopes: Vec<String>,
}

/// The answer to `POST /api/tokens`: the only time the value is shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: String,
    pub name: String,
    pub token: String,
    /// Epoch milliseconds.
    pub expires_at: i64,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// `GET /api/tokens/scopes`: what a new token may be allowed to call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChoices {
    pub methods: Vec<String>,
    /// Where the list came from: the platform's own list, or the proxy's configuration.
    pub source: ScopeSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeSource {
    Platform,
    Configured,
}

/// The longest lifetime accepted: ten years (the document's largest example is five).
pub const MAX_LIFETIME_MS: i64 = 10 * YEAR_MS;
/// A year as `ms`/`jsonwebtoken` count it (365.25 days): the platform's syntax is theirs.
pub const YEAR_MS: i64 = 31_557_600_000;
/// Longest token name accepted.
pub const MAX_NAME_CHARS: usize = 100;
/// Most scopes one token may be asked for.
pub const MAX_SCOPES: usize = 64;

/// `expiresIn` in milliseconds: `<n> <unit>` with `n ≥ 1` and the unit one of minute(s),
/// hour(s), day(s), year(s); at most [`MAX_LIFETIME_MS`]. `Err` says what is wrong, quoting
/// the value.
pub fn parse_expires_in(text: &str) -> Result<i64, String> {
    let bad = || {
        format!("The lifetime \"{text}\" is not like \"30 minutes\", \"12 hours\", \"8 days\" or \"5 years\".")
    };
    let mut words = text.split_whitespace();
    let (Some(number), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err(bad());
    };
    if !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 12 {
        return Err(bad());
    }
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit_ms = match unit {
        "minute" | "minutes" => 60_000,
        "hour" | "hours" => 3_600_000,
        "day" | "days" => 86_400_000,
        "year" | "years" => YEAR_MS,
        _ => return Err(bad()),
    };
    if n < 1 {
        let one = unit.strip_suffix('s').unwrap_or(unit);
        return Err(format!("The lifetime \"{text}\" must be at least 1 {one}."));
    }
    match n.checked_mul(unit_ms) {
        Some(ms) if ms <= MAX_LIFETIME_MS => Ok(ms),
        _ => Err(format!(
            "The lifetime \"{text}\" is longer than the 10 years a token may live."
        )),
    }
}

/// A scope string: `<METHOD> <path>`, the method one of GET, POST, PUT, PATCH, DELETE, the
/// path starting with `/` (`/api/v1` optional), made of plain segments, `:param` segments and
/// at most a final `*`.
pub fn check_scope(scope: &str) -> Result<(), String> {
    let bad = |why: &str| format!("The method \"{scope}\" {why}.");
    let Some((method, path)) = scope.split_once(' ') else {
        return Err(bad("is not \"<METHOD> <path>\", e.g. \"GET /objects/:id\""));
    };
    if !matches!(method, "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
        return Err(bad("does not start with GET, POST, PUT, PATCH or DELETE"));
    }
    if scope.len() > 200 {
        return Err(bad("is too long"));
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(bad("has no path starting with /"));
    };
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let plain = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        };
        let ok = match *segment {
            "*" => last,
            s if s.starts_with(':') => plain(&s[1..]) && !s[1..].contains('.'),
            // `.` and `..` would name another path once a server resolves them
            "." | ".." => false,
            s => plain(s),
        };
        if !ok {
            return Err(bad(
                "has a path segment that is not a name, :param or a final *",
            ));
        }
    }
    Ok(())
}

/// Whether `scope` lets a token call `method` on `path`, as this proxy reads scopes
/// (unconfirmed, README): `/api/v1` optional on both, `:param` one segment, a final `*` the
/// rest.
pub fn scope_allows(scope: &str, method: &str, path: &str) -> bool {
    let plain = |p: &str| -> String {
        let p = p.trim();
        p.strip_prefix("/api/v1")
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(p)
            .to_owned()
    };
    let Some((scope_method, scope_path)) = scope.trim().split_once(' ') else {
        return false;
    };
    if !scope_method.eq_ignore_ascii_case(method) {
        return false;
    }
    let (want, have) = (plain(scope_path), plain(path));
    let have: Vec<&str> = have.split('/').collect();
    let want: Vec<&str> = want.split('/').collect();
    for (i, w) in want.iter().enumerate() {
        match (*w, have.get(i)) {
            ("*", _) => return true,
            (w, Some(h)) if w.starts_with(':') && !h.is_empty() => {}
            (w, Some(h)) if w == *h => {}
            _ => return false,
        }
    }
    want.len() == have.len()
}

/// Why a token name is refused ([`check_name`]): in English as `Display` (the proxy's
/// answer), a kind the page words in the pilot's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    Missing,
    TooLong,
    Control,
    /// Direction marks, zero-width or filler characters ([`is_invisible_format`]).
    Invisible,
    /// Reads like Pilot 2's own ([`PILOT_TOKEN_PREFIX`]).
    Reserved,
    /// More than [`MAX_MARKS`] combining marks on one character: an unreadable stack.
    Stacked,
}

impl std::fmt::Display for NameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameProblem::Missing => f.write_str("Give the token a name."),
            NameProblem::TooLong => {
                write!(f, "The name is longer than {MAX_NAME_CHARS} characters.")
            }
            NameProblem::Control => f.write_str("The name contains control characters."),
            NameProblem::Invisible => f.write_str(
                "The name contains invisible characters that change how text is shown \
                 (direction marks, zero-width or filler characters).",
            ),
            NameProblem::Reserved => write!(
                f,
                "Names that read \"{}…\" are kept for the tokens Pilot 2 holds.",
                PILOT_TOKEN_PREFIX.trim_end()
            ),
            NameProblem::Stacked => write!(
                f,
                "The name stacks more than {MAX_MARKS} accents or marks on one character."
            ),
        }
    }
}

/// A token name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control or invisible
/// characters, not reading like Pilot 2's own.
pub fn check_name(name: &str) -> Result<&str, NameProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NameProblem::Missing);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameProblem::TooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(NameProblem::Control);
    }
    // A list shows names as they are: one that reorders or hides its own letters could pass
    // for another token (or for a controller's).
    let chars: Vec<char> = name.chars().collect();
    let hidden = chars.iter().enumerate().any(|(i, &c)| {
        is_invisible_format(c) && !(is_emoji_joiner(c) && between_pictographs(&chars, i))
    });
    if hidden {
        return Err(NameProblem::Invisible);
    }
    let mut run = 0;
    for &c in &chars {
        run = if is_combining_mark(c) { run + 1 } else { 0 };
        if run > MAX_MARKS {
            return Err(NameProblem::Stacked);
        }
    }
    // Read as a pilot reads it: letters and digits only, so that other spaces and dots
    // (U+00A0, U+22C5, …) do not make a look-alike.
    if skeleton(name).starts_with(&skeleton(PILOT_TOKEN_PREFIX)) {
        return Err(NameProblem::Reserved);
    }
    Ok(name)
}

/// Combining marks a name may put on one character: enough for any language's accents and
/// tone marks, not for a stack that covers the names above and below it.
pub const MAX_MARKS: usize = 3;

/// The combining diacritical marks (U+0300–U+036F, U+1AB0–U+1AFF, U+1DC0–U+1DFF,
/// U+20D0–U+20FF, U+FE20–U+FE2F): what stacks are made of.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Characters that show nothing, or change how the text around them shows: direction
/// controls, zero-width and filler characters, variation selectors, tags (U+00AD, U+034F,
/// U+061C, U+115F–U+1160, U+17B4–U+17B5, U+180B–U+180F, U+200B–U+200F, U+2028–U+202E,
/// U+2060–U+206F, U+2800 (the blank Braille pattern), U+3164, U+FE00–U+FE0F, U+FEFF, U+FFA0,
/// U+FFF0–U+FFFB, U+E0000–U+E0FFF).
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E0FFF}')
}

/// The emoji presentation selectors and the zero-width joiner: invisible by themselves, but
/// how an emoji is written (`🛰️` is U+1F6F0 U+FE0F, `👨‍✈️` joins two with U+200D).
fn is_emoji_joiner(c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{200D}')
}

/// Whether `chars[at]` follows a pictograph (or another joiner after one) and, for the
/// zero-width joiner, comes before one: it then only changes how that emoji shows.
fn between_pictographs(chars: &[char], at: usize) -> bool {
    let pictograph = |c: char| !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace();
    let before = chars[..at]
        .iter()
        .rev()
        .find(|c| !is_emoji_joiner(**c))
        .is_some_and(|c| pictograph(*c) && !is_invisible_format(*c));
    let after = chars[at] != '\u{200D}'
        || chars
            .get(at + 1)
            .is_some_and(|c| pictograph(*c) && !is_invisible_format(*c));
    before && after
}

/// A name's letters and digits, lowercase, with the look-alikes of the letters of
/// "Pilot 2" folded: what two look-alike names share.
fn skeleton(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(fold_look_alike)
        .collect()
}

/// Fullwidth letters and digits as ASCII, and the Cyrillic, Greek and other characters that
/// look like the letters of "pilot 2" (with `l` and `1` as `i`) as those letters.
fn fold_look_alike(c: char) -> char {
    let at = |from: u32, run: u32| (u32::from(c) - from) % run;
    let c = match c {
        '\u{FF10}'..='\u{FF5A}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        // Mathematical bold, italic, script, … letters (A–Z then a–z, again and again) and
        // digits (0–9, five styles): NFKC's reading, without its tables in the page's wasm.
        '\u{1D400}'..='\u{1D6A3}' => {
            let i = at(0x1D400, 52);
            char::from(b'a' + u8::try_from(i % 26).unwrap_or(0))
        }
        '\u{1D7CE}'..='\u{1D7FF}' => char::from(b'0' + u8::try_from(at(0x1D7CE, 10)).unwrap_or(0)),
        // Circled letters (Ⓐ–Ⓩ, ⓐ–ⓩ)
        '\u{24B6}'..='\u{24E9}' => char::from(b'a' + u8::try_from(at(0x24B6, 26)).unwrap_or(0)),
        // Small capital and superscript ("modifier") letters
        'ᴾ' | 'ᵖ' => 'p',
        'ᴵ' | 'ⁱ' | 'ᴸ' | 'ˡ' => 'i',
        'ᴼ' | 'ᵒ' => 'o',
        'ᵀ' | 'ᵗ' => 't',
        'ℙ' | 'ℼ' => 'p',
        'ℐ' | 'ℑ' | 'ℹ' | 'ⅈ' | 'ℒ' => 'i',
        'ℴ' => 'o',
        '٢' | '۲' | '२' => '2',
        _ => c,
    };
    match c {
        'р' | 'ρ' | 'ϱ' | 'ƿ' => 'p',
        'l' | '1' | 'і' | 'ı' | 'ι' | 'ӏ' | 'ɩ' | 'ǀ' | 'ℓ' | 'ⅰ' | 'ⅼ' | 'ɪ' | 'ĺ' | 'ľ' | 'ḷ'
        | 'ł' | 'ì' | 'í' | 'ï' | 'î' => 'i',
        'о' | 'ο' | '0' | 'օ' | 'ᴏ' | 'ò' | 'ó' | 'ö' | 'ô' | 'õ' | 'ø' => 'o',
        'т' | 'τ' | 'ţ' | 'ť' | 'ṭ' => 't',
        '²' | '₂' | 'ƻ' | 'ᒿ' | '②' | '⑵' | '⒉' => '2',
        c => c,
    }
}

/// A platform token `_id`: 24 hex characters (a MongoDB ObjectId, as the document shows).
pub fn is_token_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The name of the token Pilot 2 holds on a controller: `Pilot 2 · <SN>`, or
/// `Pilot 2 · browser` outside Pilot 2.
pub fn pilot_token_name(controller_sn: Option<&str>) -> String {
    format!("{PILOT_TOKEN_PREFIX}{}", controller_sn.unwrap_or("browser"))
}

/// How the names of Pilot 2's own tokens begin ([`pilot_token_name`]).
pub const PILOT_TOKEN_PREFIX: &str = "Pilot 2 · ";

#[cfg(test)]
mod tests {

    #[test]
    fn a_scope_reaches_a_path_by_segment_param_or_final_star() {
        assert!(scope_allows("GET /tokens", "GET", "/api/v1/tokens"));
        assert!(scope_allows(
            "DELETE /tokens/:id",
            "DELETE",
            "/api/v1/tokens/ab12"
        ));
        assert!(scope_allows(
            "DELETE /api/v1/*",
            "DELETE",
            "/api/v1/tokens/ab12"
        ));
        assert!(!scope_allows("GET /tokens", "POST", "/api/v1/tokens"));
        assert!(!scope_allows(
            "DELETE /tokens",
            "DELETE",
            "/api/v1/tokens/ab12"
        ));
        assert!(!scope_allows("GET /tokens/:id", "GET", "/api/v1/tokens"));
    }
    use super::*;

    #[test]
    fn the_documents_lifetimes_and_singulars() {
        assert_eq!(parse_expires_in("30 minutes"), Ok(1_800_000));
        assert_eq!(parse_expires_in("12 hours"), Ok(43_200_000));
        assert_eq!(parse_expires_in("8 days"), Ok(691_200_000));
        assert_eq!(parse_expires_in("90 days"), Ok(7_776_000_000));
        assert_eq!(parse_expires_in("5 years"), Ok(5 * YEAR_MS));
        assert_eq!(parse_expires_in("1 day"), Ok(86_400_000));
        assert_eq!(parse_expires_in(" 1  hour "), Ok(3_600_000));
        assert_eq!(parse_expires_in("10 years"), Ok(MAX_LIFETIME_MS));
    }

    #[test]
    fn other_lifetimes_are_refused_naming_the_value() {
        for bad in [
            "",
            "days",
            "1d",
            "2h",
            "1500",
            "1.5 hours",
            "-1 days",
            "3 fortnights",
            "1 week",
            "30 seconds",
            "1 Days",
            "1 day ago",
            "+1 day",
        ] {
            let e = parse_expires_in(bad).expect_err(bad);
            assert!(e.contains(&format!("\"{bad}\"")), "{bad}: {e}");
        }
        assert!(parse_expires_in("0 days")
            .expect_err("zero")
            .ends_with("must be at least 1 day."));
        assert!(parse_expires_in("11 years")
            .expect_err("long")
            .contains("10 years"));
        assert!(parse_expires_in("99999999999999 minutes").is_err());
    }

    #[test]
    fn scopes_like_the_document() {
        for ok in [
            "GET /objects",
            "GET /objects/:id",
            "POST /objects/:id/commands/:command",
            "PATCH /objects/:id",
            "DELETE /geofences/:id",
            "GET /api/v1/tokens",
            "GET /models/*",
            "PUT /a-b_c.d~e",
        ] {
            assert_eq!(check_scope(ok), Ok(()), "{ok}");
        }
        for bad in [
            "GET",
            "get /objects",
            "FETCH /objects",
            "GET objects",
            "GET  /objects",
            "GET /objects/",
            "GET /objects//x",
            "GET /*/x",
            "GET /objects/:",
            "GET /objects?x=1",
            "GET /tokens/../objects",
            "GET /./objects",
            "GET /objects/..",
            "GET /objects /x",
            "GET /ob jects",
        ] {
            let e = check_scope(bad).expect_err(bad);
            assert!(e.contains(&format!("\"{bad}\"")), "{bad}: {e}");
        }
    }

    #[test]
    fn names_and_ids() {
        assert_eq!(check_name("  laptop GS "), Ok("laptop GS"));
        assert!(check_name(" ").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
        assert!(check_name("a\nb").is_err());
        // reversed on screen: "drone-preliminary"
        let bidi = check_name("\u{202E}yranimilerp-enord").expect_err("bidi override");
        assert!(bidi.to_string().contains("invisible"), "{bidi}");
        for hidden in ["a\u{200B}b", "\u{2066}x\u{2069}", "\u{FEFF}GS", "a\u{200F}"] {
            assert!(check_name(hidden).is_err(), "{hidden:?}");
        }
        let own = check_name(&pilot_token_name(Some("5YSZL260021E9W"))).expect_err("reserved");
        assert!(own.to_string().contains("Pilot 2"), "{own}");
        // look-alikes of Pilot 2's own names, and what else hides
        for alike in [
            "Pilot 2 ·\u{00A0}5YSZL260021E9W",
            "Pilot\u{00A0}2 · 5YSZL260021E9W",
            "Pilot 2 \u{22C5} 5YSZL260021E9W",
            "pilot2-browser",
            "\u{0420}ilot 2 · 5YSZL260021E9W",
            "P\u{0456}lot 2 · X",
            "Pilot \u{FF12} · 5YSZL260021E9W",
            "\u{FF30}\u{FF49}\u{FF4C}\u{FF4F}\u{FF54} 2",
            "PI1OT 2",
            "Pil\u{03BF}t\u{00B2} tool",
            "Pilot \u{1D7D0} · X",
            "\u{2119}ilot 2 · X",
            "Pilot \u{0662} · X",
            "\u{1D40F}\u{1D422}\u{1D425}\u{1D428}\u{1D42D} 2",
            "\u{24C5}ilot 2 · 5YSZL260021E9W",
            "\u{1D3E}ilot 2 · 5YSZL260021E9W",
            "Pilot \u{14BF} · X",
            "Pilot \u{2461} · X",
        ] {
            assert!(check_name(alike).is_err(), "{alike:?}");
        }
        // emoji as they are written: presentation selectors and joiners inside an emoji
        for emoji in [
            "🚁 drone 🛰\u{FE0F}",
            "👨\u{200D}✈\u{FE0F} pilot",
            "❤\u{FE0E}",
        ] {
            assert_eq!(check_name(emoji), Ok(emoji), "{emoji:?}");
        }
        for hidden in [
            "a\u{FE0F}b",
            "a\u{200D}b",
            "🚁\u{200D}",
            "🚁\u{200D}a",
            "\u{FE0F}x",
            "a\u{00AD}b",
            "a\u{206A}b",
            "GS\u{E0041}",
            "a\u{3164}b",
            "a\u{2028}b",
            "a\u{FE0F}",
            "\u{2800}\u{2800}",
        ] {
            assert!(check_name(hidden).is_err(), "{hidden:?}");
        }
        // accents as languages use them, not a stack over the list
        assert_eq!(check_name("Tiếng Việt"), Ok("Tiếng Việt"));
        assert_eq!(
            check_name("e\u{0301}\u{0302}\u{0323}"),
            Ok("e\u{0301}\u{0302}\u{0323}")
        );
        let stack = format!("a{}", "\u{0301}".repeat(99));
        assert_eq!(check_name(&stack), Err(NameProblem::Stacked));
        assert_eq!(check_name("Pilot's laptop"), Ok("Pilot's laptop"));
        assert_eq!(check_name("GS · Pilot 2"), Ok("GS · Pilot 2"));
        assert_eq!(check_name("无人机 · 地面站"), Ok("无人机 · 地面站"));
        assert!(is_token_id("66a66b2207dfcec6494cd618"));
        assert!(!is_token_id("66a66b2207dfcec6494cd61"));
        assert!(!is_token_id("66a66b2207dfcec6494cd61g"));
        assert!(!is_token_id("../../../etc/passwd00000"));
        assert_eq!(pilot_token_name(Some("5YSZL")), "Pilot 2 · 5YSZL");
        assert_eq!(pilot_token_name(None), "Pilot 2 · browser");
    }

    #[test]
    fn new_token_debug_hides_the_value() {
        let t = NewToken {
            id: "i".into(),
            name: "n".into(),
            token: "eyJsecret".into(),
            expires_at: 1,
            scopes: vec![],
        };
        assert!(!format!("{t:?}").contains("eyJsecret"));
    }
}
