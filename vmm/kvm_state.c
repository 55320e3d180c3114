// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm_state.c --- KVM vCPU state conversions and power-on state
 *
 * Segment attributes follow x86_state.h (descriptor byte 5 + flags nibble),
 * the FPU image follows the FXSAVE layout (Intel SDM vol. 1, table 10-2),
 * the power-on state follows Intel SDM vol. 3A table 9-1.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/kvm_state.h"

static const uint32_t state_msrs[] = {
	0x174, 0x175, 0x176,		/* SYSENTER_CS/ESP/EIP */
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,	/* STAR..SFMASK */
	0xc0000102,			/* KERNEL_GS_BASE */
	0x277,				/* PAT */
	0x10,				/* TSC */
};
#define NMSRS	(sizeof(state_msrs) / sizeof(state_msrs[0]))

struct msr_buf {
	struct kvm_msrs		hdr;
	struct kvm_msr_entry	e[NMSRS];
};

static void seg_from_kvm(struct x86_seg *s, const struct kvm_segment *k)
{
	s->base = k->base;
	s->limit = k->limit;
	s->sel = k->selector;
	s->attr = (uint16_t)((k->type & 0xf) | (k->s ? X86_SEG_ATTR_S : 0) |
		  ((k->dpl & 3) << X86_SEG_ATTR_DPL_SHIFT) |
		  (k->present ? X86_SEG_ATTR_P : 0) |
		  (k->avl ? X86_SEG_ATTR_AVL : 0) |
		  (k->l ? X86_SEG_ATTR_L : 0) | (k->db ? X86_SEG_ATTR_DB : 0) |
		  (k->g ? X86_SEG_ATTR_G : 0));
}

static void seg_to_kvm(struct kvm_segment *k, const struct x86_seg *s)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->sel;
	k->type = s->attr & X86_SEG_ATTR_TYPE;
	k->s = !!(s->attr & X86_SEG_ATTR_S);
	k->dpl = (s->attr >> X86_SEG_ATTR_DPL_SHIFT) & 3;
	k->present = !!(s->attr & X86_SEG_ATTR_P);
	k->avl = !!(s->attr & X86_SEG_ATTR_AVL);
	k->l = !!(s->attr & X86_SEG_ATTR_L);
	k->db = !!(s->attr & X86_SEG_ATTR_DB);
	k->g = !!(s->attr & X86_SEG_ATTR_G);
	k->unusable = !k->present;
}

static void fpu_from_kvm(uint8_t *fx, const struct kvm_fpu *f)
{
	memset(fx, 0, 512);
	memcpy(fx + 0, &f->fcw, 2);
	memcpy(fx + 2, &f->fsw, 2);
	fx[4] = f->ftwx;
	memcpy(fx + 6, &f->last_opcode, 2);
	memcpy(fx + 8, &f->last_ip, 8);
	memcpy(fx + 16, &f->last_dp, 8);
	memcpy(fx + 24, &f->mxcsr, 4);
	memcpy(fx + 32, f->fpr, 128);
	memcpy(fx + 160, f->xmm, 256);
}

static void fpu_to_kvm(struct kvm_fpu *f, const uint8_t *fx)
{
	memset(f, 0, sizeof(*f));
	memcpy(&f->fcw, fx + 0, 2);
	memcpy(&f->fsw, fx + 2, 2);
	f->ftwx = fx[4];
	memcpy(&f->last_opcode, fx + 6, 2);
	memcpy(&f->last_ip, fx + 8, 8);
	memcpy(&f->last_dp, fx + 16, 8);
	memcpy(&f->mxcsr, fx + 24, 4);
	memcpy(f->fpr, fx + 32, 128);
	memcpy(f->xmm, fx + 160, 256);
}

