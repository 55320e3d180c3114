#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# interp-debian.sh --- a real Debian installation on the interpreter: the
# debian-amd64 test disk (GRUB 2 in the MBR, Debian's amd64 kernel, the
# initramfs-tools initramfs, systemd) must reach DUALVM-GUEST-READY under
# `--engine interp --cpus 2`; then root logs in on the serial console and
# the guest's own `nproc` must print 2 and systemd must report "running"
# with no failed unit; `poweroff -f` must end dualvm with exit 0; the disk
# (nonpersistent) must be unchanged.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
img=$GUESTS/debian-amd64.img
name=interp-debian-amd64
if [ ! -f "$img" ]; then
	t_fail $name "$img is missing (make guests)"; exit 0
fi

log=$TMP/serial.log fifo=$TMP/in
sum0=$(stat -c '%s %Y' "$img")
mkfifo "$fifo"
: >"$log"
"$DUALVM" run --engine interp --cpus 2 --memory 512 --serial stdio \
	--disk-mode nonpersistent --timeout $(($(budget 1200) * 50)) "$img" \
	<"$fifo" >"$log" 2>"$TMP/err" &
pid=$!
t_bg "$pid"
exec 7>"$fifo"

# fail WHY: a FAIL line with the console's last lines; stop the guest.
fail() {
	t_fail_log $name "$1" "$log"
	exec 7>&-
	exit 0
}

wait_serial "$log" DUALVM-GUEST-READY "$pid" "$(budget 1200)"
case $? in
0) ;;
1) fail "dualvm exited without DUALVM-GUEST-READY: $(grep -v unclaimed "$TMP/err" | tail -n 1)" ;;
*) fail "no DUALVM-GUEST-READY within the budget (scale $DUALVM_TEST_SCALE)" ;;
esac
t_pass $name-ready
# the READY unit prints over the login prompt: ask for a fresh one
printf '\n' >&7
wait_serial "$log" ' login: *$' "$pid" "$(budget 120)" ||
	fail "no login prompt on the serial console"
printf 'root\n' >&7
wait_serial "$log" 'root@[-a-z0-9]*:~# ' "$pid" "$(budget 300)" ||
	fail "root did not get a shell"
# $((6*7)) is echoed as typed; only a shell prints 42
printf '%s\n' 'echo dualvm-shell-$((6*7)) nproc=$(nproc) state=$(systemctl is-system-running --wait) failed=$(systemctl --failed --no-legend --plain | cut -d" " -f1 | paste -sd, -) end' >&7
wait_serial "$log" 'dualvm-shell-42 nproc=.* end' "$pid" "$(budget 600)" ||
	fail "the console shell does not run commands"
out=$(tr -d '\r' <"$log" | grep -ao 'dualvm-shell-42 nproc=.* end' | tail -n 1)
out=${out#dualvm-shell-42 }
if [[ $out == "nproc=2 state=running failed= end" ]]; then
	t_pass $name-nproc "$out"
else
	t_fail_log $name-nproc "expected nproc=2, systemd running, no failed unit; got: $out" "$log"
fi

printf 'poweroff -f\n' >&7
cpu_guard "$pid" "$(budget 120)"
g=$?
exec 7>&-
if [ $g != 0 ]; then
	t_fail $name-poweroff "dualvm still running after poweroff -f"
else
	wait "$pid"
	rc=$?
	if [ $rc = 0 ]; then
		t_pass $name-poweroff
	else
		t_fail $name-poweroff "dualvm exited $rc: $(grep -v unclaimed "$TMP/err" | tail -n 1)"
	fi
fi
if [ "$(stat -c '%s %Y' "$img")" = "$sum0" ]; then
	t_pass $name-source-unchanged
else
	t_fail $name-source-unchanged "$img was modified"
fi
exit 0
