#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# x86-sys.sh --- the tests/boot/sys system-level payloads (protected mode,
# exceptions, paging, v8086, task switches, ...; lm_*: IA-32e mode) run
# under QEMU TCG, the reference (qemu32 with NX; for lm_* an x86-64-v2
# Intel model with 1 GiB pages and RDTSCP, like the canonical CPU), and
# under dualvm's interpreter and KVM engines; the COM1 transcripts must be
# identical.
# Lines starting with '~' are implementation-defined (CPUID) and left out
# of the comparison.
#
# Every difference, timeout or crash is a FAIL, with one exception that is
# a missing host capability, not a dualvm bug: without the KVM API
# (tests/lib/common.sh HOST_KVM_API=0), the kvm runs SKIP; on a
# nested software KVM (kvm_pvm) that stops with an emulation failure or
# raises #GP(0) on the MOV to CR0 that turns paging on, the kvm case SKIPs
# naming the instruction; an lm_* payload that needs a feature this KVM's
# guest CPUID lacks (1 GiB pages, RDTSCP: the cpuid payload's leaf
# 80000001H on KVM) SKIPs naming it.
# Env: BUILD SRC DUALVM (see tests/run-tests.sh); SYS_PAYLOADS (names).
. "$SRC/tests/lib/common.sh"
out=$TMP/sys
tmp=$TMP
secs=$(budget 60)

if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	t_fail x86-sys "GNU as/ld missing to build tests/boot/sys (make deps)"; exit 0
fi
# not compared: bench (a benchmark), garbage_code (random code: undefined
# flags and vendor differences; tests/integration/bt-garbage.sh runs it)
payloads=(${SYS_PAYLOADS:-$(cd "$SRC/tests/boot/sys" && ls *.S | sed 's/\.S$//' | grep -Ev '^(bench.*|garbage_code)$')})
if ! "$SRC/tests/boot/sys/build.sh" "$out" "${payloads[@]}" 2>"$tmp/build.err"; then
	t_fail x86-sys-build "$(grep -m1 -i error "$tmp/build.err" || head -1 "$tmp/build.err")"; exit 1
fi
t_pass x86-sys-build "${#payloads[@]} payloads"
qemu=$(command -v qemu-system-i386 || true)
qemu64=$(command -v qemu-system-x86_64 || true)
if [ -z "$qemu" ] || [ -z "$qemu64" ]; then
	t_fail x86-sys "qemu-system-i386/x86_64 (the reference) not installed (make deps)"; exit 0
fi
[ -x "$DUALVM" ] || { t_fail x86-sys "$DUALVM not built"; exit 1; }
# a private copy: a concurrent relink of the shared binary must not show up
# as a failure of one payload
cp "$DUALVM" "$tmp/dualvm" || { t_fail x86-sys "cannot copy $DUALVM"; exit 1; }
DUALVM=$tmp/dualvm

# kvm_pg_gp NAME: true when the kvm transcript stops with #GP(0) at a MOV to
# CR0 (0F 22 /0) of the payload (mapped at 0xF0000, 64 KiB), a defect of
# the nested KVM layer on some hosts
kvm_pg_gp() {
	local eip off
	eip=$(tr -d '\r' <"$tmp/$1.kvm" | sed -n 's/^EXC 0D err=00000000 cs:eip=0008:\([0-9A-Fa-f]*\)$/\1/p' | head -n 1)
	[ -n "$eip" ] || return 1
	off=$(( 0x$eip - 0xf0000 ))
	[ $off -ge 0 ] && [ "$(od -An -tx1 -j $off -N 3 "$out/$1.bin" | tr -d ' ')" = 0f22c0 ]
}

# the comparable part of a transcript: no CR/NUL, no '~' lines
norm() { tr -d '\r\0' <"$1" | grep -av '^~'; }

# run_dualvm ENGINE NAME: rc in $rc, serial in $tmp/NAME.ENGINE
run_dualvm() {
	timeout -s KILL $((secs + 60)) "$DUALVM" run --engine "$1" --memory 32 --bios "$out/$2.bin" \
		--serial "$tmp/$2.$1" --until-serial SYSPROBE-DONE --timeout "$secs" \
		</dev/null 2>"$tmp/$2.$1.err"
	rc=$?
}

