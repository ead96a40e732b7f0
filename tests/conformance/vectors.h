/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vectors.h: reading the reference vectors (tests/conformance/vectors/):
 * the block manifest blocks.tsv and the per-page command files, plus two
 * json-c accessors the story files need, and the replay of the pages into
 * the kernel model.  Shared by the conformance test, the seed-state tool and
 * the seed end-to-end test.
 */
#ifndef QSPN_CONFORMANCE_VECTORS_H
#define QSPN_CONFORMANCE_VECTORS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define CF_MAX_BLOCKS 128
#define CF_MAX_LINES 2048

struct cf_block {
	int seq;
	char file[64];	 /* vector file */
	int first, last; /* line range in it */
	int page;	 /* Eventi page (1 = Eventi.md), -1 if not known */
	char desc[160];
	int covered; /* for the caller's bookkeeping */
};

/* the lines of a vector file, 1-based */
struct cf_vfile {
	char name[64];
	char *text;
	char *line[CF_MAX_LINES];
	int n;
};

extern struct cf_block cf_blocks[CF_MAX_BLOCKS];
extern int cf_n_blocks;

/* A whole file, NUL-terminated (malloc'd), or NULL. */
char *cf_slurp(const char *path, size_t *len);

/* Read DIR/vectors/blocks.tsv into cf_blocks; -1 with a message on stderr. */
int cf_load_blocks(const char *dir);
struct cf_block *cf_find_block(int seq);

/* DIR/vectors/NAME, read once and kept; NULL if it cannot be read. */
struct cf_vfile *cf_vector(const char *dir, const char *name);
void cf_free_vectors(void);

/* A string member (NULL if absent or not a string); an int member or def. */
const char *cf_getstr(struct json_object *o, const char *key);
int cf_getint(struct json_object *o, const char *key, int def);

struct kmodel;

/*
 * The kernel model the Eventi pages 1..last_page leave in one system, as
 * seed-state prints it: the story's (DIR/stories/SYSTEM.json) "initial"
 * state planned from nothing, then the page commands of every step whose
 * blocks all belong to pages 1..last_page, the step's "fixes" (items of
 * doc/protocol/differences.md) applied, into the strict kernel model.  Loads
 * blocks.tsv if not loaded yet.  blocks and items (json arrays, may be
 * NULL) receive the blocks applied and the inconsistency items used.
 * NULL, with a message on stderr, when a command is refused or a file is
 * bad; kmodel_free() the result.
 */
struct kmodel;
/* Compare two models' canonical dumps; print every difference, each line
 * prefixed; n_lines (may be NULL): the expected model's line count. */
bool cf_same_model(const struct kmodel *exp, const struct kmodel *act,
		   const char *exp_name, const char *act_name,
		   const char *prefix, size_t *n_lines);

/* Every page command of a step (its "vector" ranges), the step's "fixes"
 * applied, in order: fn's non-zero return stops the walk and is returned;
 * -1 with err for a malformed step. */
int cf_step_commands(const char *dir, struct json_object *step,
		     int (*fn)(const char *cmd, const char *file, int line,
			       bool inserted, void *arg),
		     void *arg, char *err, size_t errlen);

struct kmodel *cf_seed_model(const char *dir, const char *system, int last_page,
			     struct json_object *blocks,
			     struct json_object *items);

/* The same, stopping also at the first step with a block whose seq (the
 * global order of blocks.tsv) is past last_seq. */
struct kmodel *cf_seed_model_seq(const char *dir, const char *system,
				 int last_page, int last_seq,
				 struct json_object *blocks,
				 struct json_object *items);

#endif /* QSPN_CONFORMANCE_VECTORS_H */
