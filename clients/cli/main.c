/*
 * main.c - shucu's verbs, their options and the command line.
 *
 *   shucu [--url URL] [--key KEY] [--json] VERB [ARGS...]
 *
 * Every verb is a row of VERBS: its words ("needs matches"), the HTTP
 * method and path template, how the body is made, how many positional
 * arguments it takes, its option tables, the view a person sees and its
 * usage text.  Options are rows of field tables that say where each value
 * goes (JSON body path, query parameter, or the client itself), so one
 * generic runner (request.c) serves every verb and usage is generated from
 * the same data that drives the request.
 *
 * Parsing is in two passes.  The global options (--url, --key, --json,
 * --help) are taken out wherever they stand, before or after the verb.
 * The verb is then found from the first one or two words, and the rest is
 * parsed against that verb's option tables: "--opt value" or "--opt=value";
 * "--" ends options.  Configuration falls back to SHUCU_URL and SHUCU_KEY.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

#define END {NULL, NULL, FA_LOCAL, FT_STR, 0, NULL, NULL}

static const struct field FILE_OPT[] = {
    {"file", NULL, FA_LOCAL, FT_STR, 0, "FILE", "read the body from a JSON file (- for stdin); options given too override its fields"},
    END,
};

static const struct field RESOURCE_BODY[] = {
    {"kind", "kind", FA_BODY, FT_STR, 0, "KIND", "solution, product, dataset, model, process_package, service or infrastructure"},
    {"title", "title", FA_BODY, FT_STR, 0, "TEXT", "title, 1-120 characters"},
    {"summary", "summary", FA_BODY, FT_STR, 0, "TEXT", "short summary, up to 500 characters"},
    {"description", "description", FA_BODY, FT_STR, 0, "TEXT", "full description"},
    {"industry", "industries", FA_BODY, FT_LIST, 0, "CODE", "industry code, e.g. machinery or general"},
    {"scenario", "scenarios", FA_BODY, FT_LIST, 0, "CODE", "scenario code, e.g. quality or connectivity"},
    {"region", "regions", FA_BODY, FT_LIST, 0, "NAME", "province served, e.g. 湖北省, or 全国 (the default)"},
    {"tag", "tags", FA_BODY, FT_LIST, 0, "WORD", "free keyword"},
    {"price-min", "price.min", FA_BODY, FT_NUM, 0, "CNY", "lowest price"},
    {"price-max", "price.max", FA_BODY, FT_NUM, 0, "CNY", "highest price"},
    {"price-unit", "price.unit", FA_BODY, FT_STR, 0, "UNIT", "price unit, e.g. 套, 年, 次"},
    {"delivery", "delivery", FA_BODY, FT_STR, 0, "MODE", "saas, on_premise or hybrid"},
    {"level-from", "levels.from", FA_BODY, FT_INT, 0, "N", "digital level a customer starts from (1-4)"},
    {"level-to", "levels.to", FA_BODY, FT_INT, 0, "N", "digital level it reaches (1-4)"},
    {"deploy-days", "deploy_days", FA_BODY, FT_INT, 0, "N", "typical days to go live"},
    {"license", "license", FA_BODY, FT_STR, 0, "TEXT", "licence of a dataset or model"},
    {"external-id", "external_id", FA_BODY, FT_STR, 0, "ID", "your own id; bulk import updates by it"},
    END,
};

static const struct field NEED_BODY[] = {
    {"title", "title", FA_BODY, FT_STR, 0, "TEXT", "title, up to 120 characters"},
    {"description", "description", FA_BODY, FT_STR, 0, "TEXT", "what the enterprise needs"},
    {"industry", "industry", FA_BODY, FT_STR, 0, "CODE", "the enterprise's industry code"},
    {"scenario", "scenarios", FA_BODY, FT_LIST, 0, "CODE", "scenario code"},
    {"region", "region", FA_BODY, FT_STR, 0, "NAME", "province, e.g. 湖北省"},
    {"budget", "budget.max", FA_BODY, FT_NUM, 0, "CNY", "largest budget"},
    {"size", "enterprise_size", FA_BODY, FT_STR, 0, "SIZE", "micro, small, medium or large"},
    {"current-level", "current_level", FA_BODY, FT_INT, 0, "N", "digital level today (1-4)"},
    {"target-level", "target_level", FA_BODY, FT_INT, 0, "N", "digital level wanted (1-4)"},
    {"deadline", "deadline", FA_BODY, FT_STR, 0, "DATE", "YYYY-MM-DD"},
    {"contact-name", "contact.name", FA_BODY, FT_STR, 0, "NAME", "contact person"},
    {"contact-phone", "contact.phone", FA_BODY, FT_STR, 0, "PHONE", "contact phone"},
    {"contact-email", "contact.email", FA_BODY, FT_STR, 0, "EMAIL", "contact e-mail"},
    END,
};

static const struct field MATCH_QUERY[] = {
    {"kind", "kind", FA_QUERY, FT_LIST, 0, "KIND", "only resources of this kind"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "how many matches (default 10, at most 50)"},
    {"explain", "explain", FA_QUERY, FT_FLAG, 0, NULL, "show what each score is made of"},
    END,
};

static const struct field CHANGES_QUERY[] = {
    {"since", "since", FA_QUERY, FT_STR, 0, "CURSOR", "start after this cursor (0: the beginning)"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "changes asked for at a time (1-1000, default 500)"},
    {"follow", NULL, FA_LOCAL, FT_FLAG, 0, NULL, "keep following: ask again every --interval seconds"},
    {"interval", NULL, FA_LOCAL, FT_NUM, 0, "SECONDS", "how often --follow asks (default 2)"},
    {"cursor-file", NULL, FA_LOCAL, FT_STR, 0, "FILE", "resume from and save the cursor in FILE"},
    END,
};

static const struct field SEARCH_QUERY[] = {
    {"kind", "kind", FA_QUERY, FT_LIST, 0, "KIND", "resource kind, or provider"},
    {"industry", "industry", FA_QUERY, FT_LIST, 0, "CODE", "industry code"},
    {"scenario", "scenario", FA_QUERY, FT_LIST, 0, "CODE", "scenario code"},
    {"region", "region", FA_QUERY, FT_LIST, 0, "NAME", "province served"},
    {"delivery", "delivery", FA_QUERY, FT_LIST, 0, "MODE", "saas, on_premise or hybrid"},
    {"max-price", "max_price", FA_QUERY, FT_NUM, 0, "CNY", "lowest price at most this"},
    {"sort", "sort", FA_QUERY, FT_STR, 0, "ORDER", "relevance, newest, price_asc or rating"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "hits per page (default 20, at most 100)"},
    {"offset", "offset", FA_QUERY, FT_INT, 0, "N", "skip this many hits"},
    END,
};

static const struct field RESOURCE_LIST_QUERY[] = {
    {"kind", "kind", FA_QUERY, FT_LIST, 0, "KIND", "resource kind"},
    {"industry", "industry", FA_QUERY, FT_LIST, 0, "CODE", "industry code"},
    {"scenario", "scenario", FA_QUERY, FT_LIST, 0, "CODE", "scenario code"},
    {"region", "region", FA_QUERY, FT_LIST, 0, "NAME", "province served"},
    {"provider", "provider", FA_QUERY, FT_STR, 0, "ORG_ID", "one provider's resources"},
    {"status", "status", FA_QUERY, FT_STR, 0, "STATUS", "published (default), withdrawn or all"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "items per page (1-100, default 20)"},
    {"cursor", "cursor", FA_QUERY, FT_STR, 0, "CURSOR", "next_cursor of the previous page"},
    {"all", NULL, FA_LOCAL, FT_FLAG, 0, NULL, "fetch every page"},
    END,
};

static const struct field NEED_LIST_QUERY[] = {
    {"industry", "industry", FA_QUERY, FT_LIST, 0, "CODE", "industry code"},
    {"scenario", "scenario", FA_QUERY, FT_LIST, 0, "CODE", "scenario code"},
    {"region", "region", FA_QUERY, FT_LIST, 0, "NAME", "province"},
    {"status", "status", FA_QUERY, FT_STR, 0, "STATUS", "open, matched, in_campaign, closed or all"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "items per page (1-100, default 20)"},
    {"cursor", "cursor", FA_QUERY, FT_STR, 0, "CURSOR", "next_cursor of the previous page"},
    {"all", NULL, FA_LOCAL, FT_FLAG, 0, NULL, "fetch every page"},
    END,
};

static const struct field RESPOND_BODY[] = {
    {"resource", "resource_id", FA_BODY, FT_STR, FF_REQUIRED, "RESOURCE_ID", "the resource you offer"},
    {"message", "message", FA_BODY, FT_STR, 0, "TEXT", "your message to the enterprise"},
    {"quote", "quote", FA_BODY, FT_NUM, 0, "CNY", "your price"},
    END,
};

static const struct field CAMPAIGN_LIST_QUERY[] = {
    {"status", "status", FA_QUERY, FT_STR, 0, "STATUS", "draft, open, succeeded, failed, contracted, …"},
    {"industry", "industry", FA_QUERY, FT_LIST, 0, "CODE", "industry code"},
    {"region", "region", FA_QUERY, FT_LIST, 0, "NAME", "province"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "items per page"},
    {"cursor", "cursor", FA_QUERY, FT_STR, 0, "CURSOR", "next_cursor of the previous page"},
    {"all", NULL, FA_LOCAL, FT_FLAG, 0, NULL, "fetch every page"},
    END,
};

static const struct field CAMPAIGN_CREATE[] = {
    {"file", NULL, FA_LOCAL, FT_STR, FF_REQUIRED, "FILE", "the campaign as a JSON file (- for stdin)"},
    END,
};

static const struct field JOIN_BODY[] = {
    {"need", "need_id", FA_BODY, FT_STR, 0, "NEED_ID", "the need this joins with"},
    END,
};

static const struct field TRANSITION_BODY[] = {
    {"to", "to", FA_BODY, FT_STR, FF_REQUIRED, "STATUS", "open, succeeded, failed, contracted, implementing, completed or cancelled"},
    {"reason", "reason", FA_BODY, FT_STR, 0, "TEXT", "why, kept in the campaign's revisions"},
    END,
};

static const struct field ENTERPRISE_QUERY[] = {
    {"province", "province", FA_QUERY, FT_STR, 0, "NAME", "province, by name or GB/T 2260 code"},
    {"city", "city", FA_QUERY, FT_STR, 0, "NAME", "city, by name or code"},
    {"district", "district", FA_QUERY, FT_STR, 0, "NAME", "district (区县), by name or code"},
    {"industry", "industry", FA_QUERY, FT_STR, 0, "CODE", "industry code"},
    {"level", "level", FA_QUERY, FT_STR, 0, "N", "verified level 0-4, or none (never verified)"},
    {"above-scale", "above_scale", FA_QUERY, FT_STR, 0, "BOOL", "true: 规上 enterprises only; false: the others"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "items per page (1-100, default 20)"},
    {"cursor", "cursor", FA_QUERY, FT_STR, 0, "CURSOR", "next_cursor of the previous page"},
    {"all", NULL, FA_LOCAL, FT_FLAG, 0, NULL, "fetch every page"},
    END,
};

static const struct field ASSESS_LIST_QUERY[] = {
    {"org", "org_id", FA_QUERY, FT_STR, 0, "ORG_ID", "one enterprise's assessments"},
    {"status", "status", FA_QUERY, FT_STR, 0, "STATUS", "draft, submitted or verified"},
    {"level", "level", FA_QUERY, FT_INT, 0, "N", "level 0-4"},
    {"district", "district", FA_QUERY, FT_STR, 0, "NAME", "the enterprise's district"},
    {"industry", "industry", FA_QUERY, FT_STR, 0, "CODE", "the enterprise's industry"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "items per page (1-100, default 20)"},
    {"cursor", "cursor", FA_QUERY, FT_STR, 0, "CURSOR", "next_cursor of the previous page"},
    {"all", NULL, FA_LOCAL, FT_FLAG, 0, NULL, "fetch every page"},
    END,
};

static const struct field VERIFY_BODY[] = {
    {"scene", "scenes", FA_BODY, FT_KV, 0, "CODE=N", "the step (0-4) the center found for a scene, e.g. quality=2"},
    {"note", "note", FA_BODY, FT_STR, 0, "TEXT", "the center's note, kept in the history"},
    END,
};

static const struct field RETURN_BODY[] = {
    {"reason", "reason", FA_BODY, FT_STR, FF_REQUIRED, "TEXT", "what the enterprise must fix"},
    END,
};

static const struct field GAPS_QUERY[] = {
    {"target", "target", FA_QUERY, FT_INT, 0, "N", "the level to reach (default: the next one)"},
    END,
};

/* projects, tickets, cases (issue 19) */
static const struct field PROJECT_LIST_QUERY[] = {
    {"status", "status", FA_QUERY, FT_STR, 0, "STATUS", "contracted, implementing, delivered, accepted, disputed or cancelled"},
    {"provider", "provider", FA_QUERY, FT_STR, 0, "ORG_ID", "one provider's projects"},
    {"enterprise", "enterprise", FA_QUERY, FT_STR, 0, "ORG_ID", "one enterprise's projects"},
    {"campaign", "campaign_id", FA_QUERY, FT_STR, 0, "CAMPAIGN_ID", "the projects of a campaign"},
    {"district", "district", FA_QUERY, FT_STR, 0, "NAME", "the enterprise's district"},
    {"sort", "sort", FA_QUERY, FT_STR, 0, "ORDER", "newest (default) or due: overdue milestones first"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "items per page (1-100, default 20)"},
    {"cursor", "cursor", FA_QUERY, FT_STR, 0, "CURSOR", "next_cursor of the previous page"},
    {"all", NULL, FA_LOCAL, FT_FLAG, 0, NULL, "fetch every page"},
    END,
};

