/*
 * assessbench.c - issue 18's benchmark helpers, linked with the server's
 * own code (server/ and index/, as the unit tests are), so what they time
 * and write is exactly what shucud does.
 *
 *   assessbench score [--schemas DIR] [--n N] [--reps R]
 *       Scores N random assessments (answers to every question, a step
 *       for every scene) R times under the shipped instrument, as a write
 *       does: instrument_check, instrument_score, and the score and
 *       level_check JSON dumped as stored.  Prints key=value lines:
 *       score_us_mean/p50/p99 (instrument_score alone) and
 *       write_us_mean/p50/p99 (check + score + both JSON texts).
 *
 *   assessbench load --db PATH [--schemas DIR] [--enterprises E] [--assessments A]
 *       Creates E enterprises (an organisation each and a file: GB/T 2260
 *       district, mostly 湖北省, industry, size, 规上) and A assessments
 *       through the record functions the API uses (enterprise.h,
 *       assessment.h): for each enterprise, all but its last assessment
 *       submitted and verified by a center (so its file has a level), the
 *       last one a draft or submitted.  Names mix a city, a brand, a
 *       trade and a company form, so a name search finds many (精工,
 *       机械) or few.  Prints load_s=, enterprises=, assessments=.
 *       --no-feed drops the change feed's triggers first (issue 20): the
 *       same load without them measures what the feed adds to writes.
 *
 * Deterministic: one xorshift generator seeded with 2026.
 */
#include "assessment.h"
#include "auth.h"
#include "db.h"
#include "enterprise.h"
#include "instrument.h"
#include "org.h"
#include "regions.h"
#include "taxonomy.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t seed = 2026;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

static void die(const char *msg)
{
    fprintf(stderr, "assessbench: %s\n", msg);
    exit(1);
}

/* Answers and scenes of an enterprise of maturity m (0..1). */
static void random_assessment(const struct instrument *in, double m, json_t **answers,
                              json_t **scenes)
{
    *answers = json_object();
    *scenes = json_object();
    for (int i = 0; i < in->nq; i++) {
        const struct instr_question *q = &in->q[i];
        json_t *a = json_array();
        double x = m + (double)(pick(41) - 20) / 100.0;
        if (!q->multi) {
            int k = (int)(x * (q->nopt - 1) + 0.5);
            k = k < 0 ? 0 : k >= q->nopt ? q->nopt - 1 : k;
            char id[2] = {q->opt[k].id, 0};
            json_array_append_new(a, json_string(id));
        } else {
            for (int k = 0; k < q->nopt; k++) {
                if (q->opt[k].exclusive || pick(100) >= (int)(x * 100))
                    continue;
                char id[2] = {q->opt[k].id, 0};
                json_array_append_new(a, json_string(id));
            }
            if (!json_array_size(a))
                for (int k = 0; k < q->nopt; k++)
                    if (q->opt[k].exclusive) {
                        char id[2] = {q->opt[k].id, 0};
                        json_array_append_new(a, json_string(id));
                    }
        }
        json_object_set_new(*answers, q->code, a);
    }
    for (int s = 0; s < in->ns; s++) {
        int step = (int)(m * 4 + (pick(3) - 1) * 0.8 + 0.5);
        json_object_set_new(*scenes, in->s[s].code, json_integer(step < 0 ? 0 : step > 4 ? 4 : step));
    }
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void stats(const char *name, double *v, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    qsort(v, (size_t)n, sizeof *v, dbl_cmp);
    printf("%s_us_mean=%.4f\n%s_us_p50=%.4f\n%s_us_p99=%.4f\n", name, sum / n, name, v[n / 2], name,
           v[(int)(n * 0.99)]);
}

static int cmd_score(int argc, char **argv)
{
    int n = atoi(arg(argc, argv, "--n", "20000")), reps = atoi(arg(argc, argv, "--reps", "3"));
    if (n < 1 || reps < 1)
        die("--n and --reps must be positive");
    const struct instrument *in = instruments_at(0);
    json_t **ans = xcalloc((size_t)n, sizeof *ans), **sc = xcalloc((size_t)n, sizeof *sc);
    for (int i = 0; i < n; i++)
        random_assessment(in, (double)pick(101) / 100.0, &ans[i], &sc[i]);
    double *t1 = xcalloc((size_t)n * (size_t)reps, sizeof *t1), *t2 = xcalloc((size_t)n * (size_t)reps, sizeof *t2);
    long levels[10] = {0};
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < n; i++) {
            struct instr_score s;
            struct verr e;
            double a = now_us();
            instrument_score(in, ans[i], sc[i], &s);
            double b = now_us();
            if (instrument_check(in, ans[i], NULL, sc[i], &e) < 0)
                die(e.msg);
            instrument_score(in, ans[i], sc[i], &s);
            json_t *sj = instrument_score_json(in, &s), *cj = instrument_checks_json(in, &s);
            char *x = json_dumps(sj, JSON_COMPACT), *y = json_dumps(cj, JSON_COMPACT);
            double c = now_us();
            free(x);
            free(y);
            json_decref(sj);
            json_decref(cj);
            t1[r * n + i] = b - a;
            t2[r * n + i] = c - b;
            if (r == 0)
                levels[s.level]++;
        }
    printf("assessments=%d\nreps=%d\n", n, reps);
    stats("score", t1, n * reps);
    stats("write", t2, n * reps);
    printf("levels=%ld,%ld,%ld,%ld,%ld\n", levels[0], levels[1], levels[2], levels[3], levels[4]);
    for (int i = 0; i < n; i++) {
        json_decref(ans[i]);
        json_decref(sc[i]);
    }
    free(ans);
    free(sc);
    free(t1);
    free(t2);
    return 0;
}

