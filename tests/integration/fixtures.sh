#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# fixtures.sh --- check the test disks that `make guests` builds
# (tests/guests/build-guests.sh) before any other test relies on them.
#
# Boots each bootable disk as-is under QEMU TCG (two at a time, -snapshot
# so the fixtures stay unchanged) and waits for its marker:
#   linux-i386.img (-cpu pentium3), linux-amd64.img  -> DUALVM-GUEST-READY,
#       then runs a command over the serial console and `poweroff -f`
#   dualboot-{i386,amd64,gpt-amd64}.img             -> HOST-OS-BOOTED
#   copies of dualboot-i386.img and dualboot-gpt-amd64.img with the LINUX
#       partition made the boot partition (MBR active flag / GPT
#       LegacyBIOSBootable)                           -> DUALVM-GUEST-READY
#   debian-amd64.img (GRUB in the MBR)              -> DUALVM-GUEST-READY,
#       then logs in as root on ttyS0, checks `systemctl is-system-running`
#       says running, and runs `poweroff -f`
#   dualboot-debian-amd64.img -> HOST-OS-BOOTED; a copy with partition 2
#       active (syslinux mbr.bin -> GRUB in Debian's boot sector)
#                                   -> "Loading initial ramdisk" (that
#       GRUB read its partition's grub.cfg and loaded the kernel; the
#       system behind it is debian-amd64's, booted to the end above, and
#       interp-dualboot-debian.sh boots this partition to
#       DUALVM-GUEST-READY with dualvm)
#   with Debian's OVMF (a copy of OVMF_VARS_4M.fd per boot, 512 MiB):
#   dualboot-uefi-amd64.img (\EFI\BOOT\BOOTX64.EFI) -> HOST-OS-BOOTED;
#       a copy whose fallback loader is \EFI\debian\grubx64.efi
#                                                   -> DUALVM-GUEST-READY
#   debian-uefi-amd64.img                           -> DUALVM-GUEST-READY,
#       then the root login as above
# and checks the partitions with blkid -p, the Windows registry hives with
# ntfscat + hivexget, the hibernated NTFS volume, the ESPs' loaders
# (mtools), and manifest.json.  Each boot's time is on stderr.
# Prints one PASS/FAIL line per case.  Each boot has a budget
# (tests/lib/common.sh); running out of it is a FAIL with the console's end.
# Env: BUILD SRC GUESTS (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
TIMEOUT=$(budget 240)
LOOPS=()
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
export MTOOLS_SKIP_CHECK=1

cleanup() {
	local p l
	for p in "$TMP"/*.qpid; do
		[ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
	t_cleanup
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
skip() { echo "FAIL $1: $2"; }	# only tools make deps installs are missing

# ---------------------------------------------------------------- boots
# last_lines LOG: the end of a console log, for a failure reason.
last_lines() {
	tr -d '\r' <"$1" | tr -c '[:print:]\n' ' ' | grep -v '^ *$' | tail -n 2 |
		paste -sd'|' | cut -c1-160
}

# esp_start IMG: the first sector of IMG's EFI system partition.
esp_start() {
	sfdisk -d "$1" 2>/dev/null | grep -i 'type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B' |
		sed -n '1s/.*start= *\([0-9]*\).*/\1/p'
}

