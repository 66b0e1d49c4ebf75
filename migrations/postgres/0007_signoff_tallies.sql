-- Write-time tallies of the sign-off records, for the director's dashboard
-- and accreditation summary (storage/dashboard.rs). Counting 700,000 records
-- on every view took seconds on a 2,000-student program; these tables hold
-- the counts, kept by a trigger in the same transaction as each record, so no
-- code path (the append, a void, the generator's bulk insert) can forget
-- them. They are derived data: the records stay the truth, and
-- `server verify-signoffs` recounts the records and compares.

-- Standing (not voided) evaluations per student, competency and setting.
CREATE TABLE signoff_tally (
    program_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    competency_code TEXT NOT NULL,
    setting TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    passes INTEGER NOT NULL,
    PRIMARY KEY (program_id, student_id, competency_code, setting)
);

-- Standing passed evaluations per student and UTC day (the progress chart).
CREATE TABLE signoff_pass_day (
    program_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    day DATE NOT NULL,
    passes INTEGER NOT NULL,
    PRIMARY KEY (program_id, student_id, day)
);

INSERT INTO signoff_tally (program_id, student_id, competency_code, setting, attempts, passes)
SELECT s.program_id, s.student_id, s.competency_code, s.setting, COUNT(*), SUM(CASE WHEN s.passed THEN 1 ELSE 0 END)
FROM signoff s
WHERE s.kind = 'evaluation' AND NOT EXISTS (SELECT 1 FROM signoff v WHERE v.voids_id = s.id)
GROUP BY s.program_id, s.student_id, s.competency_code, s.setting;

INSERT INTO signoff_pass_day (program_id, student_id, day, passes)
SELECT s.program_id, s.student_id, (s.signed_at AT TIME ZONE 'UTC')::date, COUNT(*)
FROM signoff s
WHERE s.kind = 'evaluation' AND s.passed AND NOT EXISTS (SELECT 1 FROM signoff v WHERE v.voids_id = s.id)
GROUP BY s.program_id, s.student_id, (s.signed_at AT TIME ZONE 'UTC')::date;

-- Once per statement, over all the rows it inserted: the generator's
-- thousand-row inserts cost one upsert each, not a thousand. Deltas are
-- summed per key first (one statement may hold an evaluation and its void).
-- A void takes back what the record it voids added (only evaluations are
-- voided; a void of anything else changes nothing here).
CREATE FUNCTION signoff_tally_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signoff_tally AS t (program_id, student_id, competency_code, setting, attempts, passes)
    SELECT program_id, student_id, competency_code, setting, SUM(attempts), SUM(passes)
    FROM (
        SELECT n.program_id, n.student_id, n.competency_code, n.setting,
               1 AS attempts, CASE WHEN n.passed THEN 1 ELSE 0 END AS passes
        FROM inserted n WHERE n.kind = 'evaluation'
        UNION ALL
        SELECT v.program_id, v.student_id, v.competency_code, v.setting,
               -1, CASE WHEN v.passed THEN -1 ELSE 0 END
        FROM inserted n JOIN signoff v ON v.id = n.voids_id
        WHERE n.kind = 'void' AND v.kind = 'evaluation'
    ) d
    GROUP BY program_id, student_id, competency_code, setting
    ON CONFLICT (program_id, student_id, competency_code, setting)
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

CREATE TRIGGER signoff_tally AFTER INSERT ON signoff
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION signoff_tally_inserted();

-- 0006's covering index served the counts these tables replace; it cost
-- every sign-off a second copy of seven columns.
DROP INDEX signoff_standing;
