#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# calibrate.sh OUT.env --- how slow is this machine right now, for dualvm?
#
# Runs tests/boot/sys/bench.S (a CPU-bound payload with paging on and a
# fixed instruction count: CALIB_ITERS rounds of 2308 instructions) under
# `dualvm run --engine interp`, the engine every guest-boot test uses, and
# writes
#   DUALVM_TEST_SCALE=<wall time / reference time, at least 1>
#   DUALVM_TEST_CALIB_MS=<wall time in ms>
# to OUT.env.  tests/lib/common.sh `budget N` multiplies the nominal
# budgets by the scale, so a slower or busier machine gets proportionally
# more time and no test has to guess.  The reference time is what the
# payload takes on the development machine when it is idle; a faster
# machine keeps scale 1 (budgets never shrink).
#
# Exit 0 with the env file written; nonzero with one line on stderr when
# the payload cannot be built or run (then the suite reports a FAIL and
# uses scale 1).
set -u
out=${1:?usage: calibrate.sh OUT.env}
BUILD=${BUILD:?} SRC=${SRC:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
ITERS=${CALIB_ITERS:-40000}
REF_MS=${CALIB_REF_MS:-2000}	# ITERS=40000 on the idle development machine

dir=$BUILD/tests/calibrate
mkdir -p "$dir"
if ! SYS_ASFLAGS="--defsym ITERS=$ITERS" "$SRC/tests/boot/sys/build.sh" \
	"$dir" bench >"$dir/build.log" 2>&1; then
	echo "calibrate: the bench payload does not build: $(grep -m1 -i error "$dir/build.log")" >&2
	exit 1
fi
s=$(date +%s%N)
# The guard only stops a dualvm that hangs: it is no capability decision
# (the payload needs ~2 s on the reference machine).
timeout -s KILL 1800 "$DUALVM" run --engine interp --memory 32 \
	--bios "$dir/bench.bin" --serial "$dir/serial.log" \
	--until-serial SYSPROBE-DONE --timeout 1700 </dev/null >"$dir/run.log" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc != 0 ] || ! grep -aq 'bench checksum=' "$dir/serial.log"; then
	echo "calibrate: dualvm run --engine interp on the bench payload exited $rc: $(tail -n 1 "$dir/run.log")" >&2
	exit 1
fi
scale=$(awk -v m="$ms" -v r="$REF_MS" 'BEGIN { s = m / r; if (s < 1) s = 1; printf "%.2f", s }')
printf 'DUALVM_TEST_SCALE=%s\nDUALVM_TEST_CALIB_MS=%s\n' "$scale" "$ms" >"$out"
echo "calibration: $((ITERS * 2308)) guest instructions in $ms ms (reference $REF_MS ms): budgets x$scale"
