//! Every sentence a pilot reads, in one place and in every language (see `crate::i18n`):
//! screens and panels only choose which one. A [`Tr`] holds a fixed sentence in English,
//! Chinese and Russian; functions `match` on the language where a sentence has parts.

use crate::bridge::BridgeError;
use crate::error::AppError;
use crate::i18n::{current, Lang, Tr};
use crate::session::plan::LoginReason;
use crate::state::{Conn, Failure};
use crate::time;
use pilot_portal_shared::unlock::{LicenseChange, LicenseKind, RidLevel, Validity};
use pilot_portal_shared::{ErrorCode, XagOutcome};

/// A fixed sentence in the three languages.
const fn tr(en: &'static str, zh: &'static str, ru: &'static str) -> Tr {
    Tr { en, zh, ru }
}

/// A date and time as the pilot reads it: "22 Nov 2026, 14:05", "2026年11月22日 14:05",
/// "22 нояб. 2026 г., 14:05" (the forms of `Intl`'s medium date and short time); `month` is
/// 1 to 12. Spelled out here, not by `Intl` (why: `crate::time`).
pub fn date_time(lang: Lang, year: u32, month: u32, day: u32, hour: u32, minute: u32) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const RU: [&str; 12] = [
        "янв.",
        "февр.",
        "мар.",
        "апр.",
        "мая",
        "июн.",
        "июл.",
        "авг.",
        "сент.",
        "окт.",
        "нояб.",
        "дек.",
    ];
    let m = month.clamp(1, 12) as usize - 1;
    match lang {
        Lang::En => format!("{day} {} {year}, {hour:02}:{minute:02}", EN[m]),
        Lang::Zh => format!("{year}年{month}月{day}日 {hour:02}:{minute:02}"),
        Lang::Ru => format!("{day} {} {year} г., {hour:02}:{minute:02}", RU[m]),
    }
}

/// What the pilot reads for a failure: what happened and what to do.
pub fn error(e: &AppError) -> String {
    let lang = current();
    match e {
        AppError::Bridge(BridgeError::Missing) => tr(
            "Open this page in DJI Pilot 2 → Cloud Service → Open Platforms.",
            "请在 DJI Pilot 2 中打开本页面：云服务 → 开放平台。",
            "Откройте эту страницу в DJI Pilot 2 → Облачный сервис → Открытые платформы.",
        )
        .of(lang)
        .into(),
        AppError::Bridge(e) => match lang {
            Lang::En => format!("DJI Pilot 2 reported a problem: {}", bridge(e)),
            Lang::Zh => format!("DJI Pilot 2 报告了一个问题：{}", bridge(e)),
            Lang::Ru => format!("DJI Pilot 2 сообщил о проблеме: {}", bridge(e)),
        },
        AppError::Network(_) => tr(
            "No connection to the platform. Check the controller's network (Wi-Fi or 4G dongle) \
             and try again.",
            "无法连接平台。请检查遥控器的网络（Wi-Fi 或 4G 上网卡）后重试。",
            "Нет связи с платформой. Проверьте сеть пульта (Wi-Fi или 4G-модем) и повторите.",
        )
        .of(lang)
        .into(),
        AppError::Decode(_) => tr(
            "The platform sent an answer this page does not understand. Try again; if it \
             persists, tell your platform administrator.",
            "平台返回了本页面无法识别的应答。请重试；如仍出现，请告知平台管理员。",
            "Платформа прислала ответ, который эта страница не понимает. Повторите; если не \
             поможет, сообщите администратору платформы.",
        )
        .of(lang)
        .into(),
        AppError::NoSession => tr(
            "You are not signed in. Log in again.",
            "您尚未登录，请重新登录。",
            "Вы не вошли в систему. Войдите снова.",
        )
        .of(lang)
        .into(),
        AppError::InvalidWorkspaceId(id) => match lang {
            Lang::En => format!(
                "The project id \"{id}\" is not one DJI Pilot 2 accepts as a workspace. Choose \
                 another project or tell your platform administrator."
            ),
            Lang::Zh => format!(
                "项目 ID“{id}”不能作为 DJI Pilot 2 的工作空间。请选择其他项目或告知平台管理员。"
            ),
            Lang::Ru => format!(
                "Идентификатор проекта «{id}» DJI Pilot 2 не принимает как рабочее пространство. \
                 Выберите другой проект или сообщите администратору платформы."
            ),
        },
        AppError::Page(what) => match lang {
            Lang::En => format!(
                "This page could not finish loading ({what}). Close it and open it again; if it \
                 persists, update DJI Pilot 2."
            ),
            Lang::Zh => format!(
                "本页面未能加载完成（{what}）。请关闭后重新打开；如仍出现，请更新 DJI Pilot 2。"
            ),
            Lang::Ru => format!(
                "Страница не загрузилась полностью ({what}). Закройте и откройте её снова; если \
                 не поможет, обновите DJI Pilot 2."
            ),
        },
        AppError::Api {
            code,
            retry_after_secs,
            upstream_code,
            ..
        } => api(lang, *code, *retry_after_secs, *upstream_code),
    }
}

