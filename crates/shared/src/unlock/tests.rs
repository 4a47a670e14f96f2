//! The document's examples, the emulator's license file, and what a sloppy device may send.

use super::*;
use serde_json::json;

/// The `unlock_license_list` reply example of `dji-remote-unlocking-mqtt.txt`, verbatim.
const DOC_LIST_REPLY: &str = r#"{
"bid": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxx",
"data": {
"consistence": false,
"device_model_domain": 0,
"licenses": [
{
"area_unlock": {
"area_ids": [
115001769,
8724
]
},
"common_fields": {
"begin_time": 1696948115,
"device_sn": "xxxxxxxxx",
"enabled": true,
"end_time": 2145916800,
"group_id": 2896,
"license_id": 240330,
"name": "Unlocking for XXX Area",
"type": 0,
"user_id": "xxxxxxxxx",
"user_only": false
}
},
{
"circle_unlock": {
"height": 500,
"latitude": 22.60309,
"longitude": 113.947815,
"radius": 1581
},
"common_fields": {
"begin_time": 1696948115,
"device_sn": "xxxxxxxxx",
"enabled": false,
"end_time": 2145916800,
"group_id": 2896,
"license_id": 240331,
"name": "Unlocking for XXX Circular Area",
"type": 1,
"user_id": "xxxxxxxxx",
"user_only": false
}
},
{
"common_fields": {
"begin_time": 1696948115,
"device_sn": "xxxxxxxxx",
"enabled": false,
"end_time": 2145916800,
"group_id": 2896,
"license_id": 240332,
"name": "Unlocking for China Country/Region",
"type": 2,
"user_id": "xxxxxxxxx",
"user_only": false
},
"country_unlock": {
"country_number": 156,
"height": 500
}
},
{
"common_fields": {
"begin_time": 1696948115,
"device_sn": "xxxxxxxxx",
"enabled": false,
"end_time": 2145916800,
"group_id": 2896,
"license_id": 240333,
"name": "Unlocking for XXX Altitude",
"type": 3,
"user_id": "xxxxxxxxx",
"user_only": false
},
"height_unlock": {
"height": 500
}
},
{
"common_fields": {
"begin_time": 1696948115,
"device_sn": "xxxxxxxxx",
"enabled": false,
"end_time": 2145916800,
"group_id": 2896,
"license_id": 240334,
"name": "Unlocking for XXX Polygon Area",
"type": 4,
"user_id": "xxxxxxxxx",
"user_only": false
},
"polygon_unlock": {
"points": [
{
"latitude": 22.55403932,
"longitude": 113.90488828
},
{
"latitude": 22.55520018,
"longitude": 113.92180215
},
{
"latitude": 22.54656858,
"longitude": 113.92051272
}
]
}
},
{
"common_fields": {
"begin_time": 1696948115,
"device_sn": "xxxxxxxxx",
"enabled": false,
"end_time": 2145916800,
"group_id": 2896,
"license_id": 240335,
"name": "Unlocking for XXX Power",
"type": 5,
"user_id": "xxxxxxxxx",
"user_only": false
},
"power_unlock": {}
},
{
"common_fields": {
"begin_time": 1696948115,
"device_sn": "xxxxxxxxx",
"enabled": false,
"end_time": 2145916800,
"group_id": 2896,
"license_id": 240336,
"name": "Unlocking for XXX RID",
"type": 6,
"user_id": "xxxxxxxxx",
"user_only": false
},
"rid_unlock": {
"level": 1
}
}
],
"result": 0
},
"gateway": "",
"tid": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxx",
"timestamp": 1654070968655
}"#;

const EMULATOR_LICENSES: &str = include_str!("../../../../public/pilot2-emulator-licenses.json");

fn doc_reply() -> MqttEnvelope<LicenseListReply> {
    serde_json::from_str(DOC_LIST_REPLY).expect("the document's example parses")
}

fn doc_licenses_raw() -> Vec<Value> {
    let v: Value = serde_json::from_str(DOC_LIST_REPLY).expect("json");
    v["data"]["licenses"].as_array().expect("array").clone()
}

fn common(id: i64, type_code: i64) -> Value {
    json!({"license_id": id, "name": "n", "type": type_code, "group_id": 1, "user_id": "u",
           "device_sn": "sn", "begin_time": 100, "end_time": 200, "user_only": false,
           "enabled": true})
}

