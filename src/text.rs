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
            Lang::Zh => format!("本页面未能加载完成（{what}）。请关闭后重新打开；如仍出现，请更新 DJI Pilot 2。"),
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
    match code {
        ErrorCode::DeviceOffline => fixed(tr(
            "This controller is not online on the platform's cloud. Check the cloud connection \
             above, then try again.",
            "本遥控器未在平台云端上线。请检查上方的云连接后重试。",
            "Этот пульт не в сети облака платформы. Проверьте облачное подключение выше и \
             повторите.",
        )),
        ErrorCode::DeviceTimeout => fixed(tr(
            "This controller did not answer in time. Try again; if it keeps happening, restart \
             DJI Pilot 2's cloud connection.",
            "本遥控器未及时应答。请重试；如反复出现，请重新连接 DJI Pilot 2 的云服务。",
            "Пульт не ответил вовремя. Повторите; если это повторяется, перезапустите облачное \
             подключение DJI Pilot 2.",
        )),
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
                (Lang::Ru, true) => format!(
                    "Дрон отклонил запрос (код {c}). Проверьте дрон и повторите."
                ),
                (Lang::Ru, false) => "Дрон отклонил запрос. Проверьте дрон и повторите.".into(),
            }
        }
        ErrorCode::DeviceForbidden => fixed(tr(
            "You can only manage the controller you are signed in on, in your workspace.",
            "您只能管理当前登录的遥控器（在您的工作空间内）。",
            "Можно управлять только пультом, на котором вы вошли, в вашем рабочем пространстве.",
        )),
        ErrorCode::DeviceNotConfigured => fixed(tr(
            "Flight unlocking is not set up on this platform. Ask your platform administrator.",
            "本平台未配置飞行解禁。请联系平台管理员。",
            "Разблокировка полётов на этой платформе не настроена. Обратитесь к администратору \
             платформы.",
        )),
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
        | ErrorCode::Unknown => fixed(tr(
            "The platform had a problem. Try again; if it persists, tell your platform \
             administrator.",
            "平台出现问题。请重试；如仍出现，请告知平台管理员。",
            "На платформе произошла ошибка. Повторите; если не поможет, сообщите администратору \
             платформы.",
        )),
        ErrorCode::TokenExpired => fixed(tr(
            "Your session has expired. Please log in again.",
            "您的会话已过期。请重新登录。",
            "Срок вашего сеанса истёк. Войдите снова.",
        )),
        ErrorCode::TokenRevoked => fixed(tr(
            "This controller's access was revoked on the platform. Please log in again.",
            "本遥控器的访问权限已在平台上被撤销。请重新登录。",
            "Доступ этого пульта отозван на платформе. Войдите снова.",
        )),
        ErrorCode::TokenInvalid | ErrorCode::TokenMissing => fixed(tr(
            "Your session is no longer valid. Please log in again.",
            "您的会话已失效。请重新登录。",
            "Ваш сеанс больше не действителен. Войдите снова.",
        )),
        ErrorCode::XagNotConfigured => fixed(tr(
            "XAG linking is not set up on this platform. Ask your platform administrator.",
            "本平台未配置极飞账号关联。请联系平台管理员。",
            "Привязка XAG на этой платформе не настроена. Обратитесь к администратору платформы.",
        )),
        ErrorCode::XagRefused => fixed(tr(
            "XAG refused the platform's request. Ask your platform administrator to check the \
             XAG credentials.",
            "极飞拒绝了平台的请求。请让平台管理员检查极飞凭据。",
            "XAG отклонил запрос платформы. Попросите администратора проверить учётные данные \
             XAG.",
        )),
        ErrorCode::LinkStateInvalid => fixed(tr(
            "The XAG link request expired. Try again.",
            "极飞关联请求已过期。请重试。",
            "Запрос на привязку XAG устарел. Повторите.",
        )),
        ErrorCode::FlightHubNotConfigured => fixed(tr(
            "FlightHub 2 is not set up on this platform. Ask your platform administrator.",
            "本平台未配置司空 2（FlightHub 2）。请联系平台管理员。",
            "FlightHub 2 на этой платформе не настроен. Обратитесь к администратору платформы.",
        )),
        ErrorCode::FlightHubKeyInvalid => fixed(tr(
            "FlightHub 2 rejected the platform's organization key. Ask your platform \
             administrator.",
            "司空 2 拒绝了平台的组织密钥。请联系平台管理员。",
            "FlightHub 2 отклонил ключ организации платформы. Обратитесь к администратору \
             платформы.",
        )),
        ErrorCode::FlightHubForbidden => fixed(tr(
            "The platform has no FlightHub 2 permission on this project. Choose another project \
             or ask your platform administrator.",
            "平台没有该项目的司空 2 权限。请选择其他项目或联系平台管理员。",
            "У платформы нет прав FlightHub 2 на этот проект. Выберите другой проект или \
             обратитесь к администратору платформы.",
        )),
        ErrorCode::WorkspaceForbidden => fixed(tr(
            "This project is not one of yours on this platform. Choose another project, or ask \
             your platform administrator for access.",
            "该项目不属于您在本平台上的项目。请选择其他项目，或向平台管理员申请权限。",
            "Этот проект вам на этой платформе не доступен. Выберите другой проект или \
             попросите доступ у администратора платформы.",
        )),
        ErrorCode::RateLimited => {
            let w = wait(lang, retry_after_secs.unwrap_or(30));
            match lang {
                Lang::En => format!("FlightHub 2 asks to slow down. Try again in {w}."),
                Lang::Zh => format!("司空 2 要求降低请求频率。请在 {w} 后重试。"),
                Lang::Ru => format!("FlightHub 2 просит снизить частоту запросов. Повторите через {w}."),
            }
        }
        ErrorCode::Forbidden => fixed(tr(
            "The platform does not allow this with your account. Ask your platform \
             administrator.",
            "平台不允许您的账号执行此操作。请联系平台管理员。",
            "Платформа не разрешает это вашей учётной записи. Обратитесь к администратору \
             платформы.",
        )),
        ErrorCode::TokenScopeMissing => fixed(TOKENS_NO_PERMISSION),
        ErrorCode::TokenRequestRefused => fixed(TOKENS_REQUEST_REFUSED),
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
    }
}

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
                "Disconnected — Pilot 2 keeps retrying. Check the controller's network.",
                "已断开——Pilot 2 会自动重连。请检查遥控器的网络。",
                "Отключено — Pilot 2 продолжает попытки. Проверьте сеть пульта.",
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
    let class = if outcome == XagOutcome::Linked { "ok" } else { "warn" };
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

