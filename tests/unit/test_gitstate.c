/* gitstate: HEAD, branch and cleanliness read from .git's files must be
 * exactly git's answer when given, and "unsure" whenever git's bookkeeping
 * does not prove it; weft_repo must give the same facts either way. Repos
 * are made with the git CLI, so the formats are git's, not ours. */
#define _GNU_SOURCE
#include "test_util.h"

#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "gitstate.h"
#include "sha1.h"
#include "weft/repo.h"

#define GIT "git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main "

static void sh(const char *dir, const char *fmt, ...)
{
	char cmd[2048];
	int k = snprintf(cmd, sizeof cmd, "cd '%s' && ", dir);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd + k, sizeof cmd - (size_t)k, fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* The first line git prints for `args`, run in `dir`. */
static void git_out(char *out, size_t cap, const char *dir, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cd '%s' && " GIT "%s", dir, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, (int)cap, p));
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/* A committed repository with a file, a script in a folder, an executable
 * and a symbolic link; its real path (gitstate refuses symlinked paths). */
static char *new_repo(void)
{
	char *tmp = tmpdir_new();
	char *dir = realpath(tmp, NULL);
	free(tmp);
	assert_non_null(dir);
	sh(dir, GIT "init -q . && mkdir -p sub && printf 'a,b\\n1,2\\n' > data.csv && echo 'return 1' > sub/p.lua && "
		"printf '#!/bin/sh\\n' > run.sh && chmod +x run.sh && ln -s data.csv link.csv && " GIT
		"add -A && " GIT "commit -qm one");
	return dir;
}

static gitstate *read_state(const char *dir, const char *sub)
{
	char *start = sub[0] ? weft_path_join(dir, sub) : weft_strdup(dir);
	char *wd = NULL, *gd = NULL;
	assert_int_equal(gitstate_discover(&wd, &gd, start), 1);
	assert_string_equal(wd, dir);
	gitstate *s = gitstate_read(wd, gd);
	free(start);
	free(wd);
	free(gd);
	return s;
}

static void done(char *dir)
{
	weft_rm_rf(dir);
	free(dir);
}

static void test_sha1_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in, *hex;
	} v[] = {
		{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		weft_sha1 c;
		unsigned char md[20];
		char hex[41];
		weft_sha1_init(&c);
		/* in two pieces, to cross the buffered path */
		size_t n = strlen(v[i].in);
		weft_sha1_update(&c, v[i].in, n / 3);
		weft_sha1_update(&c, v[i].in + n / 3, n - n / 3);
		weft_sha1_final(&c, md);
		for (int k = 0; k < 20; k++)
			snprintf(hex + 2 * k, 3, "%02x", md[k]);
		assert_string_equal(hex, v[i].hex);
	}
	/* a million 'a's: many blocks */
	weft_sha1 c;
	unsigned char md[20];
	char a[1000];
	memset(a, 'a', sizeof a);
	weft_sha1_init(&c);
	for (int i = 0; i < 1000; i++)
		weft_sha1_update(&c, a, sizeof a);
	weft_sha1_final(&c, md);
	static const unsigned char want[20] = {0x34, 0xaa, 0x97, 0x3c, 0xd4, 0xc4, 0xda, 0xa4, 0xf6, 0x1e,
					       0xeb, 0x2b, 0xdb, 0xad, 0x27, 0x31, 0x65, 0x34, 0x01, 0x6f};
	assert_memory_equal(md, want, 20);
}

static void test_clean_checkout_answers_as_git(void **state)
{
	(void)state;
	char *dir = new_repo();
	char head[64], blob[64], oid[41], work[41];
	git_out(head, sizeof head, dir, "rev-parse HEAD");
	gitstate *s = read_state(dir, "sub");
	assert_non_null(s);
	assert_string_equal(gitstate_commit(s), head);
	assert_string_equal(gitstate_branch(s), "main");
	assert_int_equal(gitstate_detached(s), 0);
	assert_int_equal(gitstate_clean(s), 1);
	const char *files[] = {"data.csv", "sub/p.lua", "run.sh"};
	for (int i = 0; i < 3; i++) {
		char args[128];
		snprintf(args, sizeof args, "rev-parse HEAD:%s", files[i]);
		git_out(blob, sizeof blob, dir, args);
		assert_int_equal(gitstate_blobs(s, files[i], oid, work), 1);
		assert_string_equal(oid, blob);
		assert_string_equal(work, blob);
	}
	assert_int_equal(gitstate_blobs(s, "link.csv", oid, work), 0); /* a link: its reader sees the target */
	assert_int_equal(gitstate_blobs(s, "missing.csv", oid, work), 0);
	gitstate_free(s);

	/* weft_repo gives the same facts it gave through libgit2 */
	weft_repo *r = NULL;
	assert_int_equal(weft_repo_open(&r, dir), WEFT_OK);
	weft_repo_head h;
	int dirty = -1;
	char hb[41], wb[41];
	assert_int_equal(weft_repo_head_get(&h, r), WEFT_OK);
	assert_string_equal(h.commit, head);
	assert_string_equal(h.branch, "main");
	assert_int_equal(weft_repo_is_dirty(&dirty, r), WEFT_OK);
	assert_int_equal(dirty, 0);
	assert_int_equal(weft_repo_file_blobs(hb, wb, r, head, "link.csv"), WEFT_OK); /* through libgit2 */
	git_out(blob, sizeof blob, dir, "hash-object data.csv");
	assert_string_equal(wb, blob);
	weft_repo_head_clear(&h);
	weft_repo_free(r);
	done(dir);
}

static void test_every_kind_of_change_is_unsure(void **state)
{
	(void)state;
	char *dir = new_repo();
	/* same size, new content: the stat data moved */
	sh(dir, "printf 'a,b\\n3,4\\n' > data.csv");
	gitstate *s = read_state(dir, "");
	assert_non_null(s);
	assert_int_equal(gitstate_clean(s), 0);
	char oid[41], work[41];
	/* an unchanged file beside it still has one blob for both */
	assert_int_equal(gitstate_blobs(s, "sub/p.lua", oid, work), 1);
	assert_string_equal(oid, work);
	gitstate_free(s);
	weft_repo *r = NULL;
	int dirty = 0;
	assert_int_equal(weft_repo_open(&r, dir), WEFT_OK);
	assert_int_equal(weft_repo_is_dirty(&dirty, r), WEFT_OK);
	assert_int_equal(dirty, 1);
	weft_repo_free(r);

	/* staged: the cached tree no longer names HEAD's tree */
	sh(dir, GIT "add data.csv");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_clean(s), 0);
	gitstate_free(s);

	/* committed: clean again, at the new commit */
	sh(dir, GIT "commit -qm two");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_clean(s), 1);
	gitstate_free(s);

	/* a mode change, a deleted file */
	sh(dir, "chmod -x run.sh");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_clean(s), 0);
	gitstate_free(s);
	sh(dir, "chmod +x run.sh && rm sub/p.lua");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_clean(s), 0);
	gitstate_free(s);
	done(dir);
}

