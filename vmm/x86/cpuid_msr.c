// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpuid_msr.c --- CPUID, RDMSR/WRMSR, RDTSC(P), SYSENTER/SYSEXIT,
 *                 SYSCALL/SYSRET, SWAPGS
 *
 * The interpreter presents one fixed canonical CPU (canon.h): a family 6
 * GenuineIntel part at the x86-64-v2 level.  canon_cpuid[] below is the one
 * table that says what it has, and it lists exactly what the interpreter
 * implements (SDM vol. 2, CPUID):
 *   leaf 1 EDX: FPU DE PSE TSC MSR PAE CX8 APIC SEP MTRR PGE CMOV PAT CLFSH
 *               MMX FXSR SSE SSE2 (APIC only on a CPU built with a local
 *               APIC, lapic.c; EBX[31:24] its initial APIC ID);
 *   leaf 1 ECX: SSE3 SSSE3 CX16 SSE4.1 SSE4.2 POPCNT;
 *   leaf 80000001H: LAHF-SAHF (ECX); SYSCALL NX Page1GB RDTSCP LM (EDX);
 *   leaf 80000008H: 40 physical, 48 linear address bits.
 * The MSRs are those the features imply (vol. 4): TSC, APIC_BASE (BSP
 * flag read only; EN enables the local APIC, stays 0 without one), MISC_ENABLE, MTRRs (8 variable, fixed, WC; read back what was
 * written), PAT (valid types only), SYSENTER_*, EFER (SCE LME LMA NXE),
 * STAR/LSTAR/CSTAR/FMASK, FS/GS/KERNEL_GS base, TSC_AUX; any other MSR is
 * #GP(0).  The TSC runs at 1 GHz of virtual time.  SYSCALL/SYSRET and
 * SYSENTER/SYSEXIT follow vol. 2 and vol. 3, 5.8.7-5.8.8 for Intel
 * processors (SYSCALL only in 64-bit mode).  x86_cpuid_filter() lets an
 * engine that runs on a real CPU (KVM) show at most this CPU.
 */
#include <string.h>

#include "vmm/x86/canon.h"
#include "vmm/x86/cpu.h"

/* CPUID.1:EDX */
#define F1D_FPU		(1u << 0)
#define F1D_DE		(1u << 2)
#define F1D_PSE		(1u << 3)
#define F1D_TSC		(1u << 4)
#define F1D_MSR		(1u << 5)
#define F1D_PAE		(1u << 6)
#define F1D_CX8		(1u << 8)
#define F1D_APIC	(1u << 9)
#define F1D_SEP		(1u << 11)
#define F1D_MTRR	(1u << 12)
#define F1D_PGE		(1u << 13)
#define F1D_CMOV	(1u << 15)
#define F1D_PAT		(1u << 16)
#define F1D_CLFSH	(1u << 19)
#define F1D_MMX		(1u << 23)
#define F1D_FXSR	(1u << 24)
#define F1D_SSE		(1u << 25)
#define F1D_SSE2	(1u << 26)
/* CPUID.1:ECX */
#define F1C_SSE3	(1u << 0)
#define F1C_SSSE3	(1u << 9)
#define F1C_CX16	(1u << 13)
#define F1C_SSE41	(1u << 19)
#define F1C_SSE42	(1u << 20)
#define F1C_POPCNT	(1u << 23)
#define F1C_TSCDL	(1u << 24)	/* TSC-deadline timer (lapic.c) */
/* CPUID.80000001H */
#define FX1C_LAHF	(1u << 0)
#define FX1D_SYSCALL	(1u << 11)
#define FX1D_NX		(1u << 20)
#define FX1D_PDPE1GB	(1u << 26)
#define FX1D_RDTSCP	(1u << 27)
#define FX1D_LM		(1u << 29)

/* integer, system and x87/SIMD units (tests/unit/x86/test_fpu_native) */
#define CANON_1_EDX	(F1D_FPU | F1D_DE | F1D_PSE | F1D_TSC | F1D_MSR | \
			 F1D_PAE | F1D_CX8 | F1D_APIC | F1D_SEP | F1D_MTRR | F1D_PGE | \
			 F1D_CMOV | F1D_PAT | F1D_CLFSH | F1D_MMX | F1D_FXSR | \
			 F1D_SSE | F1D_SSE2)
#define CANON_1_ECX	(F1C_SSE3 | F1C_SSSE3 | F1C_CX16 | F1C_SSE41 | \
			 F1C_SSE42 | F1C_POPCNT | F1C_TSCDL)
