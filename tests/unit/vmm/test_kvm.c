// SPDX-License-Identifier: GPL-2.0-only
/* test_kvm.c --- the KVM engine on a fake machine bus: state conversions,
 * power-on state, port and MMIO exits, halt, and the self-test's verdict.
 * SKIPs, with the probe's reason, where tests/unit/hostcaps finds no KVM
 * API (no /dev/kvm character device answering API 12, or
 * DUALVM_TEST_NO_KVM=1).  These cases use only the ioctl plumbing and
 * real-mode port/MMIO exits, which work even on a software KVM layer that
 * fails the self-test (HOST_KVM=0): that verdict is checked here too. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "tests/unit/hostcaps.h"
#include "vmm/engines.h"
#include "vmm/kvm_state.h"

static void need_kvm(void)
{
	char why[256];

	if (!hostcaps_kvm_api(why, sizeof(why)))
		T_SKIP("no KVM API: %s", why);
}

static void test_state_reset_and_roundtrip(void)
{
	struct x86_cpu_state st, back;
	int kvm, vm, vcpu;

	need_kvm();
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	T_ASSERT(kvm >= 0);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	T_ASSERT(vm >= 0);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	T_ASSERT(vcpu >= 0);
	T_EQ(kvm_state_reset(vcpu), 0);
	T_EQ(kvm_state_get(vcpu, &st), 0);
	T_EQ(st.seg[X86_CS].sel, 0xf000);
	T_EQ(st.seg[X86_CS].base, 0xffff0000);
	T_EQ(st.rip, 0xfff0);
	T_EQ(st.rflags, 2);
	T_EQ(st.cr0 & (X86_CR0_PE | X86_CR0_PG), 0);
	T_EQ(st.gpr[X86_RDX], 0x600);
	T_EQ(st.apic_base & 0x800, 0);		/* LAPIC disabled */
	/* flat 32-bit protected mode, arbitrary registers */
	st.cr0 |= X86_CR0_PE;
	st.seg[X86_CS] = (struct x86_seg){ .base = 0, .limit = 0xffffffff,
		.sel = 0x08, .attr = 0xb | X86_SEG_ATTR_S | X86_SEG_ATTR_P |
		X86_SEG_ATTR_DB | X86_SEG_ATTR_G };
	st.seg[X86_DS] = (struct x86_seg){ .base = 0x1000, .limit = 0xfffff,
		.sel = 0x10, .attr = 0x3 | X86_SEG_ATTR_S | X86_SEG_ATTR_P |
		X86_SEG_ATTR_DB };
	st.gdtr = (struct x86_dtable){ .base = 0x5000, .limit = 0x27 };
	st.rip = 0x12345678;
	st.gpr[X86_RAX] = 0xdeadbeef;
	st.gpr[X86_RSI] = 0x1234;
	st.rflags = 0x202;
	st.fxsave[32] = 0x11;			/* ST0 mantissa byte */
	T_EQ(kvm_state_set(vcpu, &st), 0);
	T_EQ(kvm_state_get(vcpu, &back), 0);
	T_EQ(back.rip, 0x12345678);
	T_EQ(back.gpr[X86_RAX], 0xdeadbeef);
	T_EQ(back.gpr[X86_RSI], 0x1234);
	T_EQ(back.rflags, 0x202);
	T_EQ(back.seg[X86_CS].sel, 0x08);
	T_EQ(back.seg[X86_CS].limit, 0xffffffff);
	T_EQ(back.seg[X86_CS].attr & 0xf0ff, st.seg[X86_CS].attr & 0xf0ff);
	T_EQ(back.seg[X86_DS].base, 0x1000);
	T_EQ(back.seg[X86_DS].attr & 0xf0ff, st.seg[X86_DS].attr & 0xf0ff);
	T_EQ(back.gdtr.base, 0x5000);
	T_EQ(back.gdtr.limit, 0x27);
	T_EQ(back.cr0 & X86_CR0_PE, X86_CR0_PE);
	T_EQ(back.fxsave[32], 0x11);
	close(vcpu);
	close(vm);
	close(kvm);
}

/* A fake machine: 64 KiB ROM at the top of 4 GiB, RAM below 640K. */
struct fake {
	uint8_t		*ram;		/* 640 KiB */
	uint8_t		*rom;		/* 64 KiB */
	uint16_t	port;		/* last OUT */
	uint8_t		pval;
	uint64_t	mmio_gpa;	/* last MMIO write */
	uint8_t		mmio_val;
	unsigned int	nmmio;
};

