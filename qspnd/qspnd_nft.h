/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qspnd_nft.h: MAC marks, SNAT and NETMAP in the nftables table `ip qspnd`
 * of each namespace (qspnd_nft.c).
 */
#ifndef QSPND_NFT_H
#define QSPND_NFT_H

#include <stdbool.h>
#include <stdint.h>

#include "qspn_plan.h"

int qspnd_nft_init(void);
void qspnd_nft_fini(void);
/* apply one MARK/SNAT/NETMAP op to the shadow of its namespace (no kernel
 * call) */
void qspnd_nft_stage(const struct qspn_op *op);
/* write each shadow that changed to its namespace (one transaction each) */
int qspnd_nft_commit(void);
/* drop the tables (and the shadows) */
int qspnd_nft_remove_all(void);
size_t qspnd_nft_rule_count(const char *ns);
/* the namespace is gone, and its table with it: forget the shadow */
void qspnd_nft_forget_ns(const char *ns);
const char *qspnd_nft_strerror(void);
/* the MAC marked for table tid in ns (false: no mark) */
bool qspnd_nft_mark_of(const char *ns, uint32_t tid, uint8_t mac[6]);

#endif /* QSPND_NFT_H */
