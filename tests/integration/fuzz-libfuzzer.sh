#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# fuzz-libfuzzer.sh --- `make FUZZ=1` builds real libFuzzer binaries
# (clang, -fsanitize=fuzzer,address,undefined) for every harness, and each
# one fuzzes: a short coverage-guided run from its checked-in corpus with
# no crash, leak, timeout or allocation over 512 MiB.  (`make fuzz-run
# FUZZ_SECONDS=60` is the long run; this is the proof that it works.)
. "$SRC/tests/lib/common.sh"

if ! command -v clang >/dev/null; then
	t_fail fuzz-libfuzzer "clang is not installed (make deps)"
	exit 0
fi
out=$BUILD/fuzz-check
if ! make -C "$SRC" -s -j2 FUZZ=1 BUILD="$out" fuzzers >"$TMP/build.log" 2>&1; then
	t_fail_log fuzz-libfuzzer-build "make FUZZ=1 failed" "$TMP/build.log"
	exit 0
fi
names=$(make -C "$SRC" -s --no-print-directory -pn 2>/dev/null |
	sed -n 's/^FUZZERS := //p' | head -n 1)
[ -n "$names" ] || names=$(cd "$out/tests/fuzz" && ls)
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for n in $names; do
	b=$out/tests/fuzz/$n
	if [ ! -x "$b" ]; then
		t_fail fuzz-libfuzzer-$n "make FUZZ=1 built no $b"
		continue
	fi
	mkdir -p "$TMP/corpus-$n" "$TMP/crash-$n"
	if TMPDIR=$TMP "$b" -runs=2000 -max_total_time=6 -timeout=10 -rss_limit_mb=1536 -malloc_limit_mb=512 \
		-artifact_prefix="$TMP/crash-$n/" "$TMP/corpus-$n" \
		"$SRC/tests/fuzz/corpus/$n" >"$TMP/$n.log" 2>&1 &&
	   grep -q 'INFO: Seed' "$TMP/$n.log"; then
		t_pass fuzz-libfuzzer-$n "$(grep -m1 -o 'cov: [0-9]*' "$TMP/$n.log" | tail -n 1)"
	else
		t_fail fuzz-libfuzzer-$n "$(grep -m1 -E 'ERROR|runtime error|out-of-memory|timeout' "$TMP/$n.log")"
	fi
done
