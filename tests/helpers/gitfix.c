/*
 * gitfix -- builds git fixtures for the end-to-end tests with libgit2, so
 * the tests need no `git` program:
 *
 *   gitfix commit DIR MESSAGE       stage everything (respecting .gitignore), commit; prints the id
 *   gitfix tag DIR NAME             lightweight tag at HEAD
 *   gitfix branch DIR NAME          new branch at HEAD (HEAD stays where it is)
 *   gitfix checkout DIR REV [--detach]   force-checkout REV (a branch, or detached)
 *   gitfix rev-parse DIR REV        prints the commit id
 *   gitfix blob DIR REV PATH        prints the blob id of PATH at REV
 *   gitfix head DIR                 prints the branch HEAD is on, or "detached"
 *   gitfix init-bare DIR            creates a bare repository
 *   gitfix pack DIR                 packs every object reachable from a ref
 *                                   (deltas where libgit2 finds them) and
 *                                   removes the loose objects, as `git gc`
 */
#include <dirent.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int die(const char *what)
{
	const git_error *e = git_error_last();
	fprintf(stderr, "gitfix: %s: %s\n", what, e && e->message ? e->message : "failed");
	return 1;
}

static int resolve(git_oid *out, git_repository *r, const char *rev)
{
	git_object *o = NULL, *c = NULL;
	if (git_revparse_single(&o, r, rev) < 0 || git_object_peel(&c, o, GIT_OBJECT_COMMIT) < 0) {
		git_object_free(o);
		return -1;
	}
	git_oid_cpy(out, git_object_id(c));
	git_object_free(o);
	git_object_free(c);
	return 0;
}

static int commit(git_repository *r, const char *msg)
{
	git_index *idx = NULL;
	git_oid tree_id, id, parent_id;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	char *all[] = {"*"};
	git_strarray spec = {all, 1};
	if (git_repository_index(&idx, r) < 0 || git_index_add_all(idx, &spec, 0, NULL, NULL) < 0 ||
	    git_index_update_all(idx, &spec, NULL, NULL) < 0 || git_index_write(idx) < 0 ||
	    git_index_write_tree(&tree_id, idx) < 0 || git_tree_lookup(&tree, r, &tree_id) < 0 ||
	    git_signature_now(&sig, "Fixture", "fixture@example.org") < 0)
		return die("stage");
	if (git_reference_name_to_id(&parent_id, r, "HEAD") == 0 && git_commit_lookup(&parent, r, &parent_id) < 0)
		return die("parent");
	const git_commit *parents[1] = {parent};
	if (git_commit_create(&id, r, "HEAD", sig, sig, NULL, msg, tree, parent ? 1 : 0, parents) < 0)
		return die("commit");
	char hex[41];
	puts(git_oid_tostr(hex, sizeof hex, &id));
	git_commit_free(parent);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	return 0;
}

static int checkout(git_repository *r, const char *rev, int detach)
{
	git_oid id;
	git_object *target = NULL;
	git_checkout_options o;
	git_checkout_options_init(&o, GIT_CHECKOUT_OPTIONS_VERSION);
	o.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (resolve(&id, r, rev) < 0 || git_object_lookup(&target, r, &id, GIT_OBJECT_COMMIT) < 0 ||
	    git_checkout_tree(r, target, &o) < 0)
		return die("checkout");
	char ref[256];
	snprintf(ref, sizeof ref, "refs/heads/%s", rev);
	git_reference *b = NULL;
	int rc = !detach && git_reference_lookup(&b, r, ref) == 0 ? git_repository_set_head(r, ref)
								     : git_repository_set_head_detached(r, &id);
	git_reference_free(b);
	git_object_free(target);
	return rc < 0 ? die("set HEAD") : 0;
}

