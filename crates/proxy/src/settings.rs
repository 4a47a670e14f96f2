//! Every setting's form, checked before the proxy binds and before `check` probes anything:
//! what a start would refuse, `check` says first, and a start refuses it before it says it
//! listens. Errors name the setting; a value is quoted only when it cannot hold another
//! setting's secret (see [`env_file_mistakes`]).

use crate::config::{Config, StateFallback};
use crate::net::{Cidr, TrustedProxies};
use crate::project_access::ProjectAccess;
use crate::storage_key::StorageKey;
use clap::CommandFactory;

/// The settings parsed once for the running proxy.
pub struct Checked {
    pub project_access: ProjectAccess,
    pub storage_key: Option<StorageKey>,
    pub trusted_proxies: TrustedProxies,
    pub metrics_allow: Vec<Cidr>,
}

/// Checks every setting's form (nothing is contacted).
pub fn check(config: &Config) -> anyhow::Result<Checked> {
    config.check_token_settings().map_err(anyhow::Error::msg)?;
    urls(config)?;
    xag(config)?;
    crate::mosquitto::accounts(config)?;
    pilot_broker(&config.mqtt_broker)?;
    secrets(config)?;
    if !(0.0..=1.0).contains(&config.renew_below_fraction) {
        anyhow::bail!(
            "RENEW_BELOW_FRACTION: {} is not a fraction of the token's life (0 to 1)",
            config.renew_below_fraction
        );
    }
    if config.csp_frame_ancestors.contains([';', ',', '\n', '\r']) {
        anyhow::bail!(
            "CSP_FRAME_ANCESTORS: sources only (e.g. 'none', https://host), no other directive"
        );
    }
    if let Some(link) = config.device_link() {
        crate::devices::broker_address(&link.broker)
            .map_err(|e| anyhow::anyhow!("DEVICE_MQTT_BROKER: {e}"))?;
    }
    let project_access = ProjectAccess::from_config(config).map_err(anyhow::Error::msg)?;
    let storage_key = StorageKey::from_setting(&config.storage_key).map_err(anyhow::Error::msg)?;
    if !config.xag_component_appid.is_empty() && storage_key.is_none() {
        anyhow::bail!(
            "STORAGE_KEY: XAG linking stores XAG access tokens, encrypted with this key; set \
             it (32 bytes, base64: `openssl rand -base64 32`)"
        );
    }
    let trusted_proxies = TrustedProxies {
        hops: config.trusted_proxy_hops,
        cidrs: Cidr::parse_list("TRUSTED_PROXIES", &config.trusted_proxies)
            .map_err(anyhow::Error::msg)?,
    };
    let metrics_allow =
        Cidr::parse_list("METRICS_ALLOW", &config.metrics_allow).map_err(anyhow::Error::msg)?;
    for origin in config
        .allowed_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
    {
        // scheme://host[:port]: an origin has no path
        let o = origin.trim().trim_end_matches('/');
        let bare = reqwest::Url::parse(o).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host().is_some()
                && u.query().is_none()
                && u.fragment().is_none()
        }) && o
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.contains('/'));
        if !bare || axum::http::HeaderValue::from_str(origin.trim()).is_err() {
            anyhow::bail!("ALLOWED_ORIGINS: {origin:?} is not an origin (https://host[:port])");
        }
    }
    let database = config.database_url.trim().to_ascii_lowercase();
    if !(database.starts_with("sqlite:") || database.starts_with("postgres")) {
        // named by its scheme only: the rest may hold the database's password
        let scheme = database
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|s| {
                s.len() <= 20
                    && s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            });
        match scheme {
            Some(scheme) => {
                anyhow::bail!("DATABASE_URL: the scheme {scheme:?} is not sqlite: or postgres://")
            }
            None => anyhow::bail!(
                "DATABASE_URL is not a URL (sqlite:… or postgres://user:password@host/db; the \
                 keyword form host=… user=… is not read); its value is not shown, it may hold \
                 a password"
            ),
        }
    }
    Ok(Checked {
        project_access,
        storage_key,
        trusted_proxies,
        metrics_allow,
    })
}