static const struct field PROJECT_BODY[] = {
    {"response", "response_id", FA_BODY, FT_STR, 0, "RESPONSE_ID", "the accepted response the project starts from"},
    {"center", "center_id", FA_BODY, FT_STR, 0, "ORG_ID", "the supervising center"},
    {"title", "title", FA_BODY, FT_STR, 0, "TEXT", "the project's name"},
    {"amount", "amount", FA_BODY, FT_NUM, 0, "CNY", "the contract amount"},
    END,
};

static const struct field PROJECT_MOVE[] = {
    {"to", "to", FA_BODY, FT_STR, FF_REQUIRED, "STATUS", "implementing, delivered, accepted, disputed or cancelled"},
    {"reason", "reason", FA_BODY, FT_STR, 0, "TEXT", "why (required for disputed and cancelled)"},
    END,
};

static const struct field SIGNOFF_BODY[] = {
    {"note", "note", FA_BODY, FT_STR, 0, "TEXT", "a note kept with the sign-off"},
    END,
};

static const struct field TICKET_BODY[] = {
    {"title", "title", FA_BODY, FT_STR, FF_REQUIRED, "TEXT", "what is wrong"},
    {"severity", "severity", FA_BODY, FT_STR, 0, "LEVEL", "low, normal, high or urgent"},
    {"description", "description", FA_BODY, FT_STR, 0, "TEXT", "details"},
    END,
};

