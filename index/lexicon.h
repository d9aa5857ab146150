/*
 * lexicon.h - the problem-phrase lexicon (schemas/lexicon.json): the words
 * factory owners use for their problems (罢工, 坏了才修, 靠人眼挑, 回款慢)
 * mapped to the scenarios of the taxonomy and to the trade's own terms
 * (故障预测, 视觉检测, 经营看板).
 *
 * Matching reads a need's text with it: every phrase found in the text
 * (as a substring, after the tokenizer's folding: full-width forms to
 * ASCII, Latin letters lower-case, whitespace runs as one space; see
 * tok_fold) votes for its scenarios (the first with the entry's weight,
 * the second with half of it) and brings its terms.  A phrase that lies
 * inside a longer phrase found at the same place (坏了 in 坏了才修) does not
 * vote on its own.  Linear in the text (about 1 ms for 20,000 characters):
 * phrases are found by binary search on their first two characters.
 *
 * Pure: the file is read once by lex_load; the loaded lexicon is
 * read-only and may be shared between threads.
 */
#ifndef SHUCU_LEXICON_H
#define SHUCU_LEXICON_H

#include <stddef.h>

#define LEX_MAX_SCENARIOS 64 /* scenario indexes are below this */
#define LEX_MAX_TERMS 8      /* terms of one entry, at most */
#define LEX_MIN_STRENGTH 0.5 /* an inferred scenario is at least this strong */

struct lexicon;

struct lex_entry {
    const char *phrase;  /* folded */
    int scenarios[2];    /* indexes into the codes given to lex_load */
    int nscenarios;      /* 1 or 2 */
    const char *terms[LEX_MAX_TERMS];
    int nterms;
    double weight;       /* (0, 1], default 1 */
    const char *example; /* a sentence that holds the phrase */
};

/* One phrase found in a text: entry index and byte range of the folded
 * text. */
struct lex_match {
    int entry;
    int start, end;
};

struct lex_result {
    struct lex_match *m; /* in text order */
    int n;
    /* votes per scenario index: entry weight for a first scenario, half
     * of it for a second; strength = min(1, votes) */
    double votes[LEX_MAX_SCENARIOS];
};

/*
 * Loads a lexicon such as schemas/lexicon.json:
 *   {"version": 1, "entries": [{"phrase": "罢工", "scenarios": ["equipment"],
 *     "terms": ["故障预测", "预测性维护"], "example": "冲床隔三岔五就罢工",
 *     "weight": 0.8}, ...]}
 * Scenario codes must be among codes[0..ncodes) (the taxonomy's, in its
 * order); their positions are the indexes stored.  Every phrase must be at
 * least two characters after folding and occur in its example.  On success
 * stores the lexicon in *out (free with lex_free) and returns 0; on a bad
 * or unreadable file returns -1 and writes into err a message naming the
 * file and the fault (line and column, or the entry and field).
 */
int lex_load(const char *path, const char *const *codes, int ncodes, struct lexicon **out,
             char *err, size_t errlen);
void lex_free(struct lexicon *lx);

int lex_count(const struct lexicon *lx);
const struct lex_entry *lex_entry(const struct lexicon *lx, int i);

/*
 * Finds the lexicon's phrases in text[0..len) (any bytes) and fills *out
 * (release with lex_result_free).  0, or -1 when memory runs out (out is
 * then empty).  lx may be NULL: nothing is found.
 */
int lex_infer(const struct lexicon *lx, const char *text, size_t len, struct lex_result *out);
void lex_result_free(struct lex_result *r);

/* min(1, votes) of scenario i. */
double lex_strength(const struct lex_result *r, int i);

/* The scenario with the most votes (the lowest index on a tie), -1 if
 * none. */
int lex_top_scenario(const struct lex_result *r);

#endif
