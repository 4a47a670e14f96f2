//! Switches for what XAG's reference leaves open (`upstream-apis.md` §B), so the tests can run
//! the link journey under each plausible reading, not only under the one the proxy assumed.
//!
//! The default is the reading the proxy was first written to: the operator's browser posts the
//! code, XAG keeps our `?state=` on the `redirect_uri`, `/v1/auth/token` takes
//! `authorization_code` as JSON, the pre-auth code lives as long as [`super::XagConfig`]
//! says, and the access token's `expire_in` is an integer. Set at run time on a running
//! simulator (`XagSim::behaviour`), like the fault switch.

use std::sync::{Arc, Mutex};

/// Who posts `{authorization_code, expire_in}` to the `redirect_uri`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeDelivery {
    /// XAG's page makes the operator's browser post a form (the browser then follows our
    /// answer back to the platform).
    #[default]
    Browser,
    /// XAG's server posts JSON to the `redirect_uri` itself; the browser stays on XAG's
    /// "authorized" page.
    Server,
}

/// Where `/v1/auth/token` reads `authorization_code` from; the simulator accepts only this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CodeIn {
    #[default]
    Json,
    Form,
    Query,
}

/// How `/v1/auth/token` states the access token's `expire_in`: the reference's field list says
/// an integer, its example answers `""`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpireIn {
    #[default]
    Integer,
    /// The seconds as a string of digits.
    Digits,
    /// `""`, as the reference's example: no lifetime stated.
    Blank,
}

impl ExpireIn {
    /// `expire_in` for a token that lives `secs`.
    pub fn value(self, secs: i64) -> serde_json::Value {
        match self {
            ExpireIn::Integer => secs.into(),
            ExpireIn::Digits => secs.to_string().into(),
            ExpireIn::Blank => "".into(),
        }
    }
}

/// The alternatives in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XagBehaviour {
    pub delivery: CodeDelivery,
    /// `false`: XAG drops the query of the `redirect_uri` (our `?state=`) when it posts.
    pub keeps_state: bool,
    pub token_code_in: CodeIn,
    /// The pre-auth code's `expires_in` (and real lifetime) instead of the configured one.
    pub pre_auth_ttl_secs: Option<i64>,
    pub token_expire_in: ExpireIn,
}

impl Default for XagBehaviour {
    fn default() -> Self {
        XagBehaviour {
            delivery: CodeDelivery::Browser,
            keeps_state: true,
            token_code_in: CodeIn::Json,
            pre_auth_ttl_secs: None,
            token_expire_in: ExpireIn::Integer,
        }
    }
}

/// The switch of one simulator; clones share it.
#[derive(Clone, Default)]
pub struct BehaviourSwitch(Arc<Mutex<XagBehaviour>>);

impl BehaviourSwitch {
    pub fn set(&self, behaviour: XagBehaviour) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = behaviour;
    }

    pub fn get(&self) -> XagBehaviour {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
