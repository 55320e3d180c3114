// SPDX-License-Identifier: GPL-2.0-only
/*
 * simd_decode.c --- valid encodings of the MMX and SSE-SSE4.2 opcodes
 *
 * Which mandatory prefix (none, 66, F3, F2; F2/F3 take precedence over 66)
 * selects an instruction for each MMX/SSE/SSE2/SSE3 row of the 0F map and
 * for the SSSE3/SSE4.1/SSE4.2 0F 38 and 0F 3A maps (CRC32 included), and
 * whether that instruction takes only a memory or only a register ModRM
 * operand (SDM vol. 2, appendix A, tables ).  MONITOR/MWAIT,
 * MOVBE and the AVX/AES/PCLMULQDQ encodings are invalid, as CPUID does not
 * advertise them.
 */
#include "vmm/x86/decode.h"
#include "vmm/x86/x86.h"

#define V	1u	/* valid, any ModRM */
#define VM	3u	/* valid, memory operand only */
#define VR	5u	/* valid, register operand only */
#define P(n, d, s, f)	((uint16_t)((n) | (d) << 4 | (s) << 8 | (f) << 12))
#define ND	P(V, V, 0, 0)
#define ALL	P(V, V, V, V)

static const uint16_t sse_forms[256] = {
	[0x10] = ALL, [0x11] = ALL,
	[0x12] = P(V, VM, V, V), [0x13] = P(VM, VM, 0, 0),	/* MOVS/DDUP */
	[0x14] = ND, [0x15] = ND,
	[0x16] = P(V, VM, V, 0), [0x17] = P(VM, VM, 0, 0),	/* MOVSHDUP */
	[0x28] = ND, [0x29] = ND, [0x2a] = ALL, [0x2b] = P(VM, VM, 0, 0),
	[0x2c] = ALL, [0x2d] = ALL, [0x2e] = ND, [0x2f] = ND,
	[0x50] = P(VR, VR, 0, 0), [0x51] = ALL,
	[0x52] = P(V, 0, V, 0), [0x53] = P(V, 0, V, 0),
	[0x54] = ND, [0x55] = ND, [0x56] = ND, [0x57] = ND,
	[0x58] = ALL, [0x59] = ALL, [0x5a] = ALL, [0x5b] = P(V, V, V, 0),
	[0x5c] = ALL, [0x5d] = ALL, [0x5e] = ALL, [0x5f] = ALL,
	[0x60 ... 0x6b] = ND,
	[0x6c] = P(0, V, 0, 0), [0x6d] = P(0, V, 0, 0),
	[0x6e] = ND, [0x6f] = P(V, V, V, 0),
	[0x70] = ALL, [0x71] = P(VR, VR, 0, 0), [0x72] = P(VR, VR, 0, 0),
	[0x73] = P(VR, VR, 0, 0),
	[0x74] = ND, [0x75] = ND, [0x76] = ND, [0x77] = P(V, 0, 0, 0),
	[0x7c] = P(0, V, 0, V), [0x7d] = P(0, V, 0, V),	/* HADD/HSUB */
	[0x7e] = P(V, V, V, 0), [0x7f] = P(V, V, V, 0),
	[0xc2] = ALL, [0xc3] = P(VM, 0, 0, 0), [0xc4] = ND,
	[0xc5] = P(VR, VR, 0, 0), [0xc6] = ND,
	[0xd0] = P(0, V, 0, V),				/* ADDSUB */
	[0xd1 ... 0xd5] = ND, [0xd6] = P(0, V, VR, VR),
	[0xd7] = P(VR, VR, 0, 0), [0xd8 ... 0xdf] = ND,
	[0xe0 ... 0xe5] = ND, [0xe6] = P(0, V, V, V),
	[0xe7] = P(VM, VM, 0, 0), [0xe8 ... 0xef] = ND,
	[0xf0] = P(0, 0, 0, VM),			/* LDDQU */
	[0xf1 ... 0xf6] = ND, [0xf7] = P(VR, VR, 0, 0), [0xf8 ... 0xfe] = ND,
};

#define X66	P(0, V, 0, 0)

/* 0F 38: SSSE3 (MMX and XMM forms), SSE4.1, SSE4.2, CRC32 (F2) */
static const uint16_t sse38_forms[256] = {
	[0x00 ... 0x0b] = ND, [0x10] = X66, [0x14] = X66, [0x15] = X66,
	[0x17] = X66, [0x1c ... 0x1e] = ND, [0x20 ... 0x25] = X66,
	[0x28] = X66, [0x29] = X66, [0x2a] = P(0, VM, 0, 0), [0x2b] = X66,
	[0x30 ... 0x35] = X66, [0x37 ... 0x41] = X66,
	[0xf0] = P(0, 0, 0, V), [0xf1] = P(0, 0, 0, V),
};

/* 0F 3A: SSSE3 PALIGNR, SSE4.1, SSE4.2 string compares */
static const uint16_t sse3a_forms[256] = {
	[0x08 ... 0x0e] = X66, [0x0f] = ND, [0x14 ... 0x17] = X66,
	[0x20 ... 0x22] = X66, [0x40 ... 0x42] = X66, [0x60 ... 0x63] = X66,
};

unsigned int x86_simd_prefix(const struct x86_insn *in)
{
	if (in->flags & X86_IF_REP)
		return 2;
	if (in->flags & X86_IF_REPNE)
		return 3;
	return (in->flags & X86_IF_OPSZ) ? 1 : 0;
}

bool x86_simd_form_ok(const struct x86_insn *in)
{
	unsigned int op = in->op & 0xff, pfx = x86_simd_prefix(in);
	const uint16_t *forms = in->op >= 0x300 ? sse3a_forms :
				in->op >= 0x200 ? sse38_forms : sse_forms;
	unsigned int f = (forms[op] >> (4 * pfx)) & 0xf;
	bool mem = in->flags & X86_IF_MEM;

	if (!(f & 1) || (f == VM && !mem) || (f == VR && mem))
		return false;
	if (in->op >= 0x200)
		return true;
	if (op == 0x71 || op == 0x72)
		return in->reg == 2 || in->reg == 4 || in->reg == 6;
	if (op == 0x73)
		return in->reg == 2 || in->reg == 6 ||
		       (pfx == 1 && (in->reg == 3 || in->reg == 7));
	return true;
}
