//! Switches for what the token API document leaves open (issue 15.2): each is a plausible
//! platform, so the proxy is tested against all of them rather than against the guesses it
//! was written with. `Default` is the simulator as it always was, except where the document
//! says otherwise (the list holds the whole project's tokens).

/// What a token value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenStyle {
    /// An HS256 JWT with `sub` (user name), `jti` (`_id`), `iat`, `exp`, `scopes`.
    #[default]
    Jwt,
    /// An HS256 JWT with only `iat` and `exp` (the document shows no claim at all).
    JwtMinimal,
    /// Not a JWT: an opaque random string.
    Opaque,
}

/// Whose tokens `GET /tokens` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListScope {
    /// Every token issued in the project (the document's words), whoever holds it.
    #[default]
    Project,
    /// Only the caller's own user's tokens.
    Caller,
}

/// What `POST /tokens` answers (the document shows no answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssueAnswer {
    /// The login answer's shape plus `name` and `scopes`.
    #[default]
    Full,
    /// Only `{_id, token, expiresAt}`.
    Minimal,
    /// Only `{token}`: no `_id`, so the token cannot be revoked by id (unsupportable).
    TokenOnly,
}

/// What a refusal's body says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorBodies {
    /// RicError with specific codes (`error_token_revoked`, `error_token_expired`, …).
    #[default]
    Specific,
    /// RicError with only the generic `error_unauthorized` / `error_forbidden`.
    Generic,
}

/// The switches, settable per test (`TokenApi::set_behaviour`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenApiBehaviour {
    pub tokens: TokenStyle,
    pub list: ListScope,
    pub issue_answer: IssueAnswer,
    pub errors: ErrorBodies,
    /// The account's role lacks `POST /tokens`: issuing with a token answers 403.
    pub issue_forbidden: bool,
    /// Every request answers 429 with this `Retry-After` (as sent, e.g. `"7"` or `"2.5"`).
    pub rate_limited: Option<String>,
}

impl TokenApiBehaviour {
    /// Every combination of the switches the proxy must cope with (not `TokenOnly`, which it
    /// cannot support, nor the failure switches), for test matrices.
    pub fn matrix() -> Vec<TokenApiBehaviour> {
        let mut all = Vec::new();
        for tokens in [TokenStyle::Jwt, TokenStyle::JwtMinimal, TokenStyle::Opaque] {
            for list in [ListScope::Project, ListScope::Caller] {
                for issue_answer in [IssueAnswer::Full, IssueAnswer::Minimal] {
                    for errors in [ErrorBodies::Specific, ErrorBodies::Generic] {
                        all.push(TokenApiBehaviour {
                            tokens,
                            list,
                            issue_answer,
                            errors,
                            ..TokenApiBehaviour::default()
                        });
                    }
                }
            }
        }
        all
    }
}
