/*
 * names.h - organisation names as people read them, and as the server
 * compares them.
 *
 * An outside test made "provider_orgA " (a trailing space), a name with a
 * zero-width space, and "ｐｒｏｖｉｄｅｒ＿ｏｒｇＡ" (full-width letters) pass as
 * three organisations beside provider_orgA: one could impersonate another.
 * A name is now stored as its Unicode NFKC form (full-width letters and
 * digits become ASCII) with invisible format characters (zero-width
 * spaces and joiners, bidi marks, soft hyphens, BOM) removed and white
 * space collapsed and trimmed; two organisations may not share the same
 * name key (that form, lower-cased).  NFKC is libunistring's (Debian's
 * libunistring-dev; docs/design.md says why it is not ours).
 */
#ifndef SHUCU_NAMES_H
#define SHUCU_NAMES_H

/* The name to store and show for s (new string, to free), or NULL when s
 * is not valid UTF-8 or nothing visible is left. */
char *name_display(const char *s);

/* The key names are compared by: name_display(s) lower-cased.  New string
 * or NULL as for name_display. */
char *name_key(const char *s);

#endif
