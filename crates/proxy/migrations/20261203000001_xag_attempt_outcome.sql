-- How a link attempt ended (an XagOutcome: linked, denied, …) and when its browser was sent to
-- XAG's page. The outcome lets a browser that comes back to /api/xag/authorize after the
-- callback (XAG's server posted it, not the browser) land on the page with the outcome; the
-- time lets a callback without our `?state=` be matched to the one attempt at XAG's page
-- (XAG_STATE_FALLBACK=sole-pending). Portable SQL, as the others.
ALTER TABLE xag_link_attempts ADD COLUMN outcome TEXT;
ALTER TABLE xag_link_attempts ADD COLUMN at_xag_at BIGINT;
