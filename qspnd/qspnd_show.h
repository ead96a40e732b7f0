/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_show.h: the run-time state as JSON for `show qspn ...`
 * (qspnd_show.c).  The caller owns (and puts) the object.
 */
#ifndef QSPND_SHOW_H
#define QSPND_SHOW_H

#include "qspn_ipv4.h"

struct json_object;

/* the main identity's neighbours (show qspn neighbors) */
struct json_object *qspnd_show_neighbours_json(void);
/* authentication counters, by drop reason (qspnd_auth.c) */
struct json_object *qspnd_show_auth_json(void);
/* its QSPN arcs (show qspn arcs) */
struct json_object *qspnd_show_arcs_json(void);
/* every identity (show qspn identities) */
struct json_object *qspnd_show_identities_json(void);
/* the destinations its engine knows (show qspn destinations) */
struct json_object *qspnd_show_destinations_json(void);
/* every known destination with its paths; filter: only those whose
 * addresses overlap the prefix (show qspn paths) */
struct json_object *qspnd_show_paths_json(const struct qspn_prefix *filter);

#endif /* QSPND_SHOW_H */