# compare ENGINE NAME: PASS/FAIL line for a finished run
compare() {
	local e=$1 n=$2
	if grep -aq '^SYSPROBE-DONE' "$tmp/$n.$e" &&
	   cmp -s <(norm "$tmp/$n.qemu") <(norm "$tmp/$n.$e"); then
		echo "PASS x86-sys-$e-$n"
	elif [ "$e" = kvm ] && kvm_pg_gp "$n"; then
		t_skip x86-sys-$e-$n "this KVM raises #GP(0) on the MOV to CR0 that sets PG (a nested KVM defect): $(grep -a -m1 '^EXC 0D' "$tmp/$n.$e" | tr -d '\r')"
	elif ! grep -aq '^SYSPROBE-DONE' "$tmp/$n.$e"; then
		echo "FAIL x86-sys-$e-$n: rc=$rc, no SYSPROBE-DONE; last line: $(norm "$tmp/$n.$e" | tail -1 | cut -c1-80) $(grep -v unclaimed "$tmp/$n.$e.err" | tail -1)"
	else
		echo "FAIL x86-sys-$e-$n: transcript differs from QEMU TCG: $(diff <(norm "$tmp/$n.qemu") <(norm "$tmp/$n.$e") | grep -m2 '^[<>]' | tr '\n' ' ' | cut -c1-160)"
		diff <(norm "$tmp/$n.qemu") <(norm "$tmp/$n.$e") | head -20 >&2
	fi
}

# kvm_feature BIT: true when CPUID.80000001H:EDX[BIT] is set for a guest of
# the KVM engine (the cpuid payload run once on KVM)
kvm_x1edx=
kvm_feature() {
	if [ -z "$kvm_x1edx" ]; then
		"$SRC/tests/boot/sys/build.sh" "$out" cpuid 2>/dev/null
		timeout -s KILL $((secs + 60)) "$DUALVM" run --engine kvm --memory 32 \
			--bios "$out/cpuid.bin" --serial "$tmp/kvmcpuid" \
			--until-serial SYSPROBE-DONE --timeout "$secs" </dev/null >/dev/null 2>&1
		kvm_x1edx=$(tr -d '\r' <"$tmp/kvmcpuid" 2>/dev/null |
			sed -n 's/^~cpuid 80000001: [0-9A-F]* [0-9A-F]* [0-9A-F]* \([0-9A-F]*\)$/\1/p')
		kvm_x1edx=${kvm_x1edx:-FFFFFFFF}
	fi
	[ $(( 0x$kvm_x1edx >> $1 & 1 )) = 1 ]
}
# lm_* payloads and the CPUID.80000001H:EDX feature each needs on KVM
declare -A kvm_needs=([lm_paging]="26 1 GiB pages" [lm_syscall]="27 RDTSCP")

for n in "${payloads[@]}"; do
	case $n in
	lm_*) qbin=$qemu64 qcpu=Nehalem,+pdpe1gb,+rdtscp ;;
	*) qbin=$qemu qcpu=qemu32,+nx ;;
	esac
	timeout -s KILL "$secs" "$qbin" -accel tcg -cpu "$qcpu" -m 32 -bios "$out/$n.bin" -display none \
		-serial "file:$tmp/$n.qemu" -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0x501,iosize=1 </dev/null >/dev/null 2>"$tmp/$n.qemu.err"
	if ! grep -aq '^SYSPROBE-DONE' "$tmp/$n.qemu"; then
		echo "FAIL x86-sys-qemu-$n: the reference did not finish: $(norm "$tmp/$n.qemu" | tail -1 | cut -c1-80) $(tail -1 "$tmp/$n.qemu.err")"
		continue
	fi

	run_dualvm interp "$n"
	compare interp "$n"
	if [ "$HOST_BT" = 1 ]; then
		run_dualvm bt "$n"
		compare bt "$n"
	else
		t_skip x86-sys-bt-$n "$HOST_BT_WHY"
	fi

	if [ "$HOST_KVM_API" != 1 ]; then
		t_skip x86-sys-kvm-$n "no KVM: $HOST_KVM_API_WHY"; continue
	fi
	if [ -n "${kvm_needs[$n]:-}" ]; then
		read -r bit what <<<"${kvm_needs[$n]}"
		if ! kvm_feature "$bit"; then
			t_skip x86-sys-kvm-$n "this KVM's guest CPU has no $what (CPUID 80000001H EDX bit $bit: $kvm_x1edx)"
			continue
		fi
	fi
	run_dualvm kvm "$n"
	if grep -q "emulation failure" "$tmp/$n.kvm.err"; then
		echo "SKIP x86-sys-kvm-$n: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/$n.kvm.err")"
	else
		compare kvm "$n"
	fi
done
exit 0
