-- The pre-auth code of a link attempt, so the proxy itself redirects the webview to XAG's
-- page and the page never holds the component access token.
ALTER TABLE xag_link_attempts ADD COLUMN pre_auth_code TEXT;
