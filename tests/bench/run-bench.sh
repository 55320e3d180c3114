#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-bench.sh --- the `make bench` dispatcher: runs every
# tests/bench/bench-*.sh (each engineer adds their own), shows their output,
# then repeats the ratio lines as a summary.
# Env: BUILD (absolute build dir), SRC (repo root); each script also gets
# GUESTS and DUALVM.  Optional: BENCH (regex on script names).
set -u
BUILD=${BUILD:?} SRC=${SRC:-$(pwd)}
export BUILD SRC GUESTS=${GUESTS:-$BUILD/guests} DUALVM=${DUALVM:-$BUILD/bin/dualvm}
filter=${BENCH:-.}
summary=()
for s in "$SRC"/tests/bench/bench-*.sh; do
	[ -e "$s" ] || continue
	name=$(basename "$s" .sh)
	[[ $name =~ $filter ]] || continue
	echo "== $name"
	out=$(bash "$s" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	while IFS= read -r l; do summary+=("$l"); done < <(printf '%s\n' "$out" | grep -i -E 'ratio|^SKIP')
	[ $rc = 0 ] || summary+=("$name: exited $rc")
done
echo "== summary"
for l in "${summary[@]}"; do echo "  $l"; done
