#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build-guests.sh --- build the raw test disks every dualvm test boots.
#
# Usage: tests/guests/build-guests.sh OUTDIR     (run as root: loop devices,
#        mount and FUSE are needed for extlinux and for filling NTFS)
#
# Everything comes from Debian packages: the kernels (linux-image-686 for
# i386, linux-image-amd64, resolved through the meta packages) and
# busybox-static of each architecture are fetched with `apt-get download`
# (i386 through a private apt state, so dpkg's architectures are never
# touched) into ${DUALVM_CACHE:-/var/cache/dualvm}/debs and unpacked with
# dpkg-deb; nothing is installed on the host.  The Debian disks come from
# one debootstrap run, cached in ${DUALVM_CACHE}/debian (debian.sh).  Host
# tools used: sfdisk, mkfs.ext4, debugfs, extlinux + syslinux's mbr.bin/
# gptmbr.bin, mkntfs/ntfs-3g/ntfslabel, depmod, cpio, gzip, debootstrap,
# grub-mkstandalone (grub-efi-amd64-bin), mkfs.fat, mtools and mkhive
# (tests/guests/mkhive.c).
#
# Outputs in OUTDIR (all raw, sparse):
#   dualboot-i386.img, dualboot-amd64.img   512 MiB MBR: HOST (ext4, active,
#       boots to HOST-OS-BOOTED), LINUX (ext4, Debian-like root, boots to
#       DUALVM-GUEST-READY), WINDOWS (NTFS, Windows XP-like tree + hives)
#   dualboot-gpt-amd64.img   the same on GPT (gptmbr.bin, HOST has the
#       LegacyBIOSBootable attribute)
#   linux-i386.img, linux-amd64.img   256 MiB MBR, the LINUX partition alone
#   windows-hibernated.img   128 MiB MBR, one NTFS partition whose
#       hiberfil.sys starts with "hibr"
#   debian-amd64.img   1280 MiB MBR, a real Debian 12 (debootstrap: systemd,
#       Debian's kernel and initramfs), GRUB in the MBR; root logs in on
#       ttyS0 without a password; prints DUALVM-GUEST-READY (debian.sh)
#   dualboot-debian-amd64.img   1536 MiB MBR: HOST (active, mbr.bin +
#       extlinux), that Debian with GRUB in its partition boot sector,
#       WINDOWS; making partition 2 active boots Debian
#   debian-uefi-amd64.img   1408 MiB GPT: ESP (Debian's GRUB EFI as
#       \EFI\debian\grubx64.efi and \EFI\BOOT\BOOTX64.EFI), Debian root
#   dualboot-uefi-amd64.img   640 MiB GPT: ESP, HOST, LINUX, WINDOWS; GRUB
#       EFI loaders \EFI\host, \EFI\debian, fallback = HOST (uefi.sh)
#   hives/{system-xp,software-xp,system-7,system-10}.hive
#   manifest.json   what was built (partitions, filesystems, UUIDs, kernels)
#
# Reproducible layout: disk ids, partition and filesystem UUIDs, FAT
# volume ids, NTFS serials and machine ids are derived from the image
# names (the Debian trees' file contents are whatever debootstrap made).
# Idempotent: every output is built under a temporary name and renamed;
# when the inputs and the outputs are unchanged since the last run nothing
# is rebuilt (FORCE=1 rebuilds; the cached Debian tree is rebuilt when its
# key changes, see debian.sh).
# Env: DUALVM_CACHE, MKHIVE (path of a built mkhive), FORCE=1, REFRESH=1
# (re-resolve and re-download packages even if some are cached),
# DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
umask 022
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH

OUT=${1:?usage: $0 OUTDIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${DUALVM_CACHE:-/var/cache/dualvm}
DEBS=$CACHE/debs
SYSLINUX_MBR=/usr/lib/syslinux/mbr
KMAP=(i386:686 amd64:amd64)		# arch:kernel flavour
# Modules the LINUX initramfs loads (storage + root fs; crc32c_generic is
# ext4/jbd2's softdep), and the extra ones installed on the root fs.
INITRD_MODS="ata_piix ata_generic ahci nvme sd_mod crc32c_generic ext4"
ROOTFS_MODS="$INITRD_MODS e1000 e1000e pcnet32 8139too 8139cp ne2k_pci
	virtio_pci virtio_blk virtio_net sr_mod"
# cryptomgr.notests: the kernel's crypto self-tests are CPU-bound kernel
# work (about half of an interpreter boot of these small guests) that
# proves nothing about the machine; the Debian installations (debian.sh)
# keep their distribution's defaults, self-tests included.
APPEND_COMMON="console=tty0 console=ttyS0,115200 panic=-1 cryptomgr.notests"

log() { echo "build-guests: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (loop devices, mount, FUSE)"
for t in apt-get apt-cache dpkg-deb sfdisk mkfs.ext4 e2fsck extlinux mkntfs \
	ntfs-3g ntfslabel ntfsls depmod cpio gzip losetup mountpoint blkid md5sum \
	debugfs dumpe2fs chroot debootstrap grub-mkstandalone mkfs.fat mcopy; do
	command -v "$t" >/dev/null ||
		die "missing tool $t (make deps: fdisk e2fsprogs extlinux ntfs-3g kmod cpio debootstrap grub-efi-amd64-bin mtools dosfstools)"
done
[ -d /usr/lib/grub/x86_64-efi ] ||
	die "missing GRUB's x86_64-efi modules (apt-get install grub-efi-amd64-bin)"
[ -f $SYSLINUX_MBR/mbr.bin ] && [ -f $SYSLINUX_MBR/gptmbr.bin ] ||
	die "missing syslinux mbr.bin/gptmbr.bin (apt-get install syslinux-common)"

mkdir -p "$OUT" "$DEBS"
OUT=$(cd "$OUT" && pwd)
exec 9>"$OUT/.lock"
flock 9
WORK=$OUT/.work
rm -rf "$WORK"
mkdir -p "$WORK"

# ---------------------------------------------------------------- cleanup
LOOPS=() MNTS=() FUSEPIDS=()
cleanup() {
	local m l p
	set +e
	for m in "${MNTS[@]}"; do
		mountpoint -q "$m" && umount "$m" 2>/dev/null
	done
	for p in "${FUSEPIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for l in "${LOOPS[@]}"; do
		losetup -d "$l" 2>/dev/null
	done
	rm -rf "$WORK"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers
# uuid_for NAME: a stable random-looking (version 4) UUID for NAME.
uuid_for() {
	local h
	h=$(printf 'dualvm-guest:%s' "$1" | md5sum)
	printf '%s-%s-4%s-%x%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" \
		$((0x${h:16:1} & 3 | 8)) "${h:17:3}" "${h:20:12}"
}
# hex_for NAME DIGITS: stable hex string
hex_for() {
	local h
	h=$(printf 'dualvm-guest:%s' "$1" | md5sum)
	echo "${h:0:$2}" | tr a-f A-F
}

# ---------------------------------------------------------------- packages
# apt_opts ARCH: extra apt options; i386 uses a private apt state.
apt_opts() {
	if [ "$1" = i386 ]; then
		local w=$CACHE/apt-i386
		echo "-o Dir::State::Lists=$w/lists -o Dir::Cache=$w/cache" \
			"-o Dir::State::status=$w/status -o APT::Architecture=i386" \
			"-o APT::Architectures::=i386"
	fi
}

# fetch ARCH PKG: print the cached .deb of PKG (candidate version),
# downloading it if needed; falls back to the newest cached one offline.
fetch() {
	local arch=$1 pkg=$2 ver deb
	# shellcheck disable=SC2046
	ver=$(apt-cache $(apt_opts "$arch") show --no-all-versions "$pkg" 2>/dev/null |
		awk '/^Version:/ { print $2; exit }')
	if [ -z "$ver" ] && [ "$arch" != i386 ] && [ -z "${APT_UPDATED:-}" ]; then
		log "no apt candidate for $pkg: running apt-get update"
		APT_UPDATED=1
		apt-get update -qq >/dev/null 2>&1 || true
		ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
			awk '/^Version:/ { print $2; exit }')
	fi
	if [ -n "$ver" ]; then
		deb=$DEBS/${pkg}_${ver/:/%3a}_$arch.deb
		if [ ! -s "$deb" ]; then
			log "downloading $pkg $ver ($arch)"
			# shellcheck disable=SC2046
			(cd "$DEBS" && apt-get $(apt_opts "$arch") \
				-o APT::Sandbox::User=root download -qq "$pkg:$arch") >&2 ||
				log "warning: download of $pkg failed"
		fi
		[ -s "$deb" ] && { echo "$deb"; return 0; }
	fi
	deb=$(ls -t "$DEBS/${pkg}"_*_"$arch".deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "cannot resolve or download $pkg ($arch)"
	log "warning: using cached $(basename "$deb")"
	echo "$deb"
}

# kernel_pkg ARCH FLAVOUR: the linux-image-X.Y.Z-N-FLAVOUR behind the meta
# package linux-image-FLAVOUR.
kernel_pkg() {
	local p
	# shellcheck disable=SC2046
	p=$(apt-cache $(apt_opts "$1") depends "linux-image-$2" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$p" ]; then
		p=$(ls -t "$DEBS"/linux-image-[0-9]*-"$2"_*_"$1".deb 2>/dev/null |
			head -n 1)
		p=$(basename "$p")
		p=${p%%_*}
	fi
	[ -n "$p" ] || die "cannot resolve linux-image-$2 ($1)"
	echo "${p%%:*}"
}

# i386 apt lists are fetched once (the security index may fail: ignored).
prepare_i386_apt() {
	local w=$CACHE/apt-i386
	mkdir -p "$w/lists/partial" "$w/cache/archives/partial"
	[ -f "$w/status" ] || : >"$w/status"
	if [ "${REFRESH:-0}" = 1 ] || ! ls "$w/lists/"*_Packages* >/dev/null 2>&1; then
		log "updating private i386 apt lists"
		# shellcheck disable=SC2046
		apt-get $(apt_opts i386) -o APT::Sandbox::User=root update -qq \
			>/dev/null 2>&1 || true
	fi
}

# unpack DEB: unpack once into the cache; print the directory.
unpack() {
	local d
	d=$CACHE/x/$(basename "$1" .deb)
	if [ ! -f "$d/.done" ]; then
		log "unpacking $(basename "$1")"
		rm -rf "$d"
		mkdir -p "$d"
		dpkg-deb --fsys-tarfile "$1" | tar -x -C "$d" ||
			die "cannot unpack $1"
		if [ -d "$d/lib/modules" ]; then
			depmod -b "$d" "$(ls "$d/lib/modules")"
		fi
		touch "$d/.done"
	fi
	echo "$d"
}

# ---------------------------------------------------------------- modules
# mod_closure MODDIR NAMES...: module paths (relative to MODDIR) of NAMES
# and everything they depend on, dependencies first.
mod_closure() {
	local dir=$1
	shift
	awk -v want="$*" '
	function norm(s) { sub(/.*\//, "", s); sub(/\.ko(\.[a-z]+)?$/, "", s)
		gsub(/-/, "_", s); return s }
	function visit(m,   n, i, d) {
		if (m in seen) return
		seen[m] = 1
		n = split(deps[m], d, " ")
		for (i = 1; i <= n; i++) visit(d[i])
		print m
	}
	FILENAME ~ /modules\.builtin$/ { builtin[norm($1)] = 1; next }
	{ m = $1; sub(/:$/, "", m); $1 = ""; deps[m] = $0; path[norm(m)] = m }
	END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			k = w[i]; gsub(/-/, "_", k)
			if (k in builtin) continue
			if (!(k in path)) { print "missing module " k > "/dev/stderr"; bad = 1; continue }
			visit(path[k])
		}
		exit bad
	}' "$dir/modules.builtin" "$dir/modules.dep"
}

# copy_mods SRCROOT DSTROOT KVER NAMES...: install NAMES + deps, run depmod;
# prints the module paths in load order.
copy_mods() {
	local src=$1 dst=$2 kver=$3 m list
	shift 3
	list=$(mod_closure "$src/lib/modules/$kver" "$@") || die "module closure failed"
	mkdir -p "$dst/lib/modules/$kver"
	for m in $list; do
		install -D -m 0644 "$src/lib/modules/$kver/$m" "$dst/lib/modules/$kver/$m"
	done
	cp "$src/lib/modules/$kver"/modules.{builtin,builtin.modinfo,order} \
		"$dst/lib/modules/$kver/"
	depmod -b "$dst" "$kver"
	echo "$list"
}

# ---------------------------------------------------------------- payloads
# cpio_gz DIR FILE: newc cpio of DIR, gzip'ed, reproducible.
cpio_gz() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	(cd "$1" && find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip -9 -n) >"$2"
}

# bb_links ROOT: busybox applet symlinks under ROOT (from the host-arch
# busybox's list; both arches come from the same source version).
bb_links() {
	local a
	for a in $BB_APPLETS; do
		case $a in sbin/init | linuxrc | bin/busybox) continue ;; esac
		mkdir -p "$1/$(dirname "$a")"
		[ -e "$1/$a" ] || ln -s /bin/busybox "$1/$a"
	done
}

# build_payload ARCH: kernel, initramfs images and LINUX root stage for ARCH.
# Sets KVER_<arch>, KDEB_<arch>, BBDEB_<arch>.
build_payload() {
	local arch=$1 flav=$2 kpkg kdeb bbdeb kx bx kver r list
	kpkg=$(kernel_pkg "$arch" "$flav")
	kdeb=$(fetch "$arch" "$kpkg")
	bbdeb=$(fetch "$arch" busybox-static)
	kx=$(unpack "$kdeb")
	bx=$(unpack "$bbdeb")
	kver=$(ls "$kx/lib/modules")
	[ -f "$kx/boot/vmlinuz-$kver" ] || die "no vmlinuz in $kdeb"
	# ELF e_machine: 3 = i386, 62 = x86-64
	[ "$(od -An -tu2 -j18 -N2 "$bx/bin/busybox" | tr -d ' ')" = \
		"$([ "$arch" = i386 ] && echo 3 || echo 62)" ] ||
		die "busybox in $bbdeb is not $arch"
	printf -v "KVER_$arch" %s "$kver"
	printf -v "KDEB_$arch" %s "$(basename "$kdeb")"
	printf -v "BBDEB_$arch" %s "$(basename "$bbdeb")"
	P=$WORK/$arch
	mkdir -p "$P"
	cp "$kx/boot/vmlinuz-$kver" "$P/vmlinuz"

	# HOST initramfs: say HOST-OS-BOOTED, power off
	r=$P/host-initrd
	mkdir -p "$r"/{bin,sbin,dev,proc,sys}
	install -m 0755 "$bx/bin/busybox" "$r/bin/busybox"
	bb_links "$r"
	install -m 0755 "$HERE/files/host-initramfs-init" "$r/init"
	cpio_gz "$r" "$P/host-initrd.img"

	# LINUX initramfs: storage/fs modules, /conf/modules, find root by UUID
	r=$P/linux-initrd
	mkdir -p "$r"/{bin,sbin,dev,proc,sys,root,run,tmp,conf}
	install -m 0755 "$bx/bin/busybox" "$r/bin/busybox"
	bb_links "$r"
	install -m 0755 "$HERE/files/linux-initramfs-init" "$r/init"
	# shellcheck disable=SC2086
	list=$(copy_mods "$kx" "$r" "$kver" $INITRD_MODS)
	{
		echo "# modules /init loads with insmod, in this order (one path a line)"
		for m in $list; do echo "/lib/modules/$kver/$m"; done
	} >"$r/conf/modules"
	echo "$list" >"$P/initrd-modules"
	cpio_gz "$r" "$P/linux-initrd.img"

	# LINUX root file system (per-image files are added by stage_linux)
	r=$P/linux-root
	mkdir -p "$r"/{bin,sbin,etc,usr/bin,usr/sbin,usr/lib,dev,proc,sys,run,tmp} \
		"$r"/{root,home,mnt,media,opt,srv,var/log,var/tmp,boot/extlinux}
	chmod 1777 "$r/tmp" "$r/var/tmp"
	chmod 0700 "$r/root"
	install -m 0755 "$bx/bin/busybox" "$r/bin/busybox"
	bb_links "$r"
	install -m 0755 "$HERE/files/linux-sbin-init" "$r/sbin/init"
	install -m 0644 "$HERE/files/os-release" "$r/usr/lib/os-release"
	ln -s ../usr/lib/os-release "$r/etc/os-release"
	install -m 0644 "$HERE/files/inittab" "$r/etc/inittab"
	install -m 0644 "$HERE/files/profile" "$r/etc/profile"
	echo 12.11 >"$r/etc/debian_version"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\n' >"$r/etc/group"
	printf 'root::19000:0:99999:7:::\n' >"$r/etc/shadow"
	chmod 0640 "$r/etc/shadow"
	printf '127.0.0.1\tlocalhost\n' >"$r/etc/hosts"
	# shellcheck disable=SC2086
	copy_mods "$kx" "$r" "$kver" $ROOTFS_MODS >/dev/null
	cp "$kx/boot/vmlinuz-$kver" "$kx/boot/config-$kver" \
		"$kx/boot/System.map-$kver" "$r/boot/"
	cp "$P/linux-initrd.img" "$r/boot/initrd.img-$kver"
	ln -s "boot/vmlinuz-$kver" "$r/vmlinuz"
	ln -s "boot/initrd.img-$kver" "$r/initrd.img"
}

# ---------------------------------------------------------------- disks
# extlinux_cfg KVER INITRD APPEND: an extlinux configuration.
extlinux_cfg() {
	cat <<-EOF
	# extlinux configuration (written by dualvm's build-guests.sh)
	SERIAL 0 115200
	DEFAULT debian
	PROMPT 0
	TIMEOUT 0
	LABEL debian
	  MENU LABEL Debian GNU/Linux 12 (bookworm), Linux $1
	  KERNEL /boot/vmlinuz-$1
	  INITRD /boot/$2
	  APPEND $3
	EOF
}

# mkext4 IMG START SECTORS LABEL UUID STAGE BOOTDIR: ext4 from STAGE at
# sector START of IMG, then extlinux installed into BOOTDIR of it.
mkext4() {
	local img=$1 start=$2 sectors=$3 label=$4 uuid=$5 stage=$6 bootdir=$7
	local loop mnt=$WORK/mnt
	find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	mkfs.ext4 -q -F -b 4096 -I 256 -L "$label" -U "$uuid" \
		-O ^64bit,^metadata_csum,^orphan_file \
		-E "offset=$((start * 512)),hash_seed=$(uuid_for "$label-hash"),root_owner=0:0" \
		-d "$stage" "$img" "$((sectors / 2))k" ||
		die "mkfs.ext4 $label failed"
	loop=$(losetup -f --show -o $((start * 512)) --sizelimit $((sectors * 512)) "$img")
	LOOPS+=("$loop")
	mkdir -p "$mnt"
	MNTS+=("$mnt")
	mount -t ext4 "$loop" "$mnt"
	extlinux --install "$mnt$bootdir" >/dev/null 2>&1 ||
		die "extlinux --install failed on $label"
	umount "$mnt"
	e2fsck -fn "$loop" >/dev/null 2>&1 || die "e2fsck found errors on $label"
	losetup -d "$loop"
}

# stage_host ARCH UUID: HOST partition contents in $WORK/host-stage.
stage_host() {
	local s=$WORK/host-stage kver
	kver=$(eval echo "\$KVER_$1")
	rm -rf "$s"
	mkdir -p "$s/boot/syslinux" "$s/etc"
	cp "$WORK/$1/vmlinuz" "$s/boot/vmlinuz-$kver"
	cp "$WORK/$1/host-initrd.img" "$s/boot/initrd.img-$kver"
	extlinux_cfg "$kver" "initrd.img-$kver" "$APPEND_COMMON quiet" \
		>"$s/boot/syslinux/syslinux.cfg"
	echo "dualvm-host" >"$s/etc/hostname"
	printf 'UUID=%s\t/\text4\terrors=remount-ro\t0\t1\n' "$2" >"$s/etc/fstab"
	install -m 0644 "$HERE/files/os-release" "$s/etc/os-release"
}

# stage_linux ARCH UUID HOSTNAME: fill in the per-image files of the LINUX
# root stage (fstab, extlinux.conf, hostname).
stage_linux() {
	local r=$WORK/$1/linux-root kver
	kver=$(eval echo "\$KVER_$1")
	extlinux_cfg "$kver" "initrd.img-$kver" "root=UUID=$2 ro $APPEND_COMMON" \
		>"$r/boot/extlinux/extlinux.conf"
	{
		echo "# /etc/fstab: static file system information."
		printf 'UUID=%s\t/\text4\terrors=remount-ro\t0\t1\n' "$2"
	} >"$r/etc/fstab"
	echo "$3" >"$r/etc/hostname"
	rm -f "$r/var/log/dualvm-boots"
}

# placeholder NAME: a non-empty stand-in for a Windows binary (MZ header).
placeholder() {
	printf 'MZ\220\0\3\0\0\0\4\0\0\0\377\377\0\0dualvm test placeholder for %s\r\n' "$1"
}

# stage_windows DIR BOOTPART MOUNTED_DEVICES_SPEC: a Windows XP-like tree.
stage_windows() {
	local d=$1 w=$1/Windows
	mkdir -p "$w/System32/config" "$w/System32/drivers" "$w/inf" \
		"$d/Documents and Settings/Administrator" "$d/Program Files/Common Files"
	cat "$HERE/hives/system-xp.txt" "$3" >"$WORK/system-img.txt"
	"$MKHIVE" -n 'SYSTEM' "$w/System32/config/SYSTEM" '$$$PROTO.HIV' \
		"$WORK/system-img.txt" || die "mkhive SYSTEM failed"
	cp "$OUT/hives/software-xp.hive.new" "$w/System32/config/SOFTWARE"
	for f in atapi intelide pciide pciidex disk pci acpi; do
		placeholder "$f.sys" >"$w/System32/drivers/$f.sys"
	done
	for f in ntoskrnl.exe hal.dll; do placeholder "$f" >"$w/System32/$f"; done
	placeholder ntldr >"$d/ntldr"
	placeholder NTDETECT.COM >"$d/NTDETECT.COM"
	printf '%s\r\n' '[boot loader]' 'timeout=30' \
		"default=multi(0)disk(0)rdisk(0)partition($2)\\WINDOWS" \
		'[operating systems]' \
		"multi(0)disk(0)rdisk(0)partition($2)\\WINDOWS=\"Microsoft Windows XP Professional\" /noexecute=optin /fastdetect" \
		>"$d/boot.ini"
	printf 'dualvm test fixture\r\n' >"$d/AUTOEXEC.BAT"
	: >"$d/CONFIG.SYS"
}

# mkntfs_part IMG START SECTORS LABEL SERIAL STAGE: NTFS built in a separate
# file (geometry and hidden sectors for START), filled from STAGE through a
# private ntfs-3g (FUSE) mount, then copied into IMG at START.
mkntfs_part() {
	local img=$1 start=$2 sectors=$3 f=$WORK/ntfs.img mnt=$WORK/ntfsmnt pid
	rm -f "$f"
	truncate -s $((sectors * 512)) "$f"
	mkntfs -q -F -f -L "$4" -s 512 -c 4096 -p "$start" -H 255 -S 63 \
		"$f" "$sectors" >/dev/null 2>&1 || die "mkntfs $4 failed"
	ntfslabel -q --new-serial="$5" "$f" >/dev/null || die "ntfslabel failed"
	mkdir -p "$mnt"
	MNTS+=("$mnt")
	ntfs-3g -o no_detach,windows_names "$f" "$mnt" >/dev/null 2>&1 &
	pid=$!
	FUSEPIDS+=("$pid")
	for _ in $(seq 100); do
		mountpoint -q "$mnt" && break
		kill -0 "$pid" 2>/dev/null || die "ntfs-3g mount failed"
		sleep 0.05
	done
	mountpoint -q "$mnt" || die "ntfs-3g mount timed out"
	cp -r "$6/." "$mnt/"
	umount "$mnt"
	wait "$pid" || die "ntfs-3g exited with an error"
	ntfsls "$f" >/dev/null || die "NTFS $4 unreadable after filling"
	dd if="$f" of="$img" bs=1M oflag=seek_bytes seek=$((start * 512)) \
		conv=notrunc,sparse status=none
	rm -f "$f"
}

# mounted_devices_mbr SIG START: XP's \DosDevices\C: for an MBR partition.
mounted_devices_mbr() {
	local b i v=$(( $2 * 512 ))
	b=$(printf '%02x,%02x,%02x,%02x' $((0x$1 & 255)) $((0x$1 >> 8 & 255)) \
		$((0x$1 >> 16 & 255)) $((0x$1 >> 24 & 255)))
	for i in 0 1 2 3 4 5 6 7; do b=$b,$(printf %02x $(( v >> (8 * i) & 255 ))); done
	printf '[MountedDevices]\n"\\\\DosDevices\\\\C:"=hex:%s\n' "$b"
}

# mounted_devices_gpt PARTUUID: \DosDevices\C: for a GPT partition.
mounted_devices_gpt() {
	local g=${1//-/} b i
	b=$(printf '%s' "DMIO:ID:" | od -An -tx1 | tr -s ' \n' ',,' | sed 's/^,//;s/,$//')
	# GUID bytes: first three fields little-endian, the rest as written
	for i in 6 4 2 0 10 8 14 12 16 18 20 22 24 26 28 30; do b=$b,${g:$i:2}; done
	printf '[MountedDevices]\n"\\\\DosDevices\\\\C:"=hex:%s\n' "$b"
}

# part_json IMG N START SIZE ROLE TYPE extra...: one manifest partition.
part_json() {
	local img=$1 n=$2 start=$3 size=$4 role=$5 ptype=$6 fs label uuid
	shift 6
	eval "$(blkid -p -O $((start * 512)) -S $((size * 512)) -o export "$img" |
		sed -n 's/^\(TYPE\|LABEL\|UUID\)=/BLK_\1=/p')"
	fs=${BLK_TYPE:-} label=${BLK_LABEL:-} uuid=${BLK_UUID:-}
	unset BLK_TYPE BLK_LABEL BLK_UUID
	printf '        {"number": %d, "start": %d, "size": %d, "role": "%s", "type": "%s", "fs": "%s", "label": "%s", "uuid": "%s"%s}' \
		"$n" "$start" "$size" "$role" "$ptype" "$fs" "$label" "$uuid" "$*"
}

# linux_json KVER [FULL]: manifest fields of a partition holding a kernel;
# FULL adds those of the LINUX root file system.
linux_json() {
	printf ', "kernel_image": "/boot/vmlinuz-%s", "initrd": "/boot/initrd.img-%s"' "$1" "$1"
	[ -n "${2:-}" ] && printf ', "modules": "/lib/modules/%s", "initrd_module_list": "/conf/modules", "boot_log": "/var/log/dualvm-boots"' "$1"
	return 0
}

# new_disk IMG MIB: a sparse zero disk image.
new_disk() {
	rm -f "$1"
	truncate -s "$2M" "$1"
}

# build_dualboot NAME ARCH LABEL(dos|gpt): the three-partition disk.
build_dualboot() {
	local name=$1 arch=$2 pt=$3 img=$WORK/$1.img
	local hs=2048 hn=131072 ls=133120 ln=524288 ws=657408 wn
	local huuid luuid serial sig guid kver gx=("" "" "")
	kver=$(eval echo "\$KVER_$arch")
	huuid=$(uuid_for "$name-host") luuid=$(uuid_for "$name-linux")
	serial=$(hex_for "$name-windows" 16)
	new_disk "$img" 512
	if [ "$pt" = dos ]; then
		sig=$(hex_for "$name-disk" 8)
		wn=$((1048576 - ws))
		sfdisk -q "$img" <<-EOF
		label: dos
		label-id: 0x$sig
		unit: sectors
		start=$hs, size=$hn, type=83, bootable
		start=$ls, size=$ln, type=83
		start=$ws, size=$wn, type=7
		EOF
		dd if=$SYSLINUX_MBR/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
		mounted_devices_mbr "$sig" "$ws" >"$WORK/md.txt"
		DISKID=0x$(echo "$sig" | tr A-F a-f)
		PTYPES=(83 83 07)
	else
		guid=$(uuid_for "$name-disk")
		wn=$((1048576 - 34 - ws))
		sfdisk -q "$img" <<-EOF
		label: gpt
		label-id: $guid
		unit: sectors
		first-lba: 2048
		start=$hs, size=$hn, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$(uuid_for "$name-p1"), name="HOST", attrs="LegacyBIOSBootable"
		start=$ls, size=$ln, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$(uuid_for "$name-p2"), name="LINUX"
		start=$ws, size=$wn, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=$(uuid_for "$name-p3"), name="WINDOWS"
		EOF
		dd if=$SYSLINUX_MBR/gptmbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
		mounted_devices_gpt "$(uuid_for "$name-p3")" >"$WORK/md.txt"
		DISKID=$guid
		PTYPES=(0FC63DAF-8483-4772-8E79-3D69D8477DE4
			0FC63DAF-8483-4772-8E79-3D69D8477DE4
			EBD0A0A2-B9E5-4433-87C0-68B6B72699C7)
		gx[0]=", \"partuuid\": \"$(uuid_for "$name-p1")\", \"name\": \"HOST\", \"attrs\": \"LegacyBIOSBootable\""
		gx[1]=", \"partuuid\": \"$(uuid_for "$name-p2")\", \"name\": \"LINUX\""
		gx[2]=", \"partuuid\": \"$(uuid_for "$name-p3")\", \"name\": \"WINDOWS\""
	fi
	stage_host "$arch" "$huuid"
	mkext4 "$img" $hs $hn HOST "$huuid" "$WORK/host-stage" /boot/syslinux
	stage_linux "$arch" "$luuid" "dualboot-linux"
	mkext4 "$img" $ls $ln LINUX "$luuid" "$WORK/$arch/linux-root" /boot/extlinux
	rm -rf "$WORK/win-stage"
	stage_windows "$WORK/win-stage" 3 "$WORK/md.txt"
	mkntfs_part "$img" $ws "$wn" WINDOWS "$serial" "$WORK/win-stage"

	{
		printf '    "%s.img": {\n      "arch": "%s", "kernel": "%s", "size": %d, "label": "%s", "disk_id": "%s", "boot_code": "%s",\n      "partitions": [\n' \
			"$name" "$arch" "$kver" $((512 << 20)) "$pt" "$DISKID" \
			"$([ "$pt" = dos ] && echo mbr.bin || echo gptmbr.bin)"
		part_json "$img" 1 $hs $hn host "${PTYPES[0]}" ', "bootable": true' "${gx[0]}" \
			', "boots_to": "HOST-OS-BOOTED", "bootloader": "extlinux", "config": "/boot/syslinux/syslinux.cfg"' \
			"$(linux_json "$kver")"
		printf ',\n'
		part_json "$img" 2 $ls $ln linux "${PTYPES[1]}" ', "bootable": false' "${gx[1]}" \
			', "boots_to": "DUALVM-GUEST-READY", "bootloader": "extlinux", "config": "/boot/extlinux/extlinux.conf", "os": "Debian GNU/Linux 12 (bookworm)"' \
			"$(linux_json "$kver" 1)"
		printf ',\n'
		part_json "$img" 3 $ws "$wn" windows "${PTYPES[2]}" ', "bootable": false' "${gx[2]}" \
			', "os": "Microsoft Windows XP", "windows_version": "5.1", "system_root": "/Windows", "hives": {"SYSTEM": "/Windows/System32/config/SYSTEM", "SOFTWARE": "/Windows/System32/config/SOFTWARE"}'
		printf '\n      ]\n    }'
	} >"$WORK/$name.json"
	mv -f "$img" "$OUT/$name.img"
}

# build_linux NAME ARCH: the single-partition converted-server disk.
build_linux() {
	local name=$1 arch=$2 img=$WORK/$1.img s=2048 n=$((256 * 2048 - 2048))
	local uuid sig kver
	kver=$(eval echo "\$KVER_$arch")
	uuid=$(uuid_for "$name-linux") sig=$(hex_for "$name-disk" 8)
	new_disk "$img" 256
	sfdisk -q "$img" <<-EOF
	label: dos
	label-id: 0x$sig
	unit: sectors
	start=$s, size=$n, type=83, bootable
	EOF
	dd if=$SYSLINUX_MBR/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
	stage_linux "$arch" "$uuid" "$name"
	mkext4 "$img" $s $n LINUX "$uuid" "$WORK/$arch/linux-root" /boot/extlinux
	{
		printf '    "%s.img": {\n      "arch": "%s", "kernel": "%s", "size": %d, "label": "dos", "disk_id": "0x%s", "boot_code": "mbr.bin",\n      "partitions": [\n' \
			"$name" "$arch" "$kver" $((256 << 20)) "$(echo "$sig" | tr A-F a-f)"
		part_json "$img" 1 $s $n linux 83 ', "bootable": true' \
			', "boots_to": "DUALVM-GUEST-READY", "bootloader": "extlinux", "config": "/boot/extlinux/extlinux.conf", "os": "Debian GNU/Linux 12 (bookworm)"' \
			"$(linux_json "$kver" 1)"
		printf '\n      ]\n    }'
	} >"$WORK/$name.json"
	mv -f "$img" "$OUT/$name.img"
}

# build_hibernated: one NTFS partition with a hibernated Windows XP on it.
build_hibernated() {
	local name=windows-hibernated img=$WORK/windows-hibernated.img
	local s=2048 n=$((128 * 2048 - 2048)) sig d=$WORK/hib-stage
	sig=$(hex_for "$name-disk" 8)
	new_disk "$img" 128
	sfdisk -q "$img" <<-EOF
	label: dos
	label-id: 0x$sig
	unit: sectors
	start=$s, size=$n, type=7, bootable
	EOF
	dd if=$SYSLINUX_MBR/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
	mounted_devices_mbr "$sig" $s >"$WORK/md.txt"
	rm -rf "$d"
	stage_windows "$d" 1 "$WORK/md.txt"
	# XP's hiberfil.sys: "hibr" while a hibernation image is pending
	{ printf 'hibr'; head -c $((64 * 1024 - 4)) /dev/zero; } >"$d/hiberfil.sys"
	mkntfs_part "$img" $s $n WINXP "$(hex_for "$name-ntfs" 16)" "$d"
	{
		printf '    "%s.img": {\n      "arch": "i386", "kernel": null, "size": %d, "label": "dos", "disk_id": "0x%s", "boot_code": "mbr.bin",\n      "partitions": [\n' \
			"$name" $((128 << 20)) "$(echo "$sig" | tr A-F a-f)"
		part_json "$img" 1 $s $n windows 07 ', "bootable": true' \
			', "os": "Microsoft Windows XP", "windows_version": "5.1", "hibernated": true, "hiberfil": "/hiberfil.sys", "system_root": "/Windows", "hives": {"SYSTEM": "/Windows/System32/config/SYSTEM", "SOFTWARE": "/Windows/System32/config/SOFTWARE"}'
		printf '\n      ]\n    }'
	} >"$WORK/$name.json"
	mv -f "$img" "$OUT/$name.img"
}

# shellcheck source=tests/guests/uefi.sh
. "$HERE/uefi.sh"
# shellcheck source=tests/guests/debian.sh
. "$HERE/debian.sh"

# ---------------------------------------------------------------- main
IMAGES="dualboot-i386 dualboot-amd64 dualboot-gpt-amd64 linux-i386 linux-amd64
	windows-hibernated debian-amd64 dualboot-debian-amd64 debian-uefi-amd64
	dualboot-uefi-amd64"
HIVES="system-xp software-xp system-7 system-10"

# mkhive: given, next to OUTDIR (make builds build/tools/mkhive), or built here
if [ -z "${MKHIVE:-}" ]; then
	MKHIVE=$(dirname "$OUT")/tools/mkhive
	if [ ! -x "$MKHIVE" ] || [ "$HERE/mkhive.c" -nt "$MKHIVE" ]; then
		MKHIVE=$WORK/mkhive
		# shellcheck disable=SC2046
		cc -O2 -Wall -Wextra -Werror -o "$MKHIVE" "$HERE/mkhive.c" \
			$(pkg-config --cflags --libs hivex) || die "cannot build mkhive"
	fi
fi

# Resolve the packages (cache-locked: the cache is shared between clones).
exec 8>"$CACHE/.lock"
flock 8
prepare_i386_apt
for km in "${KMAP[@]}"; do
	arch=${km%%:*}
	printf -v "KPKG_$arch" %s "$(kernel_pkg "$arch" "${km#*:}")"
done

# Up to date?  The stamp covers the inputs and the outputs' size+mtime.
stamp_now() {
	{
		find "$HERE" -name '*.sh' -o -path "$HERE/files/*" -type f -o \
			-path "$HERE/hives/*.txt" | sort | xargs cat "$MKHIVE" | md5sum
		echo "$KPKG_i386 $KPKG_amd64 $INITRD_MODS $ROOTFS_MODS $(debian_key)"
		for i in $IMAGES; do stat -c '%n %s %Y' "$OUT/$i.img" 2>/dev/null || echo "none $i"; done
		for h in $HIVES; do stat -c '%n %s %Y' "$OUT/hives/$h.hive" 2>/dev/null || echo "none $h"; done
		stat -c '%n %s %Y' "$OUT/manifest.json" 2>/dev/null || echo "none manifest"
	} | md5sum | cut -d' ' -f1
}
if [ "${FORCE:-0}" != 1 ] && [ -f "$OUT/.stamp" ] &&
	[ "$(cat "$OUT/.stamp")" = "$(stamp_now)" ]; then
	log "up to date in $OUT (FORCE=1 to rebuild)"
	exit 0
fi
rm -f "$OUT/.stamp"

t0=$(date +%s)
BB_APPLETS=$("$(unpack "$(fetch amd64 busybox-static)")/bin/busybox" --list-full)
for km in "${KMAP[@]}"; do
	build_payload "${km%%:*}" "${km#*:}"
done
debian_tree
log "packages and the Debian tree ready after $(($(date +%s) - t0))s"

mkdir -p "$OUT/hives"
for h in $HIVES; do
	case $h in
	*-xp) root='$$$PROTO.HIV' ;;
	software-*) root='CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}' ;;
	*) root='CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}' ;;
	esac
	"$MKHIVE" -n "${h%%-*}" "$OUT/hives/$h.hive.new" "$root" \
		"$HERE/hives/$h.txt" || die "mkhive $h failed"