/// The words for each of the proxy's codes. The proxy's own message is never shown: it is in
/// English, for operators.
fn api(
    lang: Lang,
    code: ErrorCode,
    retry_after_secs: Option<u64>,
    upstream_code: Option<i64>,
) -> String {
    let fixed = |t: Tr| t.of(lang).to_owned();
    // Only the signed-in pages meet the device errors that carry a code.
    #[cfg(not(feature = "full"))]
    let _ = upstream_code;
    match code {
        #[cfg(feature = "full")]
        ErrorCode::DeviceOffline => fixed(tr(
            "This controller is not online on the platform's cloud. Check the cloud connection \
             above, then try again.",
            "本遥控器未在平台云端上线。请检查上方的云连接后重试。",
            "Этот пульт не в сети облака платформы. Проверьте облачное подключение выше и \
             повторите.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::DeviceTimeout => fixed(tr(
            "This controller did not answer in time. Try again; if it keeps happening, restart \
             DJI Pilot 2's cloud connection.",
            "本遥控器未及时应答。请重试；如反复出现，请重新连接 DJI Pilot 2 的云服务。",
            "Пульт не ответил вовремя. Повторите; если это повторяется, перезапустите облачное \
             подключение DJI Pilot 2.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::DeviceError => {
            let c = upstream_code.map(|c| c.to_string()).unwrap_or_default();
            match (lang, upstream_code.is_some()) {
                (Lang::En, true) => format!(
                    "The aircraft refused the request (code {c}). Check the aircraft, then try \
                     again."
                ),
                (Lang::En, false) => {
                    "The aircraft refused the request. Check the aircraft, then try again.".into()
                }
                (Lang::Zh, true) => format!("飞行器拒绝了该请求（代码 {c}）。请检查飞行器后重试。"),
                (Lang::Zh, false) => "飞行器拒绝了该请求。请检查飞行器后重试。".into(),
                (Lang::Ru, true) => {
                    format!("Дрон отклонил запрос (код {c}). Проверьте дрон и повторите.")
                }
                (Lang::Ru, false) => "Дрон отклонил запрос. Проверьте дрон и повторите.".into(),
            }
        }
        #[cfg(feature = "full")]
        ErrorCode::DeviceForbidden => fixed(tr(
            "You can only manage the controller you are signed in on, in a workspace it belongs \
             to: if it is in another project, choose that one with Change workspace.",
            "您只能管理当前登录的遥控器，且须在它所属的工作空间中：如果它属于其他项目，请用“更换工作空间”选择该项目。",
            "Можно управлять только пультом, на котором вы вошли, и только в рабочем пространстве, \
             к которому он относится: если он в другом проекте, выберите его через «Сменить \
             рабочее пространство».",
        )),
        #[cfg(feature = "full")]
        ErrorCode::DeviceNotConfigured => fixed(tr(
            "Flight unlocking is not set up on this platform. Ask your platform administrator.",
            "本平台未配置飞行解禁。请联系平台管理员。",
            "Разблокировка полётов на этой платформе не настроена. Обратитесь к администратору \
             платформы.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::FingerprintMismatch => fixed(tr(
            "The aircraft rejected the license file: its checksum did not match. Ask your \
             platform administrator to upload the file again.",
            "飞行器拒绝了解禁证书文件：校验值不一致。请让平台管理员重新上传该文件。",
            "Дрон отклонил файл лицензий: контрольная сумма не совпала. Попросите администратора \
             платформы загрузить файл заново.",
        )),
        ErrorCode::InvalidCredentials => fixed(tr(
            "Wrong username or password. Check them and try again.",
            "用户名或密码错误。请检查后重试。",
            "Неверное имя пользователя или пароль. Проверьте их и повторите.",
        )),
        ErrorCode::TooManyAttempts => {
            let w = wait(lang, retry_after_secs.unwrap_or(60));
            match lang {
                Lang::En => format!("Too many login attempts. Wait {w} and try again."),
                Lang::Zh => format!("登录尝试次数过多。请等待 {w} 后重试。"),
                Lang::Ru => format!("Слишком много попыток входа. Подождите {w} и повторите."),
            }
        }
        ErrorCode::UpstreamUnreachable => fixed(tr(
            "The platform cannot be reached right now. Try again in a moment.",
            "暂时无法连接平台。请稍后重试。",
            "Платформа сейчас недоступна. Повторите чуть позже.",
        )),
        ErrorCode::UpstreamTimeout => fixed(tr(
            "The platform is not answering. Try again in a moment.",
            "平台无响应。请稍后重试。",
            "Платформа не отвечает. Повторите чуть позже.",
        )),
        ErrorCode::UpstreamError
        | ErrorCode::Internal
        | ErrorCode::MethodNotAllowed
        | ErrorCode::RequestTimeout
        | ErrorCode::Unknown => fixed(PLATFORM_PROBLEM),
        #[cfg(feature = "full")]
        ErrorCode::TokenExpired => fixed(tr(
            "Your session has expired. Please log in again.",
            "您的会话已过期。请重新登录。",
            "Срок вашего сеанса истёк. Войдите снова.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::TokenRevoked => fixed(tr(
            "This controller's access was revoked on the platform. Please log in again.",
            "本遥控器的访问权限已在平台上被撤销。请重新登录。",
            "Доступ этого пульта отозван на платформе. Войдите снова.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::TokenInvalid | ErrorCode::TokenMissing => fixed(tr(
            "Your session is no longer valid. Please log in again.",
            "您的会话已失效。请重新登录。",
            "Ваш сеанс больше не действителен. Войдите снова.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::XagNotConfigured => fixed(tr(
            "XAG linking is not set up on this platform. Ask your platform administrator.",
            "本平台未配置极飞账号关联。请联系平台管理员。",
            "Привязка XAG на этой платформе не настроена. Обратитесь к администратору платформы.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::XagRefused => fixed(tr(
            "XAG refused the platform's request. Ask your platform administrator to check the \
             XAG credentials.",
            "极飞拒绝了平台的请求。请让平台管理员检查极飞凭据。",
            "XAG отклонил запрос платформы. Попросите администратора проверить учётные данные \
             XAG.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::LinkStateInvalid => fixed(tr(
            "The XAG link request expired. Try again.",
            "极飞关联请求已过期。请重试。",
            "Запрос на привязку XAG устарел. Повторите.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::FlightHubNotConfigured => fixed(tr(
            "FlightHub 2 is not set up on this platform. Ask your platform administrator.",
            "本平台未配置司空 2（FlightHub 2）。请联系平台管理员。",
            "FlightHub 2 на этой платформе не настроен. Обратитесь к администратору платформы.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::FlightHubKeyInvalid => fixed(tr(
            "FlightHub 2 rejected the platform's organization key. Ask your platform \
             administrator.",
            "司空 2 拒绝了平台的组织密钥。请联系平台管理员。",
            "FlightHub 2 отклонил ключ организации платформы. Обратитесь к администратору \
             платформы.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::FlightHubForbidden => fixed(tr(
            "The platform has no FlightHub 2 permission on this project. Choose another project \
             or ask your platform administrator.",
            "平台没有该项目的司空 2 权限。请选择其他项目或联系平台管理员。",
            "У платформы нет прав FlightHub 2 на этот проект. Выберите другой проект или \
             обратитесь к администратору платформы.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::WorkspaceForbidden => fixed(tr(
            "This project is not one of yours on this platform. Choose another project, or ask \
             your platform administrator for access.",
            "该项目不属于您在本平台上的项目。请选择其他项目，或向平台管理员申请权限。",
            "Этот проект вам на этой платформе не доступен. Выберите другой проект или \
             попросите доступ у администратора платформы.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::RateLimited => {
            let w = wait(lang, retry_after_secs.unwrap_or(30));
            match lang {
                // FlightHub 2, the token API or the proxy's own limits (XAG link starts)
                Lang::En => format!("Too many requests for now. Try again in {w}."),
                Lang::Zh => format!("请求过于频繁。请在 {w} 后重试。"),
                Lang::Ru => format!("Слишком много запросов. Повторите через {w}."),
            }
        }
        #[cfg(feature = "full")]
        ErrorCode::Forbidden => fixed(tr(
            "The platform does not allow this with your account. Ask your platform \
             administrator.",
            "平台不允许您的账号执行此操作。请联系平台管理员。",
            "Платформа не разрешает это вашей учётной записи. Обратитесь к администратору \
             платформы.",
        )),
        #[cfg(feature = "full")]
        ErrorCode::TokenScopeMissing => fixed(TOKENS_NO_PERMISSION),
        #[cfg(feature = "full")]
        ErrorCode::TokenRequestRefused => fixed(TOKENS_REQUEST_REFUSED),
        #[cfg(feature = "full")]
        ErrorCode::RenewalInProgress => fixed(tr(
            "Your session is being renewed on another screen. Try again in a moment.",
            "您的会话正在另一个界面中续期。请稍后重试。",
            "Ваш сеанс сейчас продлевается на другом экране. Повторите чуть позже.",
        )),
        ErrorCode::UpstreamUnsupported => fixed(tr(
            "The platform answered in a way this portal is not set up for. Tell your platform \
             administrator.",
            "平台的应答方式不在本门户的配置范围内。请告知平台管理员。",
            "Платформа ответила так, как этот портал не настроен понимать. Сообщите \
             администратору платформы.",
        )),
        ErrorCode::NotFound => fixed(tr(
            "The platform does not know this request. Update the page (close and reopen it); if \
             it persists, tell your platform administrator.",
            "平台无法识别此请求。请更新页面（关闭后重新打开）；如仍出现，请告知平台管理员。",
            "Платформа не знает такого запроса. Обновите страницу (закройте и откройте снова); \
             если не поможет, сообщите администратору платформы.",
        )),
        ErrorCode::PayloadTooLarge => fixed(tr(
            "That is more than the platform accepts. Shorten it and try again.",
            "内容超出平台可接受的大小。请缩短后重试。",
            "Это больше, чем принимает платформа. Сократите и повторите.",
        )),
        ErrorCode::BadRequest => fixed(tr(
            "The platform could not accept this request. Check what you entered and try again.",
            "平台无法接受此请求。请检查输入的内容后重试。",
            "Платформа не может принять этот запрос. Проверьте введённые данные и повторите.",
        )),
        // The first-screen bundle only logs in and reads the config: what only the signed-in
        // pages can meet stays out of it (with its three languages).
        #[cfg(not(feature = "full"))]
        _ => fixed(PLATFORM_PROBLEM),
    }
}

const PLATFORM_PROBLEM: Tr = tr(
    "The platform had a problem. Try again; if it persists, tell your platform administrator.",
    "平台出现问题。请重试；如仍出现，请告知平台管理员。",
    "На платформе произошла ошибка. Повторите; если не поможет, сообщите администратору \
     платформы.",
);

/// Pilot 2's own words when it refused (DJI's text, as DJI gives it), else what failed.
pub fn bridge(e: &BridgeError) -> String {
    match e {
        BridgeError::Refused { message, code, .. } if !message.is_empty() => {
            format!("{message} (code {code})")
        }
        other => other.to_string(),
    }
}

/// "42 seconds", "3 minutes", in `lang`.
fn wait(lang: Lang, secs: u64) -> String {
    let minutes = secs.div_ceil(60);
    match (lang, secs < 90) {
        (Lang::En, true) => format!("{secs} seconds"),
        (Lang::En, false) => format!("{minutes} minutes"),
        (Lang::Zh, true) => format!("{secs} 秒"),
        (Lang::Zh, false) => format!("{minutes} 分钟"),
        (Lang::Ru, true) => format!("{secs} с"),
        (Lang::Ru, false) => format!("{minutes} мин"),
    }
}

/// Why the pilot is on the login page.
pub fn login_reason(reason: &LoginReason) -> String {
    let lang = current();
    match reason {
        LoginReason::Expired { at_ms: Some(at) } => {
            let at = time::format_ms(*at);
            match lang {
                Lang::En => format!("Your session expired on {at}. Please log in again."),
                Lang::Zh => format!("您的会话已于 {at} 过期。请重新登录。"),
                Lang::Ru => format!("Срок вашего сеанса истёк {at}. Войдите снова."),
            }
        }
        LoginReason::Expired { at_ms: None } => tr(
            "Your session has expired. Please log in again.",
            "您的会话已过期。请重新登录。",
            "Срок вашего сеанса истёк. Войдите снова.",
        )
        .of(lang)
        .into(),
        LoginReason::Revoked => tr(
            "This controller's access was revoked on the platform (for example from another \
             controller's Access tokens panel). Please log in again.",
            "本遥控器的访问权限已在平台上被撤销（例如在另一台遥控器的“访问令牌”面板中）。请重新登录。",
            "Доступ этого пульта отозван на платформе (например, с панели «Токены доступа» \
             другого пульта). Войдите снова.",
        )
        .of(lang)
        .into(),
        LoginReason::RevokedHere => tr(
            "You revoked this controller's access, so you are logged out here. Log in again to \
             use the platform from this controller.",
            "您已撤销本遥控器的访问权限，因此已在此退出登录。如需在本遥控器上使用平台，请重新登录。",
            "Вы отозвали доступ этого пульта, поэтому здесь выполнен выход. Войдите снова, чтобы \
             пользоваться платформой с этого пульта.",
        )
        .of(lang)
        .into(),
        LoginReason::Invalid => tr(
            "Your session is no longer valid. Please log in again.",
            "您的会话已失效。请重新登录。",
            "Ваш сеанс больше не действителен. Войдите снова.",
        )
        .of(lang)
        .into(),
        LoginReason::LoggedOut => tr("You have logged out.", "您已退出登录。", "Вы вышли из системы.")
            .of(lang)
            .into(),
    }
}

/// The title of a failure screen: what could not be done.
pub fn failure_title(what: Failure) -> &'static str {
    match what {
        Failure::Config => tr(
            "Cannot load the platform settings",
            "无法加载平台设置",
            "Не удаётся загрузить настройки платформы",
        ),
        Failure::ReadSession => tr(
            "Cannot read the stored session",
            "无法读取已保存的会话",
            "Не удаётся прочитать сохранённый сеанс",
        ),
        Failure::CheckSession => tr(
            "Cannot check your session",
            "无法检查您的会话",
            "Не удаётся проверить ваш сеанс",
        ),
        Failure::StoreSession => tr(
            "Cannot store the new session",
            "无法保存新的会话",
            "Не удаётся сохранить новый сеанс",
        ),
        Failure::Bootstrap => tr(
            "Cannot load your pilot settings",
            "无法加载您的飞手设置",
            "Не удаётся загрузить ваши настройки пилота",
        ),
        Failure::StartCloud => tr(
            "Cannot start the cloud connection",
            "无法启动云连接",
            "Не удаётся запустить облачное подключение",
        ),
        Failure::CheckCloud => tr(
            "Cannot check the cloud connection",
            "无法检查云连接",
            "Не удаётся проверить облачное подключение",
        ),
        Failure::SetWorkspace => tr(
            "Cannot set the workspace in Pilot 2",
            "无法在 Pilot 2 中设置工作空间",
            "Не удаётся задать рабочее пространство в Pilot 2",
        ),
        Failure::LoadFull => tr(
            "Cannot load the rest of the page",
            "无法加载页面的其余部分",
            "Не удаётся загрузить остальную часть страницы",
        ),
    }
    .get()
}

/// DJI refused the license: the title, and what to check.
pub const LICENSE_TITLE: Tr = tr(
    "DJI app license not verified",
    "DJI 应用许可未通过验证",
    "Лицензия приложения DJI не подтверждена",
);
pub const LICENSE_CHECK: Tr = tr("Check:", "请检查：", "Проверьте:");
pub const LICENSE_CHECKS: [Tr; 3] = [
    tr(
        "The App ID, App Key and License configured on the platform match the Cloud API app on \
         developer.dji.com (ask your platform administrator).",
        "平台上配置的 App ID、App Key 和 License 与 developer.dji.com 上的云 API 应用一致（请询问平台管理员）。",
        "App ID, App Key и License, заданные на платформе, совпадают с приложением Cloud API на \
         developer.dji.com (уточните у администратора платформы).",
    ),
    tr(
        "The controller is online: DJI checks the license over the network.",
        "遥控器已联网：DJI 通过网络验证许可。",
        "Пульт в сети: DJI проверяет лицензию через интернет.",
    ),
    tr(
        "DJI Pilot 2 is up to date.",
        "DJI Pilot 2 已是最新版本。",
        "Установлена последняя версия DJI Pilot 2.",
    ),
];
pub const LICENSE_NOT_ACCEPTED: Tr = tr(
    "DJI Pilot 2 did not accept the app license.",
    "DJI Pilot 2 未接受该应用许可。",
    "DJI Pilot 2 не принял лицензию приложения.",
);
pub const LICENSE_NOT_VERIFIED: Tr = tr(
    "DJI Pilot 2 reports the license as not verified.",
    "DJI Pilot 2 报告许可未通过验证。",
    "DJI Pilot 2 сообщает, что лицензия не подтверждена.",
);

pub const STEP_LICENSE: Tr = tr(
    "Verifying the DJI app license…",
    "正在验证 DJI 应用许可…",
    "Проверка лицензии приложения DJI…",
);
pub const STEP_SESSION: Tr = tr(
    "Checking your session…",
    "正在检查您的会话…",
    "Проверка вашего сеанса…",
);
pub const STEPS: [Tr; 3] = [
    tr("License", "许可", "Лицензия"),
    tr("Session", "会话", "Сеанс"),
    tr("Ready", "就绪", "Готово"),
];
pub const START_PROGRESS: Tr = tr("Start progress", "启动进度", "Ход запуска");
pub const LOADING: Tr = tr("Loading…", "加载中…", "Загрузка…");
pub const TRY_AGAIN: Tr = tr("Try again", "重试", "Повторить");
/// An action tried offline, once the network is back (the panels only).
pub const NOT_DONE_OFFLINE: Tr = tr(
    "Not done: the controller was offline. The network is back — try again.",
    "未完成：当时遥控器处于离线状态。网络已恢复，请重试。",
    "Не выполнено: пульт был без сети. Сеть вернулась — повторите.",
);
pub const LANGUAGE: Tr = tr("Language", "语言", "Язык");

pub const NOT_IN_PILOT_TITLE: Tr = tr(
    "Open this page in DJI Pilot 2",
    "请在 DJI Pilot 2 中打开本页面",
    "Откройте эту страницу в DJI Pilot 2",
);
pub const NOT_IN_PILOT_HOW: Tr = tr(
    "In DJI Pilot 2 go to Cloud Service → Open Platforms, enter this page's address and tap \
     Connect.",
    "在 DJI Pilot 2 中进入 云服务 → 开放平台，输入本页面地址并点击连接。",
    "В DJI Pilot 2 откройте Облачный сервис → Открытые платформы, введите адрес этой страницы \
     и нажмите «Подключить».",
);
pub const NOT_IN_PILOT_TESTING: Tr = tr(
    "Testing in a browser? Continue with a simulated Pilot 2.",
    "在浏览器中测试？可使用模拟的 Pilot 2 继续。",
    "Проверяете в браузере? Продолжите с имитацией Pilot 2.",
);
pub const USE_EMULATOR: Tr = tr(
    "Continue with simulated Pilot 2",
    "使用模拟的 Pilot 2 继续",
    "Продолжить с имитацией Pilot 2",
);

pub const LOG_IN_TITLE: Tr = tr("Log in", "登录", "Вход");
pub const USERNAME: Tr = tr("Username", "用户名", "Имя пользователя");
pub const PASSWORD: Tr = tr("Password", "密码", "Пароль");
pub const LOG_IN: Tr = tr("Log in", "登录", "Войти");
pub const LOGGING_IN: Tr = tr("Logging in…", "正在登录…", "Вход…");
pub const ENTER_BOTH: Tr = tr(
    "Enter both your username and your password.",
    "请输入用户名和密码。",
    "Введите имя пользователя и пароль.",
);

/// The cloud (MQTT) connection: a style class and the sentence.
pub fn conn(c: Conn) -> (&'static str, &'static str) {
    let (class, t) = match c {
        Conn::Off => (
            "off",
            tr("Not configured for this pilot", "未为该飞手配置", "Не настроено для этого пилота"),
        ),
        Conn::Connecting => ("pending", tr("Connecting…", "正在连接…", "Подключение…")),
        Conn::Connected => ("ok", tr("Connected", "已连接", "Подключено")),
        Conn::Disconnected => (
            "warn",
            tr(
                "Disconnected — trying again by itself. Check the controller's network.",
                "已断开——正在自动重连。请检查遥控器的网络。",
                "Отключено — подключаемся снова автоматически. Проверьте сеть пульта.",
            ),
        ),
        Conn::Failed => (
            "bad",
            tr(
                "Cannot connect to the platform's MQTT broker: it cannot be reached from this \
                 controller, or it refused your MQTT account. Check the controller's network; \
                 if the network is fine, ask your platform administrator to check your MQTT \
                 account.",
                "无法连接平台的 MQTT 服务器：本遥控器无法访问它，或它拒绝了您的 MQTT 账号。请检查遥控器的网络；如网络正常，请让平台管理员检查您的 MQTT 账号。",
                "Не удаётся подключиться к MQTT-брокеру платформы: он недоступен с этого пульта \
                 или отклонил вашу учётную запись MQTT. Проверьте сеть пульта; если сеть в \
                 порядке, попросите администратора проверить вашу учётную запись MQTT.",
            ),
        ),
    };
    (class, t.get())
}

/// How an XAG link attempt ended: a style class and the sentence.
pub fn xag_outcome(outcome: XagOutcome) -> (&'static str, &'static str) {
    let t = match outcome {
        XagOutcome::Linked => tr("XAG account linked.", "极飞账号已关联。", "Учётная запись XAG привязана."),
        XagOutcome::Denied => tr(
            "Not linked: the authorization was cancelled on XAG's page.",
            "未关联：已在极飞页面上取消授权。",
            "Не привязано: авторизация отменена на странице XAG.",
        ),
        XagOutcome::StateInvalid => tr(
            "Not linked: the link request expired or was already used. Tap Link XAG account to \
             try again.",
            "未关联：关联请求已过期或已被使用。请点击“关联极飞账号”重试。",
            "Не привязано: запрос на привязку устарел или уже использован. Нажмите «Привязать \
             XAG», чтобы повторить.",
        ),
        XagOutcome::CodeRejected => tr(
            "Not linked: XAG's authorization code expired. Tap Link XAG account to try again.",
            "未关联：极飞的授权码已过期。请点击“关联极飞账号”重试。",
            "Не привязано: код авторизации XAG устарел. Нажмите «Привязать XAG», чтобы повторить.",
        ),
        XagOutcome::XagError => tr(
            "Not linked: XAG could not be reached or refused the platform. Try again in a \
             moment.",
            "未关联：无法连接极飞，或极飞拒绝了平台。请稍后重试。",
            "Не привязано: XAG недоступен или отклонил платформу. Повторите чуть позже.",
        ),
        XagOutcome::Unsupported => tr(
            "Not linked: XAG answered in a way this platform is not set up for. Trying again \
             will not help: tell your platform administrator (the portal's log names the \
             setting to change).",
            "未关联：极飞的应答方式不在本平台的配置范围内。重试无效，请告知平台管理员（门户日志中写明了需要修改的设置）。",
            "Не привязано: XAG ответил так, как эта платформа не настроена понимать. Повтор не \
             поможет: сообщите администратору платформы (в журнале портала указано, какую \
             настройку изменить).",
        ),
    };
    let class = if outcome == XagOutcome::Linked {
        "ok"
    } else {
        "warn"
    };
    (class, t.get())
}

pub const XAG_TITLE: Tr = tr("XAG account", "极飞账号", "Учётная запись XAG");
pub const XAG_CHECKING: Tr = tr(
    "Checking XAG link…",
    "正在检查极飞账号关联…",
    "Проверка привязки XAG…",
);
pub const XAG_NOT_LINKED: Tr = tr(
    "Not linked. Link your XAG operator account so the platform can read your XAG data and \
     assign you work.",
    "未关联。关联您的极飞飞手账号后，平台可读取您的极飞数据并为您分配任务。",
    "Не привязано. Привяжите учётную запись оператора XAG, чтобы платформа видела ваши данные \
     XAG и могла назначать вам задания.",
);
pub const XAG_LINK: Tr = tr("Link XAG account", "关联极飞账号", "Привязать XAG");
pub const XAG_OPENING: Tr = tr("Opening XAG…", "正在打开极飞…", "Открываем XAG…");
pub const XAG_UNLINK: Tr = tr("Unlink", "解除关联", "Отвязать");
pub const XAG_KEEP: Tr = tr("Keep", "保留", "Оставить");
pub const XAG_UNLINK_QUESTION: Tr = tr(
    "Unlink this XAG account? The platform will no longer see its data.",
    "解除关联此极飞账号？平台将不再看到其数据。",
    "Отвязать эту учётную запись XAG? Платформа больше не будет видеть её данные.",
);

/// The end of XAG's authorization, as the pilot is told it.
pub enum XagEnd {
    /// Ends at this time (formatted).
    Until(String),
    /// Ended at this time: linking again renews it.
    Expired(String),
    /// XAG stated no lifetime.
    Unstated,
}

/// "Linked as <union id>, authorized until <until>.": the words before and after the id.
pub fn xag_linked(end: &XagEnd) -> (&'static str, String) {
    let before = match current() {
        Lang::En => "Linked as ",
        Lang::Zh => "已关联：",
        Lang::Ru => "Привязано как ",
    };
    let after = match (current(), end) {
        (Lang::En, XagEnd::Until(at)) => format!(", authorized until {at}."),
        (Lang::Zh, XagEnd::Until(at)) => format!("，授权有效期至 {at}。"),
        (Lang::Ru, XagEnd::Until(at)) => format!(", доступ до {at}."),
        (Lang::En, XagEnd::Expired(at)) => {
            format!(", but XAG's authorization expired on {at}: link again to renew it.")
        }
        (Lang::Zh, XagEnd::Expired(at)) => format!("，但极飞授权已于 {at} 过期，请重新关联。"),
        (Lang::Ru, XagEnd::Expired(at)) => {
            format!(", но доступ XAG истёк {at}: привяжите снова, чтобы продлить.")
        }
        (Lang::En, XagEnd::Unstated) => ", authorized (XAG stated no end).".into(),
        (Lang::Zh, XagEnd::Unstated) => "，已授权（极飞未说明有效期）。".into(),
        (Lang::Ru, XagEnd::Unstated) => ", доступ открыт (XAG не указал срок).".into(),
    };
    (before, after)
}
pub const XAG_RELINK: Tr = tr("Link again", "重新关联", "Привязать снова");

pub const WORKSPACE_TITLE: Tr = tr(
    "Choose your workspace",
    "选择您的工作空间",
    "Выберите рабочее пространство",
);
pub const WORKSPACE_INTRO: Tr = tr(
    "Your FlightHub 2 projects. The one you choose is shown in Pilot 2's cloud entry.",
    "您的司空 2 项目。所选项目会显示在 Pilot 2 的云服务入口中。",
    "Ваши проекты FlightHub 2. Выбранный будет показан в облачном разделе Pilot 2.",
);
pub const WORKSPACE_SEARCH: Tr = tr("Search projects", "搜索项目", "Поиск проектов");
pub const WORKSPACE_LOADING: Tr = tr("Loading projects…", "正在加载项目…", "Загрузка проектов…");
pub const WORKSPACE_SETTING: Tr = tr("Setting…", "正在设置…", "Выбираем…");
/// Beside the workspace in use, in the picker.
pub const WORKSPACE_CURRENT: Tr = tr("In use", "当前使用", "Используется");

/// "1 device", "12 devices", or no access.
pub fn device_count(n: Option<u32>) -> String {
    match (current(), n) {
        (Lang::En, Some(1)) => "1 device".into(),
        (Lang::En, Some(n)) => format!("{n} devices"),
        (Lang::En, None) => "no access to devices".into(),
        (Lang::Zh, Some(n)) => format!("{n} 台设备"),
        (Lang::Zh, None) => "无设备访问权限".into(),
        (Lang::Ru, Some(n)) => format!("устройств: {n}"),
        (Lang::Ru, None) => "нет доступа к устройствам".into(),
    }
}

pub const MAIN_TITLE: Tr = tr("Signed in", "已登录", "Вход выполнен");
pub const MAIN_PILOT: Tr = tr("Pilot", "飞手", "Пилот");
pub const MAIN_VALID_UNTIL: Tr = tr("Session valid until", "会话有效期至", "Сеанс действует до");
pub const LOG_OUT: Tr = tr("Log out", "退出登录", "Выйти");
pub const WORKSPACE_KEEP: Tr = tr(
    "Keep the current workspace",
    "保留当前工作空间",
    "Оставить текущее рабочее пространство",
);
pub const EXIT: Tr = tr("Exit", "退出", "Закрыть");

pub const CLOUD_TITLE: Tr = tr("Cloud", "云服务", "Облако");
pub const CLOUD_CONNECTION: Tr = tr("Connection", "连接", "Подключение");
pub const CLOUD_WORKSPACE: Tr = tr("Workspace", "工作空间", "Рабочее пространство");
pub const CLOUD_AIRCRAFT: Tr = tr("Aircraft", "飞行器", "Дрон");
pub const CLOUD_CHECKING: Tr = tr("checking…", "检查中…", "проверка…");
pub const CLOUD_AVAILABLE: Tr = tr("available", "可用", "доступен");
pub const CHANGE_WORKSPACE: Tr = tr(
    "Change workspace",
    "更换工作空间",
    "Сменить рабочее пространство",
);
pub const REFRESH: Tr = tr("Refresh", "刷新", "Обновить");
pub const REFRESHING: Tr = tr("Refreshing…", "正在刷新…", "Обновление…");

/// Under a failed refresh: the answer still shown is the one read at `at`.
pub fn shown_as_read(at: &str) -> String {
    match current() {
        Lang::En => format!("Shown below as read at {at}."),
        Lang::Zh => format!("下方显示的是 {at} 读取的内容。"),
        Lang::Ru => format!("Ниже — данные, прочитанные {at}."),
    }
}
pub const DEVICES_TITLE: Tr = tr(
    "Devices in this project",
    "本项目的设备",
    "Устройства проекта",
);
pub const DEVICES_LOADING: Tr = tr("Loading devices…", "正在加载设备…", "Загрузка устройств…");
pub const DEVICES_NONE: Tr = tr("No devices.", "没有设备。", "Нет устройств.");
pub const DEVICE_GATEWAY: Tr = tr("gateway", "网关", "шлюз");
pub const DEVICE_AIRCRAFT: Tr = tr("aircraft", "飞行器", "дрон");
pub const DEVICE_ONLINE: Tr = tr("online", "在线", "в сети");
pub const DEVICE_OFFLINE: Tr = tr("offline", "离线", "не в сети");
pub const THIS_CONTROLLER: Tr = tr("this controller", "本遥控器", "этот пульт");
pub const YOUR_AIRCRAFT: Tr = tr("your aircraft", "您的飞行器", "ваш дрон");
pub const NO_AIRCRAFT: Tr = tr("No aircraft connected", "未连接飞行器", "Дрон не подключён");
pub const NO_WORKSPACE: Tr = tr(
    "No workspace is set in Pilot 2. Ask your platform administrator to set a default \
     workspace (DEFAULT_WORKSPACE_ID) or to connect FlightHub 2.",
    "Pilot 2 中未设置工作空间。请让平台管理员设置默认工作空间（DEFAULT_WORKSPACE_ID）或接入司空 2。",
    "В Pilot 2 не задано рабочее пространство. Попросите администратора платформы задать \
     рабочее пространство по умолчанию (DEFAULT_WORKSPACE_ID) или подключить FlightHub 2.",
);

/// "Pilot 2 did not close the page: …"
pub fn exit_failed(e: &BridgeError) -> String {
    match current() {
        Lang::En => format!("Pilot 2 did not close the page: {}", bridge(e)),
        Lang::Zh => format!("Pilot 2 未关闭页面：{}", bridge(e)),
        Lang::Ru => format!("Pilot 2 не закрыл страницу: {}", bridge(e)),
    }
}

// ---------------------------------------------------------------------------------------------
// Access tokens (issue 9): every sentence of the Access tokens panel (`components::tokens`).
// Times are epoch milliseconds and `now` is passed in, so these are tested natively.
// ---------------------------------------------------------------------------------------------

pub const TOKENS_TITLE: Tr = tr("Access tokens", "访问令牌", "Токены доступа");
pub const TOKENS_INTRO: Tr = tr(
    "Every token that can use the platform in your project. Revoke the ones you no longer \
     trust; a token's value is shown only once, when it is issued.",
    "可在您的项目中使用平台的全部令牌。请撤销您不再信任的令牌；令牌的值仅在签发时显示一次。",
    "Все токены, которые могут работать с платформой в вашем проекте. Отзовите те, которым \
     больше не доверяете; значение токена показывается только один раз — при выпуске.",
);
pub const TOKENS_LOADING: Tr = tr("Reading the tokens…", "正在读取令牌…", "Чтение токенов…");
pub const TOKENS_NONE: Tr = tr("No tokens.", "没有令牌。", "Токенов нет.");
pub const TOKENS_THIS_CONTROLLER: Tr = tr("this controller", "本遥控器", "этот пульт");
pub const TOKENS_EXPIRED_BADGE: Tr = tr("expired", "已过期", "истёк");
pub const TOKENS_UNNAMED: Tr = tr("Unnamed token", "未命名令牌", "Токен без имени");
pub const TOKENS_NO_EXPIRY: Tr = tr(
    "No expiry given",
    "未设置过期时间",
    "Срок действия не указан",
);
pub const TOKENS_ALL_METHODS: Tr = tr(
    "All of the account's methods",
    "账号的全部方法",
    "Все методы учётной записи",
);
pub const TOKENS_FEWER_METHODS: Tr = tr("fewer", "收起", "свернуть");
pub const TOKENS_REFRESH: Tr = tr("Refresh", "刷新", "Обновить");
pub const TOKENS_REVOKE: Tr = tr("Revoke", "撤销", "Отозвать");
pub const TOKENS_KEEP: Tr = tr("Keep", "保留", "Оставить");
pub const TOKENS_NEW: Tr = tr("New token", "新建令牌", "Новый токен");
pub const TOKENS_NEW_TITLE: Tr = tr(
    "New token for another tool",
    "为其他工具新建令牌",
    "Новый токен для другой программы",
);
pub const TOKENS_NAME_LABEL: Tr = tr("Name", "名称", "Название");
pub const TOKENS_NAME_PLACEHOLDER: Tr = tr(
    "e.g. Laptop ground station",
    "例如：笔记本电脑地面站",
    "например, наземная станция на ноутбуке",
);
pub const TOKENS_LIFETIME_LABEL: Tr = tr("Lifetime", "有效期", "Срок действия");
pub const TOKENS_CUSTOM: Tr = tr("Custom…", "自定义…", "Другой…");
/// The custom lifetime, in the pilot's units (`token_words::lifetime_for_platform` writes it
/// in the platform's English ones).
pub const TOKENS_CUSTOM_PLACEHOLDER: Tr = tr(
    "e.g. 90 days, 12 hours",
    "例如 90 天、12 小时",
    "например 90 дней, 12 часов",
);
pub const TOKENS_METHODS_LABEL: Tr = tr("Allowed methods", "允许的方法", "Разрешённые методы");
pub const TOKENS_METHODS_LOADING: Tr = tr(
    "Reading the methods the platform offers…",
    "正在读取平台提供的方法…",
    "Чтение методов, которые предлагает платформа…",
);
pub const TOKENS_NAME_MISSING: Tr = tr(
    "Give the token a name.",
    "请为令牌命名。",
    "Дайте токену имя.",
);
pub const TOKENS_NAME_REFUSED: Tr = tr(
    "This name cannot be used: at most 100 characters, no invisible characters (direction \
     marks, zero-width spaces), and not beginning with “Pilot 2” (kept for the tokens Pilot 2 \
     holds).",
    "此名称不可用：最多 100 个字符，不能包含不可见字符（方向标记、零宽字符），也不能以“Pilot 2”\
     开头（保留给 Pilot 2 持有的令牌）。",
    "Это имя нельзя использовать: не длиннее 100 символов, без невидимых символов (знаков \
     направления, символов нулевой ширины) и не начиная с «Pilot 2» (так называются токены \
     Pilot 2).",
);
pub const TOKENS_LIFETIME_REFUSED: Tr = tr(
    "Write the lifetime as a number and a unit — minutes, hours, days or years — e.g. \
     “45 minutes”, “3 days”, “2 years” (from 1 minute to 10 years).",
    "请按“数字 单位”填写有效期，单位为分钟、小时、天或年，例如“45 分钟”“3 天”“2 年”\
     （1 分钟至 10 年）。",
    "Укажите срок числом и единицей — минуты, часы, дни или годы, например «45 минут», \
     «3 дня», «2 года» (от 1 минуты до 10 лет).",
);
/// The platform's 403 to issuing: the methods asked for, most often (the same form issues a
/// token with fewer), else the account's permission.
pub const TOKENS_METHODS_NOT_GRANTED: Tr = tr(
    "The platform refused to issue a token with these methods: your own access does not \
     include some of them. Choose fewer methods, or ask your platform administrator.",
    "平台拒绝签发包含这些方法的令牌：您自己的权限不包括其中某些方法。请减少所选方法，或联系平台管理员。",
    "Платформа отказалась выпустить токен с этими методами: ваш собственный доступ включает не \
     все из них. Выберите меньше методов или обратитесь к администратору платформы.",
);
/// Before the methods of a refused request that this controller's own token does not hold.
pub const TOKENS_BEYOND_OWN: Tr = tr(
    "Not in this controller's own access:",
    "本遥控器自身权限不包括：",
    "Нет в доступе этого пульта:",
);
/// The proxy's 404 to revoking: the list holds the whole project's tokens.
pub const TOKENS_NOT_REVOCABLE: Tr = tr(
    "This token cannot be revoked from your account: it belongs to another pilot, or it is \
     already gone. Refresh the list.",
    "无法用您的账号撤销此令牌：它属于其他飞手，或已不存在。请刷新列表。",
    "Этот токен нельзя отозвать с вашей учётной записи: он принадлежит другому пилоту или уже \
     удалён. Обновите список.",
);
pub const TOKENS_PICK_ONE: Tr = tr(
    "Pick at least one method.",
    "请至少选择一个方法。",
    "Выберите хотя бы один метод.",
);
pub const TOKENS_ISSUE: Tr = tr("Issue token", "签发令牌", "Выпустить токен");
pub const TOKENS_ISSUING: Tr = tr("Issuing…", "正在签发…", "Выпуск…");
pub const TOKENS_CANCEL: Tr = tr("Cancel", "取消", "Отмена");
pub const TOKENS_SHOWN_ONCE: Tr = tr(
    "Copy this token now. It will not be shown again: the platform cannot give it back, and \
     closing this box forgets it.",
    "请立即复制此令牌。它不会再次显示：平台无法再次提供，关闭此框后也不会保留。",
    "Скопируйте этот токен сейчас. Он больше не будет показан: платформа не может выдать его \
     повторно, а после закрытия этого окна он будет забыт.",
);
pub const TOKENS_COPY: Tr = tr("Copy", "复制", "Копировать");
pub const TOKENS_COPIED: Tr = tr("Copied.", "已复制。", "Скопировано.");
pub const TOKENS_SELECTED: Tr = tr(
    "Selected: press Copy in the menu (or Ctrl+C) to copy it.",
    "已选中：请点击菜单中的“复制”（或按 Ctrl+C）进行复制。",
    "Выделено: нажмите «Копировать» в меню (или Ctrl+C), чтобы скопировать.",
);
pub const TOKENS_DONE: Tr = tr("I have copied it", "我已复制", "Готово, скопировано");
pub const TOKENS_NO_PERMISSION: Tr = tr(
    "Your account has no permission to list, issue or revoke tokens on the platform. Ask your \
     platform administrator.",
    "您的账号无权在平台上查看、签发或撤销令牌。请联系平台管理员。",
    "У вашей учётной записи нет прав просматривать, выпускать или отзывать токены на \
     платформе. Обратитесь к администратору платформы.",
);
pub const TOKENS_REQUEST_REFUSED: Tr = tr(
    "The platform refused this token: check its name, lifetime and methods, then try again.",
    "平台拒绝了此令牌：请检查名称、有效期和方法后重试。",
    "Платформа отклонила этот токен: проверьте его имя, срок действия и методы и повторите.",
);

/// The lifetimes offered for a new token: (label, the platform's `expiresIn`, which is data and
/// stays in English).
pub const TOKENS_LIFETIMES: [(Tr, &str); 4] = [
    (tr("1 day", "1 天", "1 день"), "1 day"),
    (tr("7 days", "7 天", "7 дней"), "7 days"),
    (tr("30 days", "30 天", "30 дней"), "30 days"),
    (tr("1 year", "1 年", "1 год"), "1 year"),
];

/// The Russian form of a word counted `n` times: `one` for 1, 21, 101…; `few` for 2–4, 22–24…;
/// `many` for 0, 5–20, 25–30, 111… (Chinese has no plural; English says "1 … / n …s").
fn ru_plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
}

