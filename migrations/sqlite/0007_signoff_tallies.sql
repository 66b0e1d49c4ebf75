-- Write-time tallies of the sign-off records, for the director's dashboard
-- and accreditation summary (storage/dashboard.rs). Counting 700,000 records
-- on every view took seconds on a 2,000-student program; these tables hold
-- the counts, kept by triggers in the same transaction as each record, so no
-- code path (the append, a void, the generator's bulk insert) can forget
-- them. They are derived data: the records stay the truth, and
-- `server verify-signoffs` recounts the records and compares.

-- Standing (not voided) evaluations per student, competency and setting.
CREATE TABLE signoff_tally (
    program_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    competency_code TEXT NOT NULL,
    setting TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    passes INTEGER NOT NULL,
    PRIMARY KEY (program_id, student_id, competency_code, setting)
) WITHOUT ROWID;

-- Standing passed evaluations per student and UTC day (the progress chart).
CREATE TABLE signoff_pass_day (
    program_id INTEGER NOT NULL,
    student_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    passes INTEGER NOT NULL,
    PRIMARY KEY (program_id, student_id, day)
) WITHOUT ROWID;

INSERT INTO signoff_tally (program_id, student_id, competency_code, setting, attempts, passes)
SELECT s.program_id, s.student_id, s.competency_code, s.setting, COUNT(*), SUM(CASE WHEN s.passed THEN 1 ELSE 0 END)
FROM signoff s
WHERE s.kind = 'evaluation' AND NOT EXISTS (SELECT 1 FROM signoff v WHERE v.voids_id = s.id)
GROUP BY s.program_id, s.student_id, s.competency_code, s.setting;

INSERT INTO signoff_pass_day (program_id, student_id, day, passes)
SELECT s.program_id, s.student_id, substr(s.signed_at, 1, 10), COUNT(*)
FROM signoff s
WHERE s.kind = 'evaluation' AND s.passed AND NOT EXISTS (SELECT 1 FROM signoff v WHERE v.voids_id = s.id)
GROUP BY s.program_id, s.student_id, substr(s.signed_at, 1, 10);

CREATE TRIGGER signoff_tally_evaluation AFTER INSERT ON signoff WHEN NEW.kind = 'evaluation'
BEGIN
    INSERT INTO signoff_tally (program_id, student_id, competency_code, setting, attempts, passes)
    VALUES (NEW.program_id, NEW.student_id, NEW.competency_code, NEW.setting, 1, CASE WHEN NEW.passed THEN 1 ELSE 0 END)
    ON CONFLICT (program_id, student_id, competency_code, setting)
    DO UPDATE SET attempts = attempts + 1, passes = passes + excluded.passes;
    INSERT INTO signoff_pass_day (program_id, student_id, day, passes)
    SELECT NEW.program_id, NEW.student_id, substr(NEW.signed_at, 1, 10), 1 WHERE NEW.passed
    ON CONFLICT (program_id, student_id, day) DO UPDATE SET passes = passes + 1;
END;

-- A void takes back what the record it voids added (only evaluations are
-- voided; a void of anything else changes nothing here).
CREATE TRIGGER signoff_tally_void AFTER INSERT ON signoff WHEN NEW.kind = 'void'
BEGIN
    UPDATE signoff_tally
    SET attempts = attempts - 1,
        passes = passes - (SELECT CASE WHEN v.passed THEN 1 ELSE 0 END FROM signoff v WHERE v.id = NEW.voids_id)
    WHERE (program_id, student_id, competency_code, setting) =
          (SELECT v.program_id, v.student_id, v.competency_code, v.setting FROM signoff v
           WHERE v.id = NEW.voids_id AND v.kind = 'evaluation');
    UPDATE signoff_pass_day SET passes = passes - 1
    WHERE (program_id, student_id, day) =
          (SELECT v.program_id, v.student_id, substr(v.signed_at, 1, 10) FROM signoff v
           WHERE v.id = NEW.voids_id AND v.kind = 'evaluation' AND v.passed);
END;

-- 0006's covering index served the counts these tables replace; it cost
-- every sign-off a second copy of seven columns.
DROP INDEX signoff_standing;
