#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# asan-fuzz.sh --- rebuild every fuzz driver with AddressSanitizer and
# UndefinedBehaviorSanitizer in $BUILD/asan and replay its corpus plus
# generated inputs.  A guest (or a corrupt image) must never make device or
# parser code touch memory outside its buffers: ASan turns such an access
# into a failure instead of silent corruption.
set -u
: "${BUILD:?}" "${SRC:?}"
out=$BUILD/asan
runs=${ASAN_FUZZ_RUNS:-3000}
if ! make -C "$SRC" -s -j2 BUILD="$out" SANITIZER=address,undefined fuzzers \
	>"$BUILD/asan-build.log" 2>&1; then
	echo "FAIL asan_build: sanitizer build failed (see $BUILD/asan-build.log)"
	tail -n 5 "$BUILD/asan-build.log" >&2
	exit 1
fi
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for f in "$out"/tests/fuzz/*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	log=$BUILD/asan-$name.log
	if "$f" -runs="$runs" "$SRC/tests/fuzz/corpus/$name" >"$log" 2>&1; then
		echo "PASS asan_$name: corpus + $runs generated inputs under ASan/UBSan"
	else
		echo "FAIL asan_$name: sanitizer error (see $log): $(grep -m1 -E 'ERROR|runtime error' "$log")"
	fi
done