/// "Revoke 'Pilot 2 · 5YSZL'?", and what revoking this controller's own token means.
pub fn tokens_revoke_question(name: &str, current: bool) -> String {
    match (crate::i18n::current(), current) {
        (Lang::En, true) => format!(
            "Revoke '{name}'? It is the token this controller uses: you will be logged out here."
        ),
        (Lang::En, false) => {
            format!("Revoke '{name}'? Whatever uses it loses access to the platform at once.")
        }
        (Lang::Zh, true) => {
            format!("撤销“{name}”？这是本遥控器正在使用的令牌：撤销后您将在此退出登录。")
        }
        (Lang::Zh, false) => format!("撤销“{name}”？使用它的任何程序都会立即失去平台访问权限。"),
        (Lang::Ru, true) => format!(
            "Отозвать «{name}»? Это токен, который использует этот пульт: здесь будет выполнен \
             выход."
        ),
        (Lang::Ru, false) => format!(
            "Отозвать «{name}»? Всё, что его использует, сразу потеряет доступ к платформе."
        ),
    }
}

/// "3 more methods" under a collapsed scope list.
pub fn tokens_more_methods(hidden: usize) -> String {
    let n = hidden as u64;
    match crate::i18n::current() {
        Lang::En if n == 1 => "1 more method".into(),
        Lang::En => format!("{n} more methods"),
        Lang::Zh => format!("还有 {n} 个方法"),
        Lang::Ru => format!("ещё {n} {}", ru_plural(n, "метод", "метода", "методов")),
    }
}

