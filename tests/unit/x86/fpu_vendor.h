/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu_vendor.h --- the x87 pointer registers as the host vendor keeps them
 *
 * The interpreter keeps FOP, FIP/FCS and FDP/FDS as the canonical CPU does
 * (vmm/x86/canon.h); the host keeps them as its vendor documents:
 *
 *   - AMD (AMD64 APM vol. 5, FXSAVE and FXRSTOR; the same holds for the
 *     XSAVE family the kernel uses for signal frames): FXSAVE stores FOP,
 *     FIP, FCS, FDP and FDS only while FSW.ES = 1 and zeroes them
 *     otherwise; FXRSTOR loads them only while FSW.ES = 1, unless CPUID
 *     Fn8000_0008_EBX[2] (RstrFpErrPtrs) says it always does.  FNSTENV and
 *     FNSAVE always store them.
 *     The data pointer is that of the last non-control instruction with a
 *     memory operand (AMD64 APM vol. 1, 6.2.5).
 *   - Intel (SDM vol. 1, 8.1.8 and 8.1.9): FOP is defined only after an
 *     x87 instruction that raised an unmasked exception (the default since
 *     the Pentium 4, the only mode of recent processors); FDP/FDS are
 *     undefined after a non-control instruction without a memory operand;
 *     with CPUID.(EAX=7,ECX=0):EBX[6] FDP_EXCPTN_ONLY, they are updated
 *     only by instructions that raise an unmasked exception; with EBX[13]
 *     ZERO_FCS_FDS, FCS and FDS are stored as 0000H.
 *   - other vendors: the union of both (every one of these differences).
 *   - MXCSR_MASK (SDM vol. 1, 11.6.6): each CPU stores its own.
 *
 * The OS may also save and restore the FPU state between any two
 * instructions (fx_model_tick()): after that round trip FCS and FDS read
 * as 0 on every host, and on AMD, while FSW.ES = 0, so do FOP, FIP and FDP;
 * such fields must hold the predicted value or 0.
 *
 * Two differences come from where the native side runs, not from the
 * vendor: FCS is the host's 64-bit code selector (the interpreter is given
 * the same selector number, so they agree), and at a fault the final image
 * is the kernel's signal frame, saved with REX.W (SDM vol. 1, 10.5.1,
 * 64-bit layout): FIP and FDP are 64-bit there, so bytes 12-15 and 20-23
 * hold their upper halves, 0 below 4 GiB, instead of FCS and FDS.
 *
 * test_fpu_native steps the interpreter one instruction at a time and
 * feeds every instruction to this model, which predicts the value each
 * pointer register has on the host (fx_model.nat[]: known, or unknown when
 * the host's manual leaves it undefined).  Every FNSTENV/FNSAVE/FXSAVE
 * image stored into the data buffer, and the final image, then gets a
 * per-byte expectation: the bytes of a pointer field hold the predicted
 * host value on the native side and the canonical value on the
 * interpreter side; all other bytes must be equal on both sides.  So only
 * the documented differences between canon.h and the host vendor are
 * masked, field by field.  Header-only, included once by
 * fpu_native_run.h.
 */
#ifndef DUALVM_TESTS_FPU_VENDOR_H
#define DUALVM_TESTS_FPU_VENDOR_H

#include "tests/unit/hostcaps.h"
#include "vmm/x86/canon.h"

/* How a CPU keeps the x87 pointer registers. */
struct fx_policy {
	bool		fxsave_es_only;		/* else 0 in an FXSAVE image */
	bool		fxrstor_es_only;	/* else FXRSTOR leaves them */
	bool		fop_excptn_only;	/* FOP set only on unmasked exc */
	bool		fdp_excptn_only;	/* FDP/FDS likewise */
	bool		fdp_undef_no_mem;	/* FDP/FDS undefined after an
						 * instruction without memory
						 * operand (else kept) */
	bool		zero_fcs_fds;		/* FCS, FDS stored as 0 */
	uint32_t	mxcsr_mask;		/* FXSAVE bytes 28-31 */
};

static const struct fx_policy fx_canon = {
	.fxsave_es_only = !X86_CANON_FXSAVE_PTRS_ALWAYS,
	.fxrstor_es_only = !X86_CANON_FXRSTOR_PTRS_ALWAYS,
	.fop_excptn_only = !X86_CANON_FOP_ALWAYS,
	.fdp_excptn_only = X86_CANON_FDP_EXCPTN_ONLY,
	.fdp_undef_no_mem = !X86_CANON_FDP_KEPT,
	.zero_fcs_fds = X86_CANON_ZERO_FCS_FDS,
	.mxcsr_mask = X86_CANON_MXCSR_MASK,
};

/* the host's MXCSR_MASK: 0 in the image means the default 0xffbf */
static inline uint32_t fx_host_mxcsr_mask(void)
{
	uint8_t img[512] __attribute__((aligned(16)));
	uint32_t m;

	memset(img, 0, sizeof(img));
	__asm__ volatile("fxsave %0" : "=m"(img));
	memcpy(&m, img + 28, 4);
	return m ? m : 0xffbf;
}

/* the policy the host's vendor documents; its name in @vendor[13] */
static inline void fx_policy_host(struct fx_policy *p, char *vendor)
{
	struct hostcaps_cpu c;
	bool amd, intel;

	hostcaps_cpu(&c);
	memcpy(vendor, c.vendor, sizeof(c.vendor));
	amd = hostcaps_cpu_is_amd(&c);
	intel = hostcaps_cpu_is_intel(&c);
	p->fxsave_es_only = !intel;
	p->fxrstor_es_only = !intel &&
		!(amd && (c.ext8_ebx & HOSTCAPS_EXT8_EBX_RSTR_FP_ERR_PTRS));
	p->fop_excptn_only = !amd;
	p->fdp_undef_no_mem = !amd;
	p->fdp_excptn_only = c.leaf7_ebx & X86_CPUID7_EBX_FDP_EXCPTN_ONLY;
	p->zero_fcs_fds = c.leaf7_ebx & X86_CPUID7_EBX_ZERO_FCS_FDS;
	p->mxcsr_mask = fx_host_mxcsr_mask();
}

/* ------------------------------------------------------------ the model */

enum fx_field { FXF_FOP, FXF_FIP, FXF_FCS, FXF_FDP, FXF_FDS, FXF_N };

/* where each field is in an FXSAVE image (offset, bytes) */
static const uint8_t fx_img_off[FXF_N] = { 6, 8, 12, 16, 20 };
static const uint8_t fx_img_len[FXF_N] = { 2, 4, 2, 4, 2 };

/* Layouts of a stored image. */
enum fx_fmt {
	FXFMT_ENV16,	/* FNSTENV/FNSAVE, 16-bit protected mode (14 bytes) */
	FXFMT_ENV32,	/* FNSTENV/FNSAVE, 32-bit protected mode (28 bytes) */
	FXFMT_FX,	/* FXSAVE without REX.W (512 bytes, 288 compared) */
	FXFMT_SIG,	/* the kernel's XSAVE64 signal frame: 64-bit FIP/FDP */
};

/* field offsets and sizes per layout; len 0: not stored */
static const uint8_t fx_fmt_off[4][FXF_N] = {
	{ 0, 6, 8, 10, 12 }, { 18, 12, 16, 20, 24 },
	{ 6, 8, 12, 16, 20 }, { 6, 8, 12, 16, 20 },
};
static const uint8_t fx_fmt_len[4][FXF_N] = {
	{ 0, 2, 2, 2, 2 }, { 2, 4, 2, 4, 2 },
	{ 2, 4, 2, 4, 2 }, { 2, 4, 2, 4, 2 },
};

/* A value the host may or may not be known to hold. */
struct fx_val {
	bool		known;		/* false: undefined per its manual */
	bool		or0;		/* known, or 0 after an OS round trip */
	uint32_t	v;		/* the value when known */
};

/* Expectation for one byte of a stored image. */
struct fx_byte {
	int16_t		n;		/* native value; -1 any; -2 = interp's */
	int16_t		i;		/* interpreter value; -1 any */
	bool		or0;		/* native may be 0 instead of n */
};

#define FX_MAXREC	24

/* An image stored into the data buffer during the sequence. */
struct fx_rec {
	int32_t		off;		/* offset in the data buffer */
	uint16_t	size;		/* bytes stored (FX: 512) */
	uint8_t		fmt;		/* enum fx_fmt */
	struct fx_val	nat[FXF_N];	/* what the host stored per field */
	struct fx_val	can[FXF_N];	/* what the canonical CPU stored */
};

struct fx_model {
	const struct fx_policy	*host;		/* the host's policy */
	struct fx_val		nat[FXF_N];	/* host pointer registers now */
	struct fx_rec		rec[FX_MAXREC];	/* images stored, in order */
	unsigned int		nrec;		/* entries in rec */
	bool			overflow;	/* more images than FX_MAXREC */
};

static inline uint32_t fx_get(const uint8_t *img, enum fx_field f)
{
	uint32_t v = 0;

	memcpy(&v, img + fx_img_off[f], fx_img_len[f]);
	return f == FXF_FOP ? v & 0x7ff : v;
}

static inline bool fx_es(const uint8_t *img)
{
	return img[2] & 0x80;				/* FSW.ES */
}

static inline bool fx_sel(enum fx_field f)
{
	return f == FXF_FCS || f == FXF_FDS;
}

/* the host registers after FXRSTOR of the initial image @img */
static inline void fx_model_init(struct fx_model *m, const struct fx_policy *h,
				 const uint8_t *img)
{
	memset(m, 0, sizeof(*m));
	m->host = h;
	for (unsigned int f = 0; f < FXF_N; f++) {
		m->nat[f].known = !h->fxrstor_es_only || fx_es(img);
		m->nat[f].v = fx_get(img, f);
	}
}

/*
 * The OS may save and restore the task's FPU state between any two
 * instructions (preemption, signals), with the 64-bit forms of XSAVE and
 * XRSTOR: that image has no FCS and FDS (SDM vol. 1, 10.5.1, 64-bit
 * layout), which read as 0 afterwards, and on AMD it holds FOP, FIP and
 * FDP only while FSW.ES = 1 (0 after the round trip; unknown where FXRSTOR
 * does not load them while ES = 0).  Called after every instruction with
 * the state @s1 it left.
 */
static inline void fx_model_tick(struct fx_model *m, const uint8_t *s1)
{
	const struct fx_policy *h = m->host;

	for (unsigned int f = 0; f < FXF_N; f++) {
		if (fx_sel(f))
			m->nat[f].or0 = true;
		else if (h->fxsave_es_only && !fx_es(s1) && h->fxrstor_es_only)
			m->nat[f].known = false;
		else if (h->fxsave_es_only && !fx_es(s1))
			m->nat[f].or0 = true;
	}
}

/* what a CPU with policy @p stores for field @f holding @reg; @fx: an
 * FXSAVE-class store, @es: FSW.ES then */
static inline struct fx_val fx_stored(const struct fx_policy *p,
				      enum fx_field f, struct fx_val reg,
				      bool fx, bool es)
{
	struct fx_val z = { true, false, 0 };

	if (fx && p->fxsave_es_only && !es)
		return z;
	if (fx_sel(f) && p->zero_fcs_fds)
		return z;
	return reg;
}

/* the last image stored at @off in @fmt; @overlap: another image stored
 * overlaps the @size bytes there */
static inline struct fx_rec *fx_find(struct fx_model *m, int32_t off,
				     enum fx_fmt fmt, int32_t size,
				     bool *overlap)
{
	*overlap = false;
	for (unsigned int k = m->nrec; k-- > 0;) {
		struct fx_rec *r = &m->rec[k];

		if (r->off == off && r->fmt == fmt)
			return r;
		if (off < r->off + r->size && r->off < off + size)
			*overlap = true;
	}
	return NULL;
}

/* FNSTENV, FNSAVE or FXSAVE (@fmt, @size bytes) stored the canonical
 * state @s0 at @off */
static inline void fx_model_store(struct fx_model *m, int32_t off,
				  enum fx_fmt fmt, unsigned int size,
				  const uint8_t *s0)
{
	bool fx = fmt == FXFMT_FX;
	struct fx_rec *r;

	if (m->nrec == FX_MAXREC) {
		m->overflow = true;
		return;
	}
	r = &m->rec[m->nrec++];
	r->off = off;
	r->size = (uint16_t)size;
	r->fmt = (uint8_t)fmt;
	for (unsigned int f = 0; f < FXF_N; f++) {
		struct fx_val c = { true, false, fx_get(s0, f) };

		r->nat[f] = fx_stored(m->host, f, m->nat[f], fx, fx_es(s0));
		r->can[f] = fx_stored(&fx_canon, f, c, fx, fx_es(s0));
	}
}

/* FLDENV/FRSTOR (@fmt ENV16/32) or FXRSTOR (FX) loaded the state @s1 */
static inline void fx_model_load(struct fx_model *m, int32_t off,
				 enum fx_fmt fmt, const uint8_t *s1)
{
	static const int32_t size[] = { 14, 28, 512, 512 };
	bool overlap, loads = true;
	struct fx_rec *r = fx_find(m, off, fmt, size[fmt], &overlap);

	if (fmt == FXFMT_FX)
		loads = !m->host->fxrstor_es_only || fx_es(s1);
	if (!loads)
		return;			/* the host keeps its registers */
	for (unsigned int f = 0; f < FXF_N; f++) {
		if (!fx_fmt_len[fmt][f]) {
			m->nat[f].known = false;	/* FOP: not in ENV16 */
		} else if (r) {
			m->nat[f] = r->nat[f];
			if (fx_fmt_len[fmt][f] == 2)
				m->nat[f].v &= 0xffff;
			if (f == FXF_FOP)
				m->nat[f].v &= 0x7ff;
		} else {
			/* the same bytes on both sides, unless they overlap
			 * an image stored here */
			m->nat[f].known = !overlap;
			m->nat[f].v = fx_get(s1, f);
		}
	}
}

/* an x87 non-control instruction ran from @s0 to @s1 */
static inline void fx_model_x87(struct fx_model *m, bool mem,
				const uint8_t *s0, const uint8_t *s1)
{
	bool exc = fx_es(s1) && !fx_es(s0);	/* raised an unmasked one */
	const struct fx_policy *h = m->host;

	m->nat[FXF_FIP] = (struct fx_val){ true, false, fx_get(s1, FXF_FIP) };
	m->nat[FXF_FCS] = (struct fx_val){ true, false, fx_get(s1, FXF_FCS) };
	if (!h->fop_excptn_only || exc)
		m->nat[FXF_FOP] = (struct fx_val){ true, false,
						   fx_get(s1, FXF_FOP) };
	else
		m->nat[FXF_FOP].known = false;	/* "only valid if" (8.1.9) */
	if (mem && (!h->fdp_excptn_only || exc)) {
		m->nat[FXF_FDP] = (struct fx_val){ true, false,
						   fx_get(s1, FXF_FDP) };
		m->nat[FXF_FDS] = (struct fx_val){ true, false,
						   fx_get(s1, FXF_FDS) };
	} else if (!mem && h->fdp_undef_no_mem) {
		m->nat[FXF_FDP].known = false;		/* SDM vol. 1, 8.1.8 */
		m->nat[FXF_FDS].known = false;
	}
	/* otherwise the host's FDP/FDS keep their value ("updated only") */
}

/* FNINIT, or the re-initialisation after FNSAVE: all zero everywhere */
static inline void fx_model_init_regs(struct fx_model *m)
{
	for (unsigned int f = 0; f < FXF_N; f++)
		m->nat[f] = (struct fx_val){ true, false, 0 };
}

/*
 * Byte expectations @e for an image of layout @fmt whose pointer fields
 * hold @nat on the host and @can in the interpreter (NULL: not compared on
 * that side); @mx: the image holds MXCSR_MASK.  Other bytes are left as
 * they are (callers preset "equal": n = -2).
 */
static inline void fx_expect(struct fx_byte *e, enum fx_fmt fmt,
			     const struct fx_val *nat, const struct fx_val *can,
			     bool mx, const struct fx_policy *h)
{
	for (unsigned int f = 0; f < FXF_N; f++) {
		unsigned int off = fx_fmt_off[fmt][f], len = fx_fmt_len[fmt][f];
		/* XSAVE64 frames: FIP/FDP bits 63:32 where FCS/FDS would be */
		bool hi = fmt == FXFMT_SIG && fx_sel(f);

		for (unsigned int b = 0; b < len; b++) {
			e[off + b].n = hi ? 0 : nat[f].known ?
				(int16_t)((nat[f].v >> (8 * b)) & 0xff) : -1;
			e[off + b].or0 = !hi && nat[f].or0;
			e[off + b].i = can && can[f].known ?
				(int16_t)((can[f].v >> (8 * b)) & 0xff) : -1;
		}
	}
	if (fmt == FXFMT_SIG) {
		e[14] = e[15] = (struct fx_byte){ 0, -1, false };
		e[22] = e[23] = (struct fx_byte){ 0, -1, false };
	}
	if (mx)
		for (unsigned int b = 0; b < 4; b++)
			e[28 + b] = (struct fx_byte){
				(int16_t)((h->mxcsr_mask >> (8 * b)) & 0xff),
				can ? (int16_t)((fx_canon.mxcsr_mask >>
						 (8 * b)) & 0xff) : -1, false };
}

#endif
