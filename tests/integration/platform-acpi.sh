#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# platform-acpi.sh --- a Linux guest powers the machine off through ACPI.
#
# Boots build/guests/linux-i386.img under --engine interp until
# DUALVM-GUEST-READY, types `poweroff -f` on the serial console (stdin is a
# FIFO fed by this script), and requires `dualvm run` to exit 0 with the
# "guest powered off (ACPI S5)" reason, and the kernel to have found our
# tables (ACPI: ... DUALVM lines).  The interpreter is slow: when it does
# not reach the marker within PLATFORM_ACPI_SECS (default 600), SKIP.
# Env: BUILD SRC DUALVM GUESTS (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GUESTS=${GUESTS:-$BUILD/guests}
SECS=${PLATFORM_ACPI_SECS:-600}
img=$GUESTS/linux-i386.img
name=platform-acpi-poweroff

if [ ! -x "$DUALVM" ]; then
	echo "FAIL $name: $DUALVM not built"; exit 1
fi
if [ ! -e "$img" ]; then
	echo "SKIP $name: $img missing (tests/guests/build-guests.sh)"; exit 0
fi
tmp=$(mktemp -d)
fpid=
cleanup() {
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# a private sparse copy: the guest writes its boot log, others may hold
# the shared image
cp --sparse=always "$img" "$tmp/disk.img" || {
	echo "SKIP $name: cannot copy $img"; exit 0; }
mkfifo "$tmp/in"
(
	# wait for the marker, then power off; keep the FIFO open meanwhile
	while ! grep -aq DUALVM-GUEST-READY "$tmp/out" 2>/dev/null; do
		sleep 2
	done
	sleep 3
	printf '\npoweroff -f\n'
	sleep "$SECS"
) >"$tmp/in" &
fpid=$!
timeout $((SECS + 30)) "$DUALVM" run --engine interp --memory 256 \
	--timeout "$SECS" --serial stdio "$tmp/disk.img" \
	<"$tmp/in" >"$tmp/out" 2>"$tmp/err"
rc=$?
if ! grep -aq DUALVM-GUEST-READY "$tmp/out"; then
	if [ $rc = 124 ]; then
		echo "SKIP $name: the interpreter did not reach DUALVM-GUEST-READY within $SECS s"
	else
		echo "FAIL $name: rc=$rc before DUALVM-GUEST-READY: $(tail -1 "$tmp/err")"
	fi
	exit 0
fi
if ! grep -aq "ACPI: RSDT.*DUALVM" "$tmp/out"; then
	echo "FAIL $name: the kernel did not list our RSDT ($(grep -a 'ACPI' "$tmp/out" | head -1 | tr -d '\r'))"
	exit 0
fi
if [ $rc = 0 ] && grep -aq "guest powered off (ACPI S5)" "$tmp/err"; then
	echo "PASS $name"
else
	echo "FAIL $name: rc=$rc after poweroff -f: $(tail -1 "$tmp/err" | tr -d '\r')"
	tr -d '\r' <"$tmp/out" | tail -5 >&2
fi
exit 0