/// A token's expiry: `relative` is `time::relative_ms(expires_at, now)` ("in 3 hours",
/// "2 days ago", in the page's language); `expired` whether `expires_at <= now`.
pub fn tokens_expiry(expired: bool, relative: &str) -> String {
    match (crate::i18n::current(), expired) {
        (Lang::En, false) => relative.to_owned(),
        (Lang::En, true) => format!("expired {relative}"),
        (Lang::Zh, false) => format!("{relative}过期"),
        (Lang::Zh, true) => format!("已于{relative}过期"),
        (Lang::Ru, false) => format!("истекает {relative}"),
        (Lang::Ru, true) => format!("истёк {relative}"),
    }
}

#[cfg(test)]
mod tokens_tests {
    use super::*;

    /// `f` in each language (the thread's language is set back to English after).
    fn in_each<T>(f: impl Fn() -> T) -> [T; 3] {
        let all = Lang::ALL.map(|lang| {
            crate::i18n::set(lang);
            f()
        });
        crate::i18n::set(Lang::En);
        all
    }

    fn differ_and_not_empty(words: &[String; 3]) {
        assert!(words.iter().all(|w| !w.trim().is_empty()), "{words:?}");
        assert_ne!(words[0], words[1], "{words:?}");
        assert_ne!(words[0], words[2], "{words:?}");
        assert_ne!(words[1], words[2], "{words:?}");
    }

