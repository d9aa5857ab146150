/*
 * query_units.c - what the query builder reads text with (qtext.h): a
 * growable buffer, a string map with keys in a pool, and the units (one
 * per Han character, one per Latin word) that segmentation walks, with
 * the filler words a request is wrapped in.
 */
#include "qtext.h"

#include "hash.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Words that carry no search intent in a request; never required when
 * anything else is left.  Han entries match inside longer runs (compared
 * by code point), Latin ones only as whole words.  The first list holds
 * function words (stopwords): a query made only of them searches nothing
 * (query.h, stop_only).  The second holds generic nouns of the trade that
 * a request is wrapped in (我们想找一套...软件) but that a user may also
 * search for on their own (系统, 平台): alone, they are searched. */
static const char16_t *const QUERY_STOPWORDS_HAN[] = {
    u"我们", u"我司", u"一套", u"一个", u"一款", u"一家", u"一些", u"想要",
    u"需要", u"希望", u"寻找", u"有没有", u"哪些", u"哪个", u"哪家", u"什么",
    u"怎么", u"如何", u"推荐", u"请问", u"相关", u"方面", u"进行", u"实现",
    u"提供", u"可以", u"能够", u"一下", u"关于", u"左右", u"以及", u"或者",
    u"还是", u"比较",
};

static const char16_t *const QUERY_GENERIC_HAN[] = {
    u"本厂", u"本公司", u"公司", u"企业", u"工厂", u"车间", u"软件", u"系统",
    u"平台", u"方案", u"解决方案", u"产品", u"服务",
};

/*
 * Real words that hold a filler character or a particle (在线, 回款, 有色,
 * 及时) or begin with a filler word (服务器): inside an unknown Han phrase
 * their characters are never stripped as fillers, never cut at as
 * particles, and a filler word never starts inside them, so a search for
 * 在线监测 looks for 在线监测, not 线监测.  Dictionary words
 * (synonyms.json) are protected by segmentation already.
 */
static const char16_t *const QUERY_WORDS_KEEP[] = {
    /* 在 */
    u"在线", u"在制品", u"在役", u"在用", u"在建", u"在岗", u"在途", u"在库",
    u"在职", u"在产", u"在研", u"在售", u"正在", u"现在", u"存在", u"实在",
    u"所在", u"内在", u"潜在", u"外在", u"自在", u"好在",
    /* 要 找 上 买 做 */
    u"主要", u"重要", u"摘要", u"要素", u"要求", u"纪要", u"要点", u"查找",
    u"线上", u"网上", u"以上", u"上线", u"上料", u"上位机", u"上云", u"上游",
    u"上报", u"上传", u"上架", u"马上", u"上下料", u"采买", u"买卖", u"买方",
    u"做工",
    /* 用 */
    u"用电", u"用能", u"用户", u"用工", u"用料", u"用水", u"用气", u"用热",
    u"用量", u"用途", u"使用", u"应用", u"费用", u"通用", u"专用", u"民用",
    u"信用", u"用友", u"用品", u"作用", u"复用", u"调用", u"家用", u"试用",
    /* 的 了 和 与 及 之 或 */
    u"的确", u"目的", u"了解", u"除了", u"为了", u"和面", u"饱和", u"中和",
    u"和谐", u"参与", u"及时", u"普及", u"涉及", u"及格", u"之前", u"之后",
    u"总之", u"或许",
    /* 给 把 个 套 款 家 */
    u"供给", u"给水", u"给排水", u"配给", u"给料", u"给煤", u"把关", u"把手",
    u"个性化", u"个人", u"个体", u"整个", u"配套", u"套餐", u"成套", u"套件",
    u"套装", u"手套", u"套料", u"回款", u"货款", u"付款", u"收款", u"款式",
    u"贷款", u"款项", u"欠款", u"催款", u"打款", u"尾款", u"家具", u"家电",
    u"家居", u"家纺", u"专家", u"厂家", u"国家", u"商家", u"卖家", u"买家",
    u"管家",
    /* 请 我 他 它 有 是 */
    u"申请", u"请购", u"请假", u"自我", u"其他", u"其它", u"有色", u"有机",
    u"有限", u"有效", u"有害", u"有毒", u"所有", u"现有", u"没有", u"含有",
    u"拥有", u"具有", u"特有", u"固有", u"有线", u"是否",
    /* 吗 呢 吧 等 想 */
    u"吗啡", u"呢绒", u"毛呢", u"呢子", u"酒吧", u"等级", u"等保", u"平等",
    u"同等", u"等离子", u"等效", u"思想", u"理想", u"设想", u"想法",
    /* filler words inside longer words */
    u"服务器", u"服务商", u"产品设计", u"系统集成", u"平台化", u"提供商",
};

