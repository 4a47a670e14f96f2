//! DJI remote unlocking over MQTT (`shared/reference/dji-remote-unlocking-mqtt.txt`): the
//! services envelope, the three services' requests and replies, the seven license types, pure
//! helpers the page shows them with, and the page↔proxy contract of `/api/unlock/*`.
//!
//! Licenses are read by hand from JSON, leniently: a device may send a license type this build
//! does not know, extra fields, or one malformed license. Each such license becomes
//! [`LicenseKind::Other`] with its raw fields and the rest of the list still parses; nothing a
//! device sends inside `licenses` can fail the whole list.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// A JSON object, as kept for fields this build does not know.
pub type JsonMap = Map<String, Value>;

/// Route paths of the proxy's unlock API (kept here, not in `api.rs`, to keep the feature in
/// one file).
pub mod paths {
    use super::DeviceModelDomain;

    /// `GET ?domain=aircraft|dock&gateway_sn=…` → [`super::UnlockLicensesResponse`].
    pub const UNLOCK_LICENSES: &str = "/api/unlock/licenses";
    /// The switch route as axum 0.8 writes it; `POST` [`super::UnlockSwitchRequest`].
    pub const UNLOCK_LICENSE_SWITCH_ROUTE: &str = "/api/unlock/licenses/{license_id}/switch";
    /// `POST` [`super::UnlockUpdateRequest`] → [`super::UnlockUpdateResponse`].
    pub const UNLOCK_UPDATE: &str = "/api/unlock/update";

    /// `/api/unlock/licenses?domain=…&gateway_sn=…` (the SN is query-encoded by the caller's
    /// URL builder; gateway SNs are alphanumeric).
    pub fn unlock_licenses(domain: DeviceModelDomain, gateway_sn: &str) -> String {
        format!(
            "{UNLOCK_LICENSES}?domain={}&gateway_sn={gateway_sn}",
            domain.as_query()
        )
    }

    /// `/api/unlock/licenses/{license_id}/switch`.
    pub fn unlock_license_switch(license_id: i64) -> String {
        format!("{UNLOCK_LICENSES}/{license_id}/switch")
    }
}

/// The `method` names of the three services.
pub mod methods {
    pub const LIST: &str = "unlock_license_list";
    pub const SWITCH: &str = "unlock_license_switch";
    pub const UPDATE: &str = "unlock_license_update";
}

// ---------------------------------------------------------------------------------------------
// The MQTT envelope and the services
// ---------------------------------------------------------------------------------------------

/// The DJI Cloud API message envelope on `thing/product/{gateway_sn}/services` and
/// `…/services_reply` (and the `sys/…/status` topics). The document's examples omit `method`
/// while DJI's Cloud API puts it on every service message: it is always sent, and read as
/// empty when a device leaves it out. `bid`, `tid` and `timestamp` also default when missing
/// so a sloppy reply can still be routed and reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MqttEnvelope<T> {
    #[serde(default)]
    pub bid: String,
    #[serde(default)]
    pub tid: String,
    /// Epoch milliseconds.
    #[serde(default)]
    pub timestamp: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub method: String,
    pub data: T,
    /// The document's list reply carries `"gateway": ""`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

/// Where licenses are read from: `device_model_domain`, an `enum_int` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceModelDomain {
    /// `0`: the licenses imported on the aircraft.
    Aircraft,
    /// `3`: the licenses approved on the Flysafe website.
    Dock,
}

impl DeviceModelDomain {
    /// The wire value.
    pub fn code(self) -> i64 {
        match self {
            DeviceModelDomain::Aircraft => 0,
            DeviceModelDomain::Dock => 3,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(DeviceModelDomain::Aircraft),
            3 => Some(DeviceModelDomain::Dock),
            _ => None,
        }
    }

    /// The page's query value (`aircraft` / `dock`).
    pub fn as_query(self) -> &'static str {
        match self {
            DeviceModelDomain::Aircraft => "aircraft",
            DeviceModelDomain::Dock => "dock",
        }
    }

    pub fn from_query(value: &str) -> Option<Self> {
        match value {
            "aircraft" => Some(DeviceModelDomain::Aircraft),
            "dock" => Some(DeviceModelDomain::Dock),
            _ => None,
        }
    }
}

