#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-tests.sh --- run every unit test binary and integration script, count
# the PASS/FAIL/SKIP lines they print, end with "N passed, N failed, N skipped".
#
# Env: BUILD (absolute build dir), SRC (repo root).  Optional: TESTS (a regex
# on test file names to run a subset), JOBS (integration scripts in parallel,
# default 1).
set -u
BUILD=${BUILD:?}
SRC=${SRC:-$(pwd)}
export BUILD SRC GUESTS=${GUESTS:-$BUILD/guests} DUALVM=${DUALVM:-$BUILD/bin/dualvm}
filter=${TESTS:-.}
log=$BUILD/test-logs
rm -rf "$log"; mkdir -p "$log"
pass=0 fail=0 skip=0
failures=()
t0=$(date +%s)

# Run one test program; count its result lines; a program that exits nonzero
# without printing any FAIL line counts as one failure.
run_one() {
	local name=$1; shift
	local out=$log/$(echo "$name" | tr '/' '_').log
	local s=$(date +%s)
	"$@" >"$out" 2>"$out.stderr" </dev/null
	local rc=$?
	local p f k
	p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); k=$(grep -c '^SKIP ' "$out")
	grep -E '^(PASS|FAIL|SKIP) ' "$out" | sed "s|^|[$name] |"
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $name: exited $rc without a FAIL line (see $out.stderr)" >>"$out"
		echo "[$name] FAIL $name: exited $rc without a FAIL line (see $out.stderr)"
		tail -n 5 "$out.stderr" | sed 's/^/    /'
		f=1
	fi
	if [ "$f" != 0 ]; then tail -n 5 "$out.stderr" | sed 's/^/    stderr: /'; fi
	echo "$p $f $k" >"$out.count"
	echo "  ($name: $(( $(date +%s) - s ))s)"
}

progs=()
while IFS= read -r b; do progs+=("$b"); done < <(find "$BUILD/tests/unit" -type f -perm -u+x 2>/dev/null | sort)
for b in "${progs[@]}"; do
	rel=${b#$BUILD/tests/}
	[[ $rel =~ $filter ]] || continue
	run_one "$rel" "$b"
done
while IFS= read -r b; do
	rel=${b#$BUILD/tests/}
	[[ $rel =~ $filter ]] || continue
	run_one "$rel" "$b" -runs=0 "$SRC/tests/fuzz/corpus/$(basename "$b")"
done < <(find "$BUILD/tests/fuzz" -type f -perm -u+x 2>/dev/null | sort)
# Integration scripts run JOBS at a time (default 2: most are single-threaded
# guest boots), the slowest first so the run ends sooner; each script's
# result block is printed whole when it finishes.
scripts=()
for s in $(ls "$SRC"/tests/integration/*.sh 2>/dev/null | sort); do
	rel=integration/$(basename "$s")
	[[ $rel =~ $filter ]] || continue
	scripts+=("$s")
done
slow='hwprofile-inject-linux|rawdisk-boot|fixtures|asan-fuzz|rawdisk-overlay'
ordered=()
for s in "${scripts[@]}"; do [[ $(basename "$s") =~ $slow ]] && ordered+=("$s"); done
for s in "${scripts[@]}"; do [[ $(basename "$s") =~ $slow ]] || ordered+=("$s"); done
jobs_max=${JOBS:-2}
running=0
for s in "${ordered[@]}"; do
	rel=integration/$(basename "$s")
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n
		running=$((running - 1))
	fi
	( run_one "$rel" bash "$s" >"$log/$(basename "$s").block"
	  cat "$log/$(basename "$s").block" ) &
	running=$((running + 1))
done
wait

for c in "$log"/*.count; do
	[ -e "$c" ] || continue
	read -r p f k <"$c"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + k))
done
echo "test logs: $log ($(( $(date +%s) - t0 ))s in all)"
if [ "$fail" != 0 ]; then
	echo "failures:"
	cat "$log"/*.log | grep '^FAIL ' | sed 's/^/  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