# boot_from_copy IMG N COPY: COPY is IMG with partition N as the only one
# the BIOS boot code picks (MBR active flag or GPT LegacyBIOSBootable).
# N=efi:DIR: COPY's fallback loader \EFI\BOOT\BOOTX64.EFI is replaced
# by \EFI\DIR\grubx64.efi (what firmware would boot from a boot entry).
boot_from_copy() {
	local i n s
	cp --sparse=always "$1" "$3" || return 1
	if [[ $2 == efi:* ]]; then
		s=$(esp_start "$3")
		[ -n "$s" ] || return 1
		mcopy -n -i "$3@@$((s * 512))" "::/EFI/${2#efi:}/grubx64.efi" "$3.efi" &&
			mcopy -o -i "$3@@$((s * 512))" "$3.efi" ::/EFI/BOOT/BOOTX64.EFI
		i=$?
		rm -f "$3.efi"
		return $i
	elif sfdisk -d "$3" 2>/dev/null | grep -q '^label: gpt'; then
		n=$(parts "$3" | wc -l)
		for ((i = 1; i <= n; i++)); do
			sfdisk -q --part-attrs "$3" "$i" "" || return 1
		done
		sfdisk -q --part-attrs "$3" "$2" LegacyBIOSBootable
	else
		sfdisk -q --activate "$3" "$2"
	fi
}

# shell_fail NAME LOG RES WHY: a FAIL line with the console's last lines.
shell_fail() { t_fail_log "shell-$1" "$4" "$2" >>"$3"; }

# shell_login NAME LOG PID RES: log in as root on the serial console (no
# password, keys typed on fd 7) and check that systemd finished booting
# without failed units; 0 if so, else 1 with a FAIL line in RES.
shell_login() {
	local name=$1 log=$2 pid=$3 res=$4 out
	if ! wait_serial "$log" ' login: ' "$pid" "$(budget 60)"; then
		shell_fail "$name" "$log" "$res" "no login prompt on the serial console"
		return 1
	fi
	printf 'root\n' >&7
	if ! wait_serial "$log" 'root@[-a-z0-9]*:~# ' "$pid" "$(budget 60)"; then
		shell_fail "$name" "$log" "$res" "root did not get a shell"
		return 1
	fi
	# $((6*7)) is echoed as typed; only a shell prints 42
	printf '%s\n' 'echo dualvm-shell-$((6*7)) nproc=$(nproc) state=$(systemctl is-system-running --wait) failed=$(systemctl --failed --no-legend --plain | cut -d" " -f1 | paste -sd, -) end' >&7
	if ! wait_serial "$log" 'dualvm-shell-42 nproc=.* end' "$pid" "$(budget 60)"; then
		shell_fail "$name" "$log" "$res" "the console shell does not run commands"
		return 1
	fi
	out=$(tr -d '\r' <"$log" | grep -ao 'dualvm-shell-42 nproc=.* end' | tail -n 1)
	echo "shell-$name: ${out#dualvm-shell-42 }" >&2
	if [[ $out != *" state=running "* ]]; then
		echo "FAIL shell-$name: systemd did not come up cleanly: ${out#dualvm-shell-42 }" >>"$res"
		return 1
	fi
}

# power_off NAME PID RES: `poweroff -f` on the console (fd 7); PASS
# shell-NAME in RES once QEMU (PID) has exited, else a FAIL line.
power_off() {
	local i
	printf 'poweroff -f\n' >&7
	for ((i = 0; i < $(budget 30) * 10; i++)); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$2" 2>/dev/null; then
		echo "FAIL shell-$1: qemu still running $(budget 30)s after poweroff -f" >>"$3"
	else
		echo "PASS shell-$1" >>"$3"
	fi
}

