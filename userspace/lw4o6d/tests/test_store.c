// SPDX-License-Identifier: GPL-2.0 OR MIT
/* store_sqlite.c in a scratch directory: contents, errors, durability. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "store.h"
#include "tests/cmocka_wrap.h"

struct fixture {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/lw4o6-store.XXXXXX",
		 tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/lw4o6d.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void mk(struct lw4o6_mapping *m, uint32_t n, uint8_t proto,
	       uint16_t port)
{
	memset(m, 0, sizeof(*m));
	m->b4.s6_addr[0] = 0x20;
	m->b4.s6_addr[1] = 0x01;
	m->b4.s6_addr[2] = 0x0d;
	m->b4.s6_addr[3] = 0xb8;
	m->b4.s6_addr[12] = (uint8_t)(n >> 24);
	m->b4.s6_addr[13] = (uint8_t)(n >> 16);
	m->b4.s6_addr[14] = (uint8_t)(n >> 8);
	m->b4.s6_addr[15] = (uint8_t)n;
	m->protocol = proto;
	m->internal_port = port;
	memset(m->nonce, (int)(n & 0xff) ^ 0x5a, sizeof(m->nonce));
	m->nonce[0] = proto;
	/* 198.18.0.0/15, 63 sets per address: (ipv4, psid) unique per n */
	m->ipv4 = htonl(0xc6120000 + n / 63);
	m->psid = (uint16_t)(1 + n % 63);
	m->psid_len = 6;
	m->offset = 0;
	m->expires = 1700000000LL + n;
	m->created = 1600000000LL - n;
}

struct collect {
	struct lw4o6_mapping *m;
	size_t n, max;
	size_t stop_at;		/* 0: never */
	struct store *del_from;	/* del each row as it is seen */
};

static int collect_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct collect *c = arg;

	if (c->n < c->max)
		c->m[c->n] = *m;
	c->n++;
	if (c->del_from)
		assert_int_equal(c->del_from->ops->del(c->del_from, m), 0);
	if (c->stop_at && c->n == c->stop_at)
		return 42;
	return 0;
}

static size_t count(struct store *s)
{
	struct collect c = { 0 };

	assert_int_equal(s->ops->each(s, collect_cb, &c), 0);
	return c.n;
}

static void open_ok(struct store *s, const char *path)
{
	int r = store_open(s, store_find("sqlite"), path);

	if (r)
		fail_msg("open %s: %d %s", path, r, s->err);
}

static void test_find(void **state)
{
	(void)state;
	assert_ptr_equal(store_find("sqlite"), &store_sqlite_ops);
	assert_string_equal(store_sqlite_ops.name, "sqlite");
	assert_null(store_find("etcd"));
	assert_null(store_find(""));
	assert_null(store_find(NULL));
}

static void test_basic(void **state)
{
	struct fixture *f = *state;
	struct lw4o6_mapping m[4], got[8], x;
	struct collect c = { got, 0, 8, 0, NULL };
	struct store s;
	struct stat st;
	char wal[128];
	int64_t v;

	open_ok(&s, f->path);
	/* Put out of key order; each() gives key order. */
	mk(&m[2], 7, 17, 0);
	mk(&m[0], 3, 6, 80);
	mk(&m[1], 3, 17, 0);
	m[1].psid = 60;	/* m[0] has n = 3's set */
	mk(&m[3], 0x01000000, 0, 0);	/* sorts last by b4 bytes */
	assert_int_equal(s.ops->put(&s, &m[3]), 0);
	assert_int_equal(s.ops->put(&s, &m[2]), 0);
	assert_int_equal(s.ops->put(&s, &m[1]), 0);
	assert_int_equal(s.ops->put(&s, &m[0]), 0);
	/* Same key again: replaced, not added. */
	m[1].expires += 3600;
	m[1].nonce[5] ^= 0xff;
	m[1].psid = 61;
	assert_int_equal(s.ops->put(&s, &m[1]), 0);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 4);
	assert_memory_equal(got, m, sizeof(m));

	/* A nonzero return stops the walk and comes back. */
	c = (struct collect){ got, 0, 8, 2, NULL };
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 42);
	assert_int_equal(c.n, 2);

	assert_int_equal(s.ops->del(&s, &m[2]), 0);
	assert_int_equal(s.ops->del(&s, &m[2]), -ENOENT);
	assert_non_null(strstr(s.err, "no such mapping"));
	x = m[0];
	x.internal_port = 81;	/* other key, same b4 */
	assert_int_equal(s.ops->del(&s, &x), -ENOENT);
	assert_int_equal(count(&s), 3);

	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), -ENOENT);
	assert_int_equal(s.ops->set_meta(&s, "epoch", 1234567890123LL), 0);
	assert_int_equal(s.ops->set_meta(&s, "other", -5), 0);
	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), 0);
	assert_int_equal(v, 1234567890123LL);
	assert_int_equal(s.ops->set_meta(&s, "epoch", 7), 0);
	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), 0);
	assert_int_equal(v, 7);

	/* clear() takes the mappings, not the meta. */
	assert_int_equal(s.ops->clear(&s), 0);
	assert_int_equal(count(&s), 0);
	assert_int_equal(s.ops->get_meta(&s, "other", &v), 0);
	assert_int_equal(v, -5);

	/* Private files, the WAL included. */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	s.ops->close(&s);
}

