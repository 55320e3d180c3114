// SPDX-License-Identifier: GPL-2.0-only
/*
 * decode_tables.c --- opcode maps of the canonical x86-64-v2 integer CPU
 *
 * Length and validity information for every one-byte, 0F, 0F 38 and 0F 3A
 * opcode (Intel SDM vol. 2, appendix A, tables ), with the
 * 64-bit mode superscripts: i64 (invalid), o64 (64-bit mode only), d64
 * (default operand size 64) and f64 (operand size forced to 64; Intel
 * ignores 66 on near branches).  The SIMD rows are OT_SSE: simd_decode.c
 * decides which mandatory prefixes and ModRM forms exist (SSE-SSE4.2).
 */
#include "vmm/x86/decode.h"

#define M	OT_MODRM
#define UD	{ OT_UD, IMM_NONE, 0, 0, 0 }
#define PFX	{ OT_PREFIX, IMM_NONE, 0, 0, 0 }
#define NONE	{ 0, IMM_NONE, 0, 0, 0 }
#define N64	{ OT_I64, IMM_NONE, 0, 0, 0 }		/* invalid in 64-bit mode */
#define D64	{ OT_D64, IMM_NONE, 0, 0, 0 }
#define IB	{ 0, IMM_B, 0, 0, 0 }
#define IW	{ 0, IMM_W, 0, 0, 0 }
#define IZ	{ 0, IMM_Z, 0, 0, 0 }
#define JB	{ OT_F64, IMM_B, 0, 0, 0 }		/* near branch rel8 */
#define JZ	{ OT_F64, IMM_Z, 0, 0, 0 }		/* near branch rel16/32 */
#define RM	{ M, IMM_NONE, 0, 0, 0 }
#define RMG	{ M | OT_GRP, IMM_NONE, 0, 0, 0 }	/* reg field ignored */
#define RML	{ M, IMM_NONE, 0, 0, 0xff }		/* lockable r/m destination */
#define RMIB	{ M, IMM_B, 0, 0, 0 }
#define MEMONLY	{ M, IMM_NONE, 0, 0xff, 0 }
/* the eight-opcode ALU block: Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iz */
#define ALU(lk)	{ M, IMM_NONE, 0, 0, lk }, { M, IMM_NONE, 0, 0, lk }, RM, RM, IB, IZ
#define X8(...)	__VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__, \
		__VA_ARGS__, __VA_ARGS__, __VA_ARGS__, __VA_ARGS__
#define X16(...) X8(__VA_ARGS__), X8(__VA_ARGS__)
#define SSE	{ M | OT_SSE, IMM_NONE, 0, 0, 0 }	/* simd_decode.c checks */
#define SSEI	{ M | OT_SSE, IMM_B, 0, 0, 0 }
#define SSEIG	{ M | OT_SSE | OT_GRP, IMM_B, 0, 0, 0 }	/* shift groups */
#define GRP(f, imm, um, ur, lk)	{ M | OT_GRP | (f), imm, um, ur, lk }

