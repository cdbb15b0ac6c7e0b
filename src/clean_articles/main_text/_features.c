/* clean_articles.main_text._features: the learned main-text detector's line features, in C.
 *
 * What the features are is said in features.py (page_features) and model.py (stage2_features);
 * tests/reference_features.py keeps the plain-Python definitions this module replaced, and
 * tests/test_features_core.py holds it to them on any page. Every value is the one Python
 * computes, bit for bit, but one: `coh_core` sums over a Python set, whose order is the set's
 * (it changes with PYTHONHASHSEED), so there the last bit may differ.
 *
 * The functions follow the Python (the names on the right are reference_features.py's), one C
 * function per Python function, so that the two read side by side:
 *
 *   tables(...)                       the lexicons the features look words up in, compiled once
 *   page(lines, removed, tables)      page_features:
 *       read_line                         read         what one line says on its own
 *       language                          language     the page's stopwords
 *       line_rows                         _line_rows   a line's own features, its content words
 *       context                           _context     context and window features
 *   content_sets(content)             the content words page() keeps for stage 2, as Python sets
 *   stage2(z, words, content)         stage2_features (and _kadane: kadane)
 *   scores(weights, bias, rows, ...)  model.Stage.score of every row
 *   trees(z, depth, splits, ...)      model.Trees.score added to every score
 *
 * The regular expressions of read (_BULLET, _NUMBER, _QA, _CJK) are written out by hand, each
 * next to the pattern it stands for.
 *
 * Text is read as Python reads it: re's \w is Py_UNICODE_ISALNUM or '_', \d is
 * Py_UNICODE_ISDECIMAL, \s and str.strip()/split() are Py_UNICODE_ISSPACE; str.isupper(),
 * islower() and isdigit() of one character are Py_UNICODE_ISUPPER, ISLOWER and ISDIGIT; a line
 * that is not ASCII is lower-cased by calling its str.lower() (full case mapping: it may change
 * the line's length). Floats are computed in Python's order: int operands are converted to
 * double before a division, sums run left to right, and every product is rounded before it is
 * added (see `rounded`).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define TABLES_CAPSULE "clean_articles.main_text._features.Tables"
#define CONTENT_CAPSULE "clean_articles.main_text._features.Content"
#define NSTAGE2 24 /* len(model.STAGE2_NAMES) */
#define NLINE 36   /* the features of features._line_names before the cue groups */
#define NCONTEXT 48
#define NWINDOW 14

static PyObject *str_lower;  /* "lower" */
static unsigned char ascii_word[128]; /* re's \w for ASCII, filled from Py_UNICODE_ISALNUM */

/* ------------------------------------------------------------------------------------------ */
/* Small tools                                                                                */

/* Python rounds a product to a double before adding it to a sum; a compiler may fuse a*b + c
 * into one multiply-add (rounded once) where the machine has one. Storing the product to a
 * volatile rounds it and keeps the two steps apart. */
static inline double
rounded(double x)
{
    volatile double v = x;
    return v;
}

/* An array of `size`-byte items with room for `need`: the block (moved if it had to grow), or
 * NULL with MemoryError (the old block is then still valid). */
static void *
grow_block(void *p, Py_ssize_t *cap, Py_ssize_t need, size_t size)
{
    Py_ssize_t c = *cap > 0 ? *cap : 16;
    while (c < need) {
        if (c > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return NULL;
        }
        c *= 2;
    }
    if ((size_t)c > (size_t)PY_SSIZE_T_MAX / size) {
        PyErr_NoMemory();
        return NULL;
    }
    void *q = PyMem_Realloc(p, (size_t)c * size);
    if (!q) {
        PyErr_NoMemory();
        return NULL;
    }
    *cap = c;
    return q;
}

/* Make room for `need` items in `arr` (capacity `cap`), or run `on_fail`. */
#define GROW(arr, cap, need, on_fail)                                                          \
    do {                                                                                       \
        if ((need) > (cap)) {                                                                  \
            void *grown_ = grow_block((arr), &(cap), (need), sizeof(*(arr)));                  \
            if (!grown_) {                                                                     \
                on_fail;                                                                       \
            }                                                                                  \
            (arr) = grown_;                                                                    \
        }                                                                                      \
    } while (0)

/* A zeroed array of n items, or NULL with MemoryError. */
static void *
zeroed(Py_ssize_t n, size_t size)
{
    void *p = PyMem_Calloc(n > 0 ? (size_t)n : 1, size);
    if (!p)
        PyErr_NoMemory();
    return p;
}

static inline int
is_word(Py_UCS4 c) /* re's \w */
{
    return c < 128 ? ascii_word[c] : (Py_UNICODE_ISALNUM(c) || c == '_');
}

static inline int
is_digit(Py_UCS4 c) /* str.isdigit() of one character (ASCII's digits are 0-9 only) */
{
    return c < 128 ? c >= '0' && c <= '9' : Py_UNICODE_ISDIGIT(c);
}

static inline int
is_upper(Py_UCS4 c) /* str.isupper() of one character (ASCII's upper case is A-Z only) */
{
    return c < 128 ? c >= 'A' && c <= 'Z' : Py_UNICODE_ISUPPER(c);
}

#define IS_SPACE(c) Py_UNICODE_ISSPACE(c) /* re's \s, str.strip() and str.split() */

/* A UTF-32 literal and its length, for the helpers below. */
#define LIT(s) ((const Py_UCS4 *)(s)), ((Py_ssize_t)(sizeof(s) / sizeof(Py_UCS4)) - 1)

static inline int /* s[0 .. plen) == p */
same_at(const Py_UCS4 *s, const Py_UCS4 *p, Py_ssize_t plen)
{
    for (Py_ssize_t k = 0; k < plen; k++)
        if (s[k] != p[k])
            return 0;
    return 1;
}

static int
starts_at(const Py_UCS4 *s, Py_ssize_t len, Py_ssize_t at, const Py_UCS4 *p, Py_ssize_t plen)
{
    return at >= 0 && len - at >= plen && same_at(s + at, p, plen);
}

static int /* s.endswith(p) */
ends_with(const Py_UCS4 *s, Py_ssize_t len, const Py_UCS4 *p, Py_ssize_t plen)
{
    return starts_at(s, len, len - plen, p, plen);
}

/* The characters below 256 a text holds, as a bit set: what lets a search for a literal that
   holds some other one be skipped (most lines hold no "|", no "@", no "%"...). */
typedef struct {
    uint64_t bits[4];
} Seen;

static void
seen_in(const Py_UCS4 *s, Py_ssize_t len, Seen *z)
{
    memset(z, 0, sizeof(*z));
    for (Py_ssize_t i = 0; i < len; i++)
        if (s[i] < 256)
            z->bits[s[i] >> 6] |= (uint64_t)1 << (s[i] & 63);
}

static inline int /* the text may hold c: surely not when c is below 256 and was not seen */
may_hold(const Seen *z, Py_UCS4 c)
{
    return c >= 256 || (z->bits[c >> 6] >> (c & 63)) & 1;
}

static int /* the text may hold every character of p */
may_hold_all(const Seen *z, const Py_UCS4 *p, Py_ssize_t plen)
{
    for (Py_ssize_t k = 0; k < plen; k++)
        if (!may_hold(z, p[k]))
            return 0;
    return 1;
}

static int /* p in s (z: what s holds) */
contains(const Seen *z, const Py_UCS4 *s, Py_ssize_t len, const Py_UCS4 *p, Py_ssize_t plen)
{
    if (!may_hold_all(z, p, plen))
        return 0;
    for (Py_ssize_t i = 0; i + plen <= len; i++)
        if (s[i] == p[0] && same_at(s + i, p, plen))
            return 1;
    return 0;
}

static Py_ssize_t /* s.count(p): non-overlapping matches, from the left (z: what s holds) */
count(const Seen *z, const Py_UCS4 *s, Py_ssize_t len, const Py_UCS4 *p, Py_ssize_t plen)
{
    if (!may_hold_all(z, p, plen))
        return 0;
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; i + plen <= len;) {
        if (s[i] == p[0] && same_at(s + i, p, plen)) {
            n++;
            i += plen;
        }
        else
            i++;
    }
    return n;
}

static int
one_of(Py_UCS4 c, const Py_UCS4 *set, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        if (set[i] == c)
            return 1;
    return 0;
}

/* FNV-1a over code points, then mixed (splitmix64's finaliser) for the open-addressing tables. */
static uint64_t
hash_word(const Py_UCS4 *s, Py_ssize_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (Py_ssize_t i = 0; i < len; i++)
        h = (h ^ (uint64_t)s[i]) * 0x100000001b3ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

/* ------------------------------------------------------------------------------------------ */
/* Lexicon: a set of words (code point strings), each with an index, in insertion order       */

typedef struct {
    uint64_t hash;
    Py_ssize_t start, len; /* the word: text[start .. start + len) */
} Key;

typedef struct {
    Key *keys;
    Py_ssize_t n, cap;
    Py_UCS4 *text;
    Py_ssize_t ntext, captext;
    Py_ssize_t *slots; /* open addressing: an index into keys, or -1; a power of two of them */
    Py_ssize_t nslots;
} Lexicon;

static void
lex_free(Lexicon *lx)
{
    PyMem_Free(lx->keys);
    PyMem_Free(lx->text);
    PyMem_Free(lx->slots);
    memset(lx, 0, sizeof(*lx));
}

/* The index of the word s (its hash h) in lx, or -1. */
static Py_ssize_t
lex_find(const Lexicon *lx, uint64_t h, const Py_UCS4 *s, Py_ssize_t len)
{
    if (!lx->nslots)
        return -1;
    size_t mask = (size_t)lx->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        Py_ssize_t e = lx->slots[i];
        if (e < 0)
            return -1;
        const Key *k = &lx->keys[e];
        if (k->hash == h && k->len == len &&
            memcmp(lx->text + k->start, s, (size_t)len * sizeof(Py_UCS4)) == 0)
            return e;
    }
}

static int
lex_resize(Lexicon *lx, Py_ssize_t nslots)
{
    if ((size_t)nslots > (size_t)PY_SSIZE_T_MAX / sizeof(Py_ssize_t)) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t *slots = PyMem_Malloc((size_t)nslots * sizeof(Py_ssize_t));
    if (!slots) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < nslots; i++)
        slots[i] = -1;
    size_t mask = (size_t)nslots - 1;
    for (Py_ssize_t e = 0; e < lx->n; e++) {
        size_t i = (size_t)lx->keys[e].hash & mask;
        while (slots[i] >= 0)
            i = (i + 1) & mask;
        slots[i] = e;
    }
    PyMem_Free(lx->slots);
    lx->slots = slots;
    lx->nslots = nslots;
    return 0;
}

/* The index of the word s (its hash h) in lx, added if it is new (then *added is 1); -1 with
 * MemoryError. */
static Py_ssize_t
lex_add(Lexicon *lx, uint64_t h, const Py_UCS4 *s, Py_ssize_t len, int *added)
{
    *added = 0;
    Py_ssize_t e = lex_find(lx, h, s, len);
    if (e >= 0)
        return e;
    if (2 * (lx->n + 1) > lx->nslots) { /* keep the table at most half full */
        Py_ssize_t want = lx->nslots ? lx->nslots : 64;
        while (2 * (lx->n + 1) > want) {
            if (want > PY_SSIZE_T_MAX / 2) {
                PyErr_NoMemory();
                return -1;
            }
            want *= 2;
        }
        if (lex_resize(lx, want) < 0)
            return -1;
    }
    if (lx->ntext > PY_SSIZE_T_MAX - len) {
        PyErr_NoMemory();
        return -1;
    }
    GROW(lx->keys, lx->cap, lx->n + 1, return -1);
    GROW(lx->text, lx->captext, lx->ntext + len, return -1);
    memcpy(lx->text + lx->ntext, s, (size_t)len * sizeof(Py_UCS4));
    lx->keys[lx->n] = (Key){h, lx->ntext, len};
    lx->ntext += len;
    size_t mask = (size_t)lx->nslots - 1;
    size_t i = (size_t)h & mask;
    while (lx->slots[i] >= 0)
        i = (i + 1) & mask;
    lx->slots[i] = lx->n;
    *added = 1;
    return lx->n++;
}

/* ------------------------------------------------------------------------------------------ */
/* tables(...) -> Tables                                                                      */

typedef struct {
    uint64_t cue_bits;           /* the cue groups it is a cue word of */
    uint64_t stop_mask;          /* the languages whose stopword list holds it */
    Py_ssize_t phrase0, nphrase; /* the cue phrases it starts: phrases[phrase0 .. + nphrase) */
    char is_date, byline;        /* a date word; a byline's first word */
} Info;

