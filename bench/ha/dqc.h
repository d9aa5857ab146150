/*
 * dqc.h - a minimal client for dqlite's wire protocol (dqlite 1.11 ships
 * no public C client).  Enough for the issue 25 experiment: handshake,
 * leader discovery, client registration, open, prepare, exec, query (row
 * batches), finalize, exec/query of SQL text, and the two cluster requests
 * that form a cluster (add a node, assign it a role).
 *
 * The protocol (dqlite.io/docs/protocol): after the client sends its
 * protocol version (one little-endian uint64, 1), every message is an
 * 8-byte header -- uint32 body size in 8-byte words, uint8 type, uint8
 * schema revision, uint16 unused -- and a body padded to 8 bytes.  Integers
 * are little-endian; text is NUL-terminated and padded to 8 bytes.  A tuple
 * of parameters starts with a byte count and one type byte per value,
 * padded to 8; a row of results starts with 4-bit type codes, padded to 8.
 * Each call sends one request and reads its response on a blocking socket
 * with a receive/send timeout, so a dead node never hangs the caller.
 *
 * Return values: 0 on success; DQC_EIO (-1) when the connection broke or
 * timed out (c->err says how; the connection is then unusable); a positive
 * SQLite/dqlite error code when the node answered FAILURE (c->err holds its
 * message, the connection stays usable).
 */
#ifndef SHUCU_DQC_H
#define SHUCU_DQC_H

#include <stddef.h>
#include <stdint.h>

#define DQC_EIO (-1)

/* Failure codes a client acts on (SQLite extended codes dqlite uses). */
#define DQC_NOT_LEADER 10250       /* SQLITE_IOERR | (40 << 8) */
#define DQC_LEADERSHIP_LOST 10506  /* SQLITE_IOERR | (41 << 8) */

/* Value types of the protocol (SQLite's, plus dqlite's own 9-11). */
enum { DQV_INT = 1, DQV_FLOAT = 2, DQV_TEXT = 3, DQV_BLOB = 4, DQV_NULL = 5,
       DQV_UNIXTIME = 9, DQV_ISO8601 = 10, DQV_BOOLEAN = 11 };

struct dqv {
    int type;
    int64_t i;      /* INT, UNIXTIME, BOOLEAN */
    double f;       /* FLOAT */
    const char *s;  /* TEXT, ISO8601 (NUL-terminated), BLOB bytes */
    size_t len;     /* BLOB length; TEXT length when decoded */
};

struct dqc {
    int fd;
    uint32_t db;        /* the database opened on this connection */
    int opened;
    char addr[64];      /* the node this connection is to */
    char err[256];
    uint8_t *buf;       /* the last response's body */
    size_t cap;
};

/* A row of a query: ncols values, valid only during the call.  Return 0 to
 * go on, anything else to stop reading rows (the rest are still drained). */
typedef int (*dqc_row_fn)(void *ctx, int ncols, const struct dqv *vals);

/* Connects to addr ("host:port") and sends the handshake.  timeout_ms
 * bounds the connect and every later send and receive. */
int dqc_connect(struct dqc *c, const char *addr, int timeout_ms);
void dqc_close(struct dqc *c);

/* The leader as this node knows it: id 0 and "" when it knows none. */
int dqc_leader(struct dqc *c, uint64_t *id, char *addr, size_t addrlen);
/* Registers the client (REQUEST_CLIENT); the node answers WELCOME. */
int dqc_register(struct dqc *c, uint64_t client_id);
int dqc_open(struct dqc *c, const char *name);
int dqc_prepare(struct dqc *c, const char *sql, uint32_t *stmt, uint64_t *nparams);
int dqc_exec(struct dqc *c, uint32_t stmt, const struct dqv *params, int n,
             uint64_t *last_id, uint64_t *changes);
int dqc_query(struct dqc *c, uint32_t stmt, const struct dqv *params, int n,
              dqc_row_fn fn, void *ctx);
int dqc_finalize(struct dqc *c, uint32_t stmt);
int dqc_exec_sql(struct dqc *c, const char *sql, const struct dqv *params, int n,
                 uint64_t *last_id, uint64_t *changes);
int dqc_query_sql(struct dqc *c, const char *sql, const struct dqv *params, int n,
                  dqc_row_fn fn, void *ctx);
/* Cluster membership (sent to the leader). role: 0 voter, 1 standby, 2 spare. */
int dqc_add(struct dqc *c, uint64_t id, const char *addr);
int dqc_assign(struct dqc *c, uint64_t id, uint64_t role);
/* Asks the leader to hand leadership to node id (it first brings id up to
 * date); answers once id leads, or fails. */
int dqc_transfer(struct dqc *c, uint64_t id);

/*
 * Leader discovery: asks the nodes of addrs[0..n) in turn who leads, connects
 * to that node, checks that it says it leads, registers and opens database
 * name.  Retries until deadline_ms (CLOCK_MONOTONIC milliseconds, from
 * dqc_now_ms) passes.  Returns 0 with c connected to the leader, or DQC_EIO.
 */
int dqc_connect_leader(struct dqc *c, const char *const *addrs, int n, const char *name,
                       int timeout_ms, double deadline_ms);

double dqc_now_ms(void);

#endif
