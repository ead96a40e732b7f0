// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspn_mem.c: the bottom of libqspn: allocators that abort on failure, and
 * the per-message bump arena (qspn_mem.h).  Depends on nothing but libc.
 */
#include <stdint.h>
#include <stdlib.h>

#include "qspn_mem.h"

void *qspn_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *qspn_xrealloc(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size)
		abort();
	q = realloc(p, (n ? n : 1) * (size ? size : 1));
	if (!q)
		abort();
	return q;
}

/* --- arena --------------------------------------------------------------- */

struct qspn_arena_chunk {
	struct qspn_arena_chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

void qspn_arena_init(struct qspn_arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
}

void *qspn_arena_alloc(struct qspn_arena *a, size_t size)
{
	struct qspn_arena_chunk *c = a->head;
	size_t need = (size + 15) & ~(size_t)15;

	if (need < size || a->used + need > a->limit)
		return NULL;
	if (!c || c->size - c->used < need) {
		size_t csz = need > 65536 ? need : 65536;

		c = malloc(sizeof(*c) + csz);
		if (!c)
			return NULL;
		c->size = csz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	a->used += need;
	c->used += need;
	return c->data + c->used - need;
}

void qspn_arena_reset(struct qspn_arena *a)
{
	/* keep one chunk for the next message */
	struct qspn_arena_chunk *c = a->head;

	if (c) {
		struct qspn_arena_chunk *n = c->next;

		while (n) {
			struct qspn_arena_chunk *x = n->next;

			free(n);
			n = x;
		}
		c->next = NULL;
		c->used = 0;
	}
	a->used = 0;
}

void qspn_arena_fini(struct qspn_arena *a)
{
	while (a->head) {
		struct qspn_arena_chunk *x = a->head->next;

		free(a->head);
		a->head = x;
	}
	a->used = 0;
}
