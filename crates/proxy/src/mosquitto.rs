//! The production broker's accounts and ACL, generated from the settings the proxy reads
//! (`pilot-portal-proxy mosquitto-config --out DIR`; `deploy/mosquitto/` has the rest).
//!
//! - `passwd`: every pilot account of `MQTT_CREDENTIALS` and the platform's own account
//!   (`DEVICE_MQTT_USERNAME` / `DEVICE_MQTT_PASSWORD`), hashed as mosquitto 2 does
//!   (`$7$`: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, base64).
//! - `acl`: a pilot's account reaches only the DJI Cloud API topics of its own controllers
//!   (`DEVICE_OWNERS`: `platform_user=GATEWAY_SN`), in the direction a gateway uses each:
//!   it publishes `osd`, `state`, `events`, `requests`, `services_reply`, … and `status`, and
//!   receives `services`, `events_reply`, … and `status_reply`. So only the platform's account
//!   publishes `services` to any gateway; it reads and writes `thing/product/#` and
//!   `sys/product/#`. A pilot with no controller in `DEVICE_OWNERS` can connect and reach
//!   nothing.

use crate::config::Config;
use anyhow::Context as _;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha512;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// mosquitto 2's default PBKDF2 iterations (`mosquitto_passwd`).
const ITERATIONS: u32 = 101;

/// Topics a gateway publishes (DJI Cloud API, device side), under `thing/product/{sn}/`.
const GATEWAY_WRITES: &[&str] = &[
    "osd",
    "state",
    "services_reply",
    "events",
    "requests",
    "property/set_reply",
    "drc/up",
];
/// Topics a gateway receives, under `thing/product/{sn}/`.
const GATEWAY_READS: &[&str] = &[
    "services",
    "events_reply",
    "requests_reply",
    "property/set",
    "drc/down",
];

/// PBKDF2-HMAC-SHA512 with one 64-byte block (RFC 8018).
fn pbkdf2_sha512(password: &[u8], salt: &[u8], iterations: u32) -> anyhow::Result<[u8; 64]> {
    let key =
        Hmac::<Sha512>::new_from_slice(password).map_err(|e| anyhow::anyhow!("HMAC key: {e}"))?;
    let mut mac = key.clone();
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut u: [u8; 64] = mac.finalize().into_bytes().into();
    let mut t = u;
    for _ in 1..iterations {
        let mut mac = key.clone();
        mac.update(&u);
        u = mac.finalize().into_bytes().into();
        t.iter_mut().zip(u.iter()).for_each(|(t, u)| *t ^= u);
    }
    Ok(t)
}

/// One `passwd` line as mosquitto 2 writes it, with this salt.
pub fn passwd_line(user: &str, password: &str, salt: &[u8; 12]) -> anyhow::Result<String> {
    let hash = pbkdf2_sha512(password.as_bytes(), salt, ITERATIONS)?;
    Ok(format!(
        "{user}:$7${ITERATIONS}${}${}",
        STANDARD.encode(salt),
        STANDARD.encode(hash)
    ))
}

/// An MQTT username mosquitto's files can hold (no `:`, spaces, wildcards or `#`).
fn check_username(user: &str, setting: &str) -> anyhow::Result<()> {
    let ok = !user.is_empty()
        && !user
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ':' | '#' | '+' | '/'));
    anyhow::ensure!(ok, "{setting}: {user:?} cannot be a mosquitto username");
    Ok(())
}

/// A pilot's broker account and the controllers it may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PilotAccount {
    pub platform_user: String,
    pub mqtt_user: String,
    pub password: String,
    pub controllers: Vec<String>,
}

/// The accounts the settings describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accounts {
    /// The pilots, with their controllers.
    pub pilots: Vec<PilotAccount>,
    /// The platform's (user, password); `None` when `DEVICE_MQTT_USERNAME` is empty.
    pub platform: Option<(String, String)>,
}

