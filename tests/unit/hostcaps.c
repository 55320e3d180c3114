// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostcaps.c --- host capability probe for the tests (see hostcaps.h)
 *
 * KVM: stat, open without O_CREAT, KVM_GET_API_VERSION (KVM API doc,
 * "KVM_GET_API_VERSION": 12), then the engine self-test guest.
 * native32: a forked child far-returns from 64-bit code to a 32-bit code
 * segment (SDM vol. 3, 5.8 and 21.x: compatibility mode is selected by a
 * code descriptor with L = 0, D = 1), runs bytes whose meaning differs
 * between the modes (0x40/0x48 are INC/DEC EAX in 32-bit code but REX
 * prefixes in 64-bit code) and far-jumps back to the 64-bit selector.
 */
#include <asm/ldt.h>
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/hostcaps.h"
#include "vmm/engines.h"

#define KVM_DEV		"/dev/kvm"
#define HANG_GUARD_S	60	/* seconds: hang guard of a probe child */
#define N32_RESULT	1	/* EAX the 32-bit code leaves */
#define EXIT_SIG_BASE	64	/* child exit status: 64 + signal number */

/* ------------------------------------------------------------ env */

static bool env_forced_off(const char *name, char *why, size_t len)
{
	const char *v = getenv(name);

	if (!v || !v[0] || !strcmp(v, "0"))
		return false;
	snprintf(why, len, "%s=%s is set (forced off for testing)", name, v);
	return true;
}

/* ------------------------------------------------------------ cpu */

void hostcaps_cpu(struct hostcaps_cpu *out)
{
	unsigned int a, b, c, d, base;

	memset(out, 0, sizeof(*out));
	__cpuid(0, a, b, c, d);
	out->max_leaf = a;
	memcpy(out->vendor, &b, 4);
	memcpy(out->vendor + 4, &d, 4);
	memcpy(out->vendor + 8, &c, 4);
	__cpuid(1, a, b, c, d);
	base = (a >> 8) & 0xf;
	out->family = base;
	out->model = (a >> 4) & 0xf;
	out->stepping = a & 0xf;
	if (base == 0xf)
		out->family += (a >> 20) & 0xff;
	if (base == 0x6 || base == 0xf)
		out->model |= ((a >> 16) & 0xf) << 4;
	if (out->max_leaf >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		out->leaf7_ebx = b;
	}
	__cpuid(0x80000000u, a, b, c, d);
	if (a >= 0x80000001u) {
		__cpuid(0x80000001u, a, b, c, d);
		out->ext1_ecx = c;
		__cpuid(0x80000000u, a, b, c, d);
	}
	if (a >= 0x80000008u) {
		__cpuid(0x80000008u, a, b, c, d);
		out->ext8_ebx = b;
	}
}

bool hostcaps_cpu_is_amd(const struct hostcaps_cpu *c)
{
	return !strcmp(c->vendor, "AuthenticAMD") ||
	       !strcmp(c->vendor, "HygonGenuine");
}

bool hostcaps_cpu_is_intel(const struct hostcaps_cpu *c)
{
	return !strcmp(c->vendor, "GenuineIntel");
}

/* ------------------------------------------------------------ kvm */

bool hostcaps_kvm_dev(const char *path, char *why, size_t len)
{
	const char *mode = "read-only";
	char sub[128] = "";
	struct stat st;
	int fd, v;

	if (env_forced_off("DUALVM_TEST_NO_KVM", why, len))
		return false;
	if (stat(path, &st)) {
		snprintf(why, len, "no usable %s (stat: %s)", path,
			 strerror(errno));
		return false;
	}
	if (!S_ISCHR(st.st_mode)) {
		snprintf(why, len, "%s is not a character device", path);
		return false;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		mode = "read-write";
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		snprintf(why, len, "%s: open: %s", path, strerror(errno));
		return false;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v < 0)
		snprintf(sub, sizeof(sub), "%s", strerror(errno));
	close(fd);
	if (v != KVM_API_VERSION) {
		if (v < 0)
			snprintf(why, len, "%s: KVM_GET_API_VERSION: %s", path, sub);
		else
			snprintf(why, len, "%s: KVM API version %d, need %d",
				 path, v, KVM_API_VERSION);
		return false;
	}
	snprintf(why, len, "%s answers KVM API %d (probed %s)", path, v, mode);
	return true;
}

