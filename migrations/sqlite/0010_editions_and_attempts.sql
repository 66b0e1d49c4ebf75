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
    program_id INTEGER NOT NULL REFERENCES program (id),
    name TEXT NOT NULL,
    publisher TEXT NOT NULL,
    version TEXT NOT NULL,
    -- SHA-256 of the CSV as imported: importing the same file twice is one edition.
    source_sha256 TEXT NOT NULL,
    -- The validated competencies, as JSON (the same shape the files load into).
    competencies TEXT NOT NULL,
    imported_by INTEGER NOT NULL REFERENCES app_user (id),
    imported_at TEXT NOT NULL,
    UNIQUE (program_id, source_sha256)
);

ALTER TABLE quiz_attempt ADD COLUMN attempt_number INTEGER;
ALTER TABLE quiz_attempt ADD COLUMN draw TEXT;
CREATE UNIQUE INDEX quiz_attempt_number ON quiz_attempt (student_id, module_slug, attempt_number)
    WHERE attempt_number IS NOT NULL;

-- The tallies, rebuilt with the edition in their key.
DROP TRIGGER signoff_tally_evaluation;
DROP TRIGGER signoff_tally_void;
ALTER TABLE signoff_tally RENAME TO signoff_tally_0007;
CREATE TABLE signoff_tally (
    program_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    edition TEXT NOT NULL,
    competency_code TEXT NOT NULL,
    setting TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    passes INTEGER NOT NULL,
    PRIMARY KEY (program_id, student_id, edition, competency_code, setting)
) WITHOUT ROWID;
INSERT INTO signoff_tally (program_id, student_id, edition, competency_code, setting, attempts, passes)
SELECT program_id, student_id, 'checkoff-starter', competency_code, setting, attempts, passes FROM signoff_tally_0007;
DROP TABLE signoff_tally_0007;

CREATE TRIGGER signoff_tally_evaluation AFTER INSERT ON signoff WHEN NEW.kind = 'evaluation'
BEGIN
    INSERT INTO signoff_tally (program_id, student_id, edition, competency_code, setting, attempts, passes)
    VALUES (NEW.program_id, NEW.student_id, COALESCE(NEW.edition, 'checkoff-starter'), NEW.competency_code, NEW.setting,
            1, CASE WHEN NEW.passed THEN 1 ELSE 0 END)
    ON CONFLICT (program_id, student_id, edition, competency_code, setting)
    DO UPDATE SET attempts = attempts + 1, passes = passes + excluded.passes;
    INSERT INTO signoff_pass_day (program_id, student_id, day, passes)
    SELECT NEW.program_id, NEW.student_id, substr(NEW.signed_at, 1, 10), 1 WHERE NEW.passed
    ON CONFLICT (program_id, student_id, day) DO UPDATE SET passes = passes + 1;
END;

CREATE TRIGGER signoff_tally_void AFTER INSERT ON signoff WHEN NEW.kind = 'void'
BEGIN
    UPDATE signoff_tally
    SET attempts = attempts - 1,
        passes = passes - (SELECT CASE WHEN v.passed THEN 1 ELSE 0 END FROM signoff v WHERE v.id = NEW.voids_id)
    WHERE (program_id, student_id, edition, competency_code, setting) =
          (SELECT v.program_id, v.student_id, COALESCE(v.edition, 'checkoff-starter'), v.competency_code, v.setting
           FROM signoff v WHERE v.id = NEW.voids_id AND v.kind = 'evaluation');
    UPDATE signoff_pass_day SET passes = passes - 1
    WHERE (program_id, student_id, day) =
          (SELECT v.program_id, v.student_id, substr(v.signed_at, 1, 10) FROM signoff v
           WHERE v.id = NEW.voids_id AND v.kind = 'evaluation' AND v.passed);
END;