/// The accounts of `MQTT_CREDENTIALS`, `DEVICE_OWNERS` and `DEVICE_MQTT_USERNAME`; the error
/// names the setting.
pub fn accounts(config: &Config) -> anyhow::Result<Accounts> {
    let mut owners: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in config
        .device_owners
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    {
        let (user, sn) = entry.split_once('=').ok_or_else(|| {
            anyhow::anyhow!("DEVICE_OWNERS: {entry:?} is not platform_user=GATEWAY_SN")
        })?;
        let sn = sn.trim();
        anyhow::ensure!(
            crate::devices::valid_sn(sn),
            "DEVICE_OWNERS: {sn:?} cannot be a topic level (letters, digits, - and _)"
        );
        owners
            .entry(user.trim().to_owned())
            .or_default()
            .push(sn.to_owned());
    }
    let mut pilots: Vec<PilotAccount> = Vec::new();
    for entry in config
        .mqtt_credentials
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    {
        let parsed = entry
            .split_once('=')
            .and_then(|(who, cred)| cred.split_once(':').map(|(u, p)| (who, u, p)));
        let Some((who, user, password)) = parsed else {
            anyhow::bail!("MQTT_CREDENTIALS: an entry is not platform_user=mqtt_user:password");
        };
        check_username(user, "MQTT_CREDENTIALS")?;
        anyhow::ensure!(
            !password.is_empty(),
            "MQTT_CREDENTIALS: the password of the MQTT user {user:?} is empty"
        );
        anyhow::ensure!(
            !pilots.iter().any(|p| p.mqtt_user == user),
            "MQTT_CREDENTIALS: the MQTT user {user:?} is given twice"
        );
        anyhow::ensure!(
            !pilots.iter().any(|p| p.platform_user == who.trim()),
            "MQTT_CREDENTIALS: the platform user {:?} is given twice (only the first would be used)",
            who.trim()
        );
        // `a=u:p;b=v:q` or `a=u:p b=v:q`: the second entry became the first one's password
        anyhow::ensure!(
            !password
                .split([';', ' ', '\t'])
                .skip(1)
                .any(|rest| rest.split_once('=').is_some_and(|(_, c)| c.contains(':'))),
            "MQTT_CREDENTIALS: the password of the MQTT user {user:?} holds another entry \
             (user=name:password): separate entries with commas"
        );
        pilots.push(PilotAccount {
            platform_user: who.trim().to_owned(),
            mqtt_user: user.to_owned(),
            password: password.to_owned(),
            controllers: owners.get(who.trim()).cloned().unwrap_or_default(),
        });
    }
    let platform = match config.device_mqtt_username.trim() {
        "" => None,
        user => {
            check_username(user, "DEVICE_MQTT_USERNAME")?;
            anyhow::ensure!(
                !pilots.iter().any(|p| p.mqtt_user == user),
                "DEVICE_MQTT_USERNAME {user:?} is also a pilot's MQTT user: the platform needs its own"
            );
            anyhow::ensure!(
                !config.device_mqtt_password.is_empty(),
                "DEVICE_MQTT_PASSWORD is empty"
            );
            Some((user.to_owned(), config.device_mqtt_password.clone()))
        }
    };
    Ok(Accounts { pilots, platform })
}

/// The `acl` file for these accounts.
pub fn acl(pilots: &[PilotAccount], platform: Option<&str>) -> String {
    let mut out = String::from(
        "# Generated by `pilot-portal-proxy mosquitto-config` from MQTT_CREDENTIALS, DEVICE_OWNERS\n\
         # and DEVICE_MQTT_USERNAME: regenerate rather than edit.\n\n",
    );
    if let Some(platform) = platform {
        let _ = writeln!(
            out,
            "# the platform (DEVICE_MQTT_USERNAME): services to any gateway, every reply and status\n\
             user {platform}\ntopic readwrite thing/product/#\ntopic readwrite sys/product/#\n"
        );
    }
    for pilot in pilots {
        let _ = writeln!(
            out,
            "# platform user {:?}: controllers {}",
            pilot.platform_user,
            if pilot.controllers.is_empty() {
                "none in DEVICE_OWNERS, so no topic".to_owned()
            } else {
                pilot.controllers.join(", ")
            }
        );
        let _ = writeln!(out, "user {}", pilot.mqtt_user);
        for sn in &pilot.controllers {
            for topic in GATEWAY_WRITES {
                let _ = writeln!(out, "topic write thing/product/{sn}/{topic}");
            }
            for topic in GATEWAY_READS {
                let _ = writeln!(out, "topic read thing/product/{sn}/{topic}");
            }
            let _ = writeln!(out, "topic write sys/product/{sn}/status");
            let _ = writeln!(out, "topic read sys/product/{sn}/status_reply");
        }
        out.push('\n');
    }
    out
}

/// Writes `contents` to `path`, mode 0640 where permissions exist (the broker's group reads
/// it, nobody else: `passwd` holds password hashes, `acl` every account and controller); an
/// error names the file.
fn write_0640(path: &Path, contents: &str) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o640))
            .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    }
    Ok(())
}

