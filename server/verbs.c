/*
 * verbs.c - what shucud's command-line verbs share (see verbs.h).
 */
#include "verbs.h"

#include "auth.h"
#include "authority.h"
#include "config.h"
#include "db.h"
#include "instrument.h"
#include "load.h"
#include "regions.h"
#include "route.h"
#include "server.h"
#include "log.h"
#include "maint.h"
#include "need.h"
#include "org.h"
#include "people.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *arg_value(char **rest, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; rest[i]; i++) {
        if (strcmp(rest[i], name) == 0 && rest[i + 1])
            return rest[i + 1];
        if (strncmp(rest[i], name, n) == 0 && rest[i][n] == '=')
            return rest[i] + n + 1;
    }
    return NULL;
}

/* The i-th positional argument after the verb words, skipping flags. */
const char *positional(char **rest, int skip, int index)
{
    int k = 0;
    for (int i = skip; rest[i]; i++) {
        if (strncmp(rest[i], "--", 2) == 0) {
            /* a flag takes the next word as its value, but for the
             * switches that take none */
            if (!strchr(rest[i], '=') && rest[i + 1] && strcmp(rest[i], "--create-org") != 0)
                i++;
            continue;
        }
        if (k++ == index)
            return rest[i];
    }
    return NULL;
}

void ensure_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return;
    char *dir = xstrndup(path, (size_t)(slash - path));
    mkdir(dir, 0755);
    free(dir);
}

struct db *open_db(const struct config *cfg)
{
    ensure_parent_dir(cfg->db);
    return db_open(cfg->db);
}

/* The taxonomy, the regions and the instruments (the reference data
 * records are checked against); freed by unload_reference(). */
int load_taxonomy(const struct config *cfg)
{
    char err[512];
    if (tax_load(cfg->schemas, err, sizeof err) < 0 ||
        regions_load(cfg->schemas, err, sizeof err) < 0 ||
        instruments_load(cfg->schemas, err, sizeof err) < 0) {
        fprintf(stderr, "shucud: %s\n", err);
        return -1;
    }
    return 0;
}

void unload_reference(void)
{
    instruments_free();
    regions_free();
    tax_free();
}


int authority_cli_region(const struct config *cfg, struct db *db, const char *org_id,
                         const char *spec, const char *verb)
{
    if (!spec) {
        struct region_codes have;
        int rc = authority_get(db, org_id, &have);
        if (rc > 0)
            fprintf(stderr, "shucud %s: an authority names its region: --region 湖北省/武汉市[/江岸区]\n",
                    verb);
        return rc == 0 ? 0 : -1;
    }
    char err[512];
    if (regions_load(cfg->schemas, err, sizeof err) < 0) {
        fprintf(stderr, "shucud: %s\n", err);
        return -1;
    }
    struct region_codes rc;
    struct verr e;
    int ok = authority_region_parse(spec, "region", &rc, &e);
    if (ok < 0)
        fprintf(stderr, "shucud %s: --region: %s\n", verb, e.msg);
    else
        ok = authority_set(db, org_id, &rc);
    regions_free();
    return ok;
}