/* cb may delete what it is given, and walk again from inside. */
static int nested_cb(const struct lw4o6_mapping *m, void *arg)
{
	struct store *s = arg;

	(void)m;
	assert_int_equal(count(s), 5);
	return 0;
}

static void test_each_cb(void **state)
{
	struct fixture *f = *state;
	struct lw4o6_mapping m, got[8];
	struct collect c = { got, 0, 8, 0, NULL };
	struct store s;
	uint32_t i;

	open_ok(&s, f->path);
	assert_int_equal(s.ops->begin(&s), 0);
	for (i = 0; i < 5; i++) {
		mk(&m, i, 6, 0);
		assert_int_equal(s.ops->put(&s, &m), 0);
	}
	assert_int_equal(s.ops->commit(&s), 0);
	assert_int_equal(s.ops->each(&s, nested_cb, &s), 0);
	c.del_from = &s;
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 5);
	assert_int_equal(count(&s), 0);
	s.ops->close(&s);
	/* and the deletes were committed */
	open_ok(&s, f->path);
	assert_int_equal(count(&s), 0);
	s.ops->close(&s);
}

static void test_reopen(void **state)
{
	struct fixture *f = *state;
	struct lw4o6_mapping m[3], got[4];
	struct collect c = { got, 0, 4, 0, NULL };
	struct store s;
	int64_t v;
	int i;

	open_ok(&s, f->path);
	for (i = 0; i < 3; i++) {
		mk(&m[i], (uint32_t)i * 1000, 0, 0);
		m[i].via = (uint8_t)i;	/* each way a B4 can ask, kept */
		assert_int_equal(s.ops->put(&s, &m[i]), 0);
	}
	assert_int_equal(s.ops->set_meta(&s, "epoch", 42), 0);
	s.ops->close(&s);

	open_ok(&s, f->path);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 3);
	assert_memory_equal(got, m, sizeof(m));
	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), 0);
	assert_int_equal(v, 42);
	s.ops->close(&s);
}

static int audit_first(const struct store_audit *a, void *arg)
{
	struct store_audit *out = arg;

	if (!out->start_ms)
		*out = *a;
	return 0;
}

/*
 * A file of schema 1 (before "via") is migrated on open: its rows stay,
 * read as asked inside the softwire; new puts keep how a B4 asked.
 */
