/*
 * hactl.c - the client side of the dqlite experiment (issue 25), over the
 * wire protocol client dqc.c.  Every subcommand is bounded in count and time.
 *
 *   hactl leader --nodes A,B,C
 *       prints "ID ADDRESS" of the leader (asked of the nodes in turn).
 *   hactl join --nodes A,B,C
 *       on node 1 (which bootstrapped alone), adds the others as voters.
 *   hactl transfer --nodes A,B,C --to ID [--seconds S]
 *       leadership to node ID (the node at position ID of --nodes), retried
 *       until that node leads; prints the seconds it took.
 *   hactl check --nodes A,B,C --acked FILE [--acked FILE...]
 *       which of the acknowledged ids in each file the leader has.
 *   hactl sql --nodes A,B,C "SQL" ...
 *       each statement on the leader; rows printed tab-separated.
 *   hactl load --src DB (--nodes A,B,C | --sqlite FILE) [--batch N]
 *              [--finish optimize|merge|none]
 *       copies a shucud database into the cluster's database "shucu" (or a
 *       local SQLite file, the same statements, for comparison): the schema
 *       from sqlite_master (FTS5 shadow tables are made by FTS5 itself), then
 *       the rows of every table but those the triggers fill (meta first), in
 *       transactions of N rows (shucud import's batch is 10,000), so the
 *       triggers build resources_fts, resources_hot and resource_is as they
 *       do in shucud; then the FTS5 index is merged: one 'optimize' as
 *       shucud import does, or in steps (merge).  Prints key=value timings
 *       and the row counts the triggers made, next to the source's.
 *   hactl search --src DB --schemas DIR --queries FILE --stmt top10|pass
 *                --conc N --reps R (--nodes A,B,C | --sqlite) [--out FILE]
 *                [--ids FILE] [--cpu-pid PID]
 *       the benchmark queries, their FTS5 expressions built as bench/rawfts
 *       builds them (index/query.c, df from src's resources_vocab, the
 *       QUERY_ANY relaxation after an empty QUERY_ALL, run after it), sent
 *       by N threads, each on its own connection (a dqlite connection to the
 *       leader, or its own read-only SQLite connection to src), R rounds of
 *       the 50 queries in all.  top10 is rawfts's raw FTS5 top-10 query; pass
 *       is search.c's one-pass statement (every matching row, the rows
 *       shucud reads to count facets).  One line per request to --out
 *       ("q<TAB>ms<TAB>rows"); a summary line to stdout.  With --cpu-pid, the
 *       CPU time that process (a node) used during the run, in all and on its
 *       busiest thread.  With --ids, each query's top 10 rowids (one
 *       sequential pass before timing) for comparing dqlite's answers with
 *       SQLite's.
 *   hactl writes --src DB --nodes A,B,C --run K --n N --acked FILE
 *       N inserts into resources, one transaction each (a copy of src's first
 *       resource with rid 10,000,000 + K*1,000,000 + i), in order, from one
 *       client; each id whose insert was acknowledged goes to FILE.  A failed
 *       insert whose outcome is unknown (the connection broke or timed out,
 *       the leader lost leadership) is not retried: the client finds the
 *       new leader and goes on with the next id.  SQLITE_BUSY (the statement
 *       did not run: e.g. the write lock is still held by a transaction of a
 *       connection that timed out) is retried with the same id every 20 ms,
 *       for 60 s at most.  At the end
 *       it asks the leader which of the N ids are present and prints key=value
 *       lines: acked, present, lost (acked, not present), and the times of
 *       the first failure and of the first acknowledged write after it.
 *
 * Every command takes --timeout-ms MS (default 10,000): the bound on each
 * send and receive of a connection to a node.
 */
#include "dqc.h"
#include "dfcache.h"
#include "query.h"
#include "tokenizer.h"
#include "bm25.h"

#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define DBNAME "shucu"
#define MAXQ 200
#define MAXNODES 8

static const char *nodes[MAXNODES];
static int nnodes;

static void die(const char *fmt, const char *what)
{
    fprintf(stderr, "hactl: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n");
    exit(1);
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

static void parse_nodes(const char *s)
{
    if (!s)
        return;
    char *copy = strdup(s), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && nnodes < MAXNODES; t = strtok_r(NULL, ",", &save))
        nodes[nnodes++] = t;
}

static double rt_now(void) /* wall clock, seconds: compared with the script's kill time */
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every send and receive on the connection is bounded by io_timeout_ms. */
static int io_timeout_ms = 10000;

static void leader_conn(struct dqc *c, double seconds)
{
    if (dqc_connect_leader(c, nodes, nnodes, DBNAME, io_timeout_ms, dqc_now_ms() + seconds * 1000) != 0)
        die("%s", c->err);
}

/* --- leader, join ------------------------------------------------------ */

static int cmd_leader(void)
{
    for (int i = 0; i < nnodes; i++) {
        struct dqc c;
        uint64_t id = 0;
        char addr[64] = "";
        if (dqc_connect(&c, nodes[i], 1000) == 0 && dqc_leader(&c, &id, addr, sizeof addr) == 0 &&
            id != 0) {
            printf("%llu %s\n", (unsigned long long)id, addr);
            dqc_close(&c);
            return 0;
        }
        dqc_close(&c);
    }
    fprintf(stderr, "hactl: no node knows a leader\n");
    return 1;
}

static int cmd_join(void)
{
    struct dqc c;
    double deadline = dqc_now_ms() + 30000;
    for (int i = 1; i < nnodes; i++) {
        for (;;) {
            leader_conn(&c, 30);
            int rc = dqc_add(&c, (uint64_t)(i + 1), nodes[i]);
            if (rc == 0)
                rc = dqc_assign(&c, (uint64_t)(i + 1), 0 /* voter */);
            dqc_close(&c);
            if (rc == 0)
                break;
            if (dqc_now_ms() > deadline)
                die("cannot add the node: %s", c.err);
            usleep(200 * 1000);
        }
        fprintf(stderr, "hactl: node %d (%s) joined as a voter\n", i + 1, nodes[i]);
    }
    return 0;
}

