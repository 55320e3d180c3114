// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm.c --- the KVM CPU engine (`--engine kvm`)
 *
 * One vCPU on /dev/kvm with every device in userspace: no in-kernel
 * irqchip or PIT, so KVM and the software engines share the same 8259/8254.
 * RAM/ROM regions of the machine bus become memslots (ROM read-only, its
 * writes come back as MMIO exits); KVM_EXIT_IO/MMIO are dispatched to the
 * bus.  Interrupts are injected with KVM_INTERRUPT when the vCPU reports
 * ready_for_interrupt_injection, otherwise an interrupt window is requested
 * (Documentation/virt/kvm/api.rst, "KVM_INTERRUPT", "kvm_run").
 * Time slices: a per-vCPU POSIX timer sends KVMB_KICK_SIG to the vCPU
 * thread; the signal is blocked in userspace and unblocked only inside
 * KVM_RUN (KVM_SET_SIGNAL_MASK), so it always ends the run with -EINTR and is
 * then consumed with sigtimedwait().  kick() also sets immediate_exit.
 * The A20 gate: KVM has none, so while the chipset masks A20 the 64 KiB at
 * 1 MiB (the high memory area, the only wrap real-mode code can reach:
 * FFFF:0010-FFFF:FFFF) are remapped onto the first 64 KiB of RAM, as the
 * masked address line makes them on a PC.  Higher odd megabytes, which only
 * protected-mode code with A20 masked could address, stay unaliased.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vmm/engine.h"
#include "vmm/engines.h"
#include "vmm/kvm_state.h"
#include "vmm/x86/x86.h"

#define KVMB_KICK_SIG	SIGUSR2
#define KVMB_MAX_SLOTS	32
#define KVMB_TSS_ADDR	0xfeffd000UL	/* 3 pages, below the BIOS */
#define KVMB_MAX_CPUID	128

struct engine {
	const struct machine_bus *bus;	/* the machine */
	void		*intr_opaque;	/* for bus->intr_pending/ack */
	int		kvm_fd;		/* /dev/kvm */
	int		vm_fd;		/* KVM_CREATE_VM */
	int		vcpu_fd;	/* KVM_CREATE_VCPU 0 */
	struct kvm_run	*run;		/* shared run area */
	size_t		run_size;	/* its mmap size */
	timer_t		timer;		/* slice-end timer -> KVMB_KICK_SIG */
	bool		timer_ok;	/* timer created */
	pid_t		tid;		/* vCPU thread */
	struct gpa_region slot[KVMB_MAX_SLOTS];	/* what each memslot maps */
	bool		used[KVMB_MAX_SLOTS];	/* memslot in use */
	bool		ro_mem;		/* KVM_CAP_READONLY_MEM */
	bool		a20_off;	/* chipset masks A20: HMA aliased */
};

#define KVMB_HMA	0x100000ULL	/* 1 MiB: where A20 wraps */
#define KVMB_HMA_SIZE	0x10000ULL	/* 64 KiB */

static void kick_handler(int sig)
{
}

