#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-interp-mips.sh --- guest MIPS of `dualvm run --engine interp` and of
# `qemu-system-i386 -accel tcg` on tests/boot/sys/bench.S, a CPU-bound
# integer + memory loop with paging on and a known instruction count.
#
# Each engine runs the payload built with a small and a large round count;
# MIPS = (instructions(large) - instructions(small)) / (time(large) -
# time(small)), so start-up costs cancel.  The checksums printed by the
# payload must agree between the engines.  Also prints the wall time of the
# same large image under both.  Env: BUILD SRC DUALVM; BENCH_ITERS (large
# round count for the interpreter, default 40000), BENCH_QEMU_ITERS
# (default 400000).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
small=1000
big=${BENCH_ITERS:-40000}
qbig=${BENCH_QEMU_ITERS:-400000}
qemu=$(command -v qemu-system-i386 || true)

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
command -v as >/dev/null || { echo "SKIP bench-interp-mips: GNU as missing"; exit 0; }
[ -n "$qemu" ] || { echo "SKIP bench-interp-mips: qemu-system-i386 not installed"; exit 0; }
[ -x "$DUALVM" ] || { echo "SKIP bench-interp-mips: $DUALVM not built"; exit 0; }
for n in $small $big $qbig; do
	SYS_ASFLAGS="--defsym ITERS=$n" "$SRC/tests/boot/sys/build.sh" "$tmp/$n" bench 2>"$tmp/build.err" ||
		{ echo "SKIP bench-interp-mips: payload does not build: $(head -1 "$tmp/build.err")"; exit 0; }
done

now_ns() { date +%s%N; }
insns() { echo $(( $1 * (9 * 256 + 4) )); }

# run_interp N / run_qemu N: wall time in ms in $ms, serial in $tmp/ENGINE.N
run_interp() {
	local s; s=$(now_ns)
	timeout 300 "$DUALVM" run --engine interp --memory 32 --bios "$tmp/$1/bench.bin" \
		--serial "$tmp/interp.$1" --until-serial SYSPROBE-DONE --timeout 280 \
		</dev/null 2>"$tmp/interp.$1.err"
	rc=$?
	ms=$(( ($(now_ns) - s) / 1000000 ))
}
run_qemu() {
	local s; s=$(now_ns)
	timeout 300 "$qemu" -accel tcg -cpu qemu32,+nx -m 32 -bios "$tmp/$1/bench.bin" \
		-display none -serial "file:$tmp/qemu.$1" -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0x501,iosize=1 </dev/null >/dev/null 2>&1
	ms=$(( ($(now_ns) - s) / 1000000 ))
}
checksum() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^bench checksum=//p'; }

# MIPS from two runs: mips SMALL_ITERS SMALL_MS BIG_ITERS BIG_MS
mips() {
	awk -v a="$(insns $1)" -v ta="$2" -v b="$(insns $3)" -v tb="$4" \
		'BEGIN { d = tb - ta; if (d <= 0) print "n/a"; else printf "%.1f", (b - a) / (d * 1000) }'
}

run_qemu $small; q_small=$ms
run_qemu $qbig; q_big=$ms
run_qemu $big; q_same=$ms
for n in $small $qbig $big; do
	grep -q '^SYSPROBE-DONE' "$tmp/qemu.$n" ||
		{ echo "SKIP bench-interp-mips: QEMU did not finish the payload ($n rounds)"; exit 0; }
done
q_mips=$(mips $small $q_small $qbig $q_big)
echo "bench-interp-mips: qemu-tcg: $(insns $qbig) insns in ${q_big} ms (start-up run ${q_small} ms): ${q_mips} MIPS"

run_interp $small
if [ $rc != 0 ] || ! grep -aq '^SYSPROBE-DONE' "$tmp/interp.$small"; then
	echo "SKIP bench-interp-mips: interp cannot run the payload yet: rc=$rc $(grep -v unclaimed "$tmp/interp.$small.err" | tail -1)"
	exit 0
fi
i_small=$ms
run_interp $big; i_big=$ms
if [ $rc != 0 ]; then
	echo "SKIP bench-interp-mips: interp run of $big rounds failed: rc=$rc $(tail -1 "$tmp/interp.$big.err")"
	exit 0
fi
if [ "$(checksum "$tmp/interp.$big")" != "$(checksum "$tmp/qemu.$big")" ]; then
	echo "bench-interp-mips: WARNING: checksum differs: interp $(checksum "$tmp/interp.$big"), qemu $(checksum "$tmp/qemu.$big")"
fi
i_mips=$(mips $small $i_small $big $i_big)
echo "bench-interp-mips: interp: $(insns $big) insns in ${i_big} ms (start-up run ${i_small} ms): ${i_mips} MIPS"
echo "bench-interp-mips: same image ($big rounds): interp ${i_big} ms, qemu-tcg ${q_same} ms"
echo "bench-interp-mips: ratio interp/qemu-tcg MIPS = $(awk -v a="$i_mips" -v b="$q_mips" 'BEGIN { if (b + 0 > 0 && a + 0 > 0) printf "%.3f", a / b; else print "n/a" }') (interp ${i_mips} MIPS, qemu-tcg ${q_mips} MIPS; issue 4 target >= 100 MIPS)"
exit 0
