/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bt.h --- private interface between the translator's runtime (bt.c) and
 * its code generator (translate.c)
 *
 * Register convention of translated code (a 32-bit protected-mode guest
 * on the x86-64 host):
 *
 *	guest EAX EDX EBX EBP ESI EDI	host RAX RDX RBX RBP RSI RDI
 *	guest ECX			host R8
 *	guest ESP			host R9
 *	guest arithmetic flags		host RFLAGS (OF SF ZF AF PF CF)
 *	R12	instructions retired minus the run loop's limit for this
 *		entry (x86_cpu.icount - bt_spill[BT_SPILL_LIMIT]): negative
 *		while there is budget left; each block tests its high half
 *		(RORX + JECXZ, no flags) before adding its length
 *	R14	the memory operand: linear address, then host address
 *	RCX R10 R11 R13	scratch (RCX for the flag-free JRCXZ tests)
 *	R15	the struct x86_cpu
 *	RSP	the host stack (signals and calls work as usual)
 *
 * Guest ECX and ESP sit in R8/R9 so that RCX is free for JRCXZ and RSP
 * stays a host stack.
 */
#ifndef DUALVM_BT_BT_H
#define DUALVM_BT_BT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/x86/cpu.h"

#define BT_CODE_SIZE	(32u << 20)	/* code cache bytes */
#define BT_MAX_BLOCKS	65536		/* translated blocks */
#define BT_HASH		65536		/* lookup buckets (power of 2) */
#define BT_PHASH	4096		/* page buckets (power of 2) */
#define BT_MAX_INSNS	64		/* guest instructions per block */
#define BT_BLOCK_ROOM	32768		/* code bytes a block may take */
#define BT_BUDGET	32768		/* instructions per entry into translated
					 * code (at most) */
#define BT_INTERP_SLICE	4096		/* interpreted instructions between looks
					 * at the mode */
#define BT_LOG_MAX	(BT_MAX_INSNS * 4)	/* lockstep store log entries */

/* c->bt_spill[] slots */
#define BT_SPILL_LIMIT	0		/* icount where the budget ends */
#define BT_SPILL_SITE	1		/* chainable exit: its rel32 (RX) */
#define BT_SPILL_LOG	2		/* lockstep store log cursor */
#define BT_SPILL_TMP	3		/* a value across a probe */
#define BT_SPILL_IMUL	4		/* an IMUL result (canonical flags) */
#define BT_SPILL_OF	5		/* OF while the IMUL fix-up runs */
#define BT_SPILL_FLAGS	6		/* REP MOVS/STOS: the flags (LAHF, SETO) */
#define BT_SPILL_SRC	7		/* REP MOVS: the source's linear address */

/*
 * What a TLB miss stub asks rt_fill for (R10D; R13D the block's index):
 * an access of SIZE bytes at R14D, a write with WRITE.  With GROUP, R14D
 * and SIZE cover the accesses of several instructions through the same
 * unchanged base register (translate.c's groups), the first of them (the
 * leader, at R14D + LDELTA, LSIZE bytes, a write with LWRITE) running
 * next: the fill is the leader's own, and the group's page is entered
 * only when the whole range lies in it with the rights it needs.
 */
#define BT_FILL_SIZE		0x1ffu
#define BT_FILL_WRITE		0x200u
#define BT_FILL_GROUP		0x400u
#define BT_FILL_LSIZE(i)	(((i) >> 11) & 0x1f)
#define BT_FILL_LWRITE		0x10000u
#define BT_FILL_LDELTA(i)	((i) >> 17 & 0xff)
#define BT_GROUP_SPAN		128	/* bytes a group may cover */
#define BT_GROUP_FAILS		32	/* group misses that are not cold,
					 * per code page, before its blocks
					 * are made again without groups */

/* how translated code left (eax of bt_enter) */
enum bt_exit {
	BT_EXIT_JUMP = 1,	/* to c->rip (an indirect or far target) */
	BT_EXIT_CHAIN,		/* to c->rip, from a patchable jump */
	BT_EXIT_STEP,		/* interpret the instruction at c->rip */
	BT_EXIT_BUDGET,		/* budget used up, at c->rip */
};

/* the mode a block was translated for (bt_key()) */
#define BT_KEY_USER	0x1		/* CPL 3 */
#define BT_KEY_DF	0x2000		/* EFLAGS.DF (string instructions) */
#define BT_KEY_SSE	0x4000		/* CR4.OSFXSR, CR0.EM and TS clear */
#define BT_KEY_SEG(s, k) ((uint32_t)(k) << (1 + 2 * (s)))
/* segment kinds, 2 bits each for ES, CS (unused), SS, DS, FS, GS: bits
 * 1-12; every key is below X86_BT_JC_GEN_STEP */
