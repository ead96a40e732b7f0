// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the wire codec (lib/qspn_wire.c): round trips, and one
 * rejection per validation rule of doc/protocol/qspn.md §3.4 (plus the C
 * additions of §3.4.5); through the engine, a rejected message is counted,
 * removes its arc (§5.12) and changes nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qspn.pb-c.h"
#include "qspn_engine_int.h"

static struct qspn_topology topo;

static struct qspn_hcoord hc(int l, uint32_t p)
{
	struct qspn_hcoord h = {.lvl = l, .pos = p};

	return h;
}

/* A valid ETP from node [1,2] (L = 2, gsizes [4,4]) with two paths. */
struct fixture {
	struct qspn_msg m;
	struct qspn_hcoord tp[2];
	struct qspn_epath p[2];
	struct qspn_hcoord h0[2], h1[1];
	uint32_t a0[2], a1[1];
};

static void fixture_init(struct fixture *f)
{
	int32_t eld[2] = {0, 0};

	memset(f, 0, sizeof(*f));
	f->m.type = QSPN_MSG_SEND_ETP;
	f->m.is_full = true;
	f->m.has_etp = true;
	f->m.etp.addr.levels = 2;
	f->m.etp.addr.pos[0] = 1;
	f->m.etp.addr.pos[1] = 2;
	f->m.etp.gsize[0] = f->m.etp.gsize[1] = 4;
	f->m.etp.n_fp = 3;
	qspn_fp_init_node(&f->m.etp.fps[0], 42, 2, eld);
	qspn_fp_construct(&f->m.etp.fps[1], &f->m.etp.fps[0], NULL, 0, false);
	qspn_fp_construct(&f->m.etp.fps[2], &f->m.etp.fps[1], NULL, 0, false);
	f->m.etp.nn[0] = 1;
	f->m.etp.nn[1] = 3;
	f->m.etp.nn[2] = 7;
	f->tp[0] = hc(0, 3);
	f->tp[1] = hc(1, 1);
	f->m.etp.hops = f->tp;
	f->m.etp.n_hops = 2;
	/* path 0: to (1,3) through (0,2) */
	f->h0[0] = hc(0, 2);
	f->h0[1] = hc(1, 3);
	f->a0[0] = 11;
	f->a0[1] = 12;
	f->p[0].n = 2;
	f->p[0].hops = f->h0;
	f->p[0].arcs = f->a0;
	f->p[0].cost = qspn_cost_real(4000);
	f->p[0].fp = f->m.etp.fps[1];
	f->p[0].fp.id = 77;
	f->p[0].nodes_inside = 5;
	f->p[0].ignore_outside = 0;
	/* path 1: to (0,0), internal: ignore_outside[1] must be set */
	f->h1[0] = hc(0, 0);
	f->a1[0] = 13;
	f->p[1].n = 1;
	f->p[1].hops = f->h1;
	f->p[1].arcs = f->a1;
	f->p[1].cost = qspn_cost_dead();
	f->p[1].fp = f->m.etp.fps[0];
	f->p[1].fp.id = 78;
	f->p[1].nodes_inside = 1;
	f->p[1].ignore_outside = 1u << 1;
	f->m.etp.paths = f->p;
	f->m.etp.n_paths = 2;
}

static enum qspn_rx_result roundtrip(const struct qspn_msg *m,
				     struct qspn_arena *a, struct qspn_msg *out)
{
	size_t len = 0;
	uint8_t *buf = qspn_wire_encode(m, 2, &len);
	enum qspn_rx_result r;

	assert_non_null(buf);
	r = qspn_wire_decode(a, &topo, buf, len, out);
	free(buf);
	return r;
}

