// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_events.c: libFuzzer target driving a small simulated network
 * (tests/sim) with a script read from the input (doc/style.md §4: "the bytes
 * as a script driving 1-3 instances").  Six nodes of gsizes [4,4] in three
 * level-1 g-nodes; each input byte pair is an operation on one of nine
 * possible links: bring its arcs up (both sides, or one side only), take
 * them down, change a cost, let time pass, lose broadcasts.  At the end
 * the network settles and structural invariants of every map are checked:
 * no stored path passes through one of its owner's g-nodes, destinations
 * are non-empty and sorted, every path's hops are monotone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_engine_int.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int pairs[9][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5},
				{5, 0}, {0, 3}, {1, 4}, {2, 5}};

static void check_invariants(struct qspn_instance *inst)
{
	for (int l = 0; l < inst->L; l++) {
		const struct qspn_level_map *lm = &inst->map[l];

		for (uint32_t i = 0; i < lm->n; i++) {
			const struct qspn_dest *d = lm->d[i];

			if (d->n == 0 || d->hc.lvl != l)
				abort();
			if (i && lm->d[i - 1]->hc.pos >= d->hc.pos)
				abort();
			if (d->hc.pos == inst->me.pos[l])
				abort();
			for (uint32_t j = 0; j < d->n; j++) {
				const struct qspn_epath *p = &d->paths[j]->p;

				if (p->n == 0 ||
				    !qspn_hcoord_equal(p->hops[p->n - 1],
						       d->hc))
					abort();
				for (uint32_t h = 0; h < p->n; h++) {
					if (p->hops[h].pos ==
					    inst->me.pos[p->hops[h].lvl])
						abort();
					if (h &&
					    p->hops[h].lvl < p->hops[h - 1].lvl)
						abort();
				}
				if (p->arcs[0] != d->paths[j]->arc_id ||
				    !qspn_arc_by_id(inst, d->paths[j]->arc_id))
					abort();
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t g[] = {4, 4};
	struct qspn_topology topo;
	char err[QSPN_ERRBUF_SIZE];
	struct sim_params sp;
	struct sim *s;
	int sys[6], id[6], link[9], arc[9][2];
	bool up[9][2] = {{false}};

	if (size > 512)
		return 0;
	if (qspn_topology_init(&topo, 2, g, err, sizeof(err)) != 0)
		abort();
	sim_params_default(&sp);
	sp.seed = 3;
	sp.ack_timeout_ms = 50;
	s = sim_new(&topo, NULL, &sp);
	for (int i = 0; i < 6; i++) {
		uint32_t pos[2] = {(uint32_t)(i % 2), (uint32_t)(i / 2)};
		int32_t eld[2] = {(int32_t)pos[0], (int32_t)pos[1]};

		sys[i] = sim_system(s, i + 1);
		id[i] = sim_create_net(s, sys[i], pos, eld);
	}
	for (int k = 0; k < 9; k++) {
		link[k] = sim_link(s, sys[pairs[k][0]], "eth0",
				   sys[pairs[k][1]], "eth0", 2000 + 500 * k);
		arc[k][0] =
			sim_arc(s, link[k], id[pairs[k][0]], id[pairs[k][1]]);
		arc[k][1] = arc[k][0];
	}
	for (size_t i = 0; i + 1 < size; i += 2) {
		int op = data[i] % 8, k = data[i + 1] % 9;
		int side = (data[i + 1] / 9) % 2;

		switch (op) {
		case 0: /* both sides up */
			sim_link_set_up(s, link[k], true);
			for (int x = 0; x < 2; x++)
				if (!up[k][x] &&
				    sim_qspn_arc_add(s, arc[k][x],
						     id[pairs[k][x]]) == 0)
					up[k][x] = true;
			break;
		case 1: /* one side only */
			sim_link_set_up(s, link[k], true);
			if (!up[k][side] &&
			    sim_qspn_arc_add(s, arc[k][side],
					     id[pairs[k][side]]) == 0)
				up[k][side] = true;
			break;
		case 2: /* down on both sides */
			for (int x = 0; x < 2; x++)
				if (up[k][x]) {
					sim_qspn_arc_remove(s, arc[k][x],
							    id[pairs[k][x]]);
					up[k][x] = false;
				}
			break;
		case 3: /* the link breaks, the arcs stay (transport errors) */
			sim_link_set_up(s, link[k], false);
			break;
		case 4: /* cost change */
			sim_link_cost(s, link[k],
				      1000 + 300 * (int64_t)data[i + 1]);
			break;
		case 5: /* time passes */
			sim_run_until(s, sim_now(s) + 5 * data[i + 1]);
			break;
		case 6: /* long pause: timers (bootstrap, splits) fire */
			sim_run_until(s,
				      sim_now(s) + 1000 * (data[i + 1] % 16));
			break;
		default: /* an instance leaves its level-1 g-node's network */
			if (sim_inst(s, id[k % 6]) && data[i + 1] % 5 == 0)
				qspn_exit_network(sim_inst(s, id[k % 6]),
						  sim_now(s), 1);
			break;
		}
	}
	sim_run_until(s, sim_now(s) + 60000);
	for (int i = 0; i < 6; i++)
		check_invariants(sim_inst(s, id[i]));
	sim_free(s);
	return 0;
}

#ifndef QSPN_LIBFUZZER
int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t buf[512];
		size_t len;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		n++;
	}
	printf("replayed %d inputs\n", n);
	return 0;
}
#endif
