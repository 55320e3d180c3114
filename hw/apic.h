/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * apic.h --- an APIC bus message (part of hw/hw.h)
 *
 * What an I/O APIC redirection entry or a local APIC's ICR sends to the
 * local APICs (SDM vol. 3, 10.6.1 and 10.11; 82093AA datasheet, 3.2.4):
 * vector, delivery mode, destination mode and destination, trigger mode
 * and level.  The I/O APIC (devices/ioapic.c) hands messages to the
 * machine, which passes them to the CPU engine that owns the local APICs.
 */
#ifndef DUALVM_HW_APIC_H
#define DUALVM_HW_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* delivery modes (ICR and redirection entry bits 10:8) */
#define APIC_DM_FIXED		0
#define APIC_DM_LOWEST		1
#define APIC_DM_SMI		2
#define APIC_DM_NMI		4
#define APIC_DM_INIT		5
#define APIC_DM_STARTUP		6
#define APIC_DM_EXTINT		7

/* destination shorthands (ICR bits 19:18) */
#define APIC_SH_NONE		0
#define APIC_SH_SELF		1
#define APIC_SH_ALL		2
#define APIC_SH_OTHERS		3

#define APIC_BROADCAST		0xff	/* physical destination: everyone */

struct apic_msg {
	uint8_t		vector;		/* 0-255 (SIPI: start page) */
	uint8_t		mode;		/* APIC_DM_* */
	uint8_t		dest;		/* APIC ID, or logical MDA */
	uint8_t		shorthand;	/* APIC_SH_* (ICR only) */
	uint8_t		src;		/* sender's APIC ID (ICR; OTHERS) */
	bool		logical;	/* destination mode logical */
	bool		level;		/* trigger mode level (TMR bit) */
	bool		assert;		/* level asserted (INIT de-assert: 0) */
};

#endif