#[test]
fn the_documents_list_reply_parses_with_all_seven_types() {
    let env = doc_reply();
    assert_eq!(env.tid, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxx");
    assert_eq!(env.timestamp, 1654070968655);
    assert_eq!(env.method, "", "the document's example has no method");
    assert_eq!(env.gateway.as_deref(), Some(""));
    let reply = env.data;
    assert_eq!(reply.result, 0);
    assert_eq!(reply.device_model_domain, Some(DeviceModelDomain::Aircraft));
    assert_eq!(reply.consistence, Some(false));
    let l = &reply.licenses;
    assert_eq!(l.len(), 7);
    assert_eq!(
        l.iter().map(License::type_code).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5, 6]
    );
    assert!(l.iter().all(|x| !x.kind.is_other() && x.extra.is_empty()));

    let c = &l[0].common;
    assert_eq!(c.license_id, Some(240330));
    assert_eq!(c.name, "Unlocking for XXX Area");
    assert_eq!(c.group_id, Some(2896));
    assert_eq!(c.user_id, "xxxxxxxxx");
    assert_eq!(c.device_sn, "xxxxxxxxx");
    assert_eq!(
        (c.begin_time, c.end_time),
        (Some(1696948115), Some(2145916800))
    );
    assert!(c.enabled && !c.user_only);
    assert!(c.extra.is_empty());

    assert!(matches!(&l[0].kind, LicenseKind::Area(a) if a.area_ids == [115001769, 8724]));
    match &l[1].kind {
        LicenseKind::Circle(c) => {
            assert_eq!(c.radius, 1581.0);
            assert_eq!((c.latitude, c.longitude), (22.60309, 113.947815));
            assert_eq!(c.height, Some(500));
        }
        k => panic!("circle expected, got {k:?}"),
    }
    assert!(
        matches!(&l[2].kind, LicenseKind::Country(c) if c.country_number == 156 && c.height == Some(500))
    );
    assert!(matches!(&l[3].kind, LicenseKind::Altitude(h) if h.height == 500));
    match &l[4].kind {
        LicenseKind::Polygon(p) => {
            assert_eq!(p.vertex_count(), 3);
            assert_eq!(
                p.points[1],
                GeoPoint {
                    latitude: 22.55520018,
                    longitude: 113.92180215
                }
            );
        }
        k => panic!("polygon expected, got {k:?}"),
    }
    assert!(matches!(&l[5].kind, LicenseKind::Power(p) if p.extra.is_empty()));
    assert!(matches!(&l[6].kind, LicenseKind::Rid(r) if r.level == RidLevel::Eu));
}

#[test]
fn every_documented_license_serializes_back_to_the_documents_shape() {
    for raw in doc_licenses_raw() {
        let license = License::from_value(raw.clone());
        assert_eq!(serde_json::to_value(&license).expect("serializes"), raw);
    }
}

#[test]
fn an_unknown_type_is_kept_as_other_and_the_list_still_parses() {
    let mut licenses = doc_licenses_raw();
    let nine = json!({"common_fields": common(240399, 9), "night_unlock": {"window": [20, 6]}});
    licenses.insert(2, nine.clone());
    let reply: LicenseListReply = serde_json::from_value(json!({
        "result": 0, "device_model_domain": 0, "consistence": true, "licenses": licenses
    }))
    .expect("parses");
    assert_eq!(reply.licenses.len(), 8);
    let other = &reply.licenses[2];
    match &other.kind {
        LicenseKind::Other { type_code, fields } => {
            assert_eq!(*type_code, 9);
            assert_eq!(fields["night_unlock"], json!({"window": [20, 6]}));
        }
        k => panic!("other expected, got {k:?}"),
    }
    // Best-effort common fields: the page can still name it, and it is addressable.
    assert_eq!(other.id(), Some(240399));
    assert_eq!(other.common.name, "n");
    assert_eq!(serde_json::to_value(other).expect("serializes"), nine);
    assert_eq!(
        reply.licenses.iter().filter(|l| l.kind.is_other()).count(),
        1
    );
}