    #[test]
    fn expiry_in_words() {
        // `relative` comes from `Intl.RelativeTimeFormat` in the page's language.
        assert_eq!(tokens_expiry(false, "in 3 hours"), "in 3 hours");
        assert_eq!(tokens_expiry(true, "2 days ago"), "expired 2 days ago");
        crate::i18n::set(Lang::Zh);
        assert_eq!(tokens_expiry(false, "3小时后"), "3小时后过期");
        assert_eq!(tokens_expiry(true, "2天前"), "已于2天前过期");
        crate::i18n::set(Lang::Ru);
        assert_eq!(
            tokens_expiry(false, "через 3 часа"),
            "истекает через 3 часа"
        );
        assert_eq!(tokens_expiry(true, "2 дня назад"), "истёк 2 дня назад");
        crate::i18n::set(Lang::En);
    }

    #[test]
    fn the_revoke_question_names_the_token_and_warns_about_this_controller() {
        assert_eq!(
            tokens_revoke_question("Pilot 2 · B", false),
            "Revoke 'Pilot 2 · B'? Whatever uses it loses access to the platform at once."
        );
        assert!(tokens_revoke_question("Pilot 2 · A", true).contains("logged out here"));
        assert_eq!(tokens_more_methods(1), "1 more method");
        assert_eq!(tokens_more_methods(4), "4 more methods");
        for current in [true, false] {
            let questions = in_each(|| tokens_revoke_question("Pilot 2 · B", current));
            differ_and_not_empty(&questions);
            assert!(questions.iter().all(|q| q.contains("Pilot 2 · B")));
        }
        let [_, zh, ru] = in_each(|| tokens_revoke_question("X", true));
        assert!(zh.contains("退出登录"), "{zh}");
        assert!(ru.contains("выход"), "{ru}");
    }

    #[test]
    fn more_methods_are_counted_in_each_language() {
        differ_and_not_empty(&in_each(|| tokens_more_methods(3)));
        assert_eq!(
            in_each(|| tokens_more_methods(1)),
            ["1 more method", "还有 1 个方法", "ещё 1 метод"].map(String::from)
        );
        assert_eq!(
            in_each(|| tokens_more_methods(22)),
            ["22 more methods", "还有 22 个方法", "ещё 22 метода"].map(String::from)
        );
        assert_eq!(
            in_each(|| tokens_more_methods(11)),
            ["11 more methods", "还有 11 个方法", "ещё 11 методов"].map(String::from)
        );
    }

    #[test]
    fn russian_plural_forms() {
        let form = |n| ru_plural(n, "метод", "метода", "методов");
        for n in [1, 21, 31, 101, 121, 1001] {
            assert_eq!(form(n), "метод", "{n}");
        }
        for n in [2, 3, 4, 22, 24, 102, 1003] {
            assert_eq!(form(n), "метода", "{n}");
        }
        for n in [
            0, 5, 9, 10, 11, 12, 13, 14, 15, 19, 20, 25, 100, 111, 112, 114, 1011,
        ] {
            assert_eq!(form(n), "методов", "{n}");
        }
    }

    #[test]
    fn every_fixed_sentence_of_the_panel_is_translated() {
        let fixed = [
            TOKENS_TITLE,
            TOKENS_INTRO,
            TOKENS_NONE,
            TOKENS_THIS_CONTROLLER,
            TOKENS_EXPIRED_BADGE,
            TOKENS_REVOKE,
            TOKENS_SHOWN_ONCE,
            TOKENS_DONE,
            TOKENS_LIFETIMES[1].0,
        ];
        for t in fixed {
            differ_and_not_empty(&Lang::ALL.map(|l| t.of(l).to_owned()));
        }
        // The platform's `expiresIn` stays English whatever the label.
        assert_eq!(
            TOKENS_LIFETIMES.map(|(_, value)| value),
            ["1 day", "7 days", "30 days", "1 year"]
        );
        assert_eq!(TOKENS_LIFETIMES[3].0.of(Lang::Ru), "1 год");
    }

    #[test]
    fn revoked_reasons_say_whose_access_ended() {
        assert!(login_reason(&LoginReason::Revoked).contains("access was revoked"));
        assert!(login_reason(&LoginReason::RevokedHere).contains("You revoked"));
    }
}

// ---------------------------------------------------------------------------------------------
// Flight unlocking (issue 8): every sentence of the unlock panel (`components::unlock`).
// Dates are formatted by the caller's `date` (epoch milliseconds → text), so these are tested
// natively.
// ---------------------------------------------------------------------------------------------

/// The main page could not download the Flight unlocking and Access tokens panels.
#[cfg(feature = "full")]
pub const PANELS_NOT_LOADED: Tr = tr(
    "Cannot load Flight unlocking and Access tokens",
    "无法加载飞行解禁和访问令牌",
    "Не удаётся загрузить разблокировку полётов и токены доступа",
);
pub const UNLOCK_TITLE: Tr = tr("Flight unlocking", "飞行解禁", "Разблокировка полётов");
pub const UNLOCK_TAB_AIRCRAFT: Tr = tr("Aircraft", "飞行器", "Дрон");
pub const UNLOCK_TAB_DOCK: Tr = tr("Dock", "机场", "Док-станция");
pub const UNLOCK_INTRO_AIRCRAFT: Tr = tr(
    "The unlock licenses imported on the aircraft. Enable the one your flight needs before \
     take-off.",
    "已导入飞行器的解禁证书。起飞前请启用本次飞行所需的证书。",
    "Лицензии разблокировки, импортированные в дрон. Перед взлётом включите ту, что нужна для \
     полёта.",
);
pub const UNLOCK_INTRO_DOCK: Tr = tr(
    "The unlock licenses approved on DJI's Flysafe website. To fly with one, update the \
     aircraft's licenses, then enable it on the Aircraft tab.",
    "已在 DJI Flysafe 网站上审批通过的解禁证书。如需使用其中之一飞行，请先更新飞行器的解禁证书，再在“飞行器”标签页中启用。",
    "Лицензии разблокировки, одобренные на сайте DJI Flysafe. Чтобы летать с одной из них, \
     обновите лицензии дрона, затем включите её на вкладке «Дрон».",
);
pub const UNLOCK_OFFLINE: Tr = tr(
    "This controller is not connected to the platform's cloud, so its licenses cannot be read \
     or changed. This panel looks again by itself once the connection is back (see Cloud \
     above).",
    "本遥控器未连接平台云端，因此无法读取或更改其解禁证书。连接恢复后，本面板会自动重新读取（见上方“云服务”）。",
    "Этот пульт не подключён к облаку платформы, поэтому его лицензии нельзя прочитать или \
     изменить. Панель сама проверит снова, когда подключение восстановится (см. «Облако» \
     выше).",
);
pub const UNLOCK_NO_AIRCRAFT: Tr = tr(
    "No aircraft is connected to this controller. Turn the aircraft on and link it to the \
     controller: its licenses show here by themselves.",
    "本遥控器未连接飞行器。请开启飞行器并与遥控器对频，其许可证会自动显示在这里。",
    "К этому пульту не подключён дрон. Включите дрон и свяжите его с пультом: его лицензии \
     появятся здесь сами.",
);
pub const UNLOCK_NO_CONTROLLER: Tr = tr(
    "DJI Pilot 2 did not give this controller's serial number, so its licenses cannot be read. \
     Close this page and open it again.",
    "DJI Pilot 2 未提供本遥控器的序列号，因此无法读取其解禁证书。请关闭本页面后重新打开。",
    "DJI Pilot 2 не сообщил серийный номер этого пульта, поэтому его лицензии нельзя \
     прочитать. Закройте эту страницу и откройте её снова.",
);
pub const UNLOCK_LOADING: Tr = tr(
    "Reading the licenses…",
    "正在读取解禁证书…",
    "Чтение лицензий…",
);
pub const UNLOCK_NONE_AIRCRAFT: Tr = tr(
    "The aircraft carries no unlock licenses.",
    "飞行器上没有解禁证书。",
    "На дроне нет лицензий разблокировки.",
);
pub const UNLOCK_NONE_DOCK: Tr = tr(
    "No unlock licenses are approved on Flysafe.",
    "Flysafe 上没有审批通过的解禁证书。",
    "На Flysafe нет одобренных лицензий разблокировки.",
);
pub const UNLOCK_INCONSISTENT: Tr = tr(
    "The aircraft's licenses differ from the ones approved — update them.",
    "飞行器上的解禁证书与审批通过的不一致——请更新。",
    "Лицензии на дроне отличаются от одобренных — обновите их.",
);
pub const UNLOCK_REFRESH: Tr = tr("Refresh", "刷新", "Обновить");
pub const UNLOCK_UPDATE: Tr = tr(
    "Update from the platform's license file",
    "从平台的解禁证书文件更新",
    "Обновить из файла лицензий платформы",
);
pub const UNLOCK_UPDATING: Tr = tr("Updating…", "正在更新…", "Обновление…");
pub const UNLOCK_UPDATE_PROGRESS: Tr = tr(
    "Updating… the aircraft downloads the file and imports its licenses. This can take a \
     minute.",
    "正在更新…飞行器正在下载文件并导入其中的解禁证书，可能需要一分钟左右。",
    "Обновление… дрон загружает файл и импортирует из него лицензии. Это может занять около \
     минуты.",
);
pub const UNLOCK_UPDATED: Tr = tr(
    "Licenses updated. The list below is what the aircraft carries now.",
    "解禁证书已更新。下方列表即飞行器上现有的解禁证书。",
    "Лицензии обновлены. Ниже — те, что сейчас есть на дроне.",
);
pub const UNLOCK_CANCEL: Tr = tr("Cancel", "取消", "Отмена");