static void test_roundtrip(void **state)
{
	struct fixture f;
	struct qspn_arena a;
	struct qspn_msg out;

	(void)state;
	fixture_init(&f);
	qspn_arena_init(&a, 1 << 20);
	assert_int_equal(roundtrip(&f.m, &a, &out), QSPN_RX_OK);
	assert_int_equal(out.type, QSPN_MSG_SEND_ETP);
	assert_true(out.is_full);
	assert_true(qspn_naddr_equal(&out.etp.addr, &f.m.etp.addr));
	assert_int_equal(out.etp.n_fp, 3);
	assert_int_equal(out.etp.fps[0].id, 42);
	assert_int_equal(out.etp.fps[2].level, 2);
	assert_int_equal(out.etp.nn[2], 7);
	assert_int_equal(out.etp.n_hops, 2);
	assert_true(qspn_hcoord_equal(out.etp.hops[1], hc(1, 1)));
	assert_int_equal(out.etp.n_paths, 2);
	assert_true(qspn_epath_same(&out.etp.paths[0], &f.p[0]));
	assert_int_equal(out.etp.paths[0].cost.kind, QSPN_COST_REAL);
	assert_int_equal(out.etp.paths[0].cost.usec, 4000);
	assert_int_equal(out.etp.paths[0].fp.id, 77);
	assert_int_equal(out.etp.paths[0].nodes_inside, 5);
	assert_int_equal(out.etp.paths[1].cost.kind, QSPN_COST_DEAD);
	assert_int_equal(out.etp.paths[1].ignore_outside, 2);

	/* request / reply / teardown messages */
	memset(&f.m, 0, sizeof(f.m));
	f.m.type = QSPN_MSG_FULL_ETP_REQUEST;
	f.m.req_id = 99;
	f.m.req_addr.levels = 2;
	f.m.req_addr.pos[0] = 3;
	f.m.req_addr.pos[1] = 9; /* virtual positions are legal */
	f.m.etp.gsize[0] = f.m.etp.gsize[1] = 4;
	qspn_arena_reset(&a);
	assert_int_equal(roundtrip(&f.m, &a, &out), QSPN_RX_OK);
	assert_int_equal(out.req_id, 99);
	assert_int_equal(out.req_addr.pos[1], 9);
	memset(&f.m, 0, sizeof(f.m));
	f.m.type = QSPN_MSG_FULL_ETP_REPLY;
	f.m.req_id = 5;
	f.m.status = QSPN_REPLY_BOOTSTRAP_IN_PROGRESS;
	qspn_arena_reset(&a);
	assert_int_equal(roundtrip(&f.m, &a, &out), QSPN_RX_OK);
	assert_int_equal(out.status, QSPN_REPLY_BOOTSTRAP_IN_PROGRESS);
	assert_false(out.has_etp);
	f.m.type = QSPN_MSG_DESTROY;
	qspn_arena_reset(&a);
	assert_int_equal(roundtrip(&f.m, &a, &out), QSPN_RX_OK);
	assert_int_equal(out.type, QSPN_MSG_DESTROY);
	f.m.type = QSPN_MSG_PREPARE_DESTROY;
	qspn_arena_reset(&a);
	assert_int_equal(roundtrip(&f.m, &a, &out), QSPN_RX_OK);
	assert_int_equal(out.type, QSPN_MSG_PREPARE_DESTROY);
	qspn_arena_fini(&a);
}

