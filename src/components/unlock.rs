//! The "Flight unlocking" panel (issue 8): the unlock licenses of the aircraft connected to
//! this controller (the gateway) and the ones approved on Flysafe, grouped by type with what
//! each one unlocks; enable or disable one (confirmed first; the state shown changes only with
//! the device's answer); update the aircraft's licenses from the platform's license file.
//!
//! Nothing that would fail is offered: without the cloud connection, or on the aircraft tab
//! without an aircraft, the panel says so and sends nothing; it looks again when the connection
//! changes or on Refresh. In the `panels` bundle only (see `crate::panels`); the pure helpers
//! at the top are also compiled for the native unit tests.

use crate::api::Api;
use crate::components::error_view::{ErrorText, NotDoneOffline};
use crate::components::refresh_note::refresh_note;
use crate::error::AppError;
use crate::load::{ActionFailure, Load, Loader};
use crate::state::{Conn, Ctx};
use crate::{bridge, text, time};
use leptos::prelude::*;
use pilot_portal_shared::unlock::{
    DeviceModelDomain, LicenseKind, UnlockLicense, UnlockLicensesResponse, UnlockSwitchResponse,
    UpdateSource, Validity,
};
use pilot_portal_shared::ErrorCode;

// --- pure helpers --------------------------------------------------------------------------------

/// A group of the list: the document's seven types in its order, then the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Area,
    Circle,
    Country,
    Altitude,
    Polygon,
    Power,
    Rid,
    Other,
}

impl Group {
    pub fn of(kind: &LicenseKind) -> Group {
        match kind {
            LicenseKind::Area(_) => Group::Area,
            LicenseKind::Circle(_) => Group::Circle,
            LicenseKind::Country(_) => Group::Country,
            LicenseKind::Altitude(_) => Group::Altitude,
            LicenseKind::Polygon(_) => Group::Polygon,
            LicenseKind::Power(_) => Group::Power,
            LicenseKind::Rid(_) => Group::Rid,
            LicenseKind::Other { .. } => Group::Other,
        }
    }

    /// The group's `data-type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Area => "area",
            Group::Circle => "circle",
            Group::Country => "country",
            Group::Altitude => "altitude",
            Group::Polygon => "polygon",
            Group::Power => "power",
            Group::Rid => "rid",
            Group::Other => "other",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Group::Area => text::UNLOCK_GROUP_AREA.get(),
            Group::Circle => text::UNLOCK_GROUP_CIRCLE.get(),
            Group::Country => text::UNLOCK_GROUP_COUNTRY.get(),
            Group::Altitude => text::UNLOCK_GROUP_ALTITUDE.get(),
            Group::Polygon => text::UNLOCK_GROUP_POLYGON.get(),
            Group::Power => text::UNLOCK_GROUP_POWER.get(),
            Group::Rid => text::UNLOCK_GROUP_RID.get(),
            Group::Other => text::UNLOCK_GROUP_OTHER.get(),
        }
    }
}

/// The licenses by group, groups in [`Group`] order, only those with licenses; in a group by
/// name (ASCII case ignored), then id, so the list does not move between reads.
pub fn grouped(mut licenses: Vec<UnlockLicense>) -> Vec<(Group, Vec<UnlockLicense>)> {
    licenses.sort_by_cached_key(|l| {
        (
            Group::of(&l.license.kind),
            l.license.common.name.trim().to_ascii_lowercase(),
            l.license.id(),
        )
    });
    let mut groups: Vec<(Group, Vec<UnlockLicense>)> = Vec::new();
    for license in licenses {
        let group = Group::of(&license.license.kind);
        match groups.last_mut() {
            Some((last, items)) if *last == group => items.push(license),
            _ => groups.push((group, vec![license])),
        }
    }
    groups
}

/// Whether the panel can ask the gateway anything, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The cloud connection is not up: nothing reaches the controller.
    Offline,
    /// Pilot 2 gave no remote controller SN.
    NoController,
    /// The aircraft tab, and no aircraft connected.
    NoAircraft,
    /// Requests go to this gateway (the remote controller).
    Ready { gateway_sn: String },
}

/// Decides from the cloud connection, the tab and what Pilot 2 reports.
pub fn readiness(
    conn: Conn,
    domain: DeviceModelDomain,
    gateway_sn: &str,
    aircraft_sn: Option<&str>,
) -> Readiness {
    let gateway_sn = gateway_sn.trim();
    if conn != Conn::Connected {
        Readiness::Offline
    } else if gateway_sn.is_empty() {
        Readiness::NoController
    } else if domain == DeviceModelDomain::Aircraft
        && aircraft_sn.is_none_or(|sn| sn.trim().is_empty())
    {
        Readiness::NoAircraft
    } else {
        Readiness::Ready {
            gateway_sn: gateway_sn.to_owned(),
        }
    }
}