/// "Linked as <union id>, authorized until <until>.": the words before and after the id.
pub fn xag_linked(until: &str) -> (&'static str, String) {
    match current() {
        Lang::En => ("Linked as ", format!(", authorized until {until}.")),
        Lang::Zh => ("已关联：", format!("，授权有效期至 {until}。")),
        Lang::Ru => ("Привязано как ", format!(", доступ до {until}.")),
    }
}

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
pub const EXIT: Tr = tr("Exit", "退出", "Закрыть");

pub const CLOUD_TITLE: Tr = tr("Cloud", "云服务", "Облако");
pub const CLOUD_CONNECTION: Tr = tr("Connection", "连接", "Подключение");
pub const CLOUD_WORKSPACE: Tr = tr("Workspace", "工作空间", "Рабочее пространство");
pub const CLOUD_AIRCRAFT: Tr = tr("Aircraft", "飞行器", "Дрон");
pub const CLOUD_CHECKING: Tr = tr("checking…", "检查中…", "проверка…");
pub const CLOUD_AVAILABLE: Tr = tr("available", "可用", "доступен");
pub const CHANGE_WORKSPACE: Tr = tr("Change workspace", "更换工作空间", "Сменить рабочее пространство");
pub const REFRESH: Tr = tr("Refresh", "刷新", "Обновить");
pub const DEVICES_TITLE: Tr = tr("Devices in this project", "本项目的设备", "Устройства проекта");
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