bool hostcaps_kvm_api(char *why, size_t len)
{
	return hostcaps_kvm_dev(KVM_DEV, why, len);
}

bool hostcaps_kvm(char *why, size_t len)
{
	char api[128], st[256];

	if (!hostcaps_kvm_api(why, len))
		return false;
	snprintf(api, sizeof(api), "%s", why);
	if (!engine_selftest(&kvm_engine_ops, st, sizeof(st))) {
		snprintf(why, len, "%s", st);
		return false;
	}
	snprintf(why, len, "%s; the engine self-test guest ran to its HLT",
		 api);
	return true;
}

/* ------------------------------------------------------------ native32 */

static void n32_sig(int sig)
{
	_exit(EXIT_SIG_BASE + sig);
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

/*
 * 64-bit entry (a C function returning int):
 *	push rbx; mov [save], rsp; push cs32; push code32; retfq
 * code32 (32-bit): xor eax,eax; inc eax; dec eax; inc eax; jmp far cs64:back
 * back (64-bit): mov rsp, [save]; pop rbx; ret	-- EAX = 1
 * In 64-bit code 40/48 would be REX prefixes of the far JMP, which is #UD.
 */
static void n32_build(uint8_t *m, uint16_t cs32, uint16_t cs64)
{
	uint32_t base = (uint32_t)(uintptr_t)m, save = base + 0x800;
	uint8_t *p = m, *code32, *back;

	*p++ = 0x53;
	memcpy(p, "\x48\x89\x24\x25", 4);
	p = put32(p + 4, save);
	*p++ = 0x68;
	p = put32(p, cs32);
	*p++ = 0x68;
	code32 = p;
	p += 4;
	*p++ = 0x48;
	*p++ = 0xcb;
	put32(code32, (uint32_t)(uintptr_t)p);
	memcpy(p, "\x31\xc0\x40\x48\x40\xea", 6);
	p += 6;
	back = p;
	p += 4;
	*p++ = (uint8_t)cs64;
	*p++ = (uint8_t)(cs64 >> 8);
	put32(back, (uint32_t)(uintptr_t)p);
	memcpy(p, "\x48\x8b\x24\x25", 4);
	p = put32(p + 4, save);
	*p++ = 0x5b;
	*p = 0xc3;
}

static int ldt_install(void)
{
	struct user_desc d = {
		.entry_number = HOSTCAPS_LDT32_CS >> 3,
		.base_addr = 0,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.contents = MODIFY_LDT_CONTENTS_CODE,
		.read_exec_only = 0,
		.limit_in_pages = 1,
		.seg_not_present = 0,
		.useable = 1,
	};

	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)) != 0)
		return -errno;
	return HOSTCAPS_LDT32_CS;
}

int hostcaps_native32_cs(enum hostcaps_n32_route route)
{
	switch (route) {
	case HOSTCAPS_N32_GDT:
		return HOSTCAPS_USER32_CS;
	case HOSTCAPS_N32_LDT:
		return ldt_install();
	default:
		return -ENOSYS;
	}
}

/* In the child: set up and far-jump to @route's selector, or to @raw_cs
 * when @route is HOSTCAPS_N32_NONE; never returns. */
