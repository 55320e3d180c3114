// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_hostcaps.c --- the host capability probe (tests/unit/hostcaps.c)
 *
 * The environment overrides force the negative answers; the KVM probe
 * never creates or changes the node it looks at and rejects what is not a
 * KVM character device; its verdict agrees with the engine self-test; the
 * 32-bit probe tells 32-bit code from a data segment and from 64-bit code,
 * and the route it picks works; CPUID agrees with /proc/cpuinfo; the shell
 * lines evaluate back to the probe's answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "tests/unit/hostcaps.h"
#include "vmm/engines.h"

static void test_cpu_matches_proc_cpuinfo(void)
{
	struct hostcaps_cpu c;
	char line[256], vendor[64] = "";
	int family = -1, model = -1;
	FILE *f;

	hostcaps_cpu(&c);
	T_EQ(strlen(c.vendor), 12);
	T_ASSERT(c.family >= 6);
	T_ASSERT(c.max_leaf >= 1);
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;		/* vendor and family checked above */
	while (fgets(line, sizeof(line), f) && model < 0) {
		if (sscanf(line, "vendor_id : %63s", vendor) == 1)
			continue;
		if (sscanf(line, "cpu family : %d", &family) == 1)
			continue;
		sscanf(line, "model : %d", &model);
	}
	fclose(f);
	T_ASSERT(!strcmp(vendor, c.vendor));
	T_EQ(family, c.family);
	T_EQ(model, c.model);
	T_ASSERT(!(hostcaps_cpu_is_amd(&c) && hostcaps_cpu_is_intel(&c)));
}

static void test_kvm_override(void)
{
	char why[512];

	T_ASSERT(setenv("DUALVM_TEST_NO_KVM", "1", 1) == 0);
	T_ASSERT(!hostcaps_kvm(why, sizeof(why)));
	T_ASSERT(strstr(why, "DUALVM_TEST_NO_KVM=1") != NULL);
	T_ASSERT(!hostcaps_kvm_api(why, sizeof(why)));
	T_ASSERT(strstr(why, "DUALVM_TEST_NO_KVM=1") != NULL);
	/* "0" and "" do not force anything: the real /dev/kvm decides */
	T_ASSERT(setenv("DUALVM_TEST_NO_KVM", "0", 1) == 0);
	hostcaps_kvm_api(why, sizeof(why));
	T_ASSERT(strstr(why, "DUALVM_TEST_NO_KVM") == NULL);
}