static bool kvmb_available(char *why, size_t len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int v;

	if (fd < 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		snprintf(why, len, "/dev/kvm: API version %d, need %d", v,
			 KVM_API_VERSION);
		close(fd);
		return false;
	}
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0 ||
	    ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		snprintf(why, len, "/dev/kvm: lacks user memory or immediate exit");
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static bool same_region(const struct gpa_region *a, const struct gpa_region *b)
{
	return a->gpa == b->gpa && a->size == b->size && a->host == b->host &&
	       a->readonly == b->readonly;
}

static int slot_ioctl(struct engine *e, unsigned int slot,
		      const struct gpa_region *r)
{
	struct kvm_userspace_memory_region mr = { .slot = slot };

	if (r) {
		mr.flags = r->readonly ? KVM_MEM_READONLY : 0;
		mr.guest_phys_addr = r->gpa;
		mr.memory_size = r->size;
		mr.userspace_addr = (uintptr_t)r->host;
	}
	return ioctl(e->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0 ? -errno : 0;
}

/*
 * With A20 masked, split the RAM region that covers the HMA and map the
 * HMA onto the host memory of guest-physical 0.  @reg has room for @max
 * entries; returns the new count.
 */
static unsigned int alias_hma(struct gpa_region *reg, unsigned int n,
			      unsigned int max)
{
	uint8_t *low = NULL;
	unsigned int j;

	for (j = 0; j < n; j++)
		if (!reg[j].readonly && reg[j].gpa == 0 &&
		    reg[j].size >= KVMB_HMA_SIZE)
			low = reg[j].host;
	for (j = 0; j < n && low; j++) {
		struct gpa_region r = reg[j];
		uint64_t end = r.gpa + r.size;

		if (r.readonly || r.gpa > KVMB_HMA ||
		    end < KVMB_HMA + KVMB_HMA_SIZE || n + 2 > max)
			continue;
		/* [gpa, 1M) stays, the HMA aliases 0, [1M + 64K, end) stays */
		reg[j].size = KVMB_HMA - r.gpa;
		reg[n++] = (struct gpa_region){ .gpa = KVMB_HMA,
			.size = KVMB_HMA_SIZE, .host = low };
		if (end > KVMB_HMA + KVMB_HMA_SIZE)
			reg[n++] = (struct gpa_region){
				.gpa = KVMB_HMA + KVMB_HMA_SIZE,
				.size = end - KVMB_HMA - KVMB_HMA_SIZE,
				.host = r.host + (KVMB_HMA + KVMB_HMA_SIZE - r.gpa) };
		break;
	}
	return n;
}

/*
 * Bring the memslots in line with the bus' region list, touching only the
 * slots that changed: a PAM flip must not remap all of RAM (on a software
 * KVM layer that costs a full MMU rebuild).  Removed slots go first, so new
 * ones never overlap stale ones.
 */
static int set_slots(struct engine *e)
{
	struct gpa_region reg[KVMB_MAX_SLOTS];
	unsigned int i, j, n;
	bool keep[KVMB_MAX_SLOTS] = { false }, have;
	int err;

	n = e->bus->regions(e->bus->opaque, reg, KVMB_MAX_SLOTS);
	if (n > KVMB_MAX_SLOTS)
		return -E2BIG;
	if (e->a20_off)
		n = alias_hma(reg, n, KVMB_MAX_SLOTS);
	for (j = 0; j < n; j++)		/* ROM without KVM support: MMIO */
		if (reg[j].readonly && !e->ro_mem)
			reg[j].size = 0;
	for (i = 0; i < KVMB_MAX_SLOTS; i++) {
		if (!e->used[i])
			continue;
		for (j = 0; j < n; j++)
			if (reg[j].size && same_region(&e->slot[i], &reg[j]))
				keep[i] = true;
		if (!keep[i]) {
			slot_ioctl(e, i, NULL);
			e->used[i] = false;
		}
	}
	for (j = 0; j < n; j++) {
		if (!reg[j].size)
			continue;
		for (have = false, i = 0; i < KVMB_MAX_SLOTS && !have; i++)
			have = e->used[i] && same_region(&e->slot[i], &reg[j]);
		if (have)
			continue;
		for (i = 0; i < KVMB_MAX_SLOTS && e->used[i]; i++)
			;
		if (i == KVMB_MAX_SLOTS)
			return -E2BIG;
		err = slot_ioctl(e, i, &reg[j]);
		if (err)
			return err;
		e->slot[i] = reg[j];
		e->used[i] = true;
	}
	return 0;
}

/*
 * CPUID: what KVM supports filtered through the canonical CPU (one table
 * for every engine, vmm/x86/cpuid_msr.c): the guest sees dualvm's CPU,
 * never more than the host has, on any host.  Minus the local APIC (and
 * with it x2APIC and the TSC-deadline timer), which this engine does not
 * emulate.
 */
static int set_cpuid(struct engine *e)
{
	struct kvm_cpuid2 *c;
	unsigned int i, n = 0;
	int err = 0;

	c = calloc(1, sizeof(*c) + KVMB_MAX_CPUID * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = KVMB_MAX_CPUID;
	if (ioctl(e->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *k = &c->entries[i];
		uint32_t host[4] = { k->eax, k->ebx, k->ecx, k->edx }, r[4];

		if (!x86_cpuid_filter(k->function, k->index, host, r))
			continue;		/* not a leaf of dualvm's CPU */
		if (k->function == 1) {
			r[3] &= ~(1u << 9);			/* APIC */
			r[2] &= ~((1u << 21) | (1u << 24));	/* x2APIC, TSC-deadline */
		}
		c->entries[n] = *k;
		c->entries[n].eax = r[0];
		c->entries[n].ebx = r[1];
		c->entries[n].ecx = r[2];
		c->entries[n].edx = r[3];
		n++;
	}
	c->nent = n;
	if (ioctl(e->vcpu_fd, KVM_SET_CPUID2, c) < 0)
		err = -errno;
out:
	free(c);
	return err;
}

static int setup_signals(struct engine *e)
{
	struct {
		struct kvm_signal_mask	hdr;
		uint8_t			set[8];
	} km;
	struct sigaction sa = { .sa_handler = kick_handler };
	struct sigevent sev = { 0 };
	sigset_t block, inside;

	sigemptyset(&sa.sa_mask);
	if (sigaction(KVMB_KICK_SIG, &sa, NULL) < 0)
		return -errno;
	sigemptyset(&block);
	sigaddset(&block, KVMB_KICK_SIG);
	pthread_sigmask(SIG_BLOCK, &block, &inside);
	sigdelset(&inside, KVMB_KICK_SIG);
	km.hdr.len = 8;
	memcpy(km.set, &inside, 8);
	if (ioctl(e->vcpu_fd, KVM_SET_SIGNAL_MASK, &km) < 0)
		return -errno;
	e->tid = (pid_t)syscall(SYS_gettid);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = KVMB_KICK_SIG;
	sev._sigev_un._tid = e->tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &e->timer) < 0)
		return -errno;
	e->timer_ok = true;
	return 0;
}

static void kvmb_destroy(struct engine *e)
{
	if (!e)
		return;
	if (e->timer_ok)
		timer_delete(e->timer);
	if (e->run)
		munmap(e->run, e->run_size);
	if (e->vcpu_fd >= 0)
		close(e->vcpu_fd);
	if (e->vm_fd >= 0)
		close(e->vm_fd);
	if (e->kvm_fd >= 0)
		close(e->kvm_fd);
	free(e);
}

static int kvmb_create(const struct machine_bus *bus, struct engine **out,
		       char *why, size_t len)
{
	struct engine *e;
	const char *step;
	int err, sz;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->bus = bus;
	e->intr_opaque = machine_bus_intr_opaque(bus);
	e->vm_fd = e->vcpu_fd = -1;
	step = "open /dev/kvm";
	e->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (e->kvm_fd < 0)
		goto fail_errno;
	step = "KVM_CREATE_VM";
	e->vm_fd = ioctl(e->kvm_fd, KVM_CREATE_VM, 0);
	if (e->vm_fd < 0)
		goto fail_errno;
	ioctl(e->vm_fd, KVM_SET_TSS_ADDR, KVMB_TSS_ADDR);
	e->ro_mem = ioctl(e->kvm_fd, KVM_CHECK_EXTENSION,
			  KVM_CAP_READONLY_MEM) > 0;
	step = "memory slots";
	err = set_slots(e);
	if (err)
		goto fail;
	step = "KVM_CREATE_VCPU";
	e->vcpu_fd = ioctl(e->vm_fd, KVM_CREATE_VCPU, 0);
	if (e->vcpu_fd < 0)
		goto fail_errno;
	sz = ioctl(e->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	step = "KVM_GET_VCPU_MMAP_SIZE";
	if (sz <= 0)
		goto fail_errno;
	e->run_size = (size_t)sz;
	e->run = mmap(NULL, e->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      e->vcpu_fd, 0);
	if (e->run == MAP_FAILED) {
		e->run = NULL;
		goto fail_errno;
	}
	step = "KVM_SET_CPUID2";
	err = set_cpuid(e);
	if (err)
		goto fail;
	step = "signals";
	err = setup_signals(e);
	if (err)
		goto fail;
	kvm_state_reset(e->vcpu_fd);
	*out = e;
	return 0;

fail_errno:
	err = -errno;
fail:
	snprintf(why, len, "kvm: %s: %s", step, strerror(-err));
	kvmb_destroy(e);
	return err;
}

static void arm_timer(struct engine *e, uint64_t deadline_ns)
{
	struct itimerspec its = { 0 };
	uint64_t now = e->bus->now_ns(e->bus->opaque), d;

	if (deadline_ns != UINT64_MAX) {
		d = deadline_ns > now + 1000 ? deadline_ns - now : 1000;
		its.it_value.tv_sec = (time_t)(d / 1000000000ULL);
		its.it_value.tv_nsec = (long)(d % 1000000000ULL);
	}
	timer_settime(e->timer, 0, &its, NULL);
}

static void eat_kick(void)
{
	struct timespec zero = { 0 };
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, KVMB_KICK_SIG);
	while (sigtimedwait(&s, NULL, &zero) > 0)
		;
}

static void do_io(struct engine *e)
{
	struct kvm_run *r = e->run;
	uint8_t *p = (uint8_t *)r + r->io.data_offset;
	unsigned int i, j, size = r->io.size;
	uint64_t v;

	if (size != 1 && size != 2 && size != 4)
		return;
	if (r->io.data_offset + (uint64_t)size * r->io.count > e->run_size)
		return;
	for (i = 0; i < r->io.count; i++, p += size) {
		if (r->io.direction == KVM_EXIT_IO_OUT) {
			for (v = 0, j = 0; j < size; j++)
				v |= (uint64_t)p[j] << (8 * j);
			e->bus->pio_write(e->bus->opaque, r->io.port, v, size);
		} else {
			v = e->bus->pio_read(e->bus->opaque, r->io.port, size);
			for (j = 0; j < size; j++)
				p[j] = (uint8_t)(v >> (8 * j));
		}
	}
}

static void do_mmio(struct engine *e)
{
	struct kvm_run *r = e->run;
	unsigned int j, size = r->mmio.len;
	uint64_t v = 0;

	if (size == 0 || size > 8)
		return;
	if (r->mmio.is_write) {
		for (j = 0; j < size; j++)
			v |= (uint64_t)r->mmio.data[j] << (8 * j);
		e->bus->mmio_write(e->bus->opaque, r->mmio.phys_addr, v, size);
	} else {
		v = e->bus->mmio_read(e->bus->opaque, r->mmio.phys_addr, size);
		for (j = 0; j < size; j++)
			r->mmio.data[j] = (uint8_t)(v >> (8 * j));
	}
}

/* Inject a pending interrupt or ask KVM to stop when it could be taken. */
static void prepare_irq(struct engine *e)
{
	struct kvm_run *r = e->run;
	struct kvm_interrupt irq;

	if (!e->bus->intr_pending(e->intr_opaque)) {
		r->request_interrupt_window = 0;
		return;
	}
	if (r->ready_for_interrupt_injection && r->if_flag) {
		irq.irq = e->bus->intr_ack(e->intr_opaque);
		ioctl(e->vcpu_fd, KVM_INTERRUPT, &irq);
		r->request_interrupt_window = 0;
	} else {
		r->request_interrupt_window = 1;
	}
}

static int exit_error(struct engine *e, struct engine_exit *ex,
		      const char *what)
{
	ex->reason = ENGINE_EXIT_ERROR;
	kvm_state_describe(e->vcpu_fd, e->bus, what, ex->msg, sizeof(ex->msg));
	return -EIO;
}

static int kvmb_run(struct engine *e, uint64_t deadline_ns,
		    struct engine_exit *ex)
{
	struct kvm_run *r = e->run;
	char what[96];

	ex->msg[0] = 0;
	arm_timer(e, deadline_ns);
	for (;;) {
		prepare_irq(e);
		if (ioctl(e->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				r->immediate_exit = 0;
				eat_kick();
				ex->reason = ENGINE_EXIT_DEADLINE;
				return 0;
			}
			snprintf(what, sizeof(what), "KVM_RUN failed: %s",
				 strerror(errno));
			return exit_error(e, ex, what);
		}
		switch (r->exit_reason) {
		case KVM_EXIT_IO:
			do_io(e);
			break;
		case KVM_EXIT_MMIO:
			do_mmio(e);
			break;
		case KVM_EXIT_IRQ_WINDOW_OPEN:
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_HLT:
			if (e->bus->intr_pending(e->intr_opaque) && r->if_flag)
				break;
			ex->reason = ENGINE_EXIT_HLT;
			return 0;
		case KVM_EXIT_SHUTDOWN:
			ex->reason = ENGINE_EXIT_RESET;
			kvm_state_describe(e->vcpu_fd, e->bus,
					   "triple fault (KVM_EXIT_SHUTDOWN)",
					   ex->msg, sizeof(ex->msg));
			return 0;
		case KVM_EXIT_INTERNAL_ERROR:
			snprintf(what, sizeof(what),
				 "KVM internal error, suberror %u%s",
				 r->internal.suberror,
				 r->internal.suberror ==
				 KVM_INTERNAL_ERROR_EMULATION ?
				 " (emulation failure)" : "");
			return exit_error(e, ex, what);
		case KVM_EXIT_FAIL_ENTRY:
			snprintf(what, sizeof(what),
				 "KVM entry failure, reason 0x%llx",
				 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
			return exit_error(e, ex, what);
		default:
			snprintf(what, sizeof(what), "unexpected KVM exit %u",
				 r->exit_reason);
			return exit_error(e, ex, what);
		}
		if (r->immediate_exit) {
			r->immediate_exit = 0;
			ex->reason = ENGINE_EXIT_DEADLINE;
			return 0;
		}
	}
}

static int kvmb_get_state(struct engine *e, struct x86_cpu_state *st)
{
	return kvm_state_get(e->vcpu_fd, st);
}

static int kvmb_set_state(struct engine *e, const struct x86_cpu_state *st)
{
	return kvm_state_set(e->vcpu_fd, st);
}

static void kvmb_reset(struct engine *e)
{
	e->run->request_interrupt_window = 0;
	kvm_state_reset(e->vcpu_fd);
}

static void kvmb_kick(struct engine *e)
{
	e->run->immediate_exit = 1;
	if (e->tid != (pid_t)syscall(SYS_gettid))
		syscall(SYS_tgkill, getpid(), e->tid, KVMB_KICK_SIG);
}

static void kvmb_mem_written(struct engine *e, uint64_t gpa, uint64_t len)
{
	/* KVM reads guest memory directly: nothing cached */
}

static void kvmb_map_changed(struct engine *e)
{
	set_slots(e);
}

static void kvmb_set_a20(struct engine *e, bool enabled)
{
	if (e->a20_off == !enabled)
		return;
	e->a20_off = !enabled;
	set_slots(e);
}

static void kvmb_nmi(struct engine *e)
{
	ioctl(e->vcpu_fd, KVM_NMI, 0);
}

/* INTR rose: prepare_irq() runs before every KVM_RUN, so only a vCPU
 * thread inside KVM_RUN (the raise came from elsewhere) needs a kick. */
static void kvmb_irq_raised(struct engine *e)
{
	if (e->tid != (pid_t)syscall(SYS_gettid))
		kvmb_kick(e);
}

const struct engine_ops kvm_engine_ops = {
	.name = "kvm",
	.available = kvmb_available,
	.create = kvmb_create,
	.destroy = kvmb_destroy,
	.run = kvmb_run,
	.get_state = kvmb_get_state,
	.set_state = kvmb_set_state,
	.reset = kvmb_reset,
	.kick = kvmb_kick,
	.mem_written = kvmb_mem_written,
	.map_changed = kvmb_map_changed,
	.set_a20 = kvmb_set_a20,
	.nmi = kvmb_nmi,
	.irq_raised = kvmb_irq_raised,
};