static const char *const CITY[] = {"武汉", "孝感", "宜昌", "襄阳", "荆州", "黄冈", "十堰", "鄂州",
                                   "咸宁", "随州", "荆门", "黄石", "长沙", "郑州", "合肥", "南昌"};
static const char *const BRAND[] = {"精工", "鑫达", "恒通", "华美", "金石", "九州", "楚味", "锦程",
                                    "宏远", "利丰", "新芯", "永利", "隆泰", "鑫能", "峡江", "恒丰",
                                    "天宇", "博远", "中力", "东方", "长江", "汉阳", "光谷", "银河",
                                    "瑞丰", "安泰", "德胜", "广源", "兴业", "同创", "合力", "顺达"};
static const char *const TRADE[] = {"机械", "精密", "汽车零部件", "纺织", "印染", "食品", "药业",
                                    "化工", "建材", "电气", "电子", "铸造", "塑胶", "模具", "钢构"};
static const char *const FORM[] = {"有限公司", "股份有限公司", "制造有限公司", "科技有限公司"};
static const char *const INDUSTRY_OF[] = {"machinery", "machinery", "automotive", "textile", "textile",
                                          "food", "pharma", "petrochem", "building_materials",
                                          "power_equipment", "electronics", "machinery",
                                          "light_industry", "machinery", "steel"};
static const char *const SIZES[] = {"micro", "small", "small", "small", "medium", "medium", "large"};

/* The i-th name: digits of i in a mixed radix, so every i < the product
 * of the list sizes (30,720 × the suffix) gets another name. */
static void name_of(long i, char *out, size_t len, int *trade)
{
    long k = i;
    int c = (int)(k % 16), b;
    k /= 16;
    b = (int)(k % 32);
    k /= 32;
    *trade = (int)(k % 15);
    k /= 15;
    int f = (int)(k % 4);
    k /= 4;
    if (k)
        snprintf(out, len, "%s%s%s%s（%ld）", CITY[c], BRAND[b], TRADE[*trade], FORM[f], k);
    else
        snprintf(out, len, "%s%s%s%s", CITY[c], BRAND[b], TRADE[*trade], FORM[f]);
}

/* A district: 湖北省 seven times in ten. */
static json_t *random_place(void)
{
    json_t *ps = json_object_get(regions_document(), "provinces");
    json_t *p = NULL;
    for (size_t i = 0; !p && i < json_array_size(ps); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(ps, i), "name")), "湖北省") == 0 &&
            pick(10) < 7)
            p = json_array_get(ps, i);
    while (!p || !json_array_size(json_object_get(p, "cities")))
        p = json_array_get(ps, (size_t)pick((int)json_array_size(ps)));
    json_t *cs = json_object_get(p, "cities");
    json_t *c = json_array_get(cs, (size_t)pick((int)json_array_size(cs)));
    json_t *ds = json_object_get(c, "districts");
    json_t *out = json_pack("{s:O, s:O}", "province", json_object_get(p, "name"), "city",
                            json_object_get(c, "name"));
    if (json_array_size(ds))
        json_object_set(out, "district",
                        json_object_get(json_array_get(ds, (size_t)pick((int)json_array_size(ds))), "name"));
    return out;
}

