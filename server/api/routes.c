/*
 * routes.c - the route table: every endpoint, its method, the roles it
 * admits and the body it takes.  Authorisation by role happens in one
 * place (router.c) from this table; ownership checks are in handlers,
 * which know what a record's owner is.
 *
 * Order matters only for readability: matching compares whole patterns.
 */
#include "handlers.h"
#include "route.h"

#define ADMIN_CENTER (ROLE_CENTER | ROLE_ADMIN)
/* Issue 20: the authority (经信局) reads, never writes.  It is named
 * route by route: the reads below that carry AUTH, inside its region
 * (the handlers cut lists and answer 404 outside, authority.h), and its
 * own account (ROLE_SIGNED_IN).  Every write route is 403 to it. */
#define AUTH ROLE_AUTHORITY
#define MONITOR (ADMIN_CENTER | AUTH)

const struct route ROUTES[] = {
    {M_GET, "/healthz", h_healthz, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/metrics", h_metrics, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/taxonomy", h_taxonomy, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/me", h_me, ROLE_SIGNED_IN, BODY_NONE},

    {M_POST, "/v1/orgs", h_org_create, ROLE_ADMIN, BODY_JSON},
    {M_GET, "/v1/orgs", h_orgs_list, ADMIN_CENTER, BODY_NONE},
    {M_GET, "/v1/orgs/{}", h_org_get, ROLE_PUBLIC, BODY_NONE},
    {M_PATCH, "/v1/orgs/{}", h_org_patch, ROLE_ANY, BODY_JSON},
    {M_POST, "/v1/orgs/{}/keys", h_org_key_create, ROLE_ADMIN, BODY_JSON},

    {M_POST, "/v1/resources", h_resource_create, ROLE_PROVIDER, BODY_JSON},
    {M_GET, "/v1/resources", h_resources_list, ROLE_PUBLIC, BODY_NONE},
    {M_POST, "/v1/resources:bulk", h_resources_bulk, ROLE_PROVIDER, BODY_NDJSON},
    {M_GET, "/v1/resources/{}", h_resource_get, ROLE_PUBLIC, BODY_NONE},
    {M_PUT, "/v1/resources/{}", h_resource_put, ROLE_PROVIDER, BODY_JSON},
    {M_PATCH, "/v1/resources/{}", h_resource_patch, ROLE_PROVIDER, BODY_JSON},
    {M_DELETE, "/v1/resources/{}", h_resource_delete, ROLE_PROVIDER, BODY_NONE},

    {M_GET, "/v1/resources/{}/needs", h_resource_needs, ROLE_PROVIDER | ADMIN_CENTER, BODY_NONE},

    {M_GET, "/v1/search", h_search, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/stats/hot-queries", h_hot_queries, ADMIN_CENTER, BODY_NONE},

    {M_POST, "/v1/needs", h_need_create, ROLE_ENTERPRISE, BODY_JSON},
    {M_GET, "/v1/needs", h_needs_list, ROLE_ANY | AUTH, BODY_NONE},
    {M_GET, "/v1/needs/{}", h_need_get, ROLE_ANY | AUTH, BODY_NONE},
    {M_PATCH, "/v1/needs/{}", h_need_patch, ROLE_ANY, BODY_JSON},
    {M_GET, "/v1/needs/{}/matches", h_need_matches, ROLE_ANY, BODY_NONE},
    {M_POST, "/v1/needs/{}/responses", h_response_create, ROLE_PROVIDER, BODY_JSON},
    {M_GET, "/v1/needs/{}/responses", h_responses_list, ROLE_ANY, BODY_NONE},
    {M_POST, "/v1/needs/{}/responses/{}/accept", h_response_accept, ROLE_ENTERPRISE, BODY_JSON_OPT},
    {M_POST, "/v1/match", h_match, ROLE_ANY, BODY_JSON},

    {M_GET, "/v1/demand/clusters", h_demand_clusters, ADMIN_CENTER, BODY_NONE},
    {M_POST, "/v1/campaigns", h_campaign_create, ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/campaigns", h_campaigns_list, ROLE_ANY | AUTH, BODY_NONE},
    {M_GET, "/v1/campaigns/{}", h_campaign_get, ROLE_ANY | AUTH, BODY_NONE},
    {M_POST, "/v1/campaigns/{}/join", h_campaign_join, ROLE_ENTERPRISE, BODY_JSON_OPT},
    {M_POST, "/v1/campaigns/{}/leave", h_campaign_leave, ROLE_ENTERPRISE, BODY_JSON_OPT},
    {M_POST, "/v1/campaigns/{}/transition", h_campaign_transition, ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/campaigns/{}/participants", h_participants_list, ROLE_PROVIDER | MONITOR, BODY_NONE},
    {M_PATCH, "/v1/campaigns/{}/participants/{}", h_participant_patch, ROLE_CENTER | ROLE_PROVIDER, BODY_JSON},
    {M_POST, "/v1/resources/{}/reviews", h_review_create, ROLE_ENTERPRISE, BODY_JSON},
    {M_GET, "/v1/resources/{}/reviews", h_reviews_list, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/stats", h_stats, ADMIN_CENTER, BODY_NONE},

    /* issue 18: instruments, enterprise files, assessments */
    {M_GET, "/v1/instruments", h_instruments_list, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/instruments/{}", h_instrument_get, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/regions", h_regions, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/orgs/{}/file", h_org_file_get, ROLE_ENTERPRISE | MONITOR, BODY_NONE},
    {M_PUT, "/v1/orgs/{}/file", h_org_file_put, ROLE_ENTERPRISE | ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/enterprises", h_enterprises_list, MONITOR, BODY_NONE},
    {M_POST, "/v1/enterprises:bulk", h_enterprises_bulk, ADMIN_CENTER, BODY_NDJSON},
    {M_POST, "/v1/assessments", h_assessment_create, ROLE_ENTERPRISE | ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/assessments", h_assessments_list, ROLE_ENTERPRISE | MONITOR, BODY_NONE},
    {M_GET, "/v1/assessments/{}", h_assessment_get, ROLE_ENTERPRISE | MONITOR, BODY_NONE},
    {M_PATCH, "/v1/assessments/{}", h_assessment_patch, ROLE_ENTERPRISE | ROLE_CENTER, BODY_JSON},
    {M_POST, "/v1/assessments/{}/submit", h_assessment_submit, ROLE_ENTERPRISE | ROLE_CENTER, BODY_JSON_OPT},
    {M_POST, "/v1/assessments/{}/verify", h_assessment_verify, ROLE_CENTER, BODY_JSON_OPT},
    {M_POST, "/v1/assessments/{}/return", h_assessment_return, ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/assessments/{}/gaps", h_assessment_gaps, ROLE_ENTERPRISE | MONITOR, BODY_NONE},
    {M_POST, "/v1/assessments/{}/needs", h_assessment_needs, ROLE_ENTERPRISE | ROLE_CENTER, BODY_JSON},
    /* issue 21: people and sessions, keys over HTTP, the inbox, webhooks */
    {M_POST, "/v1/session", h_session_create, ROLE_PUBLIC, BODY_JSON},
    {M_DELETE, "/v1/session", h_session_delete, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/sessions", h_sessions_list, ROLE_SIGNED_IN, BODY_NONE},
    {M_DELETE, "/v1/sessions/{}", h_session_revoke, ROLE_SIGNED_IN, BODY_NONE},
    {M_POST, "/v1/me/password", h_me_password, ROLE_SIGNED_IN, BODY_JSON},
    {M_POST, "/v1/orgs/{}/users", h_org_user_create, ROLE_SIGNED_IN, BODY_JSON},
    {M_GET, "/v1/orgs/{}/users", h_org_users_list, ROLE_SIGNED_IN, BODY_NONE},
    {M_GET, "/v1/users/{}", h_user_get, ROLE_SIGNED_IN, BODY_NONE},
    {M_PATCH, "/v1/users/{}", h_user_patch, ROLE_SIGNED_IN, BODY_JSON},
    {M_POST, "/v1/users/{}/password", h_user_password_reset, ROLE_SIGNED_IN, BODY_JSON_OPT},
    {M_GET, "/v1/orgs/{}/keys", h_org_keys_list, ROLE_ADMIN, BODY_NONE},
    {M_DELETE, "/v1/keys/{}", h_key_revoke, ROLE_ADMIN, BODY_NONE},
    {M_GET, "/v1/inbox", h_inbox_list, ROLE_SIGNED_IN, BODY_NONE},
    {M_GET, "/v1/inbox/kinds", h_inbox_kinds, ROLE_SIGNED_IN, BODY_NONE},
    {M_POST, "/v1/inbox/{}/read", h_inbox_read, ROLE_SIGNED_IN, BODY_JSON_OPT},
    {M_POST, "/v1/inbox:read", h_inbox_read_all, ROLE_SIGNED_IN, BODY_JSON_OPT},
    {M_POST, "/v1/resources/{}/contact", h_resource_contact, ROLE_ANY, BODY_JSON},
    {M_POST, "/v1/campaigns/{}/confirm", h_campaign_confirm, ROLE_PROVIDER, BODY_JSON_OPT},
    {M_POST, "/v1/orgs/{}/webhooks", h_webhook_create, ROLE_ANY, BODY_JSON},
    {M_GET, "/v1/orgs/{}/webhooks", h_webhooks_list, ROLE_ANY, BODY_NONE},
    {M_DELETE, "/v1/orgs/{}/webhooks/{}", h_webhook_delete, ROLE_ANY, BODY_NONE},
    {M_POST, "/v1/orgs/{}/webhooks/{}/test", h_webhook_test, ROLE_ANY, BODY_JSON_OPT},
    {M_GET, "/v1/orgs/{}/webhooks/{}/deliveries", h_webhook_deliveries, ROLE_ANY, BODY_NONE},
    /* issue 19: projects, O&M tickets, verified outcomes, the case library */
    {M_POST, "/v1/projects", h_project_create, ROLE_ENTERPRISE, BODY_JSON},
    {M_GET, "/v1/projects", h_projects_list, ROLE_ANY | AUTH, BODY_NONE},
    {M_GET, "/v1/projects/{}", h_project_get, ROLE_ANY | AUTH, BODY_NONE},
    {M_PATCH, "/v1/projects/{}", h_project_patch, ROLE_ENTERPRISE | ROLE_PROVIDER | ROLE_CENTER, BODY_JSON},
    {M_POST, "/v1/projects/{}/transition", h_project_transition, ROLE_ENTERPRISE | ROLE_PROVIDER | ROLE_CENTER, BODY_JSON},
    {M_POST, "/v1/projects/{}/signoff", h_project_signoff, ROLE_ENTERPRISE | ROLE_CENTER, BODY_JSON_OPT},
    {M_POST, "/v1/projects/{}/tickets", h_ticket_create, ROLE_ENTERPRISE, BODY_JSON},
    {M_GET, "/v1/projects/{}/tickets", h_tickets_list, ROLE_ANY, BODY_NONE},
    {M_POST, "/v1/projects/{}/tickets/{}/reply", h_ticket_reply, ROLE_ENTERPRISE | ROLE_PROVIDER, BODY_JSON},
    {M_POST, "/v1/projects/{}/tickets/{}/close", h_ticket_close, ROLE_ENTERPRISE | ROLE_PROVIDER, BODY_JSON_OPT},
    {M_POST, "/v1/projects/{}/case", h_case_publish, ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/cases", h_cases_list, ROLE_PUBLIC, BODY_NONE},
    {M_GET, "/v1/cases:export", h_cases_export, ADMIN_CENTER, BODY_NONE},
    {M_GET, "/v1/cases/{}", h_case_get, ROLE_PUBLIC, BODY_NONE},
    {M_PATCH, "/v1/cases/{}", h_case_patch, ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/resources/{}/outcomes", h_resource_outcomes, ROLE_PUBLIC, BODY_NONE},
    /* issue 20: reports (跟踪监测), exports, the change feed */
    {M_GET, "/v1/reports/targets", h_report_targets_get, MONITOR, BODY_NONE},
    {M_PUT, "/v1/reports/targets", h_report_targets_put, ROLE_CENTER, BODY_JSON},
    {M_GET, "/v1/reports/{}", h_report, MONITOR, BODY_NONE},
    {M_GET, "/v1/changes", h_changes, MONITOR, BODY_NONE},
};

const int NROUTES = (int)(sizeof ROUTES / sizeof ROUTES[0]);

/* GETs outside /v1/ that no route names: the web console. */
const handler_fn ROUTE_FALLBACK = h_static;