int kvm_state_get(int fd, struct x86_cpu_state *st)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct kvm_fpu f;
	struct msr_buf mb = { .hdr.nmsrs = NMSRS };
	unsigned int i;

	if (ioctl(fd, KVM_GET_REGS, &r) < 0 || ioctl(fd, KVM_GET_SREGS, &s) < 0 ||
	    ioctl(fd, KVM_GET_FPU, &f) < 0)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->gpr[X86_RAX] = r.rax; st->gpr[X86_RCX] = r.rcx;
	st->gpr[X86_RDX] = r.rdx; st->gpr[X86_RBX] = r.rbx;
	st->gpr[X86_RSP] = r.rsp; st->gpr[X86_RBP] = r.rbp;
	st->gpr[X86_RSI] = r.rsi; st->gpr[X86_RDI] = r.rdi;
	st->gpr[X86_R8] = r.r8; st->gpr[X86_R9] = r.r9;
	st->gpr[X86_R10] = r.r10; st->gpr[X86_R11] = r.r11;
	st->gpr[X86_R12] = r.r12; st->gpr[X86_R13] = r.r13;
	st->gpr[X86_R14] = r.r14; st->gpr[X86_R15] = r.r15;
	st->rip = r.rip;
	st->rflags = r.rflags;
	seg_from_kvm(&st->seg[X86_ES], &s.es);
	seg_from_kvm(&st->seg[X86_CS], &s.cs);
	seg_from_kvm(&st->seg[X86_SS], &s.ss);
	seg_from_kvm(&st->seg[X86_DS], &s.ds);
	seg_from_kvm(&st->seg[X86_FS], &s.fs);
	seg_from_kvm(&st->seg[X86_GS], &s.gs);
	seg_from_kvm(&st->ldtr, &s.ldt);
	seg_from_kvm(&st->tr, &s.tr);
	st->gdtr.base = s.gdt.base; st->gdtr.limit = s.gdt.limit;
	st->idtr.base = s.idt.base; st->idtr.limit = s.idt.limit;
	st->cr0 = s.cr0; st->cr2 = s.cr2; st->cr3 = s.cr3; st->cr4 = s.cr4;
	st->cr8 = s.cr8; st->efer = s.efer; st->apic_base = s.apic_base;
	fpu_from_kvm(st->fxsave, &f);
	for (i = 0; i < NMSRS; i++)
		mb.e[i].index = state_msrs[i];
	if (ioctl(fd, KVM_GET_MSRS, &mb) == (int)NMSRS) {
		st->sysenter_cs = mb.e[0].data;
		st->sysenter_esp = mb.e[1].data;
		st->sysenter_eip = mb.e[2].data;
		st->star = mb.e[3].data; st->lstar = mb.e[4].data;
		st->cstar = mb.e[5].data; st->sfmask = mb.e[6].data;
		st->kernel_gs_base = mb.e[7].data;
		st->pat = mb.e[8].data; st->tsc = mb.e[9].data;
	}
	return 0;
}

