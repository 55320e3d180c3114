/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm_state.h --- KVM vCPU state <-> struct x86_cpu_state (private)
 *
 * Conversions between KVM's kvm_regs/kvm_sregs/kvm_fpu/MSRs and the shared
 * x86_state.h exchange format, the architectural power-on state, and the
 * one-line description of where a guest stopped (for error messages).
 */
#ifndef DUALVM_KVM_STATE_H
#define DUALVM_KVM_STATE_H

#include <stddef.h>

#include "vmm/engine.h"
#include "vmm/x86_state.h"

/* All return 0 or -errno from the vCPU ioctls. */
int kvm_state_get(int vcpu_fd, struct x86_cpu_state *st);
int kvm_state_set(int vcpu_fd, const struct x86_cpu_state *st);
/* Power-on state: real mode, CS:IP = F000:FFF0 with CS base 0xffff0000. */
int kvm_state_reset(int vcpu_fd);

/*
 * "@what at CS:RIP xxxx:xxxxxxxx (mode, bytes: .. .. ..)" into @msg, reading
 * instruction bytes through @bus when paging is off.
 */
void kvm_state_describe(int vcpu_fd, const struct machine_bus *bus,
			const char *what, char *msg, size_t len);

#endif
