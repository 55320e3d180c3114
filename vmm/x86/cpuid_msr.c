// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpuid_msr.c --- CPUID, RDMSR/WRMSR, RDTSC, SYSENTER/SYSEXIT
 *
 * The interpreter presents one fixed canonical CPU (canon.h): a family 6
 * "dualvm" GenuineIntel part that advertises only what the interpreter
 * implements (CPUID leaf 1 EDX: DE PSE TSC MSR PAE CX8 SEP MTRR PGE CMOV PAT, plus
 * what x87.c/simd.c implement; leaf 80000001 EDX: NX with EFER.NXE).  The
 * TSC runs at 1 GHz of virtual time.  MTRRs read back what was written.
 * (SDM vol. 2 CPUID; vol. 4 MSR list; vol. 3, 5.8.7 SYSENTER/SYSEXIT)
 */
#include <string.h>

#include "vmm/x86/canon.h"
#include "vmm/x86/cpu.h"

#define CPUID_1_EDX	((1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | \
			 (1u << 6) | (1u << 8) | (1u << 11) | (1u << 12) | \
			 (1u << 13) | (1u << 15) | (1u << 16) | \
			 CPUID_1_EDX_FPU_SIMD)
/* FPU, MMX, FXSR, SSE, SSE2: x87.c, simd.c (tests/unit/x86/test_fpu_native) */
#define CPUID_1_EDX_FPU_SIMD	((1u << 0) | (1u << 23) | (1u << 24) | \
				 (1u << 25) | (1u << 26))

static const char brand[48] = "dualvm interpreter CPU (Pentium III class)";

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	memset(r, 0, 4 * sizeof(r[0]));
	switch (leaf) {
	case 0:
		r[0] = X86_CANON_MAX_LEAF;
		memcpy(&r[1], X86_CANON_VENDOR, 4);		/* EBX */
		memcpy(&r[3], X86_CANON_VENDOR + 4, 4);	/* EDX */
		memcpy(&r[2], X86_CANON_VENDOR + 8, 4);	/* ECX */
		break;
	case 1:
		r[0] = X86_CANON_SIGNATURE;	/* family 6, model 8, stepping 3 */
		r[3] = CPUID_1_EDX;
		break;
	case 2:
		r[0] = 0x00000001;		/* no cache descriptors */
		break;
	case 0x80000000:
		r[0] = 0x80000004;
		break;
	case 0x80000001:
		r[3] = 1u << 20;		/* NX (PAE page tables, EFER.NXE) */
		break;
	case 0x80000002:
	case 0x80000003:
	case 0x80000004:
		memcpy(r, brand + (leaf - 0x80000002) * 16, 16);
		break;
	}
}

static bool msr_read(struct x86_cpu *c, uint32_t n, uint64_t *v)
{
	switch (n) {
	case 0x10: *v = c->bus->now_ns(c->bus->opaque) + c->tsc_offset; return true;
	case 0xc0000080: *v = c->efer; return true;	/* EFER */
	case 0x17: *v = 0; return true;			/* PLATFORM_ID */
	case 0x1b: *v = c->apic_base; return true;
	case 0x8b: *v = 0; return true;			/* BIOS_SIGN_ID */
	case 0xfe: *v = 0x508; return true;		/* MTRRCAP: fixed, WC, 8 var */
	case 0x174: *v = c->sysenter_cs; return true;
	case 0x175: *v = c->sysenter_esp; return true;
	case 0x176: *v = c->sysenter_eip; return true;
	case 0x179: case 0x17a: *v = 0; return true;	/* MCG_CAP/STATUS */
	case 0x1a0: *v = 0; return true;		/* MISC_ENABLE */
	case 0x277: *v = c->pat; return true;
	case 0x2ff: *v = c->mtrr_def; return true;
	case 0x250: *v = c->mtrr_fixed[0]; return true;
	case 0x258: case 0x259: *v = c->mtrr_fixed[n - 0x257]; return true;
	case 0x268 ... 0x26f: *v = c->mtrr_fixed[n - 0x268 + 3]; return true;
	case 0x200 ... 0x20f: *v = c->mtrr_var[n - 0x200]; return true;
	}
	return false;
}

