# SPDX-License-Identifier: GPL-2.0-only
# dualvm: the one Makefile. Explicit object lists, no recursive make
# (except kbuild for kmod/). All outputs go to $(BUILD)/.
#
#   make              build the libraries and build/bin/dualvm
#   make deps         install every Debian package the build and tests need
#   make check        unit + integration tests; last line "N passed, N failed"
#   make check-quick  unit tests + fuzz replay only (no guest boots)
#   make hostcaps     build/tests/hostcaps: host capabilities as shell lines
#   make guests       build the test disks under build/guests/
#   make run          boot the demo disk
#   make bench        benchmarks (ratios against QEMU / qemu-img)
#   make kmod         build kmod/ through kbuild (not in the default target)
#   make SANITIZER=address,undefined   build everything with sanitizers
#   make fuzz         libFuzzer binaries (clang, ASan+UBSan) in build/fuzz/
#   make fuzz-run FUZZ_SECONDS=N   fuzz every harness for N s (default 60)
#   make WERROR=0     do not turn warnings into errors

# FUZZ=1: clang with libFuzzer, ASan and UBSan, into build/fuzz (make fuzz)
FUZZ	?=
ifeq ($(FUZZ),1)
BUILD	?= build/fuzz
CC	:= clang
SANITIZER := address,undefined
WERROR	?= 0
.DEFAULT_GOAL := fuzzers
endif
BUILD	?= build
CC	?= gcc
AR	?= ar
WERROR	?= 1
SANITIZER ?=
KDIR	?= $(firstword $(wildcard /usr/src/linux-headers-*-amd64))

# ---------------------------------------------------------------- flags
WARN	:= -Wall -Wextra -Wshadow -Wvla -Wformat=2 -Wmissing-prototypes \
	   -Wstrict-prototypes -Wundef -Wwrite-strings -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN	+= -Werror
endif
OPT	?= -O2 -g
CFLAGS	?=
CFLAGS	+= -std=gnu11 $(OPT) $(WARN) -D_GNU_SOURCE -fno-strict-aliasing -I. -MMD -MP
LDFLAGS	?=
ifneq ($(SANITIZER),)
CFLAGS	+= -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS	+= -fsanitize=$(SANITIZER)
endif

# Libraries found through pkg-config.  Evaluated lazily, once, when a recipe
# first needs them, so that `make deps check` works on a clean machine.
PKGS	:= blkid fdisk ext2fs com_err hivex libntfs-3g libarchive libdeflate zlib \
	   nettle slirp libxml-2.0
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
CFLAGS	+= $(PKG_CFLAGS)
LIBS	= $(PKG_LIBS) -lpthread -lm

# ---------------------------------------------------------------- objects
# Each subsystem is a static library with one public header <dir>/<dir>.h,
# listed here bottom layer first.

HW_OBJS := \
	hw/iospace.o \
	hw/vclock.o

DEVICES_OBJS := \
	devices/dev.o \
	devices/fw_cfg.o \
	devices/acpi_pm.o \
	devices/pci.o \
	devices/i440fx.o \
	devices/piix3.o \
	devices/ide_core.o \
	devices/ide_ata.o \
	devices/ide_atapi.o \
	devices/ide_bmdma.o \
	devices/e1000.o \
	devices/e1000_ring.o \
	devices/pic.o \
	devices/ioapic.o \
	devices/pit.o \
	devices/rtc.o \
	devices/serial.o \
	devices/ps2.o \
	devices/i8042.o \
	devices/debugport.o \
	devices/vga.o \
	devices/vga_mem.o \
	devices/vga_render.o \
	devices/pflash.o \
	devices/piix4_pm.o

BOARD_OBJS := \
	board/gmem.o \
	board/memmap.o \
	board/machine.o \
	board/board_pc.o \
	board/board_fw.o \
	board/smbios.o \
	board/acpi.o \
	board/efivars.o

# lib/: the bottom layer (JSON writer, SHA-256 through libnettle, I/O loops).
LIB_OBJS := \
	lib/json.o \
	lib/sha256.o \
	lib/io.o

