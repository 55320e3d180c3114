#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-bt.sh --- issue 14's numbers for the binary translator
# (`dualvm run --engine bt`) against `qemu-system-i386 -accel tcg` and
# against the interpreter (`--engine interp`), all in one run:
#
#   bench-bt-boot       time from start to DUALVM-GUEST-READY on COM1 for
#                       $GUESTS/linux-i386.img (a private sparse copy per
#                       run, 256 MiB for every engine); ratio bt/TCG
#                       (target < 1.0, goal 1/1.5) and bt/interp
#   bench-bt-mips       guest MIPS on tests/boot/sys/bench_mix.S (integer,
#                       loads/stores with paging on, string instructions,
#                       SSE2) and on bench.S (integer + memory); ratio
#                       bt/TCG (target >= 2, goal 3) and bt/interp
#   bench-bt-hostinsns  host instructions executed per guest instruction
#                       by bt on both payloads
#
# Run it with `make bench BENCH=bench-bt`, or directly:
#   BUILD=$PWD/build SRC=$PWD GUESTS=$PWD/build/guests bash tests/bench/bench-bt.sh
# It takes about 3 minutes on an idle 2-core machine with the defaults
# (the interpreter boot alone is ~45 s, so it runs INTERP_RUNS times).
#
# Method.  Within each repetition the engines run one after the other
# (bt, TCG, interp), so a change in the machine's load hits all of them;
# every number printed is the median over the repetitions.  MIPS as in
# bench-interp-mips.sh: each engine runs the payload built with a small
# and a large round count, MIPS = (insns(large) - insns(small)) /
# (time(large) - time(small)), so start-up costs cancel.  The instruction
# count is the payload's static count per round, where a REP instruction
# counts as one instruction (QEMU and dualvm count REP iterations
# differently; neither engine's counter is used).  Every engine must print
# the same checksum for the small round count (all run it); a mismatch or
# a missing SYSPROBE-DONE is a FAIL line and exit status 1.
#
# Host instructions: the machine has no usable hardware counters under
# virtualisation (`perf stat -e instructions` reports <not supported>), so
# they are counted with `valgrind --tool=callgrind`.  The translated code
# lives in a memfd mapped twice (RW to write, RX to run), i.e. file-backed
# memory that valgrind's default --smc-check=all-non-file does not watch:
# --smc-check=all is required (checked: the checksums then agree with
# the other engines).  Host insns per guest insn = (Ir(large) - Ir(small))
# / (insns(large) - insns(small)), so start-up cancels here too.
#
# Env: BUILD SRC DUALVM GUESTS; RUNS (repetitions, default 3);
# INTERP_RUNS (interpreter repetitions, default 1); BOOT_SECS (default
# 300); SMALL_ITERS (default 2000); MIX_ITERS_BT / _TCG / _INTERP (large
# round count of bench_mix per engine, defaults 40000 / 1000000 / 40000);
# BENCH_ITERS_BT / _TCG / _INTERP (bench.S, defaults 1000000 / 2000000 /
# 100000); HOST_MIX_ITERS / HOST_BENCH_ITERS (large round counts under
# callgrind, defaults 1000 / 20000; the small one is a fifth of it);
# SKIP_BOOT=1, SKIP_MIPS=1, SKIP_HOST=1 leave a part out.
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GUESTS=${GUESTS:-$BUILD/guests}
RUNS=${RUNS:-3}
INTERP_RUNS=${INTERP_RUNS:-1}
BOOT_SECS=${BOOT_SECS:-300}
small=${SMALL_ITERS:-2000}
qemu=$(command -v qemu-system-i386 || true)
qcpu=qemu32,+nx,+sse2
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