static bool msr_write(struct x86_cpu *c, uint32_t n, uint64_t v)
{
	switch (n) {
	case 0x10: c->tsc_offset = v - c->bus->now_ns(c->bus->opaque); return true;
	case 0x1b: c->apic_base = v; return true;
	case 0xc0000080:		/* EFER: only NXE (no long mode, no SYSCALL) */
		if (v & ~(1ull << 11))
			return false;
		c->efer = v;
		x86_tlb_flush(c, true);
		return true;
	case 0x8b: case 0x17a: case 0x1a0: return true;
	case 0x174: c->sysenter_cs = v & 0xffff; return true;
	case 0x175: c->sysenter_esp = (uint32_t)v; return true;
	case 0x176: c->sysenter_eip = (uint32_t)v; return true;
	case 0x277: c->pat = v; return true;
	case 0x2ff: c->mtrr_def = v; return true;
	case 0x250: c->mtrr_fixed[0] = v; return true;
	case 0x258: case 0x259: c->mtrr_fixed[n - 0x257] = v; return true;
	case 0x268 ... 0x26f: c->mtrr_fixed[n - 0x268 + 3] = v; return true;
	case 0x200 ... 0x20f: c->mtrr_var[n - 0x200] = v; return true;
	}
	return false;
}

static void flat_seg(struct x86_seg *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = attr;
}

bool x86_exec_cpuid_msr(struct x86_cpu *c, const struct x86_insn *in)
{
	uint32_t r[4];
	uint64_t v;

	switch (in->op) {
	case 0x1a2:
		cpuid((uint32_t)c->gpr[X86_RAX], r);
		c->gpr[X86_RAX] = r[0];
		c->gpr[X86_RBX] = r[1];
		c->gpr[X86_RCX] = r[2];
		c->gpr[X86_RDX] = r[3];
		return true;
	case 0x131:		/* RDTSC */
		if ((c->cr4 & CR4_TSD) && c->cpl)
			x86_gp0(c);
		v = c->bus->now_ns(c->bus->opaque) + c->tsc_offset;
		c->gpr[X86_RAX] = (uint32_t)v;
		c->gpr[X86_RDX] = (uint32_t)(v >> 32);
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
	case 0x134:		/* SYSENTER */
		if (!(c->cr0 & X86_CR0_PE) || !(c->sysenter_cs & ~3u))
			x86_gp0(c);
		c->eflags &= ~(FL_VM | FL_IF | FL_RF);
		flat_seg(&c->seg[X86_CS], c->sysenter_cs & 0xfffc, 0xc09b);
		flat_seg(&c->seg[X86_SS], (c->sysenter_cs + 8) & 0xfffc, 0xc093);
		c->cpl = 0;
		x86_mode_update(c);
		c->gpr[X86_RSP] = (uint32_t)c->sysenter_esp;
		c->next_ip = (uint32_t)c->sysenter_eip;
		return true;
	case 0x135:		/* SYSEXIT */
		if (!(c->cr0 & X86_CR0_PE) || (c->eflags & FL_VM) || c->cpl ||
		    !(c->sysenter_cs & ~3u))
			x86_gp0(c);
		flat_seg(&c->seg[X86_CS], (c->sysenter_cs + 16) | 3, 0xc0fb);
		flat_seg(&c->seg[X86_SS], (c->sysenter_cs + 24) | 3, 0xc0f3);
		c->cpl = 3;
		x86_mode_update(c);
		c->gpr[X86_RSP] = (uint32_t)c->gpr[X86_RCX];
		c->next_ip = (uint32_t)c->gpr[X86_RDX];
		return true;
	}
	return false;
}
