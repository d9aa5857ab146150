/*
 * db.c - SQLite connection setup, numbered migrations and a statement
 * cache (see db.h).
 *
 * Migrations are append-only: each entry of MIGRATIONS is applied once,
 * in order, inside one BEGIN IMMEDIATE transaction with the user_version
 * bump, so a crash mid-migration leaves the previous version intact and
 * two processes starting at once do not both migrate.
 *
 * Resources keep their taxonomy memberships as bitmasks (bit i = the i-th
 * code of schemas/taxonomy.json, whose order is therefore append-only):
 * filters with OR within a field become one bound integer and a fixed SQL
 * text, and facet counting is a pass over integers.
 */
#include "db.h"

#include "bm25.h"
#include "highlight.h"
#include "log.h"
#include "tokenizer.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 128

/* The columns of resources_hot (migration 5) as read from a resources
 * row, p being "" or "new.". */
#define HOT_COLS_OF(p)                                                                     \
    p "rid, " p "kind_bit, " p "industry_mask, " p "scenario_mask, " p "region_mask, " p  \
    "delivery_bit, " p "price_min, " p "level_from, " p "level_to, " p "deploy_days, " p \
    "rating_sum, " p "rating_count, " p "case_count"

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
};

/* The WAL-index header: two copies of 48 bytes at the start of the -shm
 * file (https://sqlite.org/walformat.html, "The WAL-Index Header").  Every
 * commit rewrites it (iChange, mxFrame, checksums), copy 2 first, then,
 * after a memory barrier, copy 1. */
#define WAL_HDR_BYTES 48

struct db {
    sqlite3 *h;
    struct stmt_slot slots[STMT_CACHE];
    /* db_generation()'s fast path: SQLite's own mapping of the -shm file,
     * the header as it was before the last generation read, and that read. */
    const unsigned char *shm;
    int shm_state; /* 0 not tried yet, 1 mapped, -1 not available */
    int snap_ok;
    unsigned char snap[WAL_HDR_BYTES];
    long long gen;
};

