-- Where the browser goes back to after XAG's page (a path on the page's own origin, e.g.
-- `/?emulator`), kept with the attempt. NULL: `/`. Portable SQL, as the others.
ALTER TABLE xag_link_attempts ADD COLUMN return_to TEXT;
