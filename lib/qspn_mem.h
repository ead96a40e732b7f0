/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspn_mem.h: memory for libqspn (qspn_mem.c), the bottom layer: every
 * other file of the engine may use it, it uses nothing of theirs.
 */
#ifndef QSPN_MEM_H
#define QSPN_MEM_H

#include <stddef.h>

/* --- memory ------------------------------------------------------------ */

/* Allocation failure is fatal (like FRR's XCALLOC): abort(). */
void *qspn_xcalloc(size_t n, size_t size);
void *qspn_xrealloc(void *p, size_t n, size_t size);

/*
 * A per-message bump arena (doc/style.md §3.2 item 14): the protobuf-c decoder
 * and the validated core message live in it; qspn_arena_reset() after the
 * message was handled.  Bounded: allocation beyond `limit` bytes fails.
 */
struct qspn_arena_chunk;
struct qspn_arena {
	struct qspn_arena_chunk *head;
	size_t used, limit;
};

void qspn_arena_init(struct qspn_arena *a, size_t limit);
void *qspn_arena_alloc(struct qspn_arena *a, size_t size);
void qspn_arena_reset(struct qspn_arena *a);
void qspn_arena_fini(struct qspn_arena *a);

#endif /* QSPN_MEM_H */
