-- Students' progress through skill modules. `student_id` will reference the
-- accounts table once it exists; modules are identified by slug, and each
-- attempt records the content version (sha256 of the module file) it was
-- graded against, so a later edit of a module never rewrites history.
CREATE TABLE module_reading (
    student_id BIGINT NOT NULL,
    module_slug TEXT NOT NULL,
    first_opened_at TIMESTAMPTZ NOT NULL,
    last_read_at TIMESTAMPTZ NOT NULL,
    -- How far down the module the student has scrolled, 0-100, never decreasing.
    read_percent INTEGER NOT NULL DEFAULT 0 CHECK (read_percent BETWEEN 0 AND 100),
    PRIMARY KEY (student_id, module_slug)
);

CREATE TABLE quiz_attempt (
    id BIGSERIAL PRIMARY KEY,
    student_id BIGINT NOT NULL,
    module_slug TEXT NOT NULL,
    module_version TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    correct INTEGER NOT NULL,
    total INTEGER NOT NULL,
    score_percent INTEGER NOT NULL CHECK (score_percent BETWEEN 0 AND 100),
    mastery_percent INTEGER NOT NULL,
    mastered BOOLEAN NOT NULL,
    -- The submitted answers, as JSON: attempts are kept whole.
    answers TEXT NOT NULL
);

CREATE INDEX quiz_attempt_by_student ON quiz_attempt (student_id, module_slug);
