/*
 * router.h - the application side of httpd.h: a request's head is routed
 * and authenticated before its body is read (router_head), the body is
 * parsed and the handler called when it is in (router_request), and the
 * HTTP layer's own refusals are answered in the contract's shape
 * (router_error).  m->arg is the struct worker the request came to.
 */
#ifndef SHUCU_ROUTER_H
#define SHUCU_ROUTER_H

struct hmsg;

long router_head(struct hmsg *m);
void router_request(struct hmsg *m);
void router_error(struct hmsg *m, int status, const char *why);

#endif