VMM_OBJS := \
	vmm/blk_rd.o \
	vmm/net.o \
	vmm/net_slirp.o \
	vmm/engine.o \
	vmm/kvm.o \
	vmm/kvm_state.o \
	vmm/selftest.o \
	vmm/console.o \
	vmm/display.o \
	vmm/display_text.o \
	vmm/vm.o \
	vmm/x86/decode.o \
	vmm/x86/decode_tables.o \
	vmm/x86/flags.o \
	vmm/x86/mem.o \
	vmm/x86/paging.o \
	vmm/x86/alu.o \
	vmm/x86/control.o \
	vmm/x86/exec.o \
	vmm/x86/string.o \
	vmm/x86/exceptions.o \
	vmm/x86/seg.o \
	vmm/x86/task.o \
	vmm/x86/system.o \
	vmm/x86/ops0f.o \
	vmm/x86/cpuid_msr.o \
	vmm/x86/lapic.o \
	vmm/x86/x87.o \
	vmm/x86/x87_host.o \
	vmm/x86/simd_decode.o \
	vmm/x86/simd.o \
	vmm/x86/simd_fast.o \
	vmm/x86/interp.o \
	vmm/x86/engine_ops.o \
	vmm/bt/bt.o \
	vmm/bt/translate.o

# rawdisk/: block back ends, partition tables and views, image formats
# (mechanism).  vmdisk/: what a VM may do with a disk (policy).
RAWDISK_OBJS := \
	rawdisk/rd_core.o \
	rawdisk/rd_file.o \
	rawdisk/rd_path.o \
	rawdisk/rd_part.o \
	rawdisk/rd_mem.o \
	rawdisk/rd_qcow2.o \
	rawdisk/rd_qcow2_meta.o \
	rawdisk/rd_stack.o \
	rawdisk/rd_view.o \
	rawdisk/fs_ext2io.o \
	rawdisk/fs_ntfsdev.o \
	rawdisk/rd_image.o \
	rawdisk/fmt_bmap.o \
	rawdisk/fmt_vmdk.o \
	rawdisk/fmt_vmdk_desc.o \
	rawdisk/fmt_vmdk_stream.o \
	rawdisk/fmt_vmdk_split.o \
	rawdisk/fmt_vhd.o \
	rawdisk/fmt_vhdx.o \
	rawdisk/fmt_vdi.o

VMDISK_OBJS := \
	vmdisk/vmd_hazard.o \
	vmdisk/vmd_safety.o \
	vmdisk/vmd_rawdesc.o \
	vmdisk/vmd_desc.o \
	vmdisk/vmd_overlay.o \
	vmdisk/vmd_open.o \
	vmdisk/vmd_esp.o

P2V_OBJS := \
	p2v/p2v_plan.o \
	p2v/p2v_fs.o \
	p2v/p2v_xcheck.o \
	p2v/p2v_copy.o \
	p2v/p2v_vm.o \
	p2v/p2v_vmread.o \
	p2v/p2v_vmxml.o \
	p2v/p2v_ova.o \
	p2v/p2v_vmlib.o \
	p2v/p2v_esc.o

HWPROFILE_OBJS := \
	hwprofile/hwp_util.o \
	hwprofile/hwp_ext2.o \
	hwprofile/hwp_ntfs.o \
	hwprofile/hwp_winreg.o \
	hwprofile/hwp_cpio.o \
	hwprofile/hwp_linux.o \
	hwprofile/hwp_inspect.o \
	hwprofile/hwp_report.o \
	hwprofile/hwp_hive.o \
	hwprofile/hwp_inject.o \
	hwprofile/hwp_inject_linux.o \
	hwprofile/hwp_undo.o \
	hwprofile/hwp_initrd.o

CLI_OBJS := \
	cli/main.o \
	cli/cmd_run.o \
	cli/cmd_disk.o \
	cli/cmd_p2v.o \
	cli/cmd_inspect.o \
	cli/cmd_inject.o \
	cli/cmd_vm.o \
	cli/cmd_vm_show.o \
	cli/cli_disk.o

# The GTK 3 display: a plugin (gui/gui.h) that `dualvm run --display gtk`
# loads with dlopen(), so no other command loads GTK's ~60 libraries.  Its
# objects are built position-independent, with vmm/display.c's key tables.
GUI_OBJS := \
	gui/gui.o \
	vmm/display.o
GUI_SO := $(BUILD)/lib/dualvm/gui-gtk.so
GTK_CFLAGS = $(eval GTK_CFLAGS := $$(shell pkg-config --cflags gtk+-3.0))$(GTK_CFLAGS)
GTK_LIBS   = $(eval GTK_LIBS := $$(shell pkg-config --libs gtk+-3.0))$(GTK_LIBS)

# dualvm-gtk: the desktop front end (gui/app/), a GtkApplication over the
# p2v library's VM library API; its .ui is compiled into a GResource.
GTKAPP_OBJS := gui/app/main.o gui/app/wizard_p2v.o gui/app/p2v_job.o \
	gui/app/inject_dialog.o gui/app/jsonv.o gui/app/wizard_part.o gui/app/console.o
