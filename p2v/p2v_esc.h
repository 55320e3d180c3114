/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * p2v_esc.h --- quoting of names and paths in the VM definitions
 *
 * Every string that p2v_vm.c copies into a VM definition (the VM name, the
 * disk file name or path) passes through one of these rules, so a name
 * with `&`, `<`, `"`, `|`, spaces or a newline still yields a file its
 * reader parses back to the same bytes:
 *  - P2V_ESC_XML: XML 1.0 character data and attribute values (OVF,
 *    libvirt): & < > " ' become &amp; &lt; &gt; &quot; &apos;, and tab,
 *    LF and CR become character references so attribute-value
 *    normalisation (XML 1.0 section 3.3.3) keeps them.  Other C0 controls,
 *    U+FFFE/U+FFFF and bytes that are not UTF-8 have no XML 1.0 spelling.
 *  - P2V_ESC_VMX: VMware .vmx quoted values.  VMware's dictionary writer
 *    turns `"`, `|`, DEL and every control character but tab into `|` and
 *    two upper-case hex digits (`a"b` -> `a|22b`, `|` -> `|7C`) and its
 *    reader undoes `|XX` in every value; bytes >= 0x80 stay as they are.
 *  - P2V_ESC_URI: a relative-path reference (RFC 3986 section 4.2), as
 *    OVF's ovf:href is (DSP0243 1.0 section 7.1): every byte but the
 *    unreserved set (A-Z a-z 0-9 - . _ ~) and `/` becomes `%XX` (upper
 *    case, RFC 3986 section 2.1), so `a b:c` -> `a%20b%3Ac`.
 *  - P2V_ESC_DUALVM: values of dualvm's `key = value` files (documented
 *    in tests/p2v/README.md): `\` -> `\\`; control characters, DEL and a
 *    space that starts or ends the value -> `\xHH` (two hex digits).
 *    Everything else is written as it is.
 */
#ifndef DUALVM_P2V_ESC_H
#define DUALVM_P2V_ESC_H

#include <stddef.h>
#include <sys/types.h>

enum p2v_esc {
	P2V_ESC_XML,		/* XML 1.0 text and attribute values */
	P2V_ESC_VMX,		/* VMware .vmx quoted values (|XX) */
	P2V_ESC_URI,		/* RFC 3986 relative reference (%XX) */
	P2V_ESC_DUALVM,		/* dualvm key = value files (\\, \xHH) */
};

/*
 * Escape the NUL-terminated @in by rule @kind into @out, snprintf style:
 * at most @outlen - 1 bytes plus a NUL are stored (nothing when @outlen is
 * 0, so @out may then be NULL).  Returns the length of the whole escaped
 * string (not counting the NUL; larger than @outlen - 1 means @out was
 * truncated), or for P2V_ESC_XML -EILSEQ when @in is not UTF-8 and
 * -EINVAL when it holds a character XML 1.0 cannot carry.  Pure function,
 * any thread.
 */
ssize_t __attribute__((warn_unused_result))
p2v_escape(enum p2v_esc kind, const char *in, char *out, size_t outlen);

/*
 * Like p2v_escape(), into a malloc()ed string the caller frees: 0 with
 * *@out set, or -EILSEQ, -EINVAL (as above), -ENOMEM with *@out NULL.
 */
int __attribute__((warn_unused_result))
p2v_escape_dup(enum p2v_esc kind, const char *in, char **out);

/*
 * The reader's side: decode @in, escaped by rule @kind, into @out (at most
 * @outlen bytes with the NUL; strlen(@in) + 1 always suffices).  Returns
 * the decoded length, -EINVAL for a malformed escape or one that decodes
 * to NUL, -ENOSPC when @out is too small, -ENOTSUP for P2V_ESC_XML (XML is
 * read with an XML parser).  Pure function, any thread.
 */
ssize_t __attribute__((warn_unused_result))
p2v_unescape(enum p2v_esc kind, const char *in, char *out, size_t outlen);

#endif