typedef struct {
    Py_ssize_t rest0, nrest; /* the words after the first: rest[rest0 .. + nrest), in vocab */
    uint64_t bits;
} Phrase;

typedef struct {
    Py_ssize_t start, len; /* its text: ctext[start .. + len) */
    uint64_t bits;
} Written;

typedef struct {
    Py_UCS4 c;             /* a character every cue of the group holds */
    Py_ssize_t cue0, ncue; /* the cues: written[cue0 .. + ncue) */
} Trigger;

typedef struct {
    Lexicon vocab; /* every word the tables know of, with its Info */
    Info *info;
    Py_ssize_t capinfo;
    Phrase *phrases;
    Py_ssize_t nphrases, capphrases;
    Py_ssize_t *rest;
    Py_ssize_t nrest, caprest;
    Trigger *triggers;
    Py_ssize_t ntriggers, captriggers;
    Written *written;
    Py_ssize_t nwritten, capwritten;
    Py_UCS4 *ctext;
    Py_ssize_t nctext, capctext;
    int ngroups;                              /* cue groups */
    uint64_t marker, comment, related, form; /* cue group bits */
    int nlang;                                /* stopword languages */
    char has_stop[64];                        /* whether the language's list holds a word */
} Tables;

static void
tables_free(Tables *t)
{
    lex_free(&t->vocab);
    PyMem_Free(t->info);
    PyMem_Free(t->phrases);
    PyMem_Free(t->rest);
    PyMem_Free(t->triggers);
    PyMem_Free(t->written);
    PyMem_Free(t->ctext);
    PyMem_Free(t);
}

static void
tables_destroy(PyObject *capsule)
{
    Tables *t = PyCapsule_GetPointer(capsule, TABLES_CAPSULE);
    if (t)
        tables_free(t);
}

/* The vocabulary index of the str w, added (with an empty Info) if new; -1 with an error. */
static Py_ssize_t
vocab_add(Tables *t, PyObject *w)
{
    if (!PyUnicode_Check(w)) {
        PyErr_SetString(PyExc_TypeError, "tables: words must be str");
        return -1;
    }
    Py_UCS4 *s = PyUnicode_AsUCS4Copy(w);
    if (!s)
        return -1;
    Py_ssize_t len = PyUnicode_GET_LENGTH(w);
    int added;
    Py_ssize_t e = lex_add(&t->vocab, hash_word(s, len), s, len, &added);
    PyMem_Free(s);
    if (e < 0)
        return -1;
    if (added) {
        GROW(t->info, t->capinfo, t->vocab.n, return -1);
        memset(&t->info[e], 0, sizeof(Info));
    }
    return e;
}

static int
as_bits(PyObject *o, uint64_t *out) /* a non-negative int below 2**64 */
{
    unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* words: {word: (bits, is_date, phrases or None)}, phrases: [(tuple of words, bits), ...] */
static int
tables_words(Tables *t, PyObject *words)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "tables: words must be a dict");
        return -1;
    }
    while (PyDict_Next(words, &pos, &key, &value)) {
        PyObject *bits, *is_date, *phrases;
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 3) {
            PyErr_SetString(PyExc_TypeError, "tables: words maps a word to (bits, is_date, phrases)");
            return -1;
        }
        bits = PyTuple_GET_ITEM(value, 0);
        is_date = PyTuple_GET_ITEM(value, 1);
        phrases = PyTuple_GET_ITEM(value, 2);
        Py_ssize_t e = vocab_add(t, key);
        if (e < 0)
            return -1;
        uint64_t b;
        if (as_bits(bits, &b) < 0)
            return -1;
        int d = PyObject_IsTrue(is_date);
        if (d < 0)
            return -1;
        t->info[e].cue_bits = b;
        t->info[e].is_date = (char)d;
        if (phrases == Py_None)
            continue;
        PyObject *list = PySequence_Fast(phrases, "tables: phrases must be a sequence");
        if (!list)
            return -1;
        Py_ssize_t phrase0 = t->nphrases, n = PySequence_Fast_GET_SIZE(list);
        for (Py_ssize_t j = 0; j < n; j++) {
            PyObject *ph = PySequence_Fast_GET_ITEM(list, j);
            if (!PyTuple_Check(ph) || PyTuple_GET_SIZE(ph) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(ph, 0))) {
                PyErr_SetString(PyExc_TypeError, "tables: a phrase is (tuple of words, bits)");
                goto fail;
            }
            PyObject *rest = PyTuple_GET_ITEM(ph, 0);
            Py_ssize_t nrest = PyTuple_GET_SIZE(rest);
            Phrase p = {t->nrest, nrest, 0};
            if (as_bits(PyTuple_GET_ITEM(ph, 1), &p.bits) < 0)
                goto fail;
            for (Py_ssize_t r = 0; r < nrest; r++) {
                Py_ssize_t v = vocab_add(t, PyTuple_GET_ITEM(rest, r));
                if (v < 0)
                    goto fail;
                GROW(t->rest, t->caprest, t->nrest + 1, goto fail);
                t->rest[t->nrest++] = v;
            }
            GROW(t->phrases, t->capphrases, t->nphrases + 1, goto fail);
            t->phrases[t->nphrases++] = p;
        }
        Py_DECREF(list);
        t->info[e].phrase0 = phrase0;
        t->info[e].nphrase = t->nphrases - phrase0;
        continue;
    fail:
        Py_DECREF(list);
        return -1;
    }
    return 0;
}

/* written: [(character, [(cue, bits), ...]), ...] */
static int
tables_written(Tables *t, PyObject *written)
{
    PyObject *groups = PySequence_Fast(written, "tables: written must be a sequence");
    if (!groups)
        return -1;
    for (Py_ssize_t g = 0; g < PySequence_Fast_GET_SIZE(groups); g++) {
        PyObject *item = PySequence_Fast_GET_ITEM(groups, g), *c, *cues;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_TypeError, "tables: written holds (character, cues)");
            goto fail;
        }
        c = PyTuple_GET_ITEM(item, 0);
        if (!PyUnicode_Check(c) || PyUnicode_GET_LENGTH(c) != 1) {
            PyErr_SetString(PyExc_TypeError, "tables: a written cue group's key is one character");
            goto fail;
        }
        cues = PySequence_Fast(PyTuple_GET_ITEM(item, 1), "tables: written cues must be a sequence");
        if (!cues)
            goto fail;
        Trigger tr = {PyUnicode_READ_CHAR(c, 0), t->nwritten, PySequence_Fast_GET_SIZE(cues)};
        for (Py_ssize_t j = 0; j < tr.ncue; j++) {
            PyObject *cue = PySequence_Fast_GET_ITEM(cues, j);
            if (!PyTuple_Check(cue) || PyTuple_GET_SIZE(cue) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(cue, 0)) ||
                PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(cue, 0)) == 0) {
                PyErr_SetString(PyExc_TypeError, "tables: a written cue is (non-empty str, bits)");
                Py_DECREF(cues);
                goto fail;
            }
            PyObject *s = PyTuple_GET_ITEM(cue, 0);
            Written w = {t->nctext, PyUnicode_GET_LENGTH(s), 0};
            if (as_bits(PyTuple_GET_ITEM(cue, 1), &w.bits) < 0) {
                Py_DECREF(cues);
                goto fail;
            }
            GROW(t->ctext, t->capctext, t->nctext + w.len, Py_DECREF(cues); goto fail);
            if (!PyUnicode_AsUCS4(s, t->ctext + t->nctext, w.len, 0)) {
                Py_DECREF(cues);
                goto fail;
            }
            t->nctext += w.len;
            GROW(t->written, t->capwritten, t->nwritten + 1, Py_DECREF(cues); goto fail);
            t->written[t->nwritten++] = w;
        }
        Py_DECREF(cues);
        GROW(t->triggers, t->captriggers, t->ntriggers + 1, goto fail);
        t->triggers[t->ntriggers++] = tr;
    }
    Py_DECREF(groups);
    return 0;
fail:
    Py_DECREF(groups);
    return -1;
}

PyDoc_STRVAR(tables_doc,
"tables(words, written, masks, has_stop, byline, ngroups, marker, comment, related, form) -> Tables\n\n"
"The lexicons `page` looks words up in, compiled once (an opaque capsule to pass to every call):\n"
"`words` maps a cue or date word to (its cue groups' bits, whether it is a date word, the cue\n"
"phrases it starts as [(the following words, bits), ...] or None) (features.cues().words);\n"
"`written` lists (a character, [(a cue written with punctuation holding it, bits), ...])\n"
"(features.cues().written); `masks` maps a stopword to the bits of the languages listing it and\n"
"`has_stop` says for each language whether its list is non-empty (text.stopwords()); `byline` the\n"
"words a byline starts with; `ngroups` the number of cue groups (at most 64); `marker`,\n"
"`comment`, `related` and `form` the bits of the cue groups the context features read.");