pub const TOKENS_TITLE: &str = "Access tokens";
pub const TOKENS_INTRO: &str = "Every token that can use the platform in your project. Revoke the \
     ones you no longer trust; a token's value is shown only once, when it is issued.";
pub const TOKENS_LOADING: &str = "Reading the tokens…";
pub const TOKENS_NONE: &str = "No tokens.";
pub const TOKENS_THIS_CONTROLLER: &str = "this controller";
pub const TOKENS_EXPIRED_BADGE: &str = "expired";
pub const TOKENS_UNNAMED: &str = "Unnamed token";
pub const TOKENS_NO_EXPIRY: &str = "No expiry given";
pub const TOKENS_ALL_METHODS: &str = "All of the account's methods";
pub const TOKENS_FEWER_METHODS: &str = "fewer";
pub const TOKENS_REFRESH: &str = "Refresh";
pub const TOKENS_REVOKE: &str = "Revoke";
pub const TOKENS_KEEP: &str = "Keep";
pub const TOKENS_NEW: &str = "New token";
pub const TOKENS_NEW_TITLE: &str = "New token for another tool";
pub const TOKENS_NAME_LABEL: &str = "Name";
pub const TOKENS_NAME_PLACEHOLDER: &str = "e.g. Laptop ground station";
pub const TOKENS_LIFETIME_LABEL: &str = "Lifetime";
pub const TOKENS_CUSTOM: &str = "Custom…";
pub const TOKENS_CUSTOM_PLACEHOLDER: &str = "e.g. 90 days, 12 hours";
pub const TOKENS_METHODS_LABEL: &str = "Allowed methods";
pub const TOKENS_METHODS_LOADING: &str = "Reading the methods the platform offers…";
pub const TOKENS_PICK_ONE: &str = "Pick at least one method.";
pub const TOKENS_ISSUE: &str = "Issue token";
pub const TOKENS_ISSUING: &str = "Issuing…";
pub const TOKENS_CANCEL: &str = "Cancel";
pub const TOKENS_SHOWN_ONCE: &str = "Copy this token now. It will not be shown again: the \
     platform cannot give it back, and closing this box forgets it.";
pub const TOKENS_COPY: &str = "Copy";
pub const TOKENS_COPIED: &str = "Copied.";
pub const TOKENS_SELECTED: &str = "Selected: press Copy in the menu (or Ctrl+C) to copy it.";
pub const TOKENS_DONE: &str = "I have copied it";
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

/// The lifetimes offered for a new token: (label, the platform's `expiresIn`).
pub const TOKENS_LIFETIMES: [(&str, &str); 4] = [
    ("1 day", "1 day"),
    ("7 days", "7 days"),
    ("30 days", "30 days"),
    ("1 year", "1 year"),
];

/// "Revoke 'Pilot 2 · 5YSZL'?", and what revoking this controller's own token means.
pub fn tokens_revoke_question(name: &str, current: bool) -> String {
    if current {
        format!(
            "Revoke '{name}'? It is the token this controller uses: you will be logged out here."
        )
    } else {
        format!("Revoke '{name}'? Whatever uses it loses access to the platform at once.")
    }
}

/// "3 more methods" under a collapsed scope list.
pub fn tokens_more_methods(hidden: usize) -> String {
    match hidden {
        1 => "1 more method".into(),
        n => format!("{n} more methods"),
    }
}