# boot_one NAME QEMU IMG MARKER SHELL [uefi] [QEMU ARGS...]: boot IMG, wait
# for MARKER; with SHELL=1 also run a command on the serial console's
# busybox shell, with SHELL=login log in first (shell_login), then power
# off.  IMG may be FILE@N: boot a copy of FILE from partition N (see
# boot_from_copy).  uefi: boot with OVMF.  Writes result lines to
# $TMP/NAME.res.
boot_one() {
	local name=$1 q=$2 img=$3 marker=$4 shell=$5 log=$TMP/$1.log
	local fifo=$TMP/$1.in res=$TMP/$1.res pid t0 rc mem=256 fw=()
	shift 5
	if [ "${1:-}" = uefi ]; then
		shift
		# GRUB EFI runs out of memory loading Linux with 256 MiB
		mem=512
		cp "$OVMF_VARS" "$TMP/$name.vars" || {
			echo "FAIL boot-$name: cannot copy $OVMF_VARS" >"$res"; return; }
		fw=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$TMP/$name.vars" -net none)
	fi
	if [[ $img == *@* ]]; then
		if ! boot_from_copy "${img%@*}" "${img##*@}" "$TMP/$name.img"; then
			echo "FAIL boot-$name: cannot make a copy booting ${img##*@}" >"$res"
			return
		fi
		img=$TMP/$name.img
	fi
	mkfifo "$fifo"
	t0=$(date +%s.%N)
	"$q" -accel tcg -m "$mem" -nographic -no-reboot -snapshot "${fw[@]}" "$@" \
		-drive "file=$img,format=raw,if=ide" <"$fifo" >"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$TMP/$name.qpid"
	exec 7>"$fifo"
	wait_serial "$log" "$marker" "$pid" "$TIMEOUT"
	rc=$?
	if [ $rc = 0 ]; then
		echo "PASS boot-$name" >"$res"
		awk -v n="$name" -v m="$marker" -v a="$t0" -v b="$(date +%s.%N)" \
			'BEGIN { printf "boot-%s: %s after %.1fs\n", n, m, b - a }' >&2
	elif [ $rc = 1 ]; then
		echo "FAIL boot-$name: qemu exited without $marker: $(last_lines "$log")" >"$res"
	else
		t_fail_log "boot-$name" "no $marker within the budget of ${TIMEOUT}s (scale $DUALVM_TEST_SCALE)" "$log" >"$res"
	fi
	if [ "$shell" = login ]; then
		if [ $rc != 0 ]; then
			echo "FAIL shell-$name: the guest did not boot" >>"$res"
		elif shell_login "$name" "$log" "$pid" "$res"; then
			power_off "$name" "$pid" "$res"
		fi
	elif [ "$shell" = 1 ]; then
		if [ $rc != 0 ]; then
			echo "FAIL shell-$name: the guest did not boot" >>"$res"
		elif ! wait_serial "$log" ':/# ' "$pid" "$(budget 60)"; then
			echo "FAIL shell-$name: no shell prompt on the serial console" >>"$res"
		else
			# $((6*7)) is echoed as typed; only a shell prints 42
			printf 'echo dualvm-shell-$((6*7))\n' >&7
			if ! wait_serial "$log" 'dualvm-shell-42' "$pid" "$(budget 30)"; then
				echo "FAIL shell-$name: console shell does not run commands" >>"$res"
			else
				power_off "$name" "$pid" "$res"
			fi
		fi
	fi
	exec 7>&-
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$TMP/$name.qpid" "$TMP/$name.img" "$TMP/$name.vars"
}

