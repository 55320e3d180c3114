#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# interp-smp.sh --- `dualvm run --cpus 2 --engine interp` on
# build/guests/linux-amd64.img: SeaBIOS counts the vCPUs, the kernel finds
# two processors in the MADT, starts the second with INIT-SIPI-SIPI, and
# the guest's `nproc`, run over the serial console's shell, prints 2.
# The PASS line carries the boot's wall-clock time.  Running out of the
# budget (tests/lib/common.sh) is a FAIL showing the end of the console.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
SECS=$(budget 900)
tmp=$TMP
name=interp-smp-nproc
img=$GUESTS/linux-amd64.img

if [ ! -x "$DUALVM" ]; then
	t_fail $name "$DUALVM not built"; exit 1
fi
if [ ! -e "$img" ]; then
	t_fail $name "$img missing (make guests)"; exit 0
fi
# a private sparse copy: the guest logs its boot on the disk
cp --sparse=always "$img" "$tmp/disk.img" || {
	t_fail $name "cannot copy $img"; exit 0; }
mkfifo "$tmp/in"
(
	# at the shell prompt: nproc, then power off; keep the FIFO open
	while ! grep -aq DUALVM-GUEST-READY "$tmp/out" 2>/dev/null; do
		sleep 2
	done
	sleep 3
	# $(nproc) is echoed as typed; only the shell prints the number
	printf '\necho dualvm-nproc-$(nproc)-end\n'
	while ! grep -aq 'dualvm-nproc-[0-9]*-end' "$tmp/out" 2>/dev/null; do
		sleep 2
	done
	printf 'poweroff -f\n'
	sleep "$SECS"
) >"$tmp/in" &
t_bg $!
s=$(date +%s%N)
timeout -s KILL $((SECS + 60)) "$DUALVM" run --engine interp --cpus 2 \
	--memory 256 --timeout "$SECS" --serial stdio "$tmp/disk.img" \
	<"$tmp/in" >"$tmp/out" 2>"$tmp/err"
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
if ! grep -aq DUALVM-GUEST-READY "$tmp/out"; then
	if [ $rc = 124 ]; then
		t_fail_log $name "no DUALVM-GUEST-READY within the budget of $SECS s (scale $DUALVM_TEST_SCALE)" "$tmp/out"
	else
		t_fail_log $name "rc=$rc before DUALVM-GUEST-READY: $(tail -1 "$tmp/err")" "$tmp/out"
	fi
	exit 0
fi
got=$(tr -d '\r' <"$tmp/out" | grep -ao 'dualvm-nproc-[0-9]*-end' | head -1)
if [ "$got" != dualvm-nproc-2-end ]; then
	t_fail_log $name "nproc: ${got:-no answer} (rc=$rc), kernel: $(tr -d '\r' <"$tmp/out" | grep -a -m1 'smp: Brought up')" "$tmp/out"
elif ! tr -d '\r' <"$tmp/out" | grep -aq 'smp: Brought up 1 node, 2 CPUs'; then
	t_fail_log $name "nproc 2 but the kernel did not bring up 2 CPUs" "$tmp/out"
elif [ $rc != 0 ]; then
	t_fail_log $name "rc=$rc after poweroff -f: $(tail -1 "$tmp/err" | tr -d '\r')" "$tmp/out"
else
	t_pass $name "${ms} ms"
fi
exit 0