/* git's own verdict on the tracked files: 1 when `git status` lists any. */
static int git_dirty(const char *dir)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cd '%s' && test -z \"$(" GIT "status --porcelain --untracked-files=no)\"", dir);
	return system(cmd) != 0;
}

/* A work tree whose index is HEAD's: changes are answered without
 * libgit2, as git answers them, and anything a filter could touch is
 * left to libgit2. The user's own git config is set aside (HOME), since
 * a line-ending setting there rightly makes the answer unsure. */
static void test_work_tree_changes_are_answered(void **state)
{
	(void)state;
	char *home = tmpdir_new();
	char *old_home = getenv("HOME") ? weft_strdup(getenv("HOME")) : NULL;
	assert_int_equal(setenv("HOME", home, 1), 0);
	assert_int_equal(unsetenv("XDG_CONFIG_HOME"), 0);
	char *dir = new_repo();
	char head[64], blob[64], hb[41], wb[41];
	git_out(head, sizeof head, dir, "rev-parse HEAD");

	/* same size, new bytes: dirty, and the file's work blob is git's */
	sh(dir, "printf 'a,b\\n3,4\\n' > data.csv");
	gitstate *s = read_state(dir, "");
	assert_non_null(s);
	assert_int_equal(gitstate_clean(s), 0);
	assert_int_equal(gitstate_dirty(s), 1);
	assert_int_equal(git_dirty(dir), 1);
	assert_int_equal(gitstate_blobs(s, "data.csv", hb, wb), 1);
	git_out(blob, sizeof blob, dir, "rev-parse HEAD:data.csv");
	assert_string_equal(hb, blob);
	git_out(blob, sizeof blob, dir, "hash-object data.csv");
	assert_string_equal(wb, blob);
	assert_int_equal(gitstate_blobs(s, "sub/p.lua", hb, wb), 1); /* untouched: its blob both ways */
	git_out(blob, sizeof blob, dir, "rev-parse HEAD:sub/p.lua");
	assert_string_equal(hb, blob);
	assert_string_equal(wb, blob);
	assert_int_equal(gitstate_blobs(s, "new.csv", hb, wb), 0); /* no such file */
	gitstate_free(s);
	/* an untracked file (a pipeline not yet committed): no HEAD id */
	sh(dir, "echo 'return 3' > sub/new.lua");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_blobs(s, "sub/new.lua", hb, wb), 1);
	assert_string_equal(hb, "");
	git_out(blob, sizeof blob, dir, "hash-object sub/new.lua");
	assert_string_equal(wb, blob);
	gitstate_free(s);
	sh(dir, "rm sub/new.lua");
	/* weft_repo's answers are the same ones */
	weft_repo *r = NULL;
	int dirty = -1;
	assert_int_equal(weft_repo_open(&r, dir), WEFT_OK);
	assert_int_equal(weft_repo_is_dirty(&dirty, r), WEFT_OK);
	assert_int_equal(dirty, 1);
	assert_int_equal(weft_repo_file_blobs(hb, wb, r, head, "data.csv"), WEFT_OK);
	git_out(blob, sizeof blob, dir, "hash-object data.csv");
	assert_string_equal(wb, blob);
	weft_repo_free(r);

	/* the old bytes back, with a new mtime: the stat data moved, the
	 * content did not, and git calls it clean */
	sh(dir, "printf 'a,b\\n1,2\\n' > data.csv");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_clean(s), 0);
	assert_int_equal(gitstate_dirty(s), 0);
	assert_int_equal(git_dirty(dir), 0);
	gitstate_free(s);

	/* a deleted file */
	sh(dir, "rm sub/p.lua");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), 1);
	assert_int_equal(gitstate_blobs(s, "sub/p.lua", hb, wb), 0);
	gitstate_free(s);
	sh(dir, GIT "checkout -q -- sub/p.lua");

	/* a mode change: unsure (core.filemode decides) */
	sh(dir, "chmod -x run.sh");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), -1);
	gitstate_free(s);
	sh(dir, "chmod +x run.sh");

	/* an attributes file, tracked or not, in the file's folder or at the
	 * top, or a line-ending setting: git might filter, so unsure */
	sh(dir, "echo 'return 2' > sub/p.lua && echo '* text=auto' > sub/.gitattributes");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), -1);
	assert_int_equal(gitstate_blobs(s, "sub/p.lua", hb, wb), 0);
	gitstate_free(s);
	sh(dir, "mv sub/.gitattributes .gitattributes");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), -1);
	gitstate_free(s);
	sh(dir, "rm .gitattributes && " GIT "config core.autocrlf input");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), -1);
	gitstate_free(s);
	sh(dir, GIT "config --unset core.autocrlf && printf '[core]\\n\\teol = crlf\\n' > '%s/.gitconfig'", home);
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), -1);
	gitstate_free(s);
	sh(dir, "rm '%s/.gitconfig'", home);
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), 1);
	gitstate_free(s);

	/* staged: the index is not HEAD's tree, libgit2's question */
	sh(dir, GIT "add sub/p.lua");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_dirty(s), -1);
	gitstate_free(s);

	done(dir);
	weft_rm_rf(home);
	free(home);
	if (old_home)
		assert_int_equal(setenv("HOME", old_home, 1), 0);
	free(old_home);
}