/// Whether "Try again" can help: not when the platform refused for a reason that stays (a bad
/// license file, another pilot's controller, no setup, the session).
pub fn retry_helps(error: &AppError) -> bool {
    if matches!(error, AppError::NoSession) {
        return false;
    }
    !matches!(
        error.code(),
        Some(
            ErrorCode::FingerprintMismatch
                | ErrorCode::DeviceForbidden
                | ErrorCode::DeviceNotConfigured
                | ErrorCode::Forbidden
                | ErrorCode::BadRequest
                | ErrorCode::NotFound
                | ErrorCode::TokenExpired
                | ErrorCode::TokenRevoked
                | ErrorCode::TokenInvalid
                | ErrorCode::TokenMissing
        )
    )
}

/// The state shown: the device's confirmation of the last switch, else the list's. Never the
/// state asked for.
pub fn shown_enabled(listed: bool, confirmed: Option<&UnlockSwitchResponse>) -> bool {
    confirmed.map_or(listed, |reply| reply.enabled)
}

/// ISO 3166-1 numeric → alpha-2, five characters an entry ("156CN"), by code: the page names
/// countries with the WebView's `Intl.DisplayNames`, in the page's language, from the alpha-2
/// code (no table of names in the bundle).
const REGIONS: &str = "\
    004AF008AL010AQ012DZ016AS020AD024AO028AG031AZ032AR036AU040AT044BS048BH050BD051AM\
    052BB056BE060BM064BT068BO070BA072BW074BV076BR084BZ086IO090SB092VG096BN100BG104MM\
    108BI112BY116KH120CM124CA132CV136KY140CF144LK148TD152CL156CN158TW162CX166CC170CO\
    174KM175YT178CG180CD184CK188CR191HR192CU196CY203CZ204BJ208DK212DM214DO218EC222SV\
    226GQ231ET232ER233EE234FO238FK239GS242FJ246FI248AX250FR254GF258PF260TF262DJ266GA\
    268GE270GM275PS276DE288GH292GI296KI300GR304GL308GD312GP316GU320GT324GN328GY332HT\
    334HM336VA340HN344HK348HU352IS356IN360ID364IR368IQ372IE376IL380IT384CI388JM392JP\
    398KZ400JO404KE408KP410KR414KW417KG418LA422LB426LS428LV430LR434LY438LI440LT442LU\
    446MO450MG454MW458MY462MV466ML470MT474MQ478MR480MU484MX492MC496MN498MD499ME500MS\
    504MA508MZ512OM516NA520NR524NP528NL531CW533AW534SX535BQ540NC548VU554NZ558NI562NE\
    566NG570NU574NF578NO580MP581UM583FM584MH585PW586PK591PA598PG600PY604PE608PH612PN\
    616PL620PT624GW626TL630PR634QA638RE642RO643RU646RW652BL654SH659KN660AI662LC663MF\
    666PM670VC674SM678ST682SA686SN688RS690SC694SL702SG703SK704VN705SI706SO710ZA716ZW\
    724ES728SS729SD732EH740SR744SJ748SZ752SE756CH760SY762TJ764TH768TG772TK776TO780TT\
    784AE788TN792TR795TM796TC798TV800UG804UA807MK818EG826GB831GG832JE833IM834TZ840US\
    850VI854BF858UY860UZ862VE876WF882WS887YE894ZM";

/// The ISO 3166-1 alpha-2 code ("CN") of a numeric code (156), when there is one.
pub fn region_code(country_number: i64) -> Option<&'static str> {
    let key = format!("{country_number:03}");
    (0..REGIONS.len() / 5)
        .map(|i| &REGIONS[i * 5..i * 5 + 5])
        .find(|entry| entry[..3] == key)
        .map(|entry| &entry[3..])
}

/// `data-validity` and the style class of a validity.
fn validity_style(v: Validity) -> (&'static str, &'static str) {
    match v {
        Validity::NotYetValid { .. } => ("not_yet_valid", "warn-text"),
        Validity::Valid { .. } => ("valid", "muted"),
        Validity::Expired { .. } => ("expired", "warn-text"),
    }
}

// --- the panel -----------------------------------------------------------------------------------

/// A country's or region's name in the page's language ("China", "中国", "Китай") by the
/// WebView's `Intl.DisplayNames`; its alpha-2 code where the WebView has no `Intl.DisplayNames`
/// (Chrome before 81); `None` for a code that is no country (the sentence then gives the code).
fn country_name(country_number: i64) -> Option<String> {
    use wasm_bindgen::JsCast;
    let region = region_code(country_number)?;
    // Looked up, not called blindly: a missing constructor would throw.
    let named = || -> Option<String> {
        let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DisplayNames".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"type".into(), &"region".into()).ok()?;
        let locales = js_sys::Array::of1(&crate::i18n::current().tag().into());
        let names: js_sys::Intl::DisplayNames =
            js_sys::Reflect::construct(&constructor, &js_sys::Array::of2(&locales, &options))
                .ok()?
                .unchecked_into();
        names.of(region).map(String::from)
    };
    Some(named().unwrap_or_else(|| region.to_owned()))
}

