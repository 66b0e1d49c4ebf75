#!/usr/bin/env bash
# Builds Checkoff and runs it on SQLite with demo data: http://127.0.0.1:3000
# Installs the build tools on first use (a second run skips them).
set -euo pipefail
cd "$(dirname "$0")/.."

.ci/install.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo leptos build --release
node .ci/precompress.mjs target/site/pkg
exec target/release/server serve --demo "$@"