pub const UNLOCK_GROUP_AREA: Tr = tr("Authorization zones", "授权区", "Зоны авторизации");
pub const UNLOCK_GROUP_CIRCLE: Tr = tr("Circular areas", "圆形区域", "Круглые области");
pub const UNLOCK_GROUP_COUNTRY: Tr = tr("Countries and regions", "国家和地区", "Страны и регионы");
pub const UNLOCK_GROUP_ALTITUDE: Tr = tr("Altitude limits", "限高", "Ограничения высоты");
pub const UNLOCK_GROUP_POLYGON: Tr = tr("Polygon areas", "多边形区域", "Многоугольные области");
pub const UNLOCK_GROUP_POWER: Tr = tr("Power", "功率", "Мощность");
pub const UNLOCK_GROUP_RID: Tr = tr(
    "Remote ID",
    "远程识别（Remote ID）",
    "Удалённая идентификация (Remote ID)",
);
pub const UNLOCK_GROUP_OTHER: Tr = tr("Other licenses", "其他解禁证书", "Другие лицензии");

/// A license's state: "Enabled" / "Disabled".
pub fn unlock_state(enabled: bool) -> &'static str {
    if enabled {
        tr("Enabled", "已启用", "Включена")
    } else {
        tr("Disabled", "已停用", "Выключена")
    }
    .get()
}

/// The switch's label: what tapping it asks for.
pub fn unlock_toggle(enable: bool) -> &'static str {
    if enable {
        tr("Enable", "启用", "Включить")
    } else {
        tr("Disable", "停用", "Выключить")
    }
    .get()
}

/// The switch's label while the device is asked.
pub fn unlock_switching(enable: bool) -> &'static str {
    if enable {
        tr("Enabling…", "正在启用…", "Включение…")
    } else {
        tr("Disabling…", "正在停用…", "Выключение…")
    }
    .get()
}

/// A license's name as shown: its own, else its id.
pub fn unlock_name(name: &str, license_id: Option<i64>) -> String {
    match (name.trim(), license_id, current()) {
        ("", Some(id), Lang::En) => format!("License {id}"),
        ("", Some(id), Lang::Zh) => format!("解禁证书 {id}"),
        ("", Some(id), Lang::Ru) => format!("Лицензия {id}"),
        ("", None, lang) => tr("Unnamed license", "未命名解禁证书", "Лицензия без названия")
            .of(lang)
            .into(),
        (name, _, _) => name.to_owned(),
    }
}

/// "Enable 'Nanshan Science Park inspection circle'?"
pub fn unlock_confirm(enable: bool, name: &str) -> String {
    let toggle = unlock_toggle(enable);
    match current() {
        Lang::En => format!("{toggle} '{name}'?"),
        Lang::Zh => format!("{toggle}“{name}”？"),
        Lang::Ru => format!("{toggle} «{name}»?"),
    }
}

/// Said with the question before enabling a license outside its validity: the switch is the
/// device's to refuse or accept, but the pilot should not take "Enabled" for "unlocked".
pub fn unlock_out_of_validity(v: Validity, date: impl Fn(i64) -> String) -> Option<String> {
    let at = |secs: i64| date(secs.saturating_mul(1000));
    Some(match (current(), v) {
        (_, Validity::Valid { .. }) => return None,
        (Lang::En, Validity::Expired { at: ended }) => format!(
            "It expired on {}: the aircraft may unlock nothing with it, even enabled.",
            at(ended)
        ),
        (Lang::Zh, Validity::Expired { at: ended }) => {
            format!(
                "该许可已于 {} 过期：即使启用，飞行器也可能无法凭它解禁。",
                at(ended)
            )
        }
        (Lang::Ru, Validity::Expired { at: ended }) => format!(
            "Срок её действия истёк {}: даже включённая, она может ничего не разблокировать.",
            at(ended)
        ),
        (Lang::En, Validity::NotYetValid { from }) => format!(
            "It is valid only from {}: until then the aircraft may unlock nothing with it, \
             even enabled.",
            at(from)
        ),
        (Lang::Zh, Validity::NotYetValid { from }) => {
            format!(
                "该许可自 {} 起才生效：在此之前即使启用，飞行器也可能无法凭它解禁。",
                at(from)
            )
        }
        (Lang::Ru, Validity::NotYetValid { from }) => format!(
            "Она действует только с {}: до этого, даже включённая, она может ничего не \
             разблокировать.",
            at(from)
        ),
    })
}

/// What a license unlocks, in a sentence. `country` names an ISO 3166-1 numeric code in the
/// page's language (`None`: "country code N").
pub fn unlock_what(kind: &LicenseKind, country: impl Fn(i64) -> Option<String>) -> String {
    let lang = current();
    match kind {
        LicenseKind::Area(a) => {
            let ids: Vec<String> = a.area_ids.iter().map(i64::to_string).collect();
            match (lang, ids.len()) {
                (Lang::En, 0) => "Unlocks authorization zones (none listed).".into(),
                (Lang::En, 1) => format!("Unlocks authorization zone {}.", ids[0]),
                (Lang::En, _) => format!("Unlocks authorization zones {}.", ids.join(", ")),
                (Lang::Zh, 0) => "解禁授权区（未列出）。".into(),
                (Lang::Zh, _) => format!("解禁授权区 {}。", ids.join("、")),
                (Lang::Ru, 0) => "Разблокирует зоны авторизации (не указаны).".into(),
                (Lang::Ru, 1) => format!("Разблокирует зону авторизации {}.", ids[0]),
                (Lang::Ru, _) => format!("Разблокирует зоны авторизации {}.", ids.join(", ")),
            }
        }
        LicenseKind::Circle(c) => {
            let (r, at, up) = (
                metres(c.radius),
                coordinates(c.latitude, c.longitude),
                up_to(lang, c.height),
            );
            match lang {
                Lang::En => format!("Unlocks a circle of radius {r} m around {at}{up}."),
                Lang::Zh => format!("解禁以 {at} 为中心、半径 {r} 米的圆形区域{up}。"),
                Lang::Ru => format!("Разблокирует круг радиусом {r} м вокруг точки {at}{up}."),
            }
        }
        LicenseKind::Country(c) => {
            let code = c.country_number;
            let name = country(code).unwrap_or_else(|| match lang {
                Lang::En => format!("country code {code}"),
                Lang::Zh => format!("国家代码 {code}"),
                Lang::Ru => format!("код страны {code}"),
            });
            let up = up_to(lang, c.height);
            match lang {
                Lang::En => format!("Unlocks {name}{up}."),
                Lang::Zh => format!("解禁国家/地区：{name}{up}。"),
                Lang::Ru => format!("Разблокирует страну или регион: {name}{up}."),
            }
        }
        LicenseKind::Altitude(h) => match lang {
            Lang::En => format!("Raises the altitude limit to {} m.", h.height),
            Lang::Zh => format!("将限高提升至 {} 米。", h.height),
            Lang::Ru => format!("Поднимает ограничение высоты до {} м.", h.height),
        },
        LicenseKind::Polygon(p) => {
            let n = p.vertex_count();
            match (lang, p.extent()) {
                (_, None) => tr(
                    "Unlocks a polygon area without vertices.",
                    "解禁没有顶点的多边形区域。",
                    "Разблокирует многоугольную область без вершин.",
                )
                .of(lang)
                .into(),
                (Lang::En, Some(e)) => {
                    let vertices = if n == 1 {
                        "1 vertex".to_owned()
                    } else {
                        format!("{n} vertices")
                    };
                    format!(
                        "Unlocks a polygon area with {vertices}, latitude {:.5} to {:.5}, \
                         longitude {:.5} to {:.5}.",
                        e.min_latitude, e.max_latitude, e.min_longitude, e.max_longitude
                    )
                }
                (Lang::Zh, Some(e)) => format!(
                    "解禁有 {n} 个顶点的多边形区域，纬度 {:.5} 至 {:.5}，经度 {:.5} 至 {:.5}。",
                    e.min_latitude, e.max_latitude, e.min_longitude, e.max_longitude
                ),
                (Lang::Ru, Some(e)) => format!(
                    "Разблокирует многоугольную область с {n} {}, широта от {:.5} до {:.5}, \
                     долгота от {:.5} до {:.5}.",
                    ru_plural(n as u64, "вершиной", "вершинами", "вершинами"),
                    e.min_latitude,
                    e.max_latitude,
                    e.min_longitude,
                    e.max_longitude
                ),
            }
        }
        LicenseKind::Power(_) => tr(
            "Unlocks higher power output.",
            "解禁更高的输出功率。",
            "Разблокирует повышенную выходную мощность.",
        )
        .of(lang)
        .into(),
        LicenseKind::Rid(r) => match (lang, r.level) {
            (_, RidLevel::Eu) => tr(
                "Remote ID unlocking: EU.",
                "Remote ID 解禁：欧盟。",
                "Разблокировка Remote ID: ЕС.",
            )
            .of(lang)
            .into(),
            (_, RidLevel::China) => tr(
                "Remote ID unlocking: China.",
                "Remote ID 解禁：中国。",
                "Разблокировка Remote ID: Китай.",
            )
            .of(lang)
            .into(),
            (Lang::En, RidLevel::Unknown(level)) => format!("Remote ID unlocking, level {level}."),
            (Lang::Zh, RidLevel::Unknown(level)) => format!("Remote ID 解禁，等级 {level}。"),
            (Lang::Ru, RidLevel::Unknown(level)) => {
                format!("Разблокировка Remote ID, уровень {level}.")
            }
        },
        LicenseKind::Other { type_code, .. } => {
            let code = *type_code;
            match (lang, code) {
                (_, -1) => tr(
                    "A license this page cannot read.",
                    "本页面无法读取的解禁证书。",
                    "Лицензия, которую эта страница не может прочитать.",
                )
                .of(lang)
                .into(),
                (Lang::En, 0..=6) => format!(
                    "A license of type {code} ({}) in a form this page cannot read.",
                    unlock_type_name(lang, code)
                ),
                (Lang::Zh, 0..=6) => format!(
                    "类型 {code}（{}）的解禁证书，其格式本页面无法读取。",
                    unlock_type_name(lang, code)
                ),
                (Lang::Ru, 0..=6) => format!(
                    "Лицензия типа {code} ({}) в виде, который эта страница не может прочитать.",
                    unlock_type_name(lang, code)
                ),
                (Lang::En, _) => {
                    format!("Unknown license type {code}: this page cannot show what it unlocks.")
                }
                (Lang::Zh, _) => format!("未知的解禁证书类型 {code}：本页面无法显示其解禁内容。"),
                (Lang::Ru, _) => format!(
                    "Неизвестный тип лицензии {code}: эта страница не может показать, что она \
                     разблокирует."
                ),
            }
        }
    }
}