/// The device's answer to a license's last switch, and when it came (the page's clock).
type Switched = std::collections::HashMap<i64, (UnlockSwitchResponse, i64)>;

/// What a language change must not lose (the panels are built anew in each language), held
/// outside any panel: switches and an update waiting for the device, and the device's answers
/// to switches until a list read after them. A panel built anew shows them; an answer that
/// comes after the session ended is dropped ([`forget`]).
#[derive(Clone)]
struct Kept {
    /// License id → the state asked for, while the device has not answered.
    switching: ArcRwSignal<std::collections::HashMap<i64, bool>>,
    switched: ArcRwSignal<Switched>,
    /// An update waiting for the device.
    updating: ArcRwSignal<bool>,
    /// The device confirmed the last update.
    updated: ArcRwSignal<bool>,
}

thread_local! {
    static KEPT: Kept = Kept {
        switching: ArcRwSignal::new(Default::default()),
        switched: ArcRwSignal::new(Default::default()),
        updating: ArcRwSignal::new(false),
        updated: ArcRwSignal::new(false),
    };
    /// Counts [`forget`]s.
    static SESSION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The licenses whose Enable/Disable question is open.
    static QUESTIONS: std::cell::RefCell<std::collections::HashSet<i64>> =
        std::cell::RefCell::new(Default::default());
}

/// An Enable/Disable question open for `license_id`, kept across a language change.
fn question(license_id: i64) -> RwSignal<bool> {
    let open = RwSignal::new(QUESTIONS.with(|q| q.borrow().contains(&license_id)));
    Effect::new(move |_| {
        let now = open.get();
        QUESTIONS.with(|q| {
            let mut q = q.borrow_mut();
            if now {
                q.insert(license_id);
            } else {
                q.remove(&license_id);
            }
        });
    });
    open
}

fn kept() -> Kept {
    KEPT.with(Kept::clone)
}

fn session() -> u64 {
    SESSION.with(std::cell::Cell::get)
}

/// Forgets what [`Kept`] holds: the main page is gone.
pub fn forget() {
    SESSION.with(|s| s.set(s.get() + 1));
    QUESTIONS.with(|q| q.borrow_mut().clear());
    let kept = kept();
    kept.switching.set(Default::default());
    kept.switched.set(Default::default());
    kept.updating.set(false);
    kept.updated.set(false);
}

/// The update from the platform's license file: asking for it, whether it waits for the
/// device or was confirmed ([`Kept`]), and its failure as shown (one met offline is said not
/// done once the network is back). Owned by the panel, so the outcome stays across tabs.
#[derive(Clone, Copy)]
struct UpdateAction {
    run: Callback<String>,
    updating: RwSignal<bool>,
    updated: RwSignal<bool>,
    failed: ActionFailure,
}

/// This controller's and its aircraft's SNs as Pilot 2 reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sns {
    gateway: String,
    aircraft: Option<String>,
}

impl Sns {
    fn read() -> Sns {
        Sns {
            gateway: bridge::remote_controller_sn().unwrap_or_default(),
            // "" from Pilot 2 means no aircraft connected, not an error.
            aircraft: bridge::aircraft_sn().ok().flatten(),
        }
    }
}

/// A failure, with "Try again" when trying again can help.
fn failure(error: AppError, testid: &'static str, retry: Callback<()>) -> AnyView {
    if retry_helps(&error) {
        view! { <ErrorText error testid retry /> }.into_any()
    } else {
        view! { <ErrorText error testid /> }.into_any()
    }
}

