/*
 * zh.h - the server's Chinese: error messages for clients that ask for
 * them (Accept-Language: zh…), and the Chinese names of the fields a
 * message may name.
 *
 * English stays the default, so programs and the tests that read English
 * messages see no change.  A client that sends Accept-Language with a
 * first range of zh (zh, zh-CN, zh-Hans-CN, ...) gets every error message
 * in Chinese, naming the field by its Chinese name ("预算上限不能为负数").
 *
 * Three sources, tried in this order for each error:
 *  1. Validation (validate.c) writes both languages at once (struct verr
 *     keeps msg and msg_zh), with rules that know the field and its
 *     bounds ("预算上限不能为负数").
 *  2. Any other message is looked up by its English printf format in the
 *     catalogue (zh.c), the way gettext keys a translation by its msgid:
 *     a handler writes reply_error(r, ERR_CONFLICT, NULL, "the campaign is
 *     %s, not open for joining", status) and the Chinese template
 *     "活动{1:w}，不能报名" is filled with the same arguments.  zh_format()
 *     reads the arguments by the *English* format (which the compiler
 *     checks), so a template can never read one with the wrong type;
 *     it refers to them by number: {1} as formatted, {1:w} through
 *     zh_word() (a status, a role), {1:f} through zh_field() (a path).
 *  3. A message with no entry falls back to the Chinese text of its error
 *     code and the Chinese name of its field ("填写有误：预算上限"), so a
 *     Chinese client never sees an English sentence, only a less specific
 *     one.
 *
 * Pure: no I/O, no allocation; every function may be called from any
 * thread.
 */
#ifndef SHUCU_ZH_H
#define SHUCU_ZH_H

#include <stddef.h>

/* 1 when an Accept-Language header value (may be NULL) asks for Chinese
 * first. */
int zh_accepts(const char *accept_language);

/* The Chinese name of a field path ("budget.max" -> "预算上限",
 * "industries[2]" -> "行业（第 3 项）", "cases[0].result" -> "案例（第 1
 * 项）成效"), written into out; an unknown name is kept as given.
 * Returns out. */
const char *zh_field(const char *path, char *out, size_t outlen);

/* The Chinese template for an English printf format, or NULL. */
const char *zh_template(const char *en_fmt);

/* Formats the Chinese template tpl with the arguments ap of the English
 * format en_fmt (see above) into out, always terminated and cut to whole
 * characters.  Conversions supported in en_fmt: %s %d %i %u %ld %lld %zu
 * %g %f %c with flags, width and precision (also "*"), and %%.  Returns
 * 0, or -1 (out holds "") when en_fmt has a conversion it cannot read,
 * in which case ap is left unread and the caller falls back. */
#include <stdarg.h>
int zh_format(char *out, size_t outlen, const char *en_fmt, const char *tpl, va_list ap);

/* The Chinese name of a code that appears inside messages (a status, a
 * role, a vocabulary), or the code itself. */
const char *zh_word(const char *code);

/* The Chinese sentence for an error code of the contract ("conflict" ->
 * "当前状态不允许此操作"); NULL for an unknown code. */
const char *zh_code_text(const char *code);

/* The generic Chinese message of an error (fallback 3 above): the code's
 * text, and the field's Chinese name when there is one. */
void zh_generic(const char *code, const char *field, char *out, size_t outlen);

/* Formats a number for a Chinese message: integers without exponent
 * ("1000000000000"), others with up to 6 significant digits. */
const char *zh_num(double v, char out[32]);

/* The catalogue, for tests: entry i's English format and Chinese
 * template; NULL past the end. */
const char *zh_catalogue_en(size_t i);
const char *zh_catalogue_zh(size_t i);

#endif
