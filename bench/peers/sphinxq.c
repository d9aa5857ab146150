/*
 * sphinxq.c - times the Sphinx peer's top-10 full-text query over SphinxQL
 * (searchd's MySQL protocol; libmariadb, one connection, one query in
 * flight):
 *
 *   SELECT id FROM res WHERE MATCH('<query>') LIMIT 10
 *   OPTION ranker=bm25, field_weights=(title=10, summary=4, description=1,
 *                                      tags=4, provider=3)
 *
 * FILE holds one query per line in Sphinx's extended query syntax (an
 * empty line: the query is skipped); it is quoted into the SQL string here
 * ('\' and '\'' escaped).  SphinxQL in Sphinx 2.2 has no prepared
 * statements, so the statement text is built before timing and sent whole.
 * Each query is run REPS times round-robin after one unmeasured warm-up
 * round.  The time is from sending the statement to the last row read.
 * Output: "query#<TAB>ms<TAB>rows" per execution.  With --ids FILE the
 * warm-up round's answers are written as "query#<TAB>total<TAB>id<TAB>id..."
 * where total is SHOW META's total_found (every match, not just the 10),
 * asked for outside the timing.
 *
 *   sphinxq --port P --queries FILE --reps N [--host 127.0.0.1] [--index res]
 *           [--option "ranker=bm25, field_weights=(...)"] [--out FILE] [--ids FILE]
 *   sphinxq --port P --keywords TEXT     the index's keywords for TEXT
 *                                        (CALL KEYWORDS), space-separated
 */
#include <mysql.h>
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

/* q as the inside of an SQL string literal ('\\' and '\'' escaped). */
static char *sql_literal(const char *q)
{
    char *lit = malloc(2 * strlen(q) + 1), *p = lit;
    if (!lit)
        return NULL;
    for (const char *s = q; *s; s++) {
        if (*s == '\\' || *s == '\'')
            *p++ = '\\';
        *p++ = *s;
    }
    *p = '\0';
    return lit;
}

/* The statement for one query. */
static char *statement(const char *index, const char *q, const char *option)
{
    char *lit = sql_literal(q), *sql;
    if (!lit)
        return NULL;
    int k = asprintf(&sql, "SELECT id FROM %s WHERE MATCH('%s') LIMIT 10%s%s", index, lit,
                     *option ? " OPTION " : "", option);
    free(lit);
    return k < 0 ? NULL : sql;
}

static long total_found(MYSQL *c)
{
    long total = -1;
    if (mysql_query(c, "SHOW META") != 0)
        return -1;
    MYSQL_RES *res = mysql_store_result(c);
    if (!res)
        return -1;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)))
        if (row[0] && row[1] && strcmp(row[0], "total_found") == 0)
            total = atol(row[1]);
    mysql_free_result(res);
    return total;
}

int main(int argc, char **argv)
{
    const char *host = arg(argc, argv, "--host", "127.0.0.1");
    int port = atoi(arg(argc, argv, "--port", "0"));
    const char *qp = arg(argc, argv, "--queries", NULL);
    const char *op = arg(argc, argv, "--out", NULL);
    const char *ip = arg(argc, argv, "--ids", NULL);
    const char *index = arg(argc, argv, "--index", "res");
    const char *option = arg(argc, argv, "--option",
                             "ranker=bm25, field_weights=(title=10, summary=4, description=1,"
                             " tags=4, provider=3)");
    const char *kw = arg(argc, argv, "--keywords", NULL);
    int reps = atoi(arg(argc, argv, "--reps", "5"));
    if ((!qp && !kw) || port <= 0 || reps < 0 || reps > 100000) {
        fprintf(stderr, "usage: sphinxq --port P --queries FILE --reps N [--host H] [--index NAME]"
                        " [--option OPTIONS] [--out FILE] [--ids FILE]\n");
        return 2;
    }
    MYSQL *c = mysql_init(NULL);
    unsigned int timeout = 30;
    mysql_options(c, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(c, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_options(c, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    if (!mysql_real_connect(c, host, "", "", NULL, (unsigned)port, NULL, 0)) {
        fprintf(stderr, "sphinxq: connect %s:%d: %s\n", host, port, mysql_error(c));
        return 1;
    }
    if (kw) {
        char *lit = sql_literal(kw), *s;
        if (!lit || asprintf(&s, "CALL KEYWORDS('%s', '%s')", lit, index) < 0)
            return 1;
        if (mysql_query(c, s) != 0) {
            fprintf(stderr, "sphinxq: %s\n", mysql_error(c));
            return 1;
        }
        MYSQL_RES *res = mysql_store_result(c);
        MYSQL_ROW row;
        for (int k = 0; res && (row = mysql_fetch_row(res)); k++)
            printf("%s%s", k ? " " : "", row[1] ? row[1] : "");
        printf("\n");
        mysql_free_result(res);
        mysql_close(c);
        return 0;
    }
    static char *qs[MAXQ], *sql[MAXQ];
    int nq = 0;
    FILE *f = fopen(qp, "r");
    if (!f) {
        perror(qp);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    while (nq < MAXQ && getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        qs[nq] = strdup(line);
        sql[nq] = *line ? statement(index, line, option) : NULL;
        if (*line && !sql[nq]) {
            fprintf(stderr, "sphinxq: out of memory\n");
            return 1;
        }
        nq++;
    }
    free(line);
    fclose(f);
    FILE *out = op ? fopen(op, "a") : stdout;
    FILE *ids = ip ? fopen(ip, "w") : NULL;
    if (!out || (ip && !ids)) {
        perror(op && !out ? op : ip);
        return 1;
    }
    int bad = 0;
    for (int r = -1; r < reps; r++) {
        for (int i = 0; i < nq; i++) {
            if (!sql[i])
                continue;
            double t0 = now_ms();
            int rc = mysql_real_query(c, sql[i], (unsigned long)strlen(sql[i]));
            MYSQL_RES *res = rc == 0 ? mysql_store_result(c) : NULL;
            if (!res) {
                if (bad++ < 5)
                    fprintf(stderr, "sphinxq: query %d (%s): %s\n", i, qs[i], mysql_error(c));
                continue;
            }
            long n = 0;
            char idv[10][24];
            MYSQL_ROW row;
            while ((row = mysql_fetch_row(res))) {
                if (n < 10)
                    snprintf(idv[n], sizeof idv[n], "%s", row[0] ? row[0] : "");
                n++;
            }
            double ms = now_ms() - t0;
            mysql_free_result(res);
            if (r == -1 && ids) {
                fprintf(ids, "%d\t%ld", i, total_found(c));
                for (long k = 0; k < n && k < 10; k++)
                    fprintf(ids, "\t%s", idv[k]);
                fprintf(ids, "\n");
            }
            if (r >= 0)
                fprintf(out, "%d\t%.4f\t%ld\n", i, ms, n);
        }
    }
    if (ids)
        fclose(ids);
    if (out != stdout)
        fclose(out);
    mysql_close(c);
    return bad ? 1 : 0;
}
