/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_files.h --- a private file set for the multi-file fuzz harnesses
 *
 * A VMDK descriptor names its extents and a qcow2 overlay its backing file,
 * so one fuzz input becomes up to FUZZ_FILES_MAX files "a", "b", "c", "d"
 * (input split at FUZZ_FILES_SEP) in a private temporary folder, which is
 * also the working folder while the set is live.  Then open()/openat()/
 * fopen() of any absolute path outside that folder, or of any path holding
 * "..", fails with ENOENT, so a fuzzed name can never make the harness read
 * a host file.
 */
#ifndef DUALVM_FUZZ_FILES_H
#define DUALVM_FUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_FILES_MAX	4
#define FUZZ_FILES_SEP	"\n=%=\n"

/* Write the parts of @data as the files of the set (a missing part leaves
 * its file absent) and turn the path guard on.  The path of file "a" (the
 * one to open) goes to @path.  0 or -errno. */
int fuzz_files_load(const uint8_t *data, size_t size, char *path,
		    size_t pathlen);

/* Turn the guard off again and return to the previous working folder
 * (the files stay until the next load). */
void fuzz_files_done(void);

#endif