run_boots() {
	local jobs=() spec name q img marker shell extra n=0
	# name qemu image marker shell extra-qemu-args; the longest first
	local specs=(
		"debian-amd64 qemu-system-x86_64 debian-amd64.img DUALVM-GUEST-READY login"
		"debian-uefi-amd64 qemu-system-x86_64 debian-uefi-amd64.img DUALVM-GUEST-READY login uefi"
		"dualboot-debian-amd64-p2 qemu-system-x86_64 dualboot-debian-amd64.img@2 Loading.initial.ramdisk 0"
		"dualboot-uefi-amd64 qemu-system-x86_64 dualboot-uefi-amd64.img HOST-OS-BOOTED 0 uefi"
		"dualboot-uefi-amd64-linux qemu-system-x86_64 dualboot-uefi-amd64.img@efi:debian DUALVM-GUEST-READY 0 uefi"
		"dualboot-debian-amd64 qemu-system-x86_64 dualboot-debian-amd64.img HOST-OS-BOOTED 0"
		"linux-i386 qemu-system-i386 linux-i386.img DUALVM-GUEST-READY 1 -cpu pentium3"
		"linux-amd64 qemu-system-x86_64 linux-amd64.img DUALVM-GUEST-READY 1"
		"dualboot-i386 qemu-system-i386 dualboot-i386.img HOST-OS-BOOTED 0"
		"dualboot-amd64 qemu-system-x86_64 dualboot-amd64.img HOST-OS-BOOTED 0"
		"dualboot-gpt-amd64 qemu-system-x86_64 dualboot-gpt-amd64.img HOST-OS-BOOTED 0"
		"dualboot-i386-p2 qemu-system-i386 dualboot-i386.img@2 DUALVM-GUEST-READY 0"
		"dualboot-gpt-amd64-p2 qemu-system-x86_64 dualboot-gpt-amd64.img@2 DUALVM-GUEST-READY 0"
	)
	for spec in "${specs[@]}"; do
		read -r name q img marker shell extra <<<"$spec"
		if ! command -v "$q" >/dev/null; then
			fail "boot-$name" "$q not installed (make deps)"
			[ "$shell" != 0 ] && fail "shell-$name" "$q not installed (make deps)"
			continue
		fi
		if [ ! -f "$GUESTS/${img%@*}" ]; then
			fail "boot-$name" "$GUESTS/${img%@*} missing (make guests)"
			[ "$shell" != 0 ] && fail "shell-$name" "no disk image"
			continue
		fi
		if [[ $extra == uefi* ]] && { [ ! -f "$OVMF_CODE" ] || [ ! -f "$OVMF_VARS" ]; }; then
			fail "boot-$name" "$OVMF_CODE or $OVMF_VARS missing (make deps: ovmf)"
			[ "$shell" != 0 ] && fail "shell-$name" "no UEFI firmware"
			continue
		fi
		# shellcheck disable=SC2086
		boot_one "$name" "$q" "$GUESTS/$img" "$marker" "$shell" $extra &
		jobs+=("$name")
		n=$((n + 1))
		# two at a time (the machines have 2 cores): wait for a free slot
		if [ "$n" -ge 2 ]; then
			wait -n
			n=$((n - 1))
		fi
	done
	wait
	for name in "${jobs[@]}"; do
		if [ -f "$TMP/$name.res" ]; then
			cat "$TMP/$name.res"
		else
			fail "boot-$name" "the boot job died"
		fi
	done
}

# ---------------------------------------------------------------- partitions
# parts IMG: "start size" of each partition, in sectors.
parts() {
	sfdisk -d "$1" 2>/dev/null |
		sed -n 's/.*start= *\([0-9]*\), *size= *\([0-9]*\).*/\1 \2/p'
}

# blk IMG START SIZE TAG: a blkid -p tag of the partition at START.
blk() {
	blkid -p -O $(($2 * 512)) -S $(($3 * 512)) -s "$4" -o value "$1" 2>/dev/null
}

