-- The installation itself: one row. When the database was created, and
-- whether demo data was loaded (so `serve --demo` seeds a database only once).
-- Timestamps are UTC, stored by sqlx as RFC 3339 text.
CREATE TABLE instance (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    created_at TEXT NOT NULL,
    demo_seeded_at TEXT
);
