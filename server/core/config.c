/*
 * config.c - one table of options, three sources (file, env, flags).
 *
 * The table maps each option to its flag, environment variable, JSON key
 * and field offset, so parsing, help text and validation share it.
 * Precedence: defaults < config file < environment < flags.
 */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_type { OPT_STR, OPT_LONG, OPT_DOUBLE };

struct opt {
    const char *name; /* flag without "--", JSON key, env suffix */
    enum opt_type type;
    size_t offset;
    long min, max;
    const char *help;
};

#define STR(f, h) {#f, OPT_STR, offsetof(struct config, f), 0, 0, h}
#define LNG(n, f, lo, hi, h) {n, OPT_LONG, offsetof(struct config, f), lo, hi, h}
#define SHP(n, f, h) {"rank_" n, OPT_DOUBLE, offsetof(struct config, shape.f), 0, 100, h}
#define WGT(f) {"weight_" #f, OPT_DOUBLE, offsetof(struct config, weights.f), 0, 100, "ranking weight of the " #f " part"}

static const struct opt OPTS[] = {
    STR(listen, "address:port to serve on"),
    STR(db, "SQLite database file"),
    STR(redis, "redis://[:password@]host:port[/db], sentinel://host:port[,host:port]/master, unix:///path.sock, or none"),
    STR(schemas, "directory with taxonomy.json and synonyms.json"),
    STR(web, "directory of the web console (empty: none)"),
    {"log_level", OPT_STR, offsetof(struct config, log_level), 0, 0, "debug, info, warn or error"},
    LNG("workers", workers, 0, 256, "worker threads (0: one per core)"),
    LNG("body_limit", body_limit, 1024, 1L << 30, "maximum request body in bytes"),
    LNG("bulk_limit", bulk_limit, 1024, 1L << 31, "maximum bulk-import body in bytes"),
    LNG("header_limit", header_limit, 1024, 1L << 20, "maximum request header bytes"),
    LNG("timeout", timeout, 1, 3600, "per-connection read/write timeout, seconds"),
    LNG("cache_ttl", cache_ttl, 1, 86400 * 30, "seconds a cached response lives"),
    LNG("cache_max_entry", cache_max_entry, 1024, 1L << 28, "largest response cached, bytes"),
    LNG("cache_timeout_ms", cache_timeout_ms, 1, 60000, "Redis answer deadline, ms"),
    LNG("max_connections", max_connections, 1, 1000000, "open connections per worker"),
    LNG("request_timeout", request_timeout, 1, 86400,
        "seconds a client has to send each whole request (headers and body)"),
    LNG("rate_per_key", rate_per_key, 0, 1000000, "requests/s per key (0: unlimited)"),
    LNG("rate_per_addr", rate_per_addr, 0, 1000000, "requests/s per address (0: unlimited)"),
    LNG("rate_burst", rate_burst, 1, 1000000, "rate-limit bucket size"),
    LNG("match_postings", match_postings, 0, 1L << 30,
        "matching: documents its text terms may hit, summed (0: no bound)"),
    LNG("webhook_backoff_ms", webhook_backoff_ms, 10, 3600000,
        "first retry delay of a failed webhook delivery, ms (x4 each attempt)"),
    LNG("max_db_mb", max_db_mb, 0, 1L << 30,
        "cap on the database file, MB (0: none); writes beyond it are 503, /healthz degraded"),
    LNG("webhook_private", webhook_private, 0, 1,
        "1: webhooks may post to loopback and private addresses (tests, an intranet)"),
    STR(chromium, "headless browser that prints a case collection to PDF"),
    LNG("pdf_timeout", pdf_timeout, 1, 3600, "seconds a PDF print may take"),
    WGT(text), WGT(industry), WGT(scenario), WGT(level),
    WGT(budget), WGT(region), WGT(quality), WGT(fit),
    SHP("general", general, "industry fit of a resource for every industry (general)"),
    SHP("inferred", inferred, "scenario fit of a scenario the need's text implies, at full strength"),
    SHP("text_floor", text_floor, "share of the text weight kept when the text overlap is weakest"),
    SHP("budget_decay", budget_decay, "k of e^(-k (price/budget - 1)) above the budget"),
    SHP("hybrid_region", hybrid_region, "region fit of a hybrid offer outside its regions"),
    SHP("ticked_doubt", ticked_doubt,
        "share of a ticked scenario's lead over the scenario the text implies taken back"),
    SHP("budget_gate", budget_gate,
        "over twice the budget, the other parts count this much of themselves (1: no gate)"),
    SHP("general_fit", general_fit,
        "share of the gap to an exact industry a general resource fitting the text closes"),
    {"lexicon_terms", OPT_DOUBLE, offsetof(struct config, lexicon_terms), 0, 1,
     "weight of the trade terms the problem-phrase lexicon infers from a need"},
    {"text_ideal", OPT_DOUBLE, offsetof(struct config, text_ideal), 0, 100,
     "a need's text stage as strong as this (x the IDF of its best terms) is not weak"},
};
#define NOPTS (sizeof OPTS / sizeof OPTS[0])

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = xstrdup("127.0.0.1:8080");
    cfg->db = xstrdup("data/shucu.db");
    cfg->redis = xstrdup("none");
    cfg->schemas = xstrdup("schemas");
    cfg->web = xstrdup("clients/web");
    cfg->log_level = xstrdup("info");
    cfg->workers = 0;
    cfg->body_limit = 1L << 20;
    cfg->bulk_limit = 64L << 20;
    cfg->header_limit = 16 * 1024;
    cfg->timeout = 30;
    cfg->cache_ttl = 300;
    cfg->cache_max_entry = 1L << 20;
    cfg->cache_timeout_ms = 50;
    cfg->max_connections = 4096;
    cfg->request_timeout = 60;
    cfg->rate_per_key = 0;
    cfg->rate_per_addr = 0;
    cfg->rate_burst = 100;
    cfg->match_postings = 10000;
    /* Fitted on the tune split of bench/relevance/needs2.jsonl only
     * (bench/relevance/tune.py); see docs/ranking.md for how, and for the
     * held-out numbers. */
    cfg->webhook_backoff_ms = 10000;
    cfg->webhook_private = 0;
    cfg->chromium = xstrdup("/usr/bin/chromium");
    cfg->pdf_timeout = 60;
    cfg->weights = (struct rank_weights){
        .text = 0.20, .industry = 0.25, .scenario = 0.20, .level = 0.08,
        .budget = 0.12, .region = 0.12, .quality = 0.05, .fit = 0.04};
    cfg->shape = (struct rank_shape){.general = 0.6, .inferred = 0.9, .text_floor = 0.5,
                                     .budget_decay = 2.0, .hybrid_region = 0.0,
                                     .ticked_doubt = 0.0, .general_fit = 0.75,
                                     .budget_gate = 1.0};
    cfg->lexicon_terms = 1.0;
    cfg->text_ideal = 3.0;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (OPTS[i].type == OPT_STR) {
            char **p = (char **)((char *)cfg + OPTS[i].offset);
            free(*p);
            *p = NULL;
        }
    free(cfg->config_file);
    cfg->config_file = NULL;
}