static int cmd_load(int argc, char **argv)
{
    const char *path = arg(argc, argv, "--db", NULL);
    long ne = atol(arg(argc, argv, "--enterprises", "100000"));
    long na = atol(arg(argc, argv, "--assessments", "300000"));
    if (!path || ne < 1 || na < ne)
        die("load needs --db, --enterprises >= 1 and --assessments >= --enterprises");
    struct db *db = db_open(path);
    if (!db)
        die("cannot open the database");
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--no-feed") == 0) {
            sqlite3_stmt *st;
            char *drops = xstrdup("");
            if (sqlite3_prepare_v2(db_handle(db), "SELECT name FROM sqlite_master WHERE"
                                   " type = 'trigger' AND name GLOB 'chg_*'",
                                   -1, &st, NULL) == SQLITE_OK) {
                while (sqlite3_step(st) == SQLITE_ROW) {
                    char *d = xasprintf("%sDROP TRIGGER %s;", drops, sqlite3_column_text(st, 0));
                    free(drops);
                    drops = d;
                }
                sqlite3_finalize(st);
            }
            if (!*drops || db_exec(db, drops) < 0)
                die("cannot drop the change feed's triggers");
            free(drops);
        }
    const struct instrument *in = instruments_at(0);
    double t0 = now_us();
    struct caller center = {.role = ROLE_CENTER};
    if (db_begin(db) < 0 || org_ensure(db, "基准测试促进中心", center.org_id) < 0 || db_commit(db) < 0)
        die("cannot create the center");
    snprintf(center.org_name, sizeof center.org_name, "基准测试促进中心");
    snprintf(center.prefix, sizeof center.prefix, "shk_bench");
    long made = 0;
    for (long i = 0; i < ne; i++) {
        if (i % 2000 == 0 && db_begin(db) < 0)
            die("begin");
        char name[256];
        int trade;
        name_of(i, name, sizeof name, &trade);
        struct caller ent = {.role = ROLE_ENTERPRISE};
        json_t *p = json_pack("{s:s}", "name", name);
        if (org_create(db, p, ent.org_id) != 0)
            die("org_create");
        json_decref(p);
        snprintf(ent.org_name, sizeof ent.org_name, "%s", name);
        json_t *file = random_place();
        json_object_set_new(file, "industry", json_string(INDUSTRY_OF[trade]));
        json_object_set_new(file, "size", json_string(SIZES[pick(7)]));
        json_object_set_new(file, "above_scale", json_boolean(pick(3) == 0));
        json_object_set_new(file, "employees", json_integer(20 + pick(800)));
        struct file_cols c;
        struct verr e;
        int64_t version;
        if (enterprise_file_validate(file, &c, &e) < 0)
            die(e.msg);
        if (enterprise_file_store(db, ent.org_id, file, &c, 0, &version) != ENT_STORED)
            die("enterprise_file_store");
        json_decref(file);
        long k = na / ne + (i < na % ne);
        double m = (double)pick(101) / 100.0;
        for (long j = 0; j < k; j++, made++) {
            json_t *answers, *scenes;
            random_assessment(in, m * (0.8 + 0.2 * (double)j / (double)k), &answers, &scenes);
            json_t *body = json_pack("{s:o, s:o}", "answers", answers, "scenes", scenes);
            char id[48], at[32];
            util_new_id(id, sizeof id, "asmt");
            util_time_rfc3339((time_t)(1735689600 + made * 97 % 60000000), at);
            if (asmt_insert(db, id, ent.org_id, in, "self", &ent, body, at) < 0)
                die("asmt_insert");
            int last = j == k - 1;
            if (!last || pick(2)) {
                if (asmt_save(db, id, in, answers, NULL, scenes, NULL, "submitted", &ent, at) < 0 ||
                    asmt_revision(db, id, &ent, "draft", "submitted", "", NULL, at) < 0)
                    die("submit");
            }
            if (!last) {
                struct instr_score s;
                instrument_score(in, answers, scenes, &s);
                if (asmt_save(db, id, in, answers, NULL, scenes, NULL, "verified", &center, at) < 0 ||
                    asmt_revision(db, id, &center, "submitted", "verified", "", NULL, at) < 0 ||
                    enterprise_file_set_level(db, ent.org_id, s.level, at, id) < 0)
                    die("verify");
            }
            json_decref(body);
        }
        if ((i + 1) % 2000 == 0 || i + 1 == ne) {
            if (db_commit(db) < 0)
                die("commit");
            fprintf(stderr, "\rassessbench: %ld enterprises, %ld assessments", i + 1, made);
        }
    }
    fprintf(stderr, "\n");
    db_exec(db, "INSERT INTO orgs_fts(orgs_fts) VALUES('optimize')");
    printf("load_s=%.1f\nenterprises=%ld\nassessments=%ld\n", (now_us() - t0) / 1e6, ne, made);
    db_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    db_configure_process(); /* as shucud does (main.c) */
    util_init();
    if (argc < 2)
        die("usage: assessbench score|load [options] (see the comment at the top of bench/assessbench.c)");
    const char *schemas = arg(argc, argv, "--schemas", "schemas");
    char err[512];
    if (tax_load(schemas, err, sizeof err) < 0 || regions_load(schemas, err, sizeof err) < 0 ||
        instruments_load(schemas, err, sizeof err) < 0)
        die(err);
    int rc = strcmp(argv[1], "score") == 0 ? cmd_score(argc, argv)
             : strcmp(argv[1], "load") == 0 ? cmd_load(argc, argv)
                                             : (die("the first argument is score or load"), 1);
    instruments_free();
    regions_free();
    tax_free();
    return rc;
}