/// Enable / Disable for one license: a question naming it, then the request; the state shown
/// changes only with the device's answer.
#[component]
fn Switch(
    license_id: i64,
    /// The license's name as shown.
    name: String,
    /// Where the request goes.
    gateway_sn: String,
    /// The state shown.
    enabled: Signal<bool>,
    /// Now: outside it, enabling is warned of.
    validity: Validity,
) -> impl IntoView {
    let name = StoredValue::new(name);
    let gateway_sn = StoredValue::new(gateway_sn);
    let confirming = question(license_id);
    // The state asked for last: what "Try again" asks again.
    let wanted = StoredValue::new(true);
    // met offline, it is said not done once the network is back
    let failed = ActionFailure::new();
    let switching = RwSignal::from(kept().switching);
    // Not this row's: the answer may come after a language change built the panel anew.
    let send = move |enable: bool| {
        wanted.set_value(enable);
        let (kept, asked_in, gateway_sn) = (kept(), session(), gateway_sn.get_value());
        kept.switching.update(|m| {
            m.insert(license_id, enable);
        });
        leptos::task::spawn_local(async move {
            let result = Api::new()
                .unlock_switch(license_id, &gateway_sn, enable)
                .await;
            if session() != asked_in {
                return;
            }
            kept.switching.update(|m| {
                m.remove(&license_id);
            });
            if let Ok(reply) = &result {
                let at = time::now_ms();
                kept.switched.update(|m| {
                    m.insert(license_id, (reply.clone(), at));
                });
            }
            failed.record(&result);
        });
    };
    let asked = move || switching.with(|m| m.get(&license_id).copied());
    let pending = Signal::derive(move || asked().is_some());
    let error = move || {
        if pending.get() {
            return None;
        }
        let retry = Callback::new(move |()| send(wanted.get_value()));
        if failed.missed_offline() {
            return Some(view! { <NotDoneOffline testid="unlock-missed" retry /> }.into_any());
        }
        let error = failed.get()?;
        Some(failure(error, "unlock-error", retry))
    };

    view! {
        <Show
            when=move || confirming.get()
            fallback=move || {
                view! {
                    <button
                        class:secondary=move || enabled.get()
                        data-testid="unlock-toggle"
                        disabled=move || pending.get()
                        on:click=move |_| confirming.set(true)
                    >
                        {move || {
                            if let Some(enable) = asked() {
                                text::unlock_switching(enable)
                            } else {
                                text::unlock_toggle(!enabled.get())
                            }
                        }}
                    </button>
                }
            }
        >
            <p data-testid="unlock-question">
                {move || name.with_value(|n| text::unlock_confirm(!enabled.get(), n))}
            </p>
            {move || {
                (!enabled.get())
                    .then(|| text::unlock_out_of_validity(validity, time::format_ms))
                    .flatten()
                    .map(|words| view! { <p class="notice" data-testid="unlock-validity-warning">{words}</p> })
            }}
            <div class="actions">
                <button
                    class:danger=move || enabled.get()
                    data-testid="unlock-confirm"
                    on:click=move |_| {
                        confirming.set(false);
                        send(!enabled.get_untracked());
                    }
                >
                    {move || text::unlock_toggle(!enabled.get())}
                </button>
                <button class="secondary" data-testid="unlock-cancel" on:click=move |_| confirming.set(false)>
                    {text::UNLOCK_CANCEL.get()}
                </button>
            </div>
        </Show>
        {error}
    }
}

/// One license: name, state, what it unlocks, validity, last change, and its switch.
#[component]
fn LicenseRow(
    item: UnlockLicense,
    /// Where switches go; `None` where the licenses are only shown (the Flysafe list).
    gateway_sn: Option<String>,
    /// Now, UNIX seconds.
    now_secs: i64,
) -> impl IntoView {
    let UnlockLicense {
        license,
        last_change,
    } = item;
    let id = license.id();
    let name = text::unlock_name(&license.common.name, id);
    let listed = license.common.enabled;
    // The device's answer to a switch since this list was asked for (maybe to a row of the
    // panel built before a language change).
    let switched = RwSignal::from(kept().switched);
    let confirmed = move || id.and_then(|id| switched.with(|m| m.get(&id).map(|(r, _)| r.clone())));
    let enabled = Signal::derive(move || shown_enabled(listed, confirmed().as_ref()));
    let change = move || match confirmed() {
        Some(reply) => reply.last_change,
        None => last_change.clone(),
    };
    let validity = license.common.validity(now_secs);
    let (validity_kind, validity_class) = validity_style(validity);
    // An `Other` without an id cannot be addressed.
    let switch = id.zip(gateway_sn).map(|(license_id, gateway_sn)| {
        view! { <Switch license_id name=name.clone() gateway_sn enabled validity /> }
    });

    view! {
        <li
            class="license"
            class:enabled=move || enabled.get()
            data-testid="unlock-license"
            data-license-id=id.map(|id| id.to_string())
            data-enabled=move || enabled.get().to_string()
        >
            <div class="head">
                <span class="name">{name}</span>
                // green only where enabled means unlocking: not outside the validity
                <span
                    class="badge"
                    class:ok=move || enabled.get() && matches!(validity, Validity::Valid { .. })
                    data-testid="unlock-state"
                >
                    {move || text::unlock_state(enabled.get())}
                </span>
            </div>
            <p data-testid="unlock-what">{text::unlock_what(&license.kind, country_name)}</p>
            <p class=validity_class data-testid="unlock-validity" data-validity=validity_kind>
                {text::unlock_validity(validity, time::format_ms)}
            </p>
            {move || {
                change()
                    .map(|c| {
                        view! {
                            <p class="muted" data-testid="unlock-last-change">
                                {text::unlock_last_change(&c, time::format_ms)}
                            </p>
                        }
                    })
            }}
            {switch}
        </li>
    }
}

