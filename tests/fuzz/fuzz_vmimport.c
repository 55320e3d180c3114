// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vmimport.c --- the importers of `dualvm vm import`: an input that
 * looks like a tar (a "ustar" mark at byte 257) goes to p2v_ova_import(),
 * which extracts into the private folder of a file set (fuzz_files.h);
 * anything else to p2v_vmxml_parse() (OVF, libvirt XML) as file "a" of
 * the set, whose other parts are the disks it may name.  Whatever they
 * accept has 1..P2V_VMDEF_DISKS disks, each inside the set's folder (the
 * path policy), a known mode and bounded memory and CPUs; whatever they
 * refuse is one line; an OVA leaves nothing behind but what it returned.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p2v/p2v.h"
#include "tests/fuzz/fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Only the set's own files "a".."d" may be left in the folder. */
static void check_left(void)
{
	DIR *dp = opendir(".");
	struct dirent *de;

	while (dp && (de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    (strlen(de->d_name) != 1 || de->d_name[0] < 'a' ||
		     de->d_name[0] > 'd'))
			abort();		/* a file left behind */
	if (dp)
		closedir(dp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct p2v_vmdef d;
	static char text[1024 * 1024];
	char path[4096], dir[4096], err[512];
	bool ova = size > 262 && !memcmp(data + 257, "ustar", 5);
	size_t n;
	int e;

	if (size > sizeof(text) || fuzz_files_load(data, size, path, sizeof(path)))
		return 0;
	if (!getcwd(dir, sizeof(dir))) {
		fuzz_files_done();
		return 0;
	}
	n = strlen(dir);
	err[0] = '\0';
	if (ova) {
		e = p2v_ova_import(path, dir, &d, NULL, err, sizeof(err));
	} else {
		/* file "a" of the set: the input up to the first separator */
		const void *sep = memmem(data, size, FUZZ_FILES_SEP,
					 strlen(FUZZ_FILES_SEP));
		size_t len = sep ? (size_t)((const uint8_t *)sep - data) : size;

		memcpy(text, data, len);
		e = p2v_vmxml_parse(path, text, len, 0, &d, err, sizeof(err));
	}
	if (e == 0) {
		if (!d.ndisks || d.ndisks > P2V_VMDEF_DISKS ||
		    d.mem_mib > 65536 || d.cpus > 64)
			abort();
		for (unsigned int i = 0; i < d.ndisks; i++) {
			const char *m = d.disk[i].mode;

			if (strncmp(d.disk[i].path, dir, n) ||
			    d.disk[i].path[n] != '/')
				abort();	/* escaped the folder */
			if (*m && strcmp(m, "nonpersistent"))
				abort();
		}
		if (ova)
			for (unsigned int i = 0; i < d.ndisks; i++)
				unlink(d.disk[i].path);
	} else if (!err[0] || strchr(err, '\n')) {
		abort();			/* one line, always */
	}
	check_left();
	fuzz_files_done();
	return 0;
}
