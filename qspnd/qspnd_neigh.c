// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_neigh.c: neighbours, arcs and the QSPN engine instance.
 *
 * (Being written: hellos, link-locals, TCP sessions, the engine.)  Until
 * then the router has no neighbours, no arcs and no paths.
 */
#include <zebra.h>

#include "qspnd.h"

size_t qspnd_neigh_plan_neighbours(const struct qspn_plan_neighbour **out)
{
	*out = NULL;
	return 0;
}

size_t qspnd_neigh_plan_arcs(const struct qspn_plan_arc **out)
{
	*out = NULL;
	return 0;
}

static int no_paths(void *ctx, struct qspn_hcoord dest,
		    struct qspn_dest_paths *out)
{
	out->dest = dest;
	out->n_paths = 0;
	out->paths = NULL;
	return 0;
}

struct qspn_path_source qspnd_neigh_paths(void)
{
	struct qspn_path_source src = {.get_paths = no_paths, .ctx = NULL};

	return src;
}