command -v as >/dev/null || { echo "SKIP bench-bt: GNU as missing"; exit 0; }
[ -n "$qemu" ] || { echo "SKIP bench-bt: qemu-system-i386 not installed"; exit 0; }
[ -x "$DUALVM" ] || { echo "SKIP bench-bt: $DUALVM not built"; exit 0; }

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
# ratio A B: A / B with 2 decimals, n/a when either is missing or B is 0
# f1 X: X seconds with 1 decimal, n/a when missing
f1() { if [ -n "$1" ]; then printf '%.1f s' "$1"; else echo n/a; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

# ---- 1. boot time ------------------------------------------------------

# wait_marker LOG PID T0: seconds until the marker appears, or "" on exit
wait_marker() {
	local log=$1 pid=$2 t0=$3
	while kill -0 "$pid" 2>/dev/null; do
		if grep -aq DUALVM-GUEST-READY "$log" 2>/dev/null; then
			awk -v a="$(now)" -v b="$t0" 'BEGIN {print a - b}'
			return 0
		fi
		sleep 0.2
	done
	grep -aq DUALVM-GUEST-READY "$log" 2>/dev/null && awk -v a="$(now)" -v b="$t0" 'BEGIN {print a - b}'
}

# boot_one ENGINE IMG: append the time to $tmp/boot.ENGINE
boot_one() {
	local eng=$1 img=$2 p t t0
	cp --sparse=always "$img" "$tmp/d.img"
	: >"$tmp/d.log"
	t0=$(now)
	if [ "$eng" = tcg ]; then
		"$qemu" -accel tcg -m 256 -display none -no-reboot \
			-drive file="$tmp/d.img",format=raw,if=ide \
			-serial file:"$tmp/d.log" </dev/null >/dev/null 2>&1 &
	else
		"$DUALVM" run --engine "$eng" --memory 256 --serial "$tmp/d.log" \
			--timeout "$BOOT_SECS" --until-serial DUALVM-GUEST-READY \
			"$tmp/d.img" </dev/null >/dev/null 2>"$tmp/boot.$eng.err" &
	fi
	p=$!
	t=$(wait_marker "$tmp/d.log" $p "$t0"); kill $p 2>/dev/null; wait $p 2>/dev/null
	rm -f "$tmp/d.img"
	if [ -n "$t" ]; then
		echo "$t" >>"$tmp/boot.$eng"
	else
		echo "bench-bt-boot: FAIL: $eng did not reach DUALVM-GUEST-READY: $(tail -1 "$tmp/boot.$eng.err" 2>/dev/null)"
		fail=1
	fi
}

bench_boot() {
	local img=$GUESTS/linux-i386.img i b q n
	if [ ! -f "$img" ]; then
		echo "SKIP bench-bt-boot: $img missing (make guests)"; return
	fi
	for i in $(seq 1 "$RUNS"); do
		boot_one bt "$img"
		boot_one tcg "$img"
		[ "$i" -le "$INTERP_RUNS" ] && boot_one interp "$img"
	done
	b=$(median 2>/dev/null <"$tmp/boot.bt")
	q=$(median 2>/dev/null <"$tmp/boot.tcg")
	n=$(median 2>/dev/null <"$tmp/boot.interp")
	printf 'bench-bt-boot: linux-i386 to DUALVM-GUEST-READY, median of %d: bt %s, interp %s (%d run), %s TCG %s; ratio bt/TCG %s (target < 1.0), bt/interp %s\n' \
		"$RUNS" "$(f1 "$b")" "$(f1 "$n")" "$INTERP_RUNS" "$(basename "$qemu")" "$(f1 "$q")" \
		"$(ratio "$b" "$q")" "$(ratio "$b" "$n")"
}

# ---- 2. MIPS -----------------------------------------------------------

# build PAYLOAD ROUNDS: $tmp/ROUNDS/PAYLOAD.bin
build() {
	[ -f "$tmp/$2/$1.bin" ] && return 0
	SYS_ASFLAGS="--defsym ITERS=$2" "$SRC/tests/boot/sys/build.sh" "$tmp/$2" "$1" 2>"$tmp/build.err"
}

# run ENGINE PAYLOAD ROUNDS [WRAPPER...]: wall ms in $ms, serial in $out
run() {
	local eng=$1 pl=$2 n=$3 s; shift 3
	out=$tmp/$eng.$pl.$n.log
	s=$(date +%s%N)
	if [ "$eng" = tcg ]; then
		timeout 300 "$qemu" -accel tcg -cpu $qcpu -m 32 -bios "$tmp/$n/$pl.bin" \
			-display none -serial "file:$out" -monitor none -no-reboot \
			-device isa-debug-exit,iobase=0x501,iosize=1 </dev/null >/dev/null 2>&1
	else
		timeout 600 "$@" "$DUALVM" run --engine "$eng" --memory 32 --bios "$tmp/$n/$pl.bin" \
			--serial "$out" --until-serial SYSPROBE-DONE --timeout 580 \
			</dev/null >/dev/null 2>"$out.err"
	fi
	ms=$(( ($(date +%s%N) - s) / 1000000 ))
}
checksum() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^.* checksum=//p'; }
per_round() { tr -d '\r' <"$1" 2>/dev/null | sed -n 's/^.* insns per iteration=//p'; }

# check ENGINE PAYLOAD ROUNDS: the run finished; 1 (and a FAIL line) if not
check() {
	if ! grep -aq '^SYSPROBE-DONE' "$tmp/$1.$2.$3.log" 2>/dev/null; then
		echo "bench-bt-mips: $2: FAIL: $1 did not finish $3 rounds: $(grep -av unclaimed "$tmp/$1.$2.$3.log.err" 2>/dev/null | tail -1)"
		fail=1
		return 1
	fi
}

# bench_mips PAYLOAD BT_ROUNDS TCG_ROUNDS INTERP_ROUNDS
bench_mips() {
	local pl=$1 i n eng big t0 ipr c ref bt tcg interp
	declare -A rounds=([bt]=$2 [tcg]=$3 [interp]=$4)
	for n in $small $2 $3 $4; do
		build "$pl" "$n" || { echo "SKIP bench-bt-mips: $pl does not build: $(head -1 "$tmp/build.err")"; return; }
	done
	rm -f "$tmp/mips.$pl".*
	for i in $(seq 1 "$RUNS"); do
		for eng in bt tcg interp; do
			[ $eng = interp ] && [ "$i" -gt "$INTERP_RUNS" ] && continue
			big=${rounds[$eng]}
			run $eng "$pl" "$small"; t0=$ms
			check $eng "$pl" "$small" || continue
			run $eng "$pl" "$big"
			check $eng "$pl" "$big" || continue
			ipr=$((16#$(per_round "$out")))
			awk -v n=$((big - small)) -v p="$ipr" -v d=$((ms - t0)) \
				'BEGIN { if (d > 0) printf "%.1f\n", n * p / (d * 1000) }' \
				>>"$tmp/mips.$pl.$eng"
		done
	done
	# every engine that ran must agree on the small run's checksum
	ref=$(checksum "$tmp/tcg.$pl.$small.log")
	for eng in bt interp; do
		c=$(checksum "$tmp/$eng.$pl.$small.log")
		if [ -n "$c" ] && [ "$c" != "$ref" ]; then
			echo "bench-bt-mips: $pl: FAIL: checksum after $small rounds: $eng $c, TCG $ref"
			fail=1
		fi
	done
	bt=$(median 2>/dev/null <"$tmp/mips.$pl.bt")
	tcg=$(median 2>/dev/null <"$tmp/mips.$pl.tcg")
	interp=$(median 2>/dev/null <"$tmp/mips.$pl.interp")
	printf 'bench-bt-mips: %s: median of %d: bt %s MIPS, TCG %s MIPS, interp %s MIPS (%d run); ratio bt/TCG %s (target >= 2), bt/interp %s; checksum %s\n' \
		"$pl" "$RUNS" "${bt:-n/a}" "${tcg:-n/a}" "${interp:-n/a}" "$INTERP_RUNS" \
		"$(ratio "$bt" "$tcg")" "$(ratio "$bt" "$interp")" "${ref:-none}"
}

# ---- 3. host instructions per guest instruction -------------------------

# ir LOG.err: callgrind's "Collected : N"
ir() { sed -n 's/^==[0-9]*== Collected : *\([0-9]*\).*/\1/p' "$1" | tail -1; }

# bench_host PAYLOAD ROUNDS: callgrind runs of ROUNDS / 5 and ROUNDS rounds
bench_host() {
	local pl=$1 hbig=$2 hsmall=$(($2 / 5)) a b ipr
	if ! command -v valgrind >/dev/null; then
		echo "SKIP bench-bt-hostinsns: valgrind not installed"; return
	fi
	build "$pl" "$hsmall" && build "$pl" "$hbig" ||
		{ echo "SKIP bench-bt-hostinsns: $pl does not build"; return; }
	run bt "$pl" "$hsmall" valgrind --tool=callgrind --smc-check=all --callgrind-out-file=/dev/null
	check bt "$pl" "$hsmall" || return
	a=$(ir "$out.err")
	run bt "$pl" "$hbig" valgrind --tool=callgrind --smc-check=all --callgrind-out-file=/dev/null
	check bt "$pl" "$hbig" || return
	b=$(ir "$out.err")
	ipr=$((16#$(per_round "$out")))
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "bench-bt-hostinsns: $pl: FAIL: no instruction count from callgrind"; fail=1; return
	fi
	awk -v a="$a" -v b="$b" -v n=$((hbig - hsmall)) -v p="$ipr" -v pl="$pl" -v s="$hsmall" -v l="$hbig" \
		'BEGIN { g = n * p; printf "bench-bt-hostinsns: %s: bt ratio host/guest %.1f host insns per guest insn (callgrind --smc-check=all, %d-%d rounds: %.0f host insns for %d guest insns)\n", pl, (b - a) / g, s, l, b - a, g }'
}

[ "${SKIP_BOOT:-0}" = 1 ] || bench_boot
if [ "${SKIP_MIPS:-0}" != 1 ]; then
	bench_mips bench_mix "${MIX_ITERS_BT:-40000}" "${MIX_ITERS_TCG:-1000000}" "${MIX_ITERS_INTERP:-40000}"
	bench_mips bench "${BENCH_ITERS_BT:-1000000}" "${BENCH_ITERS_TCG:-2000000}" "${BENCH_ITERS_INTERP:-100000}"
fi
if [ "${SKIP_HOST:-0}" != 1 ]; then
	bench_host bench_mix "${HOST_MIX_ITERS:-1000}"
	bench_host bench "${HOST_BENCH_ITERS:-20000}"
fi
exit $fail