impl Serialize for DeviceModelDomain {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for DeviceModelDomain {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = i64::deserialize(d)?;
        DeviceModelDomain::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown device_model_domain {code}")))
    }
}

/// A reply's `device_model_domain`: `None` when missing or not one of the documented values
/// (the licenses are still usable).
fn lenient_domain<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DeviceModelDomain>, D::Error> {
    Ok(int(&Value::deserialize(d)?).and_then(DeviceModelDomain::from_code))
}

/// `unlock_license_list` request data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseListRequest {
    pub device_model_domain: DeviceModelDomain,
}

/// `unlock_license_switch` request data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseSwitchRequest {
    pub license_id: i64,
    pub enable: bool,
}

/// `unlock_license_update` request data. Without `file`, the device fetches the latest licenses
/// from the Flysafe server itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LicenseUpdateRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<LicenseFile>,
}

/// An offline license file the device downloads.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseFile {
    pub url: String,
    /// MD5 of the file, lowercase hex.
    pub fingerprint: String,
}

impl fmt::Debug for LicenseFile {
    // The URL is a capability (unguessable, expiring): keep it out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenseFile")
            .field("url", &"<redacted>")
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

/// `unlock_license_list` reply data. `result != 0` is an error (checked before this is read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseListReply {
    pub result: i64,
    #[serde(
        default,
        deserialize_with = "lenient_domain",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_model_domain: Option<DeviceModelDomain>,
    /// Whether the aircraft's licenses match the approved ones; `None` when not reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistence: Option<bool>,
    #[serde(default)]
    pub licenses: Vec<License>,
}

/// `unlock_license_switch` reply data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseSwitchReply {
    pub result: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_id: Option<i64>,
}

/// `unlock_license_update` reply data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseUpdateReply {
    pub result: i64,
}

// ---------------------------------------------------------------------------------------------
// Licenses
// ---------------------------------------------------------------------------------------------

/// One unlocking license: `common_fields` plus the part its `type` names.
///
/// `Deserialize` never fails on a JSON value: see [`License::from_value`].
#[derive(Debug, Clone, PartialEq)]
pub struct License {
    pub common: CommonFields,
    pub kind: LicenseKind,
    /// Top-level keys besides `common_fields` and the kind's own key, kept as sent.
    pub extra: JsonMap,
}

/// `common_fields`. Times are second-level UNIX timestamps.
///
/// For a known kind, `license_id` is always `Some` and every present field had its documented
/// type. For [`LicenseKind::Other`] this is read best effort (what could be read, defaults
/// otherwise): `license_id` is `None` when it was missing or unreadable, and such a license
/// cannot be switched.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommonFields {
    pub license_id: Option<i64>,
    pub name: String,
    pub group_id: Option<i64>,
    pub user_id: String,
    pub device_sn: String,
    pub begin_time: Option<i64>,
    pub end_time: Option<i64>,
    pub user_only: bool,
    pub enabled: bool,
    /// Unknown keys of `common_fields`, kept as sent.
    pub extra: JsonMap,
}

/// What a license unlocks: one of the document's seven types, or anything else.
#[derive(Debug, Clone, PartialEq)]
pub enum LicenseKind {
    /// `0`, `area_unlock`: authorization zones.
    Area(AreaUnlock),
    /// `1`, `circle_unlock`: a custom circular area.
    Circle(CircleUnlock),
    /// `2`, `country_unlock`: a country or region.
    Country(CountryUnlock),
    /// `3`, `height_unlock`: the altitude limit.
    Altitude(HeightUnlock),
    /// `4`, `polygon_unlock`: a custom polygon area.
    Polygon(PolygonUnlock),
    /// `5`, `power_unlock`.
    Power(PowerUnlock),
    /// `6`, `rid_unlock`.
    Rid(RidUnlock),
    /// A type this build does not know, or a license whose shape is not the documented one.
    /// `fields` is the whole license object as sent (including `common_fields`); it is
    /// serialized back unchanged. `type_code` is `common_fields.type`, `-1` when unreadable.
    Other { type_code: i64, fields: JsonMap },
}

