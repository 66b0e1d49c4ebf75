-- The director's dashboard and accreditation summary (storage/dashboard.rs)
-- count each student's standing evaluations per competency, setting and
-- result, and passed evaluations per day. This index holds every column
-- those queries read, `id` included (for the "not voided" check), so they
-- run as index-only scans instead of reading the records themselves, about
-- 1.7 kB each with their steps: on a 2,000-student program (700,000
-- records) one cohort's counts no longer scan the whole table. `kind` comes
-- second so a program's evaluations come in the order the counts group them.
CREATE INDEX signoff_standing ON signoff (program_id, kind, student_id, competency_code, setting, passed, signed_at) INCLUDE (id);