/* An index whose cached tree was invalidated (`git rm --cached` then `git
 * add` of the same file, as a stash and its pop leave it) still equals HEAD:
 * the tree is computed from the entries, as `git write-tree` would, and
 * the answer is clean without libgit2. Names that sort around '/' (sub-x,
 * sub.txt, sub/) and nested folders check the tree order. */
static void test_invalidated_cached_tree_is_computed(void **state)
{
	(void)state;
	char *dir = new_repo();
	sh(dir, "mkdir -p sub-x sub/deeper/most && echo c > sub.txt && echo d > sub-x/y && echo e > sub/deeper/most/z && "
		GIT "add -A && " GIT "commit -qm more && " GIT "rm -q --cached sub.txt && " GIT "add sub.txt");
	/* The root's entry count is -1: invalidated. (`git write-tree` would
	 * mend it, so it is not asked.) */
	sh(dir, "grep -aqP 'TREE[\\s\\S]{4}\\x00-1 ' .git/index");
	gitstate *s = read_state(dir, "");
	assert_non_null(s);
	assert_int_equal(gitstate_clean(s), 1);
	char oid[41], work[41], blob[64];
	git_out(blob, sizeof blob, dir, "rev-parse HEAD:sub/deeper/most/z");
	assert_int_equal(gitstate_blobs(s, "sub/deeper/most/z", oid, work), 1);
	assert_string_equal(oid, blob);
	assert_string_equal(work, blob);
	gitstate_free(s);
	/* the same index with a staged change is not HEAD's tree: unsure */
	sh(dir, "echo changed > sub.txt && " GIT "add sub.txt");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_clean(s), 0);
	gitstate_free(s);
	/* nor is one where a file was staged as removed */
	sh(dir, GIT "reset -q --hard && " GIT "rm -q --cached sub-x/y");
	assert_non_null(s = read_state(dir, ""));
	assert_int_equal(gitstate_clean(s), 0);
	gitstate_free(s);
	done(dir);
}

