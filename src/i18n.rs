//! The pilot's language: English, 简体中文, Русский.
//!
//! Every sentence is a [`Tr`] (or a function matching on [`Lang`]) in `crate::text`: a
//! translation missing in any language is a struct field or a `match` arm missing, so the build
//! fails, not the page at run time. Nothing is looked up by string key and nothing is loaded:
//! the three languages of the first screen cost about as much as a small image, and each
//! bundle carries only the sentences its code uses.
//!
//! The language follows `?lang=`, then the pilot's last choice (`localStorage`), then the
//! controller's (`navigator.languages`), then English. Dates and relative times are formatted
//! by the WebView's `Intl` in the same language.

use leptos::prelude::*;
use std::cell::Cell;

/// `localStorage` key of the pilot's choice (the boot script and the diagnostics page read it
/// too).
pub const STORAGE_KEY: &str = "pilot-portal.lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Zh, Lang::Ru];

    /// The code in URLs, storage and the `X-Page-Language` header.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::Ru => "ru",
        }
    }

    /// The BCP 47 tag for `Intl` (dates, relative times) and `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en-GB",
            Lang::Zh => "zh-CN",
            Lang::Ru => "ru-RU",
        }
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
            Lang::Ru => "Русский",
        }
    }

    /// `en`, `en-US`, `zh`, `zh-Hans-CN`, `ru-RU`…: the language, whatever the region.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }
}

/// One sentence in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub en: &'static str,
    pub zh: &'static str,
    pub ru: &'static str,
}

impl Tr {
    /// In `lang`.
    pub fn of(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
            Lang::Ru => self.ru,
        }
    }

    /// In the page's current language (screens are rebuilt when it changes).
    pub fn get(self) -> &'static str {
        self.of(current())
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The page's language now.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// Sets the page's language (and `<html lang>`), without remembering it.
pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
    // (Natively, in the unit tests, there is no document.)
    #[cfg(target_arch = "wasm32")]
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", lang.tag());
    }
}

/// The pilot chose `lang`: used from now on, and on the next openings.
pub fn choose(signal: RwSignal<Lang>, lang: Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
    set(lang);
    signal.set(lang);
}

/// `?lang=`, the pilot's last choice, the controller's languages, English.
pub fn detect() -> Lang {
    let Some(window) = web_sys::window() else {
        return Lang::En;
    };
    let from_query = window
        .location()
        .search()
        .ok()
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("lang"))
        .and_then(|l| Lang::parse(&l));
    let remembered = || {
        window
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|l| Lang::parse(&l))
    };
    let controller = || {
        window
            .navigator()
            .languages()
            .iter()
            .filter_map(|l| l.as_string())
            .find_map(|l| Lang::parse(&l))
    };
    from_query
        .or_else(remembered)
        .or_else(controller)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_region_of_a_supported_language_is_that_language() {
        assert_eq!(Lang::parse("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh_TW"), Some(Lang::Zh));
        assert_eq!(Lang::parse("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::parse("EN-us"), Some(Lang::En));
        assert_eq!(Lang::parse("de-DE"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn a_sentence_is_read_in_the_language_asked() {
        let t = Tr {
            en: "Log in",
            zh: "登录",
            ru: "Войти",
        };
        assert_eq!(Lang::ALL.map(|l| t.of(l)), ["Log in", "登录", "Войти"]);
    }
}
