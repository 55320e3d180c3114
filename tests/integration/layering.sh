#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# layering.sh --- scripts/check-layers.sh on the tree (every include goes
# downward, to a public header), and its self-test (planted upward,
# private and sideways includes and an unknown folder must fail it).
# Env: SRC (see tests/run-tests.sh).
set -u
SRC=${SRC:?}
out=$("$SRC/scripts/check-layers.sh" "$SRC")
if [ $? = 0 ]; then
	echo "PASS layers-tree: every include goes downward, to a public header"
else
	echo "FAIL layers-tree: $(grep -v ': note:' <<<"$out" | head -1)"
	grep -v ': note:' <<<"$out" >&2
fi
"$SRC/scripts/check-layers.sh" --self-test
exit 0
