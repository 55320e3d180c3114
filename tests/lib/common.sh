# SPDX-License-Identifier: GPL-2.0-only
# common.sh --- what every integration script shares.
#
# Source it first thing:   . "$SRC/tests/lib/common.sh"
#
#  - paths: BUILD, SRC, GUESTS, DUALVM (from tests/run-tests.sh);
#  - the host's capabilities, probed once per `make check` by
#    build/tests/hostcaps (tests/unit/hostcaps.c, shared with the C tests):
#    HOST_KVM (the KVM API answers and runs a tiny guest), HOST_KVM_API (the
#    API answers; a nested KVM may still fail on some instructions: such a
#    case SKIPs naming the instruction), their _WHY, HOST_NATIVE32, HOST_NATIVE32_WHY,
#    HOST_CPU_VENDOR, HOST_CPU_FAMILY, HOST_CPU_MODEL; HOST_BT, HOST_BT_WHY
#    (the binary translator can run: a BMI2 host CPU).  A SKIP is only ever
#    for a missing host capability or tool, never for slowness;
#  - time budgets: `budget N` scales N seconds (what a step needs on the
#    reference machine, with a wide margin) by DUALVM_TEST_SCALE >= 1, the
#    slowness of this machine measured once at the start of `make check`
#    (tests/lib/calibrate.sh).  A guest's budget is counted in the CPU time
#    its emulator has used (wait_serial, dualvm_boot), so a machine that
#    gets busier after the calibration only makes the wait longer, never a
#    FAIL; past T_WALL times the budget of wall-clock time, a guest that has
#    stopped using the CPU is taken as hung (guard_step).  Running out of a budget is a FAIL that
#    shows the end of the guest's serial output (t_fail_log);
#  - a private temporary folder $TMP under TMPDIR (run-tests.sh points
#    TMPDIR into build/, so nothing is left in /tmp or /var/tmp), removed on
#    exit together with any background process registered with t_bg.
set -u
BUILD=${BUILD:?BUILD must be set (tests/run-tests.sh sets it)}
SRC=${SRC:?SRC must be set (tests/run-tests.sh sets it)}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
T_NAME=$(basename "$0" .sh)

# ---------------------------------------------------------------- results
t_pass() { echo "PASS $1${2:+ ($2)}"; }
t_fail() { echo "FAIL $1: $2"; }
t_skip() { echo "SKIP $1: $2"; }

# serial_tail LOG [N]: the last N (default 20) non-empty lines of a console
# log, control characters removed.
serial_tail() {
	[ -f "$1" ] || { echo "(no output file)"; return; }
	tr -d '\r\0' <"$1" | tr -c '[:print:]\n\t' ' ' | grep -v '^ *$' |
		tail -n "${2:-20}"
}

# t_fail_log NAME WHY LOG: a FAIL line, then the end of LOG indented (the
# runner counts only the FAIL line).
t_fail_log() {
	echo "FAIL $1: $2"
	echo "    last lines of $(basename "$3"):"
	serial_tail "$3" 20 | sed 's/^/    | /'
}

# ---------------------------------------------------------------- capabilities
caps_load() {
	local env=$BUILD/test-logs/hostcaps.env
	if [ -f "$env" ]; then
		. "$env"
	elif [ -x "$BUILD/tests/hostcaps" ]; then
		eval "$("$BUILD/tests/hostcaps")"
	else
		echo "FAIL $T_NAME: $BUILD/tests/hostcaps not built (make check builds it)"
		exit 1
	fi
	# the environment overrides apply even to a cached probe
	if [ "${DUALVM_TEST_NO_KVM:-0}" = 1 ]; then
		HOST_KVM=0 HOST_KVM_WHY="DUALVM_TEST_NO_KVM=1"
		HOST_KVM_API=0 HOST_KVM_API_WHY="DUALVM_TEST_NO_KVM=1"
	fi
	if [ "${DUALVM_TEST_NO_NATIVE32:-0}" = 1 ]; then
		HOST_NATIVE32=0 HOST_NATIVE32_WHY="DUALVM_TEST_NO_NATIVE32=1"
	fi
}
caps_load

# the binary translator (--engine bt) runs only on a host CPU with BMI2
# (vmm/bt: SHRX/SHLX in every TLB probe); its tests SKIP elsewhere
# (DUALVM_TEST_NO_BT=1 takes the negative path on any machine)
if [ "${DUALVM_TEST_NO_BT:-0}" = 1 ]; then
	HOST_BT=0 HOST_BT_WHY="DUALVM_TEST_NO_BT=1"
elif grep -qw bmi2 /proc/cpuinfo 2>/dev/null; then
	HOST_BT=1 HOST_BT_WHY=
else
	HOST_BT=0 HOST_BT_WHY="the host CPU has no BMI2 (the binary translator needs it)"
fi

# ---------------------------------------------------------------- budgets
DUALVM_TEST_SCALE=${DUALVM_TEST_SCALE:-}
if [ -z "$DUALVM_TEST_SCALE" ] && [ -f "$BUILD/test-logs/calibration.env" ]; then
	. "$BUILD/test-logs/calibration.env"
fi
DUALVM_TEST_SCALE=${DUALVM_TEST_SCALE:-1}

# budget N: N seconds scaled for this machine (an integer, at least N).
budget() {
	awk -v n="$1" -v s="$DUALVM_TEST_SCALE" \
		'BEGIN { if (s < 1) s = 1; v = n * s; printf "%d\n", (v == int(v)) ? v : int(v) + 1 }'
}