/// A token's expiry relative to `now`: "in 3 h", "in 2 days", "expired 2 days ago".
pub fn tokens_relative(expires_at: i64, now: i64) -> String {
    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;
    const DAY: i64 = 24 * HOUR;
    let span = |ms: i64| -> String {
        if ms < HOUR {
            format!("{} min", (ms / MIN).max(1))
        } else if ms < 2 * DAY {
            format!("{} h", ms / HOUR)
        } else if ms < 365 * DAY {
            format!("{} days", ms / DAY)
        } else {
            let years = ms / (365 * DAY);
            if years == 1 {
                "1 year".into()
            } else {
                format!("{years} years")
            }
        }
    };
    if expires_at > now {
        format!("in {}", span(expires_at - now))
    } else {
        format!("expired {} ago", span(now - expires_at))
    }
}

#[cfg(test)]
mod tokens_tests {
    use super::*;

    #[test]
    fn expiry_in_words() {
        let now = 1_800_000_000_000;
        let h = 3_600_000;
        assert_eq!(tokens_relative(now + 3 * h + 5, now), "in 3 h");
        assert_eq!(tokens_relative(now + 30 * 60_000, now), "in 30 min");
        assert_eq!(tokens_relative(now + 10_000, now), "in 1 min");
        assert_eq!(tokens_relative(now + 3 * 24 * h, now), "in 3 days");
        assert_eq!(tokens_relative(now - 2 * 24 * h, now), "expired 2 days ago");
        assert_eq!(tokens_relative(now - 5 * h, now), "expired 5 h ago");
        assert_eq!(tokens_relative(now + 400 * 24 * h, now), "in 1 year");
        assert_eq!(tokens_relative(now + 5 * 366 * 24 * h, now), "in 5 years");
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

pub const UNLOCK_TITLE: &str = "Flight unlocking";
pub const UNLOCK_TAB_AIRCRAFT: &str = "Aircraft";
pub const UNLOCK_TAB_DOCK: &str = "Dock";
pub const UNLOCK_INTRO_AIRCRAFT: &str = "The unlock licenses imported on the aircraft. Enable the \
     one your flight needs before take-off.";
pub const UNLOCK_INTRO_DOCK: &str = "The unlock licenses approved on DJI's Flysafe website. To \
     fly with one, update the aircraft's licenses, then enable it on the Aircraft tab.";
pub const UNLOCK_OFFLINE: &str = "This controller is not connected to the platform's cloud, so \
     its licenses cannot be read or changed. This panel looks again by itself once the \
     connection is back (see Cloud above).";
pub const UNLOCK_NO_AIRCRAFT: &str = "No aircraft is connected to this controller. Turn the \
     aircraft on and link it to the controller, then tap Refresh.";
pub const UNLOCK_NO_CONTROLLER: &str = "DJI Pilot 2 did not give this controller's serial \
     number, so its licenses cannot be read. Close this page and open it again.";
pub const UNLOCK_LOADING: &str = "Reading the licenses…";
pub const UNLOCK_NONE_AIRCRAFT: &str = "The aircraft carries no unlock licenses.";
pub const UNLOCK_NONE_DOCK: &str = "No unlock licenses are approved on Flysafe.";
pub const UNLOCK_INCONSISTENT: &str =
    "The aircraft's licenses differ from the ones approved — update them.";
pub const UNLOCK_REFRESH: &str = "Refresh";
pub const UNLOCK_UPDATE: &str = "Update from the platform's license file";
pub const UNLOCK_UPDATING: &str = "Updating…";
pub const UNLOCK_UPDATE_PROGRESS: &str = "Updating… the aircraft downloads the file and imports \
     its licenses. This can take a minute.";
pub const UNLOCK_UPDATED: &str =
    "Licenses updated. The list below is what the aircraft carries now.";
pub const UNLOCK_CANCEL: &str = "Cancel";

pub const UNLOCK_GROUP_AREA: &str = "Authorization zones";
pub const UNLOCK_GROUP_CIRCLE: &str = "Circular areas";
pub const UNLOCK_GROUP_COUNTRY: &str = "Countries and regions";
pub const UNLOCK_GROUP_ALTITUDE: &str = "Altitude limits";
pub const UNLOCK_GROUP_POLYGON: &str = "Polygon areas";
pub const UNLOCK_GROUP_POWER: &str = "Power";
pub const UNLOCK_GROUP_RID: &str = "Remote ID";
pub const UNLOCK_GROUP_OTHER: &str = "Other licenses";

/// A license's state: "Enabled" / "Disabled".
pub fn unlock_state(enabled: bool) -> &'static str {
    if enabled {
        "Enabled"
    } else {
        "Disabled"
    }
}

/// The switch's label: what tapping it asks for.
pub fn unlock_toggle(enable: bool) -> &'static str {
    if enable {
        "Enable"
    } else {
        "Disable"
    }
}

