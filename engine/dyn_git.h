/*
 * dyn_git.h -- the libgit2 functions weft calls, bound at first use
 * (dynlib.h). repo.c calls lg()->git_...(...) after weft_git_load().
 */
#ifndef WEFT_DYN_GIT_H
#define WEFT_DYN_GIT_H

#include <git2.h>

#define WEFT_GIT_FUNCS(X) \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_commit_author) \
	X(git_commit_create) \
	X(git_commit_free) \
	X(git_commit_lookup) \
	X(git_commit_summary) \
	X(git_commit_time) \
	X(git_commit_tree) \
	X(git_error_last) \
	X(git_index_add_bypath) \
	X(git_index_free) \
	X(git_index_write) \
	X(git_index_write_tree) \
	X(git_libgit2_init) \
	X(git_libgit2_shutdown) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_peel) \
	X(git_oid_fromstr) \
	X(git_oid_tostr) \
	X(git_reference_free) \
	X(git_reference_is_branch) \
	X(git_reference_lookup) \
	X(git_reference_name_to_id) \
	X(git_reference_peel) \
	X(git_reference_shorthand) \
	X(git_reference_symbolic_target) \
	X(git_repository_commondir) \
	X(git_repository_free) \
	X(git_repository_hashfile) \
	X(git_repository_head) \
	X(git_repository_head_detached) \
	X(git_repository_index) \
	X(git_repository_init) \
	X(git_repository_is_bare) \
	X(git_repository_open_ext) \
	X(git_repository_path) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_revwalk_free) \
	X(git_revwalk_new) \
	X(git_revwalk_next) \
	X(git_revwalk_push) \
	X(git_revwalk_simplify_first_parent) \
	X(git_signature_default) \
	X(git_signature_free) \
	X(git_signature_now) \
	X(git_status_list_entrycount) \
	X(git_status_list_free) \
	X(git_status_list_new) \
	X(git_status_options_init) \
	X(git_tree_entry_bypath) \
	X(git_tree_entry_free) \
	X(git_tree_entry_id) \
	X(git_tree_entry_type) \
	X(git_tree_free) \
	X(git_tree_lookup)

typedef struct weft_git_api {
#define X(f) __typeof__(&f) f;
	WEFT_GIT_FUNCS(X)
#undef X
} weft_git_api;

/* Maps libgit2 once per process; WEFT_OK, or an error saying what to
 * install. Call before lg(). */
int weft_git_load(void);
/* The bound table; valid after weft_git_load() succeeded. */
const weft_git_api *lg(void);

#endif
