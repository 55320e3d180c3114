// SPDX-License-Identifier: GPL-2.0-only
/* test_vmd_open.c --- VM disk modes (vmdisk/vmd_open.c: nonpersistent,
 * undoable with commit/discard/keep, persistent), locks, and qcow2/commit
 * error paths driven by fault injection */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmdisk/vmdisk.h"
#include "tests/unit/harness.h"

#define P1	(2048ull * 512)
#define P2	(6144ull * 512)
#define SZ	(16u << 20)

static char img[300], ref[300];

static void mkdisk(void)
{
	static const char script[] = "label: dos\nlabel-id: 0x0badcafe\n"
		"start=2048, size=4096, type=83, bootable\n"
		"start=6144, size=16384, type=83\n";
	char cmd[700];
	FILE *f;
	int fd;

	if (access("/usr/sbin/sfdisk", X_OK) ||
	    access("/usr/lib/syslinux/mbr/mbr.bin", R_OK))
		T_SKIP("sfdisk or syslinux mbr.bin not installed");
	snprintf(img, sizeof(img), "%s/disk.img", t_tmpdir());
	snprintf(ref, sizeof(ref), "%s/ref.img", t_tmpdir());
	fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && ftruncate(fd, SZ) == 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/sfdisk -q --no-reread %s >/dev/null 2>&1", img);
	f = popen(cmd, "w");
	T_ASSERT(f);
	fputs(script, f);
	T_EQ(pclose(f), 0);
	snprintf(cmd, sizeof(cmd), "cp %s %s", img, ref);
	T_EQ(system(cmd), 0);
}

static bool same_as_ref(void)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", img, ref);
	return system(cmd) == 0;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static struct rd_disk *vm_open(enum vmd_mode m, const char *parts,
			       const char *dir, int expect)
{
	struct vmd_opts o = { .path = img, .partitions = parts, .mode = m,
				.overlay_dir = dir };
	struct rd_disk *d = NULL;
	char err[600];
	int e = vmd_open(&o, &d, NULL, err, sizeof(err));

	if (e != expect)
		t_fail(__FILE__, __LINE__, "vmd_open: %d (%s), expected %d", e,
		       err, expect);
	return d;
}

static void test_nonpersistent_view(void)
{
	char dir[300], buf[16], msg[300];
	struct rd_disk *d;

	mkdisk();
	snprintf(dir, sizeof(dir), "%s/ovl", t_tmpdir());
	T_ASSERT(mkdir(dir, 0755) == 0);
	d = vm_open(VMD_MODE_DEFAULT, "2", dir, 0);
	T_EQ(count_files(dir), 0);		/* unlinked at once */
	T_ASSERT(!vmd_undo_overlay(d));		/* nothing to ask about */
	T_EQ(rd_pwrite(d, "GUEST", 5, P2 + 4096), 0);
	T_EQ(rd_pwrite(d, "GUEST", 5, P1 + 4096), -EACCES);
	T_EQ(rd_pwrite(d, "MBR!!", 5, 0), 0);	/* private table copy */
	T_EQ(rd_pread(d, buf, 5, P2 + 4096), 0);
	T_ASSERT(!memcmp(buf, "GUEST", 5));
	/* a second VM on the same disk is refused */
	T_ASSERT(!vm_open(VMD_MODE_NONPERSISTENT, "2", dir, -EBUSY));
	T_EQ(vmd_close(d, VMD_EXIT_KEEP, msg, sizeof(msg)), 0);
	T_ASSERT(same_as_ref());
	T_EQ(count_files(dir), 0);
}