static const struct field REPLY_BODY[] = {
    {"text", "text", FA_BODY, FT_STR, FF_REQUIRED, "TEXT", "the reply"},
    END,
};

static const struct field CLOSE_BODY[] = {
    {"note", "note", FA_BODY, FT_STR, 0, "TEXT", "how it was solved"},
    END,
};

static const struct field CASE_QUERY[] = {
    {"industry", "industry", FA_QUERY, FT_LIST, 0, "CODE", "industry code"},
    {"scenario", "scenario", FA_QUERY, FT_LIST, 0, "CODE", "scenario code"},
    {"resource", "resource_id", FA_QUERY, FT_STR, 0, "RESOURCE_ID", "the cases of one resource"},
    {"limit", "limit", FA_QUERY, FT_INT, 0, "N", "cases per page (default 20, at most 100)"},
    {"offset", "offset", FA_QUERY, FT_INT, 0, "N", "skip this many"},
    END,
};

static const struct field CASE_BODY[] = {
    {"title", "title", FA_BODY, FT_STR, FF_REQUIRED, "TEXT", "the case's title"},
    {"problem", "problem", FA_BODY, FT_STR, FF_REQUIRED, "TEXT", "what the enterprise faced"},
    {"solution", "solution", FA_BODY, FT_STR, FF_REQUIRED, "TEXT", "what was done"},
    {"quote", "quote", FA_BODY, FT_STR, 0, "TEXT", "the enterprise's own words"},
    {"hide-enterprise", "hide_enterprise", FA_BODY, FT_FLAG, 0, NULL, "show a description instead of the enterprise's name"},
    END,
};

