// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen_corpus.c: writes the seed corpus of fuzz_wire (valid messages of
 * every kind, with mode bytes) into the directory given as argument.
 * Run by hand when the wire format changes; the output is committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_engine_int.h"

static void put(const char *dir, const char *name, uint8_t mode,
		const struct qspn_msg *m)
{
	char path[512];
	size_t len = 0;
	uint8_t *buf = qspn_wire_encode(m, 3, &len);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || !buf)
		exit(1);
	fputc(mode, f);
	fwrite(buf, 1, len, f);
	fclose(f);
	free(buf);
}

int main(int argc, char **argv)
{
	struct qspn_msg m;
	struct qspn_hcoord tp[2] = {{0, 3}, {1, 1}};
	struct qspn_hcoord h0[3] = {{0, 2}, {1, 3}, {2, 0}};
	uint32_t a0[3] = {11, 12, 13};
	struct qspn_epath p[2];
	int32_t eld[3] = {0, 0, 1};

	if (argc != 2)
		return 2;
	memset(&m, 0, sizeof(m));
	m.type = QSPN_MSG_SEND_ETP;
	m.has_etp = true;
	m.etp.addr.levels = 3;
	m.etp.addr.pos[0] = 0;
	m.etp.addr.pos[1] = 2;
	m.etp.addr.pos[2] = 3;
	for (int i = 0; i < 3; i++)
		m.etp.gsize[i] = 4;
	m.etp.n_fp = 4;
	qspn_fp_init_node(&m.etp.fps[0], 9, 3, eld);
	for (int k = 1; k <= 3; k++) {
		qspn_fp_construct(&m.etp.fps[k], &m.etp.fps[k - 1], NULL, 0,
				  false);
		m.etp.nn[k] = (uint32_t)k + 1;
	}
	m.etp.nn[0] = 1;
	memset(p, 0, sizeof(p));
	p[0].n = 3;
	p[0].hops = h0;
	p[0].arcs = a0;
	p[0].cost = qspn_cost_real(5000);
	p[0].fp = m.etp.fps[2];
	p[0].fp.id = 33;
	p[0].nodes_inside = 4;
	p[1].n = 1;
	p[1].hops = h0;
	p[1].arcs = a0;
	p[1].cost = qspn_cost_dead();
	p[1].fp = m.etp.fps[0];
	p[1].fp.id = 34;
	p[1].nodes_inside = 1;
	p[1].ignore_outside = 6;
	m.etp.hops = tp;
	m.etp.n_hops = 2;
	put(argv[1], "send_etp_empty", 0, &m);
	m.etp.paths = p;
	m.etp.n_paths = 2;
	put(argv[1], "send_etp_paths", 0, &m);
	m.is_full = true;
	put(argv[1], "send_etp_full", 4, &m);
	put(argv[1], "send_etp_unknown_arc", 2, &m);
	put(argv[1], "send_etp_bootstrap", 1, &m);
	m.type = QSPN_MSG_FULL_ETP_REPLY;
	m.req_id = 1;
	m.status = QSPN_REPLY_OK;
	put(argv[1], "reply_ok", 8, &m);
	put(argv[1], "reply_ok_bootstrap", 1 | 16, &m);
	m.has_etp = false;
	m.status = QSPN_REPLY_BOOTSTRAP_IN_PROGRESS;
	put(argv[1], "reply_bip", 0, &m);
	m.status = QSPN_REPLY_NOT_ACCEPTED;
	put(argv[1], "reply_na", 0, &m);
	m.type = QSPN_MSG_FULL_ETP_REQUEST;
	m.req_addr = m.etp.addr;
	put(argv[1], "request", 0, &m);
	put(argv[1], "request_bootstrap", 1, &m);
	m.type = QSPN_MSG_DESTROY;
	put(argv[1], "destroy", 0, &m);
	m.type = QSPN_MSG_PREPARE_DESTROY;
	put(argv[1], "prepare_destroy", 0, &m);
	return 0;
}