static PyObject *
tables(PyObject *self, PyObject *args)
{
    PyObject *words, *written, *masks, *has_stop, *byline, *marker, *comment, *related, *form;
    int ngroups;
    if (!PyArg_ParseTuple(args, "O!OO!OOiOOOO", &PyDict_Type, &words, &written, &PyDict_Type, &masks, &has_stop,
                          &byline, &ngroups, &marker, &comment, &related, &form))
        return NULL;
    if (ngroups < 0 || ngroups > 64) {
        PyErr_SetString(PyExc_ValueError, "tables: at most 64 cue groups");
        return NULL;
    }
    Tables *t = zeroed(1, sizeof(Tables));
    if (!t)
        return NULL;
    t->ngroups = ngroups;
    if (as_bits(marker, &t->marker) < 0 || as_bits(comment, &t->comment) < 0 || as_bits(related, &t->related) < 0 ||
        as_bits(form, &t->form) < 0)
        goto fail;
    if (tables_words(t, words) < 0 || tables_written(t, written) < 0)
        goto fail;
    /* the stopword languages */
    PyObject *langs = PySequence_Fast(has_stop, "tables: has_stop must be a sequence");
    if (!langs)
        goto fail;
    if (PySequence_Fast_GET_SIZE(langs) > 64) {
        Py_DECREF(langs);
        PyErr_SetString(PyExc_ValueError, "tables: at most 64 stopword languages");
        goto fail;
    }
    t->nlang = (int)PySequence_Fast_GET_SIZE(langs);
    for (int b = 0; b < t->nlang; b++) {
        int v = PyObject_IsTrue(PySequence_Fast_GET_ITEM(langs, b));
        if (v < 0) {
            Py_DECREF(langs);
            goto fail;
        }
        t->has_stop[b] = (char)v;
    }
    Py_DECREF(langs);
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(masks, &pos, &key, &value)) {
        uint64_t m;
        Py_ssize_t e = vocab_add(t, key);
        if (e < 0 || as_bits(value, &m) < 0)
            goto fail;
        if (t->nlang < 64 && m >> t->nlang) {
            PyErr_SetString(PyExc_ValueError, "tables: a stopword mask names a language past has_stop");
            goto fail;
        }
        t->info[e].stop_mask = m;
    }
    /* the byline words */
    PyObject *it = PyObject_GetIter(byline), *w;
    if (!it)
        goto fail;
    while ((w = PyIter_Next(it))) {
        Py_ssize_t e = vocab_add(t, w);
        Py_DECREF(w);
        if (e < 0) {
            Py_DECREF(it);
            goto fail;
        }
        t->info[e].byline = 1;
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        goto fail;
    PyObject *capsule = PyCapsule_New(t, TABLES_CAPSULE, tables_destroy);
    if (!capsule)
        goto fail;
    return capsule;
fail:
    tables_free(t);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* read_line: read                                                                            */

enum { R_BLANK, R_NOWORD, R_WORDS }; /* read() gave None, (), or a tuple */

typedef struct {
    char kind;
    char bullet, numbered, sent, clause, colon, question, clipped, urlish, byline, quote, lower_start, says, qa;
    long number;            /* a numbered item's number, else -1 */
    Py_ssize_t w0, nwords;  /* its words (lower-cased): the page's ids[w0 .. w0 + nwords) */
    double nw;              /* its length in words (a CJK character counts half a word) */
    double title, digit, datey; /* shares: capitalised tokens, words with a digit first, and those and date words */
    Py_ssize_t pipes, commas, inner, nchar;
    uint64_t bits; /* its cue groups */
} Read;

typedef struct {
    Py_ssize_t vocab; /* the word's index in the tables' vocabulary, or -1 */
    Py_ssize_t cid;   /* its index among the page's content words, or -1 */
    Py_ssize_t stamp; /* the last live line that put it in its content set */
} PageWord;

typedef struct {
    const Tables *t;
    Lexicon words; /* the page's distinct words */
    PageWord *pw;
    Py_ssize_t cappw;
    Py_ssize_t *ids; /* the words of each line that has some, one line after another */
    Py_ssize_t nids, capids;
    Py_UCS4 *text, *low; /* the line being read: stripped (bullet dropped), and lower-cased */
    Py_ssize_t captext, caplow;
} Page;

static const Py_UCS4 BULLET_CHARS[] = U"\u2022\u00b7\u25aa\u25e6\u25a1\u25a0\u2606\u2605\u25cb\u25cf\u25c6\u25c7"
                                      U"\u25ba\u25b6\u25b8\u2023\u2043\u2219-\u2013\u2014*+>";
static const Py_UCS4 SENT_CHARS[] = U".!?\u2026\u3002\uff01\uff1f;~";
static const Py_UCS4 CLOSERS[] = U"\"'\u201d\u2019\u00bb\u300d\u300f)]";
static const Py_UCS4 QUOTE_START[] = U"\"\u201c\u2018'\u00ab\u201e";
static const Py_UCS4 COMMA_ENDS[] = U",\u3001\uff0c";
#define SET_LEN(s) ((Py_ssize_t)(sizeof(s) / sizeof(Py_UCS4)) - 1)

static int
is_bullet_char(Py_UCS4 c)
{
    return one_of(c, BULLET_CHARS, SET_LEN(BULLET_CHARS));
}

/* _NUMBER.match(s): \(?(\d{1,3})[.)] -- the end of the match and the number, or -1. The greedy
 * \d{1,3} followed by [.)] matches only a run of one to three digits. */
static Py_ssize_t
match_number(const Py_UCS4 *s, Py_ssize_t len, long *number)
{
    Py_ssize_t p = len > 0 && s[0] == '(' ? 1 : 0, d = 0;
    while (p + d < len && d < 4 && Py_UNICODE_ISDECIMAL(s[p + d]))
        d++;
    if (d < 1 || d > 3 || p + d >= len || (s[p + d] != '.' && s[p + d] != ')'))
        return -1;
    long v = 0;
    for (Py_ssize_t i = 0; i < d; i++)
        v = 10 * v + Py_UNICODE_TODECIMAL(s[p + i]); /* int() reads any Unicode decimal digit */
    *number = v;
    return p + d + 1;
}

/* _BULLET.match(s): (?:[bullet chars]|\(?\d{1,3}[.)])(?:\s+|$) -- the end of the match, or -1.
 * The two alternatives start with different characters, so at most one can match. */
static Py_ssize_t
match_bullet(const Py_UCS4 *s, Py_ssize_t len)
{
    Py_ssize_t p;
    long unused;
    if (len > 0 && is_bullet_char(s[0]))
        p = 1;
    else if ((p = match_number(s, len, &unused)) < 0)
        return -1;
    if (p == len)
        return p;
    if (!IS_SPACE(s[p]))
        return -1;
    while (p < len && IS_SPACE(s[p]))
        p++;
    return p;
}

/* A character matching the letter p of a pattern under re.IGNORECASE: its simple lower case is
 * p, or re counts it as the same letter (dotless i for i, long s for s). */
static int
same_letter(Py_UCS4 c, Py_UCS4 p)
{
    Py_UCS4 lo = Py_UNICODE_TOLOWER(c);
    return lo == p || (p == 'i' && lo == 0x131) || (p == 's' && lo == 0x17f);
}

/* _QA.match(s): (?i)^(?:q|a|q\d+|question|answer|...)\s*[:.)-]\s */
static int
match_qa(const Py_UCS4 *s, Py_ssize_t len)
{
    static const char *const words[] = {
        "q", "a", "q#", "question", "answer", "frage", "antwort", "pregunta", "respuesta", "domanda",
        "risposta", "pergunta", "resposta", NULL,
    }; /* q# is q\d+ */
    for (int a = 0; words[a]; a++) {
        Py_ssize_t p = 0;
        const char *w = words[a];
        for (; *w && *w != '#'; w++, p++)
            if (p >= len || !same_letter(s[p], (Py_UCS4)*w))
                break;
        if (*w == '#') { /* \d+ is greedy; giving a digit back never lets [:.)-] match */
            Py_ssize_t d = 0;
            while (p + d < len && Py_UNICODE_ISDECIMAL(s[p + d]))
                d++;
            if (!d)
                continue;
            p += d;
        }
        else if (*w)
            continue;
        while (p < len && IS_SPACE(s[p])) /* \s* is greedy; giving a space back never helps */
            p++;
        if (p + 1 < len && (s[p] == ':' || s[p] == '.' || s[p] == ')' || s[p] == '-') && IS_SPACE(s[p + 1]))
            return 1;
    }
    return 0;
}

static int
is_cjk(Py_UCS4 c) /* _CJK */
{
    return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
           (c >= 0xac00 && c <= 0xd7af);
}

/* The page's id of the word s, noted in the page's lexicon if new; -1 with an error. */
static Py_ssize_t
intern_word(Page *pg, const Py_UCS4 *s, Py_ssize_t len)
{
    uint64_t h = hash_word(s, len);
    int added;
    Py_ssize_t id = lex_add(&pg->words, h, s, len, &added);
    if (id < 0)
        return -1;
    if (added) {
        GROW(pg->pw, pg->cappw, pg->words.n, return -1);
        pg->pw[id] = (PageWord){lex_find(&pg->t->vocab, h, s, len), -1, -1};
    }
    return id;
}

/* What the line says on its own (read), into *r; -1 with an error. */
static int
read_line(Page *pg, PyObject *line, Read *r)
{
    const Tables *t = pg->t;
    memset(r, 0, sizeof(*r));
    r->number = -1;
    if (!PyUnicode_Check(line)) {
        PyErr_SetString(PyExc_TypeError, "page: lines must be str");
        return -1;
    }
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t a = 0, b = PyUnicode_GET_LENGTH(line);
    while (a < b && IS_SPACE(PyUnicode_READ(kind, data, a))) /* text = raw.strip() */
        a++;
    while (b > a && IS_SPACE(PyUnicode_READ(kind, data, b - 1)))
        b--;
    if (a == b) {
        r->kind = R_BLANK;
        return 0;
    }
    GROW(pg->text, pg->captext, b - a, return -1);
    Py_UCS4 *text = pg->text;
    Py_ssize_t len = b - a;
    for (Py_ssize_t i = 0; i < len; i++)
        text[i] = PyUnicode_READ(kind, data, a + i);

    /* a bullet or a number (text[0] in _BULLET_START), dropped when words follow it */
    if (is_bullet_char(text[0]) || text[0] == '(' || (text[0] >= '0' && text[0] <= '9')) {
        Py_ssize_t m = match_bullet(text, len);
        if (m >= 0) {
            int words_follow = 0;
            for (Py_ssize_t i = m; i < len && !words_follow; i++)
                words_follow = is_word(text[i]);
            if (words_follow) {
                r->bullet = 1;
                if (Py_UNICODE_ISDIGIT(text[0]) || text[0] == '(') {
                    r->numbered = 1;
                    long number;
                    if (match_number(text, len, &number) >= 0)
                        r->number = number;
                }
                text += m;
                len -= m;
                a += m;
            }
        }
    }

    /* low = text.lower(); ts and ls: what text and low hold */
    Py_ssize_t lowlen = len;
    Seen ts, ls;
    if (PyUnicode_IS_ASCII(line)) {
        GROW(pg->low, pg->caplow, len, return -1);
        memset(&ts, 0, sizeof(ts));
        memset(&ls, 0, sizeof(ls));
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 c = text[i], l = c >= 'A' && c <= 'Z' ? c + 32 : c;
            pg->low[i] = l;
            ts.bits[c >> 6] |= (uint64_t)1 << (c & 63);
            ls.bits[l >> 6] |= (uint64_t)1 << (l & 63);
        }
    }
    else {
        PyObject *sub = PyUnicode_Substring(line, a, b), *lowered;
        if (!sub)
            return -1;
        lowered = PyObject_CallMethodNoArgs(sub, str_lower);
        Py_DECREF(sub);
        if (!lowered)
            return -1;
        if (!PyUnicode_Check(lowered)) {
            Py_DECREF(lowered);
            PyErr_SetString(PyExc_TypeError, "page: str.lower() did not give a str");
            return -1;
        }
        lowlen = PyUnicode_GET_LENGTH(lowered);
        GROW(pg->low, pg->caplow, lowlen, Py_DECREF(lowered); return -1);
        int lk = PyUnicode_KIND(lowered);
        const void *ld = PyUnicode_DATA(lowered);
        for (Py_ssize_t i = 0; i < lowlen; i++)
            pg->low[i] = PyUnicode_READ(lk, ld, i);
        Py_DECREF(lowered);
        seen_in(text, len, &ts);
        seen_in(pg->low, lowlen, &ls);
    }
    const Py_UCS4 *low = pg->low;

    /* words = _WORD.findall(low) */
    r->w0 = pg->nids;
    for (Py_ssize_t i = 0; i < lowlen;) {
        if (!is_word(low[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < lowlen && is_word(low[j]))
            j++;
        Py_ssize_t id = intern_word(pg, low + i, j - i);
        if (id < 0)
            return -1;
        GROW(pg->ids, pg->capids, pg->nids + 1, return -1);
        pg->ids[pg->nids++] = id;
        i = j;
    }
    Py_ssize_t nwords = r->nwords = pg->nids - r->w0;
    if (!nwords) {
        r->kind = R_NOWORD;
        return 0;
    }
    r->kind = R_WORDS;
    const Py_ssize_t *ids = pg->ids + r->w0;

    /* nw: CJK characters count a word per two (only a line that is not ASCII can hold one) */
    Py_ssize_t cjk = 0;
    for (Py_ssize_t i = 0; i < len; i++)
        cjk += is_cjk(text[i]);
    r->nw = cjk ? (double)nwords + cjk / 2.0 : (double)nwords;

    /* title: the share of text.split()'s tokens whose first character is upper case */
    Py_ssize_t ntok = 0, upper = 0;
    for (Py_ssize_t i = 0; i < len; i++)
        if (!IS_SPACE(text[i]) && (i == 0 || IS_SPACE(text[i - 1]))) {
            ntok++;
            upper += is_upper(text[i]);
        }
    r->title = (double)upper / (double)ntok;

    /* digits, date words and cue words, cue phrases */
    Py_ssize_t digits = 0, hits = 0;
    uint64_t bits = 0;
    for (Py_ssize_t q = 0; q < nwords; q++) {
        Py_ssize_t id = ids[q];
        if (is_digit(pg->words.text[pg->words.keys[id].start])) {
            digits++;
            hits++;
            continue;
        }
        Py_ssize_t v = pg->pw[id].vocab;
        if (v < 0)
            continue;
        const Info *in = &t->info[v];
        hits += in->is_date;
        bits |= in->cue_bits;
        for (Py_ssize_t f = in->phrase0; f < in->phrase0 + in->nphrase; f++) {
            const Phrase *ph = &t->phrases[f];
            if (q + 1 + ph->nrest > nwords)
                continue;
            Py_ssize_t x = 0;
            while (x < ph->nrest && pg->pw[ids[q + 1 + x]].vocab == t->rest[ph->rest0 + x])
                x++;
            if (x == ph->nrest)
                bits |= ph->bits;
        }
    }
    /* cues written with punctuation, found in the lower-cased line */
    for (Py_ssize_t g = 0; g < t->ntriggers; g++) {
        const Trigger *tr = &t->triggers[g];
        if (!may_hold(&ls, tr->c) || !one_of(tr->c, low, lowlen))
            continue;
        for (Py_ssize_t c = tr->cue0; c < tr->cue0 + tr->ncue; c++) {
            const Written *w = &t->written[c];
            if (contains(&ls, low, lowlen, t->ctext + w->start, w->len))
                bits |= w->bits;
        }
    }
    r->bits = bits;
    r->digit = (double)digits / (double)nwords;
    r->datey = (double)hits / (double)nwords;

    /* how it ends: end = text.rstrip(_CLOSERS), last = end[-1:] */
    Py_ssize_t end = len;
    while (end > 0 && one_of(text[end - 1], CLOSERS, SET_LEN(CLOSERS)))
        end--;
    if (end > 0) {
        Py_UCS4 last = text[end - 1];
        r->sent = (char)one_of(last, SENT_CHARS, SET_LEN(SENT_CHARS));
        r->clause = (char)one_of(last, COMMA_ENDS, SET_LEN(COMMA_ENDS));
        r->colon = last == ':';
        r->question = last == '?';
    }
    else
        r->clause = 1; /* '' in ",、，" */
    r->clipped = ends_with(text, end, LIT(U"...")) || ends_with(text, end, LIT(U"\u2026")) ||
                 ends_with(text, end, LIT(U"[\u2026]")) || ends_with(text, end, LIT(U"[...]")) ||
                 ends_with(text, len, LIT(U"\u2026]")) || ends_with(text, len, LIT(U"...]"));
    r->pipes = count(&ts, text, len, LIT(U"|")) + count(&ts, text, len, LIT(U" \u00b7 ")) + count(&ts, text, len, LIT(U" / ")) +
               count(&ts, text, len, LIT(U" \u2022 "));
    r->urlish = contains(&ls, low, lowlen, LIT(U"://")) || contains(&ls, low, lowlen, LIT(U"www.")) ||
                contains(&ls, low, lowlen, LIT(U"@")) || contains(&ls, low, lowlen, LIT(U".com"));
    r->byline = nwords < 12 && pg->pw[ids[0]].vocab >= 0 && t->info[pg->pw[ids[0]].vocab].byline;
    r->quote = (char)one_of(text[0], QUOTE_START, SET_LEN(QUOTE_START));
    r->lower_start = Py_UNICODE_ISLOWER(text[0]) != 0;
    r->commas = count(&ts, text, len, LIT(U","));
    r->inner = count(&ls, low, lowlen, LIT(U". ")) + count(&ls, low, lowlen, LIT(U"? ")) + count(&ls, low, lowlen, LIT(U"! "));
    r->says = ends_with(low, lowlen, LIT(U"says:")) || ends_with(low, lowlen, LIT(U"said:")) ||
              ends_with(low, lowlen, LIT(U"says")) || ends_with(low, lowlen, LIT(U"wrote:"));
    r->qa = nwords <= 60 && match_qa(text, len);
    r->nchar = len;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The page's live lines                                                                      */

typedef struct {
    Py_ssize_t n;          /* live lines */
    const Read **r;        /* what each says on its own */
    Py_ssize_t *gone_up, *gone_dn; /* removed non-blank lines right above / below */
    double *stuck_up, *stuck_dn;   /* a removed non-blank line just above / below */
    Py_ssize_t *block_of;  /* its block (blocks are separated by blank lines) */
    signed char *codes;    /* the coarse shape of every non-blank line of the page */
    Py_ssize_t m;          /* len(codes) */
    Py_ssize_t *code_pos;  /* where each live line is in codes */
    Py_ssize_t *mk_at;     /* end markers: (the live line they come before, their cue bits) */
    uint64_t *mk_bits;
    Py_ssize_t nmarkers;
    /* from line_rows */
    double *prose, *nwl;
    Py_ssize_t *dupc;        /* how many live lines have the same words */
    Py_ssize_t *cstart, *cids; /* content words: cids[cstart[k] .. cstart[k + 1]) */
    Py_ssize_t ncontent;     /* distinct content words of the page */
    Py_ssize_t *df;          /* how many prose lines hold each content word */
} Live;

static void
live_free(Live *L)
{
    PyMem_Free(L->r);
    PyMem_Free(L->gone_up);
    PyMem_Free(L->gone_dn);
    PyMem_Free(L->stuck_up);
    PyMem_Free(L->stuck_dn);
    PyMem_Free(L->block_of);
    PyMem_Free(L->codes);
    PyMem_Free(L->code_pos);
    PyMem_Free(L->mk_at);
    PyMem_Free(L->mk_bits);
    PyMem_Free(L->prose);
    PyMem_Free(L->nwl);
    PyMem_Free(L->dupc);
    PyMem_Free(L->cstart);
    PyMem_Free(L->cids);
    PyMem_Free(L->df);
}

/* language: the index of the page's stopword language, or -1. */
static int
language(const Page *pg, const Live *L)
{
    const Tables *t = pg->t;
    /* heapq.nlargest(64, reads, key=nw): the longest lines, ties in page order */
    Py_ssize_t top[64], ntop = 0;
    for (Py_ssize_t k = 0; k < L->n; k++) {
        double nw = L->r[k]->nw;
        if (ntop == 64 && !(nw > L->r[top[63]]->nw))
            continue;
        Py_ssize_t pos = ntop < 64 ? ntop : 63;
        while (pos > 0 && L->r[top[pos - 1]]->nw < nw) {
            if (pos < 64)
                top[pos] = top[pos - 1];
            pos--;
        }
        top[pos] = k;
        if (ntop < 64)
            ntop++;
    }
    Py_ssize_t counts[64] = {0}, total = 0;
    for (Py_ssize_t j = 0; j < ntop; j++) {
        const Read *r = L->r[top[j]];
        for (Py_ssize_t q = 0; q < r->nwords; q++) {
            Py_ssize_t v = pg->pw[pg->ids[r->w0 + q]].vocab;
            uint64_t m = v >= 0 ? t->info[v].stop_mask : 0;
            for (int b = 0; m; b++, m >>= 1)
                if (m & 1)
                    counts[b]++;
        }
        total += r->nwords;
        if (total >= 600)
            break;
    }
    if (!total || !t->nlang)
        return -1;
    int best = 0;
    for (int b = 1; b < t->nlang; b++)
        if (counts[b] > counts[best])
            best = b;
    if (!((double)counts[best] >= 0.08 * (double)total))
        return -1;
    return t->has_stop[best] ? best : -1; /* an empty list is no language */
}

/* How many live lines have the same (lower-cased) words as each: dup[r[_R_LOWERED]]. */
static int
count_dups(const Page *pg, Live *L)
{
    Py_ssize_t n = L->n, nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    Py_ssize_t *slots = PyMem_Malloc((size_t)nslots * sizeof(Py_ssize_t)); /* a live line, or -1 */
    uint64_t *hash = zeroed(n, sizeof(uint64_t));
    if (!slots || !hash) {
        PyMem_Free(slots);
        PyMem_Free(hash);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < nslots; i++)
        slots[i] = -1;
    size_t mask = (size_t)nslots - 1;
    for (Py_ssize_t k = 0; k < n; k++) {
        const Read *r = L->r[k];
        const Py_ssize_t *ids = pg->ids + r->w0;
        uint64_t h = 0xcbf29ce484222325ULL;
        for (Py_ssize_t q = 0; q < r->nwords; q++)
            h = (h ^ (uint64_t)ids[q]) * 0x100000001b3ULL;
        h = hash[k] = h ^ (h >> 29);
        size_t i = (size_t)h & mask;
        for (;; i = (i + 1) & mask) {
            Py_ssize_t e = slots[i];
            if (e < 0) {
                slots[i] = k;
                L->dupc[k] = 1;
                break;
            }
            const Read *o = L->r[e];
            if (hash[e] == h && o->nwords == r->nwords &&
                memcmp(pg->ids + o->w0, ids, (size_t)r->nwords * sizeof(Py_ssize_t)) == 0) {
                L->dupc[e]++;
                L->dupc[k] = -1 - e; /* filled in below from its first copy */
                break;
            }
        }
    }
    for (Py_ssize_t k = 0; k < n; k++)
        if (L->dupc[k] < 0)
            L->dupc[k] = L->dupc[-1 - L->dupc[k]];
    PyMem_Free(slots);
    PyMem_Free(hash);
    return 0;
}

/* line_rows: each live line's own features (columns 0 .. NLINE + ngroups), which lines are
 * prose, their lengths in words, their content words and how many prose lines hold each
 * (_line_rows). */
static int
line_rows(Page *pg, Live *L, int stop, double *out, Py_ssize_t width)
{
    const Tables *t = pg->t;
    Py_ssize_t n = L->n, capcids = 0, capdf = 0;
    if (count_dups(pg, L) < 0)
        return -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        const Read *r = L->r[k];
        const Py_ssize_t *ids = pg->ids + r->w0;
        double nw = r->nw, st;
        Py_ssize_t c0 = L->cstart[k], nc = c0;
        GROW(L->cids, capcids, c0 + r->nwords, return -1);
        Py_ssize_t ns = 0, na = 0;
        for (Py_ssize_t q = 0; q < r->nwords; q++) {
            Py_ssize_t id = ids[q];
            PageWord *w = &pg->pw[id];
            const Key *key = &pg->words.keys[id];
            if (stop >= 0 && w->vocab >= 0 && (t->info[w->vocab].stop_mask >> stop & 1)) {
                ns++;
                na++;
                continue;
            }
            if (is_digit(pg->words.text[key->start]))
                continue;
            na++;
            if (key->len >= 3 && w->stamp != k) { /* the set cw */
                w->stamp = k;
                if (w->cid < 0) {
                    w->cid = L->ncontent++;
                    GROW(L->df, capdf, L->ncontent, return -1);
                    L->df[w->cid] = 0;
                }
                L->cids[nc++] = w->cid;
            }
        }
        if (stop >= 0)
            st = na ? (double)ns / (double)na : 0.0;
        else
            st = 0.3;
        L->cstart[k + 1] = nc;
        int sent = r->sent, is_prose = nw >= 10 && st >= 0.2 && r->title <= 0.6 && (sent || nw >= 25);
        if (is_prose)
            for (Py_ssize_t c = c0; c < nc; c++)
                L->df[L->cids[c]]++;
        int near = !is_prose && nw >= 5 && st >= 0.15 && (sent || r->clause);
        L->prose[k] = is_prose ? 1.0 : 0.0;
        L->nwl[k] = nw;
        int twice = L->dupc[k] > 1;
        double *row = out + k * width;
        double v[NLINE] = {
            1.0, log1p(nw), log1p((double)r->nchar), st, st * (nw > 30 ? 30.0 : nw) / 30, r->title, r->digit,
            r->datey, sent, r->clause, r->colon, r->question, r->clipped,
            (double)(r->pipes < 4 ? r->pipes : 4) / 4, r->urlish, r->byline, r->quote, r->lower_start,
            (double)(r->commas < 6 ? r->commas : 6) / 6, (double)(r->inner < 5 ? r->inner : 5) / 5, r->says,
            r->qa, r->bullet, r->numbered, nw <= 1, 1 < nw && nw <= 2, 2 < nw && nw <= 3, 3 < nw && nw <= 6,
            6 < nw && nw <= 12, 12 < nw && nw <= 25, nw > 25, is_prose, near,
            nw >= 3 && r->title > 0.6 && !sent, twice, twice && is_prose,
        };
        memcpy(row, v, sizeof(v));
        for (int g = 0; g < t->ngroups; g++)
            row[NLINE + g] = (double)(r->bits >> g & 1);
    }
    return 0;
}

/* pre[0] = 0, pre[k + 1] = v[0] + ... + v[k], summed left to right (features._prefix) */
static void
prefix(const double *v, Py_ssize_t n, double *pre)
{
    double acc = 0.0;
    pre[0] = 0.0;
    for (Py_ssize_t k = 0; k < n; k++) {
        acc += v[k];
        pre[k + 1] = acc;
    }
}

/* The mean of pre's values over the live lines k + lo .. k + hi - 1, clipped to the page. */
static double
wmean(const double *pre, Py_ssize_t n, Py_ssize_t k, Py_ssize_t lo_off, Py_ssize_t hi_off)
{
    Py_ssize_t lo = k + lo_off > 0 ? k + lo_off : 0, hi = k + hi_off < n ? k + hi_off : n;
    return hi > lo ? (pre[hi] - pre[lo]) / (double)(hi - lo) : 0.0;
}

static inline double
fmin_py(double a, double b) /* Python's min(a, b): a unless b < a */
{
    return b < a ? b : a;
}

/* context: the context and window features (columns NLINE + ngroups ..), in the order of
 * CONTEXT_NAMES and WINDOW_NAMES (_context). */
static int
context(const Page *pg, const Live *L, double *out, Py_ssize_t width)
{
    const Tables *t = pg->t;
    Py_ssize_t n = L->n, m = L->m;
    int ok = -1;
    /* per-line values and their prefix sums: 16 series of n values, 16 of n + 1 */
    enum { PROSE, LNW, BUL, SHORT, SENT, COM, SAYS, DATE, CLIP, QA, QUES, PW, DUP, DUPDATE, COMABOVE, SUBST, NSERIES };
    double *v[NSERIES] = {0}, *pre[NSERIES] = {0};
    double *tokc = NULL, *pb = NULL, *pa = NULL, *seq = NULL, *announced = NULL, *run_len = NULL, *run_pos = NULL;
    double *per = NULL, *per_len = NULL, *bwords = NULL, *bprose = NULL, *bbul = NULL, *sp[3] = {0};
    Py_ssize_t *mk_before = NULL, *mkc = NULL, *mkr = NULL, *mkf = NULL, *last_mk = NULL, *eqp[7] = {0};
    Py_ssize_t *bcount = NULL, *bfirst = NULL, *blast = NULL, *sidx = NULL;
    for (int s = 0; s < NSERIES; s++)
        if (!(v[s] = zeroed(n, sizeof(double))) || !(pre[s] = zeroed(n + 1, sizeof(double))))
            goto done;
    uint64_t com = t->comment;
    for (Py_ssize_t k = 0; k < n; k++) {
        const Read *r = L->r[k];
        v[PROSE][k] = L->prose[k];
        v[LNW][k] = log1p(L->nwl[k]);
        v[BUL][k] = r->bullet ? 1.0 : 0.0;
        v[SHORT][k] = r->nw <= 4 ? 1.0 : 0.0;
        v[SENT][k] = r->sent ? 1.0 : 0.0;
        v[COM][k] = r->bits & com ? 1.0 : 0.0;
        v[SAYS][k] = r->says ? 1.0 : 0.0;
        v[DATE][k] = r->datey >= 0.7 && r->nw <= 12 ? 1.0 : 0.0;
        v[CLIP][k] = r->clipped ? 1.0 : 0.0;
        v[QA][k] = r->qa ? 1.0 : 0.0;
        v[QUES][k] = r->question ? 1.0 : 0.0;
        v[PW][k] = L->prose[k] * L->nwl[k];
        v[DUP][k] = L->dupc[k] > 1 ? 1.0 : 0.0;
        v[DUPDATE][k] = L->dupc[k] > 1 || (r->datey >= 0.7 && r->nw <= 12) ? 1.0 : 0.0;
        v[COMABOVE][k] = r->bits & com && r->nw <= 8 ? 1.0 : 0.0;
        v[SUBST][k] = r->nw >= 5 && !(r->bullet && r->nw <= 6) ? 1.0 : 0.0;
    }
    for (int s = 0; s < NSERIES; s++)
        prefix(v[s], n, pre[s]);
    const double *pm = pre[PW];
    double ptotal = pm[n] != 0.0 ? pm[n] : 1.0;
    if (!(tokc = zeroed(n + 1, sizeof(double))))
        goto done;
    prefix(L->nwl, n, tokc);
    double ttotal = tokc[n] != 0.0 ? tokc[n] : 1.0;

    /* blocks: lines, words, prose lines, bullets, first and last line */
    Py_ssize_t nblocks = L->block_of[n - 1] + 1;
    if (!(bcount = zeroed(nblocks, sizeof(Py_ssize_t))) || !(bfirst = zeroed(nblocks, sizeof(Py_ssize_t))) ||
        !(blast = zeroed(nblocks, sizeof(Py_ssize_t))) || !(bwords = zeroed(nblocks, sizeof(double))) ||
        !(bprose = zeroed(nblocks, sizeof(double))) || !(bbul = zeroed(nblocks, sizeof(double))))
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t b = L->block_of[k];
        if (!bcount[b])
            bfirst[b] = k;
        bcount[b]++;
        bwords[b] += L->nwl[k];
        bprose[b] += L->prose[k];
        bbul[b] += v[BUL][k];
        blast[b] = k;
    }

    /* end markers (short lines with related, comment, form... cues) above each line */
    if (!(mk_before = zeroed(n + 1, sizeof(Py_ssize_t))) || !(mkc = zeroed(n + 1, sizeof(Py_ssize_t))) ||
        !(mkr = zeroed(n + 1, sizeof(Py_ssize_t))) || !(mkf = zeroed(n + 1, sizeof(Py_ssize_t))) ||
        !(last_mk = zeroed(n + 1, sizeof(Py_ssize_t))))
        goto done;
    {
        Py_ssize_t e = 0, cnt = 0, c_c = 0, c_r = 0, c_f = 0, last = -1;
        for (Py_ssize_t k = 0; k <= n; k++) {
            while (e < L->nmarkers && L->mk_at[e] <= k) {
                uint64_t bits = L->mk_bits[e];
                cnt++;
                c_c += (bits & com) != 0;
                c_r += (bits & t->related) != 0;
                c_f += (bits & t->form) != 0;
                last = L->mk_at[e];
                e++;
            }
            mk_before[k] = cnt;
            mkc[k] = c_c;
            mkr[k] = c_r;
            mkf[k] = c_f;
            last_mk[k] = last;
        }
    }
    Py_ssize_t mk_total = mk_before[n];

    /* numbered sequences, lists announced by a colon, runs of lines that are not prose */
    if (!(seq = zeroed(n, sizeof(double))) || !(announced = zeroed(n, sizeof(double))) ||
        !(run_len = zeroed(n, sizeof(double))) || !(run_pos = zeroed(n, sizeof(double))))
        goto done;
    {
        Py_ssize_t nk[3], nv[3], nn = 0; /* the last three numbered lines and their numbers */
        for (Py_ssize_t k = 0; k < n; k++) {
            long val = L->r[k]->number;
            if (val < 0)
                continue;
            for (Py_ssize_t j = 0; j < nn; j++)
                if (k - nk[j] <= 6 && nv[j] + 1 == val)
                    seq[k] = seq[nk[j]] = 1.0;
            if (nn == 3) {
                nk[0] = nk[1], nv[0] = nv[1];
                nk[1] = nk[2], nv[1] = nv[2];
                nn = 2;
            }
            nk[nn] = k;
            nv[nn++] = val;
        }
    }
    for (Py_ssize_t k = 0; k < n;) {
        if (L->prose[k]) {
            k++;
            continue;
        }
        Py_ssize_t j = k;
        while (j < n && !L->prose[j])
            j++;
        double ann = (k > 0 && L->r[k - 1]->colon) || (L->r[k]->colon && L->r[k]->nw >= 4) ? 1.0 : 0.0;
        for (Py_ssize_t q = k; q < j; q++) {
            announced[q] = ann;
            run_len[q] = (double)(j - k < 30 ? j - k : 30) / 30;
            run_pos[q] = (double)(q - k) / (double)(j - k);
        }
        k = j;
    }

    /* periodicity of coarse shapes (teaser feeds, comment threads, product grids):
     * eqp[p][q] = how many of the first q shapes equal the shape p further on */
    for (int p = 1; p <= 6; p++) {
        if (!(eqp[p] = zeroed(m + 1, sizeof(Py_ssize_t))))
            goto done;
        Py_ssize_t acc = 0;
        for (Py_ssize_t q = 0; q < m; q++) {
            if (q + p < m && L->codes[q] == L->codes[q + p])
                acc++;
            eqp[p][q + 1] = acc;
        }
    }
    if (!(per = zeroed(n, sizeof(double))) || !(per_len = zeroed(n, sizeof(double))))
        goto done;
    {
        static const int periods[5][2] = {{2, 8}, {3, 9}, {4, 12}, {5, 15}, {6, 18}};
        const Py_ssize_t *e1 = eqp[1];
        for (Py_ssize_t k = 0; k < n; k++) {
            Py_ssize_t q = L->code_pos[k];
            double best = 0.0;
            int bp = 0;
            for (int i = 0; i < 5; i++) {
                int p = periods[i][0], w = periods[i][1];
                Py_ssize_t lo = q > w ? q - w : 0, hi = q + w < m - p ? q + w : m - p;
                if (hi - lo < 2 * p)
                    continue;
                const Py_ssize_t *ep = eqp[p];
                double score = (double)(ep[hi] - ep[lo] - e1[hi] + e1[lo]) / (double)(hi - lo);
                if (score > best) {
                    best = score;
                    bp = p;
                }
            }
            per[k] = best;
            per_len[k] = (double)bp / 6;
        }
    }

    if (!(pb = zeroed(n, sizeof(double))) || !(pa = zeroed(n, sizeof(double))))
        goto done;
    double inv_p = 1.0 / ptotal;
    for (Py_ssize_t k = 0; k < n; k++) {
        pb[k] = pm[k] * inv_p;
        pa[k] = (ptotal - pm[k + 1]) * inv_p;
    }

    /* windows over substantial lines only (skipping short lines a layout may interleave) */
    Py_ssize_t ns = 0;
    if (!(sidx = zeroed(n, sizeof(Py_ssize_t))))
        goto done;
    for (Py_ssize_t k = 0; k < n; k++)
        if (v[SUBST][k])
            sidx[ns++] = k;
    const double *own_v[3] = {L->prose, v[LNW], v[SENT]};
    for (int s = 0; s < 3; s++) {
        if (!(sp[s] = zeroed(ns + 1, sizeof(double))))
            goto done;
        double acc = 0.0;
        for (Py_ssize_t j = 0; j < ns; j++) {
            acc += own_v[s][sidx[j]];
            sp[s][j + 1] = acc;
        }
    }

    /* the rows: cols = [...] of _context, one line at a time */
    Py_ssize_t seen = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        double *c = out + k * width + NLINE + t->ngroups;
        Py_ssize_t b = L->block_of[k], g;
        const Py_ssize_t *cids = L->cids + L->cstart[k];
        Py_ssize_t nws = L->cstart[k + 1] - L->cstart[k];
        g = L->gone_up[k];
        *c++ = g < 5 ? (double)g / 5 : 1.0;
        g = L->gone_dn[k];
        *c++ = g < 5 ? (double)g / 5 : 1.0;
        *c++ = L->stuck_up[k];
        *c++ = L->stuck_dn[k];
        *c++ = bcount[b] < 10 ? (double)bcount[b] / 10 : 1.0;
        *c++ = log1p(bwords[b] / (double)bcount[b]);
        *c++ = bprose[b] / (double)bcount[b];
        *c++ = k == bfirst[b] ? 1.0 : 0.0;
        *c++ = k == blast[b] ? 1.0 : 0.0;
        *c++ = bcount[b] == 1 ? 1.0 : 0.0;
        *c++ = bbul[b] / (double)bcount[b];
        *c++ = (double)k / (double)(n - 1 > 1 ? n - 1 : 1);
        *c++ = tokc[k] / ttotal;
        *c++ = pb[k];
        *c++ = pa[k];
        *c++ = fmin_py(pb[k], pa[k]);
        *c++ = (pm[k + 6 < n ? k + 6 : n] - pm[k - 5 > 0 ? k - 5 : 0]) * inv_p;
        *c++ = (pm[k + 16 < n ? k + 16 : n] - pm[k - 15 > 0 ? k - 15 : 0]) * inv_p;
        *c++ = mk_before[k] < 6 ? (double)mk_before[k] / 6 : 1.0;
        *c++ = mk_before[k] >= 1 ? 1.0 : 0.0;
        *c++ = mk_before[k] >= 3 ? 1.0 : 0.0;
        *c++ = mk_before[k] > mk_before[k - 3 > 0 ? k - 3 : 0] ? 1.0 : 0.0;
        *c++ = mk_before[k + 4 < n ? k + 4 : n] > mk_before[k + 1] ? 1.0 : 0.0;
        g = mk_total - mk_before[k + 1];
        *c++ = (double)(g < 6 ? g : 6) / 6;
        *c++ = last_mk[k] >= 0 ? (pm[k] - pm[last_mk[k]]) * inv_p : pb[k];
        *c++ = (double)(mkc[k] < 3 ? mkc[k] : 3) / 3;
        *c++ = (double)(mkr[k] < 3 ? mkr[k] : 3) / 3;
        *c++ = (double)(mkf[k] < 3 ? mkf[k] : 3) / 3;
        /* coherence: content words shared with the page's prose lines */
        if (nws) {
            Py_ssize_t own = L->prose[k] ? 1 : 0, tot5 = 0, two = 0;
            for (Py_ssize_t j = 0; j < nws; j++) {
                Py_ssize_t x = L->df[cids[j]] - own;
                tot5 += x < 5 ? x : 5;
                two += x >= 2;
            }
            *c++ = (double)tot5 / (double)(5 * nws);
            *c++ = (double)two / (double)nws;
            *c++ = nws < 20 ? (double)nws / 20 : 1.0;
        }
        else {
            *c++ = 0.0;
            *c++ = 0.0;
            *c++ = 0.0;
        }
        *c++ = seq[k];
        *c++ = announced[k];
        *c++ = run_len[k];
        *c++ = run_pos[k];
        *c++ = L->prose[k] ? 0.0 : 1.0;
        *c++ = per[k];
        *c++ = per_len[k];
        *c++ = wmean(pre[QA], n, k, -6, 7);
        *c++ = wmean(pre[QUES], n, k, -6, 7);
        *c++ = wmean(pre[COM], n, k, -5, 6);
        *c++ = wmean(pre[SAYS], n, k, -5, 6);
        *c++ = wmean(pre[DATE], n, k, -5, 6);
        *c++ = wmean(pre[CLIP], n, k, -5, 6);
        *c++ = pre[COMABOVE][k] < 10 ? pre[COMABOVE][k] / 10 : 1.0;
        *c++ = L->dupc[k] < 20 ? log((double)L->dupc[k]) / 3 : 1.0;
        *c++ = wmean(pre[DUP], n, k, -5, 6);
        *c++ = wmean(pre[DUPDATE], n, k, -5, 6);
        /* windows: the means of prose, lnw, bullet, short and sent over 3 lines above, 3 below */
        for (int s = PROSE; s <= SENT; s++)
            *c++ = wmean(pre[s], n, k, -3, 0);
        for (int s = PROSE; s <= SENT; s++)
            *c++ = wmean(pre[s], n, k, 1, 4);
        /* ... and over the two substantial lines on either side */
        int own = v[SUBST][k] != 0.0;
        Py_ssize_t lo = seen - 2 > 0 ? seen - 2 : 0, hi = seen + (own ? 3 : 2) < ns ? seen + (own ? 3 : 2) : ns;
        Py_ssize_t cnt = hi - lo - (own ? 1 : 0);
        for (int s = 0; s < 3; s++)
            *c++ = cnt > 0 ? (sp[s][hi] - sp[s][lo] - (own ? own_v[s][k] : 0.0)) / (double)cnt : 0.0;
        *c++ = v[SUBST][k];
        seen += own;
        if (c != out + (k + 1) * width) { /* the columns above and CONTEXT_NAMES + WINDOW_NAMES */
            PyErr_SetString(PyExc_SystemError, "_features: the context columns do not fill the row");
            goto done;
        }
    }
    ok = 0;
done:
    for (int s = 0; s < NSERIES; s++) {
        PyMem_Free(v[s]);
        PyMem_Free(pre[s]);
    }
    for (int p = 0; p < 7; p++)
        PyMem_Free(eqp[p]);
    for (int s = 0; s < 3; s++)
        PyMem_Free(sp[s]);
    PyMem_Free(tokc);
    PyMem_Free(pb);
    PyMem_Free(pa);
    PyMem_Free(seq);
    PyMem_Free(announced);
    PyMem_Free(run_len);
    PyMem_Free(run_pos);
    PyMem_Free(per);
    PyMem_Free(per_len);
    PyMem_Free(bwords);
    PyMem_Free(bprose);
    PyMem_Free(bbul);
    PyMem_Free(bcount);
    PyMem_Free(bfirst);
    PyMem_Free(blast);
    PyMem_Free(mk_before);
    PyMem_Free(mkc);
    PyMem_Free(mkr);
    PyMem_Free(mkf);
    PyMem_Free(last_mk);
    PyMem_Free(sidx);
    return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* Content: the content words of each live line, for stage 2                                  */

typedef struct {
    Py_ssize_t n;            /* live lines */
    Py_ssize_t nwords;       /* distinct content words */
    Py_ssize_t *start;       /* line k's words: ids[start[k] .. start[k + 1]) */
    Py_ssize_t *ids;
    Py_ssize_t *wstart;      /* word w's text: text[wstart[w] .. wstart[w + 1]) */
    Py_UCS4 *text;
} Content;

static void
content_free(Content *c)
{
    if (!c)
        return;
    PyMem_Free(c->start);
    PyMem_Free(c->ids);
    PyMem_Free(c->wstart);
    PyMem_Free(c->text);
    PyMem_Free(c);
}

static void
content_destroy(PyObject *capsule)
{
    content_free(PyCapsule_GetPointer(capsule, CONTENT_CAPSULE));
}

/* The capsule holding the content words of the live lines L (their ids, their text). */
static PyObject *
content_capsule(const Page *pg, const Live *L)
{
    Py_ssize_t n = L->n, total = n ? L->cstart[n] : 0, ntext = 0;
    Content *c = zeroed(1, sizeof(Content));
    if (!c)
        return NULL;
    c->n = n;
    c->nwords = L->ncontent;
    if (!(c->start = zeroed(n + 1, sizeof(Py_ssize_t))) || !(c->ids = zeroed(total, sizeof(Py_ssize_t))) ||
        !(c->wstart = zeroed(L->ncontent + 1, sizeof(Py_ssize_t))))
        goto fail;
    if (n) {
        memcpy(c->start, L->cstart, (size_t)(n + 1) * sizeof(Py_ssize_t));
        memcpy(c->ids, L->cids, (size_t)total * sizeof(Py_ssize_t));
    }
    /* the words' text, in content id order */
    for (Py_ssize_t id = 0; id < pg->words.n; id++)
        if (pg->pw[id].cid >= 0)
            c->wstart[pg->pw[id].cid + 1] = pg->words.keys[id].len;
    for (Py_ssize_t w = 0; w < L->ncontent; w++)
        c->wstart[w + 1] += c->wstart[w];
    ntext = c->wstart[L->ncontent];
    if (!(c->text = zeroed(ntext, sizeof(Py_UCS4))))
        goto fail;
    for (Py_ssize_t id = 0; id < pg->words.n; id++)
        if (pg->pw[id].cid >= 0)
            memcpy(c->text + c->wstart[pg->pw[id].cid], pg->words.text + pg->words.keys[id].start,
                   (size_t)pg->words.keys[id].len * sizeof(Py_UCS4));
    PyObject *capsule = PyCapsule_New(c, CONTENT_CAPSULE, content_destroy);
    if (!capsule)
        goto fail;
    return capsule;
fail:
    content_free(c);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* page(lines, removed, tables)                                                               */

/* A read-only memoryview of doubles (format 'd') over `bytes`, which it keeps; steals the
 * reference to `bytes` (NULL passes through). */
static PyObject *
doubles_view(PyObject *bytes)
{
    if (!bytes)
        return NULL;
    PyObject *view = PyMemoryView_FromObject(bytes);
    Py_DECREF(bytes);
    if (!view)
        return NULL;
    PyObject *cast = PyObject_CallMethod(view, "cast", "s", "d");
    Py_DECREF(view);
    return cast;
}

/* A bytes object for n doubles, zeroed, its buffer in *buf (the page's rows are written there
 * directly: copying them, and then copying the copy into an array, tripled a big page's peak). */
static PyObject *
doubles_buffer(Py_ssize_t n, double **buf)
{
    if (n > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(double)) {
        PyErr_NoMemory();
        return NULL;
    }
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(double));
    if (!bytes)
        return NULL;
    *buf = (double *)PyBytes_AS_STRING(bytes);
    memset(*buf, 0, (size_t)n * sizeof(double));
    return bytes;
}

/* A memoryview of n doubles copied from v (n may be 0). */
static PyObject *
double_array(const double *v, Py_ssize_t n)
{
    double *buf;
    PyObject *bytes = doubles_buffer(n, &buf);
    if (bytes && n)
        memcpy(buf, v, (size_t)n * sizeof(double));
    return doubles_view(bytes);
}

/* The flags of `removed` (a sequence of truth values, or bytes-like), one byte each. */
static char *
removed_flags(PyObject *removed, Py_ssize_t *nrem)
{
    char *flags;
    if (PyBytes_Check(removed) || PyByteArray_Check(removed)) {
        Py_buffer view;
        if (PyObject_GetBuffer(removed, &view, PyBUF_SIMPLE) < 0)
            return NULL;
        *nrem = view.len;
        if ((flags = zeroed(view.len, 1)))
            for (Py_ssize_t i = 0; i < view.len; i++)
                flags[i] = ((const unsigned char *)view.buf)[i] != 0;
        PyBuffer_Release(&view);
        return flags;
    }
    PyObject *seq = PySequence_Fast(removed, "page: removed must be a sequence");
    if (!seq)
        return NULL;
    *nrem = PySequence_Fast_GET_SIZE(seq);
    if (!(flags = zeroed(*nrem, 1))) {
        Py_DECREF(seq);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < *nrem; i++) {
        PyObject *x = PySequence_Fast_GET_ITEM(seq, i);
        int v = x == Py_True ? 1 : x == Py_False ? 0 : PyObject_IsTrue(x);
        if (v < 0) {
            PyMem_Free(flags);
            Py_DECREF(seq);
            return NULL;
        }
        flags[i] = (char)v;
    }
    Py_DECREF(seq);
    return flags;
}

PyDoc_STRVAR(page_doc,
"page(lines, removed, tables) -> (live, rows, words, content)\n\n"
"features.page_features of a page: `lines` its lines (str), `removed` one truth value per line (a\n"
"sequence or bytes; lines past its end count as not removed), `tables` what tables() made.\n"
"`live` lists the live lines' indices, `rows` is a memoryview of doubles: len(live) rows of\n"
"len(features.names()) features one after another, `words` one of each live line's\n"
"length in words, and `content` an opaque capsule of the live lines' content words for stage2()\n"
"(content_sets() lists them).");

static PyObject *
page(PyObject *self, PyObject *args)
{
    PyObject *lines, *removed, *capsule, *seq = NULL, *result = NULL, *live_list = NULL, *rows = NULL;
    PyObject *words = NULL, *content = NULL, *rows_bytes = NULL;
    if (!PyArg_ParseTuple(args, "OOO", &lines, &removed, &capsule))
        return NULL;
    const Tables *t = PyCapsule_GetPointer(capsule, TABLES_CAPSULE);
    if (!t)
        return NULL;
    Page pg = {.t = t};
    Live L = {0};
    Read *reads = NULL;
    double *out = NULL;
    Py_ssize_t nrem = 0;
    char *rem = removed_flags(removed, &nrem);
    if (!rem)
        return NULL;
    if (!(seq = PySequence_Fast(lines, "page: lines must be a sequence")))
        goto done;
    Py_ssize_t nl = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    if (!(reads = zeroed(nl, sizeof(Read))))
        goto done;
    for (Py_ssize_t i = 0; i < nl; i++)
        if (read_line(&pg, items[i], &reads[i]) < 0)
            goto done;

    /* page_features: the live lines, what is around them, end markers, shapes */
    if (!(L.r = zeroed(nl, sizeof(Read *))) || !(L.gone_up = zeroed(nl, sizeof(Py_ssize_t))) ||
        !(L.gone_dn = zeroed(nl, sizeof(Py_ssize_t))) || !(L.stuck_up = zeroed(nl, sizeof(double))) ||
        !(L.stuck_dn = zeroed(nl, sizeof(double))) || !(L.block_of = zeroed(nl, sizeof(Py_ssize_t))) ||
        !(L.codes = zeroed(nl, 1)) || !(L.code_pos = zeroed(nl, sizeof(Py_ssize_t))) ||
        !(L.mk_at = zeroed(nl, sizeof(Py_ssize_t))) || !(L.mk_bits = zeroed(nl, sizeof(uint64_t))))
        goto done;
    if (!(live_list = PyList_New(0)))
        goto done;
    uint64_t marker = t->marker;
    Py_ssize_t gone = 0, block = 0;
    int after_blank = 1;
    for (Py_ssize_t i = 0; i < nl; i++) {
        const Read *r = &reads[i];
        if (i < nrem && rem[i]) {
            if (r->kind != R_BLANK) {
                gone++;
                after_blank = 0;
                L.codes[L.m++] = 6;
                if (r->kind == R_WORDS && r->nw <= 6 && (r->bits & marker)) {
                    L.mk_at[L.nmarkers] = L.n;
                    L.mk_bits[L.nmarkers++] = r->bits;
                }
            }
            else {
                block += !after_blank;
                after_blank = 1;
            }
            continue;
        }
        if (r->kind == R_BLANK) {
            block += !after_blank;
            after_blank = 1;
            continue;
        }
        after_blank = 0;
        if (r->kind == R_NOWORD) {
            L.codes[L.m++] = 7;
            continue;
        }
        Py_ssize_t k = L.n++;
        PyObject *index = PyLong_FromSsize_t(i);
        if (!index || PyList_Append(live_list, index) < 0) {
            Py_XDECREF(index);
            goto done;
        }
        Py_DECREF(index);
        L.r[k] = r;
        L.gone_up[k] = gone;
        gone = 0;
        L.stuck_up[k] = i > 0 && i - 1 < nrem && rem[i - 1] && reads[i - 1].kind != R_BLANK ? 1.0 : 0.0;
        if (i + 1 < nrem && rem[i + 1] && i + 1 >= nl) {
            PyErr_SetString(PyExc_IndexError, "page: removed flags a line past the page's end");
            goto done;
        }
        L.stuck_dn[k] = i + 1 < nrem && rem[i + 1] && reads[i + 1].kind != R_BLANK ? 1.0 : 0.0;
        L.block_of[k] = block;
        double nw = r->nw;
        L.codes[L.m++] = (signed char)((nw <= 3 ? 0 : nw <= 12 ? 2 : 4) + (r->sent ? 1 : 0));
        L.code_pos[k] = L.m - 1;
        if (nw <= 6 && (r->bits & marker)) {
            L.mk_at[L.nmarkers] = k + 1;
            L.mk_bits[L.nmarkers++] = r->bits;
        }
    }
    Py_ssize_t n = L.n, width = NLINE + t->ngroups + NCONTEXT + NWINDOW;
    for (Py_ssize_t k = 0; k + 1 < n; k++)
        L.gone_dn[k] = L.gone_up[k + 1];
    if (n)
        L.gone_dn[n - 1] = gone;
    if (n > PY_SSIZE_T_MAX / width / (Py_ssize_t)sizeof(double)) {
        PyErr_NoMemory();
        goto done;
    }
    if (!(rows_bytes = doubles_buffer(n * width, &out)) || !(L.prose = zeroed(n, sizeof(double))) ||
        !(L.nwl = zeroed(n, sizeof(double))) || !(L.dupc = zeroed(n, sizeof(Py_ssize_t))) ||
        !(L.cstart = zeroed(n + 1, sizeof(Py_ssize_t))))
        goto done;
    if (n) {
        int stop = language(&pg, &L);
        if (line_rows(&pg, &L, stop, out, width) < 0 || context(&pg, &L, out, width) < 0)
            goto done;
    }
    rows = doubles_view(rows_bytes);
    rows_bytes = NULL;
    if (!rows || !(words = double_array(L.nwl, n)) ||
        !(content = content_capsule(&pg, &L)))
        goto done;
    result = PyTuple_Pack(4, live_list, rows, words, content);
done:
    Py_XDECREF(seq);
    Py_XDECREF(live_list);
    Py_XDECREF(rows);
    Py_XDECREF(words);
    Py_XDECREF(content);
    PyMem_Free(rem);
    PyMem_Free(reads);
    Py_XDECREF(rows_bytes); /* the rows live in it, not in a buffer of their own */
    live_free(&L);
    lex_free(&pg.words);
    PyMem_Free(pg.pw);
    PyMem_Free(pg.ids);
    PyMem_Free(pg.text);
    PyMem_Free(pg.low);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* content_sets(content) -> list[set[str]]                                                    */

PyDoc_STRVAR(content_sets_doc,
"content_sets(content) -> list of set of str\n\n"
"The content words of each live line that page() returned in `content`, as features.py's Python\n"
"code had them (for tests and debugging).");

static PyObject *
content_sets(PyObject *self, PyObject *capsule)
{
    const Content *c = PyCapsule_GetPointer(capsule, CONTENT_CAPSULE);
    if (!c)
        return NULL;
    PyObject *words = PyList_New(c->nwords), *out = NULL;
    if (!words)
        return NULL;
    for (Py_ssize_t w = 0; w < c->nwords; w++) {
        PyObject *s = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, c->text + c->wstart[w],
                                                c->wstart[w + 1] - c->wstart[w]);
        if (!s)
            goto fail;
        PyList_SET_ITEM(words, w, s);
    }
    if (!(out = PyList_New(c->n)))
        goto fail;
    for (Py_ssize_t k = 0; k < c->n; k++) {
        PyObject *set = PySet_New(NULL);
        if (!set)
            goto fail;
        PyList_SET_ITEM(out, k, set);
        for (Py_ssize_t j = c->start[k]; j < c->start[k + 1]; j++)
            if (PySet_Add(set, PyList_GET_ITEM(words, c->ids[j])) < 0)
                goto fail;
    }
    Py_DECREF(words);
    return out;
fail:
    Py_DECREF(words);
    Py_XDECREF(out);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* stage2(z, words, content): model.stage2_features                                           */

/* The doubles of an array('d') (or any buffer of doubles, read in place) or of a sequence of
 * numbers (copied); release with doubles_release. */
typedef struct {
    const double *v;
    Py_ssize_t n;
    Py_buffer view; /* when view.obj is set */
    double *copy;
} Doubles;

static void
doubles_release(Doubles *d)
{
    if (d->view.obj)
        PyBuffer_Release(&d->view);
    PyMem_Free(d->copy);
    memset(d, 0, sizeof(*d));
}

static int
doubles(PyObject *obj, Doubles *d, const char *what)
{
    memset(d, 0, sizeof(*d));
    if (PyObject_CheckBuffer(obj)) {
        if (PyObject_GetBuffer(obj, &d->view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
            return -1;
        if (d->view.itemsize != sizeof(double) || !d->view.format || strcmp(d->view.format, "d") != 0) {
            doubles_release(d);
            PyErr_Format(PyExc_TypeError, "%s: a buffer of doubles is needed", what);
            return -1;
        }
        d->v = d->view.buf;
        d->n = d->view.len / (Py_ssize_t)sizeof(double);
        return 0;
    }
    PyObject *seq = PySequence_Fast(obj, what);
    if (!seq)
        return -1;
    d->n = PySequence_Fast_GET_SIZE(seq);
    if (!(d->copy = zeroed(d->n, sizeof(double)))) {
        Py_DECREF(seq);
        return -1;
    }
    for (Py_ssize_t i = 0; i < d->n; i++) {
        d->copy[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
        if (d->copy[i] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(seq);
            doubles_release(d);
            return -1;
        }
    }
    Py_DECREF(seq);
    d->v = d->copy;
    return 0;
}

static inline double
clamp_py(double v, double lo, double hi) /* Python's min(hi, max(lo, v)) */
{
    double x = v > lo ? v : lo;
    return x < hi ? x : hi;
}

/* _kadane: the best-scoring span [*lo, *hi] (hi = -1 when there is none). */
static void
kadane(const double *z, Py_ssize_t n, Py_ssize_t *lo, Py_ssize_t *hi)
{
    double best = -1e18, cur = 0.0;
    Py_ssize_t start = 0;
    *lo = 0;
    *hi = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (cur <= 0) {
            cur = z[k];
            start = k;
        }
        else
            cur += z[k];
        if (cur > best) {
            best = cur;
            *lo = start;
            *hi = k;
        }
    }
}

PyDoc_STRVAR(stage2_doc,
"stage2(z, words, content) -> memoryview of doubles\n\n"
"model.stage2_features: for stage 1's scores `z` of a page's live lines, their lengths in words\n"
"`words` and their content words `content` (both from page()), len(z) rows of\n"
"len(model.STAGE2_NAMES) features one after another. `z` and `words` are arrays of doubles or\n"
"sequences of numbers. coh_core sums over each line's content words in another order than the\n"
"Python's set did, so it may differ from it in the last bit.");

static PyObject *
stage2(PyObject *self, PyObject *args)
{
    PyObject *zobj, *wobj, *capsule, *result = NULL;
    if (!PyArg_ParseTuple(args, "OOO", &zobj, &wobj, &capsule))
        return NULL;
    const Content *content = PyCapsule_GetPointer(capsule, CONTENT_CAPSULE);
    if (!content)
        return NULL;
    Doubles zd = {0}, wd = {0};
    double *pz = NULL, *scaled = NULL, *pr = NULL, *cwm = NULL, *mass = NULL, *out = NULL;
    Py_ssize_t *bins = NULL;
    if (doubles(zobj, &zd, "stage2: z") < 0 || doubles(wobj, &wd, "stage2: words") < 0)
        goto done;
    const double *z = zd.v, *nw = wd.v;
    Py_ssize_t n = zd.n;
    if (wd.n != n || content->n != n) {
        PyErr_SetString(PyExc_ValueError, "stage2: z, words and content must be of the same page");
        goto done;
    }
    if (n > PY_SSIZE_T_MAX / NSTAGE2 / (Py_ssize_t)sizeof(double)) {
        PyErr_NoMemory();
        goto done;
    }
    if (!(pz = zeroed(n + 1, sizeof(double))) || !(scaled = zeroed(n, sizeof(double))) ||
        !(pr = zeroed(n, sizeof(double))) || !(cwm = zeroed(n + 1, sizeof(double))) ||
        !(mass = zeroed(content->nwords, sizeof(double))) || !(bins = zeroed(n, sizeof(Py_ssize_t))) ||
        !(out = zeroed(n * NSTAGE2, sizeof(double))))
        goto done;
    prefix(z, n, pz);
    for (Py_ssize_t k = 0; k < n; k++) {
        double f = nw[k] / 10 + 0.2;
        scaled[k] = z[k] * (f < 1.0 ? f : 1.0);
    }
    Py_ssize_t lo, hi;
    kadane(scaled, n, &lo, &hi);
    Py_ssize_t spanlen = hi - lo + 1 > 1 ? hi - lo + 1 : 1;
    double smean = hi >= lo ? (pz[hi + 1] - pz[lo]) / (double)spanlen : 0.0;
    /* rank and the top tenth's score from a histogram of z: bins of 0.25 over [-15, 15] */
    Py_ssize_t hist[121] = {0}, above[121];
    for (Py_ssize_t k = 0; k < n; k++) {
        bins[k] = (Py_ssize_t)((clamp_py(z[k], -15.0, 15.0) + 15.0) * 4);
        hist[bins[k]]++;
    }
    Py_ssize_t acc = 0;
    for (int b = 120; b >= 0; b--) {
        above[b] = acc;
        acc += hist[b];
    }
    Py_ssize_t want = (n - 1 < n / 10 ? n - 1 : n / 10), top_bin = 0;
    want = (want > 0 ? want : 0) + 1;
    acc = 0;
    for (int b = 120; b >= 0; b--) {
        acc += hist[b];
        if (acc >= want) {
            top_bin = b;
            break;
        }
    }
    double top = (double)top_bin / 4.0 - 15.0;
    for (Py_ssize_t k = 0; k < n; k++)
        pr[k] = 1.0 / (1.0 + exp(-clamp_py(z[k], -30.0, 30.0)));
    double sum = 0.0;
    cwm[0] = 0.0;
    for (Py_ssize_t k = 0; k < n; k++) {
        sum += rounded(pr[k] * nw[k]);
        cwm[k + 1] = sum;
    }
    double tot = sum != 0.0 ? sum : 1.0;
    Py_ssize_t npos = 0;
    for (Py_ssize_t k = 0; k < n; k++)
        npos += z[k] > 0;
    double pos_share = (double)npos / (double)(n > 1 ? n : 1);
    /* a word -> the probability mass of the confident lines holding it */
    for (Py_ssize_t k = 0; k < n; k++)
        if (pr[k] > 0.5)
            for (Py_ssize_t j = content->start[k]; j < content->start[k + 1]; j++)
                mass[content->ids[j]] += pr[k];
    for (Py_ssize_t k = 0; k < n; k++) {
        double *row = out + k * NSTAGE2;
        Py_ssize_t a1 = k - 1 > 0 ? k - 1 : 0, b1 = k + 2 < n ? k + 2 : n;
        Py_ssize_t a2 = k - 2 > 0 ? k - 2 : 0, b2 = k + 3 < n ? k + 3 : n;
        Py_ssize_t a5 = k - 5 > 0 ? k - 5 : 0, b5 = k + 6 < n ? k + 6 : n;
        Py_ssize_t a10 = k - 10 > 0 ? k - 10 : 0, b10 = k + 11 < n ? k + 11 : n;
        Py_ssize_t au = k - 3 > 0 ? k - 3 : 0, bd = k + 4 < n ? k + 4 : n;
        double up = -5.0, dn = -5.0; /* max(z[au:k]), max(z[k + 1:bd]) */
        if (k > au) {
            up = z[au];
            for (Py_ssize_t j = au + 1; j < k; j++)
                if (z[j] > up)
                    up = z[j];
        }
        if (bd > k + 1) {
            dn = z[k + 1];
            for (Py_ssize_t j = k + 2; j < bd; j++)
                if (z[j] > dn)
                    dn = z[j];
        }
        int inside = lo <= k && k <= hi;
        Py_ssize_t dlo = k - lo >= 0 ? k - lo : lo - k, dhi = k - hi >= 0 ? k - hi : hi - k;
        double after = tot - cwm[k + 1];
        double v[NSTAGE2 - 2] = {
            z[k], (pz[b1] - pz[a1]) / (double)(b1 - a1), (pz[b2] - pz[a2]) / (double)(b2 - a2),
            (pz[b5] - pz[a5]) / (double)(b5 - a5), (pz[b10] - pz[a10]) / (double)(b10 - a10),
            k > au ? (pz[k] - pz[au]) / (double)(k - au) : 0.0,
            bd > k + 1 ? (pz[bd] - pz[k + 1]) / (double)(bd - k - 1) : 0.0, up, dn, inside ? 1.0 : 0.0,
            (double)(dlo < 30 ? dlo : 30) / 30, (double)(dhi < 30 ? dhi : 30) / 30,
            inside ? (double)(k - lo) / (double)spanlen : 0.0, k > hi ? 1.0 : 0.0, k < lo ? 1.0 : 0.0,
            (double)above[bins[k]] / (double)(n - 1 > 1 ? n - 1 : 1), z[k] - smean, cwm[k] / tot, after / tot,
            fmin_py(cwm[k], after) / tot, pos_share, z[k] - top,
        };
        memcpy(row, v, sizeof(v));
        /* coh_core, coh_core2: words shared with the confident core */
        Py_ssize_t nws = content->start[k + 1] - content->start[k];
        if (nws) {
            double own = pr[k] > 0.5 ? pr[k] : 0.0, s3 = 0.0, c1 = 0.0;
            for (Py_ssize_t j = content->start[k]; j < content->start[k + 1]; j++) {
                double x = mass[content->ids[j]] - own;
                s3 += x < 3.0 ? x : 3.0; /* in page order of the words, not the set's */
                if (x >= 1.0)
                    c1 += 1;
            }
            row[NSTAGE2 - 2] = s3 / (3.0 * (double)nws);
            row[NSTAGE2 - 1] = c1 / (double)nws;
        }
    }
    result = double_array(out, n * NSTAGE2);
done:
    doubles_release(&zd);
    doubles_release(&wd);
    PyMem_Free(pz);
    PyMem_Free(scaled);
    PyMem_Free(pr);
    PyMem_Free(cwm);
    PyMem_Free(mass);
    PyMem_Free(bins);
    PyMem_Free(out);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* scores(weights, bias, rows, width, rows2=None, width2=0)                                   */

/* sum(map(mul, weights, row)) as Python's sum() adds floats: 0 + the first product, then each
 * product in turn; from Python 3.12 on sum() compensates the rounding (Neumaier), as here. */
typedef struct {
    double hi, lo;
    int started;
} Sum;

static inline void
sum_add(Sum *s, double x)
{
    if (!s->started) {
        s->hi = 0.0 + x; /* int 0 + the first float */
        s->started = 1;
        return;
    }
#if PY_VERSION_HEX >= 0x030C0000
    double t = s->hi + x;
    if (fabs(s->hi) >= fabs(x))
        s->lo += (s->hi - t) + x;
    else
        s->lo += (x - t) + s->hi;
    s->hi = t;
#else
    s->hi += x;
#endif
}

static inline double
sum_total(const Sum *s)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (s->lo != 0.0 && isfinite(s->lo))
        return s->hi + s->lo;
#endif
    return s->started ? s->hi : 0.0;
}

PyDoc_STRVAR(scores_doc,
"scores(weights, bias, rows, width, rows2=None, width2=0) -> memoryview of doubles\n\n"
"model.Stage.score of each row: `bias` + sum(map(mul, weights, row)), summed as Python's sum()\n"
"does. `rows` is a buffer of doubles: rows of `width` features one after another; a row may go on in\n"
"`rows2` (rows of `width2`), as stage 2's rows go on with stage2()'s features. `weights` is a\n"
"sequence of width + width2 numbers.");

static PyObject *
scores(PyObject *self, PyObject *args)
{
    PyObject *wobj, *robj, *r2obj = Py_None, *result = NULL;
    double bias;
    Py_ssize_t width, width2 = 0;
    if (!PyArg_ParseTuple(args, "OdOn|On", &wobj, &bias, &robj, &width, &r2obj, &width2))
        return NULL;
    Doubles wd = {0}, rd = {0}, r2d = {0};
    double *out = NULL;
    if (doubles(wobj, &wd, "scores: weights") < 0 || doubles(robj, &rd, "scores: rows") < 0)
        goto done;
    if (r2obj != Py_None && doubles(r2obj, &r2d, "scores: rows2") < 0)
        goto done;
    if (r2obj == Py_None)
        width2 = 0;
    const double *w = wd.v, *rows = rd.v, *rows2 = r2d.v;
    Py_ssize_t nw = wd.n, nr = rd.n, nr2 = r2d.n;
    if (width <= 0 || width2 < 0 || nw != width + width2 || nr % width ||
        (width2 ? nr2 != nr / width * width2 : nr2 != 0)) {
        PyErr_SetString(PyExc_ValueError, "scores: rows, widths and weights do not fit together");
        goto done;
    }
    Py_ssize_t n = nr / width;
    if (!(out = zeroed(n, sizeof(double))))
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        Sum s = {0.0, 0.0, 0};
        const double *row = rows + k * width;
        for (Py_ssize_t j = 0; j < width; j++)
            sum_add(&s, rounded(w[j] * row[j]));
        if (width2) {
            const double *row2 = rows2 + k * width2;
            for (Py_ssize_t j = 0; j < width2; j++)
                sum_add(&s, rounded(w[width + j] * row2[j]));
        }
        out[k] = bias + sum_total(&s);
    }
    result = double_array(out, n);
done:
    doubles_release(&wd);
    doubles_release(&rd);
    doubles_release(&r2d);
    PyMem_Free(out);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* trees(z, depth, splits, above, values, rows, width, rows2=None, width2=0)                  */

PyDoc_STRVAR(trees_doc,
"trees(z, depth, splits, above, values, rows, width, rows2=None, width2=0) -> memoryview of doubles\n\n"
"model.Trees.score added to each score of `z`: for each tree, a row goes down `depth` splits (the\n"
"leaf's number doubles at each and gains 1 where the row's feature `splits[t*depth + d]` is above\n"
"`above[t*depth + d]`) and earns `values[t * 2**depth + leaf]`. The trees' values are summed in\n"
"order, then added to z. `splits` and `above` are sequences of numbers; rows are read as scores() reads them.");

static PyObject *
trees(PyObject *self, PyObject *args)
{
    PyObject *zobj, *sobj, *aobj, *vobj, *robj, *r2obj = Py_None, *result = NULL;
    Py_ssize_t depth, width, width2 = 0;
    if (!PyArg_ParseTuple(args, "OnOOOOn|On", &zobj, &depth, &sobj, &aobj, &vobj, &robj, &width, &r2obj, &width2))
        return NULL;
    Doubles zd = {0}, sd = {0}, ad = {0}, vd = {0}, rd = {0}, r2d = {0};
    double *out = NULL, *whole = NULL;
    Py_ssize_t *split = NULL;
    if (doubles(zobj, &zd, "trees: z") < 0 || doubles(sobj, &sd, "trees: splits") < 0 ||
        doubles(aobj, &ad, "trees: above") < 0 || doubles(vobj, &vd, "trees: values") < 0 ||
        doubles(robj, &rd, "trees: rows") < 0)
        goto done;
    if (r2obj != Py_None && doubles(r2obj, &r2d, "trees: rows2") < 0)
        goto done;
    if (r2obj == Py_None)
        width2 = 0;
    Py_ssize_t n = zd.n, leaves = (Py_ssize_t)1 << (depth > 0 && depth < 16 ? depth : 0);
    Py_ssize_t ntrees = depth > 0 && depth < 16 ? sd.n / depth : -1;
    if (ntrees < 0 || sd.n != ntrees * depth || ad.n != sd.n || vd.n != ntrees * leaves || width <= 0 ||
        width2 < 0 || rd.n != n * width || r2d.n != n * width2) {
        PyErr_SetString(PyExc_ValueError, "trees: depth, splits, values and rows do not fit together");
        goto done;
    }
    for (Py_ssize_t q = 0; q < sd.n; q++) {
        double f = sd.v[q];
        if (!(f >= 0 && f < (double)(width + width2)) || f != (double)(Py_ssize_t)f) {
            PyErr_SetString(PyExc_ValueError, "trees: a split names no feature of the rows");
            goto done;
        }
    }
    /* the splits as indices, and each row whole (its stage-2 part after the rest), read once */
    if (!(out = zeroed(n, sizeof(double))) || !(split = zeroed(sd.n, sizeof(Py_ssize_t))) ||
        !(whole = zeroed(width + width2, sizeof(double))))
        goto done;
    for (Py_ssize_t q = 0; q < sd.n; q++)
        split[q] = (Py_ssize_t)sd.v[q];
    for (Py_ssize_t k = 0; k < n; k++) {
        memcpy(whole, rd.v + k * width, width * sizeof(double));
        if (width2)
            memcpy(whole + width, r2d.v + k * width2, width2 * sizeof(double));
        double total = 0.0;
        const Py_ssize_t *f = split;
        const double *above = ad.v, *values = vd.v;
        for (Py_ssize_t t = 0; t < ntrees; t++, f += depth, above += depth, values += leaves) {
            Py_ssize_t leaf = 0;
            for (Py_ssize_t d = 0; d < depth; d++)
                leaf = 2 * leaf + (whole[f[d]] > above[d]);
            total += values[leaf];
        }
        out[k] = zd.v[k] + total;
    }
    result = double_array(out, n);
done:
    doubles_release(&zd);
    doubles_release(&sd);
    doubles_release(&ad);
    doubles_release(&vd);
    doubles_release(&rd);
    doubles_release(&r2d);
    PyMem_Free(out);
    PyMem_Free(split);
    PyMem_Free(whole);
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* decode: decode.py's Viterbi path                                                           */

PyDoc_STRVAR(decode_doc,
"decode(scores, shift, start, gap_open, gap_close, end, reenter) -> bytes\n\n"
"The state of each line on the best path (0 before the article, 1 in it, 2 a gap, 3 after), for\n"
"`scores` (an array('d') or a sequence of numbers) each plus `shift`: decode.decode's path.");

static PyObject *
decode_path(PyObject *self, PyObject *args)
{
    PyObject *zobj, *result = NULL;
    double shift, a, b, c, d, e;
    if (!PyArg_ParseTuple(args, "Odddddd", &zobj, &shift, &a, &b, &c, &d, &e))
        return NULL;
    Doubles zd = {0};
    unsigned char *back = NULL;
    if (doubles(zobj, &zd, "decode: scores") < 0)
        return NULL;
    Py_ssize_t n = zd.n;
    const double *z = zd.v, NEG = -1e18;
    if (n == 0) {
        result = PyBytes_FromStringAndSize(NULL, 0);
        goto done;
    }
    /* back[3k..3k+2]: where states 1, 2 and 3 came from at line k (line 0 has none) */
    if (!(back = zeroed(3 * n, 1)))
        goto done;
    double p0 = 0.0, p1 = (z[0] + shift) - a, p2 = NEG, p3 = NEG;
    for (Py_ssize_t k = 1; k < n; k++) {
        double best = p0 - a, n1, n2;
        unsigned char came = 0, b1, b2;
        if (p1 > best) { best = p1; came = 1; }
        if (p2 - c > best) { best = p2 - c; came = 2; }
        if (p3 - e > best) { best = p3 - e; came = 3; }
        n1 = best + (z[k] + shift);
        b1 = came;
        if (p1 - b >= p2) { n2 = p1 - b; b2 = 1; } else { n2 = p2; b2 = 2; }
        best = p1 - d;
        came = 1;
        if (p2 - d > best) { best = p2 - d; came = 2; }
        if (p3 > best) { best = p3; came = 3; }
        p1 = n1; p2 = n2; p3 = best;
        back[3 * k] = b1; back[3 * k + 1] = b2; back[3 * k + 2] = came;
    }
    unsigned char s = 1; /* the path ends in the article, a gap or after it */
    if (p2 > p1)
        s = 2;
    if (p3 > (p1 > p2 ? p1 : p2))
        s = 3;
    if (!(result = PyBytes_FromStringAndSize(NULL, n)))
        goto done;
    char *path = PyBytes_AS_STRING(result);
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        path[k] = (char)s;
        if (k > 0 && s != 0)
            s = back[3 * k + s - 1];
    }
done:
    doubles_release(&zd);
    PyMem_Free(back);
    return result;
}

/* ------------------------------------------------------------------------------------------ */

static PyMethodDef methods[] = {
    {"decode", decode_path, METH_VARARGS, decode_doc},
    {"tables", tables, METH_VARARGS, tables_doc},
    {"page", page, METH_VARARGS, page_doc},
    {"content_sets", content_sets, METH_O, content_sets_doc},
    {"stage2", stage2, METH_VARARGS, stage2_doc},
    {"scores", scores, METH_VARARGS, scores_doc},
    {"trees", trees, METH_VARARGS, trees_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"The main-text detector's line features in C: page() computes features.page_features, stage2()\n"
"model.stage2_features and scores() a logistic regression's scores, with the values the\n"
"plain-Python definitions give (tests/reference_features.py keeps them; stage 2's coh_core may\n"
"differ in the last bit, its sum running in another order). tables() compiles the lexicons\n"
"page() reads, once; content_sets() lists the content words page() keeps for stage2().");

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_features", module_doc, -1, methods,
};

PyMODINIT_FUNC
PyInit__features(void)
{
    for (Py_UCS4 c = 0; c < 128; c++)
        ascii_word[c] = Py_UNICODE_ISALNUM(c) || c == '_';
    if (!str_lower && !(str_lower = PyUnicode_InternFromString("lower")))
        return NULL;
    return PyModule_Create(&module);
}
