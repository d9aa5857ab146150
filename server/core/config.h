/*
 * config.h - server configuration from defaults, a JSON file, the
 * environment and command-line flags, in increasing order of precedence.
 *
 * Every option has a flag (--listen), an environment variable
 * (SHUCU_LISTEN) and a key in the JSON config file ("listen").  The
 * table in config.c is the single list of options; adding one means
 * adding a row there and a field here.
 */
#ifndef SHUCU_CONFIG_H
#define SHUCU_CONFIG_H

#include "rank.h"

#include <stddef.h>

struct config {
    char *listen;        /* "127.0.0.1:8080" */
    char *db;            /* "data/shucu.db" */
    char *redis;         /* "redis://127.0.0.1:6379" or "none" */
    char *schemas;       /* directory holding taxonomy.json, synonyms.json */
    char *web;           /* directory of the web console, "" to disable */
    char *log_level;     /* debug|info|warn|error */
    char *config_file;   /* path given with --config, or NULL */
    long workers;        /* worker threads; 0 = number of cores */
    long body_limit;     /* bytes; default 1 MiB */
    long bulk_limit;     /* bytes; default 64 MiB */
    long header_limit;   /* bytes of request headers */
    long timeout;        /* seconds: per-connection read/write timeout */
    long cache_ttl;      /* seconds a cached response lives */
    long cache_max_entry;/* bytes: larger responses are not cached */
    long cache_timeout_ms; /* a Redis answer slower than this is a miss */
    long max_connections;
    long request_timeout;    /* 60 s: whole request, else the connection is closed */
    long rate_per_key;   /* requests per second per key; 0 = unlimited */
    long rate_per_addr;  /* requests per second per address; 0 = unlimited */
    long rate_burst;     /* bucket size */
    long match_postings; /* 10000: see docs/ranking.md */
    long webhook_backoff_ms; /* first retry of a failed webhook delivery (deliver.h) */
    long webhook_private;    /* 1: webhooks may reach loopback and private addresses */
    long max_db_mb;          /* cap on the database file, MB (0: none) */
    char *chromium;          /* the browser that prints a 案例集 to PDF (pdf.h) */
    long pdf_timeout;        /* seconds it may take (60) */
    struct rank_weights weights;
    struct rank_shape shape;     /* RANK_SHAPE_DEFAULT: see docs/ranking.md */
    double lexicon_terms;        /* weight of the terms the lexicon infers */
    double text_ideal;           /* a text stage this strong (in sums of the
                                    best terms' IDF) is not weak */
};

/* Fills cfg with defaults. */
void config_defaults(struct config *cfg);

/*
 * Applies the config file (named by --config or SHUCU_CONFIG), then the
 * environment, then the flags in argv[0..argc).  Unknown flags are an
 * error unless allow_unknown; leftover positional arguments are stored in
 * *rest (a NULL-terminated array the caller frees with free()).
 * Returns 0, or -1 after printing a message that names the problem.
 */
int config_load(struct config *cfg, int argc, char **argv, char ***rest);

void config_free(struct config *cfg);

/* Prints the options table (for --help). */
void config_usage(void);

#endif
