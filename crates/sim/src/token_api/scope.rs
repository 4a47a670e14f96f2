//! Token scopes: "<METHOD> <path>", `/api/v1` optional, `:param` one segment, `*` the rest.

/// Whether a request (`method`, `path` with or without `/api/v1`) is allowed by `scopes`.
/// A token without scopes may do everything its user may.
pub fn allows(scopes: &[String], method: &str, path: &str) -> bool {
    scopes.is_empty() || scopes.iter().any(|s| matches(s, method, path))
}

/// Whether every scope in `requested` is covered by `held` (a scoped token may not mint a
/// token with more rights than it has).
pub fn covers(held: &[String], requested: &[String]) -> bool {
    if held.is_empty() {
        return true;
    }
    if requested.is_empty() {
        return false;
    }
    requested.iter().all(|r| {
        let Some((method, path)) = r.split_once(' ') else {
            return false;
        };
        held.iter()
            .any(|h| h == r || matches(h, method, path.trim()))
    })
}

/// A scope must look like "GET /objects/:id".
pub fn is_well_formed(scope: &str) -> bool {
    let Some((method, path)) = scope.split_once(' ') else {
        return false;
    };
    matches!(method, "GET" | "POST" | "PUT" | "PATCH" | "DELETE") && path.trim().starts_with('/')
}

fn strip_prefix(path: &str) -> &str {
    path.strip_prefix("/api/v1")
        .filter(|p| p.starts_with('/'))
        .unwrap_or(path)
}

fn matches(scope: &str, method: &str, path: &str) -> bool {
    let Some((scope_method, scope_path)) = scope.split_once(' ') else {
        return false;
    };
    if !scope_method.eq_ignore_ascii_case(method) {
        return false;
    }
    let want: Vec<&str> = strip_prefix(scope_path.trim()).split('/').collect();
    let have: Vec<&str> = strip_prefix(path).split('/').collect();
    for (i, w) in want.iter().enumerate() {
        if *w == "*" {
            return true;
        }
        match have.get(i) {
            Some(h) if w.starts_with(':') && !h.is_empty() => {}
            Some(h) if h == w => {}
            _ => return false,
        }
    }
    want.len() == have.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn exact_param_and_prefix() {
        let scopes = s(&[
            "GET /objects",
            "GET /objects/:id",
            "POST /objects/:id/commands/:command",
        ]);
        assert!(allows(&scopes, "GET", "/api/v1/objects"));
        assert!(allows(&scopes, "GET", "/objects/abc"));
        assert!(allows(&scopes, "POST", "/api/v1/objects/a/commands/reboot"));
        assert!(!allows(&scopes, "DELETE", "/api/v1/objects/abc"));
        assert!(!allows(&scopes, "GET", "/api/v1/objects/abc/packets"));
        assert!(!allows(&scopes, "GET", "/api/v1/geofences"));
    }

    #[test]
    fn wildcard_and_unscoped() {
        assert!(allows(&s(&["GET /models/*"]), "GET", "/api/v1/models/a/b"));
        assert!(allows(&[], "DELETE", "/api/v1/anything"));
    }

    #[test]
    fn a_scoped_token_cannot_widen_its_rights() {
        let held = s(&["GET /tokens", "POST /tokens"]);
        assert!(covers(&held, &s(&["GET /tokens"])));
        assert!(!covers(&held, &s(&["GET /objects"])));
        assert!(!covers(&held, &[]), "no scopes would mean everything");
        assert!(covers(&[], &s(&["GET /objects"])));
    }

    #[test]
    fn well_formed() {
        assert!(is_well_formed("GET /objects/:id"));
        assert!(!is_well_formed("FETCH /objects"));
        assert!(!is_well_formed("GET objects"));
        assert!(!is_well_formed("GET"));
    }
}
