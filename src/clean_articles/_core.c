/* clean_articles._core: the per-line loops that run for every line of every page, in C.
 *
 * What would otherwise be a step of Python (or of a regex engine) for each character, word or
 * line of a page: folding a page's lines into their words, hashing folded lines into the keys
 * pages are compared by, telling which lines end like a sentence and where lines start. Each
 * function has a plain-Python definition in tests/test_core.py, which the tests hold it to.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* fold(page, digits, replace, once) -> list[str]                                             */

PyDoc_STRVAR(fold_doc,
"fold(page, digits, replace, once) -> list of str\n\n"
"Each line of `page` (lines joined by \"\\n\") as its words: runs of the characters str.isalnum()\n"
"accepts, joined by single spaces, after a list number at the line's start (one to three\n"
"decimal digits, maybe '.' or ')', then a space) is dropped. With `digits`, each run of decimal\n"
"digits in a word reads \"0\"; a word found in the dict `replace` (or None) is written as its\n"
"value; with `once`, a line whose words are the same words twice over is its first half.");

/* Where the text of the line starting at `i` begins once a list number is dropped. */
static Py_ssize_t
after_number(int kind, const void *data, Py_ssize_t i, Py_ssize_t end)
{
    Py_ssize_t j = i;
    while (j < end && j - i <= 3 && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, j)))
        j++;
    if (j == i || j - i > 3)
        return i;
    if (j < end && (PyUnicode_READ(kind, data, j) == '.' || PyUnicode_READ(kind, data, j) == ')'))
        j++;
    if (j < end && PyUnicode_READ(kind, data, j) != '\n' && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
        return j;
    return i;
}

/* Room for `need` more characters at buf[*used...]; -1 with MemoryError. */
static int
room(Py_UCS4 **buf, Py_ssize_t *size, Py_ssize_t used, Py_ssize_t need)
{
    if (used + need <= *size)
        return 0;
    Py_ssize_t grown = 2 * (used + need);
    Py_UCS4 *more = PyMem_Realloc(*buf, (size_t)grown * sizeof(Py_UCS4));
    if (!more) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = more;
    *size = grown;
    return 0;
}

/* Each line is written as it comes, word after word, into one buffer: a word's text is made a
   str only to be looked up in `replace`, and only when no longer than the longest key there. */
static PyObject *
fold(PyObject *self, PyObject *args)
{
    PyObject *page, *replace, *out = NULL;
    int digits, once;
    if (!PyArg_ParseTuple(args, "UpOp", &page, &digits, &replace, &once))
        return NULL;
    if (replace != Py_None && !PyDict_Check(replace)) {
        PyErr_SetString(PyExc_TypeError, "replace must be a dict or None");
        return NULL;
    }
    Py_ssize_t longest = -1, pos = 0;
    PyObject *k, *v;
    while (replace != Py_None && PyDict_Next(replace, &pos, &k, &v))
        if (PyUnicode_Check(k) && PyUnicode_GET_LENGTH(k) > longest)
            longest = PyUnicode_GET_LENGTH(k);
    int kind = PyUnicode_KIND(page);
    const void *data = PyUnicode_DATA(page);
    Py_ssize_t n = PyUnicode_GET_LENGTH(page), size = n + 16, nwords = 0, cap_words = 16;
    Py_UCS4 *buf = PyMem_New(Py_UCS4, size);
    Py_ssize_t *starts = PyMem_New(Py_ssize_t, cap_words); /* where each word of the line starts in buf */
    out = PyList_New(0);
    if (!buf || !starts || !out) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t used = 0, i = after_number(kind, data, 0, n);
    for (;;) {
        Py_UCS4 c = i < n ? PyUnicode_READ(kind, data, i) : '\n';
        if (c == '\n') { /* the line ends */
            if (once && nwords && nwords % 2 == 0) { /* the same words twice: keep the first half */
                Py_ssize_t half = nwords / 2, end1 = starts[half] - 1;
                int same = end1 - starts[0] == used - starts[half];
                for (Py_ssize_t w = 0; same && w < half; w++) {
                    Py_ssize_t a1 = starts[w], a2 = starts[w + half];
                    Py_ssize_t l1 = (w + 1 < half ? starts[w + 1] - 1 : end1) - a1;
                    Py_ssize_t l2 = (w + half + 1 < nwords ? starts[w + half + 1] - 1 : used) - a2;
                    same = l1 == l2 && memcmp(buf + a1, buf + a2, (size_t)l1 * sizeof(Py_UCS4)) == 0;
                }
                if (same)
                    used = end1;
            }
            PyObject *folded = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, used);
            if (!folded || PyList_Append(out, folded) < 0) {
                Py_XDECREF(folded);
                goto fail;
            }
            Py_DECREF(folded);
            used = nwords = 0;
            if (i >= n)
                break;
            i = after_number(kind, data, i + 1, n);
            continue;
        }
        if (!Py_UNICODE_ISALNUM(c)) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, j)))
            j++;
        if (nwords == cap_words) {
            Py_ssize_t *more = PyMem_Realloc(starts, (size_t)(2 * cap_words) * sizeof(Py_ssize_t));
            if (!more) {
                PyErr_NoMemory();
                goto fail;
            }
            starts = more;
            cap_words *= 2;
        }
        if (room(&buf, &size, used, j - i + 1) < 0)
            goto fail;
        if (nwords)
            buf[used++] = ' ';
        Py_ssize_t a = starts[nwords++] = used;
        for (Py_ssize_t x = i; x < j; x++) { /* each run of decimal digits as "0" when `digits` */
            Py_UCS4 d = PyUnicode_READ(kind, data, x);
            if (!digits || !Py_UNICODE_ISDECIMAL(d))
                buf[used++] = d;
            else if (x == i || !Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, x - 1)))
                buf[used++] = '0';
        }
        if (used - a <= longest) { /* a word `replace` may hold */
            PyObject *w = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf + a, used - a);
            if (!w)
                goto fail;
            PyObject *use = PyDict_GetItemWithError(replace, w);
            Py_DECREF(w);
            if (!use && PyErr_Occurred())
                goto fail;
            if (use) {
                if (!PyUnicode_Check(use)) {
                    PyErr_SetString(PyExc_TypeError, "replace's values must be str");
                    goto fail;
                }
                Py_ssize_t m = PyUnicode_GET_LENGTH(use);
                if (room(&buf, &size, a, m + 1) < 0)
                    goto fail;
                for (Py_ssize_t x = 0; x < m; x++)
                    buf[a + x] = PyUnicode_READ_CHAR(use, x);
                used = a + m;
            }
        }
        i = j;
    }
    PyMem_Free(buf);
    PyMem_Free(starts);
    return out;