/// The licenses of the answer shown, by group. Groups and rows are keyed (a row by all it
/// shows): a read listing a license unchanged keeps its row as it is, with an open question
/// or a switch waiting for the device, instead of building it anew.
#[component]
fn LicenseList(
    list: Loader<UnlockLicensesResponse>,
    /// Switches act on the aircraft's licenses; the Flysafe list is for reading.
    aircraft: bool,
    /// This controller.
    gateway_sn: String,
) -> impl IntoView {
    let gateway_sn = aircraft.then_some(gateway_sn);
    let now_secs = time::now_ms() / 1000;
    let groups = move || match list.get() {
        Load::Ready(response) => grouped(response.licenses),
        _ => Vec::new(),
    };
    let group_items = move |group: Group| {
        groups()
            .into_iter()
            .find(|(g, _)| *g == group)
            .map(|(_, items)| items)
            .unwrap_or_default()
    };
    view! {
        <For each=move || groups().into_iter().map(|(group, _)| group) key=|group| *group let:group>
            <section class="unlock-group" data-testid="unlock-group" data-type=group.as_str()>
                <h3>{group.title()} " (" {move || group_items(group).len()} ")"</h3>
                <ul class="licenses">
                    <For
                        each=move || group_items(group)
                        key=|item| serde_json::to_string(item).unwrap_or_default()
                        children={
                            let gateway_sn = gateway_sn.clone();
                            move |item| {
                                view! { <LicenseRow item gateway_sn=gateway_sn.clone() now_secs /> }
                            }
                        }
                    />
                </ul>
            </section>
        </For>
    }
}

/// "Update from the platform's license file", its progress and its outcome.
#[component]
fn UpdateLicenses(
    /// This controller.
    gateway_sn: String,
    /// Owned by the panel, so the outcome stays across tabs.
    update: UpdateAction,
) -> impl IntoView {
    let gateway_sn = StoredValue::new(gateway_sn);
    let run = move || update.run.run(gateway_sn.get_value());
    let pending = update.updating;
    let outcome = move || {
        if pending.get() {
            let progress = view! {
                <p class="notice" role="status" data-testid="unlock-update-progress">
                    {text::UNLOCK_UPDATE_PROGRESS.get()}
                </p>
            };
            return Some(progress.into_any());
        }
        if update.failed.missed_offline() {
            let retry = Callback::new(move |()| run());
            let missed = view! { <NotDoneOffline testid="unlock-update-missed" retry /> };
            return Some(missed.into_any());
        }
        if let Some(error) = update.failed.get() {
            return Some(failure(
                error,
                "unlock-update-outcome",
                Callback::new(move |()| run()),
            ));
        }
        update.updated.get().then(|| {
            view! {
                <p class="notice ok" role="status" data-testid="unlock-update-outcome" data-outcome="updated">
                    {text::UNLOCK_UPDATED.get()}
                </p>
            }
            .into_any()
        })
    };

    view! {
        <div class="actions">
            <button data-testid="unlock-update" disabled=move || pending.get() on:click=move |_| run()>
                {move || if pending.get() { text::UNLOCK_UPDATING.get() } else { text::UNLOCK_UPDATE.get() }}
            </button>
        </div>
        {outcome}
    }
}

/// What the panel shows when it can ask the gateway.
#[component]
fn Licenses(
    /// This controller.
    gateway_sn: String,
    tab: RwSignal<DeviceModelDomain>,
    list: Loader<UnlockLicensesResponse>,
    update: UpdateAction,
    /// Reads the list again.
    reload: Callback<()>,
) -> impl IntoView {
    let gateway_sn = StoredValue::new(gateway_sn);
    // The list's refusal already says this controller is not the pilot's to manage here: an
    // update would only be refused the same way.
    let forbidden = move || matches!(list.get(), Load::Failed(e) if e.code() == Some(ErrorCode::DeviceForbidden));
    // Only a change of what is shown (loading, no licenses, licenses, a failure) builds it
    // anew: a new read of the licenses goes to their rows.
    let shape = Memo::new(move |_| match list.get() {
        Load::Loading => Load::Loading,
        Load::Ready(r) => Load::Ready((
            r.domain == DeviceModelDomain::Aircraft,
            r.licenses.is_empty(),
        )),
        Load::Failed(e) => Load::Failed(e),
    });
    let inconsistent = move || {
        matches!(list.get(), Load::Ready(r) if r.consistence == Some(false)).then(|| {
            view! {
                <p class="notice" role="status" data-testid="unlock-consistence-banner">
                    {text::UNLOCK_INCONSISTENT.get()}
                </p>
            }
        })
    };

    view! {
        {inconsistent}
        <Show when=move || tab.get() == DeviceModelDomain::Aircraft && !forbidden()>
            <UpdateLicenses gateway_sn=gateway_sn.get_value() update />
        </Show>
        {refresh_note(list, "unlock-error")}
        {move || match shape.get() {
            Load::Loading => {
                view! { <p class="muted" data-testid="unlock-loading">{text::UNLOCK_LOADING.get()}</p> }
                    .into_any()
            }
            Load::Ready((aircraft, true)) => {
                let none = if aircraft {
                    text::UNLOCK_NONE_AIRCRAFT.get()
                } else {
                    text::UNLOCK_NONE_DOCK.get()
                };
                view! { <p class="muted" data-testid="unlock-empty">{none}</p> }.into_any()
            }
            Load::Ready((aircraft, false)) => {
                view! { <LicenseList list aircraft gateway_sn=gateway_sn.get_value() /> }.into_any()
            }
            Load::Failed(error) => failure(error, "unlock-error", reload),
        }}
    }
}

