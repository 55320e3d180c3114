// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vmdef.c --- VM definitions (dualvm's own `key = value` files and
 * VMware .vmx): p2v_vmdef_read() on arbitrary text, as file "a" of a
 * private file set (fuzz_files.h) whose other parts are the disks it may
 * name.  Whatever it accepts has 1..P2V_VMDEF_DISKS disks, each resolved
 * to a path inside the set's folder (the path policy), and a known mode.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p2v/p2v.h"
#include "tests/fuzz/fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct p2v_vmdef d;
	char path[4096], dir[4096], err[512];
	size_t n;

	if (fuzz_files_load(data, size, path, sizeof(path)))
		return 0;
	if (!getcwd(dir, sizeof(dir))) {
		fuzz_files_done();
		return 0;
	}
	n = strlen(dir);
	if (p2v_vmdef_read(path, &d, err, sizeof(err)) == 0) {
		if (!d.ndisks || d.ndisks > P2V_VMDEF_DISKS)
			abort();
		for (unsigned int i = 0; i < d.ndisks; i++) {
			const char *m = d.disk[i].mode;

			if (strncmp(d.disk[i].path, dir, n) || d.disk[i].path[n] != '/')
				abort();	/* escaped the folder */
			if (*m && strcmp(m, "nonpersistent") &&
			    strcmp(m, "undoable") && strcmp(m, "persistent"))
				abort();
		}
	} else if (!err[0] || strchr(err, '\n')) {
		abort();			/* one line, always */
	}
	fuzz_files_done();
	return 0;
}