/// Warnings a start logs and `check` prints: allowed, but probably not meant.
pub fn warnings(config: &Config) -> Vec<String> {
    let mut said = Vec::new();
    if insecure(&config.token_api_url) {
        said.push(
            "TOKEN_API_URL is http:// to another machine: pilots' passwords and tokens cross \
             the network unencrypted; use https://"
                .to_owned(),
        );
    }
    if config.xag_state_fallback == StateFallback::Cookie
        && config.xag_callback().starts_with("http://")
    {
        said.push(
            "XAG_STATE_FALLBACK=cookie needs an https:// XAG_CALLBACK_URL: the cookie is \
             Secure, a browser does not send it over http://"
                .to_owned(),
        );
    }
    if config.license_dir().is_some()
        && config.device_link().is_some()
        && config.public_base_url.trim().is_empty()
    {
        said.push(format!(
            "PUBLIC_BASE_URL is not set: controllers are told to download license files from \
             {} (PROXY_LISTEN), which they may not reach; set the address they reach (behind \
             nginx: the site's https:// address)",
            config.public_base()
        ));
    }
    said.extend(token_scope_gaps(config));
    if let Some(dir) = config.license_dir() {
        let probe = dir.join(".pilot-portal-write-check");
        if !dir.is_dir() {
            said.push(format!(
                "UNLOCK_LICENSE_DIR {} is not a directory (yet)",
                dir.display()
            ));
        } else if let Err(e) = std::fs::write(&probe, b"") {
            said.push(format!(
                "UNLOCK_LICENSE_DIR {}: cannot write there ({e}): license file uploads will fail",
                dir.display()
            ));
        } else {
            let _ = std::fs::remove_file(&probe);
        }
    }
    said
}

/// What pilots' tokens cannot do that the proxy does with them, when `TOKEN_SCOPES` limits them:
/// list, issue and revoke on `TOKEN_API_TOKENS_PATH`. A warning, not a refusal: how the
/// platform matches scopes is not confirmed (README).
fn token_scope_gaps(config: &Config) -> Vec<String> {
    use pilot_portal_shared::tokens::scope_allows;
    let scopes: Vec<&str> = config
        .token_scopes
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if scopes.is_empty() {
        return Vec::new();
    }
    let path = config.token_api_tokens_path.trim().trim_end_matches('/');
    let one = format!("{path}/0123456789abcdef01234567");
    [
        (
            "GET",
            path,
            "list tokens: the Access tokens panel is refused",
        ),
        (
            "POST",
            path,
            "issue tokens: Pilot 2's own token and tools' tokens are refused",
        ),
        (
            "DELETE",
            one.as_str(),
            "revoke tokens: a log-out cannot end the pilot's token on the platform (this proxy \
             stops taking it; it stays live there until it expires)",
        ),
    ]
    .into_iter()
    .filter(|(method, path, _)| !scopes.iter().any(|s| scope_allows(s, method, path)))
    .map(|(method, path, what)| {
        format!("TOKEN_SCOPES gives pilots' tokens no {method} {path}, so they cannot {what}")
    })
    .collect()
}

/// `http://` to anything but this machine.
fn insecure(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url.trim()) else {
        return false;
    };
    let local = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "http" && !local
}

/// The URL settings: absolute `http(s)://host…` where they are used.
fn urls(config: &Config) -> anyhow::Result<()> {
    let xag_on = !config.xag_component_appid.is_empty();
    let flighthub_on = !config.flighthub_org_key.is_empty();
    for (name, value, used) in [
        ("TOKEN_API_URL", &config.token_api_url, true),
        ("FLIGHTHUB_URL", &config.flighthub_url, flighthub_on),
        ("XAG_BASE_URL", &config.xag_base_url, xag_on),
        (
            "XAG_CALLBACK_URL",
            &config.xag_callback_url,
            !config.xag_callback_url.is_empty(),
        ),
        (
            "PUBLIC_API_BASE",
            &config.public_api_base,
            !config.public_api_base.trim().is_empty(),
        ),
        (
            "PUBLIC_BASE_URL",
            &config.public_base_url,
            !config.public_base_url.trim().is_empty(),
        ),
        (
            "API_MODULE_HOST",
            &config.api_module_host,
            !config.api_module_host.trim().is_empty(),
        ),
    ] {
        if !used {
            continue;
        }
        let value = value.trim();
        let ok = reqwest::Url::parse(value).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host().is_some() && !value.contains(' ')
        });
        if !ok {
            anyhow::bail!(
                "{name}: {} is not an http:// or https:// address with a host",
                shown(value)
            );
        }
    }
    Ok(())
}

