/*
 * taxonomy.h - the controlled vocabularies: industries, scenarios, kinds,
 * regions, enterprise sizes, delivery modes.
 *
 * Loaded once from schemas/taxonomy.json before any worker starts and
 * read-only afterwards, so workers share it without a lock.  A code's
 * index is its position in the file; resources store memberships as
 * bitmasks over those indexes, so the file's order is append-only.
 */
#ifndef SHUCU_TAXONOMY_H
#define SHUCU_TAXONOMY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum tax_vocab {
    TAX_INDUSTRY,
    TAX_SCENARIO,
    TAX_KIND,
    TAX_REGION,
    TAX_SIZE,
    TAX_DELIVERY,
    TAX_NVOCAB
};

#define TAX_GENERAL "general"
#define TAX_NATIONWIDE "全国"

/* Loads dir/taxonomy.json; on failure returns -1 with a message in err
 * that names the file and the problem. */
int tax_load(const char *dir, char *err, size_t errlen);
void tax_free(void);

/* Index of code in vocabulary v, or -1 when it is not a valid code. */
int tax_index(enum tax_vocab v, const char *code);
int tax_count(enum tax_vocab v);
const char *tax_code(enum tax_vocab v, int i);
/* Chinese display name of the i-th code. */
const char *tax_name(enum tax_vocab v, int i);
/* Index of the scenario group of scenario i (0..4). */
int tax_scenario_group(int scenario);
/* Human name of vocabulary v for messages ("industry", "scenario", ...). */
const char *tax_vocab_name(enum tax_vocab v);

/* The whole document served by GET /v1/taxonomy (borrowed reference). */
json_t *tax_document(void);

/* Bitmask of a JSON array of codes; -1 if any is unknown. */
int64_t tax_mask(enum tax_vocab v, const json_t *codes);
/* JSON array of the codes set in mask (new reference). */
json_t *tax_codes(enum tax_vocab v, int64_t mask);

#endif