static void test_migrate(void **state)
{
	static const char v1[] =
		"CREATE TABLE mappings ("
		" b4 BLOB NOT NULL CHECK (length(b4) = 16),"
		" protocol INT NOT NULL, internal_port INT NOT NULL,"
		" nonce BLOB NOT NULL CHECK (length(nonce) = 12),"
		" ipv4 INT NOT NULL, psid INT NOT NULL, psid_len INT NOT NULL,"
		" \"offset\" INT NOT NULL, expires INT NOT NULL,"
		" created INT NOT NULL,"
		" PRIMARY KEY (b4, protocol, internal_port)) WITHOUT ROWID;"
		"CREATE UNIQUE INDEX mappings_ipv4_psid ON mappings (ipv4, psid);"
		"CREATE TABLE meta (key TEXT PRIMARY KEY, value INT NOT NULL)"
		" WITHOUT ROWID;"
		"INSERT INTO mappings VALUES (x'20010db8000000000000000000000063',"
		" 6, 0, x'000102030405060708090a0b', 3323068417, 3, 6, 0, 5, 4);"
		"PRAGMA user_version = 1;";
	struct fixture *f = *state;
	struct lw4o6_mapping m, got[4];
	struct collect c = { got, 0, 4, 0, NULL };
	struct store s;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	open_ok(&s, f->path);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(got[0].via, MAPPING_VIA_SOFTWIRE);
	assert_int_equal(ntohl(got[0].ipv4), 3323068417u);
	assert_int_equal(got[0].expires, 5);
	{	/* and, through 2 -> 3, its audit row */
		struct store_audit a = { 0 };

		assert_int_equal(s.ops->audit(&s, got[0].ipv4, NULL,
					      audit_first, &a), 0);
		assert_int_equal(a.start_ms, 4000);
		assert_int_equal(a.end_ms, -1);
	}
	mk(&m, 1, 6, 0);
	m.via = MAPPING_VIA_DHCP4O6;
	assert_int_equal(s.ops->put(&s, &m), 0);
	s.ops->close(&s);
	open_ok(&s, f->path);
	c.n = 0;
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_memory_equal(&got[0], &m, sizeof(m));
	assert_int_equal(got[1].via, MAPPING_VIA_SOFTWIRE);
	s.ops->close(&s);
}

/*
 * A file of schema 2 (before the audit trail) is migrated on open: each
 * mapping there has an open row since its creation, closed by its
 * release; and a file of schema 1 goes through both steps.
 */