GTKAPP_RES := $(BUILD)/gen/gui/app/resources.c
GTKAPP_BIN := $(BUILD)/bin/dualvm-gtk

# Libraries in link order: each before the ones it uses, i.e. the layers
# top down (README "Layout"; scripts/check-layers.sh enforces the
# includes): the machine stack vmm > board > devices > hw and the disk
# stack hwprofile > p2v > vmdisk > rawdisk > lib (vmm also uses the disk
# stack).  There are no cycles, so no --start-group.
LIBNAMES := hwprofile p2v vmm board devices hw vmdisk rawdisk lib
LIBFILES := $(foreach l,$(LIBNAMES),$(BUILD)/lib/lib$(l).a)
LINKLIBS = $(LIBFILES) $(LIBS)

# ---------------------------------------------------------------- tests
# Unit tests: tests/unit/<subsys>/test_<x>.c -> $(BUILD)/tests/unit/<subsys>/test_<x>
UNIT_TESTS := \
	lib/test_lib \
	devices/test_dev \
	devices/test_pci \
	devices/test_ide \
	devices/test_e1000 \
	devices/test_ide_async \
	devices/test_atapi \
	devices/test_acpi_pm \
	hw/test_iospace \
	hw/test_vclock \
	board/test_memmap \
	devices/test_fw_cfg \
	board/test_acpi \
	board/test_machine \
	board/test_efivars \
	vmm/test_console \
	vmm/test_blk_rd \
	vmm/test_net \
	vmm/test_slow_dma \
	vmm/test_kvm \
	vmm/test_hostcaps \
	vmm/test_display \
	rawdisk/test_rd_file \
	rawdisk/test_rd_part \
	rawdisk/test_rd_qcow2 \
	rawdisk/test_fmt_images \
	p2v/test_p2v \
	p2v/test_vmlib \
	rawdisk/test_rd_view \
	rawdisk/test_rd_paths \
	vmdisk/test_vmd_hazard \
	vmdisk/test_vmd_esp \
	vmdisk/test_vmd_open \
	vmdisk/test_vmd_rawdesc \
	hwprofile/test_fs_adapters \
	hwprofile/test_initrd \
	hwprofile/test_cpio_bounds \
	hwprofile/test_inject_linux \
	hwprofile/test_ntfs_safety \
	x86/test_decode_zydis \
	x86/test_x87 \
	x86/test_fpu_native \
	x86/test_simd \
	x86/test_native_diff \
	x86/test_native_diff64 \
	x86/test_bt_diff \
	x86/test_system \
	devices/test_pic \
	devices/test_ioapic \
	x86/test_lapic \
	devices/test_pit \
	devices/test_rtc \
	devices/test_serial \
	devices/test_i8042 \
	devices/test_debugport \
	devices/test_vga \
	devices/test_pflash \
	devices/test_piix4_pm

# Fuzz harnesses (libFuzzer entry point; built as plain replay drivers
# unless FUZZ=1 with clang): tests/fuzz/<name>.c
FUZZERS := \
	fuzz_dev_pci_ide \
	fuzz_vmdk_hdr \
	fuzz_vhd_footer \
	fuzz_vhdx_hdr \
	fuzz_vdi_hdr \
	fuzz_part_table \
	fuzz_qcow2_hdr \
	fuzz_vmdk_desc \
	fuzz_x86_decode \
	fuzz_dev_io \
	fuzz_cpio \
	fuzz_reg_hive \
	fuzz_vmdk_chain \
	fuzz_qcow2_chain \
	fuzz_p2v_plan \
	fuzz_inspect \
	fuzz_vmdef \
	fuzz_vmimport \
	fuzz_esp

# ---------------------------------------------------------------- rules
ALL_OBJS := $(LIB_OBJS) $(HW_OBJS) $(BOARD_OBJS) $(VMM_OBJS) $(DEVICES_OBJS) \
	    $(RAWDISK_OBJS) $(VMDISK_OBJS) $(P2V_OBJS) \
	    $(HWPROFILE_OBJS) $(CLI_OBJS)

.PHONY: all deps check check-quick check-layers guests run bench kmod clean \
	install uninstall \
	unit-tests fuzzers hostcaps fuzz fuzz-run
.SECONDARY:
all: $(BUILD)/bin/dualvm $(GUI_SO) $(GTKAPP_BIN)

ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

define lib_rule
$(BUILD)/lib/lib$(1).a: $$(addprefix $$(BUILD)/obj/,$$($(2)_OBJS))
	@mkdir -p $$(dir $$@)
	$$(Q)rm -f $$@
	$$(Q)$$(AR) rcs $$@ $$^
