// SPDX-License-Identifier: GPL-2.0-only
/*
 * x87_host.c --- run one x87/MMX/SSE-SSE4.2 instruction on the host FPU
 *
 * The host is x86-64 and its FPU implements the same x87/SSE arithmetic as
 * the canonical guest CPU (SDM vol. 1, ch. 8-12); the SSE3-SSE4.2
 * instructions need an x86-64-v2 host.  Each distinct normalised
 * instruction (mandatory prefix, REX with W and the XMM8-15 bits, opcode
 * with its 0F/0F 38/0F 3A escape, ModRM with the memory operand rewritten
 * to [rsi] and a general register to RAX, imm8) gets a small host stub:
 *
 *	mov r8, rdx		the argument block
 *	fxsave [r8+64]		host state aside
 *	fxrstor [rdi]		guest image in
 *	mov rax, [r8]; mov rcx, [r8+16]; mov rdx, [r8+24]	GPRs in
 *	push [r8+8]; popfq	EFLAGS in
 *	<instruction>
 *	pushfq; pop [r8+8]; mov [r8], rax; mov [r8+16], rcx; mov [r8+24], rdx
 *	fxsave [rdi]		guest image out (FXSAVE is non-waiting)
 *	fxrstor [r8+64]		host state back
 *	ret
 *
 * Stubs live in a per-CPU direct-mapped cache.  Its pages are never
 * writable and executable through the same address (W^X): a memfd is
 * mapped twice, once read/write (where stubs are emitted) and once
 * read/execute (where they run); x86 keeps the two views coherent, as
 * self-modifying code is detected by physical address (SDM vol. 3, 11.6).
 * Where a memfd cannot be made, one anonymous mapping is flipped between
 * RW and RX with mprotect() around each emission; that costs two system
 * calls per new stub, ruinous on hosts where mprotect() is slow (seen:
 * 0.3 ms each under a nested hypervisor, most of a test's run time).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "vmm/x86/fpu.h"

#if !defined(__x86_64__)
#error "the x87/SSE units execute on the host FPU: x86-64 hosts only"
#endif

#define STUB_SIZE	64
#define STUB_SLOTS	2048

struct fpu_host {
	uint8_t		*code;			/* STUB_SLOTS x STUB_SIZE, RX */
	uint8_t		*wr;			/* its RW view, or NULL: flip */
	uint64_t	key[STUB_SLOTS];	/* normalised bytes | len << 56 */
};

/* host stub argument block: rdx */
struct stub_blk {
	uint64_t	eax;			/* GPR operand, RAX */
	uint64_t	rflags;			/* arithmetic flags */
	uint64_t	rcx, rdx;		/* RCX, RDX (PCMPxSTRx) */
	uint8_t		pad[32];
	uint8_t		host[512] __attribute__((aligned(16))); /* host FPU */
} __attribute__((aligned(64)));

_Static_assert(__builtin_offsetof(struct stub_blk, host) == 64,
	       "stub expects the host save area at rdx+64");

typedef void (*stub_fn)(uint8_t *img, uint8_t *mem, struct stub_blk *blk);

bool x86_fpu_host_v2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("sse3") && __builtin_cpu_supports("ssse3") &&
	       __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("sse4.2");
}

void x86_fpu_destroy(struct x86_cpu *c)
{
	struct fpu_host *h = c->fpu_host;

	if (!h)
		return;
	munmap(h->code, STUB_SLOTS * STUB_SIZE);
	if (h->wr)
		munmap(h->wr, STUB_SLOTS * STUB_SIZE);
	free(h);
	c->fpu_host = NULL;
}

/* The stub pages as a memfd mapped RW at h->wr and RX at h->code. */
static bool map_dual(struct fpu_host *h)
{
	size_t len = STUB_SIZE * STUB_SLOTS;
	void *wr, *rx;
	int fd;

	fd = memfd_create("dualvm-x87-stubs", MFD_CLOEXEC);
	if (fd < 0)
		return false;
	if (ftruncate(fd, (off_t)len)) {
		close(fd);
		return false;
	}
	wr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rx = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd);
	if (wr == MAP_FAILED || rx == MAP_FAILED) {
		if (wr != MAP_FAILED)
			munmap(wr, len);
		if (rx != MAP_FAILED)
			munmap(rx, len);
		return false;
	}
	h->wr = wr;
	h->code = rx;
	return true;
}

static struct fpu_host *host_get(struct x86_cpu *c)
{
	struct fpu_host *h = c->fpu_host;

	if (h)
		return h;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (!map_dual(h)) {
		h->code = mmap(NULL, STUB_SIZE * STUB_SLOTS, PROT_READ | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h->code == MAP_FAILED) {
			free(h);
			return NULL;
		}
	}
	c->fpu_host = h;
	return h;
}

/* normalised instruction bytes; returns the length */
static unsigned int norm_bytes(const struct x86_insn *in,
			       const struct fpu_op *op, uint8_t *b)
{
	unsigned int n = 0;
	uint8_t modrm = in->modrm;

	if (op->pfx)
		b[n++] = op->pfx;
	if (op->rex)
		b[n++] = op->rex;
	if (in->op >= 0x100)
		b[n++] = 0x0f;
	if (in->op >= 0x300)
		b[n++] = 0x3a;
	else if (in->op >= 0x200)
		b[n++] = 0x38;
	b[n++] = (uint8_t)in->op;
	if (in->flags & X86_IF_MODRM) {
		if (in->flags & X86_IF_MEM)
			modrm = (uint8_t)((modrm & 0x38) | 0x06);	/* [rsi] */
		else if (op->gpr == FPU_GPR_RM_IN || op->gpr == FPU_GPR_RM_OUT)
			modrm &= 0xf8;
		if (op->gpr == FPU_GPR_REG_OUT)
			modrm &= 0xc7;
		b[n++] = modrm;
	}
	if (op->has_imm)
		b[n++] = op->imm8;
	return n;
}