static void __attribute__((noreturn))
n32_child(enum hostcaps_n32_route route, uint16_t raw_cs, int wfd)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE };
	char msg[128];
	struct sigaction sa;
	uint16_t cs64;
	uint8_t *m;
	stack_t ss;
	int cs, rc;

	alarm(HANG_GUARD_S);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = n32_sig;
	sa.sa_flags = SA_ONSTACK;
	ss.ss_sp = malloc(65536);
	ss.ss_size = 65536;
	ss.ss_flags = 0;
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		_exit(3);
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	cs = route == HOSTCAPS_N32_NONE ? raw_cs : hostcaps_native32_cs(route);
	if (cs < 0) {
		snprintf(msg, sizeof(msg), "modify_ldt: %s", strerror(-cs));
		if (write(wfd, msg, strlen(msg)) < 0)
			_exit(3);
		_exit(1);
	}
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (m == MAP_FAILED) {
		snprintf(msg, sizeof(msg), "mmap(MAP_32BIT): %s",
			 strerror(errno));
		if (write(wfd, msg, strlen(msg)) < 0)
			_exit(3);
		_exit(1);
	}
	__asm__ volatile("mov %%cs, %0" : "=r"(cs64));
	n32_build(m, (uint16_t)cs, cs64);
	__builtin___clear_cache((char *)m, (char *)m + 4096);
	rc = ((int (*)(void))(uintptr_t)m)();
	if (rc != N32_RESULT) {
		snprintf(msg, sizeof(msg), "32-bit code left EAX=%d, expected %d",
			 rc, N32_RESULT);
		if (write(wfd, msg, strlen(msg)) < 0)
			_exit(3);
		_exit(1);
	}
	_exit(0);
}

/* Run one route (or @raw_cs) in a child: true if 32-bit code ran. */
static bool n32_run(enum hostcaps_n32_route route, uint16_t raw_cs,
		    char *why, size_t len)
{
	char msg[160] = "";
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(pfd)) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (pid == 0) {
		close(pfd[0]);
		n32_child(route, raw_cs, pfd[1]);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = 0;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return false;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status) && WEXITSTATUS(status) > EXIT_SIG_BASE)
		snprintf(why, len, "the far jump to 32-bit code raised %s",
			 strsignal(WEXITSTATUS(status) - EXIT_SIG_BASE));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		snprintf(why, len, "the probe child hung (%d s hang guard)",
			 HANG_GUARD_S);
	else if (WIFSIGNALED(status))
		snprintf(why, len, "the probe child was killed by %s",
			 strsignal(WTERMSIG(status)));
	else
		snprintf(why, len, "%s", msg[0] ? msg : "probe child failed");
	return false;
}

static bool n32_try(enum hostcaps_n32_route route, char *why, size_t len)
{
	return n32_run(route, 0, why, len);
}

bool hostcaps_native32_try_cs(uint16_t cs, char *why, size_t len)
{
	if (!n32_run(HOSTCAPS_N32_NONE, cs, why, len))
		return false;
	snprintf(why, len, "32-bit code ran through selector 0x%x", cs);
	return true;
}

bool hostcaps_native32_try(enum hostcaps_n32_route route, char *why,
			   size_t len)
{
	if (route != HOSTCAPS_N32_GDT && route != HOSTCAPS_N32_LDT) {
		snprintf(why, len, "no such route");
		return false;
	}
	if (!n32_try(route, why, len))
		return false;
	snprintf(why, len, "32-bit code ran through selector 0x%x (%s)",
		 route == HOSTCAPS_N32_GDT ? HOSTCAPS_USER32_CS :
		 HOSTCAPS_LDT32_CS, hostcaps_route_name(route));
	return true;
}

enum hostcaps_n32_route hostcaps_native32_route(char *why, size_t len)
{
	const char *only = getenv("DUALVM_TEST_NATIVE32_ROUTE");
	char gdt[160], ldt[160];

