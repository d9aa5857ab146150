/*
 * hanode.c - one dqlite node (libdqlite 1.11) embedded in a small C
 * program, with shucu's tokenizer and SQL functions on every connection the
 * node opens: "shucu" (index/tokenizer.c), shucu_bm25 (index/bm25.c) and
 * shucu_highlight (index/highlight.c), registered through
 * sqlite3_auto_extension before the node starts, as server/store/db.c
 * registers them on shucud's own connections.
 *
 * Three of these processes make the experiment's cluster (bench/ha/run.sh):
 * node 1 bootstraps a one-voter cluster on its first start and hactl join
 * adds the other two as voters.  The database lives in the node's memory
 * (dqlite 1.11 has no disk mode); the data directory holds the Raft log and
 * snapshots, from which a restarted node rebuilds it.
 *
 *   hanode --id N --addr 127.0.0.1:PORT --dir DIR [--latency-ms MS]
 *          [--snapshot THRESHOLD:TRAILING]
 *
 * SIGPIPE is ignored: a node writing to a peer that died must not die too.
 * SIGTERM or SIGINT stops the node cleanly; the experiment's failovers use
 * SIGKILL.
 */
#include "bm25.h"
#include "highlight.h"
#include "tokenizer.h"

#include <dqlite.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int shucu_ext(sqlite3 *db, char **err, const void *api)
{
    (void)api;
    if (tok_register(db) != SQLITE_OK || hl_register(db) != SQLITE_OK ||
        bm25_register(db) != SQLITE_OK) {
        if (err)
            *err = sqlite3_mprintf("shucu: cannot register the tokenizer and functions");
        return SQLITE_ERROR;
    }
    /* shucud's connection settings that do not touch the file (db.c) */
    sqlite3_exec(db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
    /* dqlite 1.11's VFS cannot read back pages SQLite spilled to the WAL
     * before the commit: a transaction larger than the page cache (the FTS5
     * optimize shucud import ends with, on 2,000 resources already) fails
     * with SQLITE_IOERR_SHORT_READ.  Without spilling it works. */
    sqlite3_exec(db, "PRAGMA cache_spill=OFF", NULL, NULL, NULL);
    return SQLITE_OK;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

int main(int argc, char **argv)
{
    const char *id_s = arg(argc, argv, "--id", NULL);
    const char *addr = arg(argc, argv, "--addr", NULL);
    const char *dir = arg(argc, argv, "--dir", NULL);
    const char *lat = arg(argc, argv, "--latency-ms", NULL);
    const char *snap = arg(argc, argv, "--snapshot", NULL);
    if (!id_s || !addr || !dir) {
        fprintf(stderr, "usage: hanode --id N --addr HOST:PORT --dir DIR [--latency-ms MS]"
                        " [--snapshot THRESHOLD:TRAILING]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the node's thread inherits the mask */

    if (sqlite3_auto_extension((void (*)(void))shucu_ext) != SQLITE_OK) {
        fprintf(stderr, "hanode: sqlite3_auto_extension failed\n");
        return 1;
    }
    mkdir(dir, 0755);
    dqlite_node *node;
    unsigned long long id = strtoull(id_s, NULL, 10);
    int rc = dqlite_node_create(id, addr, dir, &node);
    if (rc != 0) {
        fprintf(stderr, "hanode: dqlite_node_create: %d\n", rc);
        return 1;
    }
    if ((rc = dqlite_node_set_bind_address(node, addr)) != 0) {
        fprintf(stderr, "hanode: bind %s: %s\n", addr, dqlite_node_errmsg(node));
        return 1;
    }
    if (lat && (rc = dqlite_node_set_network_latency_ms(node, (unsigned)atoi(lat))) != 0) {
        fprintf(stderr, "hanode: --latency-ms %s refused (%d)\n", lat, rc);
        return 1;
    }
    if (snap) {
        unsigned th = 0, tr = 0;
        if (sscanf(snap, "%u:%u", &th, &tr) != 2 ||
            dqlite_node_set_snapshot_params(node, th, tr) != 0) {
            fprintf(stderr, "hanode: --snapshot %s refused\n", snap);
            return 1;
        }
    }
    if ((rc = dqlite_node_start(node)) != 0) {
        fprintf(stderr, "hanode: dqlite_node_start: %s\n", dqlite_node_errmsg(node));
        return 1;
    }
    fprintf(stderr, "hanode: node %llu serving on %s (dqlite %d, sqlite %s), pid %d\n", id, addr,
            dqlite_version_number(), sqlite3_libversion(), (int)getpid());
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "hanode: node %llu stopping (signal %d)\n", id, sig);
    dqlite_node_stop(node);
    dqlite_node_destroy(node);
    return 0;
}
