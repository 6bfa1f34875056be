/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The field table: every field of the record, its JSON and column names,
 * how it is stored in struct ipk_object and how it is shown.  A new field
 * is one row here, one member of struct ipk_object and one enum value.
 */
#include "internal.h"

#include <stddef.h>
#include <strings.h>

#define AT(member) offsetof(struct ipk_object, member)

#define FIELD(id, json_, column_, type_, flags_, store_, member, help_) \
	[id] = {							\
		.info = { .json = json_, .column = column_, .help = help_, \
			  .type = type_, .flags = flags_ },		\
		.store = store_, .offset = AT(member), .known_by = id,	\
	}

/* A field shown from another field's member (OWNER from uid). */
#define VIEW(id, json_, column_, type_, flags_, store_, member, of, help_) \
	[id] = {							\
		.info = { .json = json_, .column = column_, .help = help_, \
			  .type = type_, .flags = flags_ },		\
		.store = store_, .offset = AT(member), .known_by = of,	\
	}

#define R IPK_FIELD_RIGHT
#define D IPK_FIELD_DETAIL
#define W IPK_FIELD_WIDE

const struct field_def field_defs[IPK_F_COUNT] = {
	FIELD(IPK_F_KIND, "kind", "KIND", IPK_T_KIND, 0, STORE_KIND, kind,
	      "kind of object"),
	FIELD(IPK_F_REF, "ref", "REF", IPK_T_STRING, 0, STORE_STR, ref,
	      "reference accepted by every command"),
	FIELD(IPK_F_ID, "id", "ID", IPK_T_NUMBER, R, STORE_I64, id,
	      "System V id"),
	FIELD(IPK_F_KEY, "key", "KEY", IPK_T_KEY, 0, STORE_I64, key,
	      "System V key"),
	FIELD(IPK_F_NAME, "name", "NAME", IPK_T_STRING, W, STORE_STR, name,
	      "POSIX name or path"),
	VIEW(IPK_F_OWNER, "owner", "OWNER", IPK_T_USER, 0, STORE_U32, uid, IPK_F_UID,
	     "owner"),
	FIELD(IPK_F_UID, "uid", "UID", IPK_T_NUMBER, R, STORE_U32, uid,
	      "owner user id"),
	VIEW(IPK_F_GROUP, "group", "GROUP", IPK_T_GROUP, 0, STORE_U32, gid, IPK_F_GID,
	     "owner group"),
	FIELD(IPK_F_GID, "gid", "GID", IPK_T_NUMBER, R, STORE_U32, gid,
	      "owner group id"),
	VIEW(IPK_F_CUSER, "cuser", "CUSER", IPK_T_USER, 0, STORE_U32, cuid, IPK_F_CUID,
	     "creator"),
	FIELD(IPK_F_CUID, "cuid", "CUID", IPK_T_NUMBER, R, STORE_U32, cuid,
	      "creator user id"),
	VIEW(IPK_F_CGROUP, "cgroup", "CGROUP", IPK_T_GROUP, 0, STORE_U32, cgid, IPK_F_CGID,
	     "creator group"),
	FIELD(IPK_F_CGID, "cgid", "CGID", IPK_T_NUMBER, R, STORE_U32, cgid,
	      "creator group id"),
	FIELD(IPK_F_PERMS, "perms", "PERMS", IPK_T_PERMS, 0, STORE_U32, perms,
	      "permission bits"),
	FIELD(IPK_F_SIZE, "size", "SIZE", IPK_T_BYTES, R, STORE_U64, size,
	      "bytes: segment or object size; for queues the bytes queued now"),
	FIELD(IPK_F_CAPACITY, "capacity", "CAPACITY", IPK_T_BYTES, R, STORE_U64, capacity,
	      "bytes the object can hold"),
	FIELD(IPK_F_MESSAGES, "messages", "MSGS", IPK_T_NUMBER, R, STORE_U64, messages,
	      "messages queued now"),
	FIELD(IPK_F_MAXMSG, "maxmsg", "MAXMSG", IPK_T_NUMBER, R, STORE_U64, maxmsg,
	      "most messages the queue holds"),
	FIELD(IPK_F_MSGSIZE, "msgsize", "MSGSIZE", IPK_T_BYTES, R, STORE_U64, msgsize,
	      "largest message"),
	FIELD(IPK_F_VALUE, "value", "VALUE", IPK_T_VALUE, R | W, STORE_VALUE, value,
	      "semaphore value(s), eventfd counter, timerfd seconds to the next expiry"),
	FIELD(IPK_F_NATTCH, "nattch", "NATTCH", IPK_T_NUMBER, R, STORE_U64, nattch,
	      "number of attaches"),
	FIELD(IPK_F_HOLDERS, "holders", "HOLDERS", IPK_T_HOLDERS, W, STORE_HOLDERS, holders,
	      "processes that hold it"),
	FIELD(IPK_F_CPID, "cpid", "CPID", IPK_T_NUMBER, R, STORE_I64, cpid,
	      "creator pid"),
	FIELD(IPK_F_LPID, "lpid", "LPID", IPK_T_NUMBER, R, STORE_I64, lpid,
	      "last operator pid"),
	FIELD(IPK_F_CTIME, "ctime", "CTIME", IPK_T_TIME, 0, STORE_I64, ctime,
	      "time of the last change"),
	FIELD(IPK_F_ATIME, "atime", "ATIME", IPK_T_TIME, 0, STORE_I64, atime,
	      "last attach, send or operation"),
	FIELD(IPK_F_DTIME, "dtime", "DTIME", IPK_T_TIME, 0, STORE_I64, dtime,
	      "last detach or receive"),
	FIELD(IPK_F_STATUS, "status", "STATUS", IPK_T_STATUS, 0, STORE_U32, status,
	      "flags: dest, locked, orphan, gone, notify, listening, connected, semaphore"),
	FIELD(IPK_F_NS, "ns", "NS", IPK_T_NUMBER, R, STORE_U64, ns,
	      "IPC namespace inode"),

	FIELD(IPK_F_NSEMS, "nsems", "NSEMS", IPK_T_NUMBER, R | D, STORE_U64, nsems,
	      "semaphores in the array"),
	FIELD(IPK_F_LSPID, "lspid", "LSPID", IPK_T_NUMBER, R | D, STORE_I64, lspid,
	      "pid of the last send"),
	FIELD(IPK_F_LRPID, "lrpid", "LRPID", IPK_T_NUMBER, R | D, STORE_I64, lrpid,
	      "pid of the last receive"),
	FIELD(IPK_F_SEMNCNT, "semncnt", "SEMNCNT", IPK_T_NUMBERS, D, STORE_LIST, semncnt,
	      "per semaphore: processes waiting for an increase"),
	FIELD(IPK_F_SEMZCNT, "semzcnt", "SEMZCNT", IPK_T_NUMBERS, D, STORE_LIST, semzcnt,
	      "per semaphore: processes waiting for zero"),
	FIELD(IPK_F_SEMPID, "sempid", "SEMPID", IPK_T_NUMBERS, D, STORE_LIST, sempid,
	      "per semaphore: pid of the last operation"),
	FIELD(IPK_F_WAITERS, "waiters", "WAITERS", IPK_T_NUMBER, R | D, STORE_U64, waiters,
	      "processes blocked in sem_wait"),
	FIELD(IPK_F_RSS, "rss", "RSS", IPK_T_BYTES, R | D, STORE_U64, rss,
	      "resident bytes"),
	FIELD(IPK_F_SWAP, "swap", "SWAP", IPK_T_BYTES, R | D, STORE_U64, swap,
	      "swapped-out bytes"),
	FIELD(IPK_F_NOTIFY_PID, "notify_pid", "NOTIFY_PID", IPK_T_NUMBER, R | D, STORE_I64,
	      notify_pid, "process registered with mq_notify"),
	FIELD(IPK_F_INODE, "inode", "INODE", IPK_T_NUMBER, R | D, STORE_U64, ino,
	      "inode of the object"),
	FIELD(IPK_F_TYPE, "type", "TYPE", IPK_T_STRING, D, STORE_CSTR, type,
	      "socket type: stream, dgram, seqpacket"),
	FIELD(IPK_F_STATE, "state", "STATE", IPK_T_STRING, D, STORE_CSTR, state,
	      "socket state: listening, connected, unconnected ..."),
	FIELD(IPK_F_PEER, "peer", "PEER", IPK_T_PEER, D, STORE_U64, peer,
	      "the socket at the other end"),
	FIELD(IPK_F_RECVQ, "recvq", "RECVQ", IPK_T_NUMBER, R | D, STORE_U64, recvq,
	      "receive queue: bytes, or connections waiting on a listener"),
	FIELD(IPK_F_SENDQ, "sendq", "SENDQ", IPK_T_NUMBER, R | D, STORE_U64, sendq,
	      "send queue: bytes, or the backlog of a listener"),
	FIELD(IPK_F_CLOCK, "clock", "CLOCK", IPK_T_STRING, D, STORE_CSTR, clock,
	      "timerfd clock: realtime, monotonic, boottime ..."),
	FIELD(IPK_F_INTERVAL, "interval", "INTERVAL", IPK_T_SECONDS, R | D, STORE_I64, interval,
	      "timerfd period in seconds (0: fires once)"),
	FIELD(IPK_F_TICKS, "ticks", "TICKS", IPK_T_NUMBER, R | D, STORE_U64, ticks,
	      "timerfd expirations not read yet"),
	FIELD(IPK_F_TIMER_FLAGS, "timer_flags", "TIMER_FLAGS", IPK_T_STRING, D, STORE_CSTR,
	      timer_flags, "timerfd settime flags: abstime, cancel_on_set"),
	FIELD(IPK_F_SIGNALS, "signals", "SIGNALS", IPK_T_STRINGS, D | W, STORE_STRV, signals,
	      "signals a signalfd accepts"),
	FIELD(IPK_F_SEALS, "seals", "SEALS", IPK_T_STRINGS, D, STORE_STRV, seals,
	      "memfd seals: seal, shrink, grow, write, future_write, exec"),
};

const struct ipk_field_info *ipk_field_info(int field)
{
	if (field < 0 || field >= IPK_F_COUNT)
		return NULL;
	return &field_defs[field].info;
}

int ipk_field_find(const char *name)
{
	for (int f = 0; f < IPK_F_COUNT; f++) {
		if (strcasecmp(name, field_defs[f].info.column) == 0 ||
		    strcasecmp(name, field_defs[f].info.json) == 0)
			return f;
	}
	return -1;
}