static const struct opt *opt_find(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(OPTS[i].name) == len && strncmp(OPTS[i].name, name, len) == 0)
            return &OPTS[i];
    return NULL;
}

/* Sets one option from text; src names the source in messages. */
static int opt_set(struct config *cfg, const struct opt *o, const char *val,
                   const char *src)
{
    void *field = (char *)cfg + o->offset;
    char *end;
    switch (o->type) {
    case OPT_STR:
        free(*(char **)field);
        *(char **)field = xstrdup(val);
        return 0;
    case OPT_LONG: {
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end || v < o->min || v > o->max) {
            fprintf(stderr, "shucud: %s: %s must be an integer from %ld to %ld, not \"%s\"\n",
                    src, o->name, o->min, o->max, val);
            return -1;
        }
        *(long *)field = v;
        return 0;
    }
    case OPT_DOUBLE: {
        errno = 0;
        double v = strtod(val, &end);
        if (errno || end == val || *end || v < o->min || v > o->max) {
            fprintf(stderr, "shucud: %s: %s must be a number from %ld to %ld, not \"%s\"\n",
                    src, o->name, o->min, o->max, val);
            return -1;
        }
        *(double *)field = v;
        return 0;
    }
    }
    return -1;
}

static int config_file_apply(struct config *cfg, const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        fprintf(stderr, "shucud: config file %s, line %d: %s\n", path, err.line, err.text);
        return -1;
    }
    int rc = 0;
    if (!json_is_object(root)) {
        fprintf(stderr, "shucud: config file %s: top level must be an object\n", path);
        rc = -1;
        goto cleanup;
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (strcmp(key, "weights") == 0 && json_is_object(val)) {
            const char *wk;
            json_t *wv;
            json_object_foreach(val, wk, wv) {
                char name[64];
                snprintf(name, sizeof name, "weight_%s", wk);
                const struct opt *o = opt_find(name, strlen(name));
                if (!o || !json_is_number(wv)) {
                    fprintf(stderr, "shucud: config file %s: weights.%s: unknown weight or not a number\n", path, wk);
                    rc = -1;
                    goto cleanup;
                }
                *(double *)((char *)cfg + o->offset) = json_number_value(wv);
            }
            continue;
        }
        const struct opt *o = opt_find(key, strlen(key));
        if (!o) {
            fprintf(stderr, "shucud: config file %s: unknown option \"%s\"\n", path, key);
            rc = -1;
            goto cleanup;
        }
        char buf[64];
        const char *text;
        if (json_is_string(val))
            text = json_string_value(val);
        else if (json_is_integer(val) && o->type != OPT_STR) {
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(val));
            text = buf;
        } else if (json_is_real(val) && o->type == OPT_DOUBLE) {
            snprintf(buf, sizeof buf, "%.17g", json_real_value(val));
            text = buf;
        } else {
            fprintf(stderr, "shucud: config file %s: \"%s\" has the wrong type\n", path, key);
            rc = -1;
            goto cleanup;
        }
        char src[512];
        snprintf(src, sizeof src, "config file %s", path);
        if (opt_set(cfg, o, text, src) < 0) {
            rc = -1;
            goto cleanup;
        }
    }