/* one mutation per rule; each must be rejected with its reason */
static void test_rejections(void **state)
{
	struct fixture f;
	struct qspn_arena a;
	struct qspn_msg out;
	struct qspn_hcoord bad[3];

	(void)state;
	qspn_arena_init(&a, 1 << 20);
#define REJECT(mutation, reason)                                               \
	do {                                                                   \
		fixture_init(&f);                                              \
		mutation;                                                      \
		qspn_arena_reset(&a);                                          \
		assert_int_equal(roundtrip(&f.m, &a, &out), (reason));         \
	} while (0)

	/* §3.4.1 levels and gsizes */
	REJECT(f.m.etp.addr.levels = 3, QSPN_RX_ERR_LEVELS);
	REJECT(f.m.etp.gsize[1] = 8, QSPN_RX_ERR_GSIZE);
	/* §3.4.3 TP-list monotone, levels in range */
	REJECT((f.tp[0] = hc(1, 0), f.tp[1] = hc(0, 1)), QSPN_RX_ERR_TPLIST);
	REJECT(f.tp[1] = hc(2, 0), QSPN_RX_ERR_TPLIST);
	REJECT(f.tp[1] = hc(0, 3), QSPN_RX_ERR_TPLIST); /* a loop */
	/* §3.4.4 paths */
	REJECT(f.p[0].n = 0, QSPN_RX_ERR_PATH);
	REJECT((bad[0] = hc(1, 3), bad[1] = hc(0, 2), f.p[0].hops = bad),
	       QSPN_RX_ERR_PATH);
	REJECT(f.p[0].fp.level = 0, QSPN_RX_ERR_PATH);
	REJECT(f.p[1].ignore_outside = 0, QSPN_RX_ERR_PATH);
	REJECT(f.p[0].ignore_outside = 1, QSPN_RX_ERR_PATH);
	REJECT(f.p[0].fp.n_seed = 0, QSPN_RX_ERR_PATH);
	/* §3.4.5 header */
	REJECT(f.m.etp.n_fp = 1, QSPN_RX_ERR_HEADER);
	REJECT(f.m.etp.fps[1].level = 2, QSPN_RX_ERR_HEADER);
	REJECT(f.m.etp.fps[0].eld[0] = -5, QSPN_RX_ERR_HEADER);
#undef REJECT
	/* garbage */
	{
		static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};

		qspn_arena_reset(&a);
		assert_int_equal(
			qspn_wire_decode(&a, &topo, junk, sizeof(junk), &out),
			QSPN_RX_ERR_DECODE);
	}
	qspn_arena_fini(&a);
}

/* protobuf-level defects the core encoder cannot produce */
static void test_proto_level(void **state)
{
	Qspn__Packet pk = QSPN__PACKET__INIT;
	Qspn__SendEtp se = QSPN__SEND_ETP__INIT;
	Qspn__Hello he = QSPN__HELLO__INIT;
	struct qspn_arena a;
	struct qspn_msg out;
	uint8_t buf[256];
	size_t len;

	(void)state;
	qspn_arena_init(&a, 1 << 20);
	/* send_etp without an etp */
	pk.version = 1;
	pk.body_case = QSPN__PACKET__BODY_SEND_ETP;
	pk.send_etp = &se;
	len = qspn__packet__pack(&pk, buf);
	assert_int_equal(qspn_wire_decode(&a, &topo, buf, len, &out),
			 QSPN_RX_ERR_DECODE);
	/* a wrong version */
	pk.version = 2;
	len = qspn__packet__pack(&pk, buf);
	qspn_arena_reset(&a);
	assert_int_equal(qspn_wire_decode(&a, &topo, buf, len, &out),
			 QSPN_RX_ERR_TYPE);
	/* no body */
	pk.version = 1;
	pk.body_case = QSPN__PACKET__BODY__NOT_SET;
	len = qspn__packet__pack(&pk, buf);
	qspn_arena_reset(&a);
	assert_int_equal(qspn_wire_decode(&a, &topo, buf, len, &out),
			 QSPN_RX_ERR_TYPE);
	/* a daemon-level message */
	pk.body_case = QSPN__PACKET__BODY_HELLO;
	pk.hello = &he;
	len = qspn__packet__pack(&pk, buf);
	qspn_arena_reset(&a);
	assert_int_equal(qspn_wire_decode(&a, &topo, buf, len, &out),
			 QSPN_RX_OK);
	assert_int_equal(out.type, QSPN_MSG_DAEMON);
	qspn_arena_fini(&a);
}

/* the arena refuses to grow beyond its limit: decoding fails cleanly */
static void test_arena_limit(void **state)
{
	struct fixture f;
	struct qspn_arena a;
	struct qspn_msg out;

	(void)state;
	fixture_init(&f);
	qspn_arena_init(&a, 256);
	assert_int_equal(roundtrip(&f.m, &a, &out), QSPN_RX_ERR_DECODE);
	qspn_arena_fini(&a);
}

/* --- through the engine ----------------------------------------------------
 */

struct rec {
	int n_sig[16];
	int n_sent;
};

