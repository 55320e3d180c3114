#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bt-garbage.sh --- issue 14: pseudo-random code in ring 3 (the
# tests/boot/sys/garbage_code payload: thousands of rounds of garbage bytes
# run until they fault, every outcome folded into a checksum) under the
# interpreter and under the binary translator.
#
# bt-garbage-interp, bt-garbage-bt: each engine reaches SYSPROBE-DONE and
# exits with status 0 (no crash, no internal error, no SYSPROBE-ABORT);
# bt-garbage-same: the two transcripts (the per-vector counts and the
# checksum line; '~' lines, the watchdog's rounds, are left out) are
# identical: the translator must give the interpreter's architectural
# results; bt-garbage-lockstep: the translator with DUALVM_BT_LOCKSTEP=1
# (every block run a second time under the interpreter, stopping at the
# first difference) also finishes, with the same transcript.
# QEMU is no oracle here: random code reaches what vendors leave undefined.
# The payload's watchdog (a round abandoned after 500 ms adds nothing) makes
# the transcript depend on speed only for a round that runs about that long
# and then stops; on a difference the FAIL line names the rounds only one
# engine abandoned.
# Env: BUILD SRC DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
out=$TMP/sys
secs=$(budget 120)

if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	t_fail bt-garbage "GNU as/ld missing to build tests/boot/sys (make deps)"; exit 0
fi
[ -x "$DUALVM" ] || { t_fail bt-garbage "$DUALVM not built"; exit 1; }
if ! "$SRC/tests/boot/sys/build.sh" "$out" garbage_code 2>"$TMP/build.err"; then
	t_fail bt-garbage "garbage_code does not build: $(head -1 "$TMP/build.err")"; exit 1
fi

# the comparable part of a transcript: no CR/NUL, no '~' lines
norm() { tr -d '\r\0' <"$1" | grep -av '^~'; }

# run NAME ENGINE [ENV...]: the payload, its transcript in $TMP/NAME.out;
# true when it finished (exit 0 and SYSPROBE-DONE), else a FAIL line
run() {
	local n=$1 e=$2 rc
	shift 2
	env "$@" timeout -s KILL $((secs + 60)) "$DUALVM" run --engine "$e" --memory 32 \
		--bios "$out/garbage_code.bin" --serial "$TMP/$n.out" \
		--until-serial SYSPROBE-DONE --timeout "$secs" </dev/null >"$TMP/$n.log" 2>&1
	rc=$?
	if [ $rc = 0 ] && grep -aq '^SYSPROBE-DONE' "$TMP/$n.out" &&
	   grep -aq '^garbage_code rounds=' "$TMP/$n.out"; then
		return 0
	fi
	t_fail bt-garbage-$n "rc=$rc, last line: $(norm "$TMP/$n.out" | tail -1 | cut -c1-100) $(grep -av unclaimed "$TMP/$n.log" | tail -3 | tr '\n' ' ' | cut -c1-300)"
	return 1
}

# wd NAME: the rounds the watchdog abandoned (a round that one engine
# abandons and the other finishes is a matter of speed, or a loop that
# one engine does not leave)
wd() { tr -d '\r\0' <"$TMP/$1.out" | sed -n 's/^~wd //p'; }

# differ A B: how two transcripts differ: their checksum lines, the
# per-vector round counts and the abandoned rounds that differ, and when
# a checksum line is missing the first differing lines
differ() {
	local v w
	v=$(diff <(norm "$TMP/$1.out" | grep -a '^vectors:' | tr ' ' '\n') \
		 <(norm "$TMP/$2.out" | grep -a '^vectors:' | tr ' ' '\n') | grep -a '^[<>]' | tr '\n' ' ')
	w=$(diff <(wd "$1") <(wd "$2") | grep -a '^[<>]' | sed 's/^</only '"$1"'/; s/^>/only '"$2"'/' | tr '\n' ' ')
	echo "$1: $(result "$1"); $2: $(result "$2"); vector counts ${v:-equal}; rounds abandoned by the watchdog: ${w:-the same}" | cut -c1-400
	[ -n "$(result "$1")" ] && [ -n "$(result "$2")" ] ||
		diff <(norm "$TMP/$1.out") <(norm "$TMP/$2.out") | grep -am2 '^[<>]' | tr '\n' ' ' | cut -c1-200
}

result() { norm "$TMP/$1.out" | grep -a '^garbage_code rounds='; }

ok_i= ok_b=
run interp interp && ok_i=1 && t_pass bt-garbage-interp "$(result interp)"
if [ "$HOST_BT" != 1 ]; then
	for t in bt-garbage-bt bt-garbage-same bt-garbage-lockstep; do
		t_skip $t "$HOST_BT_WHY"
	done
	exit 0
fi
run bt bt && ok_b=1 && t_pass bt-garbage-bt "$(result bt)"
if [ -n "$ok_i" ] && [ -n "$ok_b" ]; then
	if cmp -s <(norm "$TMP/interp.out") <(norm "$TMP/bt.out"); then
		t_pass bt-garbage-same
	else
		t_fail bt-garbage-same "bt differs from interp: $(differ interp bt) (build the payload with SYS_ASFLAGS='--defsym VERBOSE=1' to find the round)"
	fi
else
	t_fail bt-garbage-same "not compared: a run did not finish"
fi
if run lockstep bt DUALVM_BT_LOCKSTEP=1; then
	if [ -n "$ok_i" ] && ! cmp -s <(norm "$TMP/interp.out") <(norm "$TMP/lockstep.out"); then
		t_fail bt-garbage-lockstep "finished, but differs from interp: $(differ interp lockstep)"
	else
		t_pass bt-garbage-lockstep "$(result lockstep)"
	fi
fi
exit 0
