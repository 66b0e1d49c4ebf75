-- Security hardening (issue 12).
--
-- mail_request: requests for sign-in links and password resets, per client
-- address, so one address cannot make the server mail (or fill the audit
-- log) without limit. Pruned with the sign-in failures.
CREATE TABLE mail_request (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('sign_in_link', 'password_reset')),
    ip TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX mail_request_by_ip ON mail_request (ip, at);

-- membership_offer: adding an account that already exists to a program (a
-- roster row or an invitation naming a known address) asks that person
-- first; the role is granted only when they accept by the e-mailed link.
-- The link's secret is stored only as a SHA-256 hash.
CREATE TABLE membership_offer (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    role TEXT NOT NULL CHECK (role IN ('student', 'instructor', 'preceptor', 'director')),
    cohort_id BIGINT REFERENCES cohort (id),
    student_number TEXT,
    offered_by BIGINT REFERENCES app_user (id),
    offered_at TIMESTAMPTZ NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    declined_at TIMESTAMPTZ
);
CREATE INDEX membership_offer_by_user ON membership_offer (user_id, program_id);

-- signoff_checkpoint: a program's chain head (position and hash) signed
-- with the server's Ed25519 key, which is not in the database. The same
-- line is appended to a file outside the database; with it, a rewritten
-- record is found even if every later hash was recomputed.
CREATE TABLE signoff_checkpoint (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    signed_at TIMESTAMPTZ NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX signoff_checkpoint_by_program ON signoff_checkpoint (program_id, seq);

CREATE FUNCTION signoff_checkpoint_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sign-off checkpoints are append-only';
END;
$$;
CREATE TRIGGER signoff_checkpoint_no_update BEFORE UPDATE OR DELETE ON signoff_checkpoint
    FOR EACH ROW EXECUTE FUNCTION signoff_checkpoint_append_only();
CREATE TRIGGER signoff_checkpoint_no_truncate BEFORE TRUNCATE ON signoff_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION signoff_checkpoint_append_only();