/// Writes `passwd` and `acl` into `dir`.
pub fn write_files(config: &Config, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let Accounts { pilots, platform } = accounts(config)?;
    anyhow::ensure!(
        !pilots.is_empty() || platform.is_some(),
        "no account to write: MQTT_CREDENTIALS and DEVICE_MQTT_USERNAME are empty"
    );
    for pilot in pilots.iter().filter(|p| p.controllers.is_empty()) {
        tracing::warn!(
            user = %pilot.platform_user,
            "no controller in DEVICE_OWNERS: this pilot's MQTT account will reach no topic"
        );
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--out {}: cannot create the directory", dir.display()))?;
    let mut passwd = String::new();
    let every = pilots
        .iter()
        .map(|p| (p.mqtt_user.as_str(), p.password.as_str()))
        .chain(platform.as_ref().map(|(u, p)| (u.as_str(), p.as_str())));
    for (user, password) in every {
        let mut salt = [0u8; 12];
        rand::rng().fill_bytes(&mut salt);
        passwd.push_str(&passwd_line(user, password, &salt)?);
        passwd.push('\n');
    }
    let passwd_path = dir.join("passwd");
    write_0640(&passwd_path, &passwd)?;
    let acl_path = dir.join("acl");
    write_0640(
        &acl_path,
        &acl(&pilots, platform.as_ref().map(|(u, _)| u.as_str())),
    )?;
    Ok(vec![passwd_path, acl_path])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn pbkdf2_sha512_matches_independent_vectors() {
        // Python: hashlib.pbkdf2_hmac('sha512', b'password', b'salt', n, 64).hex()
        assert_eq!(
            hex(&pbkdf2_sha512(b"password", b"salt", 1).expect("hash")),
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252\
             c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce"
        );
        assert_eq!(
            hex(&pbkdf2_sha512(b"password", b"salt", 2).expect("hash")),
            "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53c\
             f76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e"
        );
        let line = passwd_line("mqtt-pilot", "secret", &[7; 12]).expect("line");
        assert!(
            line.starts_with("mqtt-pilot:$7$101$BwcHBwcHBwcHBwcH$"),
            "{line}"
        );
    }

    #[test]
    fn each_pilot_reaches_only_its_controllers_and_only_the_platform_sends_services() {
        let config = Config::from_env_pairs([
            (
                "MQTT_CREDENTIALS",
                "pilot=mqtt-pilot:p1,copilot=mqtt-copilot:p2,nobody=mqtt-nobody:p3".to_owned(),
            ),
            (
                "DEVICE_OWNERS",
                "pilot=5YSZL260021E9W,copilot=ABC123".to_owned(),
            ),
            ("DEVICE_MQTT_USERNAME", "mqtt-platform".to_owned()),
            ("DEVICE_MQTT_PASSWORD", "pp".to_owned()),
        ])
        .expect("config");
        let Accounts { pilots, platform } = accounts(&config).expect("accounts");
        let acl = acl(&pilots, platform.as_ref().map(|(u, _)| u.as_str()));
        let section = |user: &str| -> Vec<String> {
            acl.split("\n\n")
                .find(|s| s.lines().any(|l| l == format!("user {user}")))
                .map(|s| {
                    s.lines()
                        .filter(|l| l.starts_with("topic"))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let pilot = section("mqtt-pilot");
        assert!(pilot.contains(&"topic read thing/product/5YSZL260021E9W/services".to_owned()));
        assert!(
            pilot.contains(&"topic write thing/product/5YSZL260021E9W/services_reply".to_owned())
        );
        assert!(pilot.contains(&"topic write sys/product/5YSZL260021E9W/status".to_owned()));
        assert!(
            pilot.iter().all(|t| t.contains("/5YSZL260021E9W/")),
            "{pilot:?}"
        );
        assert!(!pilot
            .iter()
            .any(|t| t.starts_with("topic write") && t.ends_with("/services")));
        assert!(section("mqtt-copilot")
            .iter()
            .all(|t| t.contains("/ABC123/")));
        assert!(section("mqtt-nobody").is_empty());
        assert_eq!(
            section("mqtt-platform"),
            vec![
                "topic readwrite thing/product/#",
                "topic readwrite sys/product/#"
            ]
        );
    }

    #[test]
    fn mistakes_are_refused_naming_the_setting() {
        for (name, value) in [
            ("DEVICE_OWNERS", "pilot=5YS/ZL#"),
            ("MQTT_CREDENTIALS", "pilot=mqtt pilot:p"),
            ("MQTT_CREDENTIALS", "pilot=a:p,copilot=a:q"),
            ("MQTT_CREDENTIALS", "pilot=a:p,pilot=b:q"),
            ("MQTT_CREDENTIALS", "pilot=a:p;copilot=b:q"),
            ("MQTT_CREDENTIALS", "pilot=a:p copilot=b:q"),
        ] {
            let config = Config::from_env_pairs([(name, value.to_owned())]).expect("config");
            let e = accounts(&config).expect_err(value).to_string();
            assert!(e.starts_with(name), "{e}");
            assert!(!e.contains(":q"), "no password quoted: {e}");
        }
        // `=` and `;` alone are a password's own (base64 ends with `=`)
        let config = Config::from_env_pairs([(
            "MQTT_CREDENTIALS",
            "pilot=a:c2VjcmV0;x==,copilot=b:q".to_owned(),
        )])
        .expect("config");
        assert_eq!(accounts(&config).expect("accounts").pilots.len(), 2);
    }
}
