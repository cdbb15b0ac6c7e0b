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

/* Whether the n words of `line` are the same n/2 words twice (n even and above 0); -1 on error. */
static int
doubled(PyObject *line)
{
    Py_ssize_t n = PyList_GET_SIZE(line);
    if (n == 0 || n % 2)
        return 0;
    for (Py_ssize_t k = 0; k < n / 2; k++) {
        int same = PyUnicode_Compare(PyList_GET_ITEM(line, k), PyList_GET_ITEM(line, k + n / 2));
        if (same == -1 && PyErr_Occurred())
            return -1;
        if (same)
            return 0;
    }
    return 1;
}

/* The word page[a:b], each run of decimal digits as "0" when `digits`. */
static PyObject *
word(PyObject *page, int kind, const void *data, Py_ssize_t a, Py_ssize_t b, int digits, Py_UCS4 *buf)
{
    int any = 0;
    for (Py_ssize_t i = a; digits && i < b && !any; i++)
        any = Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i));
    if (!any)
        return PyUnicode_Substring(page, a, b);
    Py_ssize_t n = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (!Py_UNICODE_ISDECIMAL(c))
            buf[n++] = c;
        else if (i == a || !Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i - 1)))
            buf[n++] = '0';
    }
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, n);
}

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

static PyObject *
fold(PyObject *self, PyObject *args)
{
    PyObject *page, *replace, *space = NULL, *out = NULL, *line = NULL;
    int digits, once;
    Py_UCS4 *buf = NULL;
    if (!PyArg_ParseTuple(args, "UpOp", &page, &digits, &replace, &once))
        return NULL;
    if (replace != Py_None && !PyDict_Check(replace)) {
        PyErr_SetString(PyExc_TypeError, "replace must be a dict or None");
        return NULL;
    }
    int kind = PyUnicode_KIND(page);
    const void *data = PyUnicode_DATA(page);
    Py_ssize_t n = PyUnicode_GET_LENGTH(page);
    space = PyUnicode_FromString(" ");
    out = PyList_New(0);
    line = PyList_New(0);
    buf = PyMem_New(Py_UCS4, n + 1);
    if (!space || !out || !line || !buf)
        goto fail;
    Py_ssize_t i = after_number(kind, data, 0, n);
    for (;;) {
        Py_UCS4 c = i < n ? PyUnicode_READ(kind, data, i) : '\n';
        if (c == '\n') { /* the line ends: join its words */
            int twice = once ? doubled(line) : 0;
            if (twice < 0 || (twice && PyList_SetSlice(line, PyList_GET_SIZE(line) / 2, PyList_GET_SIZE(line), NULL) < 0))
                goto fail;
            PyObject *joined = PyUnicode_Join(space, line);
            if (!joined || PyList_Append(out, joined) < 0) {
                Py_XDECREF(joined);
                goto fail;
            }
            Py_DECREF(joined);
            if (PyList_SetSlice(line, 0, PyList_GET_SIZE(line), NULL) < 0)
                goto fail;
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
        PyObject *w = word(page, kind, data, i, j, digits, buf);
        if (!w)
            goto fail;
        PyObject *use = w;
        if (replace != Py_None) {
            use = PyDict_GetItemWithError(replace, w);
            if (!use && PyErr_Occurred()) {
                Py_DECREF(w);
                goto fail;
            }
            use = use ? use : w;
        }
        int failed = PyList_Append(line, use) < 0;
        Py_DECREF(w);
        if (failed)
            goto fail;
        i = j;
    }
    PyMem_Free(buf);
    Py_DECREF(space);
    Py_DECREF(line);
    return out;
fail:
    PyMem_Free(buf);
    Py_XDECREF(space);
    Py_XDECREF(out);
    Py_XDECREF(line);
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