/// `area_unlock`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AreaUnlock {
    pub area_ids: Vec<i64>,
    pub extra: JsonMap,
}

/// `circle_unlock`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CircleUnlock {
    /// Metres (an `int` in the document; a fractional value is accepted).
    pub radius: f64,
    pub latitude: f64,
    pub longitude: f64,
    /// Altitude limit in metres, when given.
    pub height: Option<i64>,
    pub extra: JsonMap,
}

/// `country_unlock`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CountryUnlock {
    /// ISO 3166-1 numeric code: see [`country_name`].
    pub country_number: i64,
    /// Altitude limit in metres, when given.
    pub height: Option<i64>,
    pub extra: JsonMap,
}

/// `height_unlock`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeightUnlock {
    /// Altitude limit in metres.
    pub height: i64,
    pub extra: JsonMap,
}

/// `polygon_unlock`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolygonUnlock {
    pub points: Vec<GeoPoint>,
    pub extra: JsonMap,
}

/// `power_unlock` (no documented fields).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PowerUnlock {
    pub extra: JsonMap,
}

/// `rid_unlock`.
#[derive(Debug, Clone, PartialEq)]
pub struct RidUnlock {
    pub level: RidLevel,
    pub extra: JsonMap,
}

/// A polygon vertex (degrees; north and east positive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub latitude: f64,
    pub longitude: f64,
}

/// `rid_unlock.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RidLevel {
    /// `1`: EU RID unlocking.
    Eu,
    /// `2`: China RID unlocking.
    China,
    /// Any other value, kept.
    Unknown(i64),
}

impl RidLevel {
    pub fn code(self) -> i64 {
        match self {
            RidLevel::Eu => 1,
            RidLevel::China => 2,
            RidLevel::Unknown(c) => c,
        }
    }

    pub fn from_code(code: i64) -> Self {
        match code {
            1 => RidLevel::Eu,
            2 => RidLevel::China,
            c => RidLevel::Unknown(c),
        }
    }

    /// English words for the page.
    pub fn label(self) -> String {
        match self {
            RidLevel::Eu => "EU RID".into(),
            RidLevel::China => "China RID".into(),
            RidLevel::Unknown(c) => format!("RID level {c}"),
        }
    }
}

/// The JSON key of each documented type's own object.
const KIND_KEYS: [&str; 7] = [
    "area_unlock",
    "circle_unlock",
    "country_unlock",
    "height_unlock",
    "polygon_unlock",
    "power_unlock",
    "rid_unlock",
];

const COMMON_KEYS: [&str; 10] = [
    "license_id",
    "name",
    "type",
    "group_id",
    "user_id",
    "device_sn",
    "begin_time",
    "end_time",
    "user_only",
    "enabled",
];

/// The document's English name of a license `type`.
pub fn type_name(type_code: i64) -> &'static str {
    match type_code {
        0 => "Authorization zone unlocking",
        1 => "Custom circular area unlocking",
        2 => "Country/region unlocking",
        3 => "Altitude limit unlocking",
        4 => "Custom polygon area unlocking",
        5 => "Power unlocking",
        6 => "RID unlocking",
        _ => "Other unlocking",
    }
}

impl LicenseKind {
    /// The wire `type`.
    pub fn type_code(&self) -> i64 {
        match self {
            LicenseKind::Area(_) => 0,
            LicenseKind::Circle(_) => 1,
            LicenseKind::Country(_) => 2,
            LicenseKind::Altitude(_) => 3,
            LicenseKind::Polygon(_) => 4,
            LicenseKind::Power(_) => 5,
            LicenseKind::Rid(_) => 6,
            LicenseKind::Other { type_code, .. } => *type_code,
        }
    }

    pub fn is_other(&self) -> bool {
        matches!(self, LicenseKind::Other { .. })
    }
}

impl License {
    /// The license id, when this license can be addressed (see [`CommonFields`]).
    pub fn id(&self) -> Option<i64> {
        self.common.license_id
    }

    pub fn type_code(&self) -> i64 {
        self.kind.type_code()
    }

