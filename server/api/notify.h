/*
 * notify.h - the inbox (站内信) of each organisation, and the webhook
 * deliveries that carry the same notifications to its own systems
 * (WeChat Work or DingTalk bots, a CRM).
 *
 * A notification is written in the same transaction as the event it is
 * about: an answer is never sent for a change whose notification was
 * lost, and a change rolled back leaves none.  It belongs to an
 * organisation (every user of it sees the inbox; read marks are the
 * organisation's); its kind is one row of KINDS in notify.c, with the
 * Chinese title it shows.  Each active webhook of the organisation that
 * wants the kind gets a delivery row in that transaction too; deliveries
 * are sent later by a background thread (deliver.h), never by a worker.
 *
 * Kinds (payload members the title uses in brackets):
 *   response_received    a provider responded to my need   {need.id, need.title, provider.name}
 *   response_accepted    my response was accepted          {need.id, need.title, enterprise.name}
 *   campaign_opened      a campaign I can join opened       {campaign.id, campaign.title}
 *   campaign_confirm     confirm a campaign's tier prices   {campaign.id, campaign.title}
 *   message              someone contacted us (联系服务商)  {from.org.name, resource.title}
 *   assessment_returned  my assessment was returned         {assessment.id, reason}
 *   assessment_verified  my assessment was verified         {assessment.id, level}
 *   milestone_signoff    a milestone awaits my sign-off     {project.id, project.title, milestone.name}
 *   project_created      a project I am a party to began    {project.id, project.title}
 *   project_status       it moved (issue 19)                {project.title, status, status_zh}
 *   project_accepted     it was accepted                    {project.id, project.title}
 *   ticket_opened        an O&M ticket awaits us            {project.title, ticket.id, ticket.title}
 *   ticket_answered      our ticket was answered            {project.title, ticket.id, ticket.title}
 *   case_published       our project became a case          {project.title, case.id}
 *   ping                 a webhook test (webhooks.c delivers it to one webhook;
 *                        it is born read and no inbox lists it)
 * A payload may carry "title" (a string) to say it in its own words, and
 * "link" (the console's hash route, "#/needs/need_…") to point the inbox
 * at the record.
 */
#ifndef SHUCU_NOTIFY_H
#define SHUCU_NOTIFY_H

#include <jansson.h>

struct db;

/*
 * Adds a notification of `kind` for organisation org_id, and a delivery
 * for each of its webhooks that wants it.  Call it inside a write
 * transaction (write.h), after the change it reports; it takes ownership
 * of payload (a JSON object; NULL counts as {}).  Returns 0, or -1 on a
 * database error (logged; the caller refuses with refuse_db) or an unknown
 * kind (a programming error, logged).
 *
 *     if (notify_add(db, need_owner, "response_received",
 *                    json_pack("{s:{s:s, s:s}, s:{s:s}}", "need", "id", nid,
 *                              "title", title, "provider", "name", pname)) < 0)
 *         return refuse_db(o, db, "notify");
 */
int notify_add(struct db *db, const char *org_id, const char *kind, json_t *payload);

/* Unread notifications of org_id; -1 on error. */
long notify_unread(struct db *db, const char *org_id);

/* 1 when kind is a notification kind. */
int notify_kind_known(const char *kind);
/* The Chinese name of a kind ("需求收到响应"), or the kind itself. */
const char *notify_kind_zh(const char *kind);
/* The kinds, for GET /v1/inbox/kinds and the webhook form: a new array
 * of {"kind", "name"}. */
json_t *notify_kinds_json(void);

/* Milliseconds since the epoch (delivery times). */
long long notify_now_ms(void);

#endif