/* hactl transfer --nodes A,B,C --to ID: leadership to node ID, retried
 * until it leads (bounded by --seconds, default 180).  Prints the seconds
 * it took. */
static int cmd_transfer(int argc, char **argv)
{
    uint64_t to = strtoull(arg(argc, argv, "--to", "0"), NULL, 10);
    double secs = atof(arg(argc, argv, "--seconds", "180"));
    double t0 = dqc_now_ms(), deadline = t0 + secs * 1000;
    char why[256] = "";
    while (dqc_now_ms() < deadline) {
        struct dqc c;
        if (dqc_connect_leader(&c, nodes, nnodes, DBNAME, io_timeout_ms, deadline) != 0) {
            snprintf(why, sizeof why, "%s", c.err);
            break;
        }
        uint64_t lid = 0;
        dqc_leader(&c, &lid, NULL, 0);
        int rc = lid == to ? 0 : dqc_transfer(&c, to);
        if (rc != 0)
            snprintf(why, sizeof why, "%s", c.err);
        dqc_close(&c);
        if (rc == 0) {
            /* the node named must now say it leads */
            struct dqc d;
            uint64_t now_id = 0;
            if (dqc_connect(&d, nodes[to - 1], io_timeout_ms) == 0 &&
                dqc_leader(&d, &now_id, NULL, 0) == 0 && now_id == to) {
                dqc_close(&d);
                printf("%.3f\n", (dqc_now_ms() - t0) / 1e3);
                return 0;
            }
            dqc_close(&d);
        }
        usleep(500 * 1000);
    }
    fprintf(stderr, "hactl: node %llu did not take the lead within %.0f s: %s\n",
            (unsigned long long)to, secs, why);
    return 1;
}

/* hactl check --nodes A,B,C --acked FILE...: asks the leader which of the
 * ids in the files (one per line, as hactl writes leaves them) it has.
 * Prints "acked=N present=N missing=N" per file; exits 3 if any is
 * missing. */
static int set_cb(void *ctx, int nc, const struct dqv *v)
{
    void **p = ctx;
    unsigned char *have = p[0];
    long lo = *(long *)p[1], n = *(long *)p[2];
    if (nc > 0 && v[0].type == DQV_INT && v[0].i >= lo && v[0].i < lo + n)
        have[v[0].i - lo] = 1;
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    int bad = 0;
    struct dqc c;
    leader_conn(&c, 60);
    uint64_t lid = 0;
    dqc_leader(&c, &lid, NULL, 0);
    for (int a = 2; a + 1 < argc; a++) {
        if (strcmp(argv[a], "--acked"))
            continue;
        const char *path = argv[++a];
        FILE *f = fopen(path, "r");
        if (!f)
            die("cannot read %s", path);
        long *ids = NULL, n = 0, cap = 0, id, lo = -1, hi = -1;
        while (fscanf(f, "%ld", &id) == 1) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4096;
                ids = realloc(ids, sizeof *ids * (size_t)cap);
            }
            ids[n++] = id;
            if (lo < 0 || id < lo)
                lo = id;
            if (id > hi)
                hi = id;
        }
        fclose(f);
        long span = n ? hi - lo + 1 : 0, present = 0;
        unsigned char *have = calloc((size_t)span + 1, 1);
        if (n) {
            void *ctx[3] = {have, &lo, &span};
            struct dqv p[2] = {{.type = DQV_INT, .i = lo}, {.type = DQV_INT, .i = hi}};
            if (dqc_query_sql(&c, "SELECT rid FROM resources WHERE rid BETWEEN ? AND ?", p, 2, set_cb, ctx))
                die("check: %s", c.err);
        }
        for (long i = 0; i < n; i++)
            present += have[ids[i] - lo];
        printf("file=%s leader=%llu acked=%ld present=%ld missing=%ld\n", path, (unsigned long long)lid,
               n, present, n - present);
        if (present != n)
            bad = 1;
        free(have);
        free(ids);
    }
    dqc_close(&c);
    return bad ? 3 : 0;
}

/* hactl sql --nodes A,B,C "SQL" ["SQL"...]: each statement on the leader,
 * rows printed tab-separated (a statement that returns no rows is
 * executed instead). */
static int print_cb(void *ctx, int nc, const struct dqv *v)
{
    (void)ctx;
    for (int i = 0; i < nc; i++) {
        if (i)
            putchar('\t');
        switch (v[i].type) {
        case DQV_INT:
        case DQV_UNIXTIME:
        case DQV_BOOLEAN:
            printf("%lld", (long long)v[i].i);
            break;
        case DQV_FLOAT:
            printf("%.17g", v[i].f);
            break;
        case DQV_TEXT:
        case DQV_ISO8601:
            printf("%s", v[i].s);
            break;
        case DQV_BLOB:
            printf("<blob %zu>", v[i].len);
            break;
        default:
            printf("NULL");
        }
    }
    putchar('\n');
    return 0;
}

static int cmd_sql(int argc, char **argv)
{
    struct dqc c;
    leader_conn(&c, 30);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--nodes")) {
            i++;
            continue;
        }
        int rc = dqc_query_sql(&c, argv[i], NULL, 0, print_cb, NULL);
        if (rc != 0 && c.fd >= 0)
            rc = dqc_exec_sql(&c, argv[i], NULL, 0, NULL, NULL);
        if (rc != 0) {
            fprintf(stderr, "hactl: %s: %s\n", argv[i], c.err);
            return 1;
        }
    }
    dqc_close(&c);
    return 0;
}

/* --- a sink: the cluster or a local SQLite file ------------------------ */

struct sink {
    int dq;
    struct dqc c;
    sqlite3 *db;
};