/// The switch's label while the device is asked.
pub fn unlock_switching(enable: bool) -> &'static str {
    if enable {
        "Enabling…"
    } else {
        "Disabling…"
    }
}

/// A license's name as shown: its own, else its id.
pub fn unlock_name(name: &str, license_id: Option<i64>) -> String {
    match (name.trim(), license_id) {
        ("", Some(id)) => format!("License {id}"),
        ("", None) => "Unnamed license".into(),
        (name, _) => name.to_owned(),
    }
}

/// "Enable 'Nanshan Science Park inspection circle'?"
pub fn unlock_confirm(enable: bool, name: &str) -> String {
    format!("{} '{name}'?", unlock_toggle(enable))
}

/// What a license unlocks, in a sentence.
pub fn unlock_what(kind: &LicenseKind) -> String {
    match kind {
        LicenseKind::Area(a) => {
            let ids: Vec<String> = a.area_ids.iter().map(i64::to_string).collect();
            match ids.len() {
                0 => "Unlocks authorization zones (none listed).".into(),
                1 => format!("Unlocks authorization zone {}.", ids[0]),
                _ => format!("Unlocks authorization zones {}.", ids.join(", ")),
            }
        }
        LicenseKind::Circle(c) => format!(
            "Unlocks a circle of radius {} m around {}{}.",
            metres(c.radius),
            coordinates(c.latitude, c.longitude),
            up_to(c.height)
        ),
        LicenseKind::Country(c) => format!(
            "Unlocks {}{}.",
            pilot_portal_shared::unlock::country_label(c.country_number),
            up_to(c.height)
        ),
        LicenseKind::Altitude(h) => format!("Raises the altitude limit to {} m.", h.height),
        LicenseKind::Polygon(p) => {
            let vertices = match p.vertex_count() {
                1 => "1 vertex".to_owned(),
                n => format!("{n} vertices"),
            };
            match p.extent() {
                Some(e) => format!(
                    "Unlocks a polygon area with {vertices}, latitude {:.5} to {:.5}, longitude \
                     {:.5} to {:.5}.",
                    e.min_latitude, e.max_latitude, e.min_longitude, e.max_longitude
                ),
                None => "Unlocks a polygon area without vertices.".into(),
            }
        }
        LicenseKind::Power(_) => "Unlocks higher power output.".into(),
        LicenseKind::Rid(r) => match r.level {
            RidLevel::Eu => "Remote ID unlocking: EU.".into(),
            RidLevel::China => "Remote ID unlocking: China.".into(),
            RidLevel::Unknown(level) => format!("Remote ID unlocking, level {level}."),
        },
        LicenseKind::Other { type_code, .. } => match type_code {
            -1 => "A license this page cannot read.".into(),
            0..=6 => format!(
                "A license of type {type_code} ({}) in a form this page cannot read.",
                pilot_portal_shared::unlock::type_name(*type_code)
            ),
            _ => {
                format!("Unknown license type {type_code}: this page cannot show what it unlocks.")
            }
        },
    }
}

/// "1581 m" (a fractional radius keeps one decimal).
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
fn up_to(height: Option<i64>) -> String {
    height
        .map(|h| format!(", up to {h} m altitude"))
        .unwrap_or_default()
}