static const struct field EXPORT_OPTS[] = {
    {"format", "format", FA_QUERY, FT_STR, 0, "FORMAT", "pdf or html (default html)"},
    {"title", "title", FA_QUERY, FT_STR, 0, "TEXT", "the collection's title"},
    {"out", NULL, FA_LOCAL, FT_STR, FF_REQUIRED, "FILE", "where to write it (- for stdout)"},
    END,
};

#define JSON_CT "application/json"

static const struct verb VERBS[] = {
    {"search", "GET", "/v1/search", VB_NONE, NULL, 0, -1, {SEARCH_QUERY}, VIEW_SEARCH, VF_POS_QUERY,
     "TEXT [--kind K]... [--industry I]... [--scenario S]... [--region R] [--max-price N] [--sort S] [--limit N]",
     "search the resource pool (Chinese and Latin text, filters)"},

    {"resources create", "POST", "/v1/resources", VB_JSON, JSON_CT, 0, 0, {RESOURCE_BODY, FILE_OPT}, VIEW_RECORD, 0,
     "--kind K --title T --industry I... --scenario S... [options] | --file resource.json",
     "list a new resource (provider key)"},
    {"resources get", "GET", "/v1/resources/{0}", VB_NONE, NULL, 1, 1, {NULL}, VIEW_RECORD, 0,
     "ID", "show one resource"},
    {"resources list", "GET", "/v1/resources", VB_NONE, NULL, 0, 0, {RESOURCE_LIST_QUERY}, VIEW_RESOURCES, VF_PAGED,
     "[--kind K]... [--industry I]... [--scenario S]... [--provider ORG] [--status S] [--limit N] [--cursor C | --all]",
     "list resources, newest first"},
    {"resources update", "PATCH", "/v1/resources/{0}", VB_JSON, "application/merge-patch+json", 1, 1,
     {RESOURCE_BODY, FILE_OPT}, VIEW_RECORD, 0,
     "ID [--title T] [options] | ID --file patch.json", "change fields of your resource (a merge patch)"},
    {"resources delete", "DELETE", "/v1/resources/{0}", VB_NONE, NULL, 1, 1, {NULL}, VIEW_RECORD, 0,
     "ID", "withdraw your resource"},
    {"resources import", "POST", "/v1/resources:bulk", VB_NDJSON, "application/x-ndjson", 1, 1, {NULL}, VIEW_IMPORT, 0,
     "FILE.ndjson", "create or update many resources, one JSON object a line (- for stdin)"},

    {"needs create", "POST", "/v1/needs", VB_JSON, JSON_CT, 0, 0, {NEED_BODY, FILE_OPT}, VIEW_RECORD, 0,
     "--title T --industry I --scenario S... [options] | --file need.json",
     "publish a need (enterprise key)"},
    {"needs list", "GET", "/v1/needs", VB_NONE, NULL, 0, 0, {NEED_LIST_QUERY}, VIEW_NEEDS, VF_PAGED,
     "[--industry I]... [--scenario S]... [--region R] [--status S] [--limit N] [--cursor C | --all]",
     "list needs (centers and providers see open needs; enterprises their own)"},
    {"needs get", "GET", "/v1/needs/{0}", VB_NONE, NULL, 1, 1, {NULL}, VIEW_RECORD, 0,
     "ID", "show one need"},
    {"needs update", "PATCH", "/v1/needs/{0}", VB_JSON, "application/merge-patch+json", 1, 1,
     {NEED_BODY, FILE_OPT}, VIEW_RECORD, 0,
     "ID [--title T] [options] | ID --file patch.json", "change fields of your need (a merge patch)"},
    {"needs matches", "GET", "/v1/needs/{0}/matches", VB_NONE, NULL, 1, 1, {MATCH_QUERY}, VIEW_MATCHES, 0,
     "ID [--kind K]... [--limit N] [--explain]", "resources ranked for a need"},
    {"needs respond", "POST", "/v1/needs/{0}/responses", VB_JSON, JSON_CT, 1, 1, {RESPOND_BODY}, VIEW_RECORD, 0,
     "ID --resource RID [--message M] [--quote Q]", "offer a resource for a need (provider key)"},
    {"needs responses", "GET", "/v1/needs/{0}/responses", VB_NONE, NULL, 1, 1, {NULL}, VIEW_RESPONSES, 0,
     "ID", "the responses to a need"},
    {"needs accept", "POST", "/v1/needs/{0}/responses/{1}/accept", VB_JSON, JSON_CT, 2, 2, {NULL}, VIEW_RECORD, 0,
     "ID RESPONSE_ID", "accept a provider's response (the need's enterprise)"},

    {"match", "POST", "/v1/match", VB_JSON, JSON_CT, 0, 0, {NEED_BODY, MATCH_QUERY, FILE_OPT}, VIEW_MATCHES, 0,
     "--title T [--description D] --industry I --scenario S... [--budget N] [--explain] | --file need.json",
     "rank resources for a need given here, storing nothing"},

    {"campaigns list", "GET", "/v1/campaigns", VB_NONE, NULL, 0, 0, {CAMPAIGN_LIST_QUERY}, VIEW_CAMPAIGNS, VF_PAGED,
     "[--status S] [--industry I]... [--region R]... [--cursor C | --all]", "list group-procurement campaigns"},
    {"campaigns get", "GET", "/v1/campaigns/{0}", VB_NONE, NULL, 1, 1, {NULL}, VIEW_RECORD, 0,
     "ID", "show one campaign"},
    {"campaigns create", "POST", "/v1/campaigns", VB_JSON, JSON_CT, 0, 0, {CAMPAIGN_CREATE}, VIEW_RECORD, 0,
     "--file campaign.json", "start a campaign (center key)"},
    {"campaigns join", "POST", "/v1/campaigns/{0}/join", VB_JSON, JSON_CT, 1, 1, {JOIN_BODY}, VIEW_RECORD, 0,
     "ID [--need NEED_ID]", "join a campaign (enterprise key)"},
    {"campaigns leave", "POST", "/v1/campaigns/{0}/leave", VB_JSON, JSON_CT, 1, 1, {NULL}, VIEW_RECORD, 0,
     "ID", "leave an open campaign (enterprise key)"},
    {"campaigns confirm", "POST", "/v1/campaigns/{0}/confirm", VB_JSON, JSON_CT, 1, 1, {NULL}, VIEW_RECORD, 0,
     "ID", "confirm a campaign's tier prices (the resource's provider; it opens only then)"},
    {"campaigns transition", "POST", "/v1/campaigns/{0}/transition", VB_JSON, JSON_CT, 1, 1, {TRANSITION_BODY},
     VIEW_RECORD, 0, "ID --to STATUS [--reason R]", "move a campaign to another state (center key)"},

    {"enterprises", "GET", "/v1/enterprises", VB_NONE, NULL, 0, -1, {ENTERPRISE_QUERY}, VIEW_ENTERPRISES,
     VF_PAGED | VF_POS_QUERY,
     "[NAME...] [--district D] [--industry I] [--level N|none] [--above-scale true|false] [--cursor C | --all]",
     "the register of enterprise files, by place, industry, level, 规上 and name (center or admin key)"},
    {"assess list", "GET", "/v1/assessments", VB_NONE, NULL, 0, 0, {ASSESS_LIST_QUERY}, VIEW_ASSESSMENTS, VF_PAGED,
     "[--org ORG_ID] [--status S] [--level N] [--district D] [--industry I] [--cursor C | --all]",
     "list assessments (an enterprise sees its own)"},
    {"assess show", "GET", "/v1/assessments/{0}", VB_NONE, NULL, 1, 1, {NULL}, VIEW_ASSESSMENT, 0,
     "ID", "an assessment: score by dimension, level and what each level needs, scenes"},
    {"assess submit", "POST", "/v1/assessments/{0}/submit", VB_JSON, JSON_CT, 1, 1, {NULL}, VIEW_ASSESSMENT, 0,
     "ID", "submit a draft for verification (its creator)"},
    {"assess verify", "POST", "/v1/assessments/{0}/verify", VB_JSON, JSON_CT, 1, 1, {VERIFY_BODY},
     VIEW_ASSESSMENT, 0, "ID [--scene CODE=N]... [--note TEXT]",
     "verify a submitted assessment, correcting scene steps (center key)"},
    {"assess return", "POST", "/v1/assessments/{0}/return", VB_JSON, JSON_CT, 1, 1, {RETURN_BODY},
     VIEW_ASSESSMENT, 0, "ID --reason TEXT", "send a submitted assessment back to its creator (center key)"},
    {"gaps", "GET", "/v1/assessments/{0}/gaps", VB_NONE, NULL, 1, 1, {GAPS_QUERY}, VIEW_GAPS, 0,
     "ID [--target N]", "what an assessment lacks for a level, scene by scene, with fitting resources"},

    {"projects list", "GET", "/v1/projects", VB_NONE, NULL, 0, 0, {PROJECT_LIST_QUERY}, VIEW_PROJECTS, VF_PAGED,
     "[--status S] [--provider ORG] [--enterprise ORG] [--campaign C] [--district D] [--sort due] [--cursor C | --all]",
     "projects: a party's own, every project for centers (--sort due: the board's order)"},
    {"projects get", "GET", "/v1/projects/{0}", VB_NONE, NULL, 1, 1, {NULL}, VIEW_PROJECT, 0,
     "ID", "one project: state, milestones, costs, the verified levels and figures before and after"},
    {"projects create", "POST", "/v1/projects", VB_JSON, JSON_CT, 0, 0, {PROJECT_BODY, FILE_OPT}, VIEW_PROJECT, 0,
     "--response RESPONSE_ID [--center ORG] [--amount N] | --file project.json",
     "start the project of an accepted response (the need's enterprise)"},
    {"projects update", "PATCH", "/v1/projects/{0}", VB_JSON, "application/merge-patch+json", 1, 1,
     {PROJECT_BODY, FILE_OPT}, VIEW_PROJECT, 0, "ID [--amount N] [--title T] | ID --file patch.json",
     "change the amount, cost lines or milestone dates (a party)"},
    {"projects transition", "POST", "/v1/projects/{0}/transition", VB_JSON, JSON_CT, 1, 1, {PROJECT_MOVE},
     VIEW_PROJECT, 0, "ID --to STATUS [--reason R]", "move a project (the party the contract names)"},
    {"projects signoff", "POST", "/v1/projects/{0}/signoff", VB_JSON, JSON_CT, 1, 1, {SIGNOFF_BODY},
     VIEW_PROJECT, 0, "ID [--note TEXT]", "sign a delivered project off (the enterprise or the center)"},
    {"projects tickets", "GET", "/v1/projects/{0}/tickets", VB_NONE, NULL, 1, 1, {NULL}, VIEW_TICKETS, 0,
     "ID", "a project's O&M tickets with their response and resolution times"},
    {"projects ticket", "POST", "/v1/projects/{0}/tickets", VB_JSON, JSON_CT, 1, 1, {TICKET_BODY}, VIEW_RECORD, 0,
     "ID --title T [--severity S] [--description D]", "open an O&M ticket after go-live (the enterprise)"},
    {"projects reply", "POST", "/v1/projects/{0}/tickets/{1}/reply", VB_JSON, JSON_CT, 2, 2, {REPLY_BODY},
     VIEW_RECORD, 0, "ID TICKET_ID --text T", "answer a ticket (the provider) or add to it (the enterprise)"},
    {"projects close", "POST", "/v1/projects/{0}/tickets/{1}/close", VB_JSON, JSON_CT, 2, 2, {CLOSE_BODY},
     VIEW_RECORD, 0, "ID TICKET_ID [--note N]", "close a ticket"},

    {"cases search", "GET", "/v1/cases", VB_NONE, NULL, 0, -1, {CASE_QUERY}, VIEW_CASES, VF_POS_QUERY,
     "[TEXT] [--industry I]... [--scenario S]... [--resource RID]", "search the case library (public)"},
    {"cases get", "GET", "/v1/cases/{0}", VB_NONE, NULL, 1, 1, {NULL}, VIEW_RECORD, 0,
     "ID", "one case: problem, solution, cost, duration, levels and figures"},
    {"cases publish", "POST", "/v1/projects/{0}/case", VB_JSON, JSON_CT, 1, 1, {CASE_BODY}, VIEW_RECORD, 0,
     "PROJECT_ID --title T --problem P --solution S [--quote Q] [--hide-enterprise]",
     "publish an accepted project as a case (its supervising center)"},
    {"cases export", "GET", "/v1/cases:export", VB_NONE, NULL, 1, 50, {EXPORT_OPTS}, VIEW_FILE, VF_POS_IDS,
     "CASE_ID... [--format pdf|html] [--title T] --out FILE", "a 案例集 of these cases as a PDF or printable page (center)"},

    {"changes", "GET", "/v1/changes", VB_NONE, NULL, 0, 0, {CHANGES_QUERY}, VIEW_DOC, 0,
     "[--since CURSOR] [--follow] [--cursor-file FILE]",
     "the change feed as NDJSON, one change a line (center, admin or authority key)"},
    {"stats", "GET", "/v1/stats", VB_NONE, NULL, 0, 0, {NULL}, VIEW_DOC, 0,
     "", "counts by industry, scenario, region, kind and status (center or admin key)"},
    {"taxonomy", "GET", "/v1/taxonomy", VB_NONE, NULL, 0, 0, {NULL}, VIEW_DOC, 0,
     "", "industries, scenarios, levels and the other codes"},
    {"me", "GET", "/v1/me", VB_NONE, NULL, 0, 0, {NULL}, VIEW_RECORD, 0,
     "", "who the key belongs to"},
    {"health", "GET", "/healthz", VB_NONE, NULL, 0, 0, {NULL}, VIEW_RECORD, 0,
     "", "the server's health"},
};

