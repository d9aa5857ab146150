/*
 * me.c - GET /v1/me: who the caller is (role, organisation, key).
 */
#include "handlers.h"

#include "req.h"

void h_me(struct req *r)
{
    reply_json(r, 200,
               json_pack("{s:s, s:s, s:{s:s, s:s}}", "role", role_name(r->who.role), "key_prefix",
                         r->who.prefix, "org", "id", r->who.org_id, "name", r->who.org_name));
}
