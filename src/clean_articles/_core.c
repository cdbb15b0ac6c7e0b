/* clean_articles._core: the per-line loops that run for every line of every page, in C.
 *
 * Python decides what a word is (the `regex` module's \w, in text.py); this module only does
 * what would otherwise be a step of Python per word or per line: joining a page's words back
 * into folded lines, and hashing folded lines into the keys pages are compared by. Each
 * function has a plain-Python definition in tests/test_core.py, which the tests hold it to.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* join_lines(words, replace) -> list[str]                                                    */

PyDoc_STRVAR(join_lines_doc,
"join_lines(words, replace) -> list of str\n\n"
"The lines a page's words make: `words` is a list of words where \"\\n\" ends a line (the last\n"
"line needs none); each line is its words joined by single spaces, a word found in the dict\n"
"`replace` (or None) written as its value.");

static PyObject *
join_lines(PyObject *self, PyObject *args)
{
    PyObject *words, *replace, *space = NULL, *newline = NULL, *out = NULL, *line = NULL;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &words, &replace))
        return NULL;
    if (replace != Py_None && !PyDict_Check(replace)) {
        PyErr_SetString(PyExc_TypeError, "replace must be a dict or None");
        return NULL;
    }
    space = PyUnicode_FromString(" ");
    newline = PyUnicode_FromString("\n");
    out = PyList_New(0);
    line = PyList_New(0);
    if (!space || !newline || !out || !line)
        goto fail;
    Py_ssize_t n = PyList_GET_SIZE(words);
    for (Py_ssize_t k = 0; k <= n; k++) {
        PyObject *w = k < n ? PyList_GET_ITEM(words, k) : newline;
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "words must be str");
            goto fail;
        }
        if (k == n || (PyUnicode_GET_LENGTH(w) == 1 && PyUnicode_READ_CHAR(w, 0) == '\n')) {
            PyObject *joined = PyUnicode_Join(space, line);
            if (!joined || PyList_Append(out, joined) < 0) {
                Py_XDECREF(joined);
                goto fail;
            }
            Py_DECREF(joined);
            if (PyList_SetSlice(line, 0, PyList_GET_SIZE(line), NULL) < 0)
                goto fail;
            continue;
        }
        PyObject *use = w;
        if (replace != Py_None) {
            PyObject *r = PyDict_GetItemWithError(replace, w);
            if (r)
                use = r;
            else if (PyErr_Occurred())
                goto fail;
        }
        if (PyList_Append(line, use) < 0)
            goto fail;
    }
    Py_DECREF(space);
    Py_DECREF(newline);
    Py_DECREF(line);
    return out;
fail:
    Py_XDECREF(space);
    Py_XDECREF(newline);
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

static PyMethodDef methods[] = {
    {"join_lines", join_lines, METH_VARARGS, join_lines_doc},
    {"keys", keys, METH_VARARGS, keys_doc},
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