done

log "building disks"
build_dualboot dualboot-i386 i386 dos
build_dualboot dualboot-amd64 amd64 dos
build_dualboot dualboot-gpt-amd64 amd64 gpt
build_linux linux-i386 i386
build_linux linux-amd64 amd64
build_hibernated
for d in debian dualboot_debian debian_uefi dualboot_uefi; do
	t1=$(date +%s)
	"build_$d"
	log "built ${d//_/-}-amd64.img in $(($(date +%s) - t1))s"
done
flock -u 8		# the Debian disks have been made from the cached tree
for h in $HIVES; do mv -f "$OUT/hives/$h.hive.new" "$OUT/hives/$h.hive"; done

{
	echo "{"
	echo '  "generator": "tests/guests/build-guests.sh",'
	for arch in i386 amd64; do
		printf '  "kernel_%s": {"version": "%s", "deb": "%s", "busybox_deb": "%s", "initrd_modules": [%s]},\n' \
			"$arch" "$(eval echo "\$KVER_$arch")" "$(eval echo "\$KDEB_$arch")" \
			"$(eval echo "\$BBDEB_$arch")" \
			"$(sed 's/.*/"&"/' "$WORK/$arch/initrd-modules" | paste -sd, | sed 's/,/, /g')"
	done
	printf '  "debian": {"suite": "%s", "kernel": "%s", "kernel_package": "linux-image-%s %s", "systemd": "%s", "grub": "%s", "initramfs_tools": "%s", "initramfs_modules": "list", "packages": %d},\n' \
		"$DEBIAN_SUITE" "$DEBIAN_KVER" "$DEBIAN_KVER" "$(debian_version "linux-image-$DEBIAN_KVER")" \
		"$(debian_version systemd)" "$(debian_version grub-common)" \
		"$(debian_version initramfs-tools)" \
		"$(dpkg-query --admindir="$DEBIAN_TREE/root/var/lib/dpkg" -W -f '${db:Status-Abbrev}\n' | grep -c '^ii')"
	printf '  "hives": {'
	sep=""
	for h in $HIVES; do printf '%s"%s": "hives/%s.hive"' "$sep" "$h" "$h"; sep=", "; done
	printf '},\n  "images": {\n'
	sep=""
	for i in $IMAGES; do printf '%s' "$sep"; cat "$WORK/$i.json"; sep=$',\n'; done
	printf '\n  }\n}\n'
} >"$OUT/manifest.json.new"
mv -f "$OUT/manifest.json.new" "$OUT/manifest.json"
stamp_now >"$OUT/.stamp"
log "done in $(($(date +%s) - t0))s: $(cd "$OUT" && echo *.img)"
