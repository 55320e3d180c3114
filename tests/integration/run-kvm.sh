#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-kvm.sh --- `dualvm run` on the KVM engine: the tests/boot payloads,
# error reporting, exit codes, and SeaBIOS + SYSLINUX from the i386 test disk.
#
# KVM on our hosts is a nested software layer (kvm_pvm) that cannot emulate
# some instructions: a payload that stops with "emulation failure" is a SKIP
# naming the instruction, anything else that is not a PASS is a FAIL.
# The KVM cases need the KVM API (tests/lib/common.sh HOST_KVM_API: a
# character device answering KVM_GET_API_VERSION 12); --engine auto must
# agree with HOST_KVM (the same self-test guest).
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
payloads=(hello pit_irq cmos pci garbage mmio reset triple)
tmp=$TMP
secs=$(budget 60)

if [ ! -x "$DUALVM" ]; then
	t_fail run-kvm "$DUALVM not built"; exit 1
fi

# --- exit codes that need no KVM -------------------------------------------
head -c 65536 /dev/zero >"$tmp/zero.bin"
"$DUALVM" run --engine bt --cpus 2 --bios "$tmp/zero.bin" >/dev/null 2>"$tmp/e"; rc=$?
if [ $rc != 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -q "one vCPU" "$tmp/e"; then
	echo "PASS run-engine-bt-one-cpu"
else echo "FAIL run-engine-bt-one-cpu: rc=$rc $(head -1 "$tmp/e")"; fi
"$DUALVM" run --bogus x >/dev/null 2>"$tmp/e"; rc=$?
if [ $rc = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ]; then echo "PASS run-bad-option"
else echo "FAIL run-bad-option: rc=$rc"; fi
"$DUALVM" run --engine kvm "$tmp/does-not-exist.img" >/dev/null 2>"$tmp/e"; rc=$?
if [ $rc != 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <"$tmp/e")" = 1 ]; then echo "PASS run-missing-disk"
else echo "FAIL run-missing-disk: rc=$rc"; fi

if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	t_fail run-kvm "GNU as/ld missing to build tests/boot (make deps)"; exit 0
fi
if ! "$SRC/tests/boot/build.sh" "$tmp/boot" 2>"$tmp/build.err"; then
	t_fail run-kvm-build-payloads "$(head -1 "$tmp/build.err")"; exit 1
fi

# --engine auto: KVM if its self-test passes, else the binary translator
# (or the interpreter) with one line saying why.  The choice must agree with the host probe (which
# runs the same self-test) unless the probe was overridden.
timeout -s KILL $((secs + 60)) "$DUALVM" run --engine auto --timeout "$secs" --serial "$tmp/auto.out" \
	--bios "$tmp/boot/hello.bin" </dev/null 2>"$tmp/auto.err"
rc=$?
fell_back=0
grep -q "; using the \(interpreter\|binary translator\)" "$tmp/auto.err" && fell_back=1
if [ $rc != 0 ] || ! grep -q "^PASS hello" "$tmp/auto.out"; then
	t_fail kvm-engine-auto "rc=$rc $(tail -1 "$tmp/auto.err")"
elif [ $fell_back = 1 ] && [ "$(grep -vc unclaimed "$tmp/auto.err")" != 1 ]; then
	t_fail kvm-engine-auto "the fallback is not one line: $(head -3 "$tmp/auto.err" | tr '\n' '|')"
elif [ "${DUALVM_TEST_NO_KVM:-0}" != 1 ] && [ $fell_back = "$HOST_KVM" ]; then
	t_fail kvm-engine-auto "fell back=$fell_back but the host probe says KVM=$HOST_KVM ($HOST_KVM_WHY)"
else
	t_pass kvm-engine-auto "$([ $fell_back = 1 ] && cat "$tmp/auto.err" || echo "KVM self-test passed")"
fi

if [ "$HOST_KVM_API" != 1 ]; then
	t_skip run-kvm "no KVM: $HOST_KVM_API_WHY"; exit 0
fi

# run_payload NAME [dualvm options...]: rc in $rc, serial in $tmp/NAME.out
run_payload() {
	local n=$1; shift
	timeout -s KILL $((secs + 60)) "$DUALVM" run --engine kvm --memory 256 --timeout "$secs" \
		--serial "$tmp/$n.out" --bios "$tmp/boot/$n.bin" "$@" \
		</dev/null 2>"$tmp/$n.err"
	rc=$?
}

for n in "${payloads[@]}"; do
	if [ $n = garbage ]; then run_payload "$n" --log-unclaimed; else run_payload "$n"; fi
	if [ $rc = 0 ] && grep -q "^PASS $n" "$tmp/$n.out"; then
		echo "PASS kvm-boot-$n"
	elif grep -q "emulation failure" "$tmp/$n.err"; then
		echo "SKIP kvm-boot-$n: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/$n.err")"
	else
		echo "FAIL kvm-boot-$n: rc=$rc, serial: $(grep -a -m1 -E '^(PASS|FAIL)' "$tmp/$n.out" || echo none), stderr: $(grep -v unclaimed "$tmp/$n.err" | tail -1)"
	fi