/* the node is looked at, never created or changed */
static void test_kvm_probe_leaves_nodes_alone(void)
{
	char path[300], why[512];
	struct stat st, st2;
	int fd;

	T_ASSERT(unsetenv("DUALVM_TEST_NO_KVM") == 0);
	snprintf(path, sizeof(path), "%s/kvm", t_tmpdir());
	T_ASSERT(!hostcaps_kvm_dev(path, why, sizeof(why)));
	T_ASSERT(strstr(why, "stat") != NULL);
	T_ASSERT(stat(path, &st) < 0 && errno == ENOENT);
	/* a regular file is not KVM, and stays as it was */
	fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
	T_ASSERT(fd >= 0);
	T_EQ(write(fd, "x", 1), 1);
	close(fd);
	T_ASSERT(stat(path, &st) == 0);
	T_ASSERT(!hostcaps_kvm_dev(path, why, sizeof(why)));
	T_ASSERT(strstr(why, "not a character device") != NULL);
	T_ASSERT(stat(path, &st2) == 0);
	T_EQ(st2.st_size, 1);
	T_EQ(st2.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
	/* a character device that is not KVM */
	T_ASSERT(!hostcaps_kvm_dev("/dev/null", why, sizeof(why)));
	T_ASSERT(strstr(why, "KVM_GET_API_VERSION") != NULL);
	/* the real node: absent stays absent; present must be a chardev */
	if (stat("/dev/kvm", &st) < 0) {
		T_ASSERT(!hostcaps_kvm(why, sizeof(why)));
		T_ASSERT(stat("/dev/kvm", &st) < 0 && errno == ENOENT);
	} else if (hostcaps_kvm_api(why, sizeof(why))) {
		T_ASSERT(S_ISCHR(st.st_mode));
	}
}

static void test_kvm_verdict_matches_selftest(void)
{
	char why[512], why2[512], st[256];
	bool api, kvm;

	T_ASSERT(unsetenv("DUALVM_TEST_NO_KVM") == 0);
	api = hostcaps_kvm_api(why, sizeof(why));
	kvm = hostcaps_kvm(why2, sizeof(why2));
	T_ASSERT(!kvm || api);
	T_ASSERT(why[0] && why2[0] && !strchr(why2, '\n'));
	if (!api)
		return;
	/* with the API there, HOST_KVM is exactly the self-test's verdict */
	T_EQ(engine_selftest(&kvm_engine_ops, st, sizeof(st)), kvm);
	if (!kvm)
		T_ASSERT(!strcmp(why2, st));
	T_EQ(hostcaps_kvm(why, sizeof(why)), kvm);	/* deterministic */
}

static void test_native32_override(void)
{
	char why[512];

	T_ASSERT(setenv("DUALVM_TEST_NO_NATIVE32", "1", 1) == 0);
	T_EQ(hostcaps_native32_route(why, sizeof(why)), HOSTCAPS_N32_NONE);
	T_ASSERT(strstr(why, "DUALVM_TEST_NO_NATIVE32=1") != NULL);
	T_ASSERT(!hostcaps_native32(why, sizeof(why)));
}

/* the probe can fail: a data segment and 64-bit code are not 32-bit code */
static void test_native32_probe_discriminates(void)
{
	char why[256];

	T_ASSERT(!hostcaps_native32_try_cs(0x2b, why, sizeof(why)));
	T_ASSERT(strstr(why, "raised") != NULL);
	T_ASSERT(!hostcaps_native32_try_cs(0x33, why, sizeof(why)));
	T_ASSERT(strstr(why, "raised") != NULL);
}

static void test_native32_route_works(void)
{
	enum hostcaps_n32_route r;
	char why[512], w2[256];

	T_ASSERT(unsetenv("DUALVM_TEST_NO_NATIVE32") == 0);
	T_ASSERT(unsetenv("DUALVM_TEST_NATIVE32_ROUTE") == 0);
	r = hostcaps_native32_route(why, sizeof(why));
	switch (r) {
	case HOSTCAPS_N32_GDT:
		T_ASSERT(hostcaps_native32_try(HOSTCAPS_N32_GDT, w2, sizeof(w2)));
		T_EQ(hostcaps_native32_cs(r), HOSTCAPS_USER32_CS);
		break;
	case HOSTCAPS_N32_LDT:
		T_ASSERT(!hostcaps_native32_try(HOSTCAPS_N32_GDT, w2, sizeof(w2)));
		T_ASSERT(hostcaps_native32_try(HOSTCAPS_N32_LDT, w2, sizeof(w2)));
		break;
	default:
		T_ASSERT(!hostcaps_native32_try(HOSTCAPS_N32_GDT, w2, sizeof(w2)));
		T_ASSERT(!hostcaps_native32_try(HOSTCAPS_N32_LDT, w2, sizeof(w2)));
		T_ASSERT(strstr(why, "0x23") != NULL);
		break;
	}
	/* forcing the LDT route gives it whenever modify_ldt code works */
	T_ASSERT(setenv("DUALVM_TEST_NATIVE32_ROUTE", "ldt", 1) == 0);
	T_EQ(hostcaps_native32_route(why, sizeof(why)),
	     hostcaps_native32_try(HOSTCAPS_N32_LDT, w2, sizeof(w2)) ?
	     HOSTCAPS_N32_LDT : HOSTCAPS_N32_NONE);
}

static void test_shell_quote(void)
{
	char q[64];

	T_ASSERT(hostcaps_shell_quote("AuthenticAMD", q, sizeof(q)));
	T_ASSERT(!strcmp(q, "AuthenticAMD"));
	T_ASSERT(hostcaps_shell_quote("", q, sizeof(q)));
	T_ASSERT(!strcmp(q, "''"));
	T_ASSERT(hostcaps_shell_quote("it's $x `y`", q, sizeof(q)));
	T_ASSERT(!strcmp(q, "'it'\\''s $x `y`'"));
	T_ASSERT(!hostcaps_shell_quote("it's $x `y`", q, 8));
}

/* evaluate @script with /bin/sh and return its standard output in @out */
static void sh_eval(const char *script, char *out, size_t len)
{
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	T_ASSERT(pipe(pfd) == 0);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(pfd[0]);
	T_ASSERT(waitpid(pid, &status, 0) == pid);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_shell_lines_eval_back(void)
{
	static const char *const names[] = {
		"HOST_KVM=", "HOST_KVM_WHY=", "HOST_KVM_API=",
		"HOST_KVM_API_WHY=", "HOST_NATIVE32=",
		"HOST_NATIVE32_WHY=", "HOST_CPU_VENDOR=", "HOST_CPU_FAMILY=",
		"HOST_CPU_MODEL=", "HOST_NATIVE32_ROUTE=",
	};
	char *buf = NULL, script[4096], got[1024], expect[1024], nwhy[512];
	struct hostcaps_cpu c;
	const char *p;
	size_t sz = 0;
	FILE *f;

	T_ASSERT(setenv("DUALVM_TEST_NO_KVM", "1", 1) == 0);
	T_ASSERT(setenv("DUALVM_TEST_NO_NATIVE32", "it's forced", 1) == 0);
	f = open_memstream(&buf, &sz);
	T_ASSERT(f);
	hostcaps_shell(f);
	T_ASSERT(fclose(f) == 0);
	p = buf;
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		T_ASSERT(!strncmp(p, names[i], strlen(names[i])));
		p = strchr(p, '\n');
		T_ASSERT(p);
		p++;
	}
	T_EQ(*p, 0);
	snprintf(script, sizeof(script),
		 "%s\nprintf '%%s|%%s|%%s|%%s|%%s|%%s|%%s' \"$HOST_KVM\" \"$HOST_KVM_API\" \"$HOST_NATIVE32\" \"$HOST_NATIVE32_WHY\" \"$HOST_CPU_VENDOR\" \"$HOST_CPU_FAMILY\" \"$HOST_NATIVE32_ROUTE\"",
		 buf);
	sh_eval(script, got, sizeof(got));
	hostcaps_cpu(&c);
	hostcaps_native32_route(nwhy, sizeof(nwhy));
	snprintf(expect, sizeof(expect), "0|0|0|%s|%s|%u|none", nwhy, c.vendor,
		 c.family);
	T_ASSERT(!strcmp(got, expect));
	free(buf);
}

static const struct t_case cases[] = {
	T_CASE(test_cpu_matches_proc_cpuinfo),
	T_CASE(test_kvm_override),
	T_CASE(test_kvm_probe_leaves_nodes_alone),
	T_CASE(test_kvm_verdict_matches_selftest),
	T_CASE(test_native32_override),
	T_CASE(test_native32_probe_discriminates),
	T_CASE(test_native32_route_works),
	T_CASE(test_shell_quote),
	T_CASE(test_shell_lines_eval_back),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