static const char *const MIGRATIONS[] = {
    /* 1: organisations, keys, resources and their full-text index. */
    "CREATE TABLE orgs ("
    "  rid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL UNIQUE,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  industries TEXT NOT NULL DEFAULT '[]',"
    "  regions TEXT NOT NULL DEFAULT '[]',"
    "  website TEXT,"
    "  industry_mask INTEGER NOT NULL DEFAULT 0,"
    "  region_mask INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE TABLE keys ("
    "  prefix TEXT PRIMARY KEY,"
    "  hash BLOB NOT NULL,"
    "  org_id TEXT NOT NULL REFERENCES orgs(id),"
    "  role TEXT NOT NULL CHECK (role IN ('enterprise','provider','center','admin')),"
    "  created_at TEXT NOT NULL,"
    "  revoked_at TEXT);"
    /* Small, hot columns first: the search join and facet scans read
     * them without touching the overflow pages of the long texts. */
    "CREATE TABLE resources ("
    "  rid INTEGER PRIMARY KEY,"
    "  status TEXT NOT NULL DEFAULT 'published',"
    "  kind_bit INTEGER NOT NULL,"
    "  industry_mask INTEGER NOT NULL,"
    "  scenario_mask INTEGER NOT NULL,"
    "  region_mask INTEGER NOT NULL,"
    "  delivery_bit INTEGER NOT NULL DEFAULT 0,"
    "  price_min REAL,"
    "  price_max REAL,"
    "  level_from INTEGER,"
    "  level_to INTEGER,"
    "  deploy_days INTEGER,"
    "  rating_sum INTEGER NOT NULL DEFAULT 0,"
    "  rating_count INTEGER NOT NULL DEFAULT 0,"
    "  case_count INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  id TEXT NOT NULL UNIQUE,"
    "  provider_id TEXT NOT NULL REFERENCES orgs(id),"
    "  external_id TEXT,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  provider_name TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  summary TEXT NOT NULL DEFAULT '',"
    "  tags TEXT NOT NULL DEFAULT '',"
    "  description TEXT NOT NULL DEFAULT '',"
    "  doc TEXT NOT NULL,"
    "  UNIQUE (provider_id, external_id));"
    "CREATE INDEX resources_live ON resources(status, rid);"
    "CREATE INDEX resources_provider ON resources(provider_id, rid);"
    /* The index covers only published resources: the view is its content
     * table, so 'rebuild' re-reads exactly what search may return. */
    "CREATE VIEW resources_published AS"
    "  SELECT rid, title, summary, description, tags, provider_name"
    "  FROM resources WHERE status = 'published';"
    "CREATE VIRTUAL TABLE resources_fts USING fts5("
    "  title, summary, description, tags, provider_name,"
    "  content='resources_published', content_rowid='rid',"
    "  tokenize='shucu', prefix='3');"
    "CREATE VIRTUAL TABLE resources_vocab USING fts5vocab(resources_fts, row);"
    "CREATE TRIGGER resources_ai AFTER INSERT ON resources"
    "  WHEN new.status = 'published' BEGIN"
    "  INSERT INTO resources_fts(rowid, title, summary, description, tags, provider_name)"
    "  VALUES (new.rid, new.title, new.summary, new.description, new.tags, new.provider_name);"
    "END;"
    "CREATE TRIGGER resources_ad AFTER DELETE ON resources"
    "  WHEN old.status = 'published' BEGIN"
    "  INSERT INTO resources_fts(resources_fts, rowid, title, summary, description, tags, provider_name)"
    "  VALUES ('delete', old.rid, old.title, old.summary, old.description, old.tags, old.provider_name);"
    "END;"
    "CREATE TRIGGER resources_au AFTER UPDATE OF title, summary, description, tags, provider_name, status"
    "  ON resources BEGIN"
    "  INSERT INTO resources_fts(resources_fts, rowid, title, summary, description, tags, provider_name)"
    "  SELECT 'delete', old.rid, old.title, old.summary, old.description, old.tags, old.provider_name"
    "  WHERE old.status = 'published';"
    "  INSERT INTO resources_fts(rowid, title, summary, description, tags, provider_name)"
    "  SELECT new.rid, new.title, new.summary, new.description, new.tags, new.provider_name"
    "  WHERE new.status = 'published';"
    "END;"
    /* Providers are searchable through their profile. */
    "CREATE VIRTUAL TABLE orgs_fts USING fts5(name, description,"
    "  content='orgs', content_rowid='rid', tokenize='shucu');"
    "CREATE TRIGGER orgs_ai AFTER INSERT ON orgs BEGIN"
    "  INSERT INTO orgs_fts(rowid, name, description) VALUES (new.rid, new.name, new.description);"
    "END;"
    "CREATE TRIGGER orgs_au AFTER UPDATE OF name, description ON orgs BEGIN"
    "  INSERT INTO orgs_fts(orgs_fts, rowid, name, description) VALUES ('delete', old.rid, old.name, old.description);"
    "  INSERT INTO orgs_fts(rowid, name, description) VALUES (new.rid, new.name, new.description);"
    "END;",
    /* 2: needs and their index, provider responses, and the
     * (industry, scenario) -> resource table that finds match
     * candidates by structure when a need shares no word with them. */
    "CREATE TABLE resource_is ("
    "  industry TEXT NOT NULL, scenario TEXT NOT NULL, rid INTEGER NOT NULL,"
    "  PRIMARY KEY (industry, scenario, rid)) WITHOUT ROWID;"
    "CREATE INDEX resource_is_rid ON resource_is(rid);"
    "INSERT OR IGNORE INTO resource_is SELECT i.value, s.value, r.rid FROM resources r,"
    "  json_each(r.doc, '$.industries') i, json_each(r.doc, '$.scenarios') s"
    "  WHERE r.status = 'published';"
    "CREATE TRIGGER resources_is_ai AFTER INSERT ON resources WHEN new.status = 'published' BEGIN"
    "  INSERT OR IGNORE INTO resource_is SELECT i.value, s.value, new.rid"
    "  FROM json_each(new.doc, '$.industries') i, json_each(new.doc, '$.scenarios') s;"
    "END;"
    "CREATE TRIGGER resources_is_au AFTER UPDATE OF doc, status ON resources BEGIN"
    "  DELETE FROM resource_is WHERE rid = old.rid;"
    "  INSERT OR IGNORE INTO resource_is SELECT i.value, s.value, new.rid"
    "  FROM json_each(new.doc, '$.industries') i, json_each(new.doc, '$.scenarios') s"
    "  WHERE new.status = 'published';"
    "END;"
    "CREATE TRIGGER resources_is_ad AFTER DELETE ON resources BEGIN"
    "  DELETE FROM resource_is WHERE rid = old.rid;"
    "END;"
    "CREATE TABLE needs ("
    "  nid INTEGER PRIMARY KEY,"
    "  status TEXT NOT NULL DEFAULT 'open',"
    "  industry_bit INTEGER NOT NULL,"
    "  scenario_mask INTEGER NOT NULL,"
    "  region_bit INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  id TEXT NOT NULL UNIQUE,"
    "  enterprise_id TEXT NOT NULL REFERENCES orgs(id),"
    "  enterprise_name TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  doc TEXT NOT NULL);"
    "CREATE INDEX needs_status ON needs(status, nid);"
    "CREATE INDEX needs_enterprise ON needs(enterprise_id, nid);"
    "CREATE VIRTUAL TABLE needs_fts USING fts5(title, description,"
    "  content='needs', content_rowid='nid', tokenize='shucu');"
    "CREATE TRIGGER needs_ai AFTER INSERT ON needs BEGIN"
    "  INSERT INTO needs_fts(rowid, title, description) VALUES (new.nid, new.title, new.description);"
    "END;"
    "CREATE TRIGGER needs_ad AFTER DELETE ON needs BEGIN"
    "  INSERT INTO needs_fts(needs_fts, rowid, title, description)"
    "  VALUES ('delete', old.nid, old.title, old.description);"
    "END;"
    "CREATE TRIGGER needs_au AFTER UPDATE OF title, description ON needs BEGIN"
    "  INSERT INTO needs_fts(needs_fts, rowid, title, description)"
    "  VALUES ('delete', old.nid, old.title, old.description);"
    "  INSERT INTO needs_fts(rowid, title, description) VALUES (new.nid, new.title, new.description);"
    "END;"
    "CREATE TABLE responses ("
    "  id TEXT PRIMARY KEY,"
    "  need_id TEXT NOT NULL REFERENCES needs(id),"
    "  provider_id TEXT NOT NULL REFERENCES orgs(id),"
    "  provider_name TEXT NOT NULL,"
    "  resource_id TEXT NOT NULL REFERENCES resources(id),"
    "  message TEXT NOT NULL DEFAULT '',"
    "  quote REAL,"
    "  status TEXT NOT NULL DEFAULT 'pending',"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (need_id, provider_id, resource_id));"
    "CREATE INDEX responses_need ON responses(need_id, created_at);",
    /* 3: campaigns (group procurement and batch upgrades), their
     * participants, the append-only revision log and resource reviews.
     * Hot columns first, as for resources.  deadline_at is the deadline
     * in Unix seconds (a bare date means the end of that day, UTC), so
     * the once-a-second close-due check is one index range. */
    "CREATE TABLE campaigns ("
    "  cid INTEGER PRIMARY KEY,"
    "  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','open','succeeded',"
    "    'failed','contracted','implementing','completed','cancelled')),"
    "  deadline_at INTEGER NOT NULL,"
    "  min_participants INTEGER NOT NULL,"
    "  max_participants INTEGER,"
    "  industry TEXT NOT NULL,"
    "  region TEXT,"
    "  scenario_mask INTEGER NOT NULL,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  id TEXT NOT NULL UNIQUE,"
    "  center_id TEXT NOT NULL REFERENCES orgs(id),"
    "  center_name TEXT NOT NULL,"
    "  resource_id TEXT NOT NULL REFERENCES resources(id),"
    "  deadline TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  scenarios TEXT NOT NULL,"
    "  tiers TEXT NOT NULL,"
    "  doc TEXT NOT NULL);"
    "CREATE INDEX campaigns_due ON campaigns(status, deadline_at);"
    "CREATE INDEX campaigns_resource ON campaigns(resource_id);"
    "CREATE TABLE participants ("
    "  pid INTEGER PRIMARY KEY,"
    "  campaign_id TEXT NOT NULL REFERENCES campaigns(id),"
    "  org_id TEXT NOT NULL REFERENCES orgs(id),"
    "  org_name TEXT NOT NULL,"
    "  need_id TEXT REFERENCES needs(id),"
    "  status TEXT NOT NULL DEFAULT 'joined' CHECK (status IN ('joined','contracted',"
    "    'implementing','accepted','withdrawn')),"
    "  level_before INTEGER CHECK (level_before BETWEEN 1 AND 4),"
    "  level_after INTEGER CHECK (level_after BETWEEN 1 AND 4),"
    "  joined_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (campaign_id, org_id));"
    "CREATE INDEX participants_org ON participants(org_id);"
    /* org_id names the participant a revision is about (NULL: the
     * campaign itself); by_org is NULL when by_role is 'system'. */
    "CREATE TABLE revisions ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id TEXT NOT NULL REFERENCES campaigns(id),"
    "  org_id TEXT,"
    "  at TEXT NOT NULL,"
    "  by_org TEXT,"
    "  by_name TEXT,"
    "  by_role TEXT NOT NULL,"
    "  from_status TEXT,"
    "  to_status TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX revisions_campaign ON revisions(campaign_id, id);"
    "CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions BEGIN"
    "  SELECT RAISE(ABORT, 'revisions are append-only');"
    "END;"
    "CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions BEGIN"
    "  SELECT RAISE(ABORT, 'revisions are append-only');"
    "END;"
    /* A review is tied to one campaign or one need; the unique index
     * folds NULL to '' because UNIQUE treats NULLs as all distinct. */
    "CREATE TABLE reviews ("
    "  rvid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  resource_id TEXT NOT NULL REFERENCES resources(id),"
    "  enterprise_id TEXT NOT NULL REFERENCES orgs(id),"
    "  enterprise_name TEXT NOT NULL,"
    "  campaign_id TEXT REFERENCES campaigns(id),"
    "  need_id TEXT REFERENCES needs(id),"
    "  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
    "  text TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL,"
    "  CHECK ((campaign_id IS NULL) <> (need_id IS NULL)));"
    "CREATE UNIQUE INDEX reviews_once ON reviews(enterprise_id, resource_id,"
    "  coalesce(campaign_id, ''), coalesce(need_id, ''));"
    "CREATE INDEX reviews_resource ON reviews(resource_id, rvid);",
    /* 4: the cache generation.  Every write to a table that search or
     * match results are made of bumps it inside the write's own
     * transaction, so a cached answer keyed by the generation can never
     * outlive the data it was computed from, whatever Redis saw. */
    "CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO meta VALUES ('gen', 1);"
    "CREATE TRIGGER gen_orgs_i AFTER INSERT ON orgs BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_orgs_u AFTER UPDATE ON orgs BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_orgs_d AFTER DELETE ON orgs BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_resources_i AFTER INSERT ON resources BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_resources_u AFTER UPDATE ON resources BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_resources_d AFTER DELETE ON resources BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_needs_i AFTER INSERT ON needs BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_needs_u AFTER UPDATE ON needs BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    "CREATE TRIGGER gen_needs_d AFTER DELETE ON needs BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;",
    /* 5: the columns that search's facet pass and matching read for
     * every candidate, for published resources only, in a table of their
     * own (~40 bytes a row, ~100 rows a page).  Read through `resources`
     * they cost about one page per row, since each row also holds the
     * description and the whole document; see docs/design.md. */
    "CREATE TABLE resources_hot ("
    "  rid INTEGER PRIMARY KEY,"
    "  kind_bit INTEGER NOT NULL,"
    "  industry_mask INTEGER NOT NULL,"
    "  scenario_mask INTEGER NOT NULL,"
    "  region_mask INTEGER NOT NULL,"
    "  delivery_bit INTEGER NOT NULL,"
    "  price_min REAL,"
    "  level_from INTEGER,"
    "  level_to INTEGER,"
    "  deploy_days INTEGER,"
    "  rating_sum INTEGER NOT NULL,"
    "  rating_count INTEGER NOT NULL,"
    "  case_count INTEGER NOT NULL);"
    "INSERT INTO resources_hot SELECT " HOT_COLS_OF("") " FROM resources"
    "  WHERE status = 'published';"
    "CREATE TRIGGER resources_hot_ai AFTER INSERT ON resources"
    "  WHEN new.status = 'published' BEGIN"
    "  INSERT INTO resources_hot VALUES (" HOT_COLS_OF("new.") ");"
    "END;"
    "CREATE TRIGGER resources_hot_au AFTER UPDATE ON resources BEGIN"
    "  DELETE FROM resources_hot WHERE rid = old.rid AND new.status <> 'published';"
    "  INSERT OR REPLACE INTO resources_hot SELECT " HOT_COLS_OF("new.")
    "  WHERE new.status = 'published';"
    "END;"
    "CREATE TRIGGER resources_hot_ad AFTER DELETE ON resources BEGIN"
    "  DELETE FROM resources_hot WHERE rid = old.rid;"
    "END;"
    /* INSERT OR REPLACE deletes the old row without firing delete
     * triggers: refuse an insert over an existing revision too. */
    "CREATE TRIGGER revisions_no_replace BEFORE INSERT ON revisions"
    "  WHEN EXISTS (SELECT 1 FROM revisions WHERE id = new.id) BEGIN"
    "  SELECT RAISE(ABORT, 'revisions are append-only');"
    "END;",
};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

