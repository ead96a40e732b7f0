// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_wire.c: libFuzzer target for the message decoder and the engine's
 * receive path (issue 5 item 6, doc/style.md §4 "Fuzzing").
 *
 * Input: one mode byte, then the message bytes.  The mode picks the
 * receiving instance's state: out of bootstrap with a pending get_full_etp
 * (req_id 1, so replies reach on_reply), in bootstrap after enter_net, and
 * whether the message arrives on a known arc.  The same bytes also go to
 * the bare decoder.  Built with clang by `make fuzz`; without
 * -DQSPN_LIBFUZZER a main() replays files (the regression run of
 * `make check` over tests/fuzz/corpus).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qspn_engine_int.h"
#include "qspn_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t f_random(void *ctx)
{
	uint32_t *x = ctx;

	*x = *x * 1103515245u + 12345u;
	return *x >> 1;
}

static void f_send(void *ctx, struct qspn_instance *i, uint32_t arc,
		   const uint8_t *b, size_t l)
{
	(void)ctx, (void)i, (void)arc, (void)b, (void)l;
}

static void f_bcast(void *ctx, struct qspn_instance *i, const uint32_t *a,
		    size_t n, const uint8_t *b, size_t l)
{
	(void)ctx, (void)i, (void)a, (void)n, (void)b, (void)l;
}

static void f_signal(void *ctx, struct qspn_instance *i,
		     const struct qspn_signal *s)
{
	struct qspn_dest_paths dp;

	(void)ctx;
	/* exercise the queries from inside a signal, as hosts do */
	if (s->type == QSPN_SIG_DEST_ADDED)
		qspn_get_paths_to(i, s->dest, &dp);
}

static const struct qspn_host_ops fops = {
	.send = f_send,
	.broadcast = f_bcast,
	.signal = f_signal,
	.random = f_random,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t g[] = {4, 4, 4};
	struct qspn_topology topo;
	struct qspn_naddr me = {.levels = 3, .pos = {1, 2, 3}};
	struct qspn_fp fp0;
	int32_t eld[3] = {0, 1, 0};
	char err[QSPN_ERRBUF_SIZE];
	struct qspn_instance *inst, *prev = NULL;
	uint32_t rng = 1;
	uint8_t mode;
	struct qspn_arena a;
	struct qspn_msg m;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (qspn_topology_init(&topo, 3, g, err, sizeof(err)) != 0)
		abort();

	/* the daemon's hello decoder (same Packet envelope) */
	{
		struct qspn_hello h;
		const char *why;

		if (qspn_hello_decode(&h, data, size, &why) == 0 && why)
			abort();
	}

	/* the bare decoder */
	qspn_arena_init(&a, 1 << 22);
	qspn_wire_decode(&a, &topo, data, size, &m);
	qspn_arena_fini(&a);

	/* the engine */
	qspn_fp_init_node(&fp0, 77, 3, eld);
	inst = qspn_create_net(NULL, &topo, &me, &fp0, &fops, &rng, 0);
	if (!inst)
		abort();
	qspn_tick(inst, 1);
	if (mode & 1) {
		/* in bootstrap: a new identity entering at guest level 0 */
		struct qspn_external_arc ea = {.arc = 5, .cost = 1000};
		struct qspn_enter_args args = {.guest_level = 0,
					       .host_level =
						       1 + (mode >> 4) % 3,
					       .prev = inst,
					       .external = &ea,
					       .n_external = 1};

		prev = inst;
		inst = qspn_enter_net(NULL, &topo, &me, &fp0, &args, &fops,
				      &rng, 2);
		if (!inst)
			abort();
	} else {
		qspn_arc_add(inst, 2, 5, 1000);
	}
	qspn_receive(inst, 10, (mode & 2) ? 6 : 5, data, size);
	if (mode & 2)
		qspn_arc_add(inst, 11, 6, 2000);
	/* and a second time: state reached by the first one */
	if (mode & 4)
		qspn_receive(inst, 20, 5, data, size);
	if (mode & 8)
		qspn_tick(inst, 700000);
	qspn_instance_free(inst);
	qspn_instance_free(prev);
	return 0;
}

#ifndef QSPN_LIBFUZZER
/* Replay files (a corpus regression run). */
int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long len;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(len > 0 ? (size_t)len : 1);
		if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			fclose(f);
			free(buf);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
		n++;
	}
	printf("replayed %d inputs\n", n);
	return 0;
}
#endif