	if (env_forced_off("DUALVM_TEST_NO_NATIVE32", why, len))
		return HOSTCAPS_N32_NONE;
	if (only && !strcmp(only, "ldt"))
		snprintf(gdt, sizeof(gdt),
			 "not tried (DUALVM_TEST_NATIVE32_ROUTE=ldt)");
	else if (n32_try(HOSTCAPS_N32_GDT, gdt, sizeof(gdt))) {
		snprintf(why, len, "a forked child ran 32-bit code through __USER32_CS 0x%x (GDT)",
			 HOSTCAPS_USER32_CS);
		return HOSTCAPS_N32_GDT;
	}
	if (n32_try(HOSTCAPS_N32_LDT, ldt, sizeof(ldt))) {
		snprintf(why, len, "a forked child ran 32-bit code through an LDT code segment 0x%x (modify_ldt); __USER32_CS 0x%x: %s",
			 HOSTCAPS_LDT32_CS, HOSTCAPS_USER32_CS, gdt);
		return HOSTCAPS_N32_LDT;
	}
	snprintf(why, len, "no 32-bit code execution: __USER32_CS 0x%x: %s; LDT code segment: %s",
		 HOSTCAPS_USER32_CS, gdt, ldt);
	return HOSTCAPS_N32_NONE;
}

bool hostcaps_native32(char *why, size_t len)
{
	return hostcaps_native32_route(why, len) != HOSTCAPS_N32_NONE;
}

const char *hostcaps_route_name(enum hostcaps_n32_route route)
{
	switch (route) {
	case HOSTCAPS_N32_GDT:
		return "gdt";
	case HOSTCAPS_N32_LDT:
		return "ldt";
	default:
		return "none";
	}
}

/* ------------------------------------------------------------ shell */

bool hostcaps_shell_quote(const char *s, char *out, size_t len)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:/+-";
	size_t o = 0;

	if (s[0] && strspn(s, plain) == strlen(s)) {
		if (strlen(s) >= len)
			return false;
		memcpy(out, s, strlen(s) + 1);
		return true;
	}
	if (len < 3)
		return false;
	out[o++] = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			if (o + 4 >= len)
				return false;
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			if (o + 1 >= len)
				return false;
			out[o++] = *s;
		}
	}
	if (o + 2 > len)
		return false;
	out[o++] = '\'';
	out[o] = 0;
	return true;
}

static void shell_line(FILE *f, const char *name, const char *val)
{
	char q[1200];

	if (!hostcaps_shell_quote(val, q, sizeof(q)))
		snprintf(q, sizeof(q), "'(too long)'");
	fprintf(f, "%s=%s\n", name, q);
}

void hostcaps_shell(FILE *f)
{
	char kwhy[512], awhy[512], nwhy[512], num[16];
	struct hostcaps_cpu cpu;
	enum hostcaps_n32_route r;
	bool kvm, api;

	api = hostcaps_kvm_api(awhy, sizeof(awhy));
	kvm = api && hostcaps_kvm(kwhy, sizeof(kwhy));
	if (!api)
		snprintf(kwhy, sizeof(kwhy), "%s", awhy);
	r = hostcaps_native32_route(nwhy, sizeof(nwhy));
	hostcaps_cpu(&cpu);
	fprintf(f, "HOST_KVM=%d\n", kvm);
	shell_line(f, "HOST_KVM_WHY", kwhy);
	fprintf(f, "HOST_KVM_API=%d\n", api);
	shell_line(f, "HOST_KVM_API_WHY", awhy);
	fprintf(f, "HOST_NATIVE32=%d\n", r != HOSTCAPS_N32_NONE);
	shell_line(f, "HOST_NATIVE32_WHY", nwhy);
	shell_line(f, "HOST_CPU_VENDOR", cpu.vendor);
	snprintf(num, sizeof(num), "%u", cpu.family);
	shell_line(f, "HOST_CPU_FAMILY", num);
	snprintf(num, sizeof(num), "%u", cpu.model);
	shell_line(f, "HOST_CPU_MODEL", num);
	shell_line(f, "HOST_NATIVE32_ROUTE", hostcaps_route_name(r));
}