    /// Reads one license from a device's JSON. Never fails: anything that is not the
    /// documented shape becomes [`LicenseKind::Other`] (a non-object is kept under `"value"`).
    pub fn from_value(value: Value) -> License {
        let raw = match value {
            Value::Object(m) => m,
            other => {
                let mut fields = JsonMap::new();
                fields.insert("value".into(), other);
                return License::other(CommonFields::default(), -1, fields);
            }
        };
        let (common, type_code, common_ok) = read_common(raw.get("common_fields"));
        let type_code = type_code.unwrap_or(-1);
        let key = usize::try_from(type_code)
            .ok()
            .and_then(|i| KIND_KEYS.get(i).copied());
        let kind = match key {
            Some(key) if common_ok => read_kind(type_code, raw.get(key)),
            _ => None,
        };
        match (kind, key) {
            (Some(kind), Some(key)) => {
                let extra = raw
                    .iter()
                    .filter(|(k, _)| k.as_str() != "common_fields" && k.as_str() != key)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                License {
                    common,
                    kind,
                    extra,
                }
            }
            _ => License::other(common, type_code, raw),
        }
    }

    fn other(common: CommonFields, type_code: i64, fields: JsonMap) -> License {
        License {
            common,
            kind: LicenseKind::Other { type_code, fields },
            extra: JsonMap::new(),
        }
    }

    /// The document's shape (for `Other`, the fields exactly as received).
    pub fn to_value(&self) -> Value {
        let (key, inner) = match &self.kind {
            LicenseKind::Other { fields, .. } => return Value::Object(fields.clone()),
            LicenseKind::Area(a) => {
                let mut m = a.extra.clone();
                m.insert("area_ids".into(), a.area_ids.clone().into());
                ("area_unlock", m)
            }
            LicenseKind::Circle(c) => {
                let mut m = c.extra.clone();
                m.insert("radius".into(), number(c.radius));
                m.insert("latitude".into(), number(c.latitude));
                m.insert("longitude".into(), number(c.longitude));
                if let Some(h) = c.height {
                    m.insert("height".into(), h.into());
                }
                ("circle_unlock", m)
            }
            LicenseKind::Country(c) => {
                let mut m = c.extra.clone();
                m.insert("country_number".into(), c.country_number.into());
                if let Some(h) = c.height {
                    m.insert("height".into(), h.into());
                }
                ("country_unlock", m)
            }
            LicenseKind::Altitude(h) => {
                let mut m = h.extra.clone();
                m.insert("height".into(), h.height.into());
                ("height_unlock", m)
            }
            LicenseKind::Polygon(p) => {
                let mut m = p.extra.clone();
                let points = p
                    .points
                    .iter()
                    .map(|pt| {
                        let mut o = JsonMap::new();
                        o.insert("latitude".into(), number(pt.latitude));
                        o.insert("longitude".into(), number(pt.longitude));
                        Value::Object(o)
                    })
                    .collect();
                m.insert("points".into(), Value::Array(points));
                ("polygon_unlock", m)
            }
            LicenseKind::Power(p) => ("power_unlock", p.extra.clone()),
            LicenseKind::Rid(r) => {
                let mut m = r.extra.clone();
                m.insert("level".into(), r.level.code().into());
                ("rid_unlock", m)
            }
        };
        let mut out = self.extra.clone();
        out.insert(
            "common_fields".into(),
            self.common.to_value(self.type_code()),
        );
        out.insert(key.into(), Value::Object(inner));
        Value::Object(out)
    }
}

impl Serialize for License {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for License {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(License::from_value)
    }
}

impl CommonFields {
    fn to_value(&self, type_code: i64) -> Value {
        let mut m = self.extra.clone();
        if let Some(id) = self.license_id {
            m.insert("license_id".into(), id.into());
        }
        m.insert("name".into(), self.name.clone().into());
        m.insert("type".into(), type_code.into());
        if let Some(g) = self.group_id {
            m.insert("group_id".into(), g.into());
        }
        m.insert("user_id".into(), self.user_id.clone().into());
        m.insert("device_sn".into(), self.device_sn.clone().into());
        if let Some(t) = self.begin_time {
            m.insert("begin_time".into(), t.into());
        }
        if let Some(t) = self.end_time {
            m.insert("end_time".into(), t.into());
        }
        m.insert("user_only".into(), self.user_only.into());
        m.insert("enabled".into(), self.enabled.into());
        Value::Object(m)
    }