/// XAG is on with all three of its credentials, off with none.
fn xag(config: &Config) -> anyhow::Result<()> {
    let parts = [
        ("XAG_COMPONENT_APPID", &config.xag_component_appid),
        ("XAG_APP_SECRET", &config.xag_app_secret),
        (
            "XAG_COMPONENT_ACCESS_TOKEN",
            &config.xag_component_access_token,
        ),
    ];
    let missing: Vec<&str> = parts
        .iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() && missing.len() < parts.len() {
        anyhow::bail!(
            "{}: not set; XAG linking needs all of XAG_COMPONENT_APPID, XAG_APP_SECRET and \
             XAG_COMPONENT_ACCESS_TOKEN (or none of them, to leave it off)",
            missing.join(", ")
        );
    }
    Ok(())
}

/// A value as an error quotes it: only a short one without spaces (a longer one may be the
/// rest of an env file's line, with another setting's secret in it), and without the
/// credentials or query of a URL.
fn shown(value: &str) -> String {
    if value.len() <= 120 && !value.chars().any(char::is_whitespace) {
        format!("{:?}", without_credentials(value))
    } else {
        "the value (not shown: it holds spaces)".to_owned()
    }
}

/// A URL as a log or an error may show it: `user:password@` and the query (a database's
/// `?password=`) replaced by `***`. Anything else as it is.
pub fn without_credentials(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    let path = match tail.split_once('?') {
        Some((path, _)) => format!("{path}?***"),
        None => tail.to_owned(),
    };
    format!("{scheme}://{host}{path}")
}

/// `MQTT_BROKER`, as Pilot 2's `thing` module is given it: only the schemes DJI's Pilot 2
/// takes, written as it takes them (the emulator refuses the rest, as Pilot 2 would).
fn pilot_broker(value: &str) -> anyhow::Result<()> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    let scheme_ok = ["tcp://", "ssl://", "ws://", "wss://"]
        .iter()
        .any(|s| value.starts_with(s));
    if !scheme_ok {
        anyhow::bail!(
            "MQTT_BROKER: {} is not an address Pilot 2 takes: tcp://, ssl://, ws:// or wss:// \
             (lowercase), e.g. tcp://broker.example.com:1883",
            shown(value)
        );
    }
    let broker = crate::check::mqtt::Broker::parse(value)
        .map_err(|e| anyhow::anyhow!("MQTT_BROKER: {e}"))?;
    // Pilot 2's default port is not documented: tcp:// and ssl:// name theirs
    let port_given = url::Url::parse(value).is_ok_and(|u| u.port().is_some());
    if matches!(
        broker.scheme,
        crate::check::mqtt::Scheme::Tcp | crate::check::mqtt::Scheme::Tls
    ) && !port_given
    {
        anyhow::bail!(
            "MQTT_BROKER: {} names no port (tcp://host:1883, ssl://host:8883): Pilot 2's \
             default is not documented",
            shown(value)
        );
    }
    Ok(())
}

/// Secrets go into HTTP headers, signatures and MQTT logins as they are: a control
/// character (a CR left by a Windows editor) or a space at an end is a typing mistake that
/// would otherwise surface as an upstream failure blaming another setting. Named, never
/// quoted.
fn secrets(config: &Config) -> anyhow::Result<()> {
    for (name, value) in [
        ("FLIGHTHUB_ORG_KEY", &config.flighthub_org_key),
        ("XAG_COMPONENT_APPID", &config.xag_component_appid),
        ("XAG_APP_SECRET", &config.xag_app_secret),
        (
            "XAG_COMPONENT_ACCESS_TOKEN",
            &config.xag_component_access_token,
        ),
        ("TOKEN_JWT_HS256_SECRET", &config.token_jwt_hs256_secret),
        ("DEVICE_MQTT_USERNAME", &config.device_mqtt_username),
        ("DEVICE_MQTT_PASSWORD", &config.device_mqtt_password),
        ("UNLOCK_ADMIN_TOKEN", &config.unlock_admin_token),
        ("SUPPORT_ADMIN_TOKEN", &config.support_admin_token),
    ] {
        if value.chars().any(char::is_control) || value.trim() != value.as_str() {
            anyhow::bail!(
                "{name}: the value holds a control character (a CR from a Windows editor?) or \
                 spaces at an end; not shown"
            );
        }
    }
    Ok(())
}