static void test_racy_entries_are_hashed(void **state)
{
	(void)state;
	char *dir = new_repo();
	/* An index older than every file makes every entry racily clean, so
	 * each must be checked by content, as git checks it. */
	char *index = weft_path_join(dir, ".git/index");
	struct timeval old[2] = {{1000000000, 0}, {1000000000, 0}};
	assert_int_equal(utimes(index, old), 0);
	gitstate *s = read_state(dir, "");
	assert_non_null(s);
	assert_int_equal(gitstate_clean(s), 1);
	gitstate_free(s);
	free(index);
	done(dir);
}

static void test_refs_and_heads(void **state)
{
	(void)state;
	char *dir = new_repo();
	char head[64];
	git_out(head, sizeof head, dir, "rev-parse HEAD");
	/* packed refs, and the commit inside a pack */
	sh(dir, GIT "gc -q && test ! -e .git/refs/heads/main");
	gitstate *s = read_state(dir, "");
	assert_non_null(s);
	assert_string_equal(gitstate_commit(s), head);
	assert_string_equal(gitstate_branch(s), "main");
	assert_int_equal(gitstate_clean(s), 1);
	gitstate_free(s);
	/* detached */
	sh(dir, GIT "checkout -q --detach");
	assert_non_null(s = read_state(dir, ""));
	assert_string_equal(gitstate_commit(s), head);
	assert_null(gitstate_branch(s));
	assert_int_equal(gitstate_detached(s), 1);
	gitstate_free(s);
	/* an unborn branch: libgit2's question */
	sh(dir, GIT "checkout -q --orphan fresh");
	char *wd = NULL, *gd = NULL;
	assert_int_equal(gitstate_discover(&wd, &gd, dir), 1);
	assert_null(gitstate_read(wd, gd));
	free(wd);
	free(gd);
	done(dir);
}

static void test_unusual_repositories_go_to_libgit2(void **state)
{
	(void)state;
	char *dir = new_repo();
	char *wt = weft_path_join(dir, "wt");
	char *wd = NULL, *gd = NULL;
	/* a linked worktree has a .git file */
	sh(dir, GIT "worktree add -q wt");
	assert_int_equal(gitstate_discover(&wd, &gd, wt), 0);
	weft_repo *r = NULL;
	assert_int_equal(weft_repo_open(&r, wt), WEFT_OK);
	weft_repo_head h;
	assert_int_equal(weft_repo_head_get(&h, r), WEFT_OK);
	assert_non_null(h.commit[0] ? h.commit : NULL);
	weft_repo_head_clear(&h);
	weft_repo_free(r);
	/* a config that moves the work tree */
	sh(dir, GIT "worktree remove wt && " GIT "config core.worktree '%s'", dir);
	assert_int_equal(gitstate_discover(&wd, &gd, dir), 0);
	sh(dir, GIT "config --unset core.worktree");
	assert_int_equal(gitstate_discover(&wd, &gd, dir), 1);
	free(wd);
	free(gd);
	/* a path reached through a symbolic link */
	char *tmp = tmpdir_new();
	char *link = weft_path_join(tmp, "l");
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(gitstate_discover(&wd, &gd, link), 0);
	weft_rm_rf(tmp);
	free(tmp);
	free(link);
	free(wt);
	done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1_vectors),
		cmocka_unit_test(test_clean_checkout_answers_as_git),
		cmocka_unit_test(test_every_kind_of_change_is_unsure),
		cmocka_unit_test(test_work_tree_changes_are_answered),
		cmocka_unit_test(test_invalidated_cached_tree_is_computed),
		cmocka_unit_test(test_racy_entries_are_hashed),
		cmocka_unit_test(test_refs_and_heads),
		cmocka_unit_test(test_unusual_repositories_go_to_libgit2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
