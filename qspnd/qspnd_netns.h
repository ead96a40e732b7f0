/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_netns.h: network namespaces of connectivity identities, as
 * `ip netns` makes them (a bind mount on QSPND_NETNS_RUN_DIR/NS).  ""
 * is the default namespace (qspnd's own) everywhere.  Those qspnd creates
 * are recorded in a state file (<FRR state dir>[/<pathspace>]/qspnd-netns)
 * and removed
 * at stop, or at the next start after a crash; qspnd never deletes nor
 * uses a namespace it did not create.  Functions that enter a namespace
 * come back before they return (setns is per thread; qspnd has one).
 */
#ifndef QSPND_NETNS_H
#define QSPND_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qspn_plan.h"

#define QSPND_NETNS_RUN_DIR "/run/netns"

/* What the namespaces need from the layer that keeps state per namespace
 * (qspnd_netlink.c's sockets), registered once before any other call
 * (qspnd_kernel_init). */
struct qspnd_netns_ops {
	/* a namespace was created or deleted: its cached state goes */
	void (*forget)(const char *ns);
	/* delete every link but lo inside ns; returns the count */
	int (*remove_links)(const char *ns);
};
void qspnd_netns_set_ops(const struct qspnd_netns_ops *ops);

/* `ip netns add NS` and `ip link set lo up` inside; 0 if it is already
 * there and qspnd's; -1 with errno (EEXIST: somebody else's) */
int qspnd_netns_add(const char *ns);
/* `ip netns del NS`; 0 if absent; -1 with errno (EPERM: not qspnd's) */
int qspnd_netns_del(const char *ns);
/* a namespace is mounted at QSPND_NETNS_RUN_DIR/NS ("": true) */
bool qspnd_netns_exists(const char *ns);
/* setns into ns, keeping the current one in *saved_fd ("": stays, -1);
 * 0 or -1 with errno.  Always followed by qspnd_netns_leave(*saved_fd). */
int qspnd_netns_enter(const char *ns, int *saved_fd);
void qspnd_netns_leave(int saved_fd);
/* a socket created inside ns (capabilities raised); -1 with errno */
int qspnd_netns_socket(const char *ns, int domain, int type, int protocol);
/* ifindex of dev inside ns, 0 if absent */
int qspnd_netns_ifindex(const char *ns, const char *dev);
/* MAC of dev inside ns: 0, or -1 with errno */
int qspnd_netns_hwaddr(const char *ns, const char *dev, uint8_t mac[6]);
/* created by this qspnd (and not deleted since) */
bool qspnd_netns_owned(const char *ns);
size_t qspnd_netns_list(const char (**out)[QSPN_NAMELEN]);
/* at start: the namespaces of the state file (an earlier run); count */
int qspnd_netns_remove_leftovers(void);
/* at stop: every namespace of ours, links first; count */
int qspnd_netns_remove_all(void);

#endif /* QSPND_NETNS_H */