#[test]
fn extra_fields_are_kept_everywhere_and_serialized_back() {
    let mut c = common(7, 1);
    c["region"] = json!("CN");
    let raw = json!({
        "common_fields": c,
        "circle_unlock": {"radius": 100, "latitude": 22.5, "longitude": 113.9, "height": 120,
                           "shape_version": 2},
        "issued_by": {"flysafe": true},
        "area_unlock": {"area_ids": [1]}
    });
    let l = License::from_value(raw.clone());
    assert!(matches!(&l.kind, LicenseKind::Circle(c) if c.extra["shape_version"] == json!(2)));
    assert_eq!(l.common.extra["region"], json!("CN"));
    // A key of another kind on a circle is just an extra.
    assert_eq!(l.extra.len(), 2);
    assert_eq!(l.extra["issued_by"], json!({"flysafe": true}));
    assert_eq!(serde_json::to_value(&l).expect("serializes"), raw);
}

#[test]
fn one_license_with_wrong_types_becomes_other_and_the_others_survive() {
    let bad = [
        // radius is text
        json!({"common_fields": common(1, 1),
               "circle_unlock": {"radius": "big", "latitude": 22.5, "longitude": 113.9}}),
        // enabled is text
        json!({"common_fields": {"license_id": 2, "type": 3, "enabled": "yes"},
               "height_unlock": {"height": 100}}),
        // no license_id
        json!({"common_fields": {"name": "no id", "type": 3, "enabled": true},
               "height_unlock": {"height": 100}}),
        // the kind's object is missing
        json!({"common_fields": common(4, 0)}),
        // a latitude out of range
        json!({"common_fields": common(5, 4),
               "polygon_unlock": {"points": [{"latitude": 91.0, "longitude": 1.0}]}}),
        // area ids are not integers
        json!({"common_fields": common(6, 0), "area_unlock": {"area_ids": [1, "x"]}}),
        // common_fields is not an object
        json!({"common_fields": [1, 2], "rid_unlock": {"level": 1}}),
        // not even an object
        json!(42),
    ];
    let mut licenses = doc_licenses_raw();
    licenses.extend(bad.iter().cloned());
    let reply: LicenseListReply =
        serde_json::from_value(json!({"result": 0, "licenses": licenses})).expect("parses");
    assert_eq!(reply.licenses.len(), 7 + bad.len());
    assert!(reply.licenses[..7].iter().all(|l| !l.kind.is_other()));
    for (l, raw) in reply.licenses[7..].iter().zip(&bad) {
        assert!(l.kind.is_other(), "{raw} should be Other, got {l:?}");
        if raw.is_object() {
            // Kept exactly as sent.
            assert_eq!(&serde_json::to_value(l).expect("serializes"), raw);
        }
    }
    let no_id = &reply.licenses[9];
    assert_eq!(no_id.id(), None);
    assert_eq!(no_id.common.name, "no id");
    assert_eq!(no_id.type_code(), 3);
    assert_eq!(reply.licenses[13].type_code(), -1);
    assert_eq!(reply.licenses[14].type_code(), -1);
    assert_eq!(reply.licenses[14].id(), None);
}

#[test]
fn missing_optional_numbers_are_tolerated() {
    let l = License::from_value(json!({
        "common_fields": {"license_id": 9, "type": 1, "enabled": false},
        "circle_unlock": {"radius": 250.5, "latitude": 22.5, "longitude": 113.9}
    }));
    let LicenseKind::Circle(c) = &l.kind else {
        panic!("circle expected, got {l:?}");
    };
    assert_eq!(c.height, None);
    assert_eq!(c.radius, 250.5);
    assert_eq!(l.common.group_id, None);
    assert_eq!(l.common.name, "");
    assert_eq!(l.common.validity(0), Validity::Valid { until: None });
    // Null reads as absent; an integer-valued float is an integer.
    let l = License::from_value(json!({
        "common_fields": {"license_id": 10.0, "type": 2, "enabled": true, "group_id": null},
        "country_unlock": {"country_number": 643}
    }));
    assert!(
        matches!(&l.kind, LicenseKind::Country(c) if c.country_number == 643 && c.height.is_none())
    );
    assert_eq!(l.id(), Some(10));
    // Power needs nothing at all.
    let l = License::from_value(json!({"common_fields": common(11, 5)}));
    assert!(matches!(l.kind, LicenseKind::Power(_)));
}

#[test]
fn an_unknown_rid_level_is_kept() {
    let l = License::from_value(json!({"common_fields": common(1, 6), "rid_unlock": {"level": 7}}));
    assert!(matches!(&l.kind, LicenseKind::Rid(r) if r.level == RidLevel::Unknown(7)));
    assert_eq!(RidLevel::Unknown(7).label(), "RID level 7");
    assert_eq!(RidLevel::China.label(), "China RID");
    assert_eq!(RidLevel::Eu.label(), "EU RID");
}

