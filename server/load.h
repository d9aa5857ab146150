/*
 * load.h - the command-line loaders of issue 18's data, for main.c's
 * verbs: `shucud import --type enterprises FILE` and the enterprise files
 * and assessments of `shucud seed`.  They go through the same record
 * code as the HTTP routes (enterprise.h, assessment.h), so a file loaded
 * here obeys every rule a POST would.
 */
#ifndef SHUCU_LOAD_H
#define SHUCU_LOAD_H

struct db;

/* Imports NDJSON enterprise files from path ("-": stdin), reporting each
 * refused line on stderr as "path:N: message (field F)" and a summary.
 * 0 all lines loaded, 3 some refused (the rest saved), 1 on an error. */
int load_enterprises(struct db *db, const char *path);

/* Loads dir/files.ndjson and dir/assessments.ndjson when they exist
 * (demo data).  0, or -1 on a database error. */
int load_demo_assessments(struct db *db, const char *dir);

#endif