static void test_migrate_audit(void **state)
{
	static const char v2[] =
		"CREATE TABLE mappings ("
		" b4 BLOB NOT NULL CHECK (length(b4) = 16),"
		" protocol INT NOT NULL, internal_port INT NOT NULL,"
		" nonce BLOB NOT NULL CHECK (length(nonce) = 12),"
		" ipv4 INT NOT NULL, psid INT NOT NULL, psid_len INT NOT NULL,"
		" \"offset\" INT NOT NULL, expires INT NOT NULL,"
		" created INT NOT NULL, via INT NOT NULL DEFAULT 0,"
		" PRIMARY KEY (b4, protocol, internal_port)) WITHOUT ROWID;"
		"CREATE UNIQUE INDEX mappings_ipv4_psid ON mappings (ipv4, psid);"
		"CREATE TABLE meta (key TEXT PRIMARY KEY, value INT NOT NULL)"
		" WITHOUT ROWID;"
		"INSERT INTO mappings VALUES (x'20010db8000000000000000000000063',"
		" 6, 0, x'000102030405060708090a0b', 3323068417, 3, 6, 0, 5, 4, 2);"
		"PRAGMA user_version = 2;";
	struct fixture *f = *state;
	struct store_audit a = { 0 };
	struct lw4o6_mapping m;
	struct store s;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v2, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	open_ok(&s, f->path);
	assert_int_equal(s.ops->audit(&s, htonl(3323068417u), NULL, audit_first,
				      &a), 0);
	assert_int_equal(a.start_ms, 4000);	/* created 4 s after 1970 */
	assert_int_equal(a.end_ms, -1);
	assert_int_equal(a.psid, 3);
	assert_int_equal(a.via, MAPPING_VIA_DHCP4O6);
	memset(&m, 0, sizeof(m));
	inet_pton(AF_INET6, "2001:db8::63", &m.b4);
	m.protocol = 6;
	m.ipv4 = htonl(3323068417u);
	m.psid = 3;
	m.expires = 5;
	assert_int_equal(s.ops->del(&s, &m), 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(s.ops->audit(&s, 0, &m.b4, audit_first, &a), 0);
	assert_int_equal(a.start_ms, 4000);
	assert_true(a.end_ms > 1700000000000LL);	/* now, not in 1970 */
	s.ops->close(&s);
}

/*
 * A long-due pruning goes in batches (store.h): STORE_PRUNE_BATCH rows a
 * call, then the rest, then nothing; open rows and newer ones stay.
 */
static void test_prune_batch(void **state)
{
	struct fixture *f = *state;
	struct store s;
	uint64_t n;
	sqlite3 *db;

	open_ok(&s, f->path);
	s.ops->close(&s);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i"
		" WHERE n < 10007)"
		" INSERT INTO audit (ipv4, psid, psid_len, \"offset\", b4,"
		" protocol, internal_port, via, started, ended)"
		" SELECT n, 1, 6, 0, zeroblob(16), 6, 0, 0, 1000, 2000 FROM i;"
		"INSERT INTO audit (ipv4, psid, psid_len, \"offset\", b4, protocol,"
		" internal_port, via, started, ended)"
		" VALUES (1, 2, 6, 0, zeroblob(16), 6, 0, 0, 1000, NULL),"
		" (1, 3, 6, 0, zeroblob(16), 6, 0, 0, 1000, 5000);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	open_ok(&s, f->path);
	assert_int_equal(s.ops->audit_prune(&s, 3000, &n), 0);
	assert_int_equal(n, STORE_PRUNE_BATCH);
	assert_int_equal(s.ops->audit_prune(&s, 3000, &n), 0);
	assert_int_equal(n, 10007 - STORE_PRUNE_BATCH);
	assert_int_equal(s.ops->audit_prune(&s, 3000, &n), 0);
	assert_int_equal(n, 0);
	{
		struct store_audit a = { 0 };

		/* what is left of 0.0.0.1: the open row, and the newer */
		assert_int_equal(s.ops->audit(&s, htonl(1), NULL, audit_first,
					      &a), 0);
		assert_int_equal(a.psid, 2);
	}
	s.ops->close(&s);
}

static void test_eexist(void **state)
{
	struct fixture *f = *state;
	struct lw4o6_mapping a, b, cc, got[4];
	struct collect c = { got, 0, 4, 0, NULL };
	struct store s;

	open_ok(&s, f->path);
	mk(&a, 1, 6, 0);
	mk(&cc, 2, 6, 0);
	assert_int_equal(s.ops->put(&s, &a), 0);
	assert_int_equal(s.ops->put(&s, &cc), 0);

	/* Another key, a's (ipv4, psid): refused, a untouched. */
	mk(&b, 9, 6, 0);
	b.ipv4 = a.ipv4;
	b.psid = a.psid;
	assert_int_equal(s.ops->put(&s, &b), -EEXIST);
	assert_non_null(strstr(s.err, "belongs to another mapping"));
	/* a moving onto c's set must not delete c (INSERT OR REPLACE would). */
	b = a;
	b.psid = cc.psid;
	b.expires++;
	assert_int_equal(s.ops->put(&s, &b), -EEXIST);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 2);
	assert_memory_equal(&got[0], &a, sizeof(a));
	assert_memory_equal(&got[1], &cc, sizeof(cc));
	/* a keeping its own set, or taking a free one, is fine. */
	a.expires += 100;
	assert_int_equal(s.ops->put(&s, &a), 0);
	a.psid = 50;
	assert_int_equal(s.ops->put(&s, &a), 0);

	/* In a transaction the failed put alone is undone. */
	assert_int_equal(s.ops->begin(&s), 0);
	mk(&b, 3, 6, 0);
	assert_int_equal(s.ops->put(&s, &b), 0);
	b.protocol = 17;
	assert_int_equal(s.ops->put(&s, &b), -EEXIST);
	assert_int_equal(s.ops->commit(&s), 0);
	s.ops->close(&s);
	open_ok(&s, f->path);
	c = (struct collect){ got, 0, 4, 0, NULL };
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 3);
	assert_memory_equal(&got[0], &a, sizeof(a));
	b.protocol = 6;
	assert_memory_equal(&got[2], &b, sizeof(b));
	s.ops->close(&s);
}

