// SPDX-License-Identifier: GPL-2.0-only
/*
 * selftest.c --- does a CPU engine work on this host?
 *
 * `--engine auto` runs this tiny guest on KVM before trusting it (KVM here
 * may be a nested software layer that fails on some instructions).  The
 * guest, assembled from the GNU as source in the comment below, starts at
 * the reset vector, takes a real-mode INT/IRET, far-jumps, switches to
 * 32-bit protected mode with a far jump, takes a protected-mode INT/IRET
 * through an interrupt gate, then writes its counter (2) to port 0x99 and
 * halts.  It runs on a private 1 MiB machine_bus, not on the real machine.
 *
 * The verdict never depends on how fast the host is.  A working engine runs
 * the few dozen guest instructions to the HLT however long a loaded machine
 * takes; the only time limit is a hang guard: the guest is given up when
 * ST_STUCK_NS (60 s) of wall-clock time pass without progress, progress
 * being a guest instruction address (CS base + RIP, sampled after every
 * run slice) not seen before.  The guest has fewer than ST_MAX_PCS distinct
 * addresses, so even an engine that loops forever ends the self-test.
 *
 *	.code16 ; .org 0xe000
 *	cli ; xor %ax,%ax ; mov %ax,%ds ; mov %ax,%ss ; mov $0x7000,%sp
 *	movw $h16,0x100 ; movw $0xf000,0x102 ; xor %ebx,%ebx ; int $0x40
 *	ljmp $0xf000,$far1
 * far1: lgdtl %cs:gdtr ; mov %cr0,%eax ; or $1,%al ; mov %eax,%cr0
 *	ljmpl $0x08,$(0xf0000+pm32)
 * h16:	inc %bx ; iret
 *	.code32
 * pm32: mov $0x10,%ax ; mov %ax,%ds ; mov %ax,%es ; mov %ax,%ss
 *	mov $0x7000,%esp ; lidtl (0xf0000+idtr) ; int $0x40
 *	mov %ebx,%eax ; out %al,$0x99 ; hlt ; jmp .
 * h32:	inc %ebx ; iret
 * gdt:	null, flat 32-bit code (0x08), flat data (0x10); gdtr
 * gate: 32-bit interrupt gate to 0x08:0xf0000+h32; idtr puts it at vector
 *	0x40 (base = gate - 0x200)
 *	.org 0xfff0 ; ljmp $0xf000,$0xe000
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "vmm/engines.h"

#define ST_RAM		(1u << 20)
#define ST_CODE		0xfe000u
#define ST_PORT		0x99
#define ST_EXPECT	2
#define ST_SLICE_NS	50000000ULL	/* one engine run() call */
#define ST_STUCK_NS	60000000000ULL	/* hang guard: no progress this long */
#define ST_MAX_PCS	64		/* distinct guest addresses tracked */

static const uint8_t st_code[] = {
	0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x70, 0xc7, 0x06,
	0x00, 0x01, 0x37, 0xe0, 0xc7, 0x06, 0x02, 0x01, 0x00, 0xf0, 0x66, 0x31,
	0xdb, 0xcd, 0x40, 0xea, 0x20, 0xe0, 0x00, 0xf0, 0x2e, 0x66, 0x0f, 0x01,
	0x16, 0x78, 0xe0, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0x66,
	0xea, 0x39, 0xe0, 0x0f, 0x00, 0x08, 0x00, 0x43, 0xcf, 0x66, 0xb8, 0x10,
	0x00, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0xbc, 0x00, 0x70, 0x00, 0x00,
	0x0f, 0x01, 0x1d, 0x86, 0xe0, 0x0f, 0x00, 0xcd, 0x40, 0x89, 0xd8, 0xe6,
	0x99, 0xf4, 0xeb, 0xfe, 0x43, 0xcf, 0x8d, 0xb4, 0x00, 0x00, 0x66, 0x90,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00,
	0x00, 0x9b, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x93, 0xcf, 0x00,
	0x17, 0x00, 0x60, 0xe0, 0x0f, 0x00, 0x58, 0xe0, 0x08, 0x00, 0x00, 0x8e,
	0x0f, 0x00, 0x07, 0x02, 0x7e, 0xde, 0x0f, 0x00,
};
static const uint8_t st_reset[] = { 0xea, 0x00, 0xe0, 0x00, 0xf0 };

struct st_bus {
	uint8_t		*ram;		/* ST_RAM bytes */
	int		result;		/* value written to ST_PORT, or -1 */
	bool		reset;		/* reset requested */
};

static uint8_t *st_page_ptr(void *opaque, uint64_t gpa, bool write)
{
	struct st_bus *b = opaque;

	if (gpa < ST_RAM)
		return b->ram + (gpa & ~0xfffULL);
	if (gpa >= 0xffff0000ULL && gpa < 0x100000000ULL && !write)
		return b->ram + 0xf0000 + ((gpa - 0xffff0000ULL) & ~0xfffULL);
	return NULL;
}