endef
$(eval $(call lib_rule,lib,LIB))
$(eval $(call lib_rule,hw,HW))
$(eval $(call lib_rule,devices,DEVICES))
$(eval $(call lib_rule,board,BOARD))
$(eval $(call lib_rule,vmm,VMM))
$(eval $(call lib_rule,rawdisk,RAWDISK))
$(eval $(call lib_rule,vmdisk,VMDISK))
$(eval $(call lib_rule,p2v,P2V))
$(eval $(call lib_rule,hwprofile,HWPROFILE))
$(BUILD)/obj/pic/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (-fPIC)")
	$(Q)$(CC) $(CFLAGS) $(GTK_CFLAGS) -fPIC -c -o $@ $<

$(GUI_SO): $(addprefix $(BUILD)/obj/pic/,$(GUI_OBJS))
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-z,defs -o $@ $^ $(GTK_LIBS)

$(BUILD)/bin/dualvm: $(addprefix $(BUILD)/obj/,$(CLI_OBJS)) $(LIBFILES)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINKLIBS)

$(BUILD)/obj/gui/app/%.o: CFLAGS += $(GTK_CFLAGS)
$(GTKAPP_RES): gui/app/dualvm-gtk.gresource.xml gui/app/dualvm-gtk.ui \
		gui/app/wizard-p2v.ui gui/app/inject-dialog.ui gui/app/wizard-part.ui
	@mkdir -p $(dir $@)
	$(Q)glib-compile-resources --sourcedir=gui/app --generate-source --target=$@ $<
$(BUILD)/obj/gui/app/resources.o: $(GTKAPP_RES)
	$(Q)$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<
$(GTKAPP_BIN): $(addprefix $(BUILD)/obj/,$(GTKAPP_OBJS)) $(BUILD)/obj/gui/app/resources.o $(LIBFILES)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINKLIBS) $(GTK_LIBS)

# Every unit test links the harness and the host capability probe.
HARNESS := $(BUILD)/obj/tests/unit/harness.o $(BUILD)/obj/tests/unit/hostcaps.o
UNIT_BINS := $(addprefix $(BUILD)/tests/unit/,$(UNIT_TESTS))
$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(HARNESS) $(LIBFILES)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(HARNESS) $(LINKLIBS)
# tests/boot payloads some unit tests run as firmware (GNU as + ld)
BOOT_PAYLOADS := $(BUILD)/tests/boot/dma_slow.bin
$(BUILD)/tests/boot/%.bin: tests/boot/%.S tests/boot/boot.inc
	@mkdir -p $(dir $@)
	$(Q)tests/boot/build.sh $(BUILD)/tests/boot $*
unit-tests: $(UNIT_BINS) $(BOOT_PAYLOADS) $(BUILD)/tests/hostcaps

# The same probe for the shell tests: prints HOST_KVM=... lines to eval.
$(BUILD)/tests/hostcaps: $(BUILD)/obj/tests/hostcaps_main.o $(BUILD)/obj/tests/unit/hostcaps.o $(LIBFILES)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LINKLIBS)
hostcaps: $(BUILD)/tests/hostcaps
# the x86 decoder is cross-checked against Zydis (libzydis-dev)
$(BUILD)/tests/unit/x86/%: LINKLIBS += -lZydis -lZycore

FUZZ_BINS := $(addprefix $(BUILD)/tests/fuzz/,$(FUZZERS))
ifeq ($(FUZZ),1)
# libFuzzer provides main(); every object carries the coverage hooks
CFLAGS	+= -fsanitize=fuzzer-no-link
$(BUILD)/tests/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/fuzz_files.o $(LIBFILES)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/obj/tests/fuzz/fuzz_files.o $(LINKLIBS)
else
$(BUILD)/tests/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay.o $(BUILD)/obj/tests/fuzz/fuzz_files.o $(LIBFILES)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/obj/tests/fuzz/replay.o $(BUILD)/obj/tests/fuzz/fuzz_files.o $(LINKLIBS)
endif
fuzzers: $(FUZZ_BINS)

# Real fuzzing (tests/fuzz/run-fuzz.sh): every harness for FUZZ_SECONDS s,
# seeded from tests/fuzz/corpus/<name> (read only); new inputs go to
# build/fuzz/corpus/<name>, crashes to build/fuzz/crashes/<name>/.
FUZZ_SECONDS ?= 60
fuzz:
	$(Q)$(MAKE) --no-print-directory FUZZ=1 BUILD=$(BUILD)/fuzz fuzzers
fuzz-run: fuzz
	$(Q)FUZZ_OUT=$(abspath $(BUILD)/fuzz) SRC=$(CURDIR) \
		tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

