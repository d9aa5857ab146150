/*
 * pgq.c - times the PostgreSQL peer's top-10 full-text query (libpq, one
 * connection, one query in flight, a prepared statement):
 *
 *   SELECT id FROM res WHERE tsv @@ to_tsquery('simple', $1)
 *   ORDER BY ts_rank(tsv, to_tsquery('simple', $1)) DESC LIMIT 10
 *
 * FILE holds one tsquery per line (an empty line: the query is skipped).
 * Each is run REPS times round-robin after one unmeasured warm-up round.
 * Output: "query#<TAB>ms<TAB>rows" per execution.  With --ids FILE the
 * first round's ids are written as "query#<TAB>count<TAB>id<TAB>id...",
 * count being every match (a count(*) run outside the timing).
 *
 *   pgq --conninfo "host=/tmp/x port=5432 dbname=bench" --queries FILE
 *       --reps N [--out FILE] [--ids FILE]
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXQ 1000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return (char *)def;
}

int main(int argc, char **argv)
{
    const char *ci = arg(argc, argv, "--conninfo", NULL);
    const char *qp = arg(argc, argv, "--queries", NULL);
    const char *op = arg(argc, argv, "--out", NULL);
    const char *ip = arg(argc, argv, "--ids", NULL);
    int reps = atoi(arg(argc, argv, "--reps", "5"));
    if (!ci || !qp || reps < 0 || reps > 100000) {
        fprintf(stderr, "usage: pgq --conninfo CI --queries FILE --reps N [--out FILE] [--ids FILE]\n");
        return 2;
    }
    PGconn *c = PQconnectdb(ci);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pgq: %s", PQerrorMessage(c));
        return 1;
    }
    PGresult *pr = PQprepare(c, "top10",
                             "SELECT id FROM res WHERE tsv @@ to_tsquery('simple', $1)"
                             " ORDER BY ts_rank(tsv, to_tsquery('simple', $1)) DESC LIMIT 10",
                             1, NULL);
    if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
        fprintf(stderr, "pgq: prepare: %s", PQerrorMessage(c));
        return 1;
    }
    PQclear(pr);
    pr = PQprepare(c, "count", "SELECT count(*) FROM res WHERE tsv @@ to_tsquery('simple', $1)", 1, NULL);
    if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
        fprintf(stderr, "pgq: prepare: %s", PQerrorMessage(c));
        return 1;
    }
    PQclear(pr);
    static char *qs[MAXQ];
    int nq = 0;
    FILE *f = fopen(qp, "r");
    if (!f) {
        perror(qp);
        return 1;
    }
    char line[8192];
    while (nq < MAXQ && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        qs[nq++] = strdup(line);
    }
    fclose(f);
    FILE *out = op ? fopen(op, "a") : stdout;
    FILE *ids = ip ? fopen(ip, "w") : NULL;
    int bad = 0;
    for (int r = -1; r < reps; r++) {
        for (int i = 0; i < nq; i++) {
            if (!*qs[i])
                continue;
            const char *params[1] = {qs[i]};
            double t0 = now_ms();
            PGresult *res = PQexecPrepared(c, "top10", 1, params, NULL, NULL, 0);
            double ms = now_ms() - t0;
            if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                if (bad++ < 5)
                    fprintf(stderr, "pgq: query %d (%s): %s", i, qs[i], PQerrorMessage(c));
                PQclear(res);
                continue;
            }
            int n = PQntuples(res);
            if (r == -1 && ids) {
                PGresult *cr = PQexecPrepared(c, "count", 1, params, NULL, NULL, 0);
                fprintf(ids, "%d\t%s", i,
                        PQresultStatus(cr) == PGRES_TUPLES_OK && PQntuples(cr) == 1 ? PQgetvalue(cr, 0, 0) : "-1");
                PQclear(cr);
                for (int k = 0; k < n; k++)
                    fprintf(ids, "\t%s", PQgetvalue(res, k, 0));
                fprintf(ids, "\n");
            }
            if (r >= 0)
                fprintf(out, "%d\t%.4f\t%d\n", i, ms, n);
            PQclear(res);
        }
    }
    if (ids)
        fclose(ids);
    if (out != stdout)
        fclose(out);
    PQfinish(c);
    return bad ? 1 : 0;
}