cleanup:
    json_decref(root);
    return rc;
}

static int config_env_apply(struct config *cfg)
{
    for (size_t i = 0; i < NOPTS; i++) {
        char name[64] = "SHUCU_";
        size_t n = 6;
        for (const char *p = OPTS[i].name; *p && n < sizeof name - 1; p++)
            name[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        name[n] = '\0';
        const char *v = getenv(name);
        if (v && opt_set(cfg, &OPTS[i], v, name) < 0)
            return -1;
    }
    return 0;
}

int config_load(struct config *cfg, int argc, char **argv, char ***rest)
{
    /* Find --config first: the file is applied before env and flags. */
    const char *file = getenv("SHUCU_CONFIG");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            file = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
    }
    if (file && *file) {
        cfg->config_file = xstrdup(file);
        if (config_file_apply(cfg, file) < 0)
            return -1;
    }
    if (config_env_apply(cfg) < 0)
        return -1;

    char **pos = xcalloc((size_t)argc + 1, sizeof *pos);
    size_t npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            pos[npos++] = argv[i];
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        char norm[64];
        if (len >= sizeof norm)
            len = sizeof norm - 1;
        for (size_t k = 0; k < len; k++)
            norm[k] = name[k] == '-' ? '_' : name[k];
        norm[len] = '\0';
        const char *val = eq ? eq + 1 : NULL;
        if (strcmp(norm, "config") == 0) {
            if (!val)
                i++;
            continue;
        }
        const struct opt *o = opt_find(norm, len);
        if (!o) {
            /* Leave unknown flags to the verb (e.g. --role for keys). */
            pos[npos++] = argv[i];
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "shucud: --%s needs a value\n", o->name);
                free(pos);
                return -1;
            }
            val = argv[++i];
        }
        char src[80];
        snprintf(src, sizeof src, "--%s", o->name);
        if (opt_set(cfg, o, val, src) < 0) {
            free(pos);
            return -1;
        }
    }
    *rest = pos;
    return 0;
}

void config_usage(void)
{
    fprintf(stderr, "Options (flag, or SHUCU_<NAME> in the environment, or \"name\" in --config FILE):\n");
    for (size_t i = 0; i < NOPTS; i++) {
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", OPTS[i].name);
        for (char *p = flag + 2; *p; p++)
            if (*p == '_')
                *p = '-';
        fprintf(stderr, "  %-22s %s\n", flag, OPTS[i].help);
    }
}
