#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-fuzz.sh --- `make fuzz-run`: run every libFuzzer harness built by
# `make fuzz` for SECONDS seconds, one after the other (the machine has few
# cores).  The checked-in corpus tests/fuzz/corpus/<name> seeds it and is
# never written; new inputs go to $FUZZ_OUT/corpus/<name>, a crash, leak,
# timeout or out-of-memory to $FUZZ_OUT/crashes/<name>/.  A crash input
# belongs in tests/fuzz/corpus/<name>/ once fixed: `make check` replays it.
#
#	FUZZ_OUT=build/fuzz SRC=. run-fuzz.sh SECONDS NAME...
set -u
: "${FUZZ_OUT:?}" "${SRC:?}"
secs=${1:?seconds}
shift
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# the multi-file harnesses keep their file sets under TMPDIR; libFuzzer
# ends with _exit(), so the folder is emptied here after each harness
export TMPDIR=$FUZZ_OUT/tmp
failed=0 passed=0
for name in "$@"; do
	rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
	bin=$FUZZ_OUT/tests/fuzz/$name
	corp=$FUZZ_OUT/corpus/$name
	crashes=$FUZZ_OUT/crashes/$name
	log=$FUZZ_OUT/fuzz-$name.log
	mkdir -p "$corp" "$crashes"
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz_run_$name: $bin not built (make fuzz)"
		failed=$((failed + 1))
		continue
	fi
	# -rss_limit_mb / -malloc_limit_mb: an input that makes a parser
	# allocate more than 512 MiB is a finding (unbounded allocation).
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1536 \
		-malloc_limit_mb=512 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$corp" \
		"$SRC/tests/fuzz/corpus/$name" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "PASS fuzz_run_$name: ${secs}s, ${execs:-?} inputs, no crash"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz_run_$name: $(grep -m1 -E 'ERROR|runtime error|out-of-memory|timeout' "$log") (log $log, inputs in $crashes/)"
		failed=$((failed + 1))
	fi
done
rm -rf "$TMPDIR"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