/// Settings whose value holds another setting (`A=x  B=y` on one line), a comment after the
/// value (`A=x   # why`) or a control character (`A=x\r`): systemd's `EnvironmentFile=` keeps
/// them in the value, where a shell that sources the file would not (or they go unseen).
/// Named, never quoted: the rest of such a line may be a secret. `vars`: the process
/// environment.
pub fn env_file_mistakes(vars: impl IntoIterator<Item = (String, String)>) -> Result<(), String> {
    let command = Config::command();
    let names: Vec<String> = command
        .get_arguments()
        .filter_map(|a| a.get_env())
        .filter_map(|e| e.to_str().map(str::to_owned))
        .collect();
    let mut wrong = Vec::new();
    for (name, value) in vars {
        if !names.contains(&name) {
            continue;
        }
        let words: Vec<&str> = value.split_whitespace().collect();
        let holds_setting = words.iter().skip(1).any(|w| {
            w.split_once('=')
                .is_some_and(|(n, _)| names.iter().any(|k| k == n))
        });
        let holds_comment = words.iter().skip(1).any(|w| w.starts_with('#'));
        if holds_setting {
            wrong.push(format!(
                "{name}: its value holds another setting (NAME=…): write one setting per line"
            ));
        } else if holds_comment {
            wrong.push(format!(
                "{name}: its value ends with a comment (… # …): systemd keeps it in the value; \
                 put comments on their own lines"
            ));
        } else if value.chars().any(char::is_control) {
            wrong.push(format!(
                "{name}: its value holds a control character (a CR from a Windows editor?); \
                 not shown"
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn two_settings_on_one_line_or_a_comment_are_named_never_quoted() {
        let said = env_file_mistakes(pairs(&[
            (
                "XAG_COMPONENT_APPID",
                "xag-app  XAG_APP_SECRET=the-secret  XAG_COMPONENT_ACCESS_TOKEN=tok",
            ),
            ("TRUST_FORWARDED_FOR", "true         # behind nginx"),
            ("MQTT_BROKER", "ssl://broker.example.com:8883\r"),
            ("MQTT_CREDENTIALS", "pilot=mqtt-pilot:SECRETPW\r"),
            ("PLATFORM_NAME", "Survey Co. North"),
            ("PATH", "/usr/bin  X=1"),
        ]))
        .expect_err("two mistakes");
        assert!(said.contains("XAG_COMPONENT_APPID: its value holds another setting"));
        assert!(said.contains("TRUST_FORWARDED_FOR: its value ends with a comment"));
        assert!(said.contains("MQTT_BROKER: its value holds a control character"));
        assert!(said.contains("MQTT_CREDENTIALS: its value holds a control character"));
        assert!(!said.contains("SECRETPW"), "{said}");
        assert!(
            !said.contains("the-secret") && !said.contains("tok"),
            "{said}"
        );
        assert!(!said.contains("PLATFORM_NAME") && !said.contains("PATH"));
        // a value with spaces is fine on its own, and so is `=` inside one
        assert!(env_file_mistakes(pairs(&[
            ("PLATFORM_NAME", "Survey Co. North"),
            ("DATABASE_URL", "sqlite:/var/lib/pp/pp.db?mode=rwc"),
            ("DJI_APP_LICENSE", "abc+def/ghi=="),
        ]))
        .is_ok());
    }

    fn config(list: &[(&str, &str)]) -> Config {
        let mut all = vec![("TOKEN_API_URL", "http://127.0.0.1:9/")];
        all.extend_from_slice(list);
        Config::from_env_pairs(all.iter().map(|(n, v)| (*n, (*v).to_owned()))).expect("config")
    }

    fn refused(list: &[(&str, &str)]) -> String {
        match check(&config(list)) {
            Ok(_) => panic!("accepted: {list:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn what_a_start_would_refuse_is_refused_naming_the_setting() {
        assert!(check(&config(&[])).is_ok());
        for (setting, value) in [
            ("TOKEN_API_URL", "platform.example.com"),
            ("PUBLIC_API_BASE", "api.example.com"),
            ("PUBLIC_BASE_URL", "portal.example.com"),
            ("XAG_CALLBACK_URL", "ftp://x/cb"),
            ("DATABASE_URL", "mysql://x"),
            ("TOKEN_EXPIRES_IN", "12h"),
            ("METRICS_ALLOW", "localhost"),
            ("TRUSTED_PROXIES", "10.0.0.0/33"),
            ("ALLOWED_ORIGINS", "*"),
            ("STORAGE_KEY", "c2hvcnQ="),
            ("MQTT_CREDENTIALS", "pilot=no-colon"),
            ("DEVICE_MQTT_BROKER", "ws://127.0.0.1:1/mqtt"),
            ("MQTT_BROKER", "http://127.0.0.1:1883"),
            ("MQTT_BROKER", "tcp://"),
            ("MQTT_CREDENTIALS", "pilot=mqtt-pilot:"),
            ("RENEW_BELOW_FRACTION", "2"),
            ("API_MODULE_HOST", "notaurl"),
            ("CSP_FRAME_ANCESTORS", "'none'; script-src *"),
            ("ALLOWED_ORIGINS", "https://cdn.example.com/path"),
        ] {
            let said = refused(&[(setting, value)]);
            assert!(said.starts_with(setting), "{setting}: {said}");
        }
        for broker in [
            "tcp://broker.example.com",
            "ssl://[::1]",
            "tcp://broker.example.com:99999",
            "tcp://user:PW@broker.example.com:1883",
            "127.0.0.1:1883",
            "mqtt://127.0.0.1:1883",
            "mqtts://127.0.0.1:8883",
            "MQTT://127.0.0.1:1883",
            "TCP://127.0.0.1:1883",
        ] {
            let said = refused(&[("MQTT_BROKER", broker)]);
            assert!(said.starts_with("MQTT_BROKER"), "{broker}: {said}");
            assert!(!said.contains("PW") && !said.contains("  "), "{said}");
        }
        for broker in [
            "tcp://127.0.0.1:1883",
            "ssl://broker.example.com:8883",
            "ws://127.0.0.1:8083/mqtt",
            "wss://broker.example.com/mqtt",
        ] {
            assert!(
                check(&config(&[("MQTT_BROKER", broker)])).is_ok(),
                "{broker}"
            );
        }
        let said = refused(&[("FLIGHTHUB_ORG_KEY", "fh2-key\r")]);
        assert!(said.starts_with("FLIGHTHUB_ORG_KEY"), "{said}");
        assert!(!said.contains("fh2-key"), "{said}");
        let said = refused(&[
            ("XAG_COMPONENT_APPID", "app"),
            ("XAG_APP_SECRET", " s3cret"),
            ("XAG_COMPONENT_ACCESS_TOKEN", "tok"),
        ]);
        assert!(said.starts_with("XAG_APP_SECRET"), "{said}");
        let said = refused(&[("FLIGHTHUB_ORG_KEY", "k"), ("FLIGHTHUB_URL", "ftp//nope")]);
        assert!(said.starts_with("FLIGHTHUB_URL"), "{said}");
        // half of XAG is not XAG off
        let said = refused(&[("XAG_COMPONENT_APPID", "app"), ("XAG_APP_SECRET", "s3cret")]);
        assert!(
            said.starts_with("XAG_COMPONENT_ACCESS_TOKEN: not set"),
            "{said}"
        );
        assert!(!said.contains("s3cret"));
        // a long value with spaces is not quoted
        let said = refused(&[
            (
                "FLIGHTHUB_URL",
                "http://127.0.0.1:9  FLIGHTHUB_ORG_KEY=fh2-organization-key",
            ),
            ("FLIGHTHUB_ORG_KEY", "k"),
        ]);
        assert!(!said.contains("fh2-organization-key"), "{said}");
        // a URL's credentials are never quoted
        for (setting, value) in [
            ("DATABASE_URL", "mysql://app:DBSECRET@db.internal/pp"),
            ("TOKEN_API_URL", "ftp://user:TOKPW@platform.example.com/"),
            ("DATABASE_URL", "mysql://db.internal/pp?password=DBSECRET"),
            // PostgreSQL's keyword form and other values without a scheme
            (
                "DATABASE_URL",
                "host=db.internal user=pp password=DBSECRET dbname=pp",
            ),
            ("DATABASE_URL", "pp/DBSECRET@127.0.0.1/db"),
        ] {
            let said = refused(&[(setting, value)]);
            assert!(said.starts_with(setting), "{said}");
            let lower = said.to_lowercase();
            assert!(
                !lower.contains("secret") && !lower.contains("tokpw"),
                "{said}"
            );
        }
        // the scheme's case does not matter to the database drivers
        assert!(check(&config(&[(
            "DATABASE_URL",
            "POSTGRES://app@db.internal/pp"
        )]))
        .is_ok());
    }

    #[test]
    fn a_url_loses_its_credentials_and_query_and_nothing_else() {
        assert_eq!(
            without_credentials("https://user:pw@platform.example.com:8443/api?key=1"),
            "https://***@platform.example.com:8443/api?***"
        );
        assert_eq!(
            without_credentials("postgres://app:p@ss@db/pp"),
            "postgres://***@db/pp"
        );
        assert_eq!(
            without_credentials("https://platform.example.com/api"),
            "https://platform.example.com/api"
        );
        assert_eq!(without_credentials("sqlite:pp.db"), "sqlite:pp.db");
    }

    #[test]
    fn http_to_another_machine_and_a_cookie_over_http_are_warned() {
        assert!(warnings(&config(&[])).is_empty());
        let said = warnings(&config(&[(
            "TOKEN_API_URL",
            "http://platform.example.com/",
        )]));
        assert!(said[0].starts_with("TOKEN_API_URL"), "{said:?}");
        let said = warnings(&config(&[
            ("XAG_STATE_FALLBACK", "cookie"),
            (
                "XAG_CALLBACK_URL",
                "http://portal.example.com/api/xag/callback",
            ),
        ]));
        assert!(said[0].starts_with("XAG_STATE_FALLBACK"), "{said:?}");
        // a directory no upload can be written to (even as root)
        let said = warnings(&config(&[("UNLOCK_LICENSE_DIR", "/proc/self")]));
        assert!(
            said[0].starts_with("UNLOCK_LICENSE_DIR /proc/self: cannot write there"),
            "{said:?}"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let writable = dir.path().display().to_string();
        assert!(warnings(&config(&[("UNLOCK_LICENSE_DIR", writable.as_str())])).is_empty());
        // license files offered at the listen address, with remote unlocking on
        let unlocking = [
            ("UNLOCK_LICENSE_DIR", writable.as_str()),
            ("DEVICE_MQTT_BROKER", "tcp://127.0.0.1:1883"),
            ("DEVICE_MQTT_USERNAME", "platform"),
            ("DEVICE_MQTT_PASSWORD", "pw"),
            ("PROXY_LISTEN", "0.0.0.0:8080"),
        ];
        let said = warnings(&config(&unlocking));
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("PUBLIC_BASE_URL is not set"),
            "{said:?}"
        );
        assert!(said[0].contains("http://0.0.0.0:8080"), "{said:?}");
        let mut given = unlocking.to_vec();
        given.push(("PUBLIC_BASE_URL", "https://portal.example.com"));
        assert!(warnings(&config(&given)).is_empty());
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("read").count(),
            0,
            "the probe is gone"
        );
        // pilots' tokens that cannot revoke themselves: a log-out would leave them live
        let said = warnings(&config(&[("TOKEN_SCOPES", "GET /tokens,POST /tokens")]));
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(
            said[0].starts_with("TOKEN_SCOPES gives pilots' tokens no DELETE /api/v1/tokens/"),
            "{said:?}"
        );
        assert_eq!(
            warnings(&config(&[("TOKEN_SCOPES", "GET /objects")])).len(),
            3
        );
        assert!(warnings(&config(&[("TOKEN_SCOPES", "GET /*,POST /*,DELETE /*")])).is_empty());
        assert!(warnings(&config(&[("TOKEN_SCOPES", "")])).is_empty());
        let said = warnings(&config(&[("UNLOCK_LICENSE_DIR", "/no/such/licenses")]));
        assert_eq!(
            said,
            ["UNLOCK_LICENSE_DIR /no/such/licenses is not a directory (yet)"]
        );
    }
}
