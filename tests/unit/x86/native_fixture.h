/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * native_fixture.h --- shared plumbing of the native differential tests
 *
 * test_native_diff.c, test_native_diff64.c and test_fpu_native.c run each
 * random instruction sequence twice: natively on the host CPU, in a forked
 * child, with code and data at a fixed address below 4 GiB, and in the
 * interpreter, in flat 32-bit protected mode or 64-bit mode at CPL 3 over a
 * fake machine_bus that maps the same addresses.  This header has what they
 * need:
 *   - the fake bus (nf_bus_init) and the interpreter's starting state
 *     (nf_state_flat32, nf_state_long64) and stop decoding (nf_interp_end);
 *   - the fixed native region (nf_map_region), 64-bit absolute-address
 *     encodings for the native stubs (nf_abs), the native child's fault
 *     handlers (nf_native_signals) and the fork of one native batch
 *     (nf_native_batch);
 *   - counts from the environment (nf_env_count).
 * fpu_testlib.h (the x87/SIMD unit tests' tiny machine) uses the same fake
 * bus.  Header-only.
 */
#ifndef DUALVM_TESTS_NATIVE_FIXTURE_H
#define DUALVM_TESTS_NATIVE_FIXTURE_H

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "vmm/x86/x86.h"

#define NF_USER_DS	0x2b	/* Linux __USER_DS: flat data, DPL 3 */
#define NF_HANG_GUARD_S	60	/* a native batch takes well under a second */

/* ------------------------------------------------------------ fake bus */

struct nf_bus {
	uint8_t			*mem;	/* size bytes of RAM at gpa base */
	uint64_t		base;	/* gpa of mem[0], page aligned */
	uint64_t		size;	/* bytes, page multiple */
	unsigned int		stray;	/* accesses outside the RAM */
	struct machine_bus	bus;	/* callbacks over mem */
};

static uint8_t *nf_page(void *o, uint64_t gpa, bool w)
{
	struct nf_bus *b = o;

	(void)w;
	if (gpa >= b->base && gpa - b->base < b->size)
		return b->mem + ((gpa - b->base) & ~0xfffull);
	return NULL;
}

static uint64_t nf_mmio_read(void *o, uint64_t gpa, unsigned int size)
{
	(void)gpa;
	(void)size;
	((struct nf_bus *)o)->stray++;
	return ~0ull;
}

static void nf_mmio_write(void *o, uint64_t gpa, uint64_t v, unsigned int size)
{
	(void)gpa;
	(void)v;
	(void)size;
	((struct nf_bus *)o)->stray++;
}

static uint64_t nf_pio_read(void *o, uint16_t port, unsigned int size)
{
	(void)o;
	(void)port;
	(void)size;
	return ~0ull;
}

static void nf_pio_write(void *o, uint16_t port, uint64_t v, unsigned int size)
{
	(void)o;
	(void)port;
	(void)v;
	(void)size;
}

static bool nf_false(void *o)
{
	(void)o;
	return false;
}

static uint8_t nf_ack(void *o)
{
	(void)o;
	return 0;
}

static uint64_t nf_now(void *o)
{
	(void)o;
	return 0;
}

static void nf_reset(void *o)
{
	(void)o;
}

/* @size bytes of zeroed RAM at gpa @base and a CPU on them that stops at
 * every exception (all intercepts); nf_bus_fini() releases both */
static inline void nf_bus_init(struct nf_bus *b, uint64_t base, uint64_t size,
			       struct x86_cpu **cpu)
{
	memset(b, 0, sizeof(*b));
	b->base = base;
	b->size = size;
	b->mem = aligned_alloc(4096, size);
	T_ASSERT(b->mem);
	memset(b->mem, 0, size);
	b->bus = (struct machine_bus){
		.opaque = b, .page_ptr = nf_page, .mmio_read = nf_mmio_read,
		.mmio_write = nf_mmio_write, .pio_read = nf_pio_read,
		.pio_write = nf_pio_write, .intr_pending = nf_false,
		.intr_ack = nf_ack, .now_ns = nf_now, .request_reset = nf_reset,
	};
	T_ASSERT(x86_cpu_create(&b->bus, cpu) == 0);
	x86_cpu_set_intercepts(*cpu, 0xffffffffu);
}

static inline void nf_bus_fini(struct nf_bus *b, struct x86_cpu *cpu)
{
	x86_cpu_destroy(cpu);
	free(b->mem);
}

/* ------------------------------------------------------------ interpreter */

static inline void nf_flat(struct x86_seg *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = attr;
}

/*
 * Flat 32-bit protected mode at CPL 3: CS a 32-bit code segment with
 * selector @cs, SS/DS/ES the user data segment; everything else zero.
 */
static inline void nf_state_flat32(struct x86_cpu_state *st, uint16_t cs)
{
	memset(st, 0, sizeof(*st));
	nf_flat(&st->seg[X86_CS], cs, 0xc0fb);
	nf_flat(&st->seg[X86_SS], NF_USER_DS, 0xc0f3);
	nf_flat(&st->seg[X86_DS], NF_USER_DS, 0xc0f3);
	nf_flat(&st->seg[X86_ES], NF_USER_DS, 0xc0f3);
	st->cr0 = X86_CR0_PE | X86_CR0_ET;
	st->tr.attr = 0x8b;
}

/*
 * IA-32e 64-bit mode at CPL 3: paging with the PML4 at @cr3 (4-level, PAE,
 * NXE), CS a 64-bit code segment (0x33, Linux __USER_CS), SS/DS/ES the user
 * data segment; everything else zero.
 */
static inline void nf_state_long64(struct x86_cpu_state *st, uint64_t cr3)
{
	memset(st, 0, sizeof(*st));
	nf_flat(&st->seg[X86_CS], 0x33, 0x20fb);
	nf_flat(&st->seg[X86_SS], NF_USER_DS, 0xc0f3);
	nf_flat(&st->seg[X86_DS], NF_USER_DS, 0xc0f3);
	nf_flat(&st->seg[X86_ES], NF_USER_DS, 0xc0f3);
	st->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
	st->cr3 = cr3;
	st->cr4 = 0x20;				/* PAE */
	st->efer = 0xd00;			/* NXE LMA LME */
	st->tr.attr = 0x8b;
}

/* copy @len code bytes to gpa @at with @end_len bytes of @end after them */
static inline void nf_load_code(struct x86_cpu *cpu, struct nf_bus *b,
				uint64_t at, const uint8_t *code,
				unsigned int len, const uint8_t *end,
				unsigned int end_len)
{
	memcpy(b->mem + (at - b->base), code, len);
	memcpy(b->mem + (at - b->base) + len, end, end_len);
	x86_cpu_mem_written(cpu, at, len + end_len);
}

/*
 * Why the interpreter stopped: -1 when it reached the UD2 at @end (ran the
 * whole sequence), the exception vector, or -2 for anything else (an
 * internal error is printed).
 */
static inline int nf_interp_end(const struct x86_stop *stop, uint64_t rip,
				uint64_t end)
{
	if (stop->reason == X86_STOP_EXCEPTION && stop->vector == 6 &&
	    rip == end)
		return -1;
	if (stop->reason == X86_STOP_EXCEPTION)
		return stop->vector;
	if (stop->reason == X86_STOP_ERROR)
		fprintf(stderr, "interp error: %s\n", stop->msg);
	return -2;
}

/* ------------------------------------------------------------ native */

/* map the fixed native region RWX; SKIP if the address is unavailable */
static inline uint8_t *nf_map_region(uint32_t addr, uint32_t size)
{
	void *m = mmap((void *)(uintptr_t)addr, size,
		       PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (m == MAP_FAILED)
		T_SKIP("cannot map the fixed native region at 0x%x: %s", addr,
		       strerror(errno));
	return m;
}

static inline void nf_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/*
 * Emit [@op1] @op2 ModRM(@reg, [abs32]) abs32: the SIB form of an absolute
 * address, which means the same in 32-bit and 64-bit code (ModRM rm=101
 * alone is RIP-relative in 64-bit code).  @op1 0 = none.
 */
static inline uint8_t *nf_abs(uint8_t *c, uint8_t op1, uint8_t op2,
			      unsigned int reg, uint32_t addr)
{
	if (op1)
		*c++ = op1;
	*c++ = op2;
	*c++ = (uint8_t)(reg << 3 | 4);
	*c++ = 0x25;
	nf_put32(c, addr);
	return c + 4;
}

/* In the native child: @h handles the faults a sequence can raise, on an
 * alternate stack (the sequence owns RSP). */
static inline void nf_native_signals(void (*h)(int, siginfo_t *, void *))
{
	static const int sigs[] = { SIGFPE, SIGSEGV, SIGBUS, SIGILL, SIGTRAP };
	struct sigaction sa;
	stack_t ss;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	ss.ss_sp = malloc(65536);
	ss.ss_size = 65536;
	ss.ss_flags = 0;
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		_exit(3);
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Run @fn(@arg) in a forked child (results go to MAP_SHARED memory) and
 * wait for it.  Returns the wait status.  The child has a hang guard of
 * NF_HANG_GUARD_S seconds (SIGALRM); a batch takes well under a second.
 */
static inline int nf_native_batch(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		alarm(NF_HANG_GUARD_S);
		fn(arg);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		T_ASSERT(errno == EINTR);
	return status;
}

/* an MAP_SHARED array of @n elements of @size bytes (child results) */
static inline void *nf_shared(size_t n, size_t size)
{
	void *p = mmap(NULL, n * size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	T_ASSERT(p != MAP_FAILED);
	return p;
}

static inline unsigned long nf_env_count(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : def;
}

#endif
