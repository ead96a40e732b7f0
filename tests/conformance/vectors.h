/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vectors.h: reading the reference vectors (tests/conformance/vectors/):
 * the block manifest blocks.tsv and the per-page command files, plus two
 * json-c accessors the story files need.  Shared by the conformance test and
 * the seed-state tool.
 */
#ifndef QSPN_CONFORMANCE_VECTORS_H
#define QSPN_CONFORMANCE_VECTORS_H

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

#endif /* QSPN_CONFORMANCE_VECTORS_H */