#[test]
fn validity_at_a_given_time() {
    let c = CommonFields {
        begin_time: Some(100),
        end_time: Some(200),
        ..CommonFields::default()
    };
    assert_eq!(c.validity(99), Validity::NotYetValid { from: 100 });
    assert_eq!(c.validity(100), Validity::Valid { until: Some(200) });
    assert_eq!(c.validity(199), Validity::Valid { until: Some(200) });
    assert_eq!(c.validity(200), Validity::Expired { at: 200 });
    let open_start = CommonFields {
        end_time: Some(200),
        ..CommonFields::default()
    };
    assert_eq!(
        open_start.validity(-5),
        Validity::Valid { until: Some(200) }
    );
}

#[test]
fn polygon_extent_and_vertex_count() {
    let reply = doc_reply().data;
    let LicenseKind::Polygon(p) = &reply.licenses[4].kind else {
        panic!("polygon expected");
    };
    assert_eq!(p.vertex_count(), 3);
    assert_eq!(
        p.extent(),
        Some(Extent {
            min_latitude: 22.54656858,
            max_latitude: 22.55520018,
            min_longitude: 113.90488828,
            max_longitude: 113.92180215,
        })
    );
    assert_eq!(PolygonUnlock::default().extent(), None);
}

#[test]
fn country_names_from_iso_numeric_codes() {
    for (code, name) in [
        (156, "China"),
        (643, "Russia"),
        (840, "United States"),
        (276, "Germany"),
        (826, "United Kingdom"),
        (250, "France"),
        (392, "Japan"),
        (410, "South Korea"),
        (36, "Australia"),
        (124, "Canada"),
        (76, "Brazil"),
        (356, "India"),
    ] {
        assert_eq!(country_name(code), Some(name), "{code}");
    }
    assert_eq!(country_label(999), "country code 999");
    assert_eq!(country_label(-1), "country code -1");
    assert!(COUNTRIES.len() >= 60);
    assert!(
        COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0),
        "sorted for binary search"
    );
}

#[test]
fn requests_have_the_documents_shape() {
    let env = MqttEnvelope {
        bid: "b".into(),
        tid: "t".into(),
        timestamp: 1654070968655,
        method: methods::LIST.into(),
        data: LicenseListRequest {
            device_model_domain: DeviceModelDomain::Dock,
        },
        gateway: None,
    };
    assert_eq!(
        serde_json::to_value(&env).expect("serializes"),
        json!({"bid": "b", "tid": "t", "timestamp": 1654070968655_i64,
               "method": "unlock_license_list", "data": {"device_model_domain": 3}})
    );
    assert_eq!(
        serde_json::to_value(LicenseSwitchRequest {
            license_id: 240330,
            enable: true
        })
        .expect("serializes"),
        json!({"license_id": 240330, "enable": true})
    );
    assert_eq!(
        serde_json::to_value(LicenseUpdateRequest::default()).expect("serializes"),
        json!({})
    );
    let file = LicenseUpdateRequest {
        file: Some(LicenseFile {
            url: "http://127.0.0.1/x?sig=secret".into(),
            fingerprint: "abc".into(),
        }),
    };
    assert_eq!(
        serde_json::to_value(&file).expect("serializes"),
        json!({"file": {"url": "http://127.0.0.1/x?sig=secret", "fingerprint": "abc"}})
    );
    assert!(
        !format!("{file:?}").contains("secret"),
        "the URL stays out of logs"
    );
}

#[test]
fn the_documents_switch_and_update_replies_parse() {
    let switch: MqttEnvelope<LicenseSwitchReply> = serde_json::from_value(json!({
        "bid": "b", "data": {"license_id": 240330, "result": 0}, "tid": "t",
        "timestamp": 1234567890123_i64
    }))
    .expect("parses");
    assert_eq!(
        switch.data,
        LicenseSwitchReply {
            result: 0,
            license_id: Some(240330)
        }
    );
    let update: MqttEnvelope<LicenseUpdateReply> = serde_json::from_value(json!({
        "bid": "b", "data": {"result": 0}, "tid": "t", "timestamp": 1234567890123_i64
    }))
    .expect("parses");
    assert_eq!(update.data.result, 0);
}