struct sstmt {
    uint32_t id;
    sqlite3_stmt *st;
};

static void sink_exec(struct sink *s, const char *sql)
{
    if (s->dq) {
        int rc = dqc_exec_sql(&s->c, sql, NULL, 0, NULL, NULL);
        if (rc != 0) {
            fprintf(stderr, "hactl: %.200s\n", sql);
            die("%s", s->c.err);
        }
    } else {
        char *err = NULL;
        if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
            fprintf(stderr, "hactl: %.200s\n", sql);
            die("%s", err);
        }
    }
}

static void sink_prepare(struct sink *s, const char *sql, struct sstmt *st)
{
    if (s->dq) {
        if (dqc_prepare(&s->c, sql, &st->id, NULL) != 0)
            die("%s", s->c.err);
    } else if (sqlite3_prepare_v2(s->db, sql, -1, &st->st, NULL) != SQLITE_OK) {
        die("%s", sqlite3_errmsg(s->db));
    }
}

static void sink_finalize(struct sink *s, struct sstmt *st)
{
    if (s->dq)
        dqc_finalize(&s->c, st->id);
    else
        sqlite3_finalize(st->st);
}

/* values of the source row -> the statement */
static void sink_run(struct sink *s, struct sstmt *st, sqlite3_stmt *src, int n)
{
    if (s->dq) {
        struct dqv v[128];
        for (int i = 0; i < n && i < 128; i++) {
            memset(&v[i], 0, sizeof v[i]);
            switch (sqlite3_column_type(src, i)) {
            case SQLITE_INTEGER:
                v[i].type = DQV_INT;
                v[i].i = sqlite3_column_int64(src, i);
                break;
            case SQLITE_FLOAT:
                v[i].type = DQV_FLOAT;
                v[i].f = sqlite3_column_double(src, i);
                break;
            case SQLITE_TEXT:
                v[i].type = DQV_TEXT;
                v[i].s = (const char *)sqlite3_column_text(src, i);
                break;
            case SQLITE_BLOB:
                v[i].type = DQV_BLOB;
                v[i].s = sqlite3_column_blob(src, i);
                v[i].len = (size_t)sqlite3_column_bytes(src, i);
                break;
            default:
                v[i].type = DQV_NULL;
            }
        }
        if (dqc_exec(&s->c, st->id, v, n, NULL, NULL) != 0)
            die("%s", s->c.err);
    } else {
        sqlite3_reset(st->st);
        for (int i = 0; i < n; i++)
            sqlite3_bind_value(st->st, i + 1, sqlite3_column_value(src, i));
        if (sqlite3_step(st->st) != SQLITE_DONE)
            die("%s", sqlite3_errmsg(s->db));
    }
}

static int count_cb(void *ctx, int nc, const struct dqv *v)
{
    (void)nc;
    (void)v;
    (*(long *)ctx)++;
    return 0;
}

