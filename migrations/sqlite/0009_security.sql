-- Security hardening (issue 12).
--
-- mail_request: requests for sign-in links and password resets, per client
-- address, so one address cannot make the server mail (or fill the audit
-- log) without limit. Pruned with the sign-in failures.
CREATE TABLE mail_request (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('sign_in_link', 'password_reset')),
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX mail_request_by_ip ON mail_request (ip, at);

-- membership_offer: adding an account that already exists to a program (a
-- roster row or an invitation naming a known address) asks that person
-- first; the role is granted only when they accept by the e-mailed link.
-- The link's secret is stored only as a SHA-256 hash.
CREATE TABLE membership_offer (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id INTEGER NOT NULL REFERENCES program (id),
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    role TEXT NOT NULL CHECK (role IN ('student', 'instructor', 'preceptor', 'director')),
    cohort_id INTEGER REFERENCES cohort (id),
    student_number TEXT,
    offered_by INTEGER REFERENCES app_user (id),
    offered_at TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    declined_at TEXT
);
CREATE INDEX membership_offer_by_user ON membership_offer (user_id, program_id);

-- signoff_checkpoint: a program's chain head (position and hash) signed
-- with the server's Ed25519 key, which is not in the database. The same
-- line is appended to a file outside the database; with it, a rewritten
-- record is found even if every later hash was recomputed.
CREATE TABLE signoff_checkpoint (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id INTEGER NOT NULL REFERENCES program (id),
    seq INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX signoff_checkpoint_by_program ON signoff_checkpoint (program_id, seq);

CREATE TRIGGER signoff_checkpoint_no_update BEFORE UPDATE ON signoff_checkpoint
BEGIN
    SELECT RAISE(ABORT, 'sign-off checkpoints are append-only');
END;
CREATE TRIGGER signoff_checkpoint_no_delete BEFORE DELETE ON signoff_checkpoint
BEGIN
    SELECT RAISE(ABORT, 'sign-off checkpoints are append-only');
END;
