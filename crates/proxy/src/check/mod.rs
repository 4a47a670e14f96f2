//! `pilot-portal-proxy check`: the preflight an operator runs against the real services.
//!
//! It reads the same configuration as the server, probes each configured upstream with
//! harmless calls (a status query, a refused request, a pre-auth code nobody uses, a token it
//! revokes again) and prints one line per assumption the code makes: `confirmed`,
//! `contradicted (change SETTING)`, or `not checkable without …` (most often a real
//! controller). Lines marked `info` report what was seen; `off` an upstream not configured.
//! Any contradiction makes the exit status non-zero. Secrets are never printed: not the
//! tokens, keys or passwords, only what they are and whether they were accepted.

mod flighthub;
pub mod mqtt;
mod token;
mod xag;

use crate::config::Config;
use std::fmt;
use std::time::Duration;

/// The emulator's DJI app id, key and license (`public/pilot2-emulator.js`): a real Pilot 2
/// refuses them.
pub const DEMO_DJI: (&str, &str, &str) = ("125034", "demo-app-key", "demo-app-license");

/// What a probe showed about one assumption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    /// The upstream disagrees; `setting` is what to change (`None`: no setting covers it).
    Contradicted {
        setting: Option<String>,
    },
    /// Only `needs` can show it ("a real controller", …).
    NotCheckable {
        needs: &'static str,
    },
    /// A fact seen, neither right nor wrong.
    Info,
    /// Not configured, so nothing to check.
    Off,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Confirmed => f.write_str("confirmed"),
            Status::Contradicted {
                setting: Some(setting),
            } => write!(f, "contradicted (change {setting})"),
            Status::Contradicted { setting: None } => {
                f.write_str("contradicted (no setting covers this)")
            }
            Status::NotCheckable { needs } => write!(f, "not checkable without {needs}"),
            Status::Info => f.write_str("info"),
            Status::Off => f.write_str("off"),
        }
    }
}

/// One assumption and what the probe showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub status: Status,
    /// `token platform`, `XAG`, `FlightHub 2`, `MQTT broker`, `DJI`, `remote unlocking`.
    pub area: &'static str,
    /// The assumption, in a few words.
    pub claim: String,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} | {} | {}", self.status, self.area, self.claim)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// Everything `check` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    fn push(&mut self, area: &'static str, status: Status, claim: &str, detail: String) {
        self.lines.push(Line {
            status,
            area,
            claim: claim.to_owned(),
            detail,
        });
    }

    /// No contradiction.
    pub fn passed(&self) -> bool {
        !self
            .lines
            .iter()
            .any(|l| matches!(l.status, Status::Contradicted { .. }))
    }

    /// The process exit status: 0, or 1 on any contradiction.
    pub fn exit_code(&self) -> i32 {
        if self.passed() {
            0
        } else {
            1
        }
    }

    /// The line about `claim` (its start), for tests.
    pub fn line(&self, claim_starts: &str) -> Option<&Line> {
        self.lines
            .iter()
            .find(|l| l.claim.starts_with(claim_starts))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        let contradicted = self
            .lines
            .iter()
            .filter(|l| matches!(l.status, Status::Contradicted { .. }))
            .count();
        if contradicted == 0 {
            write!(f, "check: no contradiction ({} lines)", self.lines.len())
        } else {
            write!(f, "check: {contradicted} contradicted")
        }
    }
}

/// What the operator gave on the command line.
#[derive(Clone, Default)]
pub struct Options {
    /// A test account of the platform: `check` logs in with it, issues and revokes a token.
    pub account: Option<(String, String)>,
    /// The DJI app id, key and license may be the emulator's (the demo stack).
    pub allow_demo_dji: bool,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("account", &self.account.as_ref().map(|(user, _)| user))
            .field("allow_demo_dji", &self.allow_demo_dji)
            .finish()
    }
}

/// The HTTP client the probes use: as the server's, never following redirects.
fn client(config: &Config) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(Duration::from_secs(config.upstream_timeout_secs.max(1)))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "pilot-portal-proxy-check/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()?)
}

/// Runs every probe the configuration allows.
pub async fn run(config: &Config, options: &Options) -> anyhow::Result<Report> {
    let client = client(config)?;
    let mut report = Report::default();
    settings(config, &mut report).await;
    dji(config, options, &mut report);
    token::check(config, &client, options, &mut report).await;
    xag::check(config, &client, &mut report).await;
    flighthub::check(config, &client, &mut report).await;
    mqtt::check(config, &mut report).await;
    remote_unlocking(config, &mut report);
    Ok(report)
}

