/*
 * uscc.h - the 统一社会信用代码 (unified social credit code) of
 * GB 32100-2015: 18 characters from the 31-symbol alphabet
 * 0-9 A-H J-N P-R T U W-Y (no I, O, S, V, Z), the last one a check
 * character over the first 17.
 *
 * Layout: 1 registering authority (9 = 工商), 2 organisation type,
 * 3-8 the GB/T 2260 division code where it registered, 9-17 the
 * organisation code (GB 11714, with its own check digit at 17), 18 the
 * check character.  Only the alphabet and the check character are
 * verified here: they catch every single wrong character and most
 * swaps, which is what a typing mistake produces.
 *
 * Pure functions: no I/O, no allocation.
 */
#ifndef SHUCU_USCC_H
#define SHUCU_USCC_H

#define USCC_LEN 18

/* The check character of the first 17 characters of code, or 0 when one
 * of them is outside the alphabet (lower case is not folded). */
char uscc_check_char(const char *code);

/* 0 when s is a valid code: exactly 18 characters of the alphabet whose
 * last is the check character of the first 17; -1 for a wrong length or
 * character, -2 for a wrong check character. */
int uscc_valid(const char *s);

#endif
