/*
 * migrate.h - the list of schema migrations (migrate.c), read by db.c.
 */
#ifndef SHUCU_MIGRATE_H
#define SHUCU_MIGRATE_H

/* The columns of resources_hot (migration 5) as read from a resources
 * row, p being "" or "new.". */
#define HOT_COLS_OF(p)                                                                     \
    p "rid, " p "kind_bit, " p "industry_mask, " p "scenario_mask, " p "region_mask, " p  \
    "delivery_bit, " p "price_min, " p "level_from, " p "level_to, " p "deploy_days, " p \
    "rating_sum, " p "rating_count, " p "case_count"

/* MIGRATIONS[i] is the SQL of migration i + 1. */
extern const char *const MIGRATIONS[];
extern const int migrations_count;

#endif
