// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the engine's state machines (lib/qspn_engine.c) driven by
 * hand: create_net's bootstrap signal, enter_net's bootstrap with its
 * refusal, give-up timeout, exit poll, publication and presence
 * (doc/protocol/qspn.md §5.3, §5.4, §9.9.9), request deadlines, messages for an
 * arc not yet known (§2.5), and the fixes of reference bugs 10.3 (arc removal
 * in bootstrap) and 10.10 (prepare_destroy propagated once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qspn_engine_int.h"

static struct qspn_topology topo;

#define MAXREC 64

struct sent {
	uint32_t arcs[8];
	size_t n_arcs;
	bool bcast;
	uint8_t *buf;
	size_t len;
};

struct rec {
	int n_sig[16];
	bool last_bad_link;
	struct sent s[MAXREC];
	int n_sent;
	uint32_t rnd;
};

static void r_send(void *ctx, struct qspn_instance *i, uint32_t arc,
		   const uint8_t *b, size_t l)
{
	struct rec *r = ctx;
	struct sent *s = &r->s[r->n_sent++ % MAXREC];

	(void)i;
	free(s->buf);
	s->arcs[0] = arc;
	s->n_arcs = 1;
	s->bcast = false;
	s->buf = malloc(l);
	memcpy(s->buf, b, l);
	s->len = l;
}

static void r_bcast(void *ctx, struct qspn_instance *i, const uint32_t *arcs,
		    size_t n, const uint8_t *b, size_t l)
{
	struct rec *r = ctx;
	struct sent *s = &r->s[r->n_sent++ % MAXREC];

	(void)i;
	free(s->buf);
	s->n_arcs = n < 8 ? n : 8;
	memcpy(s->arcs, arcs, s->n_arcs * sizeof(*arcs));
	s->bcast = true;
	s->buf = malloc(l);
	memcpy(s->buf, b, l);
	s->len = l;
}

static void r_signal(void *ctx, struct qspn_instance *i,
		     const struct qspn_signal *s)
{
	struct rec *r = ctx;

	(void)i;
	r->n_sig[s->type]++;
	if (s->type == QSPN_SIG_ARC_REMOVED)
		r->last_bad_link = s->bad_link;
}

static uint32_t r_random(void *ctx)
{
	struct rec *r = ctx;

	return 1000 + ++r->rnd;
}

static const struct qspn_host_ops rops = {
	.send = r_send,
	.broadcast = r_bcast,
	.signal = r_signal,
	.random = r_random,
};

static void rec_free(struct rec *r)
{
	for (int i = 0; i < MAXREC; i++)
		free(r->s[i].buf);
}

/* decode the k-th sent message */
static void sent_msg(struct rec *r, int k, struct qspn_arena *a,
		     struct qspn_msg *m)
{
	qspn_arena_reset(a);
	assert_int_equal(
		qspn_wire_decode(a, &topo, r->s[k].buf, r->s[k].len, m),
		QSPN_RX_OK);
}

static struct qspn_instance *lone(struct rec *r, uint32_t p0, uint32_t p1,
				  int64_t id)
{
	struct qspn_naddr me = {.levels = 2, .pos = {p0, p1}};
	struct qspn_fp fp0;
	int32_t eld[2] = {0, 0};

	qspn_fp_init_node(&fp0, id, 2, eld);
	return qspn_create_net(NULL, &topo, &me, &fp0, &rops, r, 0);
}

static struct qspn_instance *entering(struct rec *r, struct qspn_instance *prev,
				      uint32_t arc)
{
	struct qspn_naddr me = {.levels = 2, .pos = {1, 1}};
	struct qspn_fp fp0;
	int32_t eld[2] = {1, 0};
	struct qspn_external_arc ea = {.arc = arc, .cost = 1000};
	struct qspn_enter_args args = {.guest_level = 0,
				       .host_level = 1,
				       .prev = prev,
				       .external = &ea,
				       .n_external = 1};

	qspn_fp_init_node(&fp0, 5, 2, eld);
	return qspn_enter_net(NULL, &topo, &me, &fp0, &args, &rops, r, 0);
}

static uint8_t *encode(const struct qspn_msg *m, size_t *len)
{
	uint8_t *b = qspn_wire_encode(m, 2, len);

	assert_non_null(b);
	return b;
}

static void test_create_net(void **state)
{
	struct rec r = {0};
	struct qspn_instance *inst = lone(&r, 0, 1, 7);
	uint32_t nn;

	(void)state;
	assert_true(qspn_is_bootstrap_complete(inst));
	assert_int_equal(qspn_next_deadline(inst), 1);
	assert_int_equal(r.n_sig[QSPN_SIG_BOOTSTRAP_COMPLETE], 0);
	qspn_tick(inst, 1);
	assert_int_equal(r.n_sig[QSPN_SIG_BOOTSTRAP_COMPLETE], 1);
	/* the periodic full ETP (§5.11), with no arc: nothing sent */
	assert_int_equal(qspn_next_deadline(inst), 600001);
	qspn_tick(inst, 600001);
	assert_int_equal(r.n_sent, 0);
	assert_int_equal(r.n_sig[QSPN_SIG_PRESENCE_NOTIFIED], 0);
	assert_int_equal(qspn_get_nodes_inside(inst, 2, &nn), 0);
	assert_int_equal(nn, 1);
	qspn_stop_operations(inst);
	assert_int_equal(qspn_next_deadline(inst), UINT64_MAX);
	qspn_instance_free(inst);
	rec_free(&r);
}

static void test_enter_net_bootstrap(void **state)
{
	struct rec r = {0}, rp = {0};
	struct qspn_instance *prev = lone(&rp, 0, 1, 5);
	struct qspn_instance *inst = entering(&r, prev, 9);
	struct qspn_arena a;
	struct qspn_msg m, q;
	uint8_t *b;
	size_t len;
	uint64_t req;

	(void)state;
	qspn_arena_init(&a, 1 << 20);
	assert_false(qspn_is_bootstrap_complete(inst));
	/* it asks the external neighbour for a full ETP */
	assert_int_equal(r.n_sent, 1);
	sent_msg(&r, 0, &a, &m);
	assert_int_equal(m.type, QSPN_MSG_FULL_ETP_REQUEST);
	assert_int_equal(r.s[0].arcs[0], 9);
	req = m.req_id;
	/* a neighbour asking us is refused (§5.4) */
	memset(&q, 0, sizeof(q));
	q.type = QSPN_MSG_FULL_ETP_REQUEST;
	q.req_id = 77;
	q.req_addr.levels = 2;
	q.req_addr.pos[0] = 0;
	q.req_addr.pos[1] = 1;
	q.etp.gsize[0] = q.etp.gsize[1] = 4;
	b = encode(&q, &len);
	assert_int_equal(qspn_receive(inst, 5, 9, b, len), QSPN_RX_OK);
	free(b);
	sent_msg(&r, 1, &a, &m);
	assert_int_equal(m.type, QSPN_MSG_FULL_ETP_REPLY);
	assert_int_equal(m.req_id, 77);
	assert_int_equal(m.status, QSPN_REPLY_BOOTSTRAP_IN_PROGRESS);
	/* our request is answered "bootstrap in progress" too: the queue
	 * is exhausted, the 10 s give-up timer starts */
	memset(&q, 0, sizeof(q));
	q.type = QSPN_MSG_FULL_ETP_REPLY;
	q.req_id = req;
	q.status = QSPN_REPLY_BOOTSTRAP_IN_PROGRESS;
	b = encode(&q, &len);
	assert_int_equal(qspn_receive(inst, 10, 9, b, len), QSPN_RX_OK);
	free(b);
	assert_int_equal(qspn_next_deadline(inst), 10010);
	qspn_tick(inst, 10009);
	assert_false(qspn_is_bootstrap_complete(inst));
	qspn_tick(inst, 10010);
	/* exit: signal, then the exit poll asks every arc again */
	assert_true(qspn_is_bootstrap_complete(inst));
	assert_int_equal(r.n_sig[QSPN_SIG_BOOTSTRAP_COMPLETE], 1);
	sent_msg(&r, 2, &a, &m);
	assert_int_equal(m.type, QSPN_MSG_FULL_ETP_REQUEST);
	req = m.req_id;
	/* the neighbour answers with its (empty) map */
	memset(&q, 0, sizeof(q));
	q.type = QSPN_MSG_FULL_ETP_REPLY;
	q.req_id = req;
	q.status = QSPN_REPLY_OK;
	q.has_etp = true;
	qspn_etp_header(prev, &q.etp);
	b = encode(&q, &len);
	assert_int_equal(qspn_receive(inst, 10020, 9, b, len), QSPN_RX_OK);
	free(b);
	assert_true(qspn_is_known_destination(
		inst, (struct qspn_hcoord){.lvl = 0, .pos = 0}));
	/* then the full ETP is published and presence follows 1 s later */
	assert_int_equal(r.n_sent, 4);
	assert_true(r.s[3].bcast);
	sent_msg(&r, 3, &a, &m);
	assert_int_equal(m.type, QSPN_MSG_SEND_ETP);
	assert_true(m.is_full);
	assert_int_equal(r.n_sig[QSPN_SIG_PRESENCE_NOTIFIED], 0);
	qspn_tick(inst, 11020);
	assert_int_equal(r.n_sig[QSPN_SIG_PRESENCE_NOTIFIED], 1);
	qspn_arena_fini(&a);
	qspn_instance_free(inst);
	qspn_instance_free(prev);
	rec_free(&r);
	rec_free(&rp);
}

/* 10.3: an arc removed during bootstrap is removed everywhere */
static void test_arc_remove_in_bootstrap(void **state)
{
	struct rec r = {0}, rp = {0};
	struct qspn_instance *prev = lone(&rp, 0, 1, 5);
	struct qspn_instance *inst = entering(&r, prev, 9);

	(void)state;
	assert_int_equal(qspn_arc_add(inst, 1, 10, 500), 0);
	assert_int_equal(qspn_current_arcs(inst, NULL, 0), 2);
	assert_int_equal(qspn_arc_remove(inst, 2, 10), 0);
	assert_int_equal(qspn_current_arcs(inst, NULL, 0), 1);
	assert_int_equal(qspn_arc_id(inst, 10), 0);
	assert_int_equal(r.n_sig[QSPN_SIG_ARC_REMOVED], 0);
	/* the pending request's arc goes too: the loop moves on */
	assert_int_equal(qspn_arc_remove(inst, 3, 9), 0);
	assert_int_equal(qspn_current_arcs(inst, NULL, 0), 0);
	assert_int_equal(qspn_next_deadline(inst), 10003);
	qspn_tick(inst, 10003);
	assert_true(qspn_is_bootstrap_complete(inst));
	qspn_instance_free(inst);
	qspn_instance_free(prev);
	rec_free(&r);
	rec_free(&rp);
}

/* an unanswered get_full_etp ends as a transport error (§5.12) */
static void test_request_deadline(void **state)
{
	struct rec r = {0};
	struct qspn_instance *inst = lone(&r, 0, 1, 7);
	struct qspn_params p;

	(void)state;
	qspn_params_default(&p);
	qspn_tick(inst, 1);
	assert_int_equal(qspn_arc_add(inst, 100, 3, 500), 0);
	assert_int_equal(r.n_sent, 1);
	qspn_tick(inst, 100 + p.rpc_timeout_ms - 1);
	assert_int_equal(r.n_sig[QSPN_SIG_ARC_REMOVED], 0);
	qspn_tick(inst, 100 + p.rpc_timeout_ms);
	assert_int_equal(r.n_sig[QSPN_SIG_ARC_REMOVED], 1);
	assert_true(r.last_bad_link);
	assert_int_equal(qspn_current_arcs(inst, NULL, 0), 0);
	qspn_instance_free(inst);
	rec_free(&r);
}

/* §2.5: a message for an arc not yet added waits for it, then expires */
static void test_unknown_arc(void **state)
{
	struct rec r = {0}, rp = {0};
	struct qspn_instance *inst = lone(&r, 0, 1, 7);
	struct qspn_instance *peer = lone(&rp, 2, 1, 8);
	struct qspn_msg m;
	uint8_t *b;
	size_t len;

	(void)state;
	qspn_tick(inst, 1);
	memset(&m, 0, sizeof(m));
	m.type = QSPN_MSG_SEND_ETP;
	m.has_etp = true;
	qspn_etp_header(peer, &m.etp);
	b = encode(&m, &len);
	assert_int_equal(qspn_receive(inst, 10, 4, b, len), QSPN_RX_QUEUED);
	assert_int_equal(qspn_receive(inst, 11, 5, b, len), QSPN_RX_QUEUED);
	assert_false(qspn_is_known_destination(
		inst, (struct qspn_hcoord){.lvl = 0, .pos = 2}));
	/* arc 4 appears: its message is processed */
	assert_int_equal(qspn_arc_add(inst, 20, 4, 500), 0);
	assert_true(qspn_is_known_destination(
		inst, (struct qspn_hcoord){.lvl = 0, .pos = 2}));
	/* 10.12: the peer's address survives a cost change of the arc */
	{
		struct qspn_naddr pa;

		assert_int_equal(qspn_get_naddr_for_arc(inst, 4, &pa), 0);
		assert_int_equal(pa.pos[0], 2);
		assert_int_equal(qspn_arc_change(inst, 21, 4, 700), 0);
		assert_int_equal(qspn_get_naddr_for_arc(inst, 4, &pa), 0);
		assert_int_equal(pa.pos[0], 2);
	}
	/* arc 5 never does */
	qspn_tick(inst, 11 + 10000);
	assert_int_equal(qspn_get_stats(inst)->rx[QSPN_RX_ERR_NO_ARC], 1);
	free(b);
	/* a get_full_etp held for an arc that never appears is refused */
	{
		struct qspn_arena a;
		struct qspn_msg q;
		int before = r.n_sent;

		qspn_arena_init(&a, 1 << 20);
		memset(&m, 0, sizeof(m));
		m.type = QSPN_MSG_FULL_ETP_REQUEST;
		m.req_id = 31;
		m.req_addr = *qspn_my_naddr(peer);
		m.etp.gsize[0] = m.etp.gsize[1] = 4;
		b = encode(&m, &len);
		assert_int_equal(qspn_receive(inst, 20000, 6, b, len),
				 QSPN_RX_QUEUED);
		free(b);
		qspn_tick(inst, 30000);
		assert_int_equal(r.n_sent, before + 1);
		sent_msg(&r, before, &a, &q);
		assert_int_equal(q.type, QSPN_MSG_FULL_ETP_REPLY);
		assert_int_equal(q.req_id, 31);
		assert_int_equal(q.status, QSPN_REPLY_NOT_ACCEPTED);
		assert_int_equal(r.s[before].arcs[0], 6);
		qspn_arena_fini(&a);
	}
	qspn_instance_free(inst);
	qspn_instance_free(peer);
	rec_free(&r);
	rec_free(&rp);
}

static void to_virtual(void *uctx, struct qspn_naddr *a)
{
	(void)uctx;
	a->pos[0] = 5; /* gsize 4: virtual */
}

/* 10.10: got_prepare_destroy is propagated once, remove_identity once */
static void test_prepare_destroy_once(void **state)
{
	struct rec r = {0};
	struct qspn_instance *inst = lone(&r, 0, 1, 7);
	struct qspn_msg m;
	uint8_t *b;
	size_t len;
	int sent;

	(void)state;
	qspn_tick(inst, 1);
	/* a main identity ignores it */
	memset(&m, 0, sizeof(m));
	m.type = QSPN_MSG_PREPARE_DESTROY;
	b = encode(&m, &len);
	assert_int_equal(qspn_receive(inst, 2, 1, b, len), QSPN_RX_IGNORED);
	/* a connectivity identity (levels 1..2) */
	assert_int_equal(
		qspn_make_connectivity(inst, 3, 1, 2, to_virtual, NULL), 0);
	assert_int_equal(qspn_my_naddr(inst)->pos[0], 5);
	sent = r.n_sent;
	assert_int_equal(qspn_receive(inst, 4, 1, b, len), QSPN_RX_OK);
	assert_int_equal(qspn_receive(inst, 5, 1, b, len), QSPN_RX_IGNORED);
	assert_int_equal(qspn_receive(inst, 6, 1, b, len), QSPN_RX_IGNORED);
	/* no internal arcs: the broadcast had no target */
	assert_int_equal(r.n_sent, sent);
	qspn_tick(inst, 10003);
	assert_int_equal(r.n_sig[QSPN_SIG_REMOVE_IDENTITY], 0);
	qspn_tick(inst, 10004);
	assert_int_equal(r.n_sig[QSPN_SIG_REMOVE_IDENTITY], 1);
	qspn_tick(inst, 30000);
	assert_int_equal(r.n_sig[QSPN_SIG_REMOVE_IDENTITY], 1);
	/* a virtual position counts 0 nodes (§1.7) */
	{
		uint32_t nn;

		assert_int_equal(qspn_get_nodes_inside(inst, 1, &nn), 0);
		assert_int_equal(nn, 0);
	}
	free(b);
	qspn_instance_free(inst);
	rec_free(&r);
}

int main(void)
{
	static const uint32_t g[] = {4, 4};
	char err[QSPN_ERRBUF_SIZE];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_net),
		cmocka_unit_test(test_enter_net_bootstrap),
		cmocka_unit_test(test_arc_remove_in_bootstrap),
		cmocka_unit_test(test_request_deadline),
		cmocka_unit_test(test_unknown_arc),
		cmocka_unit_test(test_prepare_destroy_once),
	};

	if (qspn_topology_init(&topo, 2, g, err, sizeof(err)) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