fail:
    PyMem_Free(buf);
    PyMem_Free(starts);
    Py_XDECREF(out);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* keys(lines, contexts, near) -> list[tuple[int, ...]]                                       */

/* FNV-1a over the bytes, then splitmix64's finaliser so that every input bit moves every output
 * bit: a stable 64-bit hash, the same in every process, run and machine. */
static uint64_t
fnv_start(void)
{
    return 0xcbf29ce484222325ULL;
}

static uint64_t
fnv_add(uint64_t h, const char *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t
mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

PyDoc_STRVAR(keys_doc,
"keys(lines, contexts, near) -> list of tuple of int\n\n"
"For each line (str) with its context (one byte of the bytes `contexts`): its key, the hash of\n"
"the context byte and the line's UTF-8; and, when the line has at least `near` words (split on\n"
"single spaces), its near key, the hash of the context byte, \"~\" and its first three and last\n"
"three words joined by single spaces. An empty line has no key. The hash is 64-bit FNV-1a with\n"
"splitmix64's finaliser; undecodable bytes (lone surrogates) are hashed as surrogatepass does.");

static PyObject *
keys(PyObject *self, PyObject *args)
{
    PyObject *lines, *out = NULL;
    Py_buffer ctx;
    Py_ssize_t near;
    if (!PyArg_ParseTuple(args, "O!y*n", &PyList_Type, &lines, &ctx, &near))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(lines);
    if (ctx.len != n) {
        PyErr_SetString(PyExc_ValueError, "one context byte per line");
        goto fail;
    }
    out = PyList_New(n);
    if (!out)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i), *encoded = NULL, *t;
        const char *s;
        Py_ssize_t len;
        if (!PyUnicode_Check(line)) {
            PyErr_SetString(PyExc_TypeError, "lines must be str");
            goto fail;
        }
        if (PyUnicode_GET_LENGTH(line) == 0) {
            t = PyTuple_New(0);
            if (!t)
                goto fail;
            PyList_SET_ITEM(out, i, t);
            continue;
        }
        s = PyUnicode_AsUTF8AndSize(line, &len);
        if (!s) {
            PyErr_Clear();
            encoded = PyUnicode_AsEncodedString(line, "utf-8", "surrogatepass");
            if (!encoded)
                goto fail;
            s = PyBytes_AS_STRING(encoded);
            len = PyBytes_GET_SIZE(encoded);
        }
        char c = ((const char *)ctx.buf)[i];
        uint64_t key = mix(fnv_add(fnv_add(fnv_start(), &c, 1), s, len));
        /* words are runs between single spaces: the first three end at the third space (or the
         * line's end), the last three start after the third space from the end (or at 0) */
        Py_ssize_t spaces = 0;
        for (Py_ssize_t j = 0; j < len; j++)
            if (s[j] == ' ')
                spaces++;
        if (near > 0 && spaces + 1 >= near) {
            Py_ssize_t head = len, tail = 0, seen = 0;
            for (Py_ssize_t j = 0; j < len; j++)
                if (s[j] == ' ' && ++seen == 3) {
                    head = j;
                    break;
                }
            seen = 0;
            for (Py_ssize_t j = len - 1; j >= 0; j--)
                if (s[j] == ' ' && ++seen == 3) {
                    tail = j + 1;
                    break;
                }
            uint64_t h = fnv_add(fnv_add(fnv_start(), &c, 1), "~", 1);
            h = fnv_add(h, s, head);
            h = fnv_add(h, " ~ ", 3);
            h = mix(fnv_add(h, s + tail, len - tail));
            t = Py_BuildValue("(KK)", (unsigned long long)key, (unsigned long long)h);
        }
        else
            t = Py_BuildValue("(K)", (unsigned long long)key);
        Py_XDECREF(encoded);
        if (!t)
            goto fail;
        PyList_SET_ITEM(out, i, t);
    }
    PyBuffer_Release(&ctx);
    return out;