#define NVERBS (sizeof VERBS / sizeof VERBS[0])

static const char EXAMPLE[] =
    "  shucu search 质检 --industry machinery\n"
    "  shucu resources create --kind product --title 注塑机联网盒子 --industry machinery --scenario connectivity\n"
    "  shucu needs matches need_… --explain\n"
    "  shucu gaps asmt_… --target 2\n"
    "  shucu projects list --sort due\n"
    "  shucu cases export case_… case_… --format pdf --out 案例集.pdf\n";

/* ------------------------------------------------------------ usage */

static void usage_main(FILE *out)
{
    fputs("usage: shucu [--url URL] [--key KEY] [--json] VERB [ARGS...]\n\n"
          "The command-line client of shucud: the resource pool, needs and matching,\n"
          "and group-procurement campaigns of a 数促中心.\n\nverbs:\n", out);
    for (size_t i = 0; i < NVERBS; i++)
        fprintf(out, "  %-22s %s\n", VERBS[i].name, VERBS[i].summary);
    fputs("\nglobal options (before or after the verb):\n"
          "  --url URL    server address (default $SHUCU_URL, else " CLI_DEFAULT_URL ")\n"
          "  --key KEY    API key (default $SHUCU_KEY)\n"
          "  --json       print the server's JSON (pretty on a terminal)\n"
          "  -h, --help   this text; `shucu VERB --help` or `shucu help VERB` for one verb\n\n"
          "On a terminal lists print as tables and records as key: value lines;\n"
          "otherwise the server's JSON is printed as it came.\n"
          "exit status: 0 ok, 1 the server refused (4xx/5xx), 2 usage error,\n"
          "3 the server cannot be reached, 4 an import saved some lines and refused others\n"
          "(as `shucud import`).\n\nexamples:\n", out);
    fputs(EXAMPLE, out);
}

