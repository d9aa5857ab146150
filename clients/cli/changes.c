/*
 * changes.c - `shucu changes [--since CURSOR] [--follow]`: the change
 * feed (GET /v1/changes, issue 20) as NDJSON on stdout, one change a
 * line, in the server's order.
 *
 * Without --follow it prints every change after the cursor and stops;
 * with --follow it keeps asking every --interval seconds (default 2)
 * until interrupted.  --cursor-file FILE keeps the next cursor in FILE
 * after every page (written to a temporary file and renamed, so a kill
 * never leaves half a cursor) and starts from it, so a follower that is
 * stopped and started again misses nothing and repeats at most the page
 * it was printing.  A 410 (the cursor is older than the feed keeps) ends
 * with exit 1 and says to start again from 0.
 */
#include "cli.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int save_cursor(const char *path, const char *cursor)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int ok = fprintf(f, "%s\n", cursor) > 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    return ok && rename(tmp, path) == 0 ? 0 : -1;
}

static char *load_cursor(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (util_read_file(path, &text, &len) < 0)
        return NULL;
    text[strcspn(text, "\r\n ")] = '\0';
    return text;
}

int changes_run(const struct cli_conf *conf, const struct args *a)
{
    const char *since = args_get(a, "since"), *limit = args_get(a, "limit");
    const char *file = args_get(a, "cursor-file"), *iv = args_get(a, "interval");
    int follow = args_get(a, "follow") != NULL;
    double interval = iv ? atof(iv) : 2.0;
    char *cursor = NULL;
    if (file && !since)
        cursor = load_cursor(file);
    if (!cursor)
        cursor = xstrdup(since && *since ? since : "0");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc = CLI_EXIT_OK;
    while (!stop) {
        char target[512], err[256];
        snprintf(target, sizeof target, "/v1/changes?since=%s&limit=%s", cursor,
                 limit && *limit ? limit : "500");
        struct http_resp resp = {0};
        if (http_request(conf, "GET", target, NULL, NULL, 0, &resp, err, sizeof err) != HTTP_OK) {
            fprintf(stderr, "shucu changes: %s\n", err);
            if (!follow) {
                rc = CLI_EXIT_UNREACHABLE;
                break;
            }
            sleep(1);
            continue;
        }
        json_t *doc = json_loads(resp.body, 0, NULL);
        if (resp.status != 200 || !doc) {
            const char *msg = json_string_value(
                json_object_get(json_object_get(doc, "error"), "message"));
            fprintf(stderr, "shucu changes: HTTP %ld: %s\n", resp.status, msg ? msg : "bad answer");
            json_decref(doc);
            http_resp_free(&resp);
            rc = CLI_EXIT_FAIL;
            if (follow && (resp.status == 429 || resp.status == 503)) {
                sleep(1);
                continue;
            }
            break;
        }
        http_resp_free(&resp);
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(doc, "changes"), i, c) {
            char *line = json_dumps(c, JSON_COMPACT);
            fputs(line, stdout);
            fputc('\n', stdout);
            free(line);
        }
        fflush(stdout);
        const char *next = json_string_value(json_object_get(doc, "next"));
        int more = json_is_true(json_object_get(doc, "more"));
        if (next) {
            free(cursor);
            cursor = xstrdup(next);
            if (file && save_cursor(file, cursor) < 0)
                fprintf(stderr, "shucu changes: cannot write %s\n", file);
        }
        json_decref(doc);
        if (more)
            continue;
        if (!follow)
            break;
        for (double w = 0; w < interval && !stop; w += 0.1)
            usleep(100000);
    }
    free(cursor);
    return rc;
}