static void test_undoable_commit(void)
{
	char msg[600], ovl[400], buf[16];
	struct rd_disk *d;

	mkdisk();
	d = vm_open(VMD_MODE_UNDOABLE, "2", NULL, 0);
	T_ASSERT(vmd_undo_overlay(d) &&
		 strstr(vmd_undo_overlay(d), "-p2.undo.qcow2"));
	T_EQ(rd_pwrite(d, "FIRST", 5, P2 + 8192), 0);
	T_EQ(rd_pwrite(d, "MBR!!", 5, 0), 0);
	T_EQ(vmd_close(d, VMD_EXIT_KEEP, msg, sizeof(msg)), 0);
	T_ASSERT(strstr(msg, "dualvm disk commit"));
	T_ASSERT(same_as_ref());
	/* the next run continues the same overlay */
	d = vm_open(VMD_MODE_UNDOABLE, "2", NULL, 0);
	T_EQ(rd_pread(d, buf, 5, P2 + 8192), 0);
	T_ASSERT(!memcmp(buf, "FIRST", 5));
	T_EQ(rd_pwrite(d, "SECOND", 6, P2 + 3 * 65536 + 7), 0);
	T_EQ(vmd_close(d, VMD_EXIT_KEEP, msg, sizeof(msg)), 0);
	/* another partition set cannot reuse it */
	snprintf(ovl, sizeof(ovl), "%s-p2.undo.qcow2", img);
	{
		char o1[400];

		snprintf(o1, sizeof(o1), "%s-p1.undo.qcow2", img);
		T_EQ(link(ovl, o1), 0);
		strcat(o1, ".dualvm");
		snprintf(msg, sizeof(msg), "%s.dualvm", ovl);
		T_EQ(link(msg, o1), 0);
		T_ASSERT(!vm_open(VMD_MODE_UNDOABLE, "1", NULL, -EEXIST));
	}
	/* commit through a failing source, then for real */
	{
		struct vmd_commit_opts co = { .fail_write_nth = 2 };

		T_ASSERT(vmd_overlay_commit(ovl, &co, msg, sizeof(msg)) < 0);
		T_ASSERT(strstr(msg, "injected"));
		T_EQ(access(ovl, F_OK), 0);
	}
	T_EQ(vmd_overlay_commit(ovl, NULL, msg, sizeof(msg)), 0);
	T_ASSERT(access(ovl, F_OK) != 0);
	{
		int fd = open(img, O_RDONLY);
		char b0[512], r0[512];
		int rfd = open(ref, O_RDONLY);

		T_ASSERT(pread(fd, buf, 5, (off_t)(P2 + 8192)) == 5);
		T_ASSERT(!memcmp(buf, "FIRST", 5));
		T_ASSERT(pread(fd, buf, 6, (off_t)(P2 + 3 * 65536 + 7)) == 6);
		T_ASSERT(!memcmp(buf, "SECOND", 6));
		T_ASSERT(pread(fd, b0, 512, 0) == 512 && pread(rfd, r0, 512, 0) == 512);
		T_ASSERT(!memcmp(b0, r0, 512));		/* MBR not committed */
		close(fd);
		close(rfd);
	}
}

static void test_undoable_discard_and_exit_actions(void)
{
	char msg[600], ovl[400];
	struct rd_disk *d;

	mkdisk();
	snprintf(ovl, sizeof(ovl), "%s.undo.qcow2", img);
	d = vm_open(VMD_MODE_UNDOABLE, NULL, NULL, 0);
	T_EQ(rd_pwrite(d, "GONE", 4, 100), 0);
	T_EQ(vmd_close(d, VMD_EXIT_DISCARD, msg, sizeof(msg)), 0);
	T_ASSERT(same_as_ref());
	T_ASSERT(access(ovl, F_OK) != 0);
	d = vm_open(VMD_MODE_UNDOABLE, NULL, NULL, 0);
	T_EQ(rd_pwrite(d, "KEPT", 4, 100), 0);
	T_EQ(vmd_close(d, VMD_EXIT_COMMIT, msg, sizeof(msg)), 0);
	T_ASSERT(!same_as_ref());
	T_ASSERT(access(ovl, F_OK) != 0);
	/* persistent: writes go through, the view still guards */
	d = vm_open(VMD_MODE_PERSISTENT, "2", NULL, 0);
	T_EQ(rd_pwrite(d, "P", 1, P1), -EACCES);
	rd_close(d);
}

/* An undoable overlay beside its image names it relatively, so the path
 * policy (and QEMU) follow it; commit refuses when the .dualvm side file
 * names another file than the overlay's own backing reference. */
