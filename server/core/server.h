/*
 * server.h - the process: what every thread may read, and the serve verb.
 *
 * struct app is written once by server_run() (or a test harness) before
 * any worker starts and read-only afterwards, except the two atomics a
 * stop signal sets.
 */
#ifndef SHUCU_SERVER_H
#define SHUCU_SERVER_H

#include "config.h"

#include <stdatomic.h>

struct syn;
struct lexicon;
struct pinyin;

struct app {
    const struct config *cfg;
    struct syn *syn;          /* the synonym dictionary (query.h) */
    struct lexicon *lex;      /* the problem-phrase lexicon (lexicon.h) */
    struct pinyin *py;        /* characters that sound alike (pinyin.h) */
    unsigned data_tag;        /* FNV-1a of the data files loaded at start
                                 (synonyms, lexicon, pinyin): part of every
                                 search and match cache key, so a changed
                                 file never serves answers of the old one */
    double started;           /* util_monotonic() at start */
    atomic_int shutting_down;
    atomic_llong stop_at_us;  /* util_monotonic() of the stop signal, in µs */
};
extern struct app app;

/* Loads the vocabularies, migrates the database, listens, runs the
 * workers until SIGINT/SIGTERM and stops cleanly.  The exit status. */
int server_run(struct config *cfg);

#endif
