//! The simulated gateway's unlock licenses, kept as the JSON objects the device sends (the
//! simulator does not use the platform's own types, so a mistake there cannot hide here).
//!
//! Loaded from `public/pilot2-emulator-licenses.json`, the one source the browser emulator
//! reads too. Domain 0 (aircraft) is the `aircraft` list; domain 3 (dock, approved on the
//! Flysafe website) is `aircraft` followed by `flysafe_only`.

use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The license file, compiled in.
pub const LICENSES_JSON: &str = include_str!("../../../../public/pilot2-emulator-licenses.json");

#[derive(Debug)]
struct Inner {
    aircraft: Vec<Value>,
    flysafe_only: Vec<Value>,
    consistence: bool,
}

/// The gateway's license state, shared (clones are handles to the same state) so tests can
/// read what a switch did.
#[derive(Debug, Clone)]
pub struct LicenseStore(Arc<Mutex<Inner>>);

impl LicenseStore {
    /// The compiled-in set. `consistence` starts as "aircraft == approved", which is false for
    /// the shipped file (the approved set has one license more).
    pub fn demo() -> Self {
        // The file is part of this repository and checked by a test: an unreadable one is a
        // build mistake, and an empty store is the visible outcome.
        let file: Value = serde_json::from_str(LICENSES_JSON).unwrap_or(Value::Null);
        let list = |key: &str| file[key].as_array().cloned().unwrap_or_default();
        Self::new(list("aircraft"), list("flysafe_only"))
    }

    pub fn new(aircraft: Vec<Value>, flysafe_only: Vec<Value>) -> Self {
        let consistence = flysafe_only.is_empty();
        LicenseStore(Arc::new(Mutex::new(Inner {
            aircraft,
            flysafe_only,
            consistence,
        })))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; a poisoned lock still holds valid data.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The licenses of `device_model_domain` (0 aircraft, 3 dock), `None` for another value.
    pub fn list(&self, domain: i64) -> Option<Vec<Value>> {
        let inner = self.lock();
        match domain {
            0 => Some(inner.aircraft.clone()),
            3 => Some(
                inner
                    .aircraft
                    .iter()
                    .chain(&inner.flysafe_only)
                    .cloned()
                    .collect(),
            ),
            _ => None,
        }
    }

    /// Whether the aircraft's licenses match the approved ones.
    pub fn consistence(&self) -> bool {
        self.lock().consistence
    }

    pub fn set_consistence(&self, consistence: bool) {
        self.lock().consistence = consistence;
    }

    /// `enabled` of an aircraft license.
    pub fn enabled(&self, license_id: i64) -> Option<bool> {
        self.lock()
            .aircraft
            .iter()
            .find(|l| id_of(l) == Some(license_id))
            .and_then(|l| l["common_fields"]["enabled"].as_bool())
    }

    /// Sets `enabled` of an aircraft license; false when there is no such license.
    pub fn switch(&self, license_id: i64, enable: bool) -> bool {
        let mut inner = self.lock();
        let Some(license) = inner
            .aircraft
            .iter_mut()
            .find(|l| id_of(l) == Some(license_id))
        else {
            return false;
        };
        if let Some(common) = license
            .get_mut("common_fields")
            .and_then(Value::as_object_mut)
        {
            common.insert("enabled".into(), Value::Bool(enable));
        }
        true
    }
}

fn id_of(license: &Value) -> Option<i64> {
    license["common_fields"]["license_id"].as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_has_seven_aircraft_licenses_and_one_more_approved() {
        let store = LicenseStore::demo();
        assert_eq!(store.list(0).map(|l| l.len()), Some(7));
        assert_eq!(store.list(3).map(|l| l.len()), Some(8));
        assert_eq!(store.list(1), None);
        assert!(!store.consistence());
    }

    #[test]
    fn switch_changes_only_the_named_license() {
        let store = LicenseStore::demo();
        assert_eq!(store.enabled(240331), Some(false));
        assert!(store.switch(240331, true));
        assert_eq!(store.enabled(240331), Some(true));
        assert_eq!(store.enabled(240330), Some(true));
        assert!(!store.switch(1, true));
        // Clones share the state.
        assert_eq!(store.clone().enabled(240331), Some(true));
    }
}