fail:
    PyBuffer_Release(&ctx);
    Py_XDECREF(out);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* sentence_ends(lines, closed, closers, stops) -> list[bool]                                 */

PyDoc_STRVAR(sentence_ends_doc,
"sentence_ends(lines, closed, closers, stops) -> list of bool\n\n"
"For each str of `lines`: whether it ends with a character of `closed`, or, once the characters\n"
"of `closers` at its end are taken off, with a character of `stops`.");

static int
has(PyObject *set, Py_UCS4 c)
{
    return PyUnicode_FindChar(set, c, 0, PyUnicode_GET_LENGTH(set), 1) >= 0;
}

static PyObject *
sentence_ends(PyObject *self, PyObject *args)
{
    PyObject *lines, *closed, *closers, *stops;
    if (!PyArg_ParseTuple(args, "O!UUU", &PyList_Type, &lines, &closed, &closers, &stops))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(lines);
    PyObject *out = PyList_New(n);
    if (!out)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *line = PyList_GET_ITEM(lines, i);
        if (!PyUnicode_Check(line)) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_TypeError, "sentence_ends() takes a list of str");
            return NULL;
        }
        int kind = PyUnicode_KIND(line);
        const void *data = PyUnicode_DATA(line);
        Py_ssize_t j = PyUnicode_GET_LENGTH(line) - 1;
        int ends = 0;
        if (j >= 0 && has(closed, PyUnicode_READ(kind, data, j)))
            ends = 1;
        else {
            while (j >= 0 && has(closers, PyUnicode_READ(kind, data, j)))
                j--;
            ends = j >= 0 && has(stops, PyUnicode_READ(kind, data, j));
        }
        PyObject *b = ends ? Py_True : Py_False;
        Py_INCREF(b);
        PyList_SET_ITEM(out, i, b);
    }
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* line_starts(data) -> list[int]                                                             */

PyDoc_STRVAR(line_starts_doc,
"line_starts(data) -> list of int\n\n"
"Where each line of the bytes `data` (lines joined by b\"\\n\") starts: 0, and one past each\n"
"b\"\\n\".");

static PyObject *
line_starts(PyObject *self, PyObject *args)
{
    Py_buffer data;
    if (!PyArg_ParseTuple(args, "y*", &data))
        return NULL;
    const char *at = data.buf, *end = at + data.len;
    PyObject *out = PyList_New(0), *start = out ? PyLong_FromLong(0) : NULL;
    while (start) {
        int failed = PyList_Append(out, start);
        Py_DECREF(start);
        start = NULL;
        if (failed)
            break;
        const char *nl = at < end ? memchr(at, '\n', (size_t)(end - at)) : NULL;
        if (!nl) {
            PyBuffer_Release(&data);
            return out;
        }
        at = nl + 1;
        start = PyLong_FromSsize_t(at - (const char *)data.buf);
    }
    PyBuffer_Release(&data);
    Py_XDECREF(out);
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */

static PyMethodDef methods[] = {
    {"fold", fold, METH_VARARGS, fold_doc},
    {"keys", keys, METH_VARARGS, keys_doc},
    {"sentence_ends", sentence_ends, METH_VARARGS, sentence_ends_doc},
    {"line_starts", line_starts, METH_VARARGS, line_starts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_core",
    "The per-line loops of clean_articles, in C (see _core.c).", -1, methods,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    return PyModule_Create(&module);
}
