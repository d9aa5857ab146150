/*
 * stats.h - GET /v1/stats: what a center needs to see of its region at a
 * glance (centers and admins only).
 *
 *   resources    published resources by kind, industry, scenario and
 *                region (a resource counts once in each of its codes),
 *                and all resources by status;
 *   needs        needs by status, and by industry and scenario (all
 *                statuses);
 *   supply_gaps  per scenario with open needs: open needs, published
 *                resources and gap = open needs - resources, largest gap
 *                first (ties: more open needs first, then taxonomy order);
 *   campaigns    campaigns by status; participants by status; the average
 *                level uplift (level_after - level_before over participants
 *                not withdrawn with both levels) and how many participants
 *                not withdrawn have a level_after of 2 or above.
 * Every taxonomy code appears in the maps, with 0 when nothing has it.
 */
#ifndef SHUCU_STATS_H
#define SHUCU_STATS_H

#include "http.h"

void h_stats(struct req *r);

#endif
