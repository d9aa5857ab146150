/*
 * write.h - the one path of a write: begin, refuse, finish.
 *
 *     if (write_begin(r) < 0) return;            // 503 when BEGIN fails
 *     struct outcome o;
 *     int rc = do_the_work(r, &o);               // 0, or refuse(&o, ...)
 *     if (write_finish(r, rc, &o) == 0)          // commit or roll back
 *         reply_thing(r, 201, id);               // only after a commit
 *
 * Work inside the transaction never answers the request: it returns
 * refuse(o, ERR_CONFLICT, "field", "why…") for a refusal a user can act
 * on, or refuse_db(o, db, "what") when SQLite failed, which logs SQLite's
 * message and maps it to 503 (disk full, busy, I/O) - the one place a
 * database failure becomes an answer.  write_finish() then rolls back and
 * answers the outcome, or commits and, if COMMIT fails, answers 503.
 */
#ifndef SHUCU_WRITE_H
#define SHUCU_WRITE_H

#include "req.h"

struct db;

/* A write refused inside its transaction: the error to answer with. */
struct outcome {
    enum http_err err;
    char field[64];
    char msg[1024];    /* a refused submit lists every missing answer */
    char msg_zh[1024]; /* the Chinese message (zh.h), "" when none is known */
};

/* Fills o; returns -1, for `return refuse(...)`. */
int refuse(struct outcome *o, enum http_err err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Rewrites o's Chinese message from the template of fmt (zh.h), the
 * English format refuse() was given, with other arguments: for an
 * argument whose Chinese is not its English, such as a list of fields:
 *     refuse(o, ERR_INVALID_FIELD, f, "still missing: %s", paths);
 *     refuse_zh(o, "still missing: %s", chinese_names); */
void refuse_zh(struct outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A validation failure (validate.h) as a refusal: 422 naming its field,
 * in both languages.  Returns -1. */
struct verr;
int refuse_verr(struct outcome *o, const struct verr *e);

/* A database failure while doing `what` ("campaign insert"): logs
 * SQLite's last error on db and fills o with 503.  Returns -1. */
int refuse_db(struct outcome *o, struct db *db, const char *what);

/* BEGIN IMMEDIATE on the request's connection.  0, or -1 after answering
 * 503. */
int write_begin(struct req *r);

/* Ends the transaction write_begin() began: rc < 0 rolls back and
 * answers o's error (returns -1); rc >= 0 commits and returns 0, the
 * caller then answering the success - unless COMMIT fails, which rolls
 * back, answers 503 and returns -1. */
int write_finish(struct req *r, int rc, const struct outcome *o);

/* Validates r->body against spec (validate.h); answers 422 naming the
 * field and returns -1 on failure. */
struct vfield;
int body_valid(struct req *r, const struct vfield *spec);
/* Answers 422 for a validation failure, in the client's language. */
void reply_verr(struct req *r, const struct verr *e);

#endif