/// The document's name of a license `type`, in `lang`.
fn unlock_type_name(lang: Lang, type_code: i64) -> &'static str {
    match type_code {
        0 => tr(
            "Authorization zone unlocking",
            "授权区解禁",
            "Разблокировка зоны авторизации",
        ),
        1 => tr(
            "Custom circular area unlocking",
            "自定义圆形区域解禁",
            "Разблокировка произвольной круглой области",
        ),
        2 => tr(
            "Country/region unlocking",
            "国家/地区解禁",
            "Разблокировка страны или региона",
        ),
        3 => tr(
            "Altitude limit unlocking",
            "限高解禁",
            "Разблокировка ограничения высоты",
        ),
        4 => tr(
            "Custom polygon area unlocking",
            "自定义多边形区域解禁",
            "Разблокировка произвольной многоугольной области",
        ),
        5 => tr("Power unlocking", "功率解禁", "Разблокировка мощности"),
        6 => tr("RID unlocking", "RID 解禁", "Разблокировка RID"),
        _ => tr("Other unlocking", "其他解禁", "Другая разблокировка"),
    }
    .of(lang)
}

/// "1581" (a fractional radius keeps one decimal).
fn metres(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.1}")
    }
}

/// "22.60309, 113.94782": latitude, longitude to 5 decimals (about a metre).
fn coordinates(latitude: f64, longitude: f64) -> String {
    format!("{latitude:.5}, {longitude:.5}")
}

/// ", up to 500 m altitude", or nothing without a limit.
fn up_to(lang: Lang, height: Option<i64>) -> String {
    let Some(h) = height else {
        return String::new();
    };
    match lang {
        Lang::En => format!(", up to {h} m altitude"),
        Lang::Zh => format!("，高度上限 {h} 米"),
        Lang::Ru => format!(", до высоты {h} м"),
    }
}

/// Whether a license applies now. `date` formats epoch milliseconds.
pub fn unlock_validity(v: Validity, date: impl Fn(i64) -> String) -> String {
    let at = |secs: i64| date(secs.saturating_mul(1000));
    match (current(), v) {
        (Lang::En, Validity::NotYetValid { from }) => {
            format!("Not yet valid (from {}).", at(from))
        }
        (Lang::Zh, Validity::NotYetValid { from }) => format!("尚未生效（自 {} 起）。", at(from)),
        (Lang::Ru, Validity::NotYetValid { from }) => {
            format!("Ещё не действует (с {}).", at(from))
        }
        (Lang::En, Validity::Valid { until: Some(until) }) => {
            format!("Valid until {}.", at(until))
        }
        (Lang::Zh, Validity::Valid { until: Some(until) }) => format!("有效期至 {}。", at(until)),
        (Lang::Ru, Validity::Valid { until: Some(until) }) => {
            format!("Действует до {}.", at(until))
        }
        (lang, Validity::Valid { until: None }) => tr(
            "Valid, without end date.",
            "有效，无截止日期。",
            "Действует бессрочно.",
        )
        .of(lang)
        .into(),
        (Lang::En, Validity::Expired { at: ended }) => format!("Expired on {}.", at(ended)),
        (Lang::Zh, Validity::Expired { at: ended }) => format!("已于 {} 过期。", at(ended)),
        (Lang::Ru, Validity::Expired { at: ended }) => {
            format!("Срок действия истёк {}.", at(ended))
        }
    }
}

/// "Last changed by pilot at … (enabled)." `date` formats epoch milliseconds.
pub fn unlock_last_change(change: &LicenseChange, date: impl Fn(i64) -> String) -> String {
    let (by, at) = (&change.by, date(change.at_ms));
    let state = if change.new_enabled {
        tr("enabled", "已启用", "включена")
    } else {
        tr("disabled", "已停用", "выключена")
    };
    match current() {
        Lang::En => format!("Last changed by {by} at {at} ({}).", state.en),
        Lang::Zh => format!("最近一次由 {by} 于 {at} 更改（{}）。", state.zh),
        Lang::Ru => format!("Последнее изменение: {by}, {at} ({}).", state.ru),
    }
}

#[cfg(test)]
mod unlock_tests {
    use super::*;
    use pilot_portal_shared::unlock::{
        AreaUnlock, CircleUnlock, CountryUnlock, GeoPoint, HeightUnlock, JsonMap, PolygonUnlock,
        PowerUnlock, RidUnlock,
    };

    fn date(ms: i64) -> String {
        format!("<{ms}>")
    }

    /// What `Intl.DisplayNames` gives on the page, for the codes these tests use.
    fn country(code: i64) -> Option<String> {
        let name = match (current(), code) {
            (Lang::En, 156) => "China",
            (Lang::Zh, 156) => "中国",
            (Lang::Ru, 156) => "Китай",
            _ => return None,
        };
        Some(name.into())
    }

    fn what(kind: &LicenseKind) -> String {
        unlock_what(kind, country)
    }

    /// `f` in each language (the thread's language is set back to English after).
    fn in_each(f: impl Fn() -> String) -> [String; 3] {
        let all = Lang::ALL.map(|lang| {
            crate::i18n::set(lang);
            f()
        });
        crate::i18n::set(Lang::En);
        all
    }

    fn differ_and_not_empty(words: &[String; 3]) {
        assert!(words.iter().all(|w| !w.trim().is_empty()), "{words:?}");
        assert_ne!(words[0], words[1], "{words:?}");
        assert_ne!(words[0], words[2], "{words:?}");
        assert_ne!(words[1], words[2], "{words:?}");
    }

    fn polygon(n: usize) -> LicenseKind {
        let points = (0..n)
            .map(|i| GeoPoint {
                latitude: 22.54 + i as f64 * 0.001,
                longitude: 113.93 + i as f64 * 0.001,
            })
            .collect();
        LicenseKind::Polygon(PolygonUnlock {
            points,
            ..Default::default()
        })
    }

    #[test]
    fn each_kind_says_what_it_unlocks() {
        let area = LicenseKind::Area(AreaUnlock {
            area_ids: vec![115001769, 8724],
            ..Default::default()
        });
        assert_eq!(what(&area), "Unlocks authorization zones 115001769, 8724.");
        let circle = LicenseKind::Circle(CircleUnlock {
            radius: 1581.0,
            latitude: 22.60309,
            longitude: 113.947815,
            height: Some(500),
            ..Default::default()
        });
        assert_eq!(
            what(&circle),
            "Unlocks a circle of radius 1581 m around 22.60309, 113.94782, up to 500 m altitude."
        );
        let country = LicenseKind::Country(CountryUnlock {
            country_number: 156,
            height: None,
            ..Default::default()
        });
        assert_eq!(what(&country), "Unlocks China.");
        let unknown_country = LicenseKind::Country(CountryUnlock {
            country_number: 999,
            height: Some(120),
            ..Default::default()
        });
        assert_eq!(
            what(&unknown_country),
            "Unlocks country code 999, up to 120 m altitude."
        );
        let altitude = LicenseKind::Altitude(HeightUnlock {
            height: 500,
            ..Default::default()
        });
        assert_eq!(what(&altitude), "Raises the altitude limit to 500 m.");
        let point = |latitude, longitude| GeoPoint {
            latitude,
            longitude,
        };
        let polygon = LicenseKind::Polygon(PolygonUnlock {
            points: vec![
                point(22.54, 113.93),
                point(22.55, 113.95),
                point(22.545, 113.94),
            ],
            ..Default::default()
        });
        assert_eq!(
            what(&polygon),
            "Unlocks a polygon area with 3 vertices, latitude 22.54000 to 22.55000, longitude \
             113.93000 to 113.95000."
        );
        assert_eq!(
            what(&LicenseKind::Power(PowerUnlock::default())),
            "Unlocks higher power output."
        );
        let rid = |level| {
            what(&LicenseKind::Rid(RidUnlock {
                level,
                extra: JsonMap::new(),
            }))
        };
        assert!(rid(RidLevel::Eu).contains("EU"));
        assert!(rid(RidLevel::China).contains("China"));
        assert!(rid(RidLevel::Unknown(7)).contains("level 7"));
    }

    #[test]
    fn each_kind_is_said_in_each_language() {
        let kinds = [
            LicenseKind::Area(AreaUnlock {
                area_ids: vec![8724],
                ..Default::default()
            }),
            LicenseKind::Circle(CircleUnlock {
                radius: 100.0,
                height: Some(120),
                ..Default::default()
            }),
            LicenseKind::Country(CountryUnlock {
                country_number: 156,
                ..Default::default()
            }),
            LicenseKind::Country(CountryUnlock {
                country_number: 999,
                ..Default::default()
            }),
            LicenseKind::Altitude(HeightUnlock {
                height: 500,
                ..Default::default()
            }),
            polygon(3),
            polygon(0),
            LicenseKind::Power(PowerUnlock::default()),
            LicenseKind::Rid(RidUnlock {
                level: RidLevel::Unknown(7),
                extra: JsonMap::new(),
            }),
            LicenseKind::Other {
                type_code: 1,
                fields: JsonMap::new(),
            },
            LicenseKind::Other {
                type_code: 9,
                fields: JsonMap::new(),
            },
        ];
        for kind in &kinds {
            differ_and_not_empty(&in_each(|| what(kind)));
        }
        let [_, zh, ru] = in_each(|| {
            what(&LicenseKind::Country(CountryUnlock {
                country_number: 156,
                height: Some(120),
                ..Default::default()
            }))
        });
        assert_eq!(zh, "解禁国家/地区：中国，高度上限 120 米。");
        assert_eq!(
            ru,
            "Разблокирует страну или регион: Китай, до высоты 120 м."
        );
        let [_, zh, ru] = in_each(|| {
            what(&LicenseKind::Country(CountryUnlock {
                country_number: 999,
                ..Default::default()
            }))
        });
        assert!(zh.contains("国家代码 999"), "{zh}");
        assert!(ru.contains("код страны 999"), "{ru}");
    }

    #[test]
    fn russian_vertices_agree_with_their_number() {
        crate::i18n::set(Lang::Ru);
        let (one, three, five, twenty_one) = (
            what(&polygon(1)),
            what(&polygon(3)),
            what(&polygon(5)),
            what(&polygon(21)),
        );
        crate::i18n::set(Lang::En);
        assert!(one.contains("с 1 вершиной,"), "{one}");
        assert!(three.contains("с 3 вершинами,"), "{three}");
        assert!(five.contains("с 5 вершинами,"), "{five}");
        assert!(twenty_one.contains("с 21 вершиной,"), "{twenty_one}");
        assert!(what(&polygon(1)).contains("with 1 vertex,"));
    }

    #[test]
    fn other_licenses_say_what_is_unknown() {
        let other = |type_code| {
            what(&LicenseKind::Other {
                type_code,
                fields: JsonMap::new(),
            })
        };
        assert!(other(9).contains("Unknown license type 9"), "{}", other(9));
        assert!(other(1).contains("type 1 (Custom circular area unlocking)"));
        assert_eq!(other(-1), "A license this page cannot read.");
        // The same names as the document's (the shared crate's), in English.
        for code in -1..=8 {
            assert_eq!(
                unlock_type_name(Lang::En, code),
                pilot_portal_shared::unlock::type_name(code),
                "{code}"
            );
        }
        crate::i18n::set(Lang::Zh);
        let zh = other(1);
        crate::i18n::set(Lang::En);
        assert!(zh.contains("自定义圆形区域解禁"), "{zh}");
    }