# ---------------------------------------------------------------- guests
$(BUILD)/tools/mkhive: tests/guests/mkhive.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $< $$(pkg-config --cflags --libs hivex)

guests: $(BUILD)/tools/mkhive
	tests/guests/build-guests.sh $(BUILD)/guests

# ---------------------------------------------------------------- top level
# Debian packages needed to build, test and build the test guests.
DEB_PKGS := build-essential pkg-config bear clang-format \
	libext2fs-dev e2fsprogs ntfs-3g-dev ntfs-3g libhivex-dev libhivex-bin \
	libblkid-dev libfdisk-dev fdisk libgtk-3-dev libarchive-dev \
	libdeflate-dev zlib1g-dev nettle-dev liblzma-dev libzstd-dev liblz4-dev \
	seabios ovmf ipxe-qemu syslinux syslinux-common extlinux busybox-static \
	qemu-system-x86 qemu-utils cpio mtools dosfstools libzydis-dev \
	linux-headers-amd64 xvfb xdotool kmod dpkg-dev xz-utils zstd lz4 e2tools \
	util-linux binutils libvirt-clients libxml2-utils libxml2-dev \
	debootstrap grub-common grub-efi-amd64-bin \
	strace clang libclang-rt-14-dev llvm libslirp-dev iproute2 man-db bsdextrautils \
	libglib2.0-bin libglib2.0-dev-bin dbus dbus-x11 desktop-file-utils \
	python3-jsonschema

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEB_PKGS)) packages installed"; exit 0; fi; \
	echo "deps: installing:" $$missing; \
	if [ "$$(id -u)" != 0 ]; then echo "deps: run as root (apt-get install)" >&2; exit 1; fi; \
	apt-get update -qq || true; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

# Includes go downward, to public headers only (also a test in make check).
check-layers:
	@scripts/check-layers.sh

check: check-layers all unit-tests fuzzers guests $(BUILD)/tests/hostcaps
	@BUILD=$(abspath $(BUILD)) SRC=$(CURDIR) tests/run-tests.sh

check-quick: all unit-tests fuzzers $(BUILD)/tests/hostcaps
	@QUICK=1 BUILD=$(abspath $(BUILD)) SRC=$(CURDIR) tests/run-tests.sh

run: all guests
	$(BUILD)/bin/dualvm run --serial stdio --disk-mode nonpersistent $(BUILD)/guests/linux-i386.img

bench: all guests
	@BUILD=$(abspath $(BUILD)) SRC=$(CURDIR) tests/bench/run-bench.sh

# Installing: the CLI, its GTK display plugin (found as ../lib/dualvm from
# the binary), man pages and bash completion.
PREFIX	?= /usr/local
DESTDIR	?=
MANPAGES := $(wildcard cli/man/*.1)
install: all
	install -Dm755 $(BUILD)/bin/dualvm $(DESTDIR)$(PREFIX)/bin/dualvm
	install -Dm755 $(BUILD)/lib/dualvm/gui-gtk.so $(DESTDIR)$(PREFIX)/lib/dualvm/gui-gtk.so
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -Dm644 cli/dualvm.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/dualvm
	install -Dm755 $(GTKAPP_BIN) $(DESTDIR)$(PREFIX)/bin/dualvm-gtk
	install -Dm644 gui/app/org.dualvm.Gtk.desktop \
		$(DESTDIR)$(PREFIX)/share/applications/org.dualvm.Gtk.desktop
	install -Dm644 gui/app/org.dualvm.Gtk.svg \
		$(DESTDIR)$(PREFIX)/share/icons/hicolor/scalable/apps/org.dualvm.Gtk.svg

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dualvm \
		$(DESTDIR)$(PREFIX)/lib/dualvm/gui-gtk.so \
		$(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(MANPAGES))) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/dualvm \
		$(DESTDIR)$(PREFIX)/bin/dualvm-gtk \
		$(DESTDIR)$(PREFIX)/share/applications/org.dualvm.Gtk.desktop \
		$(DESTDIR)$(PREFIX)/share/icons/hicolor/scalable/apps/org.dualvm.Gtk.svg
	-rmdir $(DESTDIR)$(PREFIX)/lib/dualvm 2>/dev/null

kmod:
	@[ -n "$(KDIR)" ] || { echo "kmod: no kernel headers (make deps installs linux-headers-amd64)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

clean:
	rm -rf $(BUILD)
	@[ -z "$(KDIR)" ] || $(MAKE) -s -C $(KDIR) M=$(CURDIR)/kmod clean >/dev/null 2>&1 || true

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