static unsigned int st_regions(void *opaque, struct gpa_region *out,
			       unsigned int max)
{
	struct st_bus *b = opaque;
	const struct gpa_region r[2] = {
		{ .gpa = 0, .size = ST_RAM, .host = b->ram },
		{ .gpa = 0xffff0000ULL, .size = 0x10000,
		  .host = b->ram + 0xf0000, .readonly = true },
	};
	unsigned int i;

	for (i = 0; i < 2 && i < max; i++)
		out[i] = r[i];
	return 2;
}

static uint64_t st_read(void *opaque, uint64_t a, unsigned int size)
{
	return ~0ULL;
}

static void st_write(void *opaque, uint64_t a, uint64_t v, unsigned int size)
{
}

static uint64_t st_pio_read(void *opaque, uint16_t port, unsigned int size)
{
	return ~0ULL;
}

static void st_pio_write(void *opaque, uint16_t port, uint64_t v,
			 unsigned int size)
{
	struct st_bus *b = opaque;

	if (port == ST_PORT)
		b->result = (int)(v & 0xff);
}

static bool st_intr_pending(void *opaque)
{
	return false;
}

static uint8_t st_intr_ack(void *opaque)
{
	return 0;
}

static uint64_t st_now(void *opaque)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void st_reset_req(void *opaque)
{
	struct st_bus *b = opaque;

	b->reset = true;
}

/* Guest progress: the instruction addresses seen after each run slice. */
struct st_progress {
	uint64_t	pc[ST_MAX_PCS];	/* guest linear addresses seen */
	unsigned int	n;		/* entries used in pc[] */
	uint64_t	last_ns;	/* st_now() when the last new one came */
};

/* Record where the guest is; true when that address is new. */
static bool st_progressed(const struct engine_ops *ops, struct engine *e,
			  struct st_progress *p)
{
	struct x86_cpu_state st;
	uint64_t pc;
	unsigned int i;

	if (!ops->get_state || ops->get_state(e, &st) || p->n == ST_MAX_PCS)
		return false;
	pc = st.seg[X86_CS].base + st.rip;
	for (i = 0; i < p->n; i++)
		if (p->pc[i] == pc)
			return false;
	p->pc[p->n++] = pc;
	return true;
}

/* Run the guest until it halts, fails or stops making progress. */
static bool st_run(const struct engine_ops *ops, struct engine *e,
		   struct st_bus *b, char *why, size_t len)
{
	struct st_progress prog = { .last_ns = st_now(NULL) };
	struct engine_exit ex;

	for (;;) {
		uint64_t now = st_now(NULL);

		if (st_progressed(ops, e, &prog))
			prog.last_ns = now;
		if (now - prog.last_ns > ST_STUCK_NS) {
			snprintf(why, len, "%s self-test guest made no progress for %llu s (hang guard; %u guest addresses reached)",
				 ops->name, ST_STUCK_NS / 1000000000ULL,
				 prog.n);
			return false;
		}
		if (ops->run(e, st_now(NULL) + ST_SLICE_NS, &ex) ||
		    ex.reason == ENGINE_EXIT_ERROR) {
			snprintf(why, len, "%s self-test: %s", ops->name,
				 ex.msg[0] ? ex.msg : "engine error");
			return false;
		}
		if (ex.reason == ENGINE_EXIT_RESET || b->reset) {
			snprintf(why, len, "%s self-test: guest reset (%s)",
				 ops->name, ex.msg[0] ? ex.msg : "reset");
			return false;
		}
		if (ex.reason == ENGINE_EXIT_HLT)
			break;
	}
	if (b->result != ST_EXPECT) {
		snprintf(why, len, "%s self-test: guest reported %d, expected %d",
			 ops->name, b->result, ST_EXPECT);
		return false;
	}
	return true;
}

bool engine_selftest(const struct engine_ops *ops, char *why, size_t len)
{
	struct st_bus b = { .result = -1 };
	const struct machine_bus bus = {
		.opaque = &b, .page_ptr = st_page_ptr, .regions = st_regions,
		.mmio_read = st_read, .mmio_write = st_write,
		.pio_read = st_pio_read, .pio_write = st_pio_write,
		.intr_pending = st_intr_pending, .intr_ack = st_intr_ack,
		.now_ns = st_now, .request_reset = st_reset_req,
	};
	struct engine *e;
	bool ok;

	if (!ops->available(why, len))
		return false;
	b.ram = mmap(NULL, ST_RAM, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b.ram == MAP_FAILED) {
		snprintf(why, len, "self-test: out of memory");
		return false;
	}
	memcpy(b.ram + ST_CODE, st_code, sizeof(st_code));
	memcpy(b.ram + 0xffff0, st_reset, sizeof(st_reset));
	if (ops->create(&bus, &e, why, len)) {
		munmap(b.ram, ST_RAM);
		return false;
	}
	ok = st_run(ops, e, &b, why, len);
	ops->destroy(e);
	munmap(b.ram, ST_RAM);
	return ok;
}
