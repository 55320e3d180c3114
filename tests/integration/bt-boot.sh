#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bt-boot.sh --- the Debian 686 test disk (linux-i386.img: SeaBIOS,
# EXTLINUX, Debian's 686 kernel, a busybox initramfs) on the binary
# translator (`--engine bt`):
#   - bt-linux-i386: DUALVM-GUEST-READY, then the busybox shell on the
#     serial console runs a command (only a shell prints 42 for $((6*7))),
#     `poweroff -f` ends dualvm with exit 0, the disk (nonpersistent) is
#     unchanged;
#   - bt-lockstep-linux-i386: the whole boot to DUALVM-GUEST-READY with
#     DUALVM_BT_LOCKSTEP=1: every translated block runs twice, translated
#     and then interpreted from the same state, and dualvm stops with
#     "bt lockstep: ..." at the first difference in registers, flags, EIP,
#     instruction count, XMM registers or memory written.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
img=$GUESTS/linux-i386.img
if [ ! -f "$img" ]; then
	t_fail bt-linux-i386 "$img is missing (make guests)"
	t_fail bt-lockstep-linux-i386 "$img is missing (make guests)"
	exit 0
fi
if [ "$HOST_BT" != 1 ]; then
	t_skip bt-linux-i386 "$HOST_BT_WHY"
	t_skip bt-lockstep-linux-i386 "$HOST_BT_WHY"
	exit 0
fi

# --- the boot, the shell, power off
name=bt-linux-i386
log=$TMP/serial.log fifo=$TMP/in
sum0=$(sha256sum <"$img")
mkfifo "$fifo"
: >"$log"
"$DUALVM" run --engine bt --memory 256 --serial stdio \
	--disk-mode nonpersistent --timeout $(($(budget 300) * 50)) "$img" \
	<"$fifo" >"$log" 2>"$TMP/err" &
pid=$!
t_bg "$pid"
exec 7>"$fifo"
ok=1
wait_serial "$log" DUALVM-GUEST-READY "$pid" "$(budget 300)"
case $? in
0) t_pass $name-ready ;;
1) ok=0; t_fail_log $name-ready "dualvm exited without DUALVM-GUEST-READY: $(tail -n 1 "$TMP/err")" "$log" ;;
*) ok=0; t_fail_log $name-ready "no DUALVM-GUEST-READY within the budget" "$log" ;;
esac
if [ $ok = 1 ]; then
	printf '\n' >&7
	if ! wait_serial "$log" ':/# ' "$pid" "$(budget 60)"; then
		t_fail_log $name-shell "no shell prompt on the serial console" "$log"
	else
		# $((6*7)) is echoed as typed; only a shell prints 42
		printf 'echo dualvm-shell-$((6*7)) $(uname -m)\n' >&7
		if wait_serial "$log" 'dualvm-shell-42 i686' "$pid" "$(budget 60)"; then
			t_pass $name-shell
		else
			t_fail_log $name-shell "the console shell does not run commands" "$log"
		fi
	fi
	printf 'poweroff -f\n' >&7
fi
exec 7>&-
if [ $ok = 1 ]; then
	for ((i = 0; i < $(budget 60) * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		t_fail $name-poweroff "dualvm still running $(budget 60) s after poweroff -f"
		kill "$pid"
	fi
	wait "$pid"; rc=$?
	if [ $rc != 0 ]; then
		t_fail $name-poweroff "exit $rc after poweroff -f: $(tail -n 1 "$TMP/err")"
	elif [ "$(sha256sum <"$img")" != "$sum0" ]; then
		t_fail $name-poweroff "the disk changed (nonpersistent)"
	else
		t_pass $name-poweroff
	fi
else
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
fi

# --- the whole boot in lockstep with the interpreter
name=bt-lockstep-linux-i386
DUALVM_BT_LOCKSTEP=1 dualvm_boot "$TMP/ls.log" "$(budget 600)" DUALVM-GUEST-READY \
	--engine bt --memory 256 --disk-mode nonpersistent "$img"
rc=$?
if [ $rc = 0 ] && grep -aq DUALVM-GUEST-READY "$TMP/ls.log"; then
	t_pass $name
elif grep -q "run: bt: bt lockstep" "$TMP/ls.log.out"; then
	t_fail $name "$(grep -m1 'run: bt: bt lockstep' "$TMP/ls.log.out")"
else
	t_fail_log $name "$(boot_why $rc "$TMP/ls.log")" "$TMP/ls.log"
fi
exit 0
