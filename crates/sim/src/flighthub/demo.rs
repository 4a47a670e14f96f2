//! The demo organization's projects and devices.

use super::Project;
use serde_json::{json, Value};

/// The organization key (`X-User-Token`) of the demo organization. A JWT in real life; any
/// opaque string here.
pub const DEMO_ORG_KEY: &str = "fh2-demo-organization-key";
/// The project the emulator's remote controller belongs to.
pub const MAIN_PROJECT: &str = "3f6b2c1a-8d4e-4b7a-9c2f-1e5d7a9b0c3d";
/// A project the demo key has no permission on.
pub const FORBIDDEN_PROJECT: &str = "c9d8e7f6-a5b4-4c3d-8e2f-1a0b9c8d7e6f";

fn model(name: &str, domain: i64, kind: i64, sub: i64, class: &str) -> Value {
    json!({"key": format!("{domain}-{kind}-{sub}"), "domain": domain, "type": kind, "sub_type": sub, "name": name, "class": class})
}

fn device(sn: &str, callsign: &str, model: Value, online: bool) -> Value {
    json!({"sn": sn, "callsign": callsign, "device_model": model, "device_online_status": online, "mode_code": if online { 0 } else { -1 }, "camera_list": null})
}

fn rc_with_drone(
    rc_sn: &str,
    rc_name: &str,
    drone_sn: &str,
    drone_name: &str,
    online: bool,
) -> Value {
    json!({
        "gateway": device(rc_sn, rc_name, model("DJI RC Plus 2", 2, 174, 0, "rc"), online),
        "drone": device(drone_sn, drone_name, model("Matrice 3D", 0, 91, 0, "drone"), online),
    })
}

fn dock(sn: &str, name: &str, drone_sn: &str, online: bool) -> Value {
    json!({
        "gateway": device(sn, name, model("DJI Dock 3", 3, 3, 0, "dock"), online),
        "drone": device(drone_sn, &format!("{name} drone"), model("Matrice 4D", 0, 100, 0, "drone"), online),
    })
}

pub fn projects() -> Vec<Project> {
    let p = |uuid: &str, name: &str, intro: &str, permitted: bool, devices: Vec<Value>| Project {
        uuid: uuid.into(),
        name: name.into(),
        introduction: intro.into(),
        permitted,
        devices,
    };
    vec![
        p(
            MAIN_PROJECT,
            "Shenzhen Bay Bridge Inspection",
            "Monthly cable and deck inspection",
            true,
            vec![
                rc_with_drone(
                    "5YSZL260021E9W",
                    "Pilot RC 1",
                    "1581F6Q8D243D00D3E9",
                    "M3D North",
                    true,
                ),
                rc_with_drone(
                    "5YSZL260021F1K",
                    "Pilot RC 2",
                    "1581F6Q8D243D00D4A1",
                    "M3D South",
                    false,
                ),
                dock(
                    "8UUXN4P00A0ABC",
                    "Dock Nanshan",
                    "1581F8HHD24B00E0001",
                    true,
                ),
            ],
        ),
        p(
            "a1c4e7b0-2d5f-4a8c-b3e6-9f0a1d2c3b4e",
            "Qianhai Solar Farm",
            "Thermal survey of PV panels",
            true,
            vec![dock(
                "8UUXN4P00A0XYZ",
                "Dock Qianhai",
                "1581F8HHD24B00E0002",
                false,
            )],
        ),
        p(
            "5e8d2a6b-9c1f-4e3a-8b7d-0c2e4f6a8b1d",
            "Forest Fire Watch",
            "Seasonal patrols",
            true,
            vec![],
        ),
        p(
            FORBIDDEN_PROJECT,
            "Airport Perimeter (restricted)",
            "Security patrols",
            false,
            vec![],
        ),
        p(
            "7b2e9d4c-1a3f-4c6e-a8b0-2d4f6e8a0c1b",
            "Harbour Crane Survey",
            "",
            true,
            vec![],
        ),
        p(
            "e4f6a8b0-c2d4-4e6f-8a0b-1c3e5a7c9e2f",
            "River Flood Mapping",
            "Orthophotos after heavy rain",
            true,
            vec![],
        ),
        p(
            "2c4e6a8b-0d2f-4b6d-8f0a-3c5e7a9c1e4b",
            "Campus Security",
            "Night patrol rehearsal",
            true,
            vec![],
        ),
        p(
            "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "Highway Survey G4",
            "Pavement cracks",
            true,
            vec![],
        ),
        p(
            "6d7e8f9a-0b1c-4d2e-9f3a-4b5c6d7e8f9a",
            "Wind Turbine Blades",
            "Blade leading edge",
            true,
            vec![],
        ),
        p(
            "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
            "Tea Plantation Spraying",
            "Spray coverage check",
            true,
            vec![],
        ),
        p(
            "b5a49382-7160-4f5e-9d3c-2b1a0f9e8d7c",
            "Rail Catenary Check",
            "Overhead lines",
            true,
            vec![],
        ),
        p(
            "d3c2b1a0-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
            "Coastal Erosion",
            "Quarterly shoreline",
            true,
            vec![],
        ),
    ]
}