#[test]
fn device_model_domain_on_the_wire() {
    assert_eq!(
        serde_json::to_value(DeviceModelDomain::Aircraft).expect("serializes"),
        json!(0)
    );
    assert_eq!(
        serde_json::from_value::<DeviceModelDomain>(json!(3)).expect("parses"),
        DeviceModelDomain::Dock
    );
    assert!(serde_json::from_value::<DeviceModelDomain>(json!(1)).is_err());
    // A reply with an undocumented domain still yields its licenses.
    let reply: LicenseListReply =
        serde_json::from_value(json!({"result": 0, "device_model_domain": "zero", "licenses": []}))
            .expect("parses");
    assert_eq!(reply.device_model_domain, None);
    assert_eq!(reply.consistence, None);
    // No licenses is an empty list; licenses that are not a list are a broken reply.
    let reply: LicenseListReply = serde_json::from_value(json!({"result": 0})).expect("parses");
    assert!(reply.licenses.is_empty());
    assert!(
        serde_json::from_value::<LicenseListReply>(json!({"result": 0, "licenses": {"a": 1}}))
            .is_err()
    );
}

#[test]
fn the_page_query_and_api_shapes() {
    let q: UnlockListQuery =
        serde_json::from_value(json!({"domain": "dock", "gateway_sn": "5YSZL260021E9W"}))
            .expect("parses");
    assert_eq!(q.domain, DeviceModelDomain::Dock);
    assert!(
        serde_json::from_value::<UnlockListQuery>(json!({"domain": "3", "gateway_sn": "x"}))
            .is_err()
    );
    assert_eq!(
        paths::unlock_licenses(DeviceModelDomain::Aircraft, "5YSZL260021E9W"),
        "/api/unlock/licenses?domain=aircraft&gateway_sn=5YSZL260021E9W"
    );
    assert_eq!(
        paths::unlock_license_switch(240330),
        "/api/unlock/licenses/240330/switch"
    );

    let raw = doc_licenses_raw()[0].clone();
    let response = UnlockLicensesResponse {
        gateway_sn: "5YSZL260021E9W".into(),
        domain: DeviceModelDomain::Aircraft,
        consistence: Some(false),
        licenses: vec![UnlockLicense {
            license: License::from_value(raw.clone()),
            last_change: Some(LicenseChange {
                by: "pilot".into(),
                at_ms: 1,
                old_enabled: Some(false),
                new_enabled: true,
            }),
        }],
    };
    let json = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        json,
        json!({"gateway_sn": "5YSZL260021E9W", "domain": 0, "consistence": false,
               "licenses": [{"license": raw, "last_change": {"by": "pilot", "at_ms": 1,
                             "old_enabled": false, "new_enabled": true}}]})
    );
    let back: UnlockLicensesResponse = serde_json::from_value(json).expect("parses");
    assert_eq!(back, response);
    let update: UnlockUpdateRequest =
        serde_json::from_value(json!({"gateway_sn": "x"})).expect("parses");
    assert_eq!(update.source, None);
    assert_eq!(
        serde_json::to_value(UpdateSource::OfflineFile).expect("serializes"),
        json!("offline_file")
    );
}

#[test]
fn the_emulators_license_file_has_every_type_and_differs_by_one_in_the_dock() {
    let file: Value = serde_json::from_str(EMULATOR_LICENSES).expect("valid JSON");
    let read = |key: &str| -> Vec<License> {
        serde_json::from_value(file[key].clone()).expect("a list of licenses")
    };
    let aircraft = read("aircraft");
    let flysafe_only = read("flysafe_only");
    assert_eq!(
        aircraft.iter().map(License::type_code).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5, 6]
    );
    assert_eq!(flysafe_only.len(), 1);
    assert!(aircraft
        .iter()
        .chain(&flysafe_only)
        .all(|l| !l.kind.is_other()));
    // 2026-11-26: one expired, one not yet valid, the rest valid.
    let now = 1_795_654_631;
    let validity: Vec<_> = aircraft.iter().map(|l| l.common.validity(now)).collect();
    assert!(matches!(validity[1], Validity::Expired { .. }));
    assert!(matches!(validity[4], Validity::NotYetValid { .. }));
    let valid = validity
        .iter()
        .filter(|v| matches!(v, Validity::Valid { .. }))
        .count();
    assert_eq!(valid, 5);
    for l in &aircraft {
        assert_eq!(
            serde_json::to_value(l).expect("serializes"),
            file["aircraft"]
                .as_array()
                .expect("array")
                .iter()
                .find(|raw| raw["common_fields"]["license_id"] == json!(l.id()))
                .cloned()
                .expect("present"),
        );
    }
}
