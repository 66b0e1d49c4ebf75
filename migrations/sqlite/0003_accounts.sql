-- Accounts: programs, cohorts, people, their roles, sessions, one-time
-- links, two-factor sign-in, throttling, the mail outbox and the security
-- audit log. Secrets (session ids, link tokens, recovery codes) are stored
-- only as SHA-256 hashes, passwords only as argon2id hashes.

CREATE TABLE program (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    -- Externship hours a student must complete (accreditors ask e.g. 160 h).
    required_externship_hours INTEGER NOT NULL DEFAULT 160,
    created_at TEXT NOT NULL
);

CREATE TABLE cohort (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id INTEGER NOT NULL REFERENCES program (id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (program_id, name)
);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lower-cased by the application; one account per address.
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    -- NULL for people who sign in only by emailed link (preceptors).
    password_hash TEXT,
    site_admin BOOLEAN NOT NULL DEFAULT FALSE,
    -- Base32 TOTP secret; enabled once the user has confirmed a code.
    totp_secret TEXT,
    totp_enabled_at TEXT,
    -- The last TOTP time step accepted, so a code cannot be replayed.
    totp_last_step INTEGER,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

-- A role held in a program. One person can hold different roles in
-- different programs.
CREATE TABLE membership (
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    program_id INTEGER NOT NULL REFERENCES program (id),
    role TEXT NOT NULL CHECK (role IN ('student', 'instructor', 'preceptor', 'director')),
    -- Students: their cohort and the school's student number.
    cohort_id INTEGER REFERENCES cohort (id),
    student_number TEXT,
    granted_at TEXT NOT NULL,
    granted_by INTEGER REFERENCES app_user (id),
    PRIMARY KEY (user_id, program_id, role)
);
CREATE UNIQUE INDEX membership_student_number ON membership (program_id, student_number)
    WHERE student_number IS NOT NULL;

-- A student placed with a preceptor at a clinic site. The externship issue
-- extends this; accounts need it because preceptors see only their students.
CREATE TABLE placement (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id INTEGER NOT NULL REFERENCES program (id),
    student_id INTEGER NOT NULL REFERENCES app_user (id),
    preceptor_id INTEGER NOT NULL REFERENCES app_user (id),
    site_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user (id),
    ended_at TEXT
);
CREATE INDEX placement_by_preceptor ON placement (preceptor_id);
CREATE INDEX placement_by_student ON placement (student_id);

CREATE TABLE user_session (
    -- SHA-256 of the cookie's secret: a leaked database does not hand out sessions.
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    -- Password (or link) accepted, second factor still owed.
    awaiting_second_factor BOOLEAN NOT NULL DEFAULT FALSE,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX user_session_by_user ON user_session (user_id);

CREATE TABLE one_time_token (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('sign_in', 'password_reset', 'invitation')),
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX one_time_token_by_user ON one_time_token (user_id);

CREATE TABLE recovery_code (
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- Failed sign-ins, kept in the database so every app server throttles alike.
CREATE TABLE sign_in_failure (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX sign_in_failure_by_email ON sign_in_failure (email, at);
CREATE INDEX sign_in_failure_by_ip ON sign_in_failure (ip, at);

-- Mail written here when no SMTP server is configured (development, tests);
-- administrators read it in the app.
CREATE TABLE outbox_email (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Security audit log: append-only.
CREATE TABLE audit_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor_id INTEGER REFERENCES app_user (id),
    subject_user_id INTEGER REFERENCES app_user (id),
    -- The program the event concerns, so directors read their own.
    program_id INTEGER REFERENCES program (id),
    email TEXT,
    ip TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_event_by_program ON audit_event (program_id, at);
CREATE INDEX audit_event_by_at ON audit_event (at);
