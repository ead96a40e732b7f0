// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd.c: the ground of the daemon (qspnd.h): the globals, the memory
 * group, the privileges, the kernel counters, time and randomness.  It
 * calls nothing of qspnd/ above it.
 */
#include <zebra.h>

#include <sys/random.h>

#include "lib/if.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/network.h"
#include "lib/privs.h"
#include "lib/zclient.h"

#include "qspnd.h"

DEFINE_MGROUP(QSPND, "qspnd");

struct qspnd_globals qspnd;
struct qspnd_kernel_stats qspnd_kstats;

/* NET_ADMIN for routes, rules, addresses, sysctls and nftables; NET_RAW and
 * BIND for the protocol's sockets; SYS_ADMIN for network namespaces
 * (identities); DAC_OVERRIDE for qspnd's table-names file in
 * /etc/iproute2/rt_tables.d (owned by root). */
static zebra_capabilities_t qspnd_caps[] = {ZCAP_NET_ADMIN, ZCAP_NET_RAW,
					    ZCAP_BIND, ZCAP_SYS_ADMIN,
					    ZCAP_DAC_OVERRIDE};

struct zebra_privs_t qspnd_privs = {
#if defined(FRR_USER) && defined(FRR_GROUP)
	.user = FRR_USER,
	.group = FRR_GROUP,
#endif
#if defined(VTY_GROUP)
	.vty_group = VTY_GROUP,
#endif
	.caps_p = qspnd_caps,
	.cap_num_p = array_size(qspnd_caps),
	.cap_num_i = 0,
};

void qspnd_kstats_error(const char *fmt, ...)
{
	va_list ap;

	qspnd_kstats.op_errors++;
	va_start(ap, fmt);
	vsnprintfrr(qspnd_kstats.last_error, sizeof(qspnd_kstats.last_error),
		    fmt, ap);
	va_end(ap);
}

struct qspnd_if *qspnd_if_get(struct interface *ifp)
{
	return ifp->info;
}

/* libfrr's zclient has no disconnect callback: a lost session shows as a
 * closed socket (and zclient schedules the reconnection itself). */
bool qspnd_zclient_connected(void)
{
	return qspnd.zclient && qspnd.zclient->sock >= 0;
}

uint64_t qspnd_now_us(void)
{
	struct timeval tv;

	monotime(&tv);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

uint64_t qspnd_now_ms(void)
{
	return qspnd_now_us() / 1000u;
}

uint64_t qspnd_random64(void)
{
	uint64_t v = 0;

	while (v == 0)
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			v = ((uint64_t)frr_weak_random() << 32) ^
			    (uint64_t)frr_weak_random();
	return v;
}