static void r_send(void *ctx, struct qspn_instance *i, uint32_t arc,
		   const uint8_t *b, size_t l)
{
	struct rec *r = ctx;

	(void)i, (void)arc, (void)b, (void)l;
	r->n_sent++;
}

static void r_bcast(void *ctx, struct qspn_instance *i, const uint32_t *arcs,
		    size_t n, const uint8_t *b, size_t l)
{
	struct rec *r = ctx;

	(void)i, (void)arcs, (void)n, (void)b, (void)l;
	r->n_sent++;
}

static void r_signal(void *ctx, struct qspn_instance *i,
		     const struct qspn_signal *s)
{
	struct rec *r = ctx;

	(void)i;
	r->n_sig[s->type]++;
}

static uint32_t r_random(void *ctx)
{
	static const uint32_t v[] = {1000, 2000, 3000, 4000};
	struct rec *r = ctx;

	return v[(r->n_sig[0]++) % 4];
}

static const struct qspn_host_ops rops = {
	.send = r_send,
	.broadcast = r_bcast,
	.signal = r_signal,
	.random = r_random,
};

static struct qspn_instance *lone(struct rec *r, uint32_t p0, uint32_t p1)
{
	struct qspn_naddr me = {.levels = 2, .pos = {p0, p1}};
	struct qspn_fp fp0;
	int32_t eld[2] = {0, 0};

	qspn_fp_init_node(&fp0, 5, 2, eld);
	return qspn_create_net(NULL, &topo, &me, &fp0, &rops, r, 0);
}

static void test_engine_reject_whole(void **state)
{
	struct rec r = {0};
	struct qspn_instance *inst = lone(&r, 0, 2);
	struct fixture f;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(qspn_arc_add(inst, 10, 7, 1000), 0);
	/* path 0 is fine, path 1 breaks §3.4.4: nothing may be applied */
	fixture_init(&f);
	f.p[1].ignore_outside = 0;
	buf = qspn_wire_encode(&f.m, 2, &len);
	assert_int_equal(qspn_receive(inst, 20, 7, buf, len), QSPN_RX_ERR_PATH);
	free(buf);
	assert_int_equal(qspn_get_stats(inst)->rx[QSPN_RX_ERR_PATH], 1);
	assert_int_equal(r.n_sig[QSPN_SIG_DEST_ADDED], 0);
	assert_int_equal(r.n_sig[QSPN_SIG_ARC_REMOVED], 1);
	assert_false(qspn_is_known_destination(inst, hc(0, 1)));
	assert_int_equal(qspn_current_arcs(inst, NULL, 0), 0);

	/* the same message, valid, on a new arc: the sender is learned */
	assert_int_equal(qspn_arc_add(inst, 30, 8, 1000), 0);
	fixture_init(&f);
	f.m.is_full = false;
	buf = qspn_wire_encode(&f.m, 2, &len);
	assert_int_equal(qspn_receive(inst, 40, 8, buf, len), QSPN_RX_OK);
	free(buf);
	assert_true(qspn_is_known_destination(inst, hc(0, 1)));
	/* path 0 goes through (0,2), not a known destination: update_map
	 * drops it (§4.4 step 2); path 1 is a DEAD unknown path: no effect */
	assert_false(qspn_is_known_destination(inst, hc(1, 3)));

	/* an ETP carrying my own address is rejected (§3.4.2) */
	fixture_init(&f);
	f.m.etp.addr.pos[0] = 0;
	buf = qspn_wire_encode(&f.m, 2, &len);
	assert_int_equal(qspn_receive(inst, 50, 8, buf, len),
			 QSPN_RX_ERR_SAME_ADDR);
	free(buf);
	qspn_instance_free(inst);
}

int main(void)
{
	static const uint32_t g[] = {4, 4};
	char err[QSPN_ERRBUF_SIZE];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_proto_level),
		cmocka_unit_test(test_arena_limit),
		cmocka_unit_test(test_engine_reject_whole),
	};

	if (qspn_topology_init(&topo, 2, g, err, sizeof(err)) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
