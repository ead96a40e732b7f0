/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmodel.h: a model of the kernel state touched by the commands of
 * doc/protocol/commands.md (namespaces, links, addresses, routes of every
 * table, policy rules, iptables mangle/nat rules, sysctls,
 * /etc/iproute2/rt_tables), and a strict interpreter of those command shapes: a
 * command that would fail on a real kernel (adding an existing route, changing
 * or deleting a missing one, a rule for an unknown table name, a src that is
 * not a local address, ...) fails here too.
 */
#ifndef KMODEL_H
#define KMODEL_H

#include <stddef.h>

struct kmodel;

/* A model with the default namespace holding `lo` (up) and the NICs. */
struct kmodel *kmodel_new(const char *const *nics, size_t n_nics);
struct kmodel *kmodel_clone(const struct kmodel *m);
void kmodel_free(struct kmodel *m);

/* Apply one command line.  0, or -1 with the reason in err. */
int kmodel_apply(struct kmodel *m, const char *line, char *err, size_t errlen);

/*
 * Canonical dump: one sorted line per object.  Returns a malloc'd array of
 * malloc'd strings (NULL-terminated); kmodel_dump_free() releases it.
 */
char **kmodel_dump(const struct kmodel *m);
void kmodel_dump_free(char **lines);

/* The same, only the routes of one table (by name) of one namespace
 * ("" = default); NULL when the namespace or the name is unknown. */
char **kmodel_dump_table(const struct kmodel *m, const char *ns,
			 const char *table);

#endif /* KMODEL_H */
