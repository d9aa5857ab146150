/*
 * ops.h - operational endpoints: /healthz, /metrics, /v1/taxonomy,
 * /v1/me, and the static files of the web console.
 */
#ifndef SHUCU_OPS_H
#define SHUCU_OPS_H

#include "http.h"

void h_healthz(struct req *r);
void h_metrics(struct req *r);
void h_taxonomy(struct req *r);
void h_me(struct req *r);
/* Serves GET requests outside /v1 from the web console directory. */
void h_static(struct req *r);

#endif
