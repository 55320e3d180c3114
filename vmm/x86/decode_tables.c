// SPDX-License-Identifier: GPL-2.0-only
/*
 * decode_tables.c --- opcode maps of a Pentium III/4-class integer CPU
 *
 * Length and validity information for every one-byte and 0F opcode (Intel
 * SDM vol. 2, appendix A, tables and the group table A-6).  The
 * MMX/SSE/SSE2 rows of the 0F map are OT_SSE: simd_decode.c decides which
 * mandatory prefixes and ModRM forms exist.  The 0F 38/0F 3A maps and the
 * SSE3 opcodes are invalid, as on a CPU without those features.
 */
#include "vmm/x86/decode.h"

#define M	OT_MODRM
#define UD	{ OT_UD, IMM_NONE, 0, 0, 0 }
#define PFX	{ OT_PREFIX, IMM_NONE, 0, 0, 0 }
#define NONE	{ 0, IMM_NONE, 0, 0, 0 }
#define IB	{ 0, IMM_B, 0, 0, 0 }
#define IW	{ 0, IMM_W, 0, 0, 0 }
#define IZ	{ 0, IMM_Z, 0, 0, 0 }
#define RM	{ M, IMM_NONE, 0, 0, 0 }
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

const struct x86_optab x86_optab[512] = {
	/* 00 */ ALU(0xff), NONE, NONE, ALU(0xff), NONE, { OT_ESC, 0, 0, 0, 0 },
	/* 10 */ ALU(0xff), NONE, NONE, ALU(0xff), NONE, NONE,
	/* 20 */ ALU(0xff), PFX, NONE, ALU(0xff), PFX, NONE,
	/* 30 */ ALU(0xff), PFX, NONE, ALU(0), PFX, NONE,
	/* 40 */ X16(NONE),
	/* 50 */ X16(NONE),
	/* 60 */ NONE, NONE, MEMONLY, RM, PFX, PFX, PFX, PFX,
	/* 68 */ IZ, { M, IMM_Z, 0, 0, 0 }, IB, { M, IMM_B, 0, 0, 0 },
		 NONE, NONE, NONE, NONE,
	/* 70 */ X16(IB),
	/* 80 */ { M, IMM_B, 0, 0, 0x7f }, { M, IMM_Z, 0, 0, 0x7f },
		 { M, IMM_B, 0, 0, 0x7f }, { M, IMM_B, 0, 0, 0x7f },
		 RM, RM, RML, RML,
	/* 88 */ RM, RM, RM, RM,
		 { M, IMM_NONE, 0xc0, 0xc0, 0 },	/* 8C mov Ew,Sw */
		 MEMONLY,				/* 8D lea */
		 { M, IMM_NONE, 0xc2, 0xc2, 0 },	/* 8E mov Sw,Ew */
		 { M, IMM_NONE, 0xfe, 0xfe, 0 },	/* 8F pop Ev */
	/* 90 */ X8(NONE),
	/* 98 */ NONE, NONE, { 0, IMM_FAR, 0, 0, 0 }, NONE, NONE, NONE, NONE, NONE,
	/* A0 */ { 0, IMM_MOFFS, 0, 0, 0 }, { 0, IMM_MOFFS, 0, 0, 0 },
		 { 0, IMM_MOFFS, 0, 0, 0 }, { 0, IMM_MOFFS, 0, 0, 0 },
		 NONE, NONE, NONE, NONE,
	/* A8 */ IB, IZ, NONE, NONE, NONE, NONE, NONE, NONE,
	/* B0 */ X8(IB),
	/* B8 */ X8(IZ),
	/* C0 */ RMIB, RMIB, IW, NONE, MEMONLY, MEMONLY,
		 { M, IMM_B, 0xfe, 0xfe, 0 }, { M, IMM_Z, 0xfe, 0xfe, 0 },
	/* C8 */ { 0, IMM_ENTER, 0, 0, 0 }, NONE, IW, NONE, NONE, IB, NONE, NONE,
	/* D0 */ RM, RM, RM, RM, IB, IB, NONE, NONE,	/* D6 SALC */
	/* D8 */ RM, { M, IMM_NONE, 0x02, 0, 0 }, RM, { M, IMM_NONE, 0x50, 0, 0 },
		 RM, { M, IMM_NONE, 0x20, 0, 0 }, RM, RM,
	/* E0 */ IB, IB, IB, IB, IB, IB, IB, IB,
	/* E8 */ IZ, IZ, { 0, IMM_FAR, 0, 0, 0 }, IB, NONE, NONE, NONE, NONE,
	/* F0 */ PFX, NONE, PFX, PFX, NONE, NONE,
		 { M | OT_GRP3, IMM_B, 0, 0, 0x0c }, { M | OT_GRP3, IMM_Z, 0, 0, 0x0c },
	/* F8 */ NONE, NONE, NONE, NONE, NONE, NONE,
		 { M, IMM_NONE, 0xfc, 0xfc, 0x03 },	/* FE grp4 */
		 { M, IMM_NONE, 0x80, 0xa8, 0x03 },	/* FF grp5 */

	/* 0F 00 */ { M, IMM_NONE, 0xc0, 0xc0, 0 },	/* grp6 */
	/* 0F 01 */ { M, IMM_NONE, 0x20, 0xaf, 0 },	/* grp7 */
	/* 0F 02 */ RM, RM, UD, UD, NONE, UD,
	/* 0F 08 */ NONE, NONE, UD, NONE, UD, UD, UD, UD,
	/* 0F 10 */ X8(SSE),
	/* 0F 18 */ { M, IMM_NONE, 0, 0xff, 0 }, RM, RM, RM, RM, RM, RM, RM,
	/* 0F 20 */ { M | OT_REGONLY, IMM_NONE, 0xe2, 0xe2, 0 },
		    { M | OT_REGONLY, IMM_NONE, 0, 0, 0 },
		    { M | OT_REGONLY, IMM_NONE, 0xe2, 0xe2, 0 },
		    { M | OT_REGONLY, IMM_NONE, 0, 0, 0 },
		    UD, UD, UD, UD,
	/* 0F 28 */ X8(SSE),
	/* 0F 30 */ NONE, NONE, NONE, NONE, NONE, NONE, UD, UD,
	/* 0F 38 */ X8(UD),
	/* 0F 40 */ X16(RM),
	/* 0F 50 */ X16(SSE),
	/* 0F 60 */ X16(SSE),
	/* 0F 70 */ SSEI, SSEI, SSEI, SSEI, SSE, SSE, SSE,
		    { OT_SSE, IMM_NONE, 0, 0, 0 },		/* 77 EMMS */
		    UD, UD, UD, UD, UD, UD, SSE, SSE,
	/* 0F 80 */ X16(IZ),
	/* 0F 90 */ X16(RM),
	/* 0F A0 */ NONE, NONE, NONE, RM, RMIB, RM, UD, UD,
	/* 0F A8 */ NONE, NONE, NONE, RML, RMIB, RM,
		    { M | OT_NP, IMM_NONE, 0x70, 0x1f, 0 }, /* AE grp15 */
		    RM,
	/* 0F B0 */ RML, RML, MEMONLY, RML, MEMONLY, MEMONLY, RM, RM,
	/* 0F B8 */ UD, RM, { M, IMM_B, 0x0f, 0x0f, 0xe0 }, RML, RM, RM, RM, RM,
	/* 0F C0 */ RML, RML, SSEI, SSE, SSEI, SSEI, SSEI,
		    { M, IMM_NONE, 0xfd, 0xff, 0x02 },	/* C7 grp9 */
	/* 0F C8 */ X8(NONE),
	/* 0F D0 */ X16(SSE),
	/* 0F E0 */ X16(SSE),
	/* 0F F0 */ X16(SSE),
};

_Static_assert(sizeof(x86_optab) / sizeof(x86_optab[0]) == 512,
	       "opcode table must have 512 entries");