    /// The license's validity at `now` (UNIX seconds): valid from `begin_time` (inclusive) to
    /// `end_time` (exclusive). A missing bound does not limit.
    pub fn validity(&self, now_secs: i64) -> Validity {
        match (self.begin_time, self.end_time) {
            (Some(from), _) if now_secs < from => Validity::NotYetValid { from },
            (_, Some(at)) if now_secs >= at => Validity::Expired { at },
            (_, until) => Validity::Valid { until },
        }
    }
}

/// Whether a license applies at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Starts at `from` (UNIX seconds).
    NotYetValid { from: i64 },
    /// Valid now, until `until` (UNIX seconds) or without end.
    Valid { until: Option<i64> },
    /// Ended at `at` (UNIX seconds).
    Expired { at: i64 },
}

/// The bounding box of a polygon, degrees. Not meaningful for a polygon crossing the
/// antimeridian (none can be near the places licenses unlock in practice, but it is not
/// checked).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub min_latitude: f64,
    pub max_latitude: f64,
    pub min_longitude: f64,
    pub max_longitude: f64,
}

impl PolygonUnlock {
    pub fn vertex_count(&self) -> usize {
        self.points.len()
    }

    /// The polygon's extent; `None` without points.
    pub fn extent(&self) -> Option<Extent> {
        let first = self.points.first()?;
        let init = Extent {
            min_latitude: first.latitude,
            max_latitude: first.latitude,
            min_longitude: first.longitude,
            max_longitude: first.longitude,
        };
        Some(self.points.iter().fold(init, |e, p| Extent {
            min_latitude: e.min_latitude.min(p.latitude),
            max_latitude: e.max_latitude.max(p.latitude),
            min_longitude: e.min_longitude.min(p.longitude),
            max_longitude: e.max_longitude.max(p.longitude),
        }))
    }
}

// --- reading -----------------------------------------------------------------------------------

/// An integer, also from an integer-valued float (`500.0`).
fn int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// A finite f64 as JSON, written as an integer when it is one (the document's shape).
fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// One field of an object: absent or `null` is `Ok(None)`, the wrong type is `Err(())`.
fn field<T>(m: &JsonMap, key: &str, read: impl Fn(&Value) -> Option<T>) -> Result<Option<T>, ()> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => read(v).map(Some).ok_or(()),
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

fn extra_of(m: &JsonMap, known: &[&str]) -> JsonMap {
    m.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Reads fields of one object, remembering whether any present field had the wrong type.
struct Reader<'a> {
    m: &'a JsonMap,
    ok: bool,
}

impl Reader<'_> {
    /// A present field of the wrong type reads as absent and clears `ok`.
    fn get<T>(&mut self, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<T> {
        field(self.m, key, read).unwrap_or_else(|()| {
            self.ok = false;
            None
        })
    }
}

/// Reads `common_fields` best effort. The flag is true when the required fields
/// (`license_id`, `type`, `enabled`) are there and every present field has its type.
fn read_common(v: Option<&Value>) -> (CommonFields, Option<i64>, bool) {
    let Some(Value::Object(m)) = v else {
        return (CommonFields::default(), None, false);
    };
    let mut r = Reader { m, ok: true };
    let license_id = r.get("license_id", int);
    let type_code = r.get("type", int);
    let enabled = r.get("enabled", Value::as_bool);
    let common = CommonFields {
        license_id,
        name: r.get("name", text).unwrap_or_default(),
        group_id: r.get("group_id", int),
        user_id: r.get("user_id", text).unwrap_or_default(),
        device_sn: r.get("device_sn", text).unwrap_or_default(),
        begin_time: r.get("begin_time", int),
        end_time: r.get("end_time", int),
        user_only: r.get("user_only", Value::as_bool).unwrap_or(false),
        enabled: enabled.unwrap_or(false),
        extra: extra_of(m, &COMMON_KEYS),
    };
    let ok = r.ok && license_id.is_some() && type_code.is_some() && enabled.is_some();
    (common, type_code, ok)
}

fn latitude(v: &Value) -> Option<f64> {
    v.as_f64().filter(|f| (-90.0..=90.0).contains(f))
}

