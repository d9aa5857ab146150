/*
 * instruments.c - the reference data of assessments and files, public
 * and cacheable like the taxonomy:
 *   GET /v1/instruments          code, name, version of each instrument loaded
 *   GET /v1/instruments/{code}   the whole instrument, as its file has it
 *   GET /v1/regions              GB/T 2260 provinces, cities and districts
 */
#include "handlers.h"

#include "instrument.h"
#include "regions.h"
#include "req.h"

void h_instruments_list(struct req *r)
{
    json_t *items = json_array();
    for (int i = 0; i < instruments_count(); i++) {
        const struct instrument *in = instruments_at(i);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:O, s:f, s:i, s:i, s:i}", "code",
                                               in->code, "name", in->name, "version", in->version,
                                               "issued_by", json_object_get(in->doc, "issued_by"),
                                               "total", in->total, "questions", in->nq, "scenes",
                                               in->ns, "levels", in->nr));
    }
    reply_header(r, "Cache-Control", "public, max-age=3600");
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_instrument_get(struct req *r)
{
    const struct instrument *in = instruments_find(r->params[0]);
    if (!in) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no instrument %s", r->params[0]);
        return;
    }
    reply_header(r, "Cache-Control", "public, max-age=3600");
    reply_json(r, 200, json_incref(in->doc));
}

void h_regions(struct req *r)
{
    reply_header(r, "Cache-Control", "public, max-age=86400");
    reply_json(r, 200, json_incref(regions_document()));
}