static void test_txn(void **state)
{
	struct fixture *f = *state;
	struct lw4o6_mapping m;
	struct store s;
	uint32_t i;

	open_ok(&s, f->path);
	assert_int_equal(s.ops->commit(&s), -EINVAL);
	assert_int_equal(s.ops->begin(&s), 0);
	assert_int_equal(s.ops->begin(&s), -EINVAL);
	for (i = 0; i < 10000; i++) {
		mk(&m, i, 17, (uint16_t)i);
		assert_int_equal(s.ops->put(&s, &m), 0);
	}
	assert_int_equal(s.ops->commit(&s), 0);
	assert_int_equal(count(&s), 10000);

	/* Deletes in a transaction too. */
	assert_int_equal(s.ops->begin(&s), 0);
	for (i = 0; i < 10000; i += 2) {
		mk(&m, i, 17, (uint16_t)i);
		assert_int_equal(s.ops->del(&s, &m), 0);
	}
	assert_int_equal(s.ops->commit(&s), 0);

	/* Closing with a transaction open drops it. */
	assert_int_equal(s.ops->begin(&s), 0);
	mk(&m, 1, 17, 1);
	assert_int_equal(s.ops->del(&s, &m), 0);
	mk(&m, 20000, 0, 0);
	assert_int_equal(s.ops->put(&s, &m), 0);
	s.ops->close(&s);

	open_ok(&s, f->path);
	assert_int_equal(count(&s), 5000);
	s.ops->close(&s);
}

/*
 * The daemon dies (or the power goes) right after a commit: what was
 * committed is there, what was not is not.  _exit() skips close() and so
 * the checkpoint: the rows live only in the WAL.
 */
static void test_crash(void **state)
{
	struct fixture *f = *state;
	struct lw4o6_mapping m, got[128];
	struct collect c = { got, 0, 128, 0, NULL };
	struct store s;
	int status;
	int64_t v;
	pid_t pid;
	uint32_t i;

	/* An earlier generation, checkpointed, under the WAL. */
	open_ok(&s, f->path);
	mk(&m, 5000, 6, 0);
	assert_int_equal(s.ops->put(&s, &m), 0);
	s.ops->close(&s);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int bad = 0;

		if (store_open(&s, store_find("sqlite"), f->path))
			_exit(2);
		bad |= s.ops->begin(&s);
		for (i = 0; i < 100; i++) {
			mk(&m, i, 6, 0);
			bad |= s.ops->put(&s, &m);
		}
		bad |= s.ops->commit(&s);
		bad |= s.ops->set_meta(&s, "epoch", 99);
		mk(&m, 5000, 6, 0);
		bad |= s.ops->del(&s, &m);
		/* begun, never committed */
		bad |= s.ops->begin(&s);
		mk(&m, 100, 6, 0);
		bad |= s.ops->put(&s, &m);
		_exit(bad ? 3 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	open_ok(&s, f->path);
	assert_int_equal(s.ops->each(&s, collect_cb, &c), 0);
	assert_int_equal(c.n, 100);
	for (i = 0; i < 100; i++) {
		mk(&m, i, 6, 0);
		assert_memory_equal(&got[i], &m, sizeof(m));
	}
	assert_int_equal(s.ops->get_meta(&s, "epoch", &v), 0);
	assert_int_equal(v, 99);
	s.ops->close(&s);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	char p[160];
	struct store s;
	sqlite3 *db;
	int fd;

	/* No such directory: not created behind the operator's back. */
	snprintf(p, sizeof(p), "%s/missing/lw4o6d.db", f->dir);
	assert_int_equal(store_open(&s, &store_sqlite_ops, p), -ENOENT);
	assert_non_null(strstr(s.err, "cannot open"));
	assert_non_null(strstr(s.err, p));
	assert_null(s.priv);

	/* Not a database. */
	fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "this is not sqlite, it is a text file.\n"
			       "................................................"
			       "................................................",
			       135), 135);
	close(fd);
	assert_true(store_open(&s, &store_sqlite_ops, f->path) < 0);
	assert_non_null(strstr(s.err, "cannot open"));
	assert_non_null(strstr(s.err, "not a database"));
	assert_int_equal(unlink(f->path), 0);

	/* A schema from a newer lw4o6d. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 4", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(&s, &store_sqlite_ops, f->path), -EPROTO);
	assert_non_null(strstr(s.err, "newer"));
	assert_non_null(strstr(s.err, f->path));

	/* Our own version opens again and again. */
	assert_int_equal(unlink(f->path), 0);
	open_ok(&s, f->path);
	s.ops->close(&s);
	open_ok(&s, f->path);
	s.ops->close(&s);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version",
						    -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 3);
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode",
						    -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
				    "wal");
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_cb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_audit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prune_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_eexist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