done

# Host input reaches COM1 (stdin is a pipe here).
(sleep 1; printf ping) | timeout -s KILL $((secs + 60)) "$DUALVM" run --engine kvm --timeout "$secs" \
	--serial stdio --bios "$tmp/boot/echo.bin" >"$tmp/echo.out" 2>"$tmp/echo.err"
rc=$?
if [ $rc = 0 ] && grep -q "^PASS echo" "$tmp/echo.out"; then echo "PASS kvm-serial-input"
else echo "FAIL kvm-serial-input: rc=$rc $(grep -a -m1 -E '^(PASS|FAIL)' "$tmp/echo.out")"; fi

# Ctrl-C / SIGTERM: a clean stop, exit 130, the disk closed.
truncate -s 1M "$tmp/blank.img"
for sig in INT TERM; do
	rm -f "$tmp/sig.out"
	timeout -s KILL $((secs + 60)) "$DUALVM" run --engine kvm --timeout "$secs" --serial "$tmp/sig.out" \
		--bios "$tmp/boot/hang.bin" "$tmp/blank.img" </dev/null 2>"$tmp/sig.err" &
	pid=$!
	wait_serial "$tmp/sig.out" halted $pid "$secs"
	kill -$sig $(pgrep -P $pid) 2>/dev/null
	wait $pid; rc=$?
	if [ $rc = 130 ] && grep -q "stopped" "$tmp/sig.err"; then echo "PASS kvm-sig$sig-stops-130"
	else echo "FAIL kvm-sig$sig-stops-130: rc=$rc $(tail -1 "$tmp/sig.err")"; fi
done

# On a terminal: raw mode, Ctrl-A x quits, the terminal is restored.
if command -v python3 >/dev/null; then
	SECS=$secs python3 - "$DUALVM" "$tmp/boot/hang.bin" >"$tmp/tty.out" 2>&1 <<'PY'
import os, pty, sys, termios, time, select
dualvm, bios = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(dualvm, [dualvm, "run", "--engine", "kvm", "--timeout", "30", "--bios", bios])
before = termios.tcgetattr(fd)
buf, t0, raw_seen = b"", time.time(), False
while b"halted" not in buf and time.time() - t0 < int(os.environ["SECS"]):
    if select.select([fd], [], [], 0.2)[0]:
        try: buf += os.read(fd, 1024)
        except OSError: break
mid = termios.tcgetattr(fd)
raw_seen = not (mid[3] & termios.ICANON) and not (mid[3] & termios.ECHO)
os.write(fd, b"x")
_, st = os.waitpid(pid, 0)
after = termios.tcgetattr(fd)
rc = os.waitstatus_to_exitcode(st)
ok = rc == 130 and raw_seen and after[3] & termios.ICANON and after[3] & termios.ECHO
print("tty: rc=%d raw=%s restored=%s" % (rc, raw_seen, bool(after[3] & termios.ICANON)))
sys.exit(0 if ok else 1)
PY
	if [ $? = 0 ]; then echo "PASS kvm-tty-raw-escape-restore"
	else echo "FAIL kvm-tty-raw-escape-restore: $(tail -1 "$tmp/tty.out")"; fi
fi

# The canonical CPU through KVM: the host's CPUID filtered (vendor, leaves,
# flags within dualvm's CPU).  A KVM that fails dualvm's own self-test
# (tests/lib/common.sh HOST_KVM, e.g. a nested software KVM) is not a
# working KVM: what its guests see is not dualvm's doing (SKIP, saying so).
run_payload cpuid
if [ $rc = 0 ] && grep -q "^PASS cpuid" "$tmp/cpuid.out"; then
	echo "PASS kvm-cpuid-canonical"
elif grep -q "emulation failure" "$tmp/cpuid.err"; then
	echo "SKIP kvm-cpuid-canonical: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/cpuid.err")"
elif [ "$HOST_KVM" != 1 ]; then
	echo "SKIP kvm-cpuid-canonical: this KVM fails dualvm's self-test ($HOST_KVM_WHY) and does not apply KVM_SET_CPUID2: the guest sees $(grep -a -m1 '^cpuid' "$tmp/cpuid.out" | tr -d '\r')"
else
	echo "FAIL kvm-cpuid-canonical: rc=$rc, $(grep -a -m2 -E '^(cpuid|PASS|FAIL)' "$tmp/cpuid.out" | tr '\r\n' '  ')"
fi

# Unclaimed ports (--log-unclaimed): once per address, bounded in total.
lines=$(grep -c "unclaimed" "$tmp/garbage.err")
if [ "$lines" -ge 1 ] && [ "$lines" -le 64 ] &&
   [ "$(grep unclaimed "$tmp/garbage.err" | awk '{print $5}' | sort | uniq -d | wc -l)" = 0 ]; then
	echo "PASS kvm-unclaimed-logged-once ($lines lines)"
