//! The pilot's language end to end (issue 11): each of English, 简体中文 and Русский on the
//! login and main pages with nothing left in English, the controller's language followed,
//! and a choice made on the login page remembered for the next opening.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::*;

/// The wasm's login form's label (index.html's early form, drawn before the wasm, has one
/// too, and goes when the wasm's comes: read there, the element can be gone before its text).
const USERNAME_LABEL: &str = "[data-testid=login-form] label[for=username]";

/// What the login and main pages say in each language, and English words that must not be
/// there when another language is shown.
struct Expect {
    code: &'static str,
    login: &'static str,
    main: &'static str,
    logout: &'static str,
}

const LANGS: [Expect; 3] = [
    Expect {
        code: "en",
        login: "Username",
        main: "Signed in",
        logout: "Log out",
    },
    Expect {
        code: "zh",
        login: "用户名",
        main: "已登录",
        logout: "退出登录",
    },
    Expect {
        code: "ru",
        login: "Имя пользователя",
        main: "Вход выполнен",
        logout: "Выйти",
    },
];

/// English sentences of the login and main pages; none may show in another language.
const ENGLISH: [&str; 8] = [
    "Username",
    "Password",
    "Signed in",
    "Session valid until",
    "Log out",
    "Connection",
    "Devices in this project",
    "Not configured for this pilot",
];

async fn body(e: &E2e) -> String {
    e.js("return document.body.innerText")
        .await
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_language_on_the_login_and_main_pages_with_nothing_left_in_english() {
    for lang in LANGS {
        let e = E2e::start(Preset::default()).await;
        e.driver
            .goto(&format!("{}/?lang={}", e.base, lang.code))
            .await
            .expect("navigate");
        let label = e.text(USERNAME_LABEL).await;
        assert_eq!(label, lang.login);
        // a wrong password is explained in the language too (never the proxy's English)
        e.login("pilot", "wrong-password").await;
        let error = e.text("[data-testid=login-error]").await;
        if lang.code != "en" {
            assert!(!error.contains("password"), "{}: {error}", lang.code);
        }
        e.login("pilot", "pilot123").await;
        e.wait_for("[data-testid=main-page]").await;
        assert!(e
            .text("[data-testid=main-page] h1")
            .await
            .contains(lang.main));
        assert_eq!(e.text("[data-testid=logout]").await, lang.logout);
        let text = body(&e).await;
        if lang.code != "en" {
            for english in ENGLISH {
                assert!(
                    !text.contains(english),
                    "{}: \"{english}\" is still in English:\n{text}",
                    lang.code
                );
            }
        }
        assert_eq!(
            e.js("return document.documentElement.lang").await.as_str(),
            Some(match lang.code {
                "en" => "en-GB",
                "zh" => "zh-CN",
                _ => "ru-RU",
            })
        );
        e.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_language_chosen_on_the_login_page_is_remembered() {
    let e = E2e::start(Preset::default()).await;
    e.open().await;
    assert_eq!(e.text(USERNAME_LABEL).await, "Username");
    // what was typed stays when the page is rebuilt in the language chosen
    let u = e.wait_for("[data-testid=username]").await;
    u.send_keys("pilot").await.expect("type");
    let p = e.wait_for("[data-testid=password]").await;
    p.send_keys("pilot123").await.expect("type");
    e.click("[data-testid=lang][data-lang=ru]").await;
    assert_eq!(e.text(USERNAME_LABEL).await, "Имя пользователя");
    let typed = e
        .js("return [document.querySelector('[data-testid=username]').value, document.querySelector('[data-testid=password]').value]")
        .await;
    assert_eq!(typed, serde_json::json!(["pilot", "pilot123"]));
    // and logs in as typed, in the language chosen
    e.click("[data-testid=login-submit]").await;
    e.wait_for("[data-testid=main-page]").await;
    e.click("[data-testid=logout]").await;
    e.wait_for(USERNAME_LABEL).await;
    // the next opening, without ?lang=
    e.open().await;
    assert_eq!(e.text(USERNAME_LABEL).await, "Имя пользователя");
    assert_eq!(
        e.js("return localStorage.getItem('pilot-portal.lang')")
            .await
            .as_str(),
        Some("ru")
    );
    e.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_controllers_language_is_followed() {
    let e = E2e::start(Preset::default()).await;
    let ua = e.js("return navigator.userAgent").await;
    e.driver
        .cdp()
        .send_raw(
            "Emulation.setUserAgentOverride",
            serde_json::json!({ "userAgent": ua, "acceptLanguage": "zh-CN,zh;q=0.9" }),
        )
        .await
        .expect("override the languages");
    e.open().await;
    assert_eq!(e.text(USERNAME_LABEL).await, "用户名");
    e.quit().await;
}
