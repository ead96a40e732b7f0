// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * qspnd_netns.c: the network namespaces of connectivity identities
 * (doc/protocol/routes.md §5.1, §5.2, §5.7), handled as `ip netns` does: a
 * namespace NS is a bind mount of a network namespace on /run/netns/NS.
 *
 * qspnd records every namespace it creates in a state file in FRR's state
 * directory, /var/run/frr/qspnd-netns (/var/run/frr/<NAME>/qspnd-netns with
 * `-N NAME`): a qspnd started after a crash removes those
 * (qspnd_netns_remove_leftovers), and qspnd never deletes nor uses a
 * namespace it did not create.
 *
 * setns() changes the namespace of the calling thread only; qspnd is
 * single-threaded, and every function here that enters a namespace comes
 * back before it returns (qspnd_netns_enter/_leave are the exception, for the
 * caller's own short sequences).
 */
#include <zebra.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/privs.h"

#include "qspnd.h"
#include "qspnd_debug.h"
#include "qspnd_netns.h"

#define SELF_NETNS "/proc/thread-self/ns/net"
#define MAX_OWNED 64

/* the namespaces this run created (and the state file listing them) */
static char owned[MAX_OWNED][QSPN_NAMELEN];
static size_t n_owned;
/* the layer that keeps state per namespace (qspnd_netns_set_ops) */
static const struct qspnd_netns_ops *ops;

void qspnd_netns_set_ops(const struct qspnd_netns_ops *o)
{
	ops = o;
}

static char state_dir[256], state_file[288];

static bool name_ok(const char *ns)
{
	size_t len = strnlen(ns, QSPN_NAMELEN);

	return len > 0 && len < QSPN_NAMELEN && !strchr(ns, '/') &&
	       strcmp(ns, ".") && strcmp(ns, "..");
}

static void ns_path(const char *ns, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", QSPND_NETNS_RUN_DIR, ns);
}

static void state_paths(void)
{
	if (state_file[0])
		return;
	/* FRR's state directory, with the pathspace: private to each router
	 * in the topotests (like /var/run/frr), one per -N in the lab */
	snprintf(state_dir, sizeof(state_dir), "%s", QSPND_RUNSTATEDIR);
	snprintf(state_file, sizeof(state_file), "%s/qspnd-netns", state_dir);
}

static int owned_find(const char *ns)
{
	for (size_t i = 0; i < n_owned; i++)
		if (!strcmp(owned[i], ns))
			return (int)i;
	return -1;
}

bool qspnd_netns_owned(const char *ns)
{
	return ns[0] && owned_find(ns) >= 0;
}

size_t qspnd_netns_list(const char (**out)[QSPN_NAMELEN])
{
	*out = (const char(*)[QSPN_NAMELEN])owned;
	return n_owned;
}

/* the state file, written whole (temporary file and rename) */
static void state_write(void)
{
	char tmp[PATH_MAX + 8];
	int err = 0;
	FILE *f;

	state_paths();
	snprintf(tmp, sizeof(tmp), "%s.tmp", state_file);
	frr_with_privs (&qspnd_privs) {
		if (!n_owned) {
			if (unlink(state_file) < 0 && errno != ENOENT)
				err = errno;
			break;
		}
		if (mkdir(state_dir, 0755) < 0 && errno != EEXIST) {
			err = errno;
			break;
		}
		f = fopen(tmp, "w");
		if (!f) {
			err = errno;
			break;
		}
		fprintf(f,
			"# Network namespaces created by qspnd (QSPN routing daemon),\n"
			"# removed by qspnd when it stops or starts again: do not edit.\n");
		for (size_t i = 0; i < n_owned; i++)
			fprintf(f, "%s\n", owned[i]);
		if (fclose(f) != 0 || rename(tmp, state_file) < 0) {
			err = errno;
			unlink(tmp);
		}
	}
	if (err)
		zlog_warn("cannot write %s: %s", state_file,
			  safe_strerror(err));
}

static void owned_set(const char *ns, bool own)
{
	int i = owned_find(ns);

	if (own && i < 0 && n_owned < MAX_OWNED) {
		snprintf(owned[n_owned++], QSPN_NAMELEN, "%s", ns);
		state_write();
	} else if (!own && i >= 0) {
		memmove(owned[i], owned[i + 1],
			(n_owned - i - 1) * sizeof(owned[0]));
		n_owned--;
		state_write();
	}
}

bool qspnd_netns_exists(const char *ns)
{
	char path[PATH_MAX];
	struct statfs st;

	if (!ns[0])
		return true;
	if (!name_ok(ns))
		return false;
	ns_path(ns, path, sizeof(path));
	/* a namespace is mounted there, not just the empty file */
	return statfs(path, &st) == 0 &&
	       st.f_type == (typeof(st.f_type))NSFS_MAGIC;
}

int qspnd_netns_enter(const char *ns, int *saved_fd)
{
	char path[PATH_MAX];
	int fd, err = 0;

	*saved_fd = -1;
	if (!ns[0])
		return 0;
	if (!name_ok(ns)) {
		errno = EINVAL;
		return -1;
	}
	ns_path(ns, path, sizeof(path));
	frr_with_privs (&qspnd_privs) {
		*saved_fd = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
		if (*saved_fd < 0) {
			err = errno;
			break;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (setns(fd, CLONE_NEWNET) < 0)
			err = errno;
		close(fd);
	}
	if (err) {
		if (*saved_fd >= 0)
			close(*saved_fd);
		*saved_fd = -1;
		errno = err;
		return -1;
	}
	return 0;
}

void qspnd_netns_leave(int saved_fd)
{
	int err = 0;

	if (saved_fd < 0)
		return;
	frr_with_privs (&qspnd_privs) {
		if (setns(saved_fd, CLONE_NEWNET) < 0)
			err = errno;
	}
	if (err)
		/* should not happen: qspnd would go on in the wrong one */
		zlog_err("cannot return to the default network namespace: %s",
			 safe_strerror(err));
	close(saved_fd);
}

int qspnd_netns_socket(const char *ns, int domain, int type, int protocol)
{
	int saved, fd = -1, err = 0;

	if (qspnd_netns_enter(ns, &saved) < 0)
		return -1;
	/* with the capabilities raised: the kernel checks those of the
	 * opener of a netlink or raw socket */
	frr_with_privs (&qspnd_privs) {
		fd = socket(domain, type, protocol);
		if (fd < 0)
			err = errno;
	}
	qspnd_netns_leave(saved);
	errno = err;
	return fd;
}

int qspnd_netns_ifindex(const char *ns, const char *dev)
{
	int saved, idx;

	if (!ns[0])
		return (int)if_nametoindex(dev);
	if (qspnd_netns_enter(ns, &saved) < 0)
		return 0;
	idx = (int)if_nametoindex(dev);
	qspnd_netns_leave(saved);
	return idx;
}

int qspnd_netns_hwaddr(const char *ns, const char *dev, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int fd, ret, err = 0;

	fd = qspnd_netns_socket(ns, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (ret < 0)
		err = errno;
	close(fd);
	if (ret < 0) {
		errno = err;
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* `ip link set lo up` inside ns */
static int lo_up(const char *ns)
{
	struct ifreq ifr = {};
	int fd, ret = -1, err = 0;

	fd = qspnd_netns_socket(ns, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	frr_with_privs (&qspnd_privs) {
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
			ifr.ifr_flags |= IFF_UP;
			ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
		}
		if (ret < 0)
			err = errno;
	}
	close(fd);
	errno = err;
	return ret;
}

/* Make /run/netns a shared mount point, as `ip netns add` does, so that the
 * namespaces' mounts propagate between mount namespaces. */
static int run_dir_prepare(void)
{
	bool made = false;

	if (mkdir(QSPND_NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	while (mount("", QSPND_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC,
		     NULL) < 0) {
		if (errno != EINVAL || made)
			return -1;
		if (mount(QSPND_NETNS_RUN_DIR, QSPND_NETNS_RUN_DIR, "none",
			  MS_BIND | MS_REC, NULL) < 0)
			return -1;
		made = true;
	}
	return 0;
}

int qspnd_netns_add(const char *ns)
{
	char path[PATH_MAX];
	const char *step = "";
	int fd, saved = -1, err = 0;
	bool created = false;

	if (!name_ok(ns)) {
		errno = EINVAL;
		return -1;
	}
	if (qspnd_netns_exists(ns)) {
		if (owned_find(ns) >= 0)
			return lo_up(ns) < 0 ? -1 : 0;
		zlog_warn(
			"network namespace %s exists and was not created by qspnd: not used",
			ns);
		errno = EEXIST;
		return -1;
	}
	ns_path(ns, path, sizeof(path));
	ops->forget(ns);
	frr_with_privs (&qspnd_privs) {
		step = QSPND_NETNS_RUN_DIR;
		if (run_dir_prepare() < 0) {
			err = errno;
			break;
		}
		step = "create";
		/* an empty file left by an earlier namespace is reused */
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd >= 0) {
			close(fd);
			created = true;
		} else if (errno != EEXIST) {
			err = errno;
			break;
		}
		step = "save";
		saved = open(SELF_NETNS, O_RDONLY | O_CLOEXEC);
		if (saved < 0) {
			err = errno;
			break;
		}
		step = "unshare";
		if (unshare(CLONE_NEWNET) < 0) {
			err = errno;
			break;
		}
		step = "mount";
		if (mount(SELF_NETNS, path, "none", MS_BIND, NULL) < 0)
			err = errno;
		if (setns(saved, CLONE_NEWNET) < 0) {
			zlog_err(
				"cannot return to the default network namespace: %s",
				safe_strerror(errno));
			if (!err)
				err = errno;
		}
	}
	if (saved >= 0)
		close(saved);
	if (err) {
		if (created)
			frr_with_privs (&qspnd_privs) {
				unlink(path);
			}
		zlog_warn("ip netns add %s: %s: %s", ns, step,
			  safe_strerror(err));
		errno = err;
		return -1;
	}
	owned_set(ns, true);
	QSPND_DEBUG(kernel, "network namespace %s created", ns);
	if (lo_up(ns) < 0) {
		zlog_warn("ip netns add %s: lo up: %s", ns,
			  safe_strerror(errno));
		return -1;
	}
	return 0;
}

/* umount and unlink, whoever created it */
static int netns_remove(const char *ns)
{
	char path[PATH_MAX];
	int err = 0;

	ns_path(ns, path, sizeof(path));
	ops->forget(ns);
	frr_with_privs (&qspnd_privs) {
		if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL &&
		    errno != ENOENT)
			err = errno;
		if (unlink(path) < 0 && errno != ENOENT && !err)
			err = errno;
	}
	if (err) {
		zlog_warn("ip netns del %s: %s", ns, safe_strerror(err));
		errno = err;
		return -1;
	}
	return 0;
}

int qspnd_netns_del(const char *ns)
{
	char path[PATH_MAX];
	struct stat st;

	if (!name_ok(ns)) {
		errno = EINVAL;
		return -1;
	}
	if (owned_find(ns) < 0) {
		if (!qspnd_netns_exists(ns))
			return 0; /* nothing there: done */
		zlog_warn(
			"network namespace %s was not created by qspnd: not deleted",
			ns);
		errno = EPERM;
		return -1;
	}
	ns_path(ns, path, sizeof(path));
	if (!qspnd_netns_exists(ns) && stat(path, &st) < 0 && errno == ENOENT) {
		owned_set(ns, false);
		return 0;
	}
	if (netns_remove(ns) < 0)
		return -1;
	owned_set(ns, false);
	QSPND_DEBUG(kernel, "network namespace %s deleted", ns);
	return 0;
}

/*
 * Namespaces of an earlier run (the state file): their links are deleted,
 * then the namespace.  Returns how many were removed.
 */
int qspnd_netns_remove_leftovers(void)
{
	char line[256];
	int removed = 0;
	FILE *f;

	state_paths();
	frr_with_privs (&qspnd_privs) {
		f = fopen(state_file, "r");
	}
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char path[PATH_MAX];
		struct stat st;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		if (!name_ok(line) || owned_find(line) >= 0)
			continue;
		ns_path(line, path, sizeof(path));
		if (qspnd_netns_exists(line)) {
			int n = ops->remove_links(line);

			if (netns_remove(line) == 0) {
				zlog_notice(
					"removed network namespace %s (%d links) left by an earlier run",
					line, n);
				removed++;
			} else
				/* still ours: tried again at stop */
				owned_set(line, true);
		} else if (stat(path, &st) == 0) {
			/* the namespace died with its mount namespace: only
			 * the file is left */
			if (netns_remove(line) == 0)
				removed++;
		}
	}
	fclose(f);
	state_write();
	return removed;
}

/* At stop: every namespace of ours goes, its links first. */
int qspnd_netns_remove_all(void)
{
	int removed = 0;

	while (n_owned) {
		char ns[QSPN_NAMELEN];

		snprintf(ns, sizeof(ns), "%s", owned[n_owned - 1]);
		if (qspnd_netns_exists(ns)) {
			ops->remove_links(ns);
			removed++;
		}
		if (netns_remove(ns) < 0)
			zlog_warn("network namespace %s not removed at stop",
				  ns);
		owned_set(ns, false);
	}
	return removed;
}