static const uint8_t stub_head[] = {
	0x49, 0x89, 0xd0,		/* mov r8, rdx */
	0x41, 0x0f, 0xae, 0x40, 0x40,	/* fxsave [r8+64] */
	0x0f, 0xae, 0x0f,		/* fxrstor [rdi] */
	0x49, 0x8b, 0x00,		/* mov rax, [r8] */
	0x49, 0x8b, 0x48, 0x10,		/* mov rcx, [r8+16] */
	0x49, 0x8b, 0x50, 0x18,		/* mov rdx, [r8+24] */
	0x41, 0xff, 0x70, 0x08,		/* push qword [r8+8] */
	0x9d,				/* popfq */
};

static const uint8_t stub_tail[] = {
	0x9c,				/* pushfq */
	0x41, 0x8f, 0x40, 0x08,		/* pop qword [r8+8] */
	0x49, 0x89, 0x00,		/* mov [r8], rax */
	0x49, 0x89, 0x48, 0x10,		/* mov [r8+16], rcx */
	0x49, 0x89, 0x50, 0x18,		/* mov [r8+24], rdx */
	0x0f, 0xae, 0x07,		/* fxsave [rdi] */
	0x41, 0x0f, 0xae, 0x48, 0x40,	/* fxrstor [r8+64] */
	0xc3,				/* ret */
};

static uint8_t *stub_get(struct x86_cpu *c, const uint8_t *b, unsigned int n)
{
	struct fpu_host *h = host_get(c);
	uint64_t key = (uint64_t)n << 56, hash;
	unsigned int slot;
	uint8_t *p, *w;

	if (!h)
		return NULL;
	memcpy(&key, b, n);
	key |= (uint64_t)n << 56;
	hash = key * 0x9e3779b97f4a7c15ull;
	slot = (unsigned int)(hash >> 40) % STUB_SLOTS;
	p = h->code + slot * STUB_SIZE;
	if (h->key[slot] == key)
		return p;
	w = h->wr ? h->wr + slot * STUB_SIZE : p;
	h->key[slot] = 0;
	if (!h->wr && mprotect(h->code, STUB_SIZE * STUB_SLOTS,
			       PROT_READ | PROT_WRITE))
		return NULL;
	memcpy(w, stub_head, sizeof(stub_head));
	memcpy(w + sizeof(stub_head), b, n);
	memcpy(w + sizeof(stub_head) + n, stub_tail, sizeof(stub_tail));
	if (!h->wr && mprotect(h->code, STUB_SIZE * STUB_SLOTS,
			       PROT_READ | PROT_EXEC))
		return NULL;
	__builtin___clear_cache((char *)p, (char *)p + STUB_SIZE);
	h->key[slot] = key;
	return p;
}

_Static_assert(sizeof(stub_head) + 8 + sizeof(stub_tail) <= STUB_SIZE,
	       "stub does not fit its slot");

/*
 * SIGFPE while a stub runs with unmasked MXCSR exceptions: resume at the
 * stub tail (the kernel restores the FPU state of the fault: destination
 * unchanged, MXCSR flags as hardware reports them).  Any other SIGFPE
 * gets the default action when it re-executes.
 */
static void fpu_trap(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	const uint8_t *ip = (const uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
	unsigned int k;

	(void)si;
	for (k = 0; k < 16; k++) {
		if (!memcmp(ip + k, stub_tail, sizeof(stub_tail))) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)(ip + k);
			return;
		}
	}
	signal(sig, SIG_DFL);
}

bool x86_fpu_host_run_trapping(struct x86_cpu *c, const struct x86_insn *in,
			       uint8_t *img, struct fpu_op *op)
{
	struct sigaction sa, old;
	bool ok;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fpu_trap;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGFPE, &sa, &old))
		return false;
	ok = x86_fpu_host_run(c, in, img, op);
	sigaction(SIGFPE, &old, NULL);
	return ok;
}

bool x86_fpu_host_run(struct x86_cpu *c, const struct x86_insn *in,
		      uint8_t *img, struct fpu_op *op)
{
	struct stub_blk blk;
	uint8_t b[8];
	unsigned int n = norm_bytes(in, op, b);
	uint8_t *stub = stub_get(c, b, n);
	uint8_t ptrs[FX_MXCSR - FX_FOP];
	uint32_t mx;

	if (!stub) {
		snprintf(c->errmsg, sizeof(c->errmsg),
			 "x87/SSE: cannot map host code: %s", strerror(errno));
		c->error = true;
		return false;
	}
	/* the host must accept the image: only architecturally valid MXCSR */
	memcpy(&mx, img + FX_MXCSR, 4);
	mx &= MXCSR_VALID;
	memcpy(img + FX_MXCSR, &mx, 4);
	/* FOP..FDS: hosts with "FCS/FDS deprecation" store zeroes there */
	memcpy(ptrs, img + FX_FOP, sizeof(ptrs));
	blk.eax = op->eax;
	blk.rcx = op->ecx;
	blk.rdx = op->edx;
	blk.rflags = 0x2 | (op->eflags & FL_ARITH);
	((stub_fn)(void *)stub)(img, op->mem, &blk);
	memcpy(img + FX_FOP, ptrs, sizeof(ptrs));
	op->eax = blk.eax;
	op->ecx = blk.rcx;
	op->edx = blk.rdx;
	op->eflags = (uint32_t)blk.rflags & FL_ARITH;
	return true;
}
