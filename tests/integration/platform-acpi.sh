#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# platform-acpi.sh --- a Linux guest powers the machine off through ACPI.
#
# Boots build/guests/linux-i386.img under --engine interp until
# DUALVM-GUEST-READY, types `poweroff -f` on the serial console (stdin is a
# FIFO fed by this script), and requires `dualvm run` to exit 0 with the
# "guest powered off (ACPI S5)" reason, and the kernel to have found our
# tables (ACPI: ... DUALVM lines).  The boot has a budget
# (tests/lib/common.sh); running out of it is a FAIL showing the console.
# Env: BUILD SRC DUALVM GUESTS (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
SECS=$(budget 600)
img=$GUESTS/linux-i386.img
name=platform-acpi-poweroff
tmp=$TMP

if [ ! -x "$DUALVM" ]; then
	t_fail $name "$DUALVM not built"; exit 1
fi
if [ ! -e "$img" ]; then
	t_fail $name "$img missing (make guests)"; exit 0
fi
# a private sparse copy: the guest writes its boot log, others may hold
# the shared image
cp --sparse=always "$img" "$tmp/disk.img" || {
	t_fail $name "cannot copy $img"; exit 0; }
mkfifo "$tmp/in"
(
	# wait for the marker, then power off; keep the FIFO open meanwhile
	while ! grep -aq DUALVM-GUEST-READY "$tmp/out" 2>/dev/null; do
		sleep 2
	done
	sleep 3
	printf '\npoweroff -f\n'
	sleep $((SECS * 50))
) >"$tmp/in" &
t_bg $!
"$DUALVM" run --engine interp --memory 256 --timeout $((SECS * 50)) \
	--serial stdio "$tmp/disk.img" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
pid=$!
t_bg $pid
cpu_guard $pid "$SECS"
if [ $? = 0 ]; then
	wait $pid; rc=$?
else	# the CPU budget or the wall-clock cap ran out
	kill $pid 2>/dev/null; sleep 5; kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null; rc=124
fi
if ! grep -aq DUALVM-GUEST-READY "$tmp/out"; then
	if [ $rc = 124 ]; then
		t_fail_log $name "no DUALVM-GUEST-READY within the budget of $SECS s (scale $DUALVM_TEST_SCALE)" "$tmp/out"
	else
		t_fail_log $name "rc=$rc before DUALVM-GUEST-READY: $(tail -1 "$tmp/err")" "$tmp/out"
	fi
	exit 0
fi
if ! grep -aq "ACPI: RSDT.*DUALVM" "$tmp/out"; then
	t_fail $name "the kernel did not list our RSDT ($(grep -a 'ACPI' "$tmp/out" | head -1 | tr -d '\r'))"
	exit 0
fi
if [ $rc = 0 ] && grep -aq "guest powered off (ACPI S5)" "$tmp/err"; then
	t_pass $name
else
	t_fail_log $name "rc=$rc after poweroff -f: $(tail -1 "$tmp/err" | tr -d '\r')" "$tmp/out"
fi
exit 0