    #[test]
    fn odd_shapes_are_still_said() {
        let empty_area = LicenseKind::Area(AreaUnlock::default());
        assert!(what(&empty_area).contains("none listed"));
        let one_zone = LicenseKind::Area(AreaUnlock {
            area_ids: vec![8724],
            ..Default::default()
        });
        assert_eq!(what(&one_zone), "Unlocks authorization zone 8724.");
        let empty_polygon = LicenseKind::Polygon(PolygonUnlock::default());
        assert!(what(&empty_polygon).contains("without vertices"));
        let fractional = LicenseKind::Circle(CircleUnlock {
            radius: 12.25,
            latitude: -33.5,
            longitude: -70.25,
            height: None,
            ..Default::default()
        });
        assert_eq!(
            what(&fractional),
            "Unlocks a circle of radius 12.2 m around -33.50000, -70.25000."
        );
    }

    #[test]
    fn enabling_outside_the_validity_is_warned_in_each_language() {
        assert_eq!(
            unlock_out_of_validity(Validity::Valid { until: None }, date),
            None
        );
        for v in [
            Validity::NotYetValid { from: 10 },
            Validity::Expired { at: 30 },
        ] {
            let words = in_each(|| unlock_out_of_validity(v, date).unwrap_or_default());
            differ_and_not_empty(&words);
            assert!(words.iter().all(|w| w.contains("000>")), "{words:?}");
        }
    }

    #[test]
    fn validity_in_words() {
        assert_eq!(
            unlock_validity(Validity::NotYetValid { from: 10 }, date),
            "Not yet valid (from <10000>)."
        );
        assert_eq!(
            unlock_validity(Validity::Valid { until: Some(20) }, date),
            "Valid until <20000>."
        );
        assert_eq!(
            unlock_validity(Validity::Valid { until: None }, date),
            "Valid, without end date."
        );
        assert_eq!(
            unlock_validity(Validity::Expired { at: 30 }, date),
            "Expired on <30000>."
        );
        for v in [
            Validity::NotYetValid { from: 10 },
            Validity::Valid { until: Some(20) },
            Validity::Valid { until: None },
            Validity::Expired { at: 30 },
        ] {
            let words = in_each(|| unlock_validity(v, date));
            differ_and_not_empty(&words);
            if let Validity::Valid { until: None } = v {
                continue;
            }
            assert!(words.iter().all(|w| w.contains("000>")), "{words:?}");
        }
    }

    #[test]
    fn the_question_names_the_license() {
        assert_eq!(
            unlock_confirm(true, "Nanshan Science Park inspection circle"),
            "Enable 'Nanshan Science Park inspection circle'?"
        );
        assert_eq!(unlock_confirm(false, "X"), "Disable 'X'?");
        assert_eq!(unlock_name("  ", Some(240330)), "License 240330");
        assert_eq!(unlock_name("", None), "Unnamed license");
        assert_eq!(unlock_name("Zone", Some(1)), "Zone");
        assert_eq!(unlock_switching(true), "Enabling…");
        assert_eq!(unlock_switching(false), "Disabling…");
        assert_eq!(
            in_each(|| unlock_confirm(true, "南山")),
            ["Enable '南山'?", "启用“南山”？", "Включить «南山»?"].map(String::from)
        );
        differ_and_not_empty(&in_each(|| unlock_name("", Some(7))));
        // A license's own name is never translated.
        assert_eq!(
            in_each(|| unlock_name("Zone", None)),
            ["Zone", "Zone", "Zone"]
        );
        for on in [true, false] {
            differ_and_not_empty(&in_each(|| unlock_state(on).to_owned()));
            differ_and_not_empty(&in_each(|| unlock_toggle(on).to_owned()));
            differ_and_not_empty(&in_each(|| unlock_switching(on).to_owned()));
        }
    }

    #[test]
    fn last_change_names_who_and_when() {
        let change = LicenseChange {
            by: "pilot".into(),
            at_ms: 5,
            old_enabled: Some(false),
            new_enabled: true,
        };
        assert_eq!(
            unlock_last_change(&change, date),
            "Last changed by pilot at <5> (enabled)."
        );
        let words = in_each(|| unlock_last_change(&change, date));
        differ_and_not_empty(&words);
        assert!(words
            .iter()
            .all(|w| w.contains("pilot") && w.contains("<5>")));
        assert_eq!(words[1], "最近一次由 pilot 于 <5> 更改（已启用）。");
    }

    #[test]
    fn every_fixed_sentence_of_the_panel_is_translated() {
        let fixed = [
            NOT_DONE_OFFLINE,
            UNLOCK_TITLE,
            UNLOCK_TAB_AIRCRAFT,
            UNLOCK_TAB_DOCK,
            UNLOCK_INTRO_AIRCRAFT,
            UNLOCK_INTRO_DOCK,
            UNLOCK_OFFLINE,
            UNLOCK_NO_AIRCRAFT,
            UNLOCK_NO_CONTROLLER,
            UNLOCK_NONE_AIRCRAFT,
            UNLOCK_UPDATE,
            UNLOCK_UPDATE_PROGRESS,
            UNLOCK_UPDATED,
            UNLOCK_GROUP_AREA,
            UNLOCK_GROUP_COUNTRY,
            UNLOCK_GROUP_RID,
            UNLOCK_GROUP_OTHER,
        ];
        for t in fixed {
            differ_and_not_empty(&Lang::ALL.map(|l| t.of(l).to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_intl_writes_a_medium_date_and_a_short_time() {
        assert_eq!(
            date_time(Lang::En, 2026, 11, 22, 14, 5),
            "22 Nov 2026, 14:05"
        );
        assert_eq!(
            date_time(Lang::Zh, 2026, 11, 22, 14, 5),
            "2026年11月22日 14:05"
        );
        assert_eq!(
            date_time(Lang::Ru, 2026, 11, 22, 14, 5),
            "22 нояб. 2026 г., 14:05"
        );
        // January and December, midnight; Russian months in the genitive
        assert_eq!(date_time(Lang::En, 2027, 1, 1, 0, 0), "1 Jan 2027, 00:00");
        assert_eq!(
            date_time(Lang::Ru, 2026, 5, 2, 9, 0),
            "2 мая 2026 г., 09:00"
        );
        assert_eq!(
            date_time(Lang::Ru, 2026, 12, 31, 23, 59),
            "31 дек. 2026 г., 23:59"
        );
    }

    fn api_error(code: ErrorCode) -> AppError {
        AppError::Api {
            status: 400,
            code,
            message: "m".into(),
            retry_after_secs: Some(42),
            upstream_code: None,
        }
    }

    #[test]
    fn messages_are_specific() {
        assert!(
            error(&api_error(ErrorCode::InvalidCredentials)).contains("Wrong username or password")
        );
        assert!(error(&api_error(ErrorCode::TooManyAttempts)).contains("42 seconds"));
        assert!(error(&api_error(ErrorCode::UpstreamUnreachable)).contains("cannot be reached"));
        assert!(error(&AppError::Network("x".into())).contains("network"));
        assert!(error(&AppError::Bridge(BridgeError::Missing)).contains("Open Platforms"));
    }

    /// A controller refused for the workspace: the way out is named, as the button says it.
    #[cfg(feature = "full")]
    #[test]
    fn a_controller_refused_for_the_workspace_points_to_change_workspace() {
        for lang in Lang::ALL {
            crate::i18n::set(lang);
            let said = error(&api_error(ErrorCode::DeviceForbidden));
            assert!(said.contains(CHANGE_WORKSPACE.of(lang)), "{lang:?}: {said}");
        }
        crate::i18n::set(Lang::En);
    }

    #[test]
    fn a_missing_session_or_a_bad_id_is_not_blamed_on_the_network() {
        let no_session = error(&AppError::NoSession);
        assert!(no_session.contains("not signed in"), "{no_session}");
        assert!(!no_session.contains("network"));
        let bad_id = error(&AppError::InvalidWorkspaceId("42".into()));
        assert!(bad_id.contains("\"42\""), "{bad_id}");
        assert!(!bad_id.contains("does not understand"));
        let page = error(&AppError::Page("no document".into()));
        assert!(!page.contains("does not understand"), "{page}");
    }

    #[test]
    fn long_waits_are_in_minutes() {
        assert_eq!(wait(Lang::En, 30), "30 seconds");
        assert_eq!(wait(Lang::En, 600), "10 minutes");
        assert_eq!(wait(Lang::Zh, 600), "10 分钟");
        assert_eq!(wait(Lang::Ru, 30), "30 с");
    }

    #[test]
    fn every_error_code_has_words_in_every_language_and_never_the_proxys() {
        for lang in Lang::ALL {
            crate::i18n::set(lang);
            for code in [
                ErrorCode::BadRequest,
                ErrorCode::InvalidCredentials,
                ErrorCode::TokenRevoked,
                ErrorCode::DeviceError,
                ErrorCode::Unknown,
            ] {
                let words = error(&api_error(code));
                assert!(!words.is_empty(), "{code:?} in {lang:?}");
                assert_ne!(words, "m", "the proxy's own message is never shown");
            }
        }
        crate::i18n::set(Lang::En);
    }

    #[test]
    fn the_chinese_and_russian_words_are_not_the_english_ones() {
        let e = api_error(ErrorCode::InvalidCredentials);
        crate::i18n::set(Lang::Zh);
        let zh = error(&e);
        crate::i18n::set(Lang::Ru);
        let ru = error(&e);
        crate::i18n::set(Lang::En);
        let en = error(&e);
        assert!(zh.contains("密码"), "{zh}");
        assert!(ru.contains("пароль"), "{ru}");
        assert!(en.contains("password"), "{en}");
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics (issue 11): the sentence for a support report the proxy refused. The diagnostics
// page itself (`public/diagnostics.html`) and its link on every screen (`index.html`, with the
// boot script) are plain HTML and JavaScript with their own words in the three languages: they
// must work when this WebAssembly does not.
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// No network, bad network (issue 11): on every screen of both bundles (`crate::net`).
// ---------------------------------------------------------------------------------------------

/// The controller has no network: the banner, and a start that waits for the network.
pub const OFFLINE: Tr = tr(
    "You are offline — the page continues when the network is back.",
    "您已离线——网络恢复后页面会自动继续。",
    "Нет сети — страница продолжит работу, когда сеть вернётся.",
);
/// A proxy call has been waiting for a while.
pub const SLOW_NETWORK: Tr = tr(
    "Slow network, still trying…",
    "网络较慢，仍在尝试…",
    "Медленная сеть, продолжаем попытки…",
);
/// The platform is out of reach though the controller has a network: the page retries.
pub const RETRYING_BY_ITSELF: Tr = tr(
    "The page tries again by itself.",
    "页面会自动重试。",
    "Страница повторит попытку сама.",
);

#[cfg(test)]
mod boot_script_tests {
    use super::*;

    /// index.html's boot script says "Loading…" and draws the login form before any wasm, in
    /// its own copy of these words: each language's table must say what the wasm's pages say.
    #[test]
    fn the_boot_scripts_words_are_the_pages() {
        let html = include_str!("../index.html");
        for lang in Lang::ALL {
            crate::i18n::set(lang);
            let line = html
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with(&format!("{}: [", lang.code())))
                .unwrap_or_else(|| panic!("no {} line in the boot script", lang.code()));
            let loading = format!("[\"{}\",", LOADING.get());
            let retry = format!("\"{}\", \"{}\"", TRY_AGAIN.get(), LOG_IN_TITLE.get());
            assert!(line.contains(&retry), "Try again, then the form: {line}");
            let form = [LOG_IN_TITLE, USERNAME, PASSWORD, LOG_IN]
                .map(|w| format!("\"{}\"", w.get()))
                .join(", ");
            assert!(line.contains(&loading), "{line}");
            let line = line.trim_end_matches(',');
            assert!(line.ends_with(&format!("{form}]")), "{line}");
        }
        crate::i18n::set(Lang::En);
    }
}