#define CANON_X1_ECX	FX1C_LAHF
#define CANON_X1_EDX	(FX1D_SYSCALL | FX1D_NX | FX1D_PDPE1GB | FX1D_RDTSCP | \
			 FX1D_LM)

/* registers of a leaf that hold feature flags (x86_cpuid_filter ANDs them) */
#define FEAT_EAX	1u
#define FEAT_EBX	2u
#define FEAT_ECX	4u
#define FEAT_EDX	8u

struct canon_leaf {
	uint32_t	leaf;		/* EAX input */
	uint32_t	r[4];		/* EAX, EBX, ECX, EDX (subleaf 0) */
	uint8_t		feat;		/* FEAT_*: registers of feature flags */
};

/* the canonical CPU; leaves 0 and 80000002H-80000004H (strings) in code */
static const struct canon_leaf canon_cpuid[] = {
	/* signature; CLFLUSH line 8 x 8 bytes */
	{ 1, { X86_CANON_SIGNATURE, 0x00000800u, CANON_1_ECX, CANON_1_EDX },
	  FEAT_ECX | FEAT_EDX },
	{ 2, { 0x00000001u, 0, 0, 0 }, 0 },	/* no cache descriptors */
	{ 3, { 0, 0, 0, 0 }, 0 },
	{ 4, { 0, 0, 0, 0 }, 0 },		/* no deterministic cache info */
	{ 5, { 0, 0, 0, 0 }, 0 },
	{ 6, { 0, 0, 0, 0 }, 0 },
	{ 7, { 0, X86_CANON_CPUID7_EBX, 0, 0 }, FEAT_EBX | FEAT_ECX | FEAT_EDX },
	{ 0x80000000u, { X86_CANON_MAX_XLEAF, 0, 0, 0 }, 0 },
	{ 0x80000001u, { 0, 0, CANON_X1_ECX, CANON_X1_EDX }, FEAT_ECX | FEAT_EDX },
	{ 0x80000005u, { 0, 0, 0, 0 }, 0 },
	{ 0x80000006u, { 0, 0, 0, 0 }, 0 },
	{ 0x80000007u, { 0, 0, 0, 0 }, 0 },
	{ 0x80000008u, { 0x3000u | X86_PHYS_BITS, 0, 0, 0 }, 0 },
};

static const char brand[48] = "dualvm interpreter CPU (x86-64-v2)";

/* the leaf that answers @leaf (Intel: past the maximum, the highest
 * standard leaf) */
static uint32_t canon_leaf(uint32_t leaf)
{
	if (leaf & 0x80000000u)
		return leaf > X86_CANON_MAX_XLEAF ? X86_CANON_MAX_LEAF : leaf;
	return leaf > X86_CANON_MAX_LEAF ? X86_CANON_MAX_LEAF : leaf;
}

static const struct canon_leaf *canon_find(uint32_t leaf)
{
	for (size_t i = 0; i < sizeof(canon_cpuid) / sizeof(canon_cpuid[0]); i++)
		if (canon_cpuid[i].leaf == leaf)
			return &canon_cpuid[i];
	return NULL;
}

void x86_canon_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	const struct canon_leaf *l;

	leaf = canon_leaf(leaf);
	memset(out, 0, 4 * sizeof(out[0]));
	if (leaf == 0) {
		out[0] = X86_CANON_MAX_LEAF;
		memcpy(&out[1], X86_CANON_VENDOR, 4);		/* EBX */
		memcpy(&out[3], X86_CANON_VENDOR + 4, 4);	/* EDX */
		memcpy(&out[2], X86_CANON_VENDOR + 8, 4);	/* ECX */
		return;
	}
	if (leaf >= 0x80000002u && leaf <= 0x80000004u) {
		memcpy(out, brand + (leaf - 0x80000002u) * 16, 16);
		return;
	}
	if (leaf == 7 && subleaf != 0)
		return;
	l = canon_find(leaf);
	if (l)
		memcpy(out, l->r, 4 * sizeof(out[0]));
}

bool x86_cpuid_filter(uint32_t leaf, uint32_t subleaf, const uint32_t host[4],
		      uint32_t out[4])
{
	const struct canon_leaf *l = canon_find(leaf);
	unsigned int i;

	if (leaf != 0 && !(leaf >= 0x80000002u && leaf <= 0x80000004u) && !l)
		return false;
	x86_canon_cpuid(leaf, subleaf, out);
	for (i = 0; l && i < 4; i++)
		if (l->feat & (1u << i))
			out[i] &= host[i];
	return true;
}