static long sink_count(struct sink *s, const char *sql)
{
    long n = 0;
    if (s->dq) {
        if (dqc_query_sql(&s->c, sql, NULL, 0, count_cb, &n) != 0)
            die("%s", s->c.err);
        return n;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        die("%s", sqlite3_errmsg(s->db));
    while (sqlite3_step(st) == SQLITE_ROW)
        n++;
    sqlite3_finalize(st);
    return n;
}

static int int_cb(void *ctx, int nc, const struct dqv *v)
{
    if (nc > 0 && v[0].type == DQV_INT)
        *(long *)ctx = (long)v[0].i;
    return 0;
}

static long sink_scalar(struct sink *s, const char *sql)
{
    long n = -1;
    if (s->dq) {
        if (dqc_query_sql(&s->c, sql, NULL, 0, int_cb, &n) != 0)
            die("%s", s->c.err);
        return n;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        die("%s", sqlite3_errmsg(s->db));
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static sqlite3 *open_src(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("cannot open %s", path);
    if (tok_register(db) != SQLITE_OK || bm25_register(db) != SQLITE_OK)
        die("%s", "cannot register the tokenizer");
    sqlite3_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000", NULL, NULL, NULL);
    return db;
}

static int in_list(char **list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static int cmd_load(const char *srcpath, const char *sqlite_out, int batch, const char *finish)
{
    sqlite3 *src = open_src(srcpath);
    struct sink s = {0};
    if (sqlite_out) {
        unlink(sqlite_out);
        if (sqlite3_open(sqlite_out, &s.db) != SQLITE_OK)
            die("cannot create %s", sqlite_out);
        if (tok_register(s.db) != SQLITE_OK || bm25_register(s.db) != SQLITE_OK)
            die("%s", "cannot register the tokenizer");
        /* shucud's connection settings (server/store/db.c) */
        sink_exec(&s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
                      " PRAGMA cache_size=-32000");
    } else {
        s.dq = 1;
        leader_conn(&s.c, 30);
    }
    /* shadow tables (FTS5's own) are created by FTS5 */
    char *shadow[64];
    int nshadow = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(src, "SELECT name FROM pragma_table_list WHERE type = 'shadow'", -1, &st,
                           NULL) != SQLITE_OK)
        die("%s", sqlite3_errmsg(src));
    while (sqlite3_step(st) == SQLITE_ROW && nshadow < 64)
        shadow[nshadow++] = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);

    double t0 = dqc_now_ms();
    /* 1. the schema, in creation order */
    if (sqlite3_prepare_v2(src, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
                                " AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        die("%s", sqlite3_errmsg(src));
    char *tables[128];
    int ntables = 0, nobjects = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *sql = (const char *)sqlite3_column_text(st, 2);
        if (in_list(shadow, nshadow, name))
            continue;
        sink_exec(&s, sql);
        nobjects++;
        if (strcmp(type, "table") == 0 && strncmp(sql, "CREATE VIRTUAL", 14) != 0 && ntables < 128)
            tables[ntables++] = strdup(name);
    }
    sqlite3_finalize(st);
    long uv = 0;
    if (sqlite3_prepare_v2(src, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        uv = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    char pv[64];
    snprintf(pv, sizeof pv, "PRAGMA user_version = %ld", uv);
    sink_exec(&s, pv);
    double t1 = dqc_now_ms();
    printf("schema_objects=%d\nschema_s=%.3f\n", nobjects, (t1 - t0) / 1e3);

    /* 2. rows: meta first (the generation the triggers bump), then every
     * table in creation order; a table the triggers already filled is
     * skipped */
    for (int i = 0; i < ntables; i++)
        if (strcmp(tables[i], "meta") == 0 && i > 0) {
            char *m = tables[i];
            memmove(tables + 1, tables, (size_t)i * sizeof *tables);
            tables[0] = m;
        }
    long total_rows = 0;
    double t_res = 0;
    for (int i = 0; i < ntables; i++) {
        char sql[512];
        snprintf(sql, sizeof sql, "SELECT 1 FROM \"%s\" LIMIT 1", tables[i]);
        if (sink_count(&s, sql) > 0) {
            printf("filled_by_triggers=%s\n", tables[i]);
            continue;
        }
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid", tables[i]);
        if (sqlite3_prepare_v2(src, sql, -1, &st, NULL) != SQLITE_OK) {
            snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", tables[i]); /* WITHOUT ROWID */
            if (sqlite3_prepare_v2(src, sql, -1, &st, NULL) != SQLITE_OK)
                die("%s", sqlite3_errmsg(src));
        }
        int ncol = sqlite3_column_count(st);
        char ins[4096];
        int k = snprintf(ins, sizeof ins, "INSERT INTO \"%s\" VALUES (", tables[i]);
        for (int c = 0; c < ncol; c++)
            k += snprintf(ins + k, sizeof ins - (size_t)k, "%s?", c ? "," : "");
        snprintf(ins + k, sizeof ins - (size_t)k, ")");
        struct sstmt is = {0};
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            sqlite3_finalize(st);
            continue;
        }
        double tt = dqc_now_ms();
        sink_prepare(&s, ins, &is);
        long n = 0;
        sink_exec(&s, "BEGIN");
        for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
            sink_run(&s, &is, st, ncol);
            if (++n % batch == 0) {
                sink_exec(&s, "COMMIT");
                sink_exec(&s, "BEGIN");
            }
        }
        sink_exec(&s, "COMMIT");
        sink_finalize(&s, &is);
        sqlite3_finalize(st);
        double el = (dqc_now_ms() - tt) / 1e3;
        printf("rows_%s=%ld\ntable_%s_s=%.3f\n", tables[i], n, tables[i], el);
        if (strcmp(tables[i], "resources") == 0)
            t_res = el;
        total_rows += n;
    }
    double t2 = dqc_now_ms();
    /* 3. the FTS5 index merged.  shucud import ends with one 'optimize', a
     * single transaction that rewrites the whole index: through dqlite that
     * transaction outlives the leader's lease (LEADERSHIP_LOST, see
     * docs/scaling.md), so --finish merge does it in steps of 1,000 pages,
     * with usermerge 2, until a step finds nothing to merge (the FTS5 docs'
     * total_changes() test). */
    int merges = 0;
    if (strcmp(finish, "optimize") == 0) {
        sink_exec(&s, "INSERT INTO resources_fts(resources_fts) VALUES('optimize')");
    } else if (strcmp(finish, "merge") == 0) {
        sink_exec(&s, "INSERT INTO resources_fts(resources_fts, rank) VALUES('usermerge', 2)");
        for (; merges < 5000; merges++) {
            long before = sink_scalar(&s, "SELECT total_changes()");
            sink_exec(&s, "INSERT INTO resources_fts(resources_fts, rank) VALUES('merge', 1000)");
            if (sink_scalar(&s, "SELECT total_changes()") - before < 2)
                break;
        }
    }
    double t3 = dqc_now_ms();
    printf("rows_copied=%ld\nrows_s=%.3f\nresources_s=%.3f\nfinish=%s\nmerge_steps=%d\nfinish_s=%.3f\n"
           "total_s=%.3f\n",
           total_rows, (t2 - t1) / 1e3, t_res, finish, merges, (t3 - t2) / 1e3, (t3 - t0) / 1e3);
    printf("fts_segments_structure_bytes=%ld\n",
           sink_scalar(&s, "SELECT length(block) FROM resources_fts_data WHERE id = 10"));
    /* what the triggers built, to compare with the source */
    static const char *checks[] = {"resources", "resources_hot", "resource_is",
                                   "resources_fts_docsize", "orgs"};
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", checks[i]);
        long got = sink_scalar(&s, sql);
        long want = -1;
        if (sqlite3_prepare_v2(src, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            want = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        printf("count_%s=%ld\nsource_count_%s=%ld\n", checks[i], got, checks[i], want);
    }
    printf("page_count=%ld\n", sink_scalar(&s, "PRAGMA page_count"));
    if (s.dq)
        dqc_close(&s.c);
    else
        sqlite3_close(s.db);
    sqlite3_close(src);
    return 0;
}

/* --- search ------------------------------------------------------------ */

static const char SQL_TOP10[] =
    "SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?"
    " ORDER BY bm25(resources_fts, 10.0, 4.0, 1.0, 4.0, 3.0) LIMIT 10";
/* server/api/search.c SQL_MATCH, as bench/rawfts.c has it */
static const char SQL_PASS[] =
    "SELECT r.rid, shucu_bm25(resources_fts, d.sz, 10.0, 4.0, 1.0, 4.0, 3.0), r.kind_bit,"
    " r.industry_mask, r.scenario_mask, r.price_min, r.rating_sum, r.rating_count"
    " FROM resources_fts JOIN resources_hot r ON r.rid = resources_fts.rowid"
    " LEFT JOIN resources_fts_docsize d ON d.id = resources_fts.rowid"
    " WHERE resources_fts MATCH ?1"
    " AND (?2 = 0 OR r.kind_bit & ?2) AND (?3 = 0 OR r.industry_mask & ?3)"
    " AND (?4 = 0 OR r.scenario_mask & ?4) AND (?5 = 0 OR r.region_mask & ?5)"
    " AND (?6 = 0 OR r.delivery_bit & ?6) AND (?7 IS NULL OR r.price_min <= ?7)";

struct q {
    char *all, *any; /* any: the relaxation, run after all finds nothing */
};

static struct q qs[MAXQ];
static int nq;
static const char *sql_text;
static int pass_mode;
static sqlite3_stmt *df_st;
static struct dfcache *dfc;
static struct syn *syn;
static long ndocs;

static long df_cb(void *ctx, const char *token, int len)
{
    (void)ctx;
    if (!dfc && !(dfc = dfcache_new()))
        abort();
    return dfcache_get(dfc, 0, df_st, token, len);
}

static int qbuild(const char *text, enum query_mode mode, struct query *out)
{
    struct query_opts o = {.mode = mode, .syn = syn, .max_terms = 16, .max_df_ratio = 0.6,
                           .df = df_cb, .df_ctx = NULL, .ndocs = ndocs};
    return query_build(text, strlen(text), &o, out);
}

/* rawfts's expressions: QUERY_ALL; the QUERY_ANY relaxation when ALL has
 * >= 2 terms and finds nothing */
static void build_queries(sqlite3 *db, const char *schemas, const char *qpath)
{
    char err[512], path[1024];
    snprintf(path, sizeof path, "%s/synonyms.json", schemas);
    if (syn_load(path, &syn, err, sizeof err) < 0)
        die("%s", err);
    if (sqlite3_prepare_v2(db, "SELECT doc FROM resources_vocab WHERE term = ?1", -1, &df_st, NULL))
        die("%s", sqlite3_errmsg(db));
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM resources WHERE status = 'published'", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        ndocs = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_stmt *cnt;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM resources_fts WHERE resources_fts MATCH ?", -1, &cnt,
                       NULL);
    FILE *f = fopen(qpath, "r");
    if (!f)
        die("cannot open %s", qpath);
    char line[4096];
    while (nq < MAXQ && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        char *text = tok_normalize(line, strlen(line));
        struct query a = {0}, b = {0};
        if (qbuild(text, QUERY_ALL, &a) < 0)
            die("%s", "query_build failed");
        qs[nq].all = a.match ? strdup(a.match) : NULL;
        int nterms = a.terms ? (int)json_array_size(a.terms) : 0;
        if (qs[nq].all && nterms >= 2) {
            sqlite3_reset(cnt);
            sqlite3_bind_text(cnt, 1, qs[nq].all, -1, SQLITE_STATIC);
            if (sqlite3_step(cnt) == SQLITE_ROW && sqlite3_column_int64(cnt, 0) == 0) {
                if (qbuild(text, QUERY_ANY, &b) < 0)
                    die("%s", "query_build failed");
                qs[nq].any = b.match ? strdup(b.match) : NULL;
            }
        }
        query_free(&a);
        query_free(&b);
        free(text);
        nq++;
    }
    fclose(f);
    sqlite3_finalize(cnt);
}

struct worker {
    pthread_t th;
    int dq;
    struct dqc c;
    uint32_t stmt;
    sqlite3 *db;
    sqlite3_stmt *st;
    const char *srcpath;
    long long sink;
    long rows; /* rows read by the current query */
    long *ids; /* top-10 capture (sequential pass) */
    int nids;
};

static pthread_barrier_t barrier;
static atomic_long next_req;
static long total_reqs;
static double *lat_ms;
static long *lat_rows;

static int row_cb(void *ctx, int nc, const struct dqv *v)
{
    struct worker *w = ctx;
    if (w->ids && w->nids < 10 && nc > 0)
        w->ids[w->nids++] = (long)v[0].i;
    w->sink += v[0].i;
    w->rows++;
    return 0;
}

/* one expression, all rows read; the number of rows */
static long run_expr(struct worker *w, const char *m)
{
    long n = 0;
    if (w->dq) {
        struct dqv p[7];
        memset(p, 0, sizeof p);
        p[0].type = DQV_TEXT;
        p[0].s = m;
        int np = 1;
        if (pass_mode) {
            for (int i = 1; i < 6; i++)
                p[i].type = DQV_INT;
            p[6].type = DQV_NULL;
            np = 7;
        }
        w->rows = 0;
        if (dqc_query(&w->c, w->stmt, p, np, row_cb, w) != 0)
            die("query: %s", w->c.err);
        return w->rows;
    }
    sqlite3_reset(w->st);
    sqlite3_bind_text(w->st, 1, m, -1, SQLITE_STATIC);
    if (pass_mode) {
        for (int i = 2; i <= 6; i++)
            sqlite3_bind_int64(w->st, i, 0);
        sqlite3_bind_null(w->st, 7);
    }
    while (sqlite3_step(w->st) == SQLITE_ROW) {
        long long rid = sqlite3_column_int64(w->st, 0);
        if (w->ids && w->nids < 10)
            w->ids[w->nids++] = (long)rid;
        w->sink += rid;
        if (pass_mode)
            (void)sqlite3_column_double(w->st, 1);
        n++;
    }
    sqlite3_reset(w->st);
    return n;
}

static void worker_open(struct worker *w)
{
    if (w->dq) {
        if (dqc_connect_leader(&w->c, nodes, nnodes, DBNAME, io_timeout_ms, dqc_now_ms() + 30000) != 0)
            die("%s", w->c.err);
        if (dqc_prepare(&w->c, sql_text, &w->stmt, NULL) != 0)
            die("prepare: %s", w->c.err);
    } else {
        w->db = open_src(w->srcpath);
        if (sqlite3_prepare_v3(w->db, sql_text, -1, SQLITE_PREPARE_PERSISTENT, &w->st, NULL))
            die("%s", sqlite3_errmsg(w->db));
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    worker_open(w);
    pthread_barrier_wait(&barrier);
    for (;;) {
        long k = atomic_fetch_add(&next_req, 1);
        if (k >= total_reqs)
            break;
        struct q *q = &qs[k % nq];
        if (!q->all) {
            lat_ms[k] = -1;
            continue;
        }
        double t0 = dqc_now_ms();
        long rows = run_expr(w, q->all);
        if (q->any)
            rows = run_expr(w, q->any);
        lat_ms[k] = dqc_now_ms() - t0;
        lat_rows[k] = rows;
    }
    return NULL;
}

/* CPU seconds of a process, in all and on its busiest thread */
static void proc_cpu(int pid, double *total, double *busiest, long *ticks_out, int *tids_out,
                     int *ntids)
{
    *total = *busiest = 0;
    if (pid <= 0)
        return;
    char path[128];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    int n = 0;
    long hz = sysconf(_SC_CLK_TCK);
    while ((e = readdir(d)) && n < 256) {
        if (e->d_name[0] == '.')
            continue;
        char sp[320], buf[1024];
        snprintf(sp, sizeof sp, "/proc/%d/task/%s/stat", pid, e->d_name);
        FILE *f = fopen(sp, "r");
        if (!f)
            continue;
        size_t k = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[k] = '\0';
        char *p = strrchr(buf, ')');
        if (!p)
            continue;
        unsigned long ut = 0, stt = 0;
        /* fields after ") ": state(3) ... utime(14) stime(15) */
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) != 2)
            continue;
        tids_out[n] = atoi(e->d_name);
        ticks_out[n] = (long)(ut + stt);
        *total += (double)(ut + stt) / (double)hz;
        n++;
    }
    closedir(d);
    *ntids = n;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmd_search(int argc, char **argv)
{
    const char *srcpath = arg(argc, argv, "--src", NULL);
    const char *schemas = arg(argc, argv, "--schemas", "schemas");
    const char *qpath = arg(argc, argv, "--queries", NULL);
    const char *stmt = arg(argc, argv, "--stmt", "top10");
    const char *outpath = arg(argc, argv, "--out", NULL);
    const char *idspath = arg(argc, argv, "--ids", NULL);
    int conc = atoi(arg(argc, argv, "--conc", "1"));
    int reps = atoi(arg(argc, argv, "--reps", "5"));
    int cpu_pid = atoi(arg(argc, argv, "--cpu-pid", "0"));
    int dq = nnodes > 0;
    if (!srcpath || !qpath || conc < 1 || conc > 64 || reps < 0)
        die("%s", "usage: hactl search --src DB --queries FILE [--nodes A,B,C] --conc N --reps R");
    pass_mode = strcmp(stmt, "pass") == 0;
    sql_text = pass_mode ? SQL_PASS : SQL_TOP10;
    sqlite3 *src = open_src(srcpath);
    build_queries(src, schemas, qpath);
    sqlite3_close(src);

    struct worker *ws = calloc((size_t)conc, sizeof *ws);
    for (int i = 0; i < conc; i++) {
        ws[i].dq = dq;
        ws[i].srcpath = srcpath;
    }
    if (idspath) { /* the answers, sequentially, before any timing */
        FILE *f = fopen(idspath, "w");
        if (!f)
            die("cannot write %s", idspath);
        struct worker *w = &ws[0];
        worker_open(w);
        long ids[10];
        for (int i = 0; i < nq; i++) {
            w->ids = ids;
            w->nids = 0;
            if (qs[i].all) {
                if (qs[i].any) {
                    run_expr(w, qs[i].all);
                    w->nids = 0;
                    run_expr(w, qs[i].any);
                } else {
                    run_expr(w, qs[i].all);
                }
            }
            fprintf(f, "%d", i);
            for (int k = 0; k < w->nids; k++)
                fprintf(f, "\t%ld", ids[k]);
            fprintf(f, "\n");
        }
        w->ids = NULL;
        fclose(f);
        if (w->dq)
            dqc_close(&w->c);
        else {
            sqlite3_finalize(w->st);
            sqlite3_close(w->db);
        }
        memset(w, 0, sizeof *w);
        w->dq = dq;
        w->srcpath = srcpath;
    }
    total_reqs = (long)reps * nq;
    lat_ms = calloc((size_t)total_reqs + 1, sizeof *lat_ms);
    lat_rows = calloc((size_t)total_reqs + 1, sizeof *lat_rows);
    atomic_store(&next_req, 0);
    pthread_barrier_init(&barrier, NULL, (unsigned)conc + 1);
    for (int i = 0; i < conc; i++)
        pthread_create(&ws[i].th, NULL, worker_main, &ws[i]);
    long t0_ticks[256], t1_ticks[256];
    int t0_tids[256], t1_tids[256], n0 = 0, n1 = 0;
    double cpu0, cpu1, dummy;
    pthread_barrier_wait(&barrier);
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    proc_cpu(cpu_pid, &cpu0, &dummy, t0_ticks, t0_tids, &n0);
    double t0 = dqc_now_ms();
    for (int i = 0; i < conc; i++)
        pthread_join(ws[i].th, NULL);
    double wall = (dqc_now_ms() - t0) / 1e3;
    proc_cpu(cpu_pid, &cpu1, &dummy, t1_ticks, t1_tids, &n1);
    getrusage(RUSAGE_SELF, &ru1);
    double busiest = 0;
    long hz = sysconf(_SC_CLK_TCK);
    for (int i = 0; i < n1; i++) {
        long before = 0;
        for (int j = 0; j < n0; j++)
            if (t0_tids[j] == t1_tids[i])
                before = t0_ticks[j];
        double s = (double)(t1_ticks[i] - before) / (double)hz;
        if (s > busiest)
            busiest = s;
    }
    double self_cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                      (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                      (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                      (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    FILE *out = outpath ? fopen(outpath, "w") : NULL;
    double *v = malloc(sizeof *v * (size_t)(total_reqs + 1));
    long n = 0;
    for (long k = 0; k < total_reqs; k++) {
        if (lat_ms[k] < 0)
            continue;
        v[n++] = lat_ms[k];
        if (out)
            fprintf(out, "%ld\t%.4f\t%ld\n", k % nq, lat_ms[k], lat_rows[k]);
    }
    if (out)
        fclose(out);
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    double mean = 0;
    for (long k = 0; k < n; k++)
        mean += v[k];
    mean = n ? mean / (double)n : 0;
    double p50 = n ? v[(long)(0.50 * (double)(n - 1))] : 0;
    double p99 = n ? v[(long)(0.99 * (double)(n - 1))] : 0;
    printf("mode=%s stmt=%s conc=%d requests=%ld wall_s=%.3f qps=%.1f mean_ms=%.3f p50_ms=%.3f "
           "p99_ms=%.3f max_ms=%.3f node_cpu_s=%.3f node_busiest_thread_s=%.3f client_cpu_s=%.3f\n",
           dq ? "dqlite" : "sqlite", stmt, conc, n, wall, wall > 0 ? (double)n / wall : 0, mean,
           p50, p99, n ? v[n - 1] : 0, cpu1 - cpu0, busiest, self_cpu);
    return 0;
}

/* --- writes ------------------------------------------------------------ */

static int rid_cb(void *ctx, int nc, const struct dqv *v)
{
    unsigned char *present = ((void **)ctx)[0];
    long base = *(long *)((void **)ctx)[1], n = *(long *)((void **)ctx)[2];
    if (nc > 0 && v[0].type == DQV_INT && v[0].i >= base && v[0].i < base + n)
        present[v[0].i - base] = 1;
    return 0;
}

/* when the write of id i first met SQLITE_BUSY (a busy id is retried for
 * at most 60 s) */
static long busy_id = -1;
static double busy_t;
static double busy_since(long i)
{
    if (busy_id != i) {
        busy_id = i;
        busy_t = dqc_now_ms();
    }
    return busy_t;
}

static int cmd_writes(int argc, char **argv)
{
    const char *srcpath = arg(argc, argv, "--src", NULL);
    const char *ackpath = arg(argc, argv, "--acked", NULL);
    int run = atoi(arg(argc, argv, "--run", "1"));
    long n = atol(arg(argc, argv, "--n", "20000"));
    if (!srcpath || !ackpath || nnodes == 0 || n < 1 || n > 1000000)
        die("%s", "usage: hactl writes --src DB --nodes A,B,C --run K --n N --acked FILE");
    /* the template: the source's first resource, all its columns */
    sqlite3 *src = open_src(srcpath);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(src, "SELECT * FROM resources ORDER BY rid LIMIT 1", -1, &st, NULL) ||
        sqlite3_step(st) != SQLITE_ROW)
        die("%s", "no resource to copy");
    int ncol = sqlite3_column_count(st);
    struct dqv tv[64];
    char *names[64];
    int c_rid = -1, c_id = -1, c_ext = -1, c_title = -1;
    for (int i = 0; i < ncol && i < 64; i++) {
        names[i] = strdup(sqlite3_column_name(st, i));
        memset(&tv[i], 0, sizeof tv[i]);
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            tv[i].type = DQV_INT;
            tv[i].i = sqlite3_column_int64(st, i);
            break;
        case SQLITE_FLOAT:
            tv[i].type = DQV_FLOAT;
            tv[i].f = sqlite3_column_double(st, i);
            break;
        case SQLITE_TEXT:
            tv[i].type = DQV_TEXT;
            tv[i].s = strdup((const char *)sqlite3_column_text(st, i));
            break;
        default:
            tv[i].type = DQV_NULL;
        }
        if (!strcmp(names[i], "rid"))
            c_rid = i;
        else if (!strcmp(names[i], "id"))
            c_id = i;
        else if (!strcmp(names[i], "external_id"))
            c_ext = i;
        else if (!strcmp(names[i], "title"))
            c_title = i;
    }
    sqlite3_finalize(st);
    sqlite3_close(src);
    if (c_rid < 0 || c_id < 0 || c_title < 0)
        die("%s", "resources has no rid, id or title");
    char ins[4096];
    int k = snprintf(ins, sizeof ins, "INSERT INTO resources (");
    for (int i = 0; i < ncol; i++)
        k += snprintf(ins + k, sizeof ins - (size_t)k, "%s\"%s\"", i ? "," : "", names[i]);
    k += snprintf(ins + k, sizeof ins - (size_t)k, ") VALUES (");
    for (int i = 0; i < ncol; i++)
        k += snprintf(ins + k, sizeof ins - (size_t)k, "%s?", i ? "," : "");
    snprintf(ins + k, sizeof ins - (size_t)k, ")");

    FILE *ack = fopen(ackpath, "w");
    if (!ack)
        die("cannot write %s", ackpath);
    long base = 10000000L + (long)run * 1000000L;
    struct dqc c;
    uint32_t stmt = 0;
    leader_conn(&c, 60);
    if (dqc_prepare(&c, ins, &stmt, NULL) != 0)
        die("prepare: %s", c.err);
    long acked = 0, failed = 0, reconnects = 0, busy_retries = 0;
    double first_fail = 0, first_ok_after = 0, last_ok_before = 0;
    char first_err[256] = "";
    char idbuf[64], titlebuf[512];
    double *wlat = calloc((size_t)n, sizeof *wlat);
    long nlat = 0;
    double t_start = rt_now();
    for (long i = 0; i < n; i++) {
        struct dqv v[64];
        memcpy(v, tv, sizeof(struct dqv) * (size_t)ncol);
        v[c_rid].type = DQV_INT;
        v[c_rid].i = base + i;
        snprintf(idbuf, sizeof idbuf, "ha%d-%07ld", run, i);
        v[c_id].type = DQV_TEXT;
        v[c_id].s = idbuf;
        if (c_ext >= 0)
            v[c_ext].type = DQV_NULL;
        snprintf(titlebuf, sizeof titlebuf, "高可用写入 %d-%ld %s", run, i, tv[c_title].s ? tv[c_title].s : "");
        v[c_title].type = DQV_TEXT;
        v[c_title].s = titlebuf;
        double t0 = dqc_now_ms();
        int rc = dqc_exec(&c, stmt, v, ncol, NULL, NULL);
        double now = rt_now();
        if (rc == 0) {
            wlat[nlat++] = dqc_now_ms() - t0;
            fprintf(ack, "%ld\n", base + i);
            acked++;
            if (first_fail > 0 && first_ok_after == 0)
                first_ok_after = now;
            if (first_fail == 0)
                last_ok_before = now;
            continue;
        }
        if (rc == 5 /* SQLITE_BUSY: the statement did not run */ && busy_retries < 100000 &&
            dqc_now_ms() - busy_since(i) < 60000) {
            busy_retries++;
            usleep(20 * 1000);
            i--; /* the same id again */
            continue;
        }
        failed++;
        if (first_fail == 0) {
            first_fail = now;
            snprintf(first_err, sizeof first_err, "%s", c.err);
        }
        fprintf(stderr, "hactl: write %ld failed at %.3f: %s\n", base + i, now, c.err);
        if (rc == DQC_EIO || rc == DQC_NOT_LEADER || rc == DQC_LEADERSHIP_LOST) {
            dqc_close(&c);
            reconnects++;
            leader_conn(&c, 60); /* dies after 60 s without a leader */
            if (dqc_prepare(&c, ins, &stmt, NULL) != 0)
                die("prepare: %s", c.err);
        }
    }
    double t_end = rt_now();
    fclose(ack);
    /* what the leader has now */
    unsigned char *present = calloc((size_t)n, 1);
    void *ctx[3] = {present, &base, &n};
    struct dqv p[2] = {{.type = DQV_INT, .i = base}, {.type = DQV_INT, .i = base + n}};
    int rc = dqc_query_sql(&c, "SELECT rid FROM resources WHERE rid >= ? AND rid < ?", p, 2, rid_cb, ctx);
    if (rc != 0) { /* the leader may have changed again: once more */
        dqc_close(&c);
        leader_conn(&c, 60);
        memset(present, 0, (size_t)n);
        if (dqc_query_sql(&c, "SELECT rid FROM resources WHERE rid >= ? AND rid < ?", p, 2, rid_cb, ctx))
            die("count: %s", c.err);
    }
    dqc_close(&c);
    long npresent = 0, lost = 0, unacked_present = 0;
    FILE *af = fopen(ackpath, "r");
    unsigned char *was_acked = calloc((size_t)n, 1);
    long id;
    while (af && fscanf(af, "%ld", &id) == 1)
        if (id >= base && id < base + n)
            was_acked[id - base] = 1;
    if (af)
        fclose(af);
    for (long i = 0; i < n; i++) {
        npresent += present[i];
        if (was_acked[i] && !present[i]) {
            lost++;
            fprintf(stderr, "hactl: LOST acknowledged write %ld\n", base + i);
        }
        if (!was_acked[i] && present[i])
            unacked_present++;
    }
    qsort(wlat, (size_t)nlat, sizeof *wlat, cmp_d);
    printf("run=%d\nwrites=%ld\nacked=%ld\nfailed=%ld\npresent=%ld\nlost=%ld\n"
           "present_not_acked=%ld\nreconnects=%ld\nbusy_retries=%ld\nstart=%.3f\nend=%.3f\n"
           "last_ok_before_failure=%.3f\nfirst_failure=%.3f\nfirst_ok_after_failure=%.3f\n"
           "write_p50_ms=%.3f\nwrite_p99_ms=%.3f\nfirst_error=%s\n",
           run, n, acked, failed, npresent, lost, unacked_present, reconnects, busy_retries, t_start, t_end,
           last_ok_before, first_fail, first_ok_after,
           nlat ? wlat[(long)(0.5 * (double)(nlat - 1))] : 0,
           nlat ? wlat[(long)(0.99 * (double)(nlat - 1))] : 0, first_err);
    return lost ? 3 : 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2)
        die("%s", "usage: hactl leader|join|load|search|writes ...");
    parse_nodes(arg(argc, argv, "--nodes", NULL));
    io_timeout_ms = atoi(arg(argc, argv, "--timeout-ms", "10000"));
    const char *cmd = argv[1];
    if (!strcmp(cmd, "leader"))
        return cmd_leader();
    if (!strcmp(cmd, "check"))
        return cmd_check(argc, argv);
    if (!strcmp(cmd, "transfer"))
        return cmd_transfer(argc, argv);
    if (!strcmp(cmd, "sql"))
        return cmd_sql(argc, argv);
    if (!strcmp(cmd, "join"))
        return cmd_join();
    if (!strcmp(cmd, "load")) {
        const char *src = arg(argc, argv, "--src", NULL);
        const char *sq = arg(argc, argv, "--sqlite", NULL);
        if (!src || (!sq && nnodes == 0))
            die("%s", "usage: hactl load --src DB (--nodes A,B,C | --sqlite FILE) [--batch N]");
        return cmd_load(src, sq, atoi(arg(argc, argv, "--batch", "10000")),
                        arg(argc, argv, "--finish", "optimize"));
    }
    if (!strcmp(cmd, "search"))
        return cmd_search(argc, argv);
    if (!strcmp(cmd, "writes"))
        return cmd_writes(argc, argv);
    die("unknown command %s", cmd);
    return 2;
}