/// What a start checks before it listens: every setting's form, the database, and the stored
/// XAG tokens opening with `STORAGE_KEY` (they are not rewritten; the database is created or
/// migrated as a start would).
async fn settings(config: &Config, report: &mut Report) {
    const AREA: &str = "settings";
    let contradicted = |e: &anyhow::Error| {
        let said = format!("{e:#}");
        let setting = said
            .split(':')
            .next()
            .filter(|s| s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .map(str::to_owned);
        (Status::Contradicted { setting }, said)
    };
    let key = match crate::settings::check(config) {
        Ok(checked) => {
            report.push(
                AREA,
                Status::Confirmed,
                "every setting has a form a start accepts",
                String::new(),
            );
            checked.storage_key
        }
        Err(e) => {
            let (status, said) = contradicted(&e);
            report.push(
                AREA,
                status,
                "every setting has a form a start accepts",
                said,
            );
            None
        }
    };
    for warning in crate::settings::warnings(config) {
        report.push(AREA, Status::Info, "warning", warning);
    }
    let claim = "the database opens and its stored XAG tokens open with STORAGE_KEY";
    let opened = async {
        let db = crate::db::Db::connect(&config.database_url).await?;
        db.with_storage_key(key).check_stored_tokens().await
    }
    .await;
    match opened {
        Ok(_) => report.push(AREA, Status::Confirmed, claim, String::new()),
        Err(e) => {
            let (status, said) = contradicted(&e);
            report.push(AREA, status, claim, said);
        }
    }
}

fn dji(config: &Config, options: &Options, report: &mut Report) {
    const AREA: &str = "DJI";
    let values = [
        ("DJI_APP_ID", &config.dji_app_id, DEMO_DJI.0),
        ("DJI_APP_KEY", &config.dji_app_key, DEMO_DJI.1),
        ("DJI_APP_LICENSE", &config.dji_license, DEMO_DJI.2),
    ];
    let claim = "app id, key and license set, not the emulator's demo values";
    let empty: Vec<&str> = values
        .iter()
        .filter(|(_, v, _)| v.trim().is_empty())
        .map(|(name, _, _)| *name)
        .collect();
    let demo: Vec<&str> = values
        .iter()
        .filter(|(_, v, d)| v.as_str() == *d)
        .map(|(name, _, _)| *name)
        .collect();
    if !empty.is_empty() {
        report.push(
            AREA,
            Status::Contradicted {
                setting: Some(empty.join(", ")),
            },
            claim,
            "empty".into(),
        );
    } else if demo.is_empty() {
        report.push(
            AREA,
            Status::Confirmed,
            claim,
            "set (values not shown)".into(),
        );
    } else if options.allow_demo_dji {
        report.push(
            AREA,
            Status::Info,
            claim,
            format!(
                "{} the emulator's demo values, allowed by --allow-demo-dji; a real Pilot 2 refuses them",
                demo.join(", ")
            ),
        );
    } else {
        report.push(
            AREA,
            Status::Contradicted {
                setting: Some(demo.join(", ")),
            },
            claim,
            "the emulator's demo values: a real Pilot 2 refuses them".into(),
        );
    }
    report.push(
        AREA,
        Status::NotCheckable {
            needs: "a real controller",
        },
        "Pilot 2 accepts the license (platformVerifyLicense)",
        String::new(),
    );
}

fn remote_unlocking(config: &Config, report: &mut Report) {
    const AREA: &str = "remote unlocking";
    if config.device_mqtt_broker.trim().is_empty() {
        report.push(
            AREA,
            Status::Off,
            "remote unlocking",
            "DEVICE_MQTT_BROKER is empty".into(),
        );
        return;
    }
    let real = Status::NotCheckable {
        needs: "a real controller",
    };
    report.push(
        AREA,
        real.clone(),
        "Pilot 2 answers unlock_license_list/switch/update as a gateway",
        "DJI documents these services for docks; nothing says Pilot 2 answers them".into(),
    );
    report.push(
        AREA,
        real.clone(),
        "result codes of a refused update",
        format!(
            "DEVICE_FINGERPRINT_MISMATCH_CODES = {:?} is the simulator's choice",
            config.device_fingerprint_mismatch_codes.0
        ),
    );
    report.push(
        AREA,
        real,
        "a controller that drops off is seen offline",
        format!(
            "no will from Pilot 2 is documented: silence for DEVICE_OFFLINE_AFTER_SECS = {} s",
            config.device_offline_after_secs
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_the_operator_sees_them() {
        let line = Line {
            status: Status::Contradicted {
                setting: Some("XAG_TOKEN_CODE_IN".into()),
            },
            area: "XAG",
            claim: "where /v1/auth/token reads the code".into(),
            detail: "form, not json".into(),
        };
        assert_eq!(
            line.to_string(),
            "contradicted (change XAG_TOKEN_CODE_IN) | XAG | where /v1/auth/token reads the code: form, not json"
        );
        let report = Report { lines: vec![line] };
        assert_eq!(report.exit_code(), 1);
        assert!(report.to_string().ends_with("check: 1 contradicted"));
        assert_eq!(Report::default().exit_code(), 0);
    }

    #[test]
    fn demo_dji_values_are_a_contradiction_unless_allowed() {
        let config = Config::from_env_pairs([]).expect("defaults");
        let mut report = Report::default();
        dji(&config, &Options::default(), &mut report);
        assert!(!report.passed());
        let mut report = Report::default();
        let allowed = Options {
            allow_demo_dji: true,
            ..Options::default()
        };
        dji(&config, &allowed, &mut report);
        assert!(report.passed());
        let real = Config::from_env_pairs([
            ("DJI_APP_ID", "424242".to_owned()),
            ("DJI_APP_KEY", "k".to_owned()),
            ("DJI_APP_LICENSE", "l".to_owned()),
        ])
        .expect("config");
        let mut report = Report::default();
        dji(&real, &Options::default(), &mut report);
        assert_eq!(report.lines[0].status, Status::Confirmed);
        assert!(!report.to_string().contains("424242"), "values not shown");
    }
}