const struct x86_optab x86_optab[1024] = {
	/* 00 */ ALU(0xff), N64, N64, ALU(0xff), N64, { OT_ESC, 0, 0, 0, 0 },
	/* 10 */ ALU(0xff), N64, N64, ALU(0xff), N64, N64,
	/* 20 */ ALU(0xff), PFX, N64, ALU(0xff), PFX, N64,
	/* 30 */ ALU(0xff), PFX, N64, ALU(0), PFX, N64,
	/* 40 */ X16(NONE),				/* REX in 64-bit mode */
	/* 50 */ X16(D64),
	/* 60 */ N64, N64, { M | OT_I64, IMM_NONE, 0, 0xff, 0 },
		 RM,					/* ARPL / MOVSXD */
		 PFX, PFX, PFX, PFX,
	/* 68 */ { OT_D64, IMM_Z, 0, 0, 0 }, { M, IMM_Z, 0, 0, 0 },
		 { OT_D64, IMM_B, 0, 0, 0 }, { M, IMM_B, 0, 0, 0 },
		 NONE, NONE, NONE, NONE,
	/* 70 */ X16(JB),
	/* 80 */ GRP(0, IMM_B, 0, 0, 0x7f), GRP(0, IMM_Z, 0, 0, 0x7f),
		 GRP(OT_I64, IMM_B, 0, 0, 0x7f), GRP(0, IMM_B, 0, 0, 0x7f),
		 RM, RM, RML, RML,
	/* 88 */ RM, RM, RM, RM,
		 GRP(0, IMM_NONE, 0xc0, 0xc0, 0),	/* 8C mov Ew,Sw */
		 MEMONLY,				/* 8D lea */
		 GRP(0, IMM_NONE, 0xc2, 0xc2, 0),	/* 8E mov Sw,Ew */
		 GRP(OT_D64, IMM_NONE, 0xfe, 0xfe, 0),	/* 8F pop Ev */
	/* 90 */ X8(NONE),
	/* 98 */ NONE, NONE, { OT_I64, IMM_FAR, 0, 0, 0 }, NONE, D64, D64,
		 NONE, NONE,
	/* A0 */ { 0, IMM_MOFFS, 0, 0, 0 }, { 0, IMM_MOFFS, 0, 0, 0 },
		 { 0, IMM_MOFFS, 0, 0, 0 }, { 0, IMM_MOFFS, 0, 0, 0 },
		 NONE, NONE, NONE, NONE,
	/* A8 */ IB, IZ, NONE, NONE, NONE, NONE, NONE, NONE,
	/* B0 */ X8(IB),
	/* B8 */ X8({ 0, IMM_V, 0, 0, 0 }),
	/* C0 */ GRP(0, IMM_B, 0, 0, 0), GRP(0, IMM_B, 0, 0, 0),
		 { OT_D64, IMM_W, 0, 0, 0 }, D64,
		 { M | OT_I64, IMM_NONE, 0, 0xff, 0 },
		 { M | OT_I64, IMM_NONE, 0, 0xff, 0 },
		 GRP(0, IMM_B, 0xfe, 0xfe, 0), GRP(0, IMM_Z, 0xfe, 0xfe, 0),
	/* C8 */ { OT_D64, IMM_ENTER, 0, 0, 0 }, D64, IW, NONE, NONE, IB,
		 N64, NONE,
	/* D0 */ RMG, RMG, RMG, RMG,
		 { OT_I64, IMM_B, 0, 0, 0 }, { OT_I64, IMM_B, 0, 0, 0 },
		 N64, NONE,				/* D6 SALC */
	/* D8 */ RMG, GRP(0, IMM_NONE, 0x02, 0, 0), RMG,
		 GRP(0, IMM_NONE, 0x50, 0, 0),
		 RMG, GRP(0, IMM_NONE, 0x20, 0, 0), RMG, RMG,
	/* E0 */ JB, JB, JB, JB, IB, IB, IB, IB,
	/* E8 */ JZ, JZ, { OT_I64, IMM_FAR, 0, 0, 0 }, JB, NONE, NONE, NONE, NONE,
	/* F0 */ PFX, NONE, PFX, PFX, NONE, NONE,
		 GRP(OT_GRP3, IMM_B, 0, 0, 0x0c), GRP(OT_GRP3, IMM_Z, 0, 0, 0x0c),
	/* F8 */ NONE, NONE, NONE, NONE, NONE, NONE,
		 GRP(0, IMM_NONE, 0xfc, 0xfc, 0x03),	/* FE grp4 */
		 GRP(0, IMM_NONE, 0x80, 0xa8, 0x03),	/* FF grp5 (sizes: decode.c) */

	/* 0F 00 */ GRP(0, IMM_NONE, 0xc0, 0xc0, 0),	/* grp6 */
	/* 0F 01 */ GRP(0, IMM_NONE, 0x20, 0x2f, 0),	/* grp7 (/7 regs: decode.c) */
	/* 0F 02 */ RM, RM, UD, { OT_O64, 0, 0, 0, 0 }, NONE,
		    { OT_O64, 0, 0, 0, 0 },		/* 05 SYSCALL, 07 SYSRET */
	/* 0F 08 */ NONE, NONE, UD, NONE, UD, UD, UD, UD,
	/* 0F 10 */ X8(SSE),
	/* 0F 18 */ RMG, RMG, RMG, RMG, RMG, RMG, RMG,	/* hint NOPs */
		    RMG,
	/* 0F 20 */ { M | OT_REGONLY, IMM_NONE, 0xe2, 0xe2, 0 },
		    { M | OT_REGONLY, IMM_NONE, 0, 0, 0 },
		    { M | OT_REGONLY, IMM_NONE, 0xe2, 0xe2, 0 },
		    { M | OT_REGONLY, IMM_NONE, 0, 0, 0 },
		    UD, UD, UD, UD,
	/* 0F 28 */ X8(SSE),
	/* 0F 30 */ NONE, NONE, NONE, NONE, NONE, NONE, UD, UD,
	/* 0F 38 */ { OT_ESC, 0, 0, 0, 0 }, UD, { OT_ESC, 0, 0, 0, 0 },
		    UD, UD, UD, UD, UD,
	/* 0F 40 */ X16(RM),
	/* 0F 50 */ X16(SSE),
	/* 0F 60 */ X16(SSE),
	/* 0F 70 */ SSEI, SSEIG, SSEIG, SSEIG, SSE, SSE, SSE,
		    { OT_SSE, IMM_NONE, 0, 0, 0 },		/* 77 EMMS */
		    UD, UD, UD, UD, SSE, SSE, SSE, SSE,
	/* 0F 80 */ X16(JZ),
	/* 0F 90 */ X16(RMG),
	/* 0F A0 */ D64, D64, NONE, RM, RMIB, RM, UD, UD,
	/* 0F A8 */ D64, D64, NONE, RML, RMIB, RM,
		    GRP(OT_NP, IMM_NONE, 0x70, 0x1f, 0),	/* AE grp15 */
		    RM,
	/* 0F B0 */ RML, RML, MEMONLY, RML, MEMONLY, MEMONLY, RM, RM,
	/* 0F B8 */ RM /* POPCNT (F3): decode.c */, RM,
		    GRP(0, IMM_B, 0x0f, 0x0f, 0xe0), RML, RM, RM, RM, RM,
	/* 0F C0 */ RML, RML, SSEI, SSE, SSEI, SSEI, SSEI,
		    GRP(0, IMM_NONE, 0xfd, 0xff, 0x02),	/* C7 grp9 */
	/* 0F C8 */ X8(NONE),
	/* 0F D0 */ X16(SSE),
	/* 0F E0 */ X16(SSE),
	/* 0F F0 */ X16(SSE),

	/* 0F 38 */ X16(X16(SSE)),
	/* 0F 3A */ X16(X16(SSEI)),
};

_Static_assert(sizeof(x86_optab) / sizeof(x86_optab[0]) == 1024,
	       "opcode table must have 1024 entries");
