//! The page's own copy of the token, in `localStorage` as DJI's demo keeps it. Used when
//! Pilot 2's `api` module is not loaded (first visit after Pilot 2 restarted).

const TOKEN_KEY: &str = "pilot-portal.token";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn token() -> Option<String> {
    local_storage()?
        .get_item(TOKEN_KEY)
        .ok()?
        .filter(|t| !t.trim().is_empty())
}

pub fn set_token(token: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(TOKEN_KEY, token);
    }
}

pub fn clear_token() {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(TOKEN_KEY);
    }
}
