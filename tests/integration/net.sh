#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# net.sh --- the e1000 NIC and its back ends with a real Linux guest.
#
# Boots build/guests/linux-i386.img under --engine bt (or interp on a host
# without BMI2; its /sbin/init
# loads e1000 from the PCI modalias) and drives its serial shell through
# a FIFO:
#  - net-pxe-boot: the first guest boots through the network: --boot net
#    loads Debian's iPXE ROM (pxe-e1000.rom) into the NIC's ROM BAR,
#    SeaBIOS runs it, iPXE gets a DHCP lease and the boot file name from
#    libslirp, fetches an iPXE script, the guest's own kernel and initrd
#    (copied out of the image with debugfs) over slirp's TFTP and boots
#    them to DUALVM-GUEST-READY (the root file system is the disk).  The
#    user-networking checks below run in that guest;
#  - net-user-dhcp: under --net user the guest's busybox udhcpc gets the
#    lease 10.0.2.15 from libslirp;
#  - net-user-download: the guest's wget fetches a 3 MiB random file from
#    a busybox httpd this script starts on 127.0.0.1, through the slirp
#    gateway 10.0.2.2; the sha256 printed in the guest must match;
#  - net-user-hostfwd: the guest's busybox httpd answers on port 8080 and
#    the host reaches it through hostfwd=tcp::PORT-:8080 on 127.0.0.1;
#  - net-tap-ping: in a network namespace this script creates (unshare
#    --net: a tap, a bridge and a veth pair, nothing outside it), a second
#    guest on --net tap,ifname=... pings the veth peer and is pinged back.
#    SKIP only when the host cannot create a network namespace or a tap
#    device (the reason is printed).
# Traffic stays on loopback or inside the namespace.  Boots have budgets
# (tests/lib/common.sh); running out of one is a FAIL showing the console.
# Env: BUILD SRC DUALVM GUESTS (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
SECS=$(budget 900)
# the guest's CPU is not what this tests: the binary translator where it
# runs (fast), else the interpreter
engine=bt
[ "$HOST_BT" = 1 ] || engine=interp
img=$GUESTS/linux-i386.img
BB=$(command -v busybox)
GPID=

# ---------------------------------------------------------------- helpers
# free_port: a TCP port nothing listens on (127.0.0.1).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}

# guest_start NAME NETARGS...: boot a private copy of the image with its
# console on $tmp/NAME.out, stdin the FIFO $tmp/NAME.in held open on fd 3.
guest_start() {
	local name=$1
	shift
	cp --sparse=always "$img" "$tmp/$name.img" || return 1
	mkfifo "$tmp/$name.in"
	# the budget is wait_serial's; dualvm's own timeout is a last resort
	"$DUALVM" run --engine "$engine" --memory 256 \
		--timeout $((SECS * 50)) --serial stdio "$@" \
		"$tmp/$name.img" <"$tmp/$name.in" >"$tmp/$name.out" \
		2>"$tmp/$name.err" &
	GPID=$!
	t_bg $GPID
	exec 3>"$tmp/$name.in"
	GOUT=$tmp/$name.out
}

# guest_cmd CMD PATTERN: type CMD, wait for PATTERN (an extended regex
# only the command's output can match) within the guest's budget.
guest_cmd() {
	printf '%s\n' "$1" >&3
	wait_serial "$GOUT" "$2" "$GPID" "$SECS"
}

# guest_stop: power off, give it a while, then kill; reap.
guest_stop() {
	local end=$((SECONDS + $(budget 120)))
	[ -n "${GPID:-}" ] || return 0
	printf '\npoweroff -f\n' >&3 2>/dev/null
	exec 3>&-
	while kill -0 "$GPID" 2>/dev/null && [ $SECONDS -lt $end ]; do
		sleep 1
	done
	kill "$GPID" 2>/dev/null
	sleep 1
	kill -9 "$GPID" 2>/dev/null
	wait "$GPID" 2>/dev/null
	GPID=
}

