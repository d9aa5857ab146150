/*
 * me.c - GET /v1/me: who the caller is: role, organisation, the key
 * prefix or the user and session, the CSRF token a cookie-authenticated
 * write must send (session.h), the inbox's unread count, and an
 * authority's region.
 */
#include "handlers.h"

#include "authority.h"
#include "notify.h"
#include "req.h"
#include "user.h"

void h_me(struct req *r)
{
    json_t *me = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s}", "role", role_name(r->who.role),
                           "key_prefix", r->who.prefix, "org", "id", r->who.org_id, "name",
                           r->who.org_name, "auth", r->who.session_id[0] ? "session" : "key");
    json_t *user = json_null();
    if (r->who.user_id[0]) {
        struct user u;
        int rc = user_load(r->w->db, r->who.user_id, &u);
        if (rc < 0) {
            json_decref(me);
            reply_db_error(r, DB_READ);
            return;
        }
        if (rc == 0) {
            json_decref(user);
            user = user_json(&u);
        }
        json_object_set_new(me, "csrf_token", json_string(r->who.csrf));
        json_object_set_new(me, "session_id", json_string(r->who.session_id));
    }
    json_object_set_new(me, "user", user);
    if (authority_is(&r->who)) /* issue 20: the region it reads */
        json_object_set_new(me, "region", authority_region_json(r->who.region));
    long unread = notify_unread(r->w->db, r->who.org_id);
    json_object_set_new(me, "inbox_unread", json_integer(unread > 0 ? unread : 0));
    reply_json(r, 200, me);
}
