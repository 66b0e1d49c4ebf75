-- Framework editions and drawn knowledge-check attempts (issue 13).
--
-- A competency code means different skills in different editions of a
-- curriculum, so every record names its edition:
--   - program.edition_id: the edition a program is on (existing programs are
--     on the starter framework they were using);
--   - signoff.edition: the edition a record was signed under. Existing
--     records keep NULL, which means the starter framework, and their hashes
--     (format v1) are unchanged; new records name it and hash it (v2);
--   - signoff_tally gains the edition in its key, so the starter's I.P.7
--     ("select proper sites") never adds to MAERB 2015's I.P.7 ("administer").
-- framework_edition holds editions a program imported as CSV (files in
-- content/competencies are the others). quiz_attempt records which attempt
-- it was and the draw it answered.

ALTER TABLE program ADD COLUMN edition_id TEXT NOT NULL DEFAULT 'checkoff-starter';

ALTER TABLE signoff ADD COLUMN edition TEXT;

CREATE TABLE framework_edition (
    id TEXT PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES program (id),
    name TEXT NOT NULL,
    publisher TEXT NOT NULL,
    version TEXT NOT NULL,
    -- SHA-256 of the CSV as imported: importing the same file twice is one edition.
    source_sha256 TEXT NOT NULL,
    -- The validated competencies, as JSON (the same shape the files load into).
    competencies TEXT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES app_user (id),
    imported_at TIMESTAMPTZ NOT NULL,
    UNIQUE (program_id, source_sha256)
);

ALTER TABLE quiz_attempt ADD COLUMN attempt_number INTEGER;
ALTER TABLE quiz_attempt ADD COLUMN draw TEXT;
CREATE UNIQUE INDEX quiz_attempt_number ON quiz_attempt (student_id, module_slug, attempt_number)
    WHERE attempt_number IS NOT NULL;

-- The tallies, with the edition in their key.
ALTER TABLE signoff_tally ADD COLUMN edition TEXT NOT NULL DEFAULT 'checkoff-starter';
ALTER TABLE signoff_tally DROP CONSTRAINT signoff_tally_pkey;
ALTER TABLE signoff_tally ADD PRIMARY KEY (program_id, student_id, edition, competency_code, setting);
ALTER TABLE signoff_tally ALTER COLUMN edition DROP DEFAULT;

CREATE OR REPLACE FUNCTION signoff_tally_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signoff_tally AS t (program_id, student_id, edition, competency_code, setting, attempts, passes)
    SELECT program_id, student_id, edition, competency_code, setting, SUM(attempts), SUM(passes)
    FROM (
        SELECT n.program_id, n.student_id, COALESCE(n.edition, 'checkoff-starter') AS edition, n.competency_code, n.setting,
               1 AS attempts, CASE WHEN n.passed THEN 1 ELSE 0 END AS passes
        FROM inserted n WHERE n.kind = 'evaluation'
        UNION ALL
        SELECT v.program_id, v.student_id, COALESCE(v.edition, 'checkoff-starter'), v.competency_code, v.setting,
               -1, CASE WHEN v.passed THEN -1 ELSE 0 END
        FROM inserted n JOIN signoff v ON v.id = n.voids_id
        WHERE n.kind = 'void' AND v.kind = 'evaluation'
    ) d
    GROUP BY program_id, student_id, edition, competency_code, setting
    ON CONFLICT (program_id, student_id, edition, competency_code, setting)
    DO UPDATE SET attempts = t.attempts + EXCLUDED.attempts, passes = t.passes + EXCLUDED.passes;

    INSERT INTO signoff_pass_day AS t (program_id, student_id, day, passes)
    SELECT program_id, student_id, day, SUM(passes)
    FROM (
        SELECT n.program_id, n.student_id, (n.signed_at AT TIME ZONE 'UTC')::date AS day, 1 AS passes
        FROM inserted n WHERE n.kind = 'evaluation' AND n.passed
        UNION ALL
        SELECT v.program_id, v.student_id, (v.signed_at AT TIME ZONE 'UTC')::date, -1
        FROM inserted n JOIN signoff v ON v.id = n.voids_id
        WHERE n.kind = 'void' AND v.kind = 'evaluation' AND v.passed
    ) d
    GROUP BY program_id, student_id, day
    ON CONFLICT (program_id, student_id, day)
    DO UPDATE SET passes = t.passes + EXCLUDED.passes;
    RETURN NULL;
END;
$$;