void verb_usage(FILE *out, const struct verb *v)
{
    fprintf(out, "usage: shucu %s%s%s\n\n  %s\n  %s %s\n", v->name, *v->synopsis ? " " : "", v->synopsis,
            v->summary, v->method, v->path);
    int any = 0;
    for (int t = 0; t < VERB_TABLES; t++) {
        for (const struct field *f = v->fields[t]; f && f->flag; f++) {
            char left[64];
            snprintf(left, sizeof left, "--%s%s%s", f->flag, f->meta ? " " : "", f->meta ? f->meta : "");
            fprintf(out, "%s  %-24s %s%s%s\n", any ? "" : "\noptions:\n", left, f->help,
                    f->type == FT_LIST || f->type == FT_KV ? " (repeatable)" : "",
                    f->flags & FF_REQUIRED ? " (required)" : "");
            any = 1;
        }
    }
    fputs("\nglobal options: --url URL, --key KEY, --json, --help\n", out);
}

/* Usage of every verb that starts with `group` ("needs"). */
static void usage_group(FILE *out, const char *group)
{
    size_t gl = strlen(group);
    fprintf(out, "usage: shucu %s VERB [ARGS...]\n\n", group);
    for (size_t i = 0; i < NVERBS; i++) {
        if (strncmp(VERBS[i].name, group, gl) == 0 && VERBS[i].name[gl] == ' ')
            fprintf(out, "  shucu %s %s\n      %s\n", VERBS[i].name, VERBS[i].synopsis, VERBS[i].summary);
    }
    fprintf(out, "\n`shucu %s VERB --help` for the options of one.\n", group);
}

