// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vectors.c: see vectors.h.
 */
#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CF_MAX_FILES 32

struct cf_block cf_blocks[CF_MAX_BLOCKS];
int cf_n_blocks;

static struct cf_vfile vfiles[CF_MAX_FILES];
static int n_vfiles;

char *cf_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)sz + 1);
		if (buf && fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[sz] = '\0';
			if (len)
				*len = (size_t)sz;
		}
	}
	fclose(f);
	return buf;
}

/* "ita/Proof/Eventi.md" is page 1, "ita/Proof/Eventi5.md" page 5 */
static int page_of(const char *md)
{
	const char *p = strstr(md, "Eventi");

	if (!p)
		return -1;
	p += strlen("Eventi");
	if (!strcmp(p, ".md"))
		return 1;
	return atoi(p);
}

int cf_load_blocks(const char *dir)
{
	char path[512], line[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vectors/blocks.tsv", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && cf_n_blocks < CF_MAX_BLOCKS) {
		struct cf_block *b = &cf_blocks[cf_n_blocks];
		char *fld[16];
		int n = 0;

		for (char *p = line, *q; n < 16 && p; p = q) {
			q = strchr(p, '\t');
			if (q)
				*q++ = '\0';
			fld[n++] = p;
		}
		if (n < 15)
			continue;
		memset(b, 0, sizeof(*b));
		b->seq = atoi(fld[0]);
		snprintf(b->file, sizeof(b->file), "%s", fld[1]);
		b->first = atoi(fld[2]);
		b->last = atoi(fld[3]);
		b->page = page_of(fld[5]);
		snprintf(b->desc, sizeof(b->desc), "%s: %s", fld[8], fld[10]);
		cf_n_blocks++;
	}
	fclose(f);
	return 0;
}

struct cf_block *cf_find_block(int seq)
{
	for (int i = 0; i < cf_n_blocks; i++)
		if (cf_blocks[i].seq == seq)
			return &cf_blocks[i];
	return NULL;
}

struct cf_vfile *cf_vector(const char *dir, const char *name)
{
	char path[512];
	struct cf_vfile *v;

	for (int i = 0; i < n_vfiles; i++)
		if (!strcmp(vfiles[i].name, name))
			return &vfiles[i];
	if (n_vfiles == CF_MAX_FILES)
		return NULL;
	v = &vfiles[n_vfiles];
	snprintf(path, sizeof(path), "%s/vectors/%s", dir, name);
	v->text = cf_slurp(path, NULL);
	if (!v->text)
		return NULL;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->n = 0;
	for (char *p = v->text; *p && v->n < CF_MAX_LINES - 1;) {
		char *e = strchr(p, '\n');

		v->line[++v->n] = p;
		if (!e)
			break;
		*e = '\0';
		p = e + 1;
	}
	n_vfiles++;
	return v;
}

void cf_free_vectors(void)
{
	for (int i = 0; i < n_vfiles; i++)
		free(vfiles[i].text);
	n_vfiles = 0;
}

const char *cf_getstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int cf_getint(struct json_object *o, const char *key, int def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return def;
	return json_object_get_int(v);
}