static uint8_t *f_page(void *o, uint64_t gpa, bool w)
{
	struct fake *f = o;

	if (gpa < 0xa0000)
		return f->ram + (gpa & ~0xfffULL);
	if (gpa >= 0xffff0000ULL && gpa < 0x100000000ULL && !w)
		return f->rom + ((gpa - 0xffff0000ULL) & ~0xfffULL);
	return NULL;
}

static unsigned int f_regions(void *o, struct gpa_region *out,
			      unsigned int max)
{
	struct fake *f = o;

	out[0] = (struct gpa_region){ .gpa = 0, .size = 0xa0000,
				      .host = f->ram };
	if (max > 1)
		out[1] = (struct gpa_region){ .gpa = 0xffff0000ULL,
			.size = 0x10000, .host = f->rom, .readonly = true };
	return 2;
}

static uint64_t f_mread(void *o, uint64_t a, unsigned int s) { return ~0ULL; }
static void f_mwrite(void *o, uint64_t a, uint64_t v, unsigned int s)
{
	struct fake *f = o;

	f->mmio_gpa = a;
	f->mmio_val = (uint8_t)v;
	f->nmmio++;
}
static uint64_t f_pread(void *o, uint16_t p, unsigned int s) { return ~0ULL; }
static void f_pwrite(void *o, uint16_t p, uint64_t v, unsigned int s)
{
	struct fake *f = o;

	f->port = p;
	f->pval = (uint8_t)v;
}
static bool f_pending(void *o) { return false; }
static uint8_t f_ack(void *o) { return 0; }
static uint64_t f_now(void *o)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
static void f_reset(void *o) { }

static void test_engine_io_mmio_hlt(void)
{
	/* at F000:FFF0: mov al,0x42; out 0x80,al; mov ax,0xa000;
	 * mov ds,ax; mov byte [0],0x55; hlt */
	static const uint8_t code[] = {
		0xb0, 0x42, 0xe6, 0x80, 0xb8, 0x00, 0xa0, 0x8e, 0xd8,
		0xc6, 0x06, 0x00, 0x00, 0x55, 0xf4,
	};
	struct fake f = { 0 };
	const struct machine_bus bus = {
		.opaque = &f, .page_ptr = f_page, .regions = f_regions,
		.mmio_read = f_mread, .mmio_write = f_mwrite,
		.pio_read = f_pread, .pio_write = f_pwrite,
		.intr_pending = f_pending, .intr_ack = f_ack,
		.now_ns = f_now, .request_reset = f_reset,
	};
	struct engine_exit ex;
	struct engine *e;
	char why[256];
	int i;

	need_kvm();
	f.ram = mmap(NULL, 0xa0000, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.rom = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(f.ram != MAP_FAILED && f.rom != MAP_FAILED);
	memcpy(f.rom + 0xfff0, code, sizeof(code));
	T_EQ(kvm_engine_ops.create(&bus, &e, why, sizeof(why)), 0);
	for (i = 0; i < 100; i++) {
		T_EQ(kvm_engine_ops.run(e, f_now(NULL) + 20000000ULL, &ex), 0);
		if (ex.reason != ENGINE_EXIT_DEADLINE)
			break;
	}
	T_EQ(ex.reason, ENGINE_EXIT_HLT);
	T_EQ(f.port, 0x80);
	T_EQ(f.pval, 0x42);
	T_EQ(f.nmmio, 1);
	T_EQ(f.mmio_gpa, 0xa0000);
	T_EQ(f.mmio_val, 0x55);
	/* a kick before run() returns promptly with DEADLINE */
	kvm_engine_ops.kick(e);
	T_EQ(kvm_engine_ops.run(e, UINT64_MAX, &ex), 0);
	T_EQ(ex.reason, ENGINE_EXIT_DEADLINE);
	kvm_engine_ops.destroy(e);
}

static void test_selftest_verdict_is_clear(void)
{
	char why[256] = "", hwhy[512];
	bool ok;

	need_kvm();
	ok = engine_selftest(&kvm_engine_ops, why, sizeof(why));
	/* HOST_KVM (what shell tests trust) is this verdict */
	T_EQ(hostcaps_kvm(hwhy, sizeof(hwhy)), ok);
	if (ok)
		return;
	/* failing is fine on a software KVM layer, but say where and why */
	T_ASSERT(strstr(why, "kvm self-test") != NULL);
	T_ASSERT(strchr(why, '\n') == NULL);
}

static const struct t_case cases[] = {
	T_CASE(test_state_reset_and_roundtrip),
	T_CASE(test_engine_io_mmio_hlt),
	T_CASE(test_selftest_verdict_is_clear),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
