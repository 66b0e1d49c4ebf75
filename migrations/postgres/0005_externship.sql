-- Externship: clinic sites, placement dates and preceptors, hours entries
-- with their verification, and end-of-externship evaluations.
--
-- Hours follow the sign-off rule: nothing verified is edited or lost. An
-- entry's content never changes; its status moves only forward
-- (pending -> approved | returned | withdrawn, approved -> voided), and
-- every decision is also written to the append-only `hours_decision` log.
-- A correction of approved hours is a new entry naming the one it replaces.

CREATE TABLE site (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    created_by BIGINT REFERENCES app_user (id),
    UNIQUE (program_id, name)
);

-- Placements made before sites existed named their site in free text.
INSERT INTO site (program_id, name, created_at)
    SELECT program_id, site_name, MIN(created_at) FROM placement GROUP BY program_id, site_name;

ALTER TABLE placement ADD COLUMN site_id BIGINT REFERENCES site (id);
UPDATE placement SET site_id =
    (SELECT s.id FROM site s WHERE s.program_id = placement.program_id AND s.name = placement.site_name);
-- Inclusive dates; NULL on placements made before dates were asked for
-- (hours cannot be logged until the program sets them).
ALTER TABLE placement ADD COLUMN start_date DATE;
ALTER TABLE placement ADD COLUMN end_date DATE;
-- NULL: the program's requirement.
ALTER TABLE placement ADD COLUMN required_hours INTEGER CHECK (required_hours BETWEEN 1 AND 2000);

-- Everyone who precepts a placement; `placement.preceptor_id` is the first.
CREATE TABLE placement_preceptor (
    placement_id BIGINT NOT NULL REFERENCES placement (id),
    preceptor_id BIGINT NOT NULL REFERENCES app_user (id),
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (placement_id, preceptor_id)
);
INSERT INTO placement_preceptor (placement_id, preceptor_id, added_at)
    SELECT id, preceptor_id, created_at FROM placement;
CREATE INDEX placement_preceptor_by_preceptor ON placement_preceptor (preceptor_id);

CREATE TABLE hours_entry (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    placement_id BIGINT NOT NULL REFERENCES placement (id),
    student_id BIGINT NOT NULL REFERENCES app_user (id),
    work_date DATE NOT NULL,
    -- 'HH:MM', both or neither (a duration only).
    start_time TEXT,
    end_time TEXT,
    minutes INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 1440 AND minutes % 15 = 0),
    activities TEXT NOT NULL,
    -- Competency codes practised, space-separated.
    competency_codes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    -- This entry corrects (replaces) a voided approved entry.
    corrects_id BIGINT REFERENCES hours_entry (id),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'returned', 'withdrawn', 'voided')),
    -- The latest decision, copied from hours_decision for fast totals.
    decided_by BIGINT REFERENCES app_user (id),
    decided_at TIMESTAMPTZ,
    decision_reason TEXT
);
CREATE INDEX hours_entry_by_student ON hours_entry (program_id, student_id, work_date);
CREATE INDEX hours_entry_by_placement ON hours_entry (placement_id, status, work_date);
CREATE UNIQUE INDEX hours_entry_corrected_once ON hours_entry (corrects_id) WHERE corrects_id IS NOT NULL;

CREATE FUNCTION hours_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'hours entries are never deleted: void or withdraw them';
    END IF;
    IF NOT ((OLD.status = 'pending' AND NEW.status IN ('approved', 'returned', 'withdrawn'))
            OR (OLD.status = 'approved' AND NEW.status = 'voided'))
        OR (NEW.program_id, NEW.placement_id, NEW.student_id, NEW.work_date, NEW.minutes,
            NEW.activities, NEW.competency_codes, NEW.created_at)
           IS DISTINCT FROM (OLD.program_id, OLD.placement_id, OLD.student_id, OLD.work_date,
            OLD.minutes, OLD.activities, OLD.competency_codes, OLD.created_at)
        OR NEW.start_time IS DISTINCT FROM OLD.start_time OR NEW.end_time IS DISTINCT FROM OLD.end_time
        OR NEW.corrects_id IS DISTINCT FROM OLD.corrects_id
    THEN
        RAISE EXCEPTION 'verified hours are locked: record a correction instead';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER hours_entry_locked BEFORE UPDATE OR DELETE ON hours_entry
    FOR EACH ROW EXECUTE FUNCTION hours_entry_guard();

CREATE FUNCTION externship_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER hours_entry_no_truncate BEFORE TRUNCATE ON hours_entry
    FOR EACH STATEMENT EXECUTE FUNCTION externship_append_only();

-- Every decision on an entry, append-only: who, as what, when, why.
CREATE TABLE hours_decision (
    id BIGSERIAL PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES hours_entry (id),
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'returned', 'withdrawn', 'voided')),
    reason TEXT,
    decided_by BIGINT NOT NULL REFERENCES app_user (id),
    decided_by_name TEXT NOT NULL,
    decided_by_role TEXT NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX hours_decision_by_entry ON hours_decision (entry_id);
CREATE TRIGGER hours_decision_append_only BEFORE UPDATE OR DELETE ON hours_decision
    FOR EACH ROW EXECUTE FUNCTION externship_append_only();
CREATE TRIGGER hours_decision_no_truncate BEFORE TRUNCATE ON hours_decision
    FOR EACH STATEMENT EXECUTE FUNCTION externship_append_only();

-- End-of-externship evaluations: the preceptor's of the student, and the
-- student's of the site. Append-only; one of each kind per author and placement.
CREATE TABLE externship_evaluation (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    placement_id BIGINT NOT NULL REFERENCES placement (id),
    student_id BIGINT NOT NULL REFERENCES app_user (id),
    kind TEXT NOT NULL CHECK (kind IN ('of_student', 'of_site')),
    author_id BIGINT NOT NULL REFERENCES app_user (id),
    author_name TEXT NOT NULL,
    -- JSON: [{"item": "...", "rating": 1..4, "comment": "..."}]
    ratings TEXT NOT NULL,
    readiness TEXT CHECK (readiness IN ('ready', 'ready_with_support', 'not_ready')),
    comments TEXT NOT NULL DEFAULT '',
    submitted_at TIMESTAMPTZ NOT NULL,
    UNIQUE (placement_id, kind, author_id)
);
CREATE INDEX externship_evaluation_by_program ON externship_evaluation (program_id, student_id);
CREATE TRIGGER externship_evaluation_append_only BEFORE UPDATE OR DELETE ON externship_evaluation
    FOR EACH ROW EXECUTE FUNCTION externship_append_only();
CREATE TRIGGER externship_evaluation_no_truncate BEFORE TRUNCATE ON externship_evaluation
    FOR EACH STATEMENT EXECUTE FUNCTION externship_append_only();