enum {
	BT_SEG_FLAT,		/* base 0, limit 4 GiB, present writable data */
	BT_SEG_BASED,		/* limit 4 GiB, present writable data, a base */
	BT_SEG_OTHER,		/* anything else: accesses interpreted */
};

static inline unsigned int bt_key_seg(uint32_t key, unsigned int s)
{
	return (key >> (1 + 2 * s)) & 3;
}

struct bt_block {
	uint64_t	gpa;		/* guest-physical address of its start */
	uint32_t	eip;		/* EIP of its start (CS base is 0) */
	uint32_t	key;		/* BT_KEY_* mode it was made for */
	uint8_t		*code;		/* entry (RX view) */
	uint16_t	ninsns;		/* guest instructions translated */
	bool		step_only;	/* none: interpret the first one */
	struct bt_block	*hnext;		/* lookup chain */
	struct bt_block	*pnext;		/* page chain */
};

/* the jump cache: translated indirect branches (and jumps to other pages)
 * find their block here without leaving translated code */
#define BT_JC_SIZE	65536		/* entries, indexed by EIP's low bits */
#define BT_JC_GEN_MAX	(0xffffffffull - (X86_BT_JC_GEN_STEP) * 2)
struct bt_jc {
	uint64_t	tag;		/* EIP << 32 | bt_jc_gen + mode key */
	uint8_t		*code;		/* the block's entry (RX) */
};

struct bt_log {
	uint8_t		*host;		/* where a store went */
	uint64_t	old;		/* what was there */
	uint64_t	size;		/* bytes */
};

struct bt {
	uint8_t		*rx, *rw;	/* the code cache, two views */
	uint32_t	used;		/* bytes of it in use */
	uint32_t	rt_end;		/* end of the runtime routines */
	/* runtime routines (RX), in two sets: rt[1] for blocks of a mode
	 * with SSE usable (BT_KEY_SSE), where guest XMM0-7 live in the
	 * host's XMM0-7 while translated code runs (saved to and loaded
	 * from the FXSAVE image around every call out and exit) */
	struct bt_rt {
		int	(*enter)(struct x86_cpu *c, const uint8_t *code);
		uint8_t	*exit;		/* r11d EIP, r10d exit, r13 site */
		uint8_t	*fill;		/* r14d linear, r10d info, r11d EIP,
					 * r13d block */
		uint8_t	*helper;	/* r11d EIP, r10d next EIP, r14d key */
		uint8_t	*invlpg;	/* r14d linear, r11d EIP, r10d next */
		uint8_t	*rdtsc;		/* r11d EIP, r10d next EIP */
		uint8_t	*rdtscp;	/* likewise */
	}		rt[2];
	uint64_t	n_gone;		/* code_gone() calls */

	struct bt_block	*blocks;	/* BT_MAX_BLOCKS */
	uint32_t	nblocks;
	struct bt_block	*hash[BT_HASH];
	struct bt_block	*phash[BT_PHASH];

	bool		lockstep;	/* DUALVM_BT_LOCKSTEP=1 */
	bool		logic_af_ok;	/* host AND/OR/XOR/TEST flags canonical */
	uint8_t		shift_exact;	/* shifts (by ModRM.reg) whose host
					 * flags are canonical for every count */
	bool		imul_exact;	/* IMUL r, r/m: host flags canonical */
	bool		bt_exact;	/* BT, BTS...: host flags canonical */
	struct bt_log	log[BT_LOG_MAX + 8];
	uint8_t		*grp_fail;	/* per guest-physical code page: group
					 * misses that were not cold; 255 no
					 * groups there (x86_cpu.code_pages_n) */

	/* statistics (DUALVM_BT_STATS=1) */
	uint64_t	n_enter, n_step, n_translate, n_flush, n_chain, n_helper;
	uint64_t	n_groups, n_grp_fail, n_degroup;
	uint64_t	n_exit[8];	/* by enum bt_exit */
	uint64_t	*step_ops;	/* interpreted, by opcode (1024: other) */
};

/* the runtime routines for blocks of mode @key */
static inline const struct bt_rt *bt_rt_of(const struct bt *b, uint32_t key)
{
	return &b->rt[(key & BT_KEY_SSE) ? 1 : 0];
}

/* translate.c: the block at @eip (@gpa, its page's bytes at @page) for
 * mode @key; NULL when the cache is full (flush and retry) */
struct bt_block *bt_translate(struct bt *b, struct x86_cpu *c, uint32_t eip,
			      uint64_t gpa, const uint8_t *page, uint32_t key);

#endif