else
	echo "FAIL kvm-unclaimed-logged-once: $lines log lines"
fi

# An instruction KVM cannot run must end the run with one clear line.
run_payload pm_int
if [ $rc = 0 ] && grep -q "^PASS pm_int" "$tmp/pm_int.out"; then
	echo "PASS kvm-error-report (this KVM runs protected-mode INT/IRET)"
elif [ $rc = 1 ] && [ "$(grep -vc unclaimed "$tmp/pm_int.err")" = 1 ] &&
     grep -q "emulation failure) at CS:RIP .*bytes: cd 40" "$tmp/pm_int.err"; then
	echo "PASS kvm-error-report"
else
	echo "FAIL kvm-error-report: rc=$rc $(tail -1 "$tmp/pm_int.err")"
fi

# A guest that resets as fast as it boots: one clear error, exit 1.
run_payload resetloop --timeout 20
if [ $rc = 1 ] && grep -q "reset loop" "$tmp/resetloop.err"; then echo "PASS kvm-reset-loop-detected"
elif grep -q "emulation failure" "$tmp/resetloop.err"; then
	echo "SKIP kvm-reset-loop-detected: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/resetloop.err")"
else echo "FAIL kvm-reset-loop-detected: rc=$rc $(tail -1 "$tmp/resetloop.err")"; fi

# --timeout on a halted guest: 124, promptly.
s=$(date +%s)
run_payload hang --timeout 2
el=$(( $(date +%s) - s ))
if [ $rc = 124 ] && [ $el -le "$(budget 10)" ]; then echo "PASS kvm-timeout-exit-124"
else echo "FAIL kvm-timeout-exit-124: rc=$rc after ${el}s"; fi

# --until-serial matches text split across OUTs (every byte is its own OUT).
timeout -s KILL $((secs + 60)) "$DUALVM" run --engine kvm --timeout "$secs" --serial "$tmp/u.out" \
	--until-serial "a dualvm boot" --bios "$tmp/boot/hello.bin" </dev/null 2>/dev/null
rc=$?
if [ $rc = 0 ] && grep -q "a dualvm boot" "$tmp/u.out"; then echo "PASS kvm-until-serial"
else echo "FAIL kvm-until-serial: rc=$rc"; fi

# SeaBIOS + SYSLINUX from the i386 test disk (a copy: the run is persistent).
img=$GUESTS/linux-i386.img
if [ ! -e "$img" ]; then
	t_fail kvm-syslinux-banner "$img missing (make guests)"; exit 0
fi
cp --sparse=always "$img" "$tmp/disk.img"
s=$(date +%s%N)
timeout -s KILL $((secs + 60)) "$DUALVM" run --engine kvm --serial stdio --timeout "$secs" \
	--until-serial SYSLINUX "$tmp/disk.img" </dev/null >"$tmp/sl.out" 2>"$tmp/sl.err"
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc = 0 ] && grep -a -q "SeaBIOS (version" "$tmp/sl.out" &&
   tr -d '\0' <"$tmp/sl.out" | grep -a -A100 "SeaBIOS (version" | grep -a -q SYSLINUX; then
	echo "PASS kvm-syslinux-banner (${ms} ms)"
elif grep -q "emulation failure" "$tmp/sl.err"; then
	echo "SKIP kvm-syslinux-banner: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/sl.err")"
else
	echo "FAIL kvm-syslinux-banner: rc=$rc after ${ms} ms: $(grep -v unclaimed "$tmp/sl.err" | tail -1)"
fi

# Past the banner: on a software KVM layer the guest stops with an emulation
# failure (SYSLINUX's IRET, or later in Linux), which must be one clear line
# and a prompt exit 1, never a hang or a crash; real KVM boots to the marker.
s=$(date +%s)
timeout -s KILL $((secs + 80)) "$DUALVM" run --engine kvm --serial stdio --timeout "$(budget 80)" \
	--until-serial DUALVM-GUEST-READY "$tmp/disk.img" </dev/null >"$tmp/lx.out" 2>"$tmp/lx.err"
rc=$?
el=$(( $(date +%s) - s ))
if [ $rc = 0 ]; then
	echo "PASS kvm-linux-or-clear-error (booted to DUALVM-GUEST-READY in ${el}s)"
elif [ $rc = 1 ] && [ "$(grep -vc unclaimed "$tmp/lx.err")" = 1 ] &&
     grep -q "KVM internal error.* at CS:RIP " "$tmp/lx.err"; then
	echo "PASS kvm-linux-or-clear-error (${el}s: $(grep -v unclaimed "$tmp/lx.err"))"
else
	echo "FAIL kvm-linux-or-clear-error: rc=$rc after ${el}s: $(grep -v unclaimed "$tmp/lx.err" | tail -1)"
fi