/// A sentence saying why nothing is offered.
fn notice(testid: &'static str, sentence: &'static str) -> AnyView {
    view! { <p class="notice" role="status" data-testid=testid>{sentence}</p> }.into_any()
}

/// The "Flight unlocking" panel.
#[component]
pub fn UnlockPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let sns = RwSignal::new(Sns::read());
    let tab = RwSignal::new(DeviceModelDomain::Aircraft);
    // A memo: the connection state may be set again unchanged; only a change matters.
    let ready = Memo::new(move |_| {
        sns.with(|s| readiness(ctx.conn.get(), tab.get(), &s.gateway, s.aircraft.as_deref()))
    });
    let list = Loader::<UnlockLicensesResponse>::new();
    // When the list shown was asked for: the device's answers to switches before it are in it.
    let asked_at = StoredValue::new(0i64);
    // Reads the list once it can be read, and anew when the tab, the gateway or the
    // connection changes; never while rendering.
    Effect::new(move |_| {
        let domain = tab.get();
        if let Readiness::Ready { gateway_sn } = ready.get() {
            asked_at.set_value(time::now_ms());
            list.load(move |api| {
                let gateway_sn = gateway_sn.clone();
                async move { api.unlock_licenses(domain, &gateway_sn).await }
            });
        }
    });
    // The same question again (Refresh, after an update): the list shown stays meanwhile. A
    // changed gateway, tab or connection is a new question, asked by the effect above.
    let reload = move || {
        if matches!(ready.get_untracked(), Readiness::Ready { .. }) {
            asked_at.set_value(time::now_ms());
            list.refresh();
        }
    };
    let switched = RwSignal::from(kept().switched);
    Effect::new(move |_| {
        if let Load::Ready(_) = list.get() {
            let asked = asked_at.get_value();
            switched.update(|m| m.retain(|_, (_, at)| *at > asked));
        }
    });
    // Pilot 2 may say it is connected a moment before the proxy hears the controller's first
    // status: a list refused as offline then is read again by itself, a few times, further
    // apart (3, 6, 12, 24 s).
    let offline_tries = StoredValue::new(0u32);
    let alive = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    on_cleanup({
        let alive = alive.clone();
        move || alive.store(false, std::sync::atomic::Ordering::Relaxed)
    });
    Effect::new(move |_| match list.get() {
        Load::Failed(e) if e.code() == Some(ErrorCode::DeviceOffline) => {
            let tries = offline_tries.get_value();
            if tries < 4 && matches!(ready.get_untracked(), Readiness::Ready { .. }) {
                offline_tries.set_value(tries + 1);
                let alive = alive.clone();
                crate::net::after(3_000 << tries, move || {
                    if alive.load(std::sync::atomic::Ordering::Relaxed) {
                        reload();
                    }
                });
            }
        }
        Load::Ready(_) => offline_tries.set_value(0),
        _ => {}
    });
    let read_sns = move || {
        let now = Sns::read();
        if sns.get_untracked() != now {
            sns.set(now);
        }
    };
    // The Cloud panel polls the aircraft's SN: a change there is a change here.
    let listener = window_event_listener_untyped(bridge::AIRCRAFT_CHANGED, move |_| read_sns());
    on_cleanup(move || listener.remove());
    let refresh = move |_| {
        read_sns();
        reload();
    };
    let failed = ActionFailure::new();
    let (updating, updated) = (
        RwSignal::from(kept().updating),
        RwSignal::from(kept().updated),
    );
    // Not this panel's: the answer may come after a language change built the panel anew.
    let run = Callback::new(move |gateway_sn: String| {
        let (kept, asked_in) = (kept(), session());
        if kept.updating.get_untracked() {
            return;
        }
        kept.updating.set(true);
        kept.updated.set(false);
        leptos::task::spawn_local(async move {
            let result = Api::new()
                .unlock_update(&gateway_sn, UpdateSource::OfflineFile)
                .await;
            if session() != asked_in {
                return;
            }
            kept.updating.set(false);
            kept.updated.set(result.is_ok());
            failed.record(&result);
        });
    });
    // The aircraft's licenses changed (maybe while the panel was built anew): read them again.
    Effect::new(move |was: Option<bool>| {
        let now = updated.get();
        if now && was == Some(false) {
            reload();
        }
        now
    });
    let update = UpdateAction {
        run,
        updating,
        updated,
        failed,
    };
    let tab_button = move |domain: DeviceModelDomain, label: &'static str, testid: &'static str| {
        view! {
            <button
                class="secondary"
                role="tab"
                data-testid=testid
                aria-selected=move || (tab.get() == domain).to_string()
                on:click=move |_| {
                    if tab.get_untracked() != domain {
                        tab.set(domain);
                    }
                }
            >
                {label}
            </button>
        }
    };

    view! {
        <section class="card" data-testid="unlock-panel">
            <h2>{text::UNLOCK_TITLE.get()}</h2>
            <div class="tabs" role="tablist">
                {tab_button(DeviceModelDomain::Aircraft, text::UNLOCK_TAB_AIRCRAFT.get(), "unlock-tab-aircraft")}
                {tab_button(DeviceModelDomain::Dock, text::UNLOCK_TAB_DOCK.get(), "unlock-tab-dock")}
            </div>
            <p class="muted">
                {move || match tab.get() {
                    DeviceModelDomain::Aircraft => text::UNLOCK_INTRO_AIRCRAFT.get(),
                    DeviceModelDomain::Dock => text::UNLOCK_INTRO_DOCK.get(),
                }}
            </p>
            {move || match ready.get() {
                Readiness::Offline => notice("unlock-offline", text::UNLOCK_OFFLINE.get()),
                Readiness::NoController => notice("unlock-no-controller", text::UNLOCK_NO_CONTROLLER.get()),
                Readiness::NoAircraft => notice("unlock-no-aircraft", text::UNLOCK_NO_AIRCRAFT.get()),
                Readiness::Ready { gateway_sn } => {
                    let reload = Callback::new(move |()| reload());
                    view! { <Licenses gateway_sn tab list update reload /> }.into_any()
                }
            }}
            <div class="actions">
                <button class="secondary" data-testid="unlock-refresh" on:click=refresh>
                    {text::UNLOCK_REFRESH.get()}
                </button>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilot_portal_shared::unlock::{
        AreaUnlock, CircleUnlock, CommonFields, HeightUnlock, JsonMap, License, PowerUnlock,
    };

    fn license(id: Option<i64>, name: &str, kind: LicenseKind) -> UnlockLicense {
        UnlockLicense {
            license: License {
                common: CommonFields {
                    license_id: id,
                    name: name.into(),
                    ..Default::default()
                },
                kind,
                extra: JsonMap::new(),
            },
            last_change: None,
        }
    }

    fn circle() -> LicenseKind {
        LicenseKind::Circle(CircleUnlock::default())
    }

    fn other(type_code: i64) -> LicenseKind {
        LicenseKind::Other {
            type_code,
            fields: JsonMap::new(),
        }
    }

    fn summary(groups: &[(Group, Vec<UnlockLicense>)]) -> Vec<(&'static str, Vec<Option<i64>>)> {
        groups
            .iter()
            .map(|(g, items)| (g.as_str(), items.iter().map(|l| l.license.id()).collect()))
            .collect()
    }

    #[test]
    fn licenses_are_grouped_in_the_documents_order_then_by_name() {
        let groups = grouped(vec![
            license(Some(9), "unknown", other(42)),
            license(Some(3), "b circle", circle()),
            license(Some(1), "Power", LicenseKind::Power(PowerUnlock::default())),
            license(Some(2), "A circle", circle()),
            license(None, "broken", other(-1)),
            license(
                Some(5),
                "zones",
                LicenseKind::Area(AreaUnlock {
                    area_ids: vec![1],
                    ..Default::default()
                }),
            ),
            license(
                Some(4),
                "500 m",
                LicenseKind::Altitude(HeightUnlock {
                    height: 500,
                    ..Default::default()
                }),
            ),
        ]);
        assert_eq!(
            summary(&groups),
            vec![
                ("area", vec![Some(5)]),
                ("circle", vec![Some(2), Some(3)]),
                ("altitude", vec![Some(4)]),
                ("power", vec![Some(1)]),
                ("other", vec![None, Some(9)]),
            ]
        );
    }

    #[test]
    fn same_names_keep_a_stable_order() {
        let groups = grouped(vec![
            license(Some(8), "Same", circle()),
            license(Some(7), "same", circle()),
        ]);
        assert_eq!(summary(&groups), vec![("circle", vec![Some(7), Some(8)])]);
        assert!(grouped(Vec::new()).is_empty());
    }

    #[test]
    fn every_kind_has_its_group() {
        assert_eq!(Group::of(&other(1)), Group::Other);
        assert_eq!(Group::of(&circle()), Group::Circle);
        let all = [
            Group::Area,
            Group::Circle,
            Group::Country,
            Group::Altitude,
            Group::Polygon,
            Group::Power,
            Group::Rid,
            Group::Other,
        ];
        let names: Vec<_> = all.iter().map(|g| g.as_str()).collect();
        assert_eq!(
            names,
            ["area", "circle", "country", "altitude", "polygon", "power", "rid", "other"]
        );
        assert!(all.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn nothing_is_asked_offline_or_without_an_aircraft() {
        use DeviceModelDomain::{Aircraft, Dock};
        let ready = Readiness::Ready {
            gateway_sn: "RC1".into(),
        };
        for conn in [Conn::Off, Conn::Connecting, Conn::Disconnected] {
            assert_eq!(
                readiness(conn, Aircraft, "RC1", Some("AC1")),
                Readiness::Offline
            );
            assert_eq!(readiness(conn, Dock, "RC1", None), Readiness::Offline);
        }
        assert_eq!(
            readiness(Conn::Connected, Aircraft, "RC1", None),
            Readiness::NoAircraft
        );
        assert_eq!(
            readiness(Conn::Connected, Aircraft, "RC1", Some(" ")),
            Readiness::NoAircraft
        );
        assert_eq!(
            readiness(Conn::Connected, Aircraft, "", Some("AC1")),
            Readiness::NoController
        );
        assert_eq!(
            readiness(Conn::Connected, Aircraft, " RC1 ", Some("AC1")),
            ready
        );
        // The Flysafe list needs the controller only.
        assert_eq!(readiness(Conn::Connected, Dock, "RC1", None), ready);
    }

    fn api_error(code: ErrorCode) -> AppError {
        AppError::Api {
            status: 400,
            code,
            message: "m".into(),
            retry_after_secs: None,
            upstream_code: None,
        }
    }

    #[test]
    fn retry_is_offered_where_it_can_help() {
        assert!(retry_helps(&api_error(ErrorCode::DeviceTimeout)));
        assert!(retry_helps(&api_error(ErrorCode::DeviceOffline)));
        assert!(retry_helps(&api_error(ErrorCode::DeviceError)));
        assert!(retry_helps(&AppError::Network("x".into())));
        assert!(!retry_helps(&api_error(ErrorCode::FingerprintMismatch)));
        assert!(!retry_helps(&api_error(ErrorCode::DeviceForbidden)));
        assert!(!retry_helps(&api_error(ErrorCode::TokenExpired)));
        assert!(!retry_helps(&AppError::NoSession));
    }

    #[test]
    fn the_state_shown_is_the_devices() {
        let reply = |enabled| UnlockSwitchResponse {
            license_id: 1,
            enabled,
            last_change: None,
        };
        assert!(!shown_enabled(false, None));
        assert!(shown_enabled(false, Some(&reply(true))));
        assert!(!shown_enabled(true, Some(&reply(false))));
    }

    #[test]
    fn countries_by_their_alpha_2_code() {
        assert_eq!(region_code(156), Some("CN"));
        assert_eq!(region_code(4), Some("AF"));
        assert_eq!(region_code(643), Some("RU"));
        assert_eq!(region_code(826), Some("GB"));
        assert_eq!(region_code(840), Some("US"));
        assert_eq!(region_code(158), Some("TW"));
        assert_eq!(region_code(344), Some("HK"));
        assert_eq!(region_code(446), Some("MO"));
        assert_eq!(region_code(894), Some("ZM"));
        for no_country in [0, 999, -1, -156, 1156, 15] {
            assert_eq!(region_code(no_country), None, "{no_country}");
        }
    }

    #[test]
    fn the_region_table_is_well_formed_and_knows_every_country_the_shared_crate_names() {
        assert_eq!(REGIONS.len() % 5, 0);
        let entries: Vec<&str> = (0..REGIONS.len() / 5)
            .map(|i| &REGIONS[i * 5..i * 5 + 5])
            .collect();
        assert_eq!(entries.len(), 249, "ISO 3166-1 has 249 codes");
        for entry in &entries {
            let (code, alpha) = entry.split_at(3);
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{entry}");
            assert!(alpha.bytes().all(|b| b.is_ascii_uppercase()), "{entry}");
        }
        assert!(
            entries.windows(2).all(|w| w[0][..3] < w[1][..3]),
            "sorted, no repeats"
        );
        for code in 0..1000 {
            if pilot_portal_shared::unlock::country_name(code).is_some() {
                assert!(region_code(code).is_some(), "{code}");
            }
        }
    }

    #[test]
    fn validity_is_marked() {
        assert_eq!(validity_style(Validity::Expired { at: 1 }).0, "expired");
        assert_eq!(
            validity_style(Validity::NotYetValid { from: 1 }).0,
            "not_yet_valid"
        );
        assert_eq!(validity_style(Validity::Valid { until: None }).0, "valid");
    }
}