static long long generation_read(struct db *db)
{
    static const char SQL[] = "SELECT v FROM meta WHERE k = 'gen'";
    sqlite3_stmt *st = db_stmt(db, SQL);
    long long g = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        g = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return g;
}

/* SQLite's mapping of the first -shm region, through the VFS's xShmMap
 * (never our own descriptor: closing one would drop SQLite's POSIX locks
 * on the file).  NULL when the database is not in WAL mode with shared
 * memory, e.g. a VFS without it. */
static const unsigned char *shm_map(struct db *db)
{
    sqlite3_stmt *st = db_stmt(db, "PRAGMA journal_mode");
    int wal = st && sqlite3_step(st) == SQLITE_ROW &&
              sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    if (st)
        sqlite3_reset(st);
    sqlite3_file *f = NULL;
    if (!wal || sqlite3_file_control(db->h, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
        !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
        return NULL;
    volatile void *p = NULL;
    if (f->pMethods->xShmMap(f, 0, 32768, 0, &p) != SQLITE_OK || !p)
        return NULL;
    return (const unsigned char *)p;
}

/* The generation changes only in a commit, and every commit rewrites the
 * WAL-index header, so while the header is what it was before the last read
 * (both copies equal: no commit half-way), that read still holds.  This
 * saves a read transaction (its WAL lock is fcntl calls) on each cached
 * answer.  Reading the header before the generation makes a commit between
 * the two show up as a changed header next time: a needless read, never a
 * stale generation. */
long long db_generation(struct db *db)
{
    unsigned char h1[WAL_HDR_BYTES], h2[WAL_HDR_BYTES];
    int consistent = 0;
    if (db->shm) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        memcpy(h1, db->shm, WAL_HDR_BYTES);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        memcpy(h2, db->shm + WAL_HDR_BYTES, WAL_HDR_BYTES);
        consistent = memcmp(h1, h2, WAL_HDR_BYTES) == 0;
        if (consistent && db->snap_ok && memcmp(h1, db->snap, WAL_HDR_BYTES) == 0)
            return db->gen;
    }
    long long g = generation_read(db);
    if (db->shm_state == 0 && g >= 0) {
        db->shm = shm_map(db); /* after a read: the -shm file is open */
        db->shm_state = db->shm ? 1 : -1;
        return g; /* no header was read before this one */
    }
    /* Inside a transaction the read shows the transaction's snapshot,
     * which may be older than the header: no snapshot then. */
    db->snap_ok = consistent && g >= 0 && sqlite3_get_autocommit(db->h);
    if (db->snap_ok) {
        memcpy(db->snap, h1, WAL_HDR_BYTES);
        db->gen = g;
    }
    return g;
}

int db_hot_rebuild(struct db *db)
{
    return db_exec(db, "DELETE FROM resources_hot;"
                       "INSERT INTO resources_hot SELECT " HOT_COLS_OF("") " FROM resources"
                       " WHERE status = 'published'");
}

long db_hot_mismatches(struct db *db)
{
    static const char SQL[] =
        "SELECT (SELECT count(*) FROM (SELECT " HOT_COLS_OF("") " FROM resources"
        "  WHERE status = 'published' EXCEPT SELECT * FROM resources_hot))"
        " + (SELECT count(*) FROM (SELECT * FROM resources_hot EXCEPT SELECT " HOT_COLS_OF("")
        "  FROM resources WHERE status = 'published'))";
    sqlite3_stmt *st = db_stmt(db, SQL);
    long n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}

int db_schema_version(void)
{
    return NMIGRATIONS;
}

sqlite3 *db_handle(struct db *db)
{
    return db->h;
}

int db_exec(struct db *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &err) != SQLITE_OK) {
        log_error("sqlite: %s (in: %.80s)", err ? err : "?", sql);
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static int db_user_version(struct db *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

static int db_migrate(struct db *db)
{
    if (db_exec(db, "BEGIN IMMEDIATE") < 0)
        return -1;
    int v = db_user_version(db);
    if (v < 0)
        goto fail;
    if (v > NMIGRATIONS) {
        log_error("database schema version %d is newer than this shucud (%d); upgrade shucud",
                  v, NMIGRATIONS);
        goto fail;
    }
    for (int i = v; i < NMIGRATIONS; i++) {
        log_info("applying schema migration %d", i + 1);
        if (db_exec(db, MIGRATIONS[i]) < 0)
            goto fail;
    }
    if (v < NMIGRATIONS) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", NMIGRATIONS);
        if (db_exec(db, sql) < 0)
            goto fail;
    }
    return db_exec(db, "COMMIT");
fail:
    db_exec(db, "ROLLBACK");
    return -1;
}

struct db *db_open(const char *path)
{
    struct db *db = xcalloc(1, sizeof *db);
    int rc = sqlite3_open_v2(path, &db->h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        log_error("cannot open database %s: %s", path,
                  db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    if (tok_register(db->h) != SQLITE_OK || hl_register(db->h) != SQLITE_OK ||
        bm25_register(db->h) != SQLITE_OK) {
        log_error("cannot register the shucu tokenizer and functions: %s", sqlite3_errmsg(db->h));
        goto fail;
    }
    if (db_exec(db, "PRAGMA journal_mode=WAL") < 0 ||
        db_exec(db, "PRAGMA synchronous=FULL") < 0 ||
        db_exec(db, "PRAGMA foreign_keys=ON") < 0 ||
        db_exec(db, "PRAGMA temp_store=MEMORY") < 0 ||
        db_exec(db, "PRAGMA cache_size=-32000") < 0)
        goto fail;
    if (db_migrate(db) < 0) {
        log_error("cannot migrate database %s", path);
        goto fail;
    }
    return db;
fail:
    db_close(db);
    return NULL;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (int i = 0; i < STMT_CACHE; i++)
        sqlite3_finalize(db->slots[i].st);
    sqlite3_close(db->h);
    free(db);
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
    for (size_t n = 0; n < STMT_CACHE; n++, h = (h + 1) % STMT_CACHE) {
        struct stmt_slot *s = &db->slots[h];
        if (s->sql == sql) {
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
            return s->st;
        }
        if (!s->sql) {
            if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                   &s->st, NULL) != SQLITE_OK) {
                log_error("sqlite prepare: %s (in: %.120s)", sqlite3_errmsg(db->h), sql);
                sqlite3_finalize(s->st);
                s->st = NULL;
                return NULL;
            }
            s->sql = sql;
            return s->st;
        }
    }
    log_error("statement cache full");
    abort();
}

int db_begin(struct db *db)
{
    static const char SQL[] = "BEGIN IMMEDIATE";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("begin: %s", sqlite3_errmsg(db->h));
        return -1;
    }
    return 0;
}

int db_commit(struct db *db)
{
    static const char SQL[] = "COMMIT";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("commit: %s", sqlite3_errmsg(db->h));
        db_rollback(db);
        return -1;
    }
    return 0;
}

int db_read_begin(struct db *db)
{
    static const char SQL[] = "BEGIN DEFERRED";
    if (!sqlite3_get_autocommit(db->h))
        return -1; /* already in a transaction: leave it to its owner */
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

void db_read_end(struct db *db)
{
    static const char SQL[] = "COMMIT";
    if (sqlite3_get_autocommit(db->h))
        return;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (!sqlite3_get_autocommit(db->h))
        db_rollback(db);
}

void db_rollback(struct db *db)
{
    if (sqlite3_get_autocommit(db->h))
        return;
    static const char SQL[] = "ROLLBACK";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

int64_t db_size(struct db *db)
{
    static const char SQL[] =
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
    sqlite3_stmt *st = db_stmt(db, SQL);
    int64_t n = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}
