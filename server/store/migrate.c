/*
 * migrate.c - the schema, as numbered migrations (db.h applies them).
 *
 * Append-only: entry i is migration i+1 and runs once, in the transaction
 * that opens a database older than it (PRAGMA user_version counts what
 * has run).  Never edit an entry that has shipped; add one.  The longer
 * later ones live in files of their own: migrate_projects.c (projects,
 * tickets, outcomes, cases) and migrate_feed.c (the authority role, report
 * targets and the change feed).
 */
#include "migrate.h"

#include <stddef.h>

const char *const MIGRATIONS[] = {
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
    /* 6 (issue 23): the database's identity, a random 63-bit number that
     * every cache key holds beside the generation.  A new file gets its
     * own; `shucud restore` gives the restored file a new one, so answers
     * cached for another file, or for this one before a restore, are
     * never read. */
    "INSERT OR IGNORE INTO meta VALUES ('id', random() & 9223372036854775807);",
    /* 7 (issue 18): enterprise files (建档立卡), assessments (评估诊断)
     * and needs made from an assessment's gaps.  Every statement only adds
     * (IF NOT EXISTS, OR IGNORE), so the migration may run again over its
     * own objects.
     *
     * A file is a table of its own keyed by the organisation, not columns
     * on orgs: providers, centers and admins have no file, the file has
     * its own version (If-Match on PUT) and its own indexes for the
     * register's filters, and orgs stays the small public profile.
     * Every organisation with an enterprise key has a file (the trigger
     * and the backfill below), so the register lists every enterprise
     * and "has a file" is what makes an organisation an enterprise to the
     * API.  level, assessed_at and assessment_id are those of the latest
     * verified assessment, written in the verifying transaction.  The two
     * tables of a file are always written together (enterprise.c).
     *
     * An assessment keeps its answers, evidence and scene steps as given
     * and its total, level, points per question and level checks as the
     * server computed them at its last write (points and checks in the
     * compact form of instrument.h: the JSON would take a 4 KB page per
     * assessment), so a verified level stays what it was verified as even
     * if the instrument file is corrected later.  Its revisions are
     * append-only, like campaigns', with who did it in the columns of
     * auth_actor_json() (created_by and verified_by are read from them)
     * and the scene corrections of a verification in detail.  A
     * verification changes the levels matching reads, so it bumps the
     * data generation. */
    "CREATE TABLE IF NOT EXISTS enterprise_files ("
    "  fid INTEGER PRIMARY KEY,"
    "  org_id TEXT NOT NULL UNIQUE REFERENCES orgs(id),"
    "  org_rid INTEGER NOT NULL,"
    "  province_code TEXT,"
    "  city_code TEXT,"
    "  district_code TEXT,"
    "  industry TEXT,"
    "  size TEXT,"
    "  above_scale INTEGER,"
    "  level INTEGER CHECK (level BETWEEN 0 AND 9));"
    "CREATE INDEX IF NOT EXISTS enterprise_files_district ON enterprise_files(district_code, fid);"
    "CREATE INDEX IF NOT EXISTS enterprise_files_city ON enterprise_files(city_code, fid);"
    "CREATE INDEX IF NOT EXISTS enterprise_files_industry ON enterprise_files(industry, fid);"
    "CREATE INDEX IF NOT EXISTS enterprise_files_level ON enterprise_files(level, fid);"
    /* The rest of a file, read only for the rows a page shows: the
     * register's filters scan the narrow table above (about 60 bytes a
     * row), as search's facets scan resources_hot. */
    "CREATE TABLE IF NOT EXISTS enterprise_file_docs ("
    "  org_id TEXT PRIMARY KEY REFERENCES orgs(id),"
    "  uscc TEXT UNIQUE,"
    "  assessed_at TEXT,"
    "  assessment_id TEXT,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  doc TEXT NOT NULL DEFAULT '{}');"
    "INSERT OR IGNORE INTO enterprise_files(org_id, org_rid)"
    "  SELECT DISTINCT k.org_id, o.rid FROM keys k JOIN orgs o ON o.id = k.org_id"
    "  WHERE k.role = 'enterprise';"
    "INSERT OR IGNORE INTO enterprise_file_docs(org_id, created_at, updated_at)"
    "  SELECT org_id, min(created_at), min(created_at) FROM keys"
    "  WHERE role = 'enterprise' GROUP BY org_id;"
    KEYS_ENTERPRISE_FILE
    "CREATE TABLE IF NOT EXISTS assessments ("
    "  aid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  org_id TEXT NOT NULL REFERENCES orgs(id),"
    "  instrument TEXT NOT NULL,"
    "  mode TEXT NOT NULL CHECK (mode IN ('self','onsite')),"
    "  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','submitted','verified')),"
    "  total REAL NOT NULL DEFAULT 0,"
    "  level INTEGER NOT NULL DEFAULT 0,"
    "  creator_org TEXT NOT NULL,"
    "  submitted_at TEXT,"
    "  verified_at TEXT,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  note TEXT,"
    "  answers TEXT NOT NULL DEFAULT '{}',"
    "  evidence TEXT NOT NULL DEFAULT '{}',"
    "  scenes TEXT NOT NULL DEFAULT '{}',"
    "  points TEXT NOT NULL,"
    "  checks TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS assessments_org ON assessments(org_id, aid);"
    "CREATE INDEX IF NOT EXISTS assessments_status ON assessments(status, aid);"
    "CREATE TABLE IF NOT EXISTS assessment_revisions ("
    "  id INTEGER PRIMARY KEY,"
    "  assessment_id TEXT NOT NULL REFERENCES assessments(id),"
    "  at TEXT NOT NULL,"
    "  by_org TEXT NOT NULL,"
    "  by_name TEXT NOT NULL,"
    "  by_role TEXT NOT NULL,"
    "  by_user TEXT,"
    "  by_user_name TEXT,"
    "  by_key TEXT,"
    "  from_status TEXT,"
    "  to_status TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  detail TEXT);"
    "CREATE INDEX IF NOT EXISTS assessment_revisions_of ON assessment_revisions(assessment_id, id);"
    "CREATE TRIGGER IF NOT EXISTS assessment_revisions_no_update BEFORE UPDATE ON assessment_revisions BEGIN"
    "  SELECT RAISE(ABORT, 'revisions are append-only');"
    "END;"
    "CREATE TRIGGER IF NOT EXISTS assessment_revisions_no_delete BEFORE DELETE ON assessment_revisions BEGIN"
    "  SELECT RAISE(ABORT, 'revisions are append-only');"
    "END;"
    "CREATE TRIGGER IF NOT EXISTS assessment_revisions_no_replace BEFORE INSERT ON assessment_revisions"
    "  WHEN EXISTS (SELECT 1 FROM assessment_revisions WHERE id = new.id) BEGIN"
    "  SELECT RAISE(ABORT, 'revisions are append-only');"
    "END;"
    "CREATE TRIGGER IF NOT EXISTS gen_assessments_verified AFTER UPDATE OF status ON assessments"
    "  WHEN new.status = 'verified' OR old.status = 'verified' BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;"
    /* A need made by POST /v1/assessments/{id}/needs names its assessment
     * (a table of its own rather than a column on needs, so that this
     * migration only adds objects and can run again over them); such
     * needs start in status 'draft' (seen by the enterprise and centers
     * only, never matched in reverse, clustered or counted as open) until
     * the enterprise patches them to 'open'. */
    "CREATE TABLE IF NOT EXISTS need_assessments ("
    "  need_id TEXT PRIMARY KEY REFERENCES needs(id),"
    "  assessment_id TEXT NOT NULL REFERENCES assessments(id)) WITHOUT ROWID;",
    /* ---- issue 21: people, sessions, the inbox, webhooks, contacts,
     * and "who did it" on every record that keeps a "by".  Roles are
     * checked in C (a fifth role is one row of the role tables), so no
     * CHECK lists them here. */
    /* 8: users of an organisation, acting in its role; passwords only as
     * Argon2id strings (libsodium); sessions only as SHA-256 hashes of
     * their tokens; failed logins per account and per address (shared
     * by every process on the file, so a lockout holds everywhere). */
    "CREATE TABLE users ("
    "  uid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  org_id TEXT NOT NULL REFERENCES orgs(id),"
    "  role TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  phone TEXT UNIQUE,"
    "  email TEXT UNIQUE,"
    "  pw_hash TEXT NOT NULL,"
    "  org_admin INTEGER NOT NULL DEFAULT 0,"
    "  must_change INTEGER NOT NULL DEFAULT 0,"
    "  disabled_at TEXT,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL,"
    "  created_by TEXT,"
    "  CHECK (phone IS NOT NULL OR email IS NOT NULL));"
    "CREATE INDEX users_org ON users(org_id, uid);"
    "CREATE TABLE sessions ("
    "  sid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  hash BLOB NOT NULL UNIQUE,"
    "  user_id TEXT NOT NULL REFERENCES users(id),"
    "  created_at TEXT NOT NULL,"
    "  seen_at TEXT NOT NULL,"
    "  seen_unix INTEGER NOT NULL,"
    "  expires_unix INTEGER NOT NULL,"
    "  hard_expires_unix INTEGER NOT NULL,"
    "  revoked_at TEXT,"
    "  addr TEXT NOT NULL DEFAULT '',"
    "  agent TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX sessions_user ON sessions(user_id, sid);"
    "CREATE TABLE login_failures ("
    "  k TEXT PRIMARY KEY,"
    "  fails INTEGER NOT NULL,"
    "  window_start INTEGER NOT NULL,"
    "  locked_until INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    /* the inbox (站内信), one per organisation; payload is JSON */
    "CREATE TABLE notifications ("
    "  nid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  org_id TEXT NOT NULL REFERENCES orgs(id),"
    "  kind TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  read_at TEXT,"
    "  read_by TEXT);"
    "CREATE INDEX notifications_org ON notifications(org_id, nid);"
    "CREATE INDEX notifications_unread ON notifications(org_id) WHERE read_at IS NULL;"
    /* webhooks per organisation and their deliveries, written in the
     * notification's own transaction; attempts are the delivery log */
    "CREATE TABLE webhooks ("
    "  wid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  org_id TEXT NOT NULL REFERENCES orgs(id),"
    "  url TEXT NOT NULL,"
    "  secret TEXT NOT NULL,"
    "  format TEXT NOT NULL DEFAULT 'json',"
    "  kinds TEXT NOT NULL DEFAULT '[]',"
    "  created_at TEXT NOT NULL,"
    "  created_by TEXT,"
    "  disabled_at TEXT);"
    "CREATE INDEX webhooks_org ON webhooks(org_id, wid);"
    "CREATE TABLE webhook_deliveries ("
    "  did INTEGER PRIMARY KEY,"
    "  webhook_id TEXT NOT NULL REFERENCES webhooks(id),"
    "  notification_id TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'pending',"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_ms INTEGER NOT NULL,"
    "  lease_ms INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL,"
    "  delivered_at TEXT);"
    "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_ms);"
    "CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, did);"
    "CREATE TABLE webhook_attempts ("
    "  id INTEGER PRIMARY KEY,"
    "  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(did),"
    "  at TEXT NOT NULL,"
    "  http_status INTEGER,"
    "  error TEXT NOT NULL DEFAULT '',"
    "  ms INTEGER NOT NULL);"
    "CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);"
    /* contacts of an organisation (private, see docs/api.md) */
    "ALTER TABLE orgs ADD COLUMN contact TEXT;"
    /* who did it (auth_actor_json) on the records that keep a "by" */
    "ALTER TABLE revisions ADD COLUMN actor TEXT;"
    "ALTER TABLE reviews ADD COLUMN actor TEXT;"
    "ALTER TABLE responses ADD COLUMN actor TEXT;"
    "ALTER TABLE responses ADD COLUMN accepted_by TEXT;"
    /* the provider confirms a campaign's tier prices before it opens */
    "ALTER TABLE campaigns ADD COLUMN confirmed_at TEXT;"
    "ALTER TABLE campaigns ADD COLUMN confirmed_by TEXT;"
    "ALTER TABLE campaigns ADD COLUMN confirmed_tiers TEXT;",
    /* 9 (issue 23): the key organisation names are compared by (names.h:
     * NFKC, no invisible characters, collapsed white space, lower case),
     * so that "provider_orgA " or full-width letters cannot pass for
     * another organisation.  Filled by C on open (db.c), which SQL cannot
     * compute; unique in practice because every create and rename checks
     * it inside its write transaction. */
    "ALTER TABLE orgs ADD COLUMN name_key TEXT;"
    "CREATE INDEX orgs_name_key ON orgs(name_key);",
    MIGRATION_PROJECTS, /* 10 (issue 19): migrate_projects.c */
    MIGRATION_FEED,     /* 11 (issue 20): migrate_feed.c */
    MIGRATION_FEED_PROJECTS, /* 12: migrate_feed.c */
    /* 13 (issue 24): search ranks with each row's length from memory
     * (corpus.c), not from a join to resources_fts_docsize per matching
     * row.  A worker keeps the lengths of the rows it has read and, when
     * the data changes, reads the rows added since (rids above the
     * largest it knows) and the rows this log names: every update of an
     * indexed column and every delete (a reused rid is unknown, not
     * wrong: it falls back to FTS5's own length).  rid -1 says "read
     * everything again" (a rebuild of the index: db.c, shucud reindex).
     * Inserts are not logged, so a bulk import writes nothing more. */
    "CREATE TABLE resources_len_log (seq INTEGER PRIMARY KEY, rid INTEGER NOT NULL);"
    "CREATE TRIGGER resources_len_u AFTER UPDATE OF title, summary, description, tags,"
    "  provider_name, status ON resources BEGIN"
    "  INSERT INTO resources_len_log(rid) VALUES (old.rid);"
    "END;"
    "CREATE TRIGGER resources_len_d AFTER DELETE ON resources BEGIN"
    "  INSERT INTO resources_len_log(rid) VALUES (old.rid);"
    "END;"
    /* Bulk mode (resource.c): while a batch's row ('bulk', 1) is in meta,
     * its transaction fills resource_is for the whole batch and bumps the
     * generation once, so these two per-row triggers stand aside. */
    "DROP TRIGGER resources_is_ai;"
    "CREATE TRIGGER resources_is_ai AFTER INSERT ON resources WHEN new.status = 'published'"
    "  AND NOT EXISTS (SELECT 1 FROM meta WHERE k = 'bulk') BEGIN"
    "  INSERT OR IGNORE INTO resource_is SELECT i.value, s.value, new.rid"
    "  FROM json_each(new.doc, '$.industries') i, json_each(new.doc, '$.scenarios') s;"
    "END;"
    "DROP TRIGGER gen_resources_i;"
    "CREATE TRIGGER gen_resources_i AFTER INSERT ON resources"
    "  WHEN NOT EXISTS (SELECT 1 FROM meta WHERE k = 'bulk') BEGIN"
    "  UPDATE meta SET v = v + 1 WHERE k = 'gen';"
    "END;",
    MIGRATION_REPORTS, /* 14 (issue 20): migrate_feed.c */
};

const int migrations_count = (int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]);
