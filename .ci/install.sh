#!/usr/bin/env bash
# Installs what building and testing Checkoff needs, skipping whatever is
# already there (a second run takes seconds). Versions are pinned to what was
# measured to work on these machines (see ../shared/TOOLCHAIN.md):
#   - wasm32 target, cargo-leptos 0.3.10, wasm-bindgen CLI = Cargo.lock's
#     wasm-bindgen, wasm-opt from npm's binaryen (Debian's breaks hydration);
#   - with --test: Debian's Chromium, Playwright and axe-core from npm, and a
#     running PostgreSQL.
# Usage: .ci/install.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

log() { printf '\033[1m[install]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# Rust target for the browser bundle.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The formatting and lint gate (.ci/test.sh).
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding the $component component"
    rustup component add "$component"
  fi
done

# cargo-leptos (0.3.11 needs a newer rustc than these machines have).
LEPTOS_VERSION=0.3.10
if ! cargo leptos --version 2>/dev/null | grep -q "$LEPTOS_VERSION"; then
  log "installing cargo-leptos $LEPTOS_VERSION (about 11 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$LEPTOS_VERSION" --locked --features no_downloads
fi

# wasm-bindgen CLI: must equal the library version in Cargo.lock.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [[ -z "$WB_VERSION" ]]; then
  echo "install: cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION"; then
  log "installing wasm-bindgen-cli $WB_VERSION"
  # No --locked: its lockfile names a crate version the registry does not serve.
  CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
    cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# npm packages: wasm-opt (binaryen), and for tests Playwright and axe-core.
# Reinstalled only when package-lock.json changes.
stamp=end2end/node_modules/.checkoff-lock-stamp
lock_sum=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
  log "installing npm packages (end2end/package-lock.json)"
  (cd end2end && npm ci --no-audit --no-fund)
  echo "$lock_sum" > "$stamp"
fi

if [[ $want_test == 1 ]]; then
  # Chromium from Debian: Playwright's own browser download cannot work here.
  if [[ ! -x /usr/bin/chromium ]]; then
    log "installing Debian's chromium"
    if [[ $(id -u) == 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi

  # PostgreSQL for the second engine's tests: runs on these machines; start it
  # if it was stopped.
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null; then
      log "starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi
log "tools ready"