/* Removes objects/<2 hex>/<38 hex>: every one is in the new pack. */
static int drop_loose(git_repository *r)
{
	char objs[4096];
	snprintf(objs, sizeof objs, "%sobjects", git_repository_path(r));
	DIR *d = opendir(objs);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strlen(e->d_name) != 2 || !strcmp(e->d_name, ".."))
			continue;
		char sub[4400];
		snprintf(sub, sizeof sub, "%s/%s", objs, e->d_name);
		DIR *sd = opendir(sub);
		struct dirent *f;
		while (sd && (f = readdir(sd))) {
			char p[4800];
			snprintf(p, sizeof p, "%s/%s", sub, f->d_name);
			if (strlen(f->d_name) == 38 && unlink(p) != 0)
				return -1;
		}
		if (sd)
			closedir(sd);
	}
	if (d)
		closedir(d);
	return 0;
}

static int pack(git_repository *r)
{
	git_packbuilder *pb = NULL;
	git_revwalk *w = NULL;
	int rc = git_packbuilder_new(&pb, r) < 0 || git_revwalk_new(&w, r) < 0 ||
			 git_revwalk_push_glob(w, "refs/*") < 0 || git_packbuilder_insert_walk(pb, w) < 0 ||
			 git_packbuilder_write(pb, NULL, 0, NULL, NULL) < 0
		 ? die("pack")
		 : 0;
	if (rc == 0 && drop_loose(r) != 0)
		rc = die("remove loose objects");
	git_revwalk_free(w);
	git_packbuilder_free(pb);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: gitfix commit|tag|branch|checkout|rev-parse|blob|head|init-bare DIR ...\n");
		return 2;
	}
	git_libgit2_init();
	const char *cmd = argv[1], *dir = argv[2];
	git_repository *r = NULL;
	int rc = 0;
	if (!strcmp(cmd, "init-bare")) {
		rc = git_repository_init(&r, dir, 1) < 0 ? die("init") : 0;
	} else if (git_repository_open(&r, dir) < 0) {
		rc = die("open");
	} else if (!strcmp(cmd, "commit") && argc == 4) {
		rc = commit(r, argv[3]);
	} else if ((!strcmp(cmd, "tag") || !strcmp(cmd, "branch")) && argc == 4) {
		git_oid head, out;
		git_object *o = NULL;
		git_reference *ref = NULL;
		if (resolve(&head, r, "HEAD") < 0 || git_object_lookup(&o, r, &head, GIT_OBJECT_COMMIT) < 0)
			rc = die("HEAD");
		else if (!strcmp(cmd, "tag"))
			rc = git_tag_create_lightweight(&out, r, argv[3], o, 0) < 0 ? die("tag") : 0;
		else
			rc = git_branch_create(&ref, r, argv[3], (git_commit *)o, 0) < 0 ? die("branch") : 0;
		git_reference_free(ref);
		git_object_free(o);
	} else if (!strcmp(cmd, "checkout") && (argc == 4 || argc == 5)) {
		rc = checkout(r, argv[3], argc == 5 && !strcmp(argv[4], "--detach"));
	} else if (!strcmp(cmd, "rev-parse") && argc == 4) {
		git_oid id;
		char hex[41];
		rc = resolve(&id, r, argv[3]) < 0 ? die("rev-parse") : (puts(git_oid_tostr(hex, sizeof hex, &id)), 0);
	} else if (!strcmp(cmd, "blob") && argc == 5) {
		git_oid id;
		git_commit *c = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;
		char hex[41];
		if (resolve(&id, r, argv[3]) < 0 || git_commit_lookup(&c, r, &id) < 0 || git_commit_tree(&t, c) < 0 ||
		    git_tree_entry_bypath(&e, t, argv[4]) < 0)
			rc = die("blob");
		else
			puts(git_oid_tostr(hex, sizeof hex, git_tree_entry_id(e)));
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(c);
	} else if (!strcmp(cmd, "pack")) {
		rc = pack(r);
	} else if (!strcmp(cmd, "head")) {
		git_reference *h = NULL;
		if (git_repository_head_detached(r) == 1)
			puts("detached");
		else if (git_repository_head(&h, r) == 0)
			puts(git_reference_shorthand(h));
		else
			rc = die("head");
		git_reference_free(h);
	} else {
		fprintf(stderr, "gitfix: bad command or arguments\n");
		rc = 2;
	}
	git_repository_free(r);
	git_libgit2_shutdown();
	return rc;
}