check_blkid() {
	local img name start size want got=() spec
	local dual="ext4/HOST ext4/LINUX ntfs/WINDOWS"
	for spec in "dualboot-amd64:$dual" "dualboot-i386:$dual" \
		"dualboot-gpt-amd64:$dual" "dualboot-debian-amd64:$dual" \
		"dualboot-uefi-amd64:vfat/ESP $dual" "debian-amd64:ext4/LINUX" \
		"debian-uefi-amd64:vfat/ESP ext4/LINUX"; do
		name=${spec%%:*} want=${spec#*:}
		img=$GUESTS/$name.img
		if [ ! -f "$img" ]; then
			fail "blkid-$name" "$img missing"
			continue
		fi
		got=()
		while read -r start size; do
			got+=("$(blk "$img" "$start" "$size" TYPE)/$(blk "$img" "$start" "$size" LABEL)")
		done < <(parts "$img")
		if [ "${got[*]}" = "$want" ]; then
			pass "blkid-$name"
		else
			fail "blkid-$name" "partitions (type/label) are '${got[*]:-none}', want '$want'"
		fi
	done
}

# check_esp NAME PATH...: the ESP of NAME holds each PATH (read with
# mtools, no mount), and each starts like a PE image ("MZ"; the Windows
# boot manager is a placeholder that does too).
check_esp() {
	local name=$1 img=$GUESTS/$1.img s p m
	shift
	if ! command -v mcopy >/dev/null; then
		fail "esp-$name" "mtools not installed (make deps)"
		return
	fi
	s=$(esp_start "$img")
	if [ -z "$s" ]; then
		fail "esp-$name" "no EFI system partition in $img"
		return
	fi
	for p; do
		m=$(mcopy -n -i "$img@@$((s * 512))" "::$p" - 2>/dev/null | head -c 2)
		if [ "$m" != MZ ]; then
			fail "esp-$name" "$p missing or not a PE image (starts with '$m')"
			return
		fi
	done
	pass "esp-$name"
}

# part_file IMG N: a readable path for partition N of IMG: a read-only loop
# device if possible, else a sparse copy.
part_file() {
	local start size l
	read -r start size < <(parts "$1" | sed -n "${2}p")
	[ -n "${size:-}" ] || return 1
	if l=$(losetup -r -f --show -o $((start * 512)) --sizelimit $((size * 512)) \
		"$1" 2>/dev/null); then
		LOOPS+=("$l")
		echo "$l"
	else
		dd if="$1" of="$TMP/part$2" bs=512 skip="$start" count="$size" \
			conv=sparse status=none || return 1
		echo "$TMP/part$2"
	fi
}

check_hives() {
	local img=$GUESTS/dualboot-amd64.img dev v cdd h
	if ! command -v ntfscat >/dev/null || ! command -v hivexget >/dev/null; then
		skip hive-software "ntfscat/hivexget not installed (make deps)"
		skip hive-system "ntfscat/hivexget not installed (make deps)"
		return
	fi
	# part_file runs here, not in $(...), so LOOPS keeps the loop device
	if ! part_file "$img" 3 >"$TMP/dev"; then
		fail hive-software "no partition 3 in $img"
		fail hive-system "no partition 3 in $img"
		check_standalone_hives
		return
	fi
	dev=$(cat "$TMP/dev")
	ntfscat "$dev" /Windows/System32/config/SOFTWARE >"$TMP/SOFTWARE" 2>/dev/null
	v=$(hivexget "$TMP/SOFTWARE" 'Microsoft\Windows NT\CurrentVersion' ProductName 2>&1)
	if [ "$v" = "Microsoft Windows XP" ]; then
		pass hive-software
	else
		fail hive-software "ProductName is '$v'"
	fi

	ntfscat "$dev" /Windows/System32/config/SYSTEM >"$TMP/SYSTEM" 2>/dev/null
	v=$(hivexget "$TMP/SYSTEM" Select Current 2>&1),$(hivexget "$TMP/SYSTEM" \
		'ControlSet001\Services\atapi' Start 2>&1)
	cdd=$(printf '%s\n' 'cd ControlSet001\Control\CriticalDeviceDatabase' ls |
		hivexsh "$TMP/SYSTEM" 2>&1)
	if [ "$v" != "1,0" ]; then
		fail hive-system "Select\\Current,atapi\\Start are '$v', want 1,0"
	elif echo "$cdd" | grep -qi 'dev_7010\|ide_channel'; then
		fail hive-system "CriticalDeviceDatabase already has IDE entries"
	elif ! echo "$cdd" | grep -q 'pnp0a03'; then
		fail hive-system "no CriticalDeviceDatabase: $cdd"
	else
		pass hive-system
	fi

	check_standalone_hives
}

# the hives build-guests.sh also writes as plain files
check_standalone_hives() {
	local h v
	for h in system-xp software-xp system-7 system-10; do
		if ! hivexml "$GUESTS/hives/$h.hive" >/dev/null 2>&1; then
			fail hives-standalone "$h.hive does not parse"
			return
		fi
	done
	v=$(hivexget "$GUESTS/hives/system-10.hive" \
		'ControlSet001\Services\storahci\StartOverride' 0 2>&1),$(hivexget \
		"$GUESTS/hives/system-7.hive" 'ControlSet001\Services\msahci' Start 2>&1)
	if [ "$v" = "3,3" ]; then
		pass hives-standalone
	else
		fail hives-standalone "storahci\\StartOverride\\0,msahci\\Start are '$v'"
	fi
}

check_hibernated() {
	local img=$GUESTS/windows-hibernated.img dev magic size
	if ! command -v ntfscat >/dev/null; then
		skip hibernated "ntfscat not installed (make deps)"
		return
	fi
	part_file "$img" 1 >"$TMP/dev" || { fail hibernated "no partition in $img"; return; }
	dev=$(cat "$TMP/dev")
	magic=$(ntfscat "$dev" /hiberfil.sys 2>/dev/null | head -c 4)
	size=$(ntfscat "$dev" /hiberfil.sys 2>/dev/null | wc -c)
	if [ "$magic" = hibr ] && [ "$size" -ge 4096 ]; then
		pass hibernated
	else
		fail hibernated "hiberfil.sys starts with '$magic', $size bytes"
	fi
}

# manifest.json must parse and agree with what blkid sees on each image.
check_manifest() {
	local out
	if ! command -v python3 >/dev/null; then
		skip manifest "python3 not installed"
		return
	fi
	out=$(python3 - "$GUESTS" <<-'EOF' 2>&1
	import json, os, subprocess, sys
	g = sys.argv[1]
	m = json.load(open(os.path.join(g, "manifest.json")))
	want = {"dualboot-i386.img", "dualboot-amd64.img", "dualboot-gpt-amd64.img",
	        "linux-i386.img", "linux-amd64.img", "windows-hibernated.img",
	        "debian-amd64.img", "dualboot-debian-amd64.img",
	        "debian-uefi-amd64.img", "dualboot-uefi-amd64.img"}
	missing = want - set(m["images"])
	if missing:
	    sys.exit("not in manifest: %s" % sorted(missing))
	for name, im in m["images"].items():
	    path = os.path.join(g, name)
	    if os.path.getsize(path) != im["size"]:
	        sys.exit("%s: size differs" % name)
	    for p in im["partitions"]:
	        r = subprocess.run(["blkid", "-p", "-O", str(p["start"] * 512),
	                            "-S", str(p["size"] * 512), "-o", "export", path],
	                           capture_output=True, text=True)
	        tags = dict(l.split("=", 1) for l in r.stdout.split() if "=" in l)
	        for k, t in (("fs", "TYPE"), ("label", "LABEL"), ("uuid", "UUID")):
	            if tags.get(t, "") != p[k]:
	                sys.exit("%s p%d: %s is %r, manifest says %r"
	                         % (name, p["number"], t, tags.get(t), p[k]))
	for h in m["hives"].values():
	    if not os.path.isfile(os.path.join(g, h)):
	        sys.exit("missing " + h)
	EOF
	)
	if [ $? = 0 ]; then
		pass manifest
	else
		fail manifest "$(echo "$out" | tail -n 1)"
	fi
}

if [ ! -d "$GUESTS" ]; then
	fail fixtures "$GUESTS does not exist (make guests)"
	exit 1
fi
check_manifest
check_blkid
check_hives
check_hibernated
check_esp dualboot-uefi-amd64 /EFI/BOOT/BOOTX64.EFI /EFI/host/grubx64.efi \
	/EFI/debian/grubx64.efi /EFI/Microsoft/Boot/bootmgfw.efi
check_esp debian-uefi-amd64 /EFI/BOOT/BOOTX64.EFI /EFI/debian/grubx64.efi
run_boots
exit 0