static int is_group(const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i < NVERBS; i++) {
        if (strncmp(VERBS[i].name, word, n) == 0 && VERBS[i].name[n] == ' ')
            return 1;
    }
    return 0;
}

/*
 * The verb named by words[0] (and words[1]); *used gets how many words
 * its name took.  NULL if none.
 */
static const struct verb *verb_find(const char *const *words, int n, int *used)
{
    char two[128];
    if (n >= 2 && words[1][0] != '-') {
        snprintf(two, sizeof two, "%s %s", words[0], words[1]);
        for (size_t i = 0; i < NVERBS; i++) {
            if (strcmp(VERBS[i].name, two) == 0) {
                *used = 2;
                return &VERBS[i];
            }
        }
    }
    for (size_t i = 0; n >= 1 && i < NVERBS; i++) {
        if (strcmp(VERBS[i].name, words[0]) == 0) {
            *used = 1;
            return &VERBS[i];
        }
    }
    return NULL;
}

/* Help for the words after `help` (or before --help): 0, or 2 if unknown. */
static int help_for(const char *const *words, int n)
{
    int used;
    const struct verb *v = verb_find(words, n, &used);
    if (n == 0) {
        usage_main(stdout);
        return CLI_EXIT_OK;
    }
    if (v && (used == 2 || n == 1 || !is_group(words[0]))) {
        verb_usage(stdout, v);
        return CLI_EXIT_OK;
    }
    if (is_group(words[0])) {
        usage_group(stdout, words[0]);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "shucu: no verb '%s' (see: shucu --help)\n", words[0]);
    return CLI_EXIT_USAGE;
}

/* ------------------------------------------------------------ parsing */

const char *args_get(const struct args *a, const char *flag)
{
    for (int i = a->nopts - 1; i >= 0; i--) {
        if (strcmp(a->opts[i].field->flag, flag) == 0)
            return a->opts[i].value ? a->opts[i].value : "";
    }
    return NULL;
}

static const struct field *field_find(const struct verb *v, const char *name, size_t n)
{
    for (int t = 0; t < VERB_TABLES; t++) {
        for (const struct field *f = v->fields[t]; f && f->flag; f++) {
            if (strlen(f->flag) == n && strncmp(f->flag, name, n) == 0)
                return f;
        }
    }
    return NULL;
}

/*
 * Take the global options out of argv wherever they are; what is left goes
 * to rest (in order).  Returns 0 or CLI_EXIT_USAGE.
 */
static int parse_globals(int argc, char **argv, struct cli_conf *conf, const char **rest, int *nrest)
{
    int dashdash = 0;
    *nrest = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **dst = NULL;
        if (dashdash || strncmp(s, "-", 1) != 0 || !s[1]) {
            rest[(*nrest)++] = s;
            continue;
        }
        if (strcmp(s, "--") == 0) {
            dashdash = 1;
            rest[(*nrest)++] = s;
        } else if (strcmp(s, "--json") == 0) {
            conf->json = 1;
        } else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            conf->help = 1;
        } else if (strncmp(s, "--url", 5) == 0 && (s[5] == '=' || !s[5])) {
            dst = &conf->url;
        } else if (strncmp(s, "--key", 5) == 0 && (s[5] == '=' || !s[5])) {
            dst = &conf->key;
        } else {
            rest[(*nrest)++] = s;
        }
        if (dst && s[5] == '=') {
            *dst = s + 6;
        } else if (dst) {
            if (i + 1 >= argc) {
                fprintf(stderr, "shucu: %s needs a value\n", s);
                return CLI_EXIT_USAGE;
            }
            *dst = argv[++i];
        }
    }
    return 0;
}

