// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_main.c: qspnd's entry point: FRR daemon boilerplate and nothing else
 * (cf. staticd/static_main.c).
 */
#include <zebra.h>

#include <lib/version.h>
#include "lib/command.h"
#include "lib/filter.h"
#include "lib/if.h"
#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/routing_nb.h"
#include "lib/sigevent.h"
#include "qspnd_frr.h"
#include "lib/vrf.h"

#include "qspnd.h"
#include "qspnd_auth.h"
#include "qspnd_debug.h"
#include "qspnd_kernel.h"
#include "qspnd_kernel_vty.h"
#include "qspnd_nb.h"
#include "qspnd_neigh.h"
#include "qspnd_router.h"
#include "qspnd_sysview.h"
#include "qspnd_vty.h"
#include "qspnd_zebra.h"

static struct option longopts[] = {{0}};

static struct frr_daemon_info qspnd_di;

static void sighup(void)
{
	zlog_info("SIGHUP received");
	vty_read_config(NULL, qspnd_di.config_file, config_default);
}

static void sigint(void)
{
	zlog_notice("Terminating on signal");
	qspnd_router_terminate();
	qspnd_zebra_stop();
	frr_fini();
	exit(0);
}

static void sigusr1(void)
{
	zlog_rotate();
}

static struct frr_signal_t qspnd_signals[] = {
	{.signal = SIGHUP, .handler = &sighup},
	{.signal = SIGUSR1, .handler = &sigusr1},
	{.signal = SIGINT, .handler = &sigint},
	{.signal = SIGTERM, .handler = &sigint},
};

/* frr_routing_info first: frr_qspnd_info overrides its list callbacks. */
static const struct frr_yang_module_info *const qspnd_yang_modules[] = {
	&frr_filter_info,  &frr_interface_info, &frr_vrf_info,
	&frr_routing_info, &frr_qspnd_info, QSPND_KEYCHAIN_YANG_MODULE
};

/* clang-format off */
FRR_DAEMON_INFO(qspnd, QSPN,
	.vty_port = QSPND_VTY_PORT,
	.proghelp = "QSPN (Netsukuku) routing daemon.",
	.signals = qspnd_signals,
	.n_signals = array_size(qspnd_signals),
	.privs = &qspnd_privs,
	.yang_modules = qspnd_yang_modules,
	.n_yang_modules = array_size(qspnd_yang_modules),
);
/* clang-format on */

int main(int argc, char **argv, char **envp)
{
	frr_preinit(&qspnd_di, argc, argv);
	frr_opt_add("", longopts, "");

	while (1) {
		int opt = frr_getopt(argc, argv, NULL);

		if (opt == EOF)
			break;
		switch (opt) {
		case 0:
			break;
		default:
			frr_help_exit(1);
		}
	}

	qspnd.master = frr_init();
	qspnd.pathspace = qspnd_di.pathspace;

	qspnd_debug_init();
	vrf_init(NULL, NULL, NULL, NULL);
	qspnd_neigh_init();
	qspnd_router_if_init();
	if_cmd_init_default();
	qspnd_vty_init();
	qspnd_auth_init();
	qspnd_zebra_init();
	qspnd_kernel_init(&qspnd_sysview_input);
	qspnd_kernel_vty_init();

	frr_config_fork();
	frr_run(qspnd.master);

	/* Not reached. */
	return 0;
}