/// Whether a license applies now. `date` formats epoch milliseconds.
pub fn unlock_validity(v: Validity, date: impl Fn(i64) -> String) -> String {
    let at = |secs: i64| date(secs.saturating_mul(1000));
    match v {
        Validity::NotYetValid { from } => format!("Not yet valid (from {}).", at(from)),
        Validity::Valid { until: Some(until) } => format!("Valid until {}.", at(until)),
        Validity::Valid { until: None } => "Valid, without end date.".into(),
        Validity::Expired { at: ended } => format!("Expired on {}.", at(ended)),
    }
}

/// "Last changed by pilot at … (enabled)." `date` formats epoch milliseconds.
pub fn unlock_last_change(change: &LicenseChange, date: impl Fn(i64) -> String) -> String {
    let state = if change.new_enabled {
        "enabled"
    } else {
        "disabled"
    };
    format!(
        "Last changed by {} at {} ({state}).",
        change.by,
        date(change.at_ms)
    )
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

    #[test]
    fn each_kind_says_what_it_unlocks() {
        let area = LicenseKind::Area(AreaUnlock {
            area_ids: vec![115001769, 8724],
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&area),
            "Unlocks authorization zones 115001769, 8724."
        );
        let circle = LicenseKind::Circle(CircleUnlock {
            radius: 1581.0,
            latitude: 22.60309,
            longitude: 113.947815,
            height: Some(500),
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&circle),
            "Unlocks a circle of radius 1581 m around 22.60309, 113.94782, up to 500 m altitude."
        );
        let country = LicenseKind::Country(CountryUnlock {
            country_number: 156,
            height: None,
            ..Default::default()
        });
        assert_eq!(unlock_what(&country), "Unlocks China.");
        let unknown_country = LicenseKind::Country(CountryUnlock {
            country_number: 999,
            height: Some(120),
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&unknown_country),
            "Unlocks country code 999, up to 120 m altitude."
        );
        let altitude = LicenseKind::Altitude(HeightUnlock {
            height: 500,
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&altitude),
            "Raises the altitude limit to 500 m."
        );
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
            unlock_what(&polygon),
            "Unlocks a polygon area with 3 vertices, latitude 22.54000 to 22.55000, longitude \
             113.93000 to 113.95000."
        );
        assert_eq!(
            unlock_what(&LicenseKind::Power(PowerUnlock::default())),
            "Unlocks higher power output."
        );
        let rid = |level| {
            unlock_what(&LicenseKind::Rid(RidUnlock {
                level,
                extra: JsonMap::new(),
            }))
        };
        assert!(rid(RidLevel::Eu).contains("EU"));
        assert!(rid(RidLevel::China).contains("China"));
        assert!(rid(RidLevel::Unknown(7)).contains("level 7"));
    }

    #[test]
    fn other_licenses_say_what_is_unknown() {
        let other = |type_code| {
            unlock_what(&LicenseKind::Other {
                type_code,
                fields: JsonMap::new(),
            })
        };
        assert!(other(9).contains("Unknown license type 9"), "{}", other(9));
        assert!(other(1).contains("type 1 (Custom circular area unlocking)"));
        assert_eq!(other(-1), "A license this page cannot read.");
    }

    #[test]
    fn odd_shapes_are_still_said() {
        let empty_area = LicenseKind::Area(AreaUnlock::default());
        assert!(unlock_what(&empty_area).contains("none listed"));
        let one_zone = LicenseKind::Area(AreaUnlock {
            area_ids: vec![8724],
            ..Default::default()
        });
        assert_eq!(unlock_what(&one_zone), "Unlocks authorization zone 8724.");
        let empty_polygon = LicenseKind::Polygon(PolygonUnlock::default());
        assert!(unlock_what(&empty_polygon).contains("without vertices"));
        let fractional = LicenseKind::Circle(CircleUnlock {
            radius: 12.25,
            latitude: -33.5,
            longitude: -70.25,
            height: None,
            ..Default::default()
        });
        assert_eq!(
            unlock_what(&fractional),
            "Unlocks a circle of radius 12.2 m around -33.50000, -70.25000."
        );
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