int kvm_state_set(int fd, const struct x86_cpu_state *st)
{
	struct kvm_regs r = {
		.rax = st->gpr[X86_RAX], .rcx = st->gpr[X86_RCX],
		.rdx = st->gpr[X86_RDX], .rbx = st->gpr[X86_RBX],
		.rsp = st->gpr[X86_RSP], .rbp = st->gpr[X86_RBP],
		.rsi = st->gpr[X86_RSI], .rdi = st->gpr[X86_RDI],
		.r8 = st->gpr[X86_R8], .r9 = st->gpr[X86_R9],
		.r10 = st->gpr[X86_R10], .r11 = st->gpr[X86_R11],
		.r12 = st->gpr[X86_R12], .r13 = st->gpr[X86_R13],
		.r14 = st->gpr[X86_R14], .r15 = st->gpr[X86_R15],
		.rip = st->rip, .rflags = st->rflags | X86_RFLAGS_FIXED,
	};
	struct kvm_sregs s;
	struct kvm_fpu f;
	struct msr_buf mb = { .hdr.nmsrs = NMSRS };
	const uint64_t v[NMSRS] = {
		st->sysenter_cs, st->sysenter_esp, st->sysenter_eip,
		st->star, st->lstar, st->cstar, st->sfmask,
		st->kernel_gs_base, st->pat, st->tsc,
	};
	unsigned int i;

	if (ioctl(fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	seg_to_kvm(&s.es, &st->seg[X86_ES]);
	seg_to_kvm(&s.cs, &st->seg[X86_CS]);
	seg_to_kvm(&s.ss, &st->seg[X86_SS]);
	seg_to_kvm(&s.ds, &st->seg[X86_DS]);
	seg_to_kvm(&s.fs, &st->seg[X86_FS]);
	seg_to_kvm(&s.gs, &st->seg[X86_GS]);
	seg_to_kvm(&s.ldt, &st->ldtr);
	seg_to_kvm(&s.tr, &st->tr);
	s.gdt.base = st->gdtr.base; s.gdt.limit = st->gdtr.limit;
	s.idt.base = st->idtr.base; s.idt.limit = st->idtr.limit;
	s.cr0 = st->cr0; s.cr2 = st->cr2; s.cr3 = st->cr3; s.cr4 = st->cr4;
	s.cr8 = st->cr8; s.efer = st->efer;
	s.apic_base = st->apic_base;
	memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
	fpu_to_kvm(&f, st->fxsave);
	if (ioctl(fd, KVM_SET_SREGS, &s) < 0 || ioctl(fd, KVM_SET_REGS, &r) < 0 ||
	    ioctl(fd, KVM_SET_FPU, &f) < 0)
		return -errno;
	for (i = 0; i < NMSRS; i++) {
		mb.e[i].index = state_msrs[i];
		mb.e[i].data = v[i];
	}
	ioctl(fd, KVM_SET_MSRS, &mb);
	return 0;
}

static void real_seg(struct x86_seg *s, uint16_t sel, uint64_t base,
		     uint16_t type)
{
	s->sel = sel;
	s->base = base;
	s->limit = 0xffff;
	s->attr = type | X86_SEG_ATTR_S | X86_SEG_ATTR_P;
}

int kvm_state_reset(int fd)
{
	struct x86_cpu_state st;
	unsigned int i;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < X86_NR_SREGS; i++)
		real_seg(&st.seg[i], 0, 0, 0x3);	/* data, accessed */
	real_seg(&st.seg[X86_CS], 0xf000, 0xffff0000, 0xb);
	st.ldtr = (struct x86_seg){ .limit = 0xffff,
				    .attr = 0x2 | X86_SEG_ATTR_P };
	st.tr = (struct x86_seg){ .limit = 0xffff,
				  .attr = 0xb | X86_SEG_ATTR_P };
	st.gdtr.limit = 0xffff;
	st.idtr.limit = 0xffff;
	st.rip = 0xfff0;
	st.rflags = X86_RFLAGS_FIXED;
	st.gpr[X86_RDX] = 0x600;		/* family 6 */
	st.cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	st.dr[6] = 0xffff0ff0;
	st.dr[7] = 0x400;
	st.pat = 0x0007040600070406ULL;
	/* BSP, global enable clear: there is no local APIC (yet), and KVM
	 * derives the CPUID APIC bit from this enable */
	st.apic_base = 0xfee00100ULL;
	st.fxsave[0] = 0x7f;			/* FCW 0x037f */
	st.fxsave[1] = 0x03;
	st.fxsave[24] = 0x80;			/* MXCSR 0x1f80 */
	st.fxsave[25] = 0x1f;
	return kvm_state_set(fd, &st);
}

void kvm_state_describe(int fd, const struct machine_bus *bus,
			const char *what, char *msg, size_t len)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	char bytes[64] = "";
	const char *mode;
	uint64_t lin;
	const uint8_t *p;
	unsigned int i, n = 0;

	if (ioctl(fd, KVM_GET_REGS, &r) < 0 || ioctl(fd, KVM_GET_SREGS, &s) < 0) {
		snprintf(msg, len, "%s (vCPU state unavailable)", what);
		return;
	}
	if (!(s.cr0 & 1))
		mode = "real mode";
	else if (s.efer & (1u << 10))
		mode = s.cs.l ? "64-bit mode" : "compatibility mode";
	else
		mode = s.cs.db ? "32-bit protected mode" :
		       "16-bit protected mode";
	lin = s.cs.base + r.rip;
	if (!(s.cr0 & X86_CR0_PG) && bus) {
		for (i = 0; i < 8; i++) {
			p = bus->page_ptr(bus->opaque, (lin + i) & 0xffffffffULL,
					  false);
			if (!p)
				break;
			n += (unsigned int)snprintf(bytes + n, sizeof(bytes) - n,
						    " %02x",
						    p[(lin + i) & 0xfff]);
		}
	}
	snprintf(msg, len, "%s at CS:RIP %04x:%08llx (%s%s%s%s)", what,
		 s.cs.selector, (unsigned long long)r.rip, mode,
		 n ? ", bytes:" : "", bytes,
		 n && (bytes[1] == 'c' && bytes[2] == 'f') ? " = iret" : "");
}
