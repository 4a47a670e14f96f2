//! The `window.djiBridge` return value: a JSON *string* `{code, message, data}`.
//!
//! Pilot 2 is not consistent about `data`: booleans, strings, numbers, `{}` on success, and
//! JSON documents encoded a second time as strings (`thingGetConfigs`). Everything here is
//! lenient in what it accepts and precise in what it reports.

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;

/// A parsed bridge reply.
#[derive(Debug, Clone, PartialEq)]
pub struct BridgeEnvelope {
    /// `0` is success; anything else is a failure described by `message`.
    pub code: i64,
    pub message: String,
    pub data: Value,
}

/// Why a bridge reply could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeError {
    /// The reply is not JSON, or not an object with a `code`.
    Unparsable { raw: String, reason: String },
    /// Pilot 2 answered with a non-zero code.
    Failed { code: i64, message: String },
    /// `data` is not of the type the method promises.
    UnexpectedData {
        expected: &'static str,
        found: String,
    },
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeError::Unparsable { raw, reason } => {
                write!(f, "unreadable reply from Pilot 2 ({reason}): {}", clip(raw))
            }
            EnvelopeError::Failed { code, message } if message.is_empty() => {
                write!(f, "Pilot 2 refused (code {code})")
            }
            EnvelopeError::Failed { code, message } => {
                write!(f, "Pilot 2 refused: {message} (code {code})")
            }
            EnvelopeError::UnexpectedData { expected, found } => {
                write!(f, "Pilot 2 returned {found} where {expected} was expected")
            }
        }
    }
}

impl std::error::Error for EnvelopeError {}

fn clip(raw: &str) -> String {
    const MAX: usize = 80;
    match raw.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &raw[..cut]),
        None => raw.to_owned(),
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string \"{}\"", clip(s)),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

impl BridgeEnvelope {
    /// Parses the raw string a bridge method returned.
    pub fn parse(raw: &str) -> Result<Self, EnvelopeError> {
        let unparsable = |reason: &str| EnvelopeError::Unparsable {
            raw: raw.to_owned(),
            reason: reason.to_owned(),
        };
        let mut value: Value =
            serde_json::from_str(raw.trim()).map_err(|_| unparsable("not JSON"))?;
        // Some WebView bridges hand back the envelope JSON-encoded once more.
        if let Value::String(inner) = &value {
            value = serde_json::from_str(inner).map_err(|_| unparsable("not JSON"))?;
        }
        let Value::Object(mut map) = value else {
            return Err(unparsable("not an object"));
        };
        let code = match map.get("code") {
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| unparsable("code is not an integer"))?,
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map_err(|_| unparsable("code is not an integer"))?,
            _ => return Err(unparsable("no code")),
        };
        let message = match map.remove("message") {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let data = map.remove("data").unwrap_or(Value::Null);
        Ok(BridgeEnvelope {
            code,
            message,
            data,
        })
    }

    /// `Ok(data)` for code 0, else [`EnvelopeError::Failed`].
    pub fn into_data(self) -> Result<Value, EnvelopeError> {
        if self.code == 0 {
            Ok(self.data)
        } else {
            Err(EnvelopeError::Failed {
                code: self.code,
                message: self.message,
            })
        }
    }
}

/// Success with no meaningful data (setters, module loads).
pub fn parse_unit(raw: &str) -> Result<(), EnvelopeError> {
    BridgeEnvelope::parse(raw)?.into_data().map(|_| ())
}

/// A boolean answer. As DJI's own demo does, `{}`/`null` on success count as `true`; booleans
/// may also arrive as strings or 0/1.
pub fn parse_bool(raw: &str) -> Result<bool, EnvelopeError> {
    let data = BridgeEnvelope::parse(raw)?.into_data()?;
    match &data {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(true),
        Value::Object(m) if m.is_empty() => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        Value::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(false),
        other => Err(EnvelopeError::UnexpectedData {
            expected: "a boolean",
            found: kind(other),
        }),
    }
}

/// A string answer; `null` counts as empty (no aircraft connected, no token stored).
pub fn parse_string(raw: &str) -> Result<String, EnvelopeError> {
    let data = BridgeEnvelope::parse(raw)?.into_data()?;
    match data {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(EnvelopeError::UnexpectedData {
            expected: "a string",
            found: kind(&other),
        }),
    }
}

/// A string that may be absent: `""`, `null` and an empty object (`{}`, how some Pilot 2
/// versions answer `apiGetToken` with nothing stored) all mean `None`.
pub fn parse_optional_string(raw: &str) -> Result<Option<String>, EnvelopeError> {
    let data = BridgeEnvelope::parse(raw)?.into_data()?;
    match data {
        Value::String(s) if s.trim().is_empty() || s.trim() == "{}" => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Null => Ok(None),
        Value::Object(o) if o.is_empty() => Ok(None),
        other => Err(EnvelopeError::UnexpectedData {
            expected: "a string",
            found: kind(&other),
        }),
    }
}

