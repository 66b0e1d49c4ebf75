-- Competency sign-offs: append-only evaluation records in a hash chain per
-- program, a program's own requirements, and students' requests to their
-- preceptor. The application has no UPDATE or DELETE path for sign-offs;
-- the triggers below make the database refuse them too.

-- A program's own requirement for a competency (the framework file gives the
-- default). Configuration, not a record: changes are written to the audit log.
CREATE TABLE competency_requirement (
    program_id BIGINT NOT NULL REFERENCES program (id),
    competency_code TEXT NOT NULL,
    attempts INTEGER NOT NULL CHECK (attempts BETWEEN 1 AND 50),
    setting TEXT NOT NULL CHECK (setting IN ('lab', 'externship', 'either')),
    updated_by BIGINT NOT NULL REFERENCES app_user (id),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (program_id, competency_code)
);

-- The newest position and hash of each program's chain. Writers lock this row
-- first (an UPDATE), so sign-offs of one program take their positions in turn.
CREATE TABLE signoff_chain (
    program_id BIGINT PRIMARY KEY REFERENCES program (id),
    seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL
);

CREATE TABLE signoff (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    -- Position in the program's chain, from 1.
    seq BIGINT NOT NULL,
    -- 'evaluation': an observed attempt; 'void': a correction voiding one.
    kind TEXT NOT NULL CHECK (kind IN ('evaluation', 'void')),
    student_id BIGINT NOT NULL REFERENCES app_user (id),
    -- Names and role as they were at signing: the record speaks for itself.
    student_name TEXT NOT NULL,
    evaluator_id BIGINT NOT NULL REFERENCES app_user (id),
    evaluator_name TEXT NOT NULL,
    evaluator_role TEXT NOT NULL,
    competency_code TEXT NOT NULL,
    competency_title TEXT NOT NULL,
    -- sha256 of the checklist the attempt was marked against.
    checklist_version TEXT NOT NULL,
    setting TEXT NOT NULL CHECK (setting IN ('lab', 'externship')),
    -- JSON: each step's text, whether critical, whether met, comment.
    steps TEXT NOT NULL,
    comment TEXT NOT NULL,
    passed BOOLEAN NOT NULL,
    score_percent INTEGER NOT NULL,
    attestation TEXT NOT NULL,
    voids_id BIGINT REFERENCES signoff (id),
    reason TEXT,
    request_id BIGINT,
    signed_at TIMESTAMPTZ NOT NULL,
    ip TEXT,
    user_agent TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (program_id, seq),
    CHECK ((kind = 'void') = (voids_id IS NOT NULL AND reason IS NOT NULL))
);
-- A record is voided at most once.
CREATE UNIQUE INDEX signoff_voided_once ON signoff (voids_id) WHERE voids_id IS NOT NULL;
CREATE INDEX signoff_by_student ON signoff (program_id, student_id, competency_code);

CREATE FUNCTION signoff_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sign-offs are append-only: record a correction instead';
END;
$$;
CREATE TRIGGER signoff_no_update BEFORE UPDATE OR DELETE ON signoff
    FOR EACH ROW EXECUTE FUNCTION signoff_append_only();
CREATE TRIGGER signoff_no_truncate BEFORE TRUNCATE ON signoff
    FOR EACH STATEMENT EXECUTE FUNCTION signoff_append_only();

-- A student asks their preceptor to observe and sign off a competency.
CREATE TABLE signoff_request (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    student_id BIGINT NOT NULL REFERENCES app_user (id),
    preceptor_id BIGINT NOT NULL REFERENCES app_user (id),
    competency_code TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    -- The sign-off that answered it.
    signoff_id BIGINT REFERENCES signoff (id),
    answered_at TIMESTAMPTZ
);
CREATE INDEX signoff_request_open ON signoff_request (preceptor_id) WHERE answered_at IS NULL;
CREATE INDEX signoff_request_by_student ON signoff_request (student_id);