fn longitude(v: &Value) -> Option<f64> {
    v.as_f64().filter(|f| (-180.0..=180.0).contains(f))
}

/// A required field of the right type.
fn required<T>(m: &JsonMap, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<T> {
    field(m, key, read).ok().flatten()
}

/// An optional field: absent is `Some(None)`, the wrong type is `None`.
fn optional<T>(m: &JsonMap, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<Option<T>> {
    field(m, key, read).ok()
}

/// The kind's own object, `None` when it is not the documented shape.
fn read_kind(type_code: i64, v: Option<&Value>) -> Option<LicenseKind> {
    // Power has no fields: a missing `power_unlock` loses nothing.
    if type_code == 5 && matches!(v, None | Some(Value::Null)) {
        return Some(LicenseKind::Power(PowerUnlock::default()));
    }
    let Some(Value::Object(m)) = v else {
        return None;
    };
    Some(match type_code {
        0 => {
            let ids = required(m, "area_ids", |v| {
                v.as_array()?.iter().map(int).collect::<Option<Vec<_>>>()
            })?;
            LicenseKind::Area(AreaUnlock {
                area_ids: ids,
                extra: extra_of(m, &["area_ids"]),
            })
        }
        1 => LicenseKind::Circle(CircleUnlock {
            radius: required(m, "radius", |v| v.as_f64().filter(|r| *r >= 0.0))?,
            latitude: required(m, "latitude", latitude)?,
            longitude: required(m, "longitude", longitude)?,
            height: optional(m, "height", int)?,
            extra: extra_of(m, &["radius", "latitude", "longitude", "height"]),
        }),
        2 => LicenseKind::Country(CountryUnlock {
            country_number: required(m, "country_number", int)?,
            height: optional(m, "height", int)?,
            extra: extra_of(m, &["country_number", "height"]),
        }),
        3 => LicenseKind::Altitude(HeightUnlock {
            height: required(m, "height", int)?,
            extra: extra_of(m, &["height"]),
        }),
        4 => {
            let points = required(m, "points", |v| {
                v.as_array()?
                    .iter()
                    .map(|p| {
                        Some(GeoPoint {
                            latitude: latitude(p.get("latitude")?)?,
                            longitude: longitude(p.get("longitude")?)?,
                        })
                    })
                    .collect::<Option<Vec<_>>>()
            })?;
            LicenseKind::Polygon(PolygonUnlock {
                points,
                extra: extra_of(m, &["points"]),
            })
        }
        5 => LicenseKind::Power(PowerUnlock { extra: m.clone() }),
        6 => LicenseKind::Rid(RidUnlock {
            level: RidLevel::from_code(required(m, "level", int)?),
            extra: extra_of(m, &["level"]),
        }),
        _ => return None,
    })
}

// --- countries ---------------------------------------------------------------------------------

/// ISO 3166-1 numeric → English short name, sorted by code (binary searched).
const COUNTRIES: &[(i64, &str)] = &[
    (4, "Afghanistan"),
    (8, "Albania"),
    (12, "Algeria"),
    (32, "Argentina"),
    (36, "Australia"),
    (40, "Austria"),
    (50, "Bangladesh"),
    (56, "Belgium"),
    (68, "Bolivia"),
    (76, "Brazil"),
    (100, "Bulgaria"),
    (104, "Myanmar"),
    (116, "Cambodia"),
    (124, "Canada"),
    (144, "Sri Lanka"),
    (152, "Chile"),
    (156, "China"),
    (158, "Taiwan"),
    (170, "Colombia"),
    (191, "Croatia"),
    (196, "Cyprus"),
    (203, "Czechia"),
    (208, "Denmark"),
    (218, "Ecuador"),
    (233, "Estonia"),
    (246, "Finland"),
    (250, "France"),
    (268, "Georgia"),
    (276, "Germany"),
    (300, "Greece"),
    (344, "Hong Kong"),
    (348, "Hungary"),
    (352, "Iceland"),
    (356, "India"),
    (360, "Indonesia"),
    (364, "Iran"),
    (368, "Iraq"),
    (372, "Ireland"),
    (376, "Israel"),
    (380, "Italy"),
    (392, "Japan"),
    (398, "Kazakhstan"),
    (400, "Jordan"),
    (404, "Kenya"),
    (410, "South Korea"),
    (414, "Kuwait"),
    (418, "Laos"),
    (428, "Latvia"),
    (440, "Lithuania"),
    (442, "Luxembourg"),
    (446, "Macao"),
    (458, "Malaysia"),
    (470, "Malta"),
    (484, "Mexico"),
    (496, "Mongolia"),
    (504, "Morocco"),
    (524, "Nepal"),
    (528, "Netherlands"),
    (554, "New Zealand"),
    (566, "Nigeria"),
    (578, "Norway"),
    (586, "Pakistan"),
    (604, "Peru"),
    (608, "Philippines"),
    (616, "Poland"),
    (620, "Portugal"),
    (634, "Qatar"),
    (642, "Romania"),
    (643, "Russia"),
    (682, "Saudi Arabia"),
    (688, "Serbia"),
    (702, "Singapore"),
    (703, "Slovakia"),
    (704, "Vietnam"),
    (705, "Slovenia"),
    (710, "South Africa"),
    (724, "Spain"),
    (752, "Sweden"),
    (756, "Switzerland"),
    (764, "Thailand"),
    (784, "United Arab Emirates"),
    (792, "Türkiye"),
    (804, "Ukraine"),
    (818, "Egypt"),
    (826, "United Kingdom"),
    (834, "Tanzania"),
    (840, "United States"),
    (858, "Uruguay"),
    (860, "Uzbekistan"),
    (862, "Venezuela"),
];

/// The English name of an ISO 3166-1 numeric country code, when this table knows it.
pub fn country_name(code: i64) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| COUNTRIES[i].1)
}