/// A JSON document, given either as an object or encoded once more as a string.
pub fn parse_json<T: DeserializeOwned>(raw: &str) -> Result<T, EnvelopeError> {
    let data = BridgeEnvelope::parse(raw)?.into_data()?;
    let found = kind(&data);
    let value = match data {
        Value::String(s) => {
            serde_json::from_str(&s).map_err(|_| EnvelopeError::UnexpectedData {
                expected: "a JSON document",
                found: found.clone(),
            })?
        }
        other => other,
    };
    serde_json::from_value(value).map_err(|_| EnvelopeError::UnexpectedData {
        expected: "a JSON document of the expected shape",
        found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn an_absent_string_is_none_in_every_spelling() {
        for raw in [
            r#"{"code":0,"message":"","data":""}"#,
            r#"{"code":0,"message":"","data":"  "}"#,
            r#"{"code":0,"message":"","data":null}"#,
            r#"{"code":0,"message":"","data":{}}"#,
            r#"{"code":0,"message":"","data":"{}"}"#,
        ] {
            assert_eq!(parse_optional_string(raw), Ok(None), "{raw}");
        }
        assert_eq!(
            parse_optional_string(r#"{"code":0,"message":"","data":"eyJ.x.y"}"#),
            Ok(Some("eyJ.x.y".into()))
        );
        assert!(parse_optional_string(r#"{"code":0,"message":"","data":{"a":1}}"#).is_err());
    }

    #[test]
    fn success_with_boolean_data() {
        assert_eq!(
            parse_bool(r#"{"code":0,"message":"ok","data":true}"#),
            Ok(true)
        );
        assert_eq!(
            parse_bool(r#"{"code":0,"message":"ok","data":false}"#),
            Ok(false)
        );
    }

    #[test]
    fn boolean_variants_pilot_is_known_to_send() {
        assert_eq!(parse_bool(r#"{"code":0,"message":"","data":{}}"#), Ok(true));
        assert_eq!(parse_bool(r#"{"code":0,"message":""}"#), Ok(true));
        assert_eq!(parse_bool(r#"{"code":0,"data":"false"}"#), Ok(false));
        assert_eq!(parse_bool(r#"{"code":0,"data":1}"#), Ok(true));
        assert!(matches!(
            parse_bool(r#"{"code":0,"data":[1]}"#),
            Err(EnvelopeError::UnexpectedData {
                expected: "a boolean",
                ..
            })
        ));
    }

    #[test]
    fn string_data_and_empty_aircraft_sn() {
        assert_eq!(
            parse_string(r#"{"code":0,"message":"","data":"1581F5BK"}"#),
            Ok("1581F5BK".into())
        );
        assert_eq!(
            parse_string(r#"{"code":0,"message":"","data":""}"#),
            Ok(String::new())
        );
        assert_eq!(
            parse_string(r#"{"code":0,"message":"","data":null}"#),
            Ok(String::new())
        );
        assert_eq!(parse_string(r#"{"code":0,"data":42}"#), Ok("42".into()));
    }

    #[test]
    fn non_zero_code_is_a_failure_with_its_message() {
        let err = parse_string(r#"{"code":-1,"message":"device not connect","data":""}"#)
            .expect_err("fails");
        assert_eq!(
            err,
            EnvelopeError::Failed {
                code: -1,
                message: "device not connect".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "Pilot 2 refused: device not connect (code -1)"
        );
    }

    #[test]
    fn code_as_string_is_accepted() {
        assert_eq!(
            parse_unit(r#"{"code":"0","message":"success","data":{}}"#),
            Ok(())
        );
        assert!(parse_unit(r#"{"code":"12","message":"no"}"#).is_err());
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Configs {
        host: String,
    }

    #[test]
    fn double_encoded_data_is_decoded() {
        let raw = r#"{"code":0,"message":"","data":"{\"host\":\"tcp://10.0.0.1:1883\"}"}"#;
        assert_eq!(
            parse_json::<Configs>(raw),
            Ok(Configs {
                host: "tcp://10.0.0.1:1883".into()
            })
        );
        let plain = r#"{"code":0,"message":"","data":{"host":"ws://h:8083"}}"#;
        assert_eq!(
            parse_json::<Configs>(plain),
            Ok(Configs {
                host: "ws://h:8083".into()
            })
        );
    }

    #[test]
    fn whole_envelope_encoded_twice_is_decoded() {
        let raw = r#""{\"code\":0,\"message\":\"\",\"data\":true}""#;
        assert_eq!(parse_bool(raw), Ok(true));
    }

    #[test]
    fn garbage_is_reported_not_panicked() {
        for raw in [
            "",
            "undefined",
            "<html>",
            "[1,2]",
            r#"{"message":"x"}"#,
            r#"{"code":1.5}"#,
            "\"not json\"",
        ] {
            assert!(
                matches!(
                    BridgeEnvelope::parse(raw),
                    Err(EnvelopeError::Unparsable { .. })
                ),
                "{raw:?} should be unparsable"
            );
        }
        let long = "x".repeat(500);
        let msg = BridgeEnvelope::parse(&long)
            .expect_err("garbage")
            .to_string();
        assert!(msg.len() < 200, "long garbage is clipped in messages");
    }

    #[test]
    fn wrong_json_shape_is_unexpected_data() {
        let raw = r#"{"code":0,"data":"{not json"}"#;
        assert!(matches!(
            parse_json::<Configs>(raw),
            Err(EnvelopeError::UnexpectedData { .. })
        ));
        let raw = r#"{"code":0,"data":{"port":1}}"#;
        assert!(matches!(
            parse_json::<Configs>(raw),
            Err(EnvelopeError::UnexpectedData { .. })
        ));
    }
}
