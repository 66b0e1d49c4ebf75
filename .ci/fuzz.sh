#!/usr/bin/env bash
# Fuzzes Checkoff's pure parsers and rules (the targets in fuzz/fuzz_targets),
# one target at a time, and prints what each run did. Not part of the default
# test run (.ci/test.sh); run it by hand or on a schedule.
#
#   bash .ci/fuzz.sh [SECONDS_PER_TARGET] [target...]
#
# SECONDS_PER_TARGET defaults to 60; no targets means all of them
# (`cargo fuzz list`). Exits non-zero if any target crashed (a panic, a
# failed property, a timeout or running out of memory): the input is in
# fuzz/artifacts/<target>/; reproduce with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -O -a <target> fuzz/artifacts/<target>/<file>
# and shrink it with `cargo fuzz tmin -O -a <target> <file>` (from fuzz/).
#
# Environment:
#   FUZZ_SANITIZER  address (default) or none; falls back to none if the
#                   address-sanitized build fails.
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a crash
#                   (default 10).
#   CHECKOFF_FUZZ_FULL_RANGE=1  the hours target uses each type's whole range
#                   instead of what the app's callers produce.
#
# cargo-fuzz wants nightly-only rustc flags (-Z sanitizer, coverage passes);
# RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. The fuzzer's
# corpus grows in fuzz/corpus/<target>/ (not committed); it starts from the
# committed seeds in fuzz/seeds/<target>/.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: bash .ci/fuzz.sh [SECONDS_PER_TARGET] [target...]" >&2
  exit 2
fi

export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
# -a: debug assertions and overflow checks on, optimised (-O): an integer
# overflow is a crash, not a silently wrong total.
build_flags=(-O -a)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz =="
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz || exit 1
fi

sanitizer="${FUZZ_SANITIZER:-address}"
echo "== building fuzz targets (sanitizer: $sanitizer) =="
if ! cargo fuzz build "${build_flags[@]}" -s "$sanitizer"; then
  if [ "$sanitizer" = none ]; then
    exit 1
  fi
  echo "the $sanitizer-sanitized build failed; building without a sanitizer" >&2
  sanitizer=none
  cargo fuzz build "${build_flags[@]}" -s none || exit 1
fi

bin_dir="target/$(rustc -vV | sed -n 's/^host: //p')/release"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

logs=target/fuzz-logs
mkdir -p "$logs"
rows=()
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t" "seeds/$t"
  marker="$logs/$t.start"
  touch "$marker"
  echo "== $t: ${seconds}s =="
  started=$(date +%s)
  # The binary built above, run directly (what `cargo fuzz run` does after
  # building): every target fuzzes the same build, even if app/ changes
  # meanwhile. The first directory is where new inputs go; seeds are only read.
  "$bin_dir/$t" "corpus/$t" "seeds/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -print_final_stats=1 -close_fd_mask=1 >"$logs/$t.log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - started ))
  execs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$logs/$t.log" | grep -oE '[0-9]+$' | tail -1)
  rate=$(grep -oE '^stat::average_exec_per_sec: *[0-9]+' "$logs/$t.log" | grep -oE '[0-9]+$' | tail -1)
  # A crashed run prints no final stats: use its last status line.
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$logs/$t.log" | tr -d '#' | tail -1)
  [ -n "$rate" ] || rate=$(grep -oE 'exec/s: [0-9]+' "$logs/$t.log" | grep -oE '[0-9]+$' | tail -1)
  crashes=$(find "artifacts/$t" -type f -newer "$marker" | wc -l)
  if [ "$crashes" -gt 0 ] || { [ "$status" -ne 0 ] && ! grep -q '^Done [0-9]* runs' "$logs/$t.log"; }; then
    failed=1
    [ "$crashes" -gt 0 ] || crashes="? (exit $status)"
    echo "   crashed: see fuzz/$logs/$t.log and fuzz/artifacts/$t/" >&2
    grep -m1 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer" "$logs/$t.log" >&2 || tail -20 "$logs/$t.log" >&2
  fi
  rows+=("$(printf '%-16s %14s %10s %8s %s' "$t" "${execs:-?}" "${rate:-?}" "${elapsed}s" "$crashes")")
done

echo
printf '%-16s %14s %10s %8s %s\n' target executions exec/s time crashes
for r in "${rows[@]}"; do
  echo "$r"
done
exit "$failed"
