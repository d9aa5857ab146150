/*
 * regions.h - China's administrative divisions (GB/T 2260) from
 * schemas/regions.json: provinces -> cities -> districts, each with its
 * six-digit code and name (docs/data-sources.md says where the file comes
 * from and what it leaves out).
 *
 * Loaded once before any worker starts and read-only afterwards, so
 * workers share it without a lock.  A place is looked up by code or by
 * name under its parent: names repeat across the country (朝阳区 is in
 * 北京 and in 长春), so a district is always found under its city and a
 * city under its province.  Lookups walk small arrays (34 provinces, at
 * most a few dozen children each): no index is needed.
 */
#ifndef SHUCU_REGIONS_H
#define SHUCU_REGIONS_H

#include <jansson.h>
#include <stddef.h>

struct region {
    const char *code, *name;
    int n;                 /* children */
    struct region *child;  /* cities of a province, districts of a city */
};

/* Loads dir/regions.json and checks that codes are six digits and nest
 * (a city's code starts with its province's two digits).  0, or -1 with
 * err naming the file and the fault. */
int regions_load(const char *dir, char *err, size_t errlen);
void regions_free(void);

/* The province whose code or name is s, or NULL. */
const struct region *regions_province(const char *s);
/* The child of parent (a city of a province, a district of a city)
 * whose code or name is s, or NULL. */
const struct region *regions_child(const struct region *parent, const char *s);
/* The district (or, when it has no districts, the city) whose code is
 * code, with its city and province; NULL when no county-level unit has
 * this code. */
const struct region *regions_district_by_code(const char *code, const struct region **city,
                                              const struct region **province);

/* The place at depth 0 (a province), 1 (a city) or 2 (a district)
 * whose code or name is s, anywhere in the country.  NULL when there is
 * none, or when several places share the name (*ambiguous is then 1). */
const struct region *regions_find(int depth, const char *s, int *ambiguous);

/* The whole file, as GET /v1/regions serves it (borrowed). */
json_t *regions_document(void);

#endif