static void test_undoable_backing_and_commit_target(void)
{
	struct vmd_overlay_info inf;
	char msg[900], ovl[400], side[420], other[320];
	struct rd_disk *d, *r;
	char buf[4];
	FILE *f;
	int fd;

	mkdisk();
	snprintf(ovl, sizeof(ovl), "%s.undo.qcow2", img);
	d = vm_open(VMD_MODE_UNDOABLE, NULL, NULL, 0);
	T_EQ(rd_pwrite(d, "KEEP", 4, 100), 0);
	T_EQ(vmd_close(d, VMD_EXIT_KEEP, msg, sizeof(msg)), 0);
	T_EQ(vmd_overlay_info(ovl, &inf, msg, sizeof(msg)), 0);
	T_ASSERT(!strcmp(inf.backing, "disk.img"));
	T_EQ(rd_image_open(ovl, RD_RDONLY, &r, msg, sizeof(msg)), 0);
	T_EQ(rd_pread(r, buf, 4, 100), 0);
	T_ASSERT(!memcmp(buf, "KEEP", 4));
	rd_close(r);
	/* the side file now names another disk: refused, nothing written */
	snprintf(other, sizeof(other), "%s/other.img", t_tmpdir());
	fd = open(other, O_CREAT | O_RDWR | O_TRUNC, 0644);
	T_ASSERT(fd >= 0 && ftruncate(fd, SZ) == 0);
	close(fd);
	snprintf(side, sizeof(side), "%s.dualvm", ovl);
	f = fopen(side, "w");
	T_ASSERT(f);
	fprintf(f, "dualvm-overlay 1\nsource=%s\npartitions=\nmode=undoable\nextents=\n",
		other);
	fclose(f);
	T_EQ(vmd_overlay_commit(ovl, NULL, msg, sizeof(msg)), -EPERM);
	T_ASSERT(strstr(msg, "commit refused"));
	fd = open(other, O_RDONLY);
	T_ASSERT(fd >= 0 && pread(fd, buf, 4, 100) == 4);
	close(fd);
	T_ASSERT(!memcmp(buf, "\0\0\0\0", 4));
	T_ASSERT(same_as_ref());
	T_ASSERT(access(ovl, F_OK) == 0);
}

/* Temporary overlays go where the caller says (the CLI: $TMPDIR); the
 * library reads no environment. */
static void test_tmp_dir_from_caller(void)
{
	struct vmd_opts o = { .mode = VMD_MODE_NONPERSISTENT };
	struct rd_disk *d = NULL;
	char err[600], missing[320];

	mkdisk();
	snprintf(missing, sizeof(missing), "%s/no-such-dir", t_tmpdir());
	o.path = img;
	o.tmp_dir = missing;
	T_ASSERT(setenv("TMPDIR", t_tmpdir(), 1) == 0);
	T_EQ(vmd_open(&o, &d, NULL, err, sizeof(err)), -ENOENT);
	T_ASSERT(strstr(err, "no-such-dir"));
	o.tmp_dir = t_tmpdir();
	T_EQ(vmd_open(&o, &d, NULL, err, sizeof(err)), 0);
	T_EQ(vmd_close(d, VMD_EXIT_KEEP, err, sizeof(err)), 0);
	T_ASSERT(same_as_ref());
}

/* A qcow2 image is opened as qcow2, never as raw bytes. */
static void test_qcow2_source(void)
{
	struct vmd_opts o = { .mode = VMD_MODE_DEFAULT };
	struct rd_disk *d;
	char path[300], err[600], buf[8];

	snprintf(path, sizeof(path), "%s/vm.qcow2", t_tmpdir());
	T_EQ(rd_qcow2_create(path, 8 << 20, NULL, 0, &d, err, sizeof(err)), 0);
	rd_close(d);
	o.path = path;
	T_EQ(vmd_open(&o, &d, NULL, err, sizeof(err)), 0);
	T_EQ(rd_size(d), 8 << 20);		/* the virtual size */
	T_EQ(rd_pwrite(d, "INQCOW2", 7, 5 << 20), 0);
	T_EQ(vmd_close(d, VMD_EXIT_KEEP, err, sizeof(err)), 0);
	T_EQ(rd_qcow2_open(path, RD_RDONLY, NULL, &d, err, sizeof(err)), 0);
	T_EQ(rd_pread(d, buf, 7, 5 << 20), 0);
	T_ASSERT(!memcmp(buf, "INQCOW2", 7));
	rd_close(d);
	o.mode = VMD_MODE_UNDOABLE;
	T_EQ(vmd_open(&o, &d, NULL, err, sizeof(err)), -ENOTSUP);
	T_ASSERT(strstr(err, "qcow2"));
}