static const char *const QUERY_FILLERS_LATIN[] = {
    "and", "or", "not", "the", "a", "an", "of", "for", "to", "in", "on", "with",
};

/* ---- growable byte buffer ---------------------------------------------- */


/* Appends s[0..n) and keeps the buffer NUL-terminated. */
int buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return -ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int buf_str(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

/* Makes room for need elements of size bytes in the array whose pointer
 * is at v (capacity *cap).  The pointer is read and written with memcpy so
 * that any element type can share this helper without aliasing tricks. */
int array_grow(void *v, int *cap, int need, size_t size)
{
    void *old, *p;
    int n = *cap ? *cap : 16;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    memcpy(&old, v, sizeof old);
    if ((p = realloc(old, (size_t)n * size)) == NULL)
        return -ENOMEM;
    memcpy(v, &p, sizeof p);
    *cap = n;
    return 0;
}

/* ---- string -> int map (open addressing, keys in a pool) ----------------- */




/* Returns the slot holding key k, or -1. */
int map_find(const struct map *m, const char *k, int klen, uint32_t h)
{
    if (m->cap == 0)
        return -1;
    for (int i = (int)(h & (uint32_t)(m->cap - 1));; i = (i + 1) & (m->cap - 1)) {
        const struct map_slot *s = &m->slots[i];
        if (s->key < 0)
            return -1;
        if (s->hash == h && s->klen == klen &&
            memcmp(m->pool.p + s->key, k, (size_t)klen) == 0)
            return i;
    }
}

static int map_rehash(struct map *m)
{
    int cap = m->cap ? m->cap * 2 : 64;
    struct map_slot *slots = malloc((size_t)cap * sizeof *slots);

    if (slots == NULL)
        return -ENOMEM;
    for (int i = 0; i < cap; i++)
        slots[i].key = -1;
    for (int i = 0; i < m->cap; i++) {
        if (m->slots[i].key < 0)
            continue;
        int j = (int)(m->slots[i].hash & (uint32_t)(cap - 1));
        while (slots[j].key >= 0)
            j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

/* Finds key k or inserts it with value val; stores its slot in *slot.
 * Returns 1 if inserted, 0 if it was there, -ENOMEM. */
int map_put(struct map *m, const char *k, int klen, uint32_t h, int val,
                   int *slot)
{
    int i = map_find(m, k, klen, h);

    if (i >= 0) {
        *slot = i;
        return 0;
    }
    if ((m->n + 1) * 2 > m->cap && map_rehash(m) != 0)
        return -ENOMEM;
    if (m->pool.len > INT_MAX - (size_t)klen - 1)
        return -ENOMEM;
    int off = (int)m->pool.len;
    if (buf_add(&m->pool, k, (size_t)klen) != 0)
        return -ENOMEM;
    i = (int)(h & (uint32_t)(m->cap - 1));
    while (m->slots[i].key >= 0)
        i = (i + 1) & (m->cap - 1);
    m->slots[i] = (struct map_slot){h, off, klen, val};
    m->n++;
    *slot = i;
    return 1;
}

void map_free(struct map *m)
{
    free(m->slots);
    free(m->pool.p);
    memset(m, 0, sizeof *m);
}

/* ---- units --------------------------------------------------------------- */




static int units_add(struct units *u, int kind, const char *s, int len,
                     int start, int end, int run)
{
    if (u->n >= u->max)
        return QUERY_STOP;
    if (u->text.len > INT_MAX / 2 || array_grow(&u->v, &u->cap, u->n + 1, sizeof *u->v) != 0)
        return -ENOMEM;
    uint32_t cp = 0;
    for (int k = 0; kind == UNIT_HAN && k < len; k++) /* valid UTF-8 */
        cp = k == 0 ? (unsigned char)s[0] & (0xFFu >> (len + 1))
                    : (cp << 6) | ((unsigned char)s[k] & 0x3F);
    u->v[u->n] = (struct unit){(int)u->text.len, len, start, end, run, kind, cp, 0};
    if (buf_add(&u->text, s, (size_t)len) != 0)
        return -ENOMEM;
    u->n++;
    return 0;
}

static int utf8_lead_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
}

/* 1 if key is one Han character: it is searched as a prefix. */
int key_is_char(const char *key, int klen)
{
    return (unsigned char)key[0] >= 0x80 && utf8_lead_len((unsigned char)key[0]) == klen;
}

/* tok_fn: splits Han bigrams back into characters, keeps Latin words. */
static int units_on_token(void *ctx, int run, const char *tok, int len,
                          int start, int end)
{
    struct units *u = ctx;
    int rc, c1;

    if ((unsigned char)tok[0] < 0x80)
        return units_add(u, UNIT_LATIN, tok, len, start, end, run);
    c1 = utf8_lead_len((unsigned char)tok[0]);
    if (c1 >= len || run != u->han_run) {
        u->han_run = run;
        rc = units_add(u, UNIT_HAN, tok, c1 < len ? c1 : len, start,
                       start + (c1 < len ? c1 : len), run);
        if (rc != 0 || c1 >= len)
            return rc;
    }
    return units_add(u, UNIT_HAN, tok + c1, len - c1, end - (len - c1), end, run);
}

/* Collects at most max units of text[0..len).  Returns 0 or -ENOMEM. */
int units_collect(struct units *u, const char *text, size_t len, int max)
{
    u->n = 0;
    u->max = max;
    u->han_run = -1;
    u->text.len = 0;
    int rc = tok_run(text, len > INT_MAX ? INT_MAX : (int)len, units_on_token, u);
    return rc < 0 ? rc : 0;
}

const char *unit_text(const struct units *u, int i)
{
    return u->text.p + u->v[i].off;
}

/* Appends unit i to key[0..klen) (a space between two Latin words) and
 * returns the new length; key must hold KEY_MAX bytes. */
int key_add(char *key, int klen, const struct units *u, int i, int first)
{
    if (!first && u->v[i].kind == UNIT_LATIN && u->v[i - 1].kind == UNIT_LATIN)
        key[klen++] = ' ';
    memcpy(key + klen, unit_text(u, i), (size_t)u->v[i].len);
    return klen + u->v[i].len;
}

/* Builds the key of units [a, a + n) into key; returns its length. */
int key_build(char *key, const struct units *u, int a, int n)
{
    int klen = 0;
    for (int k = 0; k < n; k++)
        klen = key_add(key, klen, u, a + k, k == 0);
    return klen;
}

/* 1 if unit i is a Han character listed in set and not part of a
 * protected word (keep_len). */
int unit_in(const struct units *u, int i, const char16_t *set)
{
    uint32_t cp = u->v[i].keep ? 0 : u->v[i].cp;
    for (; cp != 0 && *set; set++)
        if (*set == cp)
            return 1;
    return 0;
}

/* The longest entry of list (n entries) that starts at unit i within
 * its run; 0 if none. */
static int han_list_len(const struct units *u, int i, const char16_t *const *list, size_t n)
{
    const struct unit *a = &u->v[i];
    int best = 0;

    for (size_t f = 0; f < n; f++) {
        const char16_t *w = list[f];
        int k = 0;
        if (w[0] != a->cp)
            continue;
        while (w[k] && i + k < u->n && u->v[i + k].run == a->run && u->v[i + k].cp == w[k])
            k++;
        if (w[k] == 0 && k > best)
            best = k;
    }
    return best;
}

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Units covered by the longest filler word starting at unit i, 0 if none;
 * *stop is set to 1 for a stopword, 0 for a generic word. */
int filler_len(const struct units *u, int i, int *stop)
{
    const struct unit *a = &u->v[i];

    *stop = 1;
    if (a->kind == UNIT_LATIN) {
        for (size_t f = 0; f < NELEMS(QUERY_FILLERS_LATIN); f++)
            if ((size_t)a->len == strlen(QUERY_FILLERS_LATIN[f]) &&
                memcmp(unit_text(u, i), QUERY_FILLERS_LATIN[f], (size_t)a->len) == 0)
                return 1;
        return 0;
    }
    int ls = han_list_len(u, i, QUERY_STOPWORDS_HAN, NELEMS(QUERY_STOPWORDS_HAN));
    int lg = han_list_len(u, i, QUERY_GENERIC_HAN, NELEMS(QUERY_GENERIC_HAN));
    *stop = ls >= lg;
    return ls > lg ? ls : lg;
}

/* Units covered by the longest protected word (QUERY_WORDS_KEEP) that
 * starts at Han unit i, 0 if none. */
int keep_len(const struct units *u, int i)
{
    if (u->v[i].kind != UNIT_HAN)
        return 0;
    return han_list_len(u, i, QUERY_WORDS_KEEP, NELEMS(QUERY_WORDS_KEEP));
}
