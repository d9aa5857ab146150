/*
 * transfer.h - a center's whole database as NDJSON (issue 20): `shucud
 * export --db PATH > all.ndjson` and `shucud import --all all.ndjson
 * --db NEW` move it to a new machine or a new version; `shucud check`
 * then checks the result.  transfer.c has the format and what is left
 * out (the indexes, which are rebuilt).
 */
#ifndef SHUCU_TRANSFER_H
#define SHUCU_TRANSFER_H

#include <stddef.h>
#include <stdio.h>

struct db;

/* Writes every row of db to out, from one snapshot; *rows counts them.
 * 0, or -1 on an error (said on stderr). */
int transfer_export(struct db *db, FILE *out, long *rows);

/* Reads an export into db, which must hold no organisation or user yet,
 * in one transaction: 0 with *rows, or -1 with msg (nothing written). */
int transfer_import(struct db *db, FILE *in, long *rows, char *msg, size_t msglen);

#endif
