#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# p2v-golden.sh --- run the golden cases in tests/p2v/<case>/ (cmd, expect;
# see tests/p2v/README.md) and compare their output byte for byte.
set -u
BUILD=${BUILD:?} SRC=${SRC:-.}
export DUALVM=${DUALVM:-$BUILD/bin/dualvm}
for dir in "$SRC"/tests/p2v/*/; do
	[ -f "$dir/cmd" ] || continue
	name=p2v-golden-$(basename "$dir")
	T=$(mktemp -d "${TMPDIR:-/tmp}/p2v-golden.XXXXXX")
	(cd "$T" && bash "$dir/cmd") >"$T/.out" 2>&1
	if diff -u "$dir/expect" "$T/.out" >"$T/.diff"; then
		echo "PASS $name"
	else
		echo "FAIL $name: output differs: $(head -c 400 "$T/.diff" | tr '\n' ' ')"
	fi
	rm -rf "$T"
done