/// [`country_name`], or "country code N".
pub fn country_label(code: i64) -> String {
    country_name(code).map_or_else(|| format!("country code {code}"), str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// Page ↔ proxy
// ---------------------------------------------------------------------------------------------

/// Query of `GET /api/unlock/licenses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockListQuery {
    #[serde(with = "domain_query")]
    pub domain: DeviceModelDomain,
    /// The remote controller SN the page reports (`platformGetRemoteControllerSN`).
    pub gateway_sn: String,
}

/// `aircraft` / `dock` in a query string.
mod domain_query {
    use super::DeviceModelDomain;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &DeviceModelDomain, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(d.as_query())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DeviceModelDomain, D::Error> {
        let v = String::deserialize(d)?;
        DeviceModelDomain::from_query(&v).ok_or_else(|| {
            serde::de::Error::custom("domain must be \"aircraft\" or \"dock\"".to_owned())
        })
    }
}

/// The last switch of a license recorded by the proxy (its audit table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseChange {
    /// Platform user.
    pub by: String,
    /// Epoch milliseconds.
    pub at_ms: i64,
    /// The state shown before the switch, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_enabled: Option<bool>,
    pub new_enabled: bool,
}

/// A license as the page gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnlockLicense {
    pub license: License,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<LicenseChange>,
}

/// `GET /api/unlock/licenses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnlockLicensesResponse {
    pub gateway_sn: String,
    pub domain: DeviceModelDomain,
    /// `Some(false)`: the aircraft's licenses differ from the approved ones (update them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistence: Option<bool>,
    pub licenses: Vec<UnlockLicense>,
}

/// `POST /api/unlock/licenses/{license_id}/switch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockSwitchRequest {
    pub gateway_sn: String,
    pub enable: bool,
}

/// Answer to a switch the device confirmed (`result == 0`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockSwitchResponse {
    pub license_id: i64,
    /// The state the device confirmed.
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<LicenseChange>,
}

/// Where an update takes the licenses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateSource {
    /// The offline license file the platform operator placed (sent as `file`).
    OfflineFile,
    /// The device fetches from DJI's Flysafe server (no `file`).
    Flysafe,
}

/// `POST /api/unlock/update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockUpdateRequest {
    pub gateway_sn: String,
    /// `None`: the offline file when the operator placed one, Flysafe otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<UpdateSource>,
}

/// Answer to an update the device confirmed (`result == 0`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockUpdateResponse {
    pub source: UpdateSource,
}

#[cfg(test)]
mod tests;
