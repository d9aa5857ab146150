/*
 * handlers.h - every HTTP handler, by the file that holds it: the
 * prototypes the route table (routes.c) points at, and nothing else.
 * A handler answers its request exactly once (req.h).  Shared pieces that
 * are not handlers have headers of their own (write.h, corpus.h,
 * matcher.h, cached.h, the record modules).
 */
#ifndef SHUCU_HANDLERS_H
#define SHUCU_HANDLERS_H

struct req;

/* health.c */
void h_healthz(struct req *r);
void h_metrics(struct req *r);
/* reference.c */
void h_taxonomy(struct req *r);
/* me.c */
void h_me(struct req *r);
/* static.c: the router's fallback for GETs outside /v1/ */
void h_static(struct req *r);

/* orgs.c */
void h_org_create(struct req *r);
void h_org_get(struct req *r);
void h_org_patch(struct req *r);
void h_org_key_create(struct req *r);
void h_orgs_list(struct req *r);

/* resources.c */
void h_resource_create(struct req *r);
void h_resource_get(struct req *r);
void h_resource_put(struct req *r);
void h_resource_patch(struct req *r);
void h_resource_delete(struct req *r);
void h_resources_list(struct req *r);
/* resources_bulk.c */
void h_resources_bulk(struct req *r);

/* search.c */
void h_search(struct req *r);
/* hot_queries.c */
void h_hot_queries(struct req *r);

/* needs.c */
void h_need_create(struct req *r);
void h_need_get(struct req *r);
void h_need_patch(struct req *r);
void h_needs_list(struct req *r);
/* responses.c */
void h_response_create(struct req *r);
void h_responses_list(struct req *r);
void h_response_accept(struct req *r);

/* matching.c: both directions of matching */
void h_match(struct req *r);
void h_need_matches(struct req *r);
void h_resource_needs(struct req *r);

/* clusters.c */
void h_demand_clusters(struct req *r);
/* campaigns.c */
void h_campaign_create(struct req *r);
void h_campaigns_list(struct req *r);
void h_campaign_get(struct req *r);
void h_campaign_transition(struct req *r);
void h_campaign_confirm(struct req *r);
/* participants.c */
void h_campaign_join(struct req *r);
void h_campaign_leave(struct req *r);
void h_participant_patch(struct req *r);
void h_participants_list(struct req *r);
/* reviews.c */
void h_review_create(struct req *r);
void h_reviews_list(struct req *r);

/* stats.c */
void h_stats(struct req *r);

/* instruments.c */
void h_instruments_list(struct req *r);
void h_instrument_get(struct req *r);
void h_regions(struct req *r);
/* enterprises.c */
void h_org_file_get(struct req *r);
void h_org_file_put(struct req *r);
void h_enterprises_list(struct req *r);
/* enterprises_bulk.c */
void h_enterprises_bulk(struct req *r);
/* assessments.c */
void h_assessment_create(struct req *r);
void h_assessments_list(struct req *r);
void h_assessment_get(struct req *r);
void h_assessment_patch(struct req *r);
void h_assessment_submit(struct req *r);
void h_assessment_verify(struct req *r);
void h_assessment_return(struct req *r);
/* gaps.c */
void h_assessment_gaps(struct req *r);
void h_assessment_needs(struct req *r);
/* users.c */
void h_org_user_create(struct req *r);
void h_org_users_list(struct req *r);
void h_user_get(struct req *r);
void h_user_patch(struct req *r);
void h_user_password_reset(struct req *r);
void h_me_password(struct req *r);
/* sessions.c */
void h_session_create(struct req *r);
void h_session_delete(struct req *r);
void h_sessions_list(struct req *r);
void h_session_revoke(struct req *r);
/* keys.c */
void h_org_keys_list(struct req *r);
void h_key_revoke(struct req *r);
/* inbox.c */
void h_inbox_list(struct req *r);
void h_inbox_kinds(struct req *r);
void h_inbox_read(struct req *r);
void h_inbox_read_all(struct req *r);
void h_resource_contact(struct req *r);
/* webhooks.c */
void h_webhook_create(struct req *r);
void h_webhooks_list(struct req *r);
void h_webhook_delete(struct req *r);
void h_webhook_test(struct req *r);
void h_webhook_deliveries(struct req *r);
/* projects.c */
void h_project_create(struct req *r);
void h_projects_list(struct req *r);
void h_project_get(struct req *r);
void h_project_patch(struct req *r);
void h_project_transition(struct req *r);
void h_project_signoff(struct req *r);
/* tickets.c */
void h_ticket_create(struct req *r);
void h_tickets_list(struct req *r);
void h_ticket_reply(struct req *r);
void h_ticket_close(struct req *r);
/* cases.c */
void h_case_publish(struct req *r);
void h_cases_list(struct req *r);
void h_case_get(struct req *r);
void h_case_patch(struct req *r);
void h_cases_export(struct req *r);
/* outcomes.c */
void h_resource_outcomes(struct req *r);
/* reports.c, report_targets.c (issue 20) */
void h_report(struct req *r);
void h_report_targets_get(struct req *r);
void h_report_targets_put(struct req *r);
/* changes.c (issue 20) */
void h_changes(struct req *r);

#endif
