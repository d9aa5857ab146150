/*
 * reference.c - the public reference data every form is built from:
 * GET /v1/taxonomy.
 */
#include "handlers.h"

#include "req.h"
#include "taxonomy.h"

void h_taxonomy(struct req *r)
{
    reply_header(r, "Cache-Control", "public, max-age=3600");
    reply_json(r, 200, json_incref(tax_document()));
}
