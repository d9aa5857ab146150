/*
 * write.c - begin, refuse, finish (see write.h).
 */
#include "write.h"

#include "db.h"
#include "log.h"
#include "validate.h"
#include "zh.h"

#include <stdarg.h>
#include <stdio.h>

int refuse(struct outcome *o, enum http_err err, const char *field, const char *fmt, ...)
{
    o->err = err;
    snprintf(o->field, sizeof o->field, "%s", field ? field : "");
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    const char *tpl = zh_template(fmt);
    if (!tpl || zh_format(o->msg_zh, sizeof o->msg_zh, fmt, tpl, ap2) < 0)
        o->msg_zh[0] = '\0';
    va_end(ap2);
    va_end(ap);
    return -1;
}

void refuse_zh(struct outcome *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *tpl = zh_template(fmt);
    if (!tpl || zh_format(o->msg_zh, sizeof o->msg_zh, fmt, tpl, ap) < 0)
        o->msg_zh[0] = '\0';
    va_end(ap);
}

int refuse_verr(struct outcome *o, const struct verr *e)
{
    o->err = ERR_INVALID_FIELD;
    snprintf(o->field, sizeof o->field, "%s", e->field);
    snprintf(o->msg, sizeof o->msg, "%s", e->msg);
    snprintf(o->msg_zh, sizeof o->msg_zh, "%s", e->msg_zh);
    return -1;
}

int refuse_db(struct outcome *o, struct db *db, const char *what)
{
    db_note_write(db, 0);
    log_error("%s: %s", what, db ? sqlite3_errmsg(db_handle(db)) : "no database");
    return refuse(o, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
}

int write_begin(struct req *r)
{
    if (db_begin(r->w->db) == 0)
        return 0;
    reply_db_error(r, DB_WRITE);
    return -1;
}

int write_finish(struct req *r, int rc, const struct outcome *o)
{
    struct db *db = r->w->db;
    if (rc < 0) {
        db_rollback(db);
        reply_error_text(r, o->err, o->field[0] ? o->field : NULL, o->msg, o->msg_zh);
        return -1;
    }
    if (db_commit(db) < 0) { /* db_commit has rolled back */
        reply_db_error(r, DB_WRITE);
        return -1;
    }
    return 0;
}

int body_valid(struct req *r, const struct vfield *spec)
{
    struct verr e;
    if (validate(r->body, spec, &e) == 0)
        return 0;
    reply_verr(r, &e);
    return -1;
}

void reply_verr(struct req *r, const struct verr *e)
{
    reply_error_text(r, ERR_INVALID_FIELD, e->field, e->msg, e->msg_zh);
}
