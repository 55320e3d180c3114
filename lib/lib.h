/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib.h --- the small helpers every dualvm library may use (liblib.a)
 *
 * lib/ is the bottom layer: it depends on libc and libnettle only, and
 * nothing in it knows about disks, devices or VMs.  It holds the helpers
 * that used to exist in more than one copy:
 *  - a JSON writer (lib/json.c): the one string escaper of the tree, plus
 *    comma and nesting bookkeeping, for `--json` output;
 *  - SHA-256 through libnettle (lib/sha256.c), which uses the CPU's SHA
 *    instructions where there are any;
 *  - file-descriptor I/O loops and formatting helpers (lib/io.c).
 * Everything here is reentrant and keeps no global state; a handle
 * (struct lib_json, struct lib_sha256) belongs to one thread at a time.
 */
#ifndef DUALVM_LIB_H
#define DUALVM_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <nettle/sha2.h>

/* ------------------------------------------------------------------ */
/* JSON writer (RFC 8259)                                              */

#define LIB_JSON_MAX_DEPTH	16	/* nesting the writer tracks */

struct lib_json {
	FILE		*f;		/* output stream */
	const char	*sep;		/* between members: ", " or "," */
	const char	*colon;		/* after a key: ": " or ":" */
	unsigned int	depth;		/* open containers, 0..MAX_DEPTH */
	bool		first[LIB_JSON_MAX_DEPTH + 1];	/* nothing written yet
							 * at this depth */
	bool		lines[LIB_JSON_MAX_DEPTH + 1];	/* one member a line */
};

/*
 * Start writing one JSON value to @f.  @compact: no blank after ',' and
 * ':' (`{"a":1,"b":2}`), else `{"a": 1, "b": 2}`.  Nothing is written yet.
 */
void lib_json_init(struct lib_json *j, FILE *f, bool compact);

/*
 * Open an object ('{') or array ('[') as the member @key of the enclosing
 * object, or as the next element of an array / the top-level value when
 * @key is NULL.  lib_json_begin_lines() opens an array whose elements each
 * start on a line of their own, indented by two blanks.  Nesting deeper
 * than LIB_JSON_MAX_DEPTH is a programming error (assert).
 */
void lib_json_begin(struct lib_json *j, const char *key, char open);
void lib_json_begin_lines(struct lib_json *j, const char *key);
/* Close the innermost container with @close ('}' or ']'). */
void lib_json_end(struct lib_json *j, char close);
/* Close the top-level value and end the line. */
void lib_json_finish(struct lib_json *j, char close);

/* Members (with @key) or array elements (@key NULL) of each JSON type.
 * A NULL @val of lib_json_str is written as "". */
void lib_json_str(struct lib_json *j, const char *key, const char *val);
void lib_json_u64(struct lib_json *j, const char *key, uint64_t val);
void lib_json_int(struct lib_json *j, const char *key, long long val);
void lib_json_bool(struct lib_json *j, const char *key, bool val);
void lib_json_null(struct lib_json *j, const char *key);
/* A number printed with @decimals digits after the point ("%.*f"). */
void lib_json_double(struct lib_json *j, const char *key, double val,
		     int decimals);

/*
 * Write @s (NULL: "") to @f as a JSON string literal with its quotes:
 * '"' and '\\' escaped, \n and \t by name, other C0 controls as \u00XX,
 * every other byte as it is (UTF-8 passes through).  The one escaper of
 * the tree; the writer above uses it.
 */
void lib_json_quote(FILE *f, const char *s);

/* ------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4) through libnettle                              */

#define LIB_SHA256_HEX	65	/* 64 lower-case hex digits and a NUL */

struct lib_sha256 {
	struct sha256_ctx	ctx;	/* nettle's state */
};

void lib_sha256_init(struct lib_sha256 *s);
void lib_sha256_update(struct lib_sha256 *s, const void *data, size_t len);
/* Finish: 64 lower-case hex digits and a NUL into @out.  @s is reset. */
void lib_sha256_hex(struct lib_sha256 *s, char out[LIB_SHA256_HEX]);

/* The digest of @len bytes at @buf, in hex. */
void lib_sha256_buf_hex(const void *buf, size_t len,
			char out[LIB_SHA256_HEX]);

/* The digest of the whole file @path, in hex.  0 or -errno. */
int __attribute__((warn_unused_result))
lib_sha256_file(const char *path, char out[LIB_SHA256_HEX]);

/* ------------------------------------------------------------------ */
/* File descriptors and formatting                                     */

/*
 * Write all @len bytes of @buf to @fd at byte @off (pwrite), retrying
 * short writes and EINTR.  0 or -errno (-EIO if the kernel wrote nothing
 * without saying why).
 */
int __attribute__((warn_unused_result))
lib_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/*
 * Read up to @len bytes at @off of @fd (pread), retrying short reads and
 * EINTR until @len bytes or the end of the file.  Returns the bytes read
 * (less than @len only at the end of the file) or -errno.
 */
ssize_t __attribute__((warn_unused_result))
lib_pread_full(int fd, void *buf, size_t len, uint64_t off);

/*
 * An anonymous memory file (memfd, close-on-exec) named @name holding a
 * copy of @len bytes at @buf, positioned at its start: for libraries that
 * want a file (libblkid, hivex).  The fd, or -errno.
 */
int __attribute__((warn_unused_result))
lib_memfd_from(const char *name, const void *buf, size_t len);

/* @bytes as "12.3 MiB" (B, KiB, MiB, GiB, TiB; one decimal) into @buf. */
void lib_human_size(char *buf, size_t len, double bytes);

#endif
