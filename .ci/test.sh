#!/usr/bin/env bash
# Runs every test: unit and storage tests on SQLite and PostgreSQL, then the
# release build in Debian's Chromium. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/install.sh --test
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# The second engine: every storage test also runs on a fresh PostgreSQL
# database; CHECKOFF_REQUIRE_POSTGRES makes a missing server a failure, not a skip.
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export CHECKOFF_REQUIRE_POSTGRES=1
# A one-off build gains nothing from incremental state, which roughly doubles
# target/ (CI once failed with "No space left on device").
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
df -h . | tail -1 | awk '{print "disk free before build: " $4}'

echo "== formatting and lints =="
# Before the tests: a formatting slip or a lint fails in seconds, not after
# the build. The browser bundle is linted too (the hydrate feature on wasm32).
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p app --lib --no-default-features --features hydrate --target wasm32-unknown-unknown --locked -- -D warnings

echo "== Rust tests (SQLite and PostgreSQL) =="
# Tests run in parallel. A hang that once forced them to run one at a time
# was leptos_server's process-wide SuppressResourceLoad flag raised by every
# router build (leptos-rs/leptos#4773); the server now generates its route
# list once per process (server/src/lib.rs), and
# http::routers_built_while_pages_render_do_not_stall_them guards it.
cargo test --workspace --locked

echo "== release build (server + hydrate bundle) =="
cargo leptos build --release
node .ci/precompress.mjs target/site/pkg

echo "== browser tests (Chromium) =="
cd end2end
npx playwright test