/* Parse a verb's own arguments (words after its name) into a. */
static int parse_verb(const struct verb *v, const char *const *w, int n, struct args *a)
{
    int dashdash = 0;
    a->verb = v;
    for (int i = 0; i < n; i++) {
        const char *s = w[i];
        if (dashdash || strncmp(s, "--", 2) != 0) {
            if (!dashdash && s[0] == '-' && s[1]) {
                fprintf(stderr, "shucu %s: unknown option %s (see: shucu %s --help)\n", v->name, s, v->name);
                return CLI_EXIT_USAGE;
            }
            a->pos[a->npos++] = s;
            continue;
        }
        if (!s[2]) {
            dashdash = 1;
            continue;
        }
        const char *eq = strchr(s + 2, '=');
        size_t len = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
        const struct field *f = field_find(v, s + 2, len);
        if (!f) {
            fprintf(stderr, "shucu %s: unknown option --%.*s (see: shucu %s --help)\n", v->name, (int)len, s + 2,
                    v->name);
            return CLI_EXIT_USAGE;
        }
        const char *val = NULL;
        if (f->type == FT_FLAG && eq) {
            fprintf(stderr, "shucu %s: --%s takes no value\n", v->name, f->flag);
            return CLI_EXIT_USAGE;
        } else if (f->type != FT_FLAG) {
            if (eq) {
                val = eq + 1;
            } else if (i + 1 < n) {
                val = w[++i];
            } else {
                fprintf(stderr, "shucu %s: --%s needs a value (%s)\n", v->name, f->flag, f->meta);
                return CLI_EXIT_USAGE;
            }
        }
        a->opts[a->nopts++] = (struct opt){f, val};
    }
    if (a->npos < v->min_pos || (v->max_pos >= 0 && a->npos > v->max_pos)) {
        fprintf(stderr, "shucu %s: %s\nusage: shucu %s %s\n", v->name,
                a->npos < v->min_pos ? "missing arguments" : "too many arguments", v->name, v->synopsis);
        return CLI_EXIT_USAGE;
    }
    for (int t = 0; t < VERB_TABLES; t++) {
        for (const struct field *f = v->fields[t]; f && f->flag; f++) {
            if ((f->flags & FF_REQUIRED) && !args_get(a, f->flag)) {
                fprintf(stderr, "shucu %s: --%s is required\nusage: shucu %s %s\n", v->name, f->flag, v->name,
                        v->synopsis);
                return CLI_EXIT_USAGE;
            }
        }
    }
    return 0;
}

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    return c ? atoi(c) : 0;
}

int main(int argc, char **argv)
{
    int rc, used = 0;
    const char **rest = xcalloc((size_t)argc, sizeof *rest);
    struct args a = {0};
    struct cli_conf conf = {0};
    const char *env;

    setlocale(LC_ALL, "");
    conf.url = (env = getenv("SHUCU_URL")) && *env ? env : CLI_DEFAULT_URL;
    conf.key = getenv("SHUCU_KEY");
    int nrest;
    if ((rc = parse_globals(argc, argv, &conf, rest, &nrest)) != 0)
        goto cleanup;
    conf.tty = isatty(STDOUT_FILENO);
    conf.termw = conf.tty ? terminal_width() : 0;

    if (nrest > 0 && strcmp(rest[0], "help") == 0) {
        rc = help_for(rest + 1, nrest - 1);
        goto cleanup;
    }
    const struct verb *v = verb_find(rest, nrest, &used);
    if (!v) {
        if (conf.help) {
            rc = help_for(rest, nrest > 1 && is_group(rest[0]) ? 1 : nrest);
        } else if (nrest == 0) {
            usage_main(stderr);
            rc = CLI_EXIT_USAGE;
        } else if (is_group(rest[0])) {
            if (nrest > 1)
                fprintf(stderr, "shucu: %s has no verb '%s'\n\n", rest[0], rest[1]);
            usage_group(stderr, rest[0]);
            rc = CLI_EXIT_USAGE;
        } else {
            fprintf(stderr, "shucu: no verb '%s' (see: shucu --help)\n", rest[0]);
            rc = CLI_EXIT_USAGE;
        }
        goto cleanup;
    }
    if (conf.help) {
        verb_usage(stdout, v);
        rc = CLI_EXIT_OK;
        goto cleanup;
    }
    a.pos = xcalloc((size_t)argc, sizeof *a.pos);
    a.opts = xcalloc((size_t)argc, sizeof *a.opts);
    if ((rc = parse_verb(v, rest + used, nrest - used, &a)) != 0)
        goto cleanup;
    if (http_global_init() < 0) {
        fputs("shucu: cannot initialise libcurl\n", stderr);
        rc = CLI_EXIT_FAIL;
        goto cleanup;
    }
    rc = strcmp(v->name, "changes") == 0 ? changes_run(&conf, &a) : request_run(&conf, &a);
    http_global_cleanup();
cleanup:
    free(a.pos);
    free(a.opts);
    free(rest);
    return rc;
}
