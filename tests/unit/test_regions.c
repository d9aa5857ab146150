/*
 * Unit tests of regions.c: provinces, cities and districts found by name
 * or code under their parent (names repeat across the country), the
 * shapes docs/data-sources.md describes (municipalities, province-
 * administered county-level cities), and a bad file refused by name.
 */
#include "regions.h"
#include "test.h"
#include "util.h"

#include <sys/stat.h>
#include <unistd.h>

static void load(void)
{
    static int loaded;
    char err[256];
    if (!loaded && regions_load("schemas", err, sizeof err) == 0)
        loaded = 1;
}

TEST(by_name_and_code_under_the_parent)
{
    load();
    const struct region *hb = regions_province("湖北省");
    ASSERT(hb != NULL);
    ASSERT_STR_EQ(hb->code, "420000");
    ASSERT(regions_province("420000") == hb);
    const struct region *wh = regions_child(hb, "武汉市");
    ASSERT(wh != NULL);
    ASSERT_STR_EQ(wh->code, "420100");
    const struct region *ja = regions_child(wh, "江岸区");
    ASSERT(ja != NULL);
    ASSERT_STR_EQ(ja->code, "420102");
    ASSERT(regions_child(wh, "420102") == ja);
    ASSERT(regions_child(hb, "江岸区") == NULL);       /* a district is not a city */
    ASSERT(regions_child(wh, "朝阳区") == NULL);       /* wrong city */
    ASSERT(regions_province("湖北") == NULL);
    ASSERT(regions_province("") == NULL);
    ASSERT(regions_province(NULL) == NULL);
}

TEST(same_name_in_two_cities)
{
    load();
    const struct region *bj = regions_child(regions_province("北京市"), "北京市");
    const struct region *cc = regions_child(regions_province("吉林省"), "长春市");
    const struct region *a = regions_child(bj, "朝阳区"), *b = regions_child(cc, "朝阳区");
    ASSERT(a != NULL && b != NULL && a != b);
    ASSERT_STR_EQ(a->code, "110105");
    ASSERT_STR_EQ(b->code, "220104");
}

TEST(found_anywhere_unless_ambiguous)
{
    load();
    int amb;
    const struct region *r = regions_find(2, "江岸区", &amb);
    ASSERT(r != NULL && amb == 0);
    ASSERT_STR_EQ(r->code, "420102");
    ASSERT(regions_find(2, "朝阳区", &amb) == NULL);
    ASSERT_EQ(amb, 1);
    ASSERT(regions_find(2, "110105", &amb) != NULL);
    ASSERT_STR_EQ(regions_find(1, "武汉市", &amb)->code, "420100");
    ASSERT_STR_EQ(regions_find(0, "湖北省", &amb)->code, "420000");
    ASSERT(regions_find(1, "江岸区", &amb) == NULL);
    ASSERT_EQ(amb, 0);
}

TEST(county_level_cities_and_codes)
{
    load();
    const struct region *xt = regions_child(regions_province("湖北省"), "仙桃市");
    ASSERT(xt != NULL);
    ASSERT_EQ(xt->n, 0);
    const struct region *city = NULL, *prov = NULL;
    const struct region *d = regions_district_by_code("420102", &city, &prov);
    ASSERT(d != NULL);
    ASSERT_STR_EQ(d->name, "江岸区");
    ASSERT_STR_EQ(city->name, "武汉市");
    ASSERT_STR_EQ(prov->name, "湖北省");
    ASSERT(regions_district_by_code("429004", &city, &prov) == xt);
    ASSERT(regions_district_by_code("420100", NULL, NULL) == NULL); /* a city with districts */
    ASSERT(regions_district_by_code("999999", NULL, NULL) == NULL);
    ASSERT(regions_district_by_code("42010", NULL, NULL) == NULL);
    ASSERT(json_array_size(json_object_get(regions_document(), "provinces")) == 34);
}

TEST(bad_file_named)
{
    char dir[] = "/tmp/shucu-regions-XXXXXX", err[256];
    ASSERT(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/regions.json", dir);
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fputs("{\"provinces\":[{\"code\":\"420000\",\"name\":\"湖北省\",\"cities\":"
          "[{\"code\":\"430100\",\"name\":\"长沙市\",\"districts\":[]}]}]}", f);
    fclose(f);
    ASSERT_EQ(regions_load(dir, err, sizeof err), -1);
    ASSERT(strstr(err, path) == err);
    ASSERT(strstr(err, "provinces[0].cities[0]: city 430100 is not in province 420000") != NULL);
    ASSERT(regions_province("湖北省") == NULL);
    unlink(path);
    rmdir(dir);
    free(path);
    ASSERT_EQ(regions_load("schemas", err, sizeof err), 0);
    ASSERT(regions_province("湖北省") != NULL);
}

TEST_MAIN(T(by_name_and_code_under_the_parent), T(same_name_in_two_cities), T(found_anywhere_unless_ambiguous),
          T(county_level_cities_and_codes), T(bad_file_named))