# ---------------------------------------------------------------- temp + cleanup
T_BG_PIDS=()
t_cleanup() {
	local p
	for p in "${T_BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${T_BG_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dualvm-$T_NAME.XXXXXX") || {
	echo "FAIL $T_NAME: cannot create a temporary folder"; exit 1; }
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# t_bg PID: kill and reap PID when the script exits.
t_bg() { T_BG_PIDS+=("$1"); }

# ---------------------------------------------------------------- guests
# proc_cpu PID: whole CPU seconds (user + system) used so far by PID and
# its children (a `timeout` wrapper's emulator, a subshell's QEMU).
proc_cpu() {
	local t s=0
	for t in $(ps -o times= -p "$1" 2>/dev/null) \
		 $(ps -o times= --ppid "$1" 2>/dev/null); do
		s=$((s + t))
	done
	echo "$s"
}

# Past T_WALL times its budget of wall-clock time, a guest that has
# used less than one CPU second per minute is taken as hung (asleep with
# nothing to wake it); a guest still computing, however slowly on a busy
# machine, goes on until its CPU budget is spent.
T_WALL=${T_WALL:-4}

# guard_init PID SECONDS, then guard_step every 0.5 s: 0 go on, 2 PID has
# used SECONDS of CPU time since guard_init (a wait for a later marker of
# a guest that has already run for a while gets its whole budget), 3 PID
# is past the wall-clock cap and idle.
guard_init() {
	G_PID=$1 G_SECS=$2 G_END=$((SECONDS + $2 * T_WALL)) G_N=0
	G_CPU0=$(proc_cpu "$1")
	G_WIN_T=$SECONDS G_WIN_CPU=$G_CPU0 G_IDLE=0
}
guard_step() {
	local cpu
	[ $((++G_N % 4)) = 0 ] || return 0
	cpu=$(proc_cpu "$G_PID")
	[ $((cpu - G_CPU0)) -ge "$G_SECS" ] && return 2
	if [ $((SECONDS - G_WIN_T)) -ge 60 ]; then
		G_IDLE=$(( cpu - G_WIN_CPU < 1 ))
		G_WIN_T=$SECONDS G_WIN_CPU=$cpu
	fi
	[ $SECONDS -ge $G_END ] && [ "$G_IDLE" = 1 ] && return 3
	return 0
}

# wait_serial LOG PATTERN PID SECONDS: 0 once the extended regex PATTERN
# is in LOG, 1 when PID exited without it, 2 when PID's budget ran out
# without it (guard_step).
wait_serial() {
	local log=$1 pat=$2 pid=$3
	guard_init "$pid" "$4"
	while :; do
		grep -aqE -- "$pat" "$log" 2>/dev/null && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			grep -aqE -- "$pat" "$log" 2>/dev/null && return 0
			return 1
		fi
		guard_step || return 2
		sleep 0.5
	done
}

# cpu_guard PID SECONDS: wait for PID to exit (0), or for its budget to
# run out: 2 CPU time spent, 3 idle past the wall-clock cap (guard_step).
cpu_guard() {
	local g
	guard_init "$1" "$2"
	while kill -0 "$1" 2>/dev/null; do
		guard_step || { g=$?; return $g; }
		sleep 0.5
	done
	return 0
}

# dualvm_boot LOG SECONDS MARKER [dualvm run options...] DISK...: run the
# guest with its serial port in LOG until MARKER appears (dualvm exits 0)
# or the guest stops; returns dualvm's exit code, its stdout+stderr in
# LOG.out.  SECONDS (already scaled) is the guest's budget (cpu_guard):
# when it runs out, dualvm is stopped and the result is 124, as for
# dualvm's own --timeout (set far beyond, as a last resort).  A dualvm
# that does not stop on SIGTERM is killed (137).
dualvm_boot() {
	local log=$1 secs=$2 marker=$3 pid g n
	shift 3
	: >"$log"
	"$DUALVM" run --serial "$log" --timeout $((secs * 50)) \
		--until-serial "$marker" "$@" </dev/null >"$log.out" 2>&1 &
	pid=$!
	t_bg "$pid"
	cpu_guard "$pid" "$secs"
	g=$?
	[ $g = 0 ] && { wait "$pid"; return; }
	kill "$pid" 2>/dev/null
	for ((n = 0; n < 100; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		n=137
	else
		n=124
	fi
	wait "$pid" 2>/dev/null
	# after dualvm's own last line (it does not append)
	if [ $g = 2 ]; then
		echo "dualvm: test: no $marker after $secs s of CPU time" >>"$log.out"
	else
		echo "dualvm: test: no $marker, and the guest idle after $((secs * T_WALL)) s" >>"$log.out"
	fi
	return $n
}

# boot_why RC LOG: one line saying why a dualvm_boot did not reach its marker.
boot_why() {
	local rc=$1 log=$2 last
	last=$(grep -v 'unclaimed' "$log.out" 2>/dev/null | tail -n 1 | cut -c1-200)
	case $rc in
	124) echo "timeout: no marker within the budget (scale $DUALVM_TEST_SCALE); ${last}" ;;
	137) echo "killed by the guard after the budget; ${last}" ;;
	*) echo "dualvm exited $rc: ${last}" ;;
	esac
}