# http_get PORT PATH: the response to GET /PATH from 127.0.0.1:PORT through
# bash's /dev/tcp (no HTTP client needed), CRs removed; 1 if no connection.
http_get() {
	{ exec 5<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET /%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&5
	timeout 30 cat <&5 | tr -d '\r'
	exec 5<&- 5>&-
}

# ---------------------------------------------------------------- tap part
# Runs inside the namespace (re-executed through unshare --net).
tap_in_netns() {
	local name=net-tap-ping br=yes
	ip link set lo up
	if ! ip tuntap add dev dvtap0 mode tap 2>"$tmp/tuntap.err"; then
		t_skip $name "cannot create a tap device in a network namespace: $(head -1 "$tmp/tuntap.err")"
		return
	fi
	ip link add dvv0 type veth peer name dvv1 || {
		t_fail $name "cannot create a veth pair in the namespace"; return; }
	if ip link add dvbr0 type bridge 2>/dev/null; then
		ip link set dvtap0 master dvbr0 && ip link set dvv0 master dvbr0 &&
			ip link set dvbr0 up
	else
		br=no		# no bridge module: the tap carries the address
	fi
	ip link set dvtap0 up && ip link set dvv0 up && ip link set dvv1 up
	if [ $br = yes ]; then
		ip addr add 192.168.77.1/24 dev dvv1
	else
		ip addr add 192.168.77.1/24 dev dvtap0
	fi
	guest_start tap --net tap,ifname=dvtap0 --mac 52:54:00:00:77:02 || {
		t_fail $name "cannot start the guest"; return; }
	if ! wait_serial "$GOUT" DUALVM-GUEST-READY "$GPID" "$SECS"; then
		t_fail_log $name "no DUALVM-GUEST-READY within $SECS s (scale $DUALVM_TEST_SCALE): $(tail -1 "$tmp/tap.err")" "$GOUT"
		guest_stop
		return
	fi
	sleep 2
	if ! guest_cmd 'ip link set eth0 up && ip addr add 192.168.77.2/24 dev eth0; ping -c 3 -W 20 192.168.77.1 >/dev/null; echo NET-GPING-$?' \
		'NET-GPING-[0-9]+'; then
		t_fail_log $name "the guest's ping did not finish in the budget" "$GOUT"
		guest_stop
		return
	fi
	if ! grep -aq 'NET-GPING-0' "$GOUT"; then
		t_fail_log $name "guest -> 192.168.77.1 (veth peer): no reply" "$GOUT"
		guest_stop
		return
	fi
	if ! "$BB" ping -c 3 -W 30 192.168.77.2 >"$tmp/hping" 2>&1; then
		t_fail_log $name "veth peer -> guest 192.168.77.2: no reply ($(tail -1 "$tmp/hping"))" "$GOUT"
		guest_stop
		return
	fi
	guest_stop
	t_pass $name "both ways, $([ $br = yes ] && echo "tap + bridge + veth" || echo "tap only: no bridge support")"
}

if [ "${1:-}" = --in-netns ]; then
	tmp=$TMP
	tap_in_netns
	exit 0
fi

# ---------------------------------------------------------------- user part
tmp=$TMP
if [ ! -x "$DUALVM" ]; then
	t_fail net-user-dhcp "$DUALVM not built"; exit 1
fi
if [ ! -e "$img" ]; then
	t_fail net-user-dhcp "$img missing (make guests)"; exit 0
fi
if [ -z "$BB" ]; then
	t_fail net-user-dhcp "busybox missing (busybox-static is in DEB_PKGS)"; exit 0
fi

# The PXE payload: the guest's kernel and initrd and an iPXE script
# booting them with the root= of its EXTLINUX configuration.
pxe_prepare() {
	local start fs append kver
	start=$(sfdisk -d "$img" 2>/dev/null | sed -n 's/.*start= *\([0-9]*\),.*bootable.*/\1/p' | head -1)
	[ -n "$start" ] || return 1
	fs="$img?offset=$((start * 512))"
	mkdir -p "$tmp/tftp"
	debugfs -R "cat /boot/extlinux/extlinux.conf" "$fs" >"$tmp/extlinux.conf" 2>/dev/null
	append=$(sed -n 's/^ *APPEND //p' "$tmp/extlinux.conf" | head -1)
	kver=$(sed -n 's|^ *KERNEL /boot/vmlinuz-||p' "$tmp/extlinux.conf" | head -1)
	[ -n "$append" ] && [ -n "$kver" ] || return 1
	debugfs -R "dump /boot/vmlinuz-$kver $tmp/tftp/vmlinuz" "$fs" 2>/dev/null
	debugfs -R "dump /boot/initrd.img-$kver $tmp/tftp/initrd.img" "$fs" 2>/dev/null
	[ -s "$tmp/tftp/vmlinuz" ] && [ -s "$tmp/tftp/initrd.img" ] || return 1
	printf '#!ipxe\necho NET-PXE-SCRIPT-$%s\nkernel vmlinuz %s\ninitrd initrd.img\nboot\n' \
		'{platform}' "$append" >"$tmp/tftp/boot.ipxe"
}

mkdir -p "$tmp/www"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$tmp/www/blob"
want=$(sha256sum "$tmp/www/blob" | cut -d' ' -f1)
wport=$(free_port)
"$BB" httpd -f -p "127.0.0.1:$wport" -h "$tmp/www" &
t_bg $!
hport=$(free_port)
token=dualvm-net-$RANDOM$RANDOM

user_part() {
	if [ ! -f /usr/lib/ipxe/qemu/pxe-e1000.rom ]; then
		t_fail net-pxe-boot "/usr/lib/ipxe/qemu/pxe-e1000.rom missing (ipxe-qemu is in DEB_PKGS)"
		return
	fi
	if ! pxe_prepare; then
		t_fail net-pxe-boot "cannot copy the kernel and initrd out of $img (debugfs)"
		return
	fi
	guest_start user --boot net \
		--net "user,hostfwd=tcp::$hport-:8080,tftp=$tmp/tftp,bootfile=boot.ipxe" || {
		t_fail net-pxe-boot "cannot start the guest"; return; }
	if ! wait_serial "$GOUT" DUALVM-GUEST-READY "$GPID" "$SECS"; then
		t_fail_log net-pxe-boot "no DUALVM-GUEST-READY within $SECS s (scale $DUALVM_TEST_SCALE): $(grep -v unclaimed "$tmp/user.err" | tail -1)" "$GOUT"
		return
	fi
	if grep -aq 'NET-PXE-SCRIPT-pcbios' "$GOUT" && grep -aq 'initrd.img\.\.\..*ok' "$GOUT"; then
		t_pass net-pxe-boot "iPXE ROM, slirp DHCP + TFTP, kernel and initrd"
	else
		t_fail_log net-pxe-boot "the guest reached its shell without iPXE loading the script, kernel and initrd" "$GOUT"
		return
	fi
	sleep 2
	guest_cmd "echo '#!/bin/sh' >/tmp/dh; echo 'case \$1 in bound|renew) ifconfig \$interface \$ip netmask \$subnet up; route add default gw \$router;; esac' >>/tmp/dh; chmod +x /tmp/dh; ip link set lo up; ip link set eth0 up; echo NET-PREP-\$?" \
		'NET-PREP-[0-9]+' || { t_fail_log net-user-dhcp "the guest shell did not answer" "$GOUT"; return; }
	if ! guest_cmd 'udhcpc -i eth0 -n -q -f -t 10 -T 5 -s /tmp/dh; ip -4 addr show eth0 | grep -o "inet [0-9.]*" | sed "s/^/NET-ADDR-/"; echo NET-DHCP-$?' \
		'NET-DHCP-[0-9]+'; then
		t_fail_log net-user-dhcp "udhcpc did not finish in the budget" "$GOUT"
		return
	fi
	if grep -aq 'NET-ADDR-inet 10\.0\.2\.15' "$GOUT"; then
		t_pass net-user-dhcp "lease 10.0.2.15"
	else
		t_fail_log net-user-dhcp "no lease 10.0.2.15 on eth0" "$GOUT"
		return
	fi
	if ! guest_cmd "wget -q -O /tmp/f http://10.0.2.2:$wport/blob; echo NET-WGET-\$?; sha256sum /tmp/f | sed 's/^/NET-SUM-/'; echo NET-SUMDONE-\$?" \
		'NET-SUMDONE-[0-9]+'; then
		t_fail_log net-user-download "the download did not finish in the budget" "$GOUT"
	elif grep -aq "NET-SUM-$want" "$GOUT"; then
		t_pass net-user-download "3 MiB through 10.0.2.2, sha256 matches"
	else
		t_fail_log net-user-download "sha256 in the guest is not $want ($(grep -a 'NET-WGET-[0-9]' "$GOUT" | tail -1 | tr -d '\r'))" "$GOUT"
	fi
	if ! guest_cmd "mkdir -p /tmp/www; echo $token-\$((6 * 7)) >/tmp/www/index.html; httpd -p 8080 -h /tmp/www; echo NET-HTTPD-\$?" \
		'NET-HTTPD-[0-9]+'; then
		t_fail_log net-user-hostfwd "the guest's httpd did not start" "$GOUT"
		return
	fi
	local ok=0 end=$((SECONDS + $(budget 120)))
	while [ $SECONDS -lt $end ] && kill -0 "$GPID" 2>/dev/null; do
		if http_get "$hport" index.html >"$tmp/fwd" &&
			grep -q "^$token-42\$" "$tmp/fwd"; then
			ok=1
			break
		fi
		sleep 2
	done
	if [ $ok = 1 ]; then
		t_pass net-user-hostfwd "127.0.0.1:$hport -> guest :8080"
	else
		t_fail_log net-user-hostfwd "no answer from the guest's httpd through 127.0.0.1:$hport" "$GOUT"
	fi
}
user_part
guest_stop

# ---------------------------------------------------------------- tap
if ! unshare --net true 2>"$tmp/unshare.err"; then
	t_skip net-tap-ping "cannot create a network namespace: $(head -1 "$tmp/unshare.err")"
elif [ ! -c /dev/net/tun ]; then
	t_skip net-tap-ping "no /dev/net/tun on this host"
else
	unshare --net "$BASH" "$0" --in-netns
fi
exit 0