/* IA32_PAT: every entry a valid memory type (0, 1, 4-7) */
static bool pat_valid(uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int t = (v >> (8 * i)) & 0xff;

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool msr_read(struct x86_cpu *c, uint32_t n, uint64_t *v)
{
	switch (n) {
	case 0x10: *v = c->bus->now_ns(c->bus->opaque) + c->tsc_offset; return true;
	case 0x17: *v = 0; return true;			/* PLATFORM_ID */
	case 0x1b: *v = c->apic_base; return true;
	case 0x8b: *v = 0; return true;			/* BIOS_SIGN_ID */
	case 0xfe: *v = 0x508; return true;		/* MTRRCAP: fixed, WC, 8 var */
	case 0x174: *v = c->sysenter_cs; return true;
	case 0x175: *v = c->sysenter_esp; return true;
	case 0x176: *v = c->sysenter_eip; return true;
	case 0x1a0: *v = c->misc_enable; return true;
	case 0x277: *v = c->pat; return true;
	case 0x2ff: *v = c->mtrr_def; return true;
	case 0x250: *v = c->mtrr_fixed[0]; return true;
	case 0x258: case 0x259: *v = c->mtrr_fixed[n - 0x257]; return true;
	case 0x268 ... 0x26f: *v = c->mtrr_fixed[n - 0x268 + 3]; return true;
	case 0x200 ... 0x20f: *v = c->mtrr_var[n - 0x200]; return true;
	case 0xc0000080: *v = c->efer; return true;
	case 0xc0000081: *v = c->star; return true;
	case 0xc0000082: *v = c->lstar; return true;
	case 0xc0000083: *v = c->cstar; return true;
	case 0xc0000084: *v = c->sfmask; return true;
	case 0xc0000100: *v = c->seg[X86_FS].base; return true;
	case 0xc0000101: *v = c->seg[X86_GS].base; return true;
	case 0xc0000102: *v = c->kernel_gs_base; return true;
	case 0xc0000103: *v = c->tsc_aux; return true;
	case 0x6e0:			/* IA32_TSC_DEADLINE */
		*v = c->lapic ? x86_lapic_tsc_deadline_read(c->lapic) : 0;
		return true;
	}
	return false;
}

/* EFER: SCE and NXE any time, LME only while paging is off; LMA is read
 * only (CR0.PG with LME sets it) */
static bool efer_write(struct x86_cpu *c, uint64_t v)
{
	if (v & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return false;
	if ((c->cr0 & X86_CR0_PG) && ((v ^ c->efer) & EFER_LME))
		return false;
	c->efer = (v & ~(uint64_t)EFER_LMA) | (c->efer & EFER_LMA);
	x86_tlb_flush(c, true);
	return true;
}

static bool msr_write(struct x86_cpu *c, uint32_t n, uint64_t v)
{
	switch (n) {
	case 0x10: c->tsc_offset = v - c->bus->now_ns(c->bus->opaque); return true;
	case 0x1b:			/* BSP (read only), EN, base */
		if (v & ~(0x900ull | (X86_PHYS_MASK & ~0xfffull)))
			return false;
		c->apic_base = (v & ~0x100ull) | (c->apic_base & 0x100);
		if (!c->lapic)
			c->apic_base &= ~0x800ull;	/* no APIC to enable */
		else
			x86_lapic_set_enabled(c->lapic, v & 0x800);
		x86_tlb_flush(c, true);	/* the APIC page moved or went */
		return true;
	case 0x8b: return true;
	case 0x6e0:			/* IA32_TSC_DEADLINE */
		if (c->lapic) {
			uint64_t now = c->bus->now_ns(c->bus->opaque);
			uint64_t tsc = now + c->tsc_offset;

			/* a deadline already passed fires at once */
			x86_lapic_tsc_deadline_write(c->lapic, v,
				!v ? 0 : v <= tsc ? now : now + (v - tsc));
		}
		return true;
	case 0x1a0:			/* only fast strings can change */
		c->misc_enable = (c->misc_enable & ~1ull) | (v & 1);
		return true;
	case 0x174: c->sysenter_cs = v & 0xffff; return true;
	case 0x175: case 0x176:
		if (!is_canonical(v))
			return false;
		if (n == 0x175)
			c->sysenter_esp = v;
		else
			c->sysenter_eip = v;
		return true;
	case 0x277:
		if (!pat_valid(v))
			return false;
		c->pat = v;
		return true;
	case 0x2ff: c->mtrr_def = v; return true;
	case 0x250: c->mtrr_fixed[0] = v; return true;
	case 0x258: case 0x259: c->mtrr_fixed[n - 0x257] = v; return true;
	case 0x268 ... 0x26f: c->mtrr_fixed[n - 0x268 + 3] = v; return true;
	case 0x200 ... 0x20f: c->mtrr_var[n - 0x200] = v; return true;
	case 0xc0000080: return efer_write(c, v);
	case 0xc0000081: c->star = v; return true;
	case 0xc0000084:
		if (v >> 32)
			return false;
		c->sfmask = v;
		return true;
	case 0xc0000103:
		if (v >> 32)
			return false;
		c->tsc_aux = v;
		return true;
	case 0xc0000082: case 0xc0000083:
	case 0xc0000100: case 0xc0000101: case 0xc0000102:
		if (!is_canonical(v))
			return false;
		if (n == 0xc0000082)
			c->lstar = v;
		else if (n == 0xc0000083)
			c->cstar = v;
		else if (n == 0xc0000100)
			c->seg[X86_FS].base = v;
		else if (n == 0xc0000101)
			c->seg[X86_GS].base = v;
		else
			c->kernel_gs_base = v;
		return true;
	}
	return false;
}

/* flat 4 GiB segment: 32-bit (@l64 false) or 64-bit code (L = 1) */
static void flat_seg(struct x86_seg *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = attr;
}

#define ATTR_CODE64(dpl)	(0xa09b | (dpl) << 5)	/* G L P S type B */
#define ATTR_CODE32(dpl)	(0xc09b | (dpl) << 5)	/* G D P S type B */
#define ATTR_DATA(dpl)		(0xc093 | (dpl) << 5)	/* G B P S type 3 */

static void exec_sysenter(struct x86_cpu *c)
{
	bool lma = x86_lma(c);

	if (!(c->cr0 & X86_CR0_PE) || !(c->sysenter_cs & ~3u))
		x86_gp0(c);
	c->eflags &= ~(FL_VM | FL_IF | FL_RF);
	flat_seg(&c->seg[X86_CS], c->sysenter_cs & 0xfffc,
		 lma ? ATTR_CODE64(0) : ATTR_CODE32(0));
	flat_seg(&c->seg[X86_SS], (c->sysenter_cs + 8) & 0xfffc, ATTR_DATA(0));
	c->cpl = 0;
	x86_mode_update(c);
	c->gpr[X86_RSP] = lma ? c->sysenter_esp : (uint32_t)c->sysenter_esp;
	c->next_ip = lma ? c->sysenter_eip : (uint32_t)c->sysenter_eip;
}

static void exec_sysexit(struct x86_cpu *c, const struct x86_insn *in)
{
	bool to64 = in->opsize == 8;

	if (!(c->cr0 & X86_CR0_PE) || (c->eflags & FL_VM) || c->cpl ||
	    !(c->sysenter_cs & ~3u))
		x86_gp0(c);
	if (to64 && (!is_canonical(c->gpr[X86_RCX]) ||
		     !is_canonical(c->gpr[X86_RDX])))
		x86_gp0(c);
	flat_seg(&c->seg[X86_CS], (c->sysenter_cs + (to64 ? 32 : 16)) | 3,
		 to64 ? ATTR_CODE64(3) : ATTR_CODE32(3));
	flat_seg(&c->seg[X86_SS], (c->sysenter_cs + (to64 ? 40 : 24)) | 3,
		 ATTR_DATA(3));
	c->cpl = 3;
	x86_mode_update(c);
	c->gpr[X86_RSP] = to64 ? c->gpr[X86_RCX] : (uint32_t)c->gpr[X86_RCX];
	c->next_ip = to64 ? c->gpr[X86_RDX] : (uint32_t)c->gpr[X86_RDX];
}

/* SYSCALL (64-bit mode only, EFER.SCE): CS/SS from STAR[47:32], RIP from
 * LSTAR, RCX = return RIP, R11 = RFLAGS, RFLAGS &= ~FMASK */
static void exec_syscall(struct x86_cpu *c)
{
	uint16_t sel = (uint16_t)(c->star >> 32);
	uint32_t fl = x86_flags_get(c);

	if (!(c->efer & EFER_SCE))
		x86_ud(c);
	c->gpr[X86_RCX] = c->next_ip;
	c->gpr[X86_R11] = fl & ~FL_RF;
	flat_seg(&c->seg[X86_CS], sel & 0xfffc, ATTR_CODE64(0));
	flat_seg(&c->seg[X86_SS], (sel + 8) & 0xfffc, ATTR_DATA(0));
	c->cpl = 0;
	x86_flags_put(c, (fl & ~(uint32_t)c->sfmask & ~(FL_RF | FL_VM)) |
		      X86_RFLAGS_FIXED);
	x86_mode_update(c);
	c->next_ip = c->lstar;
}

/* SYSRET: to 64-bit mode (REX.W, RIP = RCX) or compatibility mode (EIP =
 * ECX); CS/SS from STAR[63:48], RFLAGS from R11 */
static void exec_sysret(struct x86_cpu *c, const struct x86_insn *in)
{
	uint16_t sel = (uint16_t)(c->star >> 48);
	bool to64 = in->opsize == 8;

	if (!(c->efer & EFER_SCE))
		x86_ud(c);
	if (c->cpl)
		x86_gp0(c);
	if (to64 && !is_canonical(c->gpr[X86_RCX]))
		x86_gp0(c);
	flat_seg(&c->seg[X86_CS], (sel + (to64 ? 16 : 0)) | 3,
		 to64 ? ATTR_CODE64(3) : ATTR_CODE32(3));
	flat_seg(&c->seg[X86_SS], (sel + 8) | 3, ATTR_DATA(3));
	c->cpl = 3;
	x86_flags_put(c, ((uint32_t)c->gpr[X86_R11] & ~(FL_RF | FL_VM)) |
		      X86_RFLAGS_FIXED);
	x86_mode_update(c);
	c->next_ip = to64 ? c->gpr[X86_RCX] : (uint32_t)c->gpr[X86_RCX];
}

uint64_t x86_tsc_now(struct x86_cpu *c)
{
	return c->bus->now_ns(c->bus->opaque) + c->tsc_offset;
}

static uint64_t tsc_read(struct x86_cpu *c)
{
	if ((c->cr4 & CR4_TSD) && c->cpl)
		x86_gp0(c);
	return x86_tsc_now(c);
}

bool x86_exec_cpuid_msr(struct x86_cpu *c, const struct x86_insn *in)
{
	uint32_t r[4];
	uint64_t v;

	switch (in->op) {
	case 0x1a2:
		x86_canon_cpuid((uint32_t)c->gpr[X86_RAX],
				(uint32_t)c->gpr[X86_RCX], r);
		if (canon_leaf((uint32_t)c->gpr[X86_RAX]) == 1) {
			if (c->lapic)	/* initial APIC ID */
				r[1] |= (uint32_t)c->lapic->id << 24;
			else
				r[3] &= ~F1D_APIC;
		}
		c->gpr[X86_RAX] = r[0];
		c->gpr[X86_RBX] = r[1];
		c->gpr[X86_RCX] = r[2];
		c->gpr[X86_RDX] = r[3];
		return true;
	case 0x131:		/* RDTSC */
		v = tsc_read(c);
		c->gpr[X86_RAX] = (uint32_t)v;
		c->gpr[X86_RDX] = (uint32_t)(v >> 32);
		return true;
	case 0x101:		/* 0F 01 F8 SWAPGS, F9 RDTSCP */
		if ((in->modrm & 7) == 0) {
			if (c->cpl)
				x86_gp0(c);
			v = c->seg[X86_GS].base;
			c->seg[X86_GS].base = c->kernel_gs_base;
			c->kernel_gs_base = v;
			return true;
		}
		v = tsc_read(c);
		c->gpr[X86_RAX] = (uint32_t)v;
		c->gpr[X86_RDX] = (uint32_t)(v >> 32);
		c->gpr[X86_RCX] = (uint32_t)c->tsc_aux;
		return true;
	case 0x130:		/* WRMSR */
	case 0x132:		/* RDMSR */
		if (c->cpl)
			x86_gp0(c);
		if (in->op == 0x132) {
			if (!msr_read(c, (uint32_t)c->gpr[X86_RCX], &v))
				x86_gp0(c);
			c->gpr[X86_RAX] = (uint32_t)v;
			c->gpr[X86_RDX] = (uint32_t)(v >> 32);
		} else {
			v = (uint32_t)c->gpr[X86_RAX] | (c->gpr[X86_RDX] << 32);
			if (!msr_write(c, (uint32_t)c->gpr[X86_RCX], v))
				x86_gp0(c);
		}
		return true;
	case 0x133:		/* RDPMC: no counters */
		x86_gp0(c);
	case 0x134:
		exec_sysenter(c);
		return true;
	case 0x135:
		exec_sysexit(c, in);
		return true;
	case 0x105:
		exec_syscall(c);
		return true;
	case 0x107:
		exec_sysret(c, in);
		return true;
	}
	return false;
}