/* A repartitioned source is never written at the overlay's old offsets. */
static void test_repartitioned_source_refused(void)
{
	char msg[600], ovl[400], cmd[800];
	struct rd_disk *d;
	FILE *f;

	mkdisk();
	d = vm_open(VMD_MODE_UNDOABLE, "2", NULL, 0);
	T_EQ(rd_pwrite(d, "STALE", 5, P2 + 8192), 0);
	T_EQ(vmd_close(d, VMD_EXIT_KEEP, msg, sizeof(msg)), 0);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/sfdisk -q --no-reread %s >/dev/null 2>&1", img);
	f = popen(cmd, "w");
	T_ASSERT(f);
	fputs("label: dos\nlabel-id: 0x0badcafe\nstart=2048, size=4096, type=83\n"
	      "start=8192, size=16384, type=83\n", f);
	T_EQ(pclose(f), 0);
	snprintf(cmd, sizeof(cmd), "cp %s %s", img, ref);
	T_EQ(system(cmd), 0);
	snprintf(ovl, sizeof(ovl), "%s-p2.undo.qcow2", img);
	T_EQ(vmd_overlay_commit(ovl, NULL, msg, sizeof(msg)), -ESTALE);
	T_ASSERT(strstr(msg, "partition table"));
	T_ASSERT(same_as_ref());
	T_ASSERT(!vm_open(VMD_MODE_UNDOABLE, "2", NULL, -EEXIST));
	T_EQ(vmd_overlay_discard(ovl, msg, sizeof(msg)), 0);
	T_ASSERT(same_as_ref());
}

/* Every failing metadata/data write leaves an image that reopens, repairs
 * and passes qemu-img check, with all acknowledged writes intact. */
static void test_qcow2_fault_paths(void)
{
	char path[300], err[300];
	unsigned long nth;
	int have_qemu = system("qemu-img --version >/dev/null 2>&1") == 0;

	snprintf(path, sizeof(path), "%s/f.qcow2", t_tmpdir());
	for (nth = 1; nth <= 40; nth++) {
		struct rd_fault_cfg fc = { .fail_write_nth = nth, .sticky = true };
		struct rd_disk *q, *file, *fa;
		uint8_t b[4096];
		int i, ok = 0;

		unlink(path);
		T_EQ(rd_qcow2_create(path, 4 << 20, NULL, 12, &q, err, sizeof(err)), 0);
		rd_close(q);
		T_EQ(rd_file_open(path, RD_RDWR | RD_GROW, &file, err, sizeof(err)), 0);
		T_EQ(rd_fault_open(file, true, &fc, &fa), 0);
		fa->flags |= RD_GROW;
		/* the open itself writes (dirty bit) and may fail cleanly */
		if (rd_qcow2_open_disk(fa, RD_RDWR, NULL, false, &q, err,
				       sizeof(err)) == 0) {
			for (i = 0; i < 6; i++) {
				memset(b, 'a' + i, sizeof(b));
				if (rd_pwrite(q, b, sizeof(b), (uint64_t)i * 300000))
					break;
				ok++;
			}
			rd_close(q);	/* the dirty-bit clear fails too */
		}
		if (nth == 40)
			T_EQ(ok, 6);	/* late enough: nothing failed */
		T_EQ(rd_qcow2_open(path, RD_RDWR, NULL, &q, err, sizeof(err)), 0);
		for (i = 0; i < ok; i++) {
			T_EQ(rd_pread(q, b, sizeof(b), (uint64_t)i * 300000), 0);
			T_EQ(b[0], 'a' + i);
			T_EQ(b[4095], 'a' + i);
		}
		rd_close(q);
		if (have_qemu) {
			char cmd[400];

			snprintf(cmd, sizeof(cmd), "qemu-img check -q %s >/dev/null 2>&1", path);
			if (system(cmd) != 0)
				t_fail(__FILE__, __LINE__, "qemu-img check after fault at write %lu", nth);
		}
	}
}

static const struct t_case cases[] = {
	T_CASE(test_nonpersistent_view),
	T_CASE(test_undoable_commit),
	T_CASE(test_undoable_discard_and_exit_actions),
	T_CASE(test_undoable_backing_and_commit_target),
	T_CASE(test_tmp_dir_from_caller),
	T_CASE(test_qcow2_source),
	T_CASE(test_repartitioned_source_refused),
	T_CASE(test_qcow2_fault_paths),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
