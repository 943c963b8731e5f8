/* jieba's best-route search over a run of Han characters, and the HMM of its unknown
   runs (jieba.finalseg), compiled.

   An optional accelerator of pipeline.segment.RouteTokenizer: the pure-Python
   `best_ends` there is the reference, and tests/test_segment.py checks that both give
   the same words on every article and on random text. The arithmetic is jieba's
   (math.log of the same numbers, the same order of the sums, IEEE doubles, no fused
   multiply-add: hatch_build.py compiles with -ffp-contract=off) and so is the tie-break
   (of two routes with the same score, the longer word wins); the HMM's too (below). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

/* The count of `value` as math.log sees it: an int through PyLong_AsDouble, anything
   else through __float__. -1.0 with an exception set on error. */
static double
count_of(PyObject *value)
{
    if (PyLong_Check(value))
        return PyLong_AsDouble(value);
    return PyFloat_AsDouble(value);
}

/* Fill ends[0..n) for `run`: where the word the best route takes at each position ends.
   Returns 0, or -1 with an exception set. */
static int
fill_ends(PyObject *run, PyObject *freq, double log_total, Py_ssize_t *ends)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(run);
    double *score = PyMem_Malloc((size_t)(n + 1) * sizeof(double));
    if (score == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    score[n] = 0.0;
    for (Py_ssize_t start = n - 1; start >= 0; start--) {
        int found = 0;
        double best = 0.0;
        Py_ssize_t best_end = start + 1;
        for (Py_ssize_t end = start + 1; end <= n; end++) {
            PyObject *word = PyUnicode_Substring(run, start, end);
            if (word == NULL)
                goto fail;
            /* FREQ also holds every word's prefixes, with frequency 0 */
            PyObject *value = PyDict_GetItemWithError(freq, word);
            Py_DECREF(word);
            if (value == NULL) {
                if (PyErr_Occurred())
                    goto fail;
                break;
            }
            int nonzero = PyObject_IsTrue(value);
            if (nonzero < 0)
                goto fail;
            if (nonzero) {
                double count = count_of(value);
                if (count == -1.0 && PyErr_Occurred())
                    goto fail;
                if (!(count > 0.0)) {
                    PyErr_SetString(PyExc_ValueError, "math domain error");
                    goto fail;
                }
                double s = log(count) - log_total + score[end];
                if (!found || s >= best) {
                    found = 1;
                    best = s;
                    best_end = end;
                }
            }
        }
        if (!found) /* no dictionary word starts here: one character, frequency 1 */
            best = log(1.0) - log_total + score[start + 1];
        score[start] = best;
        ends[start] = best_end;
    }
    PyMem_Free(score);
    return 0;
fail:
    PyMem_Free(score);
    return -1;
}

/* ends[] of `run` (fill_ends) in a new array for PyMem_Free, or NULL with an exception. */
static Py_ssize_t *
route_ends(PyObject *run, PyObject *freq, double log_total)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(run);
    Py_ssize_t *ends = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    if (ends == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (fill_ends(run, freq, log_total, ends) < 0) {
        PyMem_Free(ends);
        return NULL;
    }
    return ends;
}

static int
parse_run(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t least, Py_ssize_t most, PyObject **run,
          PyObject **freq, double *log_total)
{
    if (nargs < least || nargs > most) {
        PyErr_Format(PyExc_TypeError, "expected %zd to %zd arguments, got %zd", least, most, nargs);
        return -1;
    }
    if (!PyUnicode_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "expected (str, dict, float, ...)");
        return -1;
    }
    *run = args[0];
    *freq = args[1];
    *log_total = PyFloat_AsDouble(args[2]);
    if (*log_total == -1.0 && PyErr_Occurred())
        return -1;
    return 0;
}

PyDoc_STRVAR(best_ends_doc,
"best_ends(run, freq, log_total) -> list[int]\n\n"
"For each position of `run`, where the word the best route takes there ends.");

static PyObject *
best_ends(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *run, *freq;
    double log_total;
    if (parse_run(args, nargs, 3, 3, &run, &freq, &log_total) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(run);
    Py_ssize_t *ends = route_ends(run, freq, log_total);
    if (ends == NULL)
        return NULL;
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out != NULL && i < n; i++) {
        PyObject *end = PyLong_FromSsize_t(ends[i]);
        if (end == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, end);
    }
    PyMem_Free(ends);
    return out;
}

/* jieba.finalseg's HMM (its `cut` on a run of characters the route took one by one and
   no dictionary word covers), compiled for runs of Han characters: the four states
   B M E S, the tables read from the module `finalseg` on each call, jieba's sums in its
   order ((V + trans) + emit) and its tie-break (`max` over (score, state) pairs: of
   equal scores the later letter wins). Any other run, or tables that are not jieba's
   dicts of floats, go to `finalseg.cut` itself. */

enum { B, M, E, S, NSTATES };
static const char STATE_LETTER[NSTATES] = {'B', 'M', 'E', 'S'};
static const char *const STATE_NAME[NSTATES] = {"B", "M", "E", "S"};
/* jieba's PrevStatus: the states each state may follow */
static const int PREV[NSTATES][2] = {{E, S}, {M, B}, {B, M}, {S, E}};

/* `table[key]` into *out when it is a float: 1; 0 when absent; -1 otherwise (error or
   another type: the caller falls back to Python). */
static int
float_item(PyObject *table, const char *key, double *out)
{
    PyObject *value = PyDict_GetItemString(table, key);
    if (value == NULL)
        return 0;
    if (!PyFloat_CheckExact(value))
        return -1;
    *out = PyFloat_AS_DOUBLE(value);
    return 1;
}

struct hmm_model {
    double min_float;
    double start[NSTATES];
    double trans[NSTATES][NSTATES];
    PyObject *emit[NSTATES]; /* borrowed from finalseg.emit_P */
    PyObject *force_split;   /* finalseg.Force_Split_Words, a new reference */
    PyObject *tables[3];     /* start_P, trans_P, emit_P: keep `emit` alive */
};

static void
release_model(struct hmm_model *model)
{
    for (int i = 0; i < 3; i++)
        Py_CLEAR(model->tables[i]);
    Py_CLEAR(model->force_split);
}

/* Read jieba's tables from `finalseg`: 0, or -1 when they are not what jieba ships (no
   exception left set: the caller falls back to Python, which raises if it must). */
static int
read_model(PyObject *finalseg, struct hmm_model *model)
{
    static const char *const names[3] = {"start_P", "trans_P", "emit_P"};
    memset(model, 0, sizeof *model);
    for (int i = 0; i < 3; i++) {
        model->tables[i] = PyObject_GetAttrString(finalseg, names[i]);
        if (model->tables[i] == NULL || !PyDict_Check(model->tables[i]))
            goto fail;
    }
    PyObject *minimum = PyObject_GetAttrString(finalseg, "MIN_FLOAT");
    if (minimum == NULL)
        goto fail;
    int is_float = PyFloat_CheckExact(minimum);
    model->min_float = is_float ? PyFloat_AS_DOUBLE(minimum) : 0.0;
    Py_DECREF(minimum);
    if (!is_float)
        goto fail;
    model->force_split = PyObject_GetAttrString(finalseg, "Force_Split_Words");
    if (model->force_split == NULL || !PyAnySet_Check(model->force_split))
        goto fail;
    for (int y = 0; y < NSTATES; y++) {
        if (float_item(model->tables[0], STATE_NAME[y], &model->start[y]) != 1)
            goto fail;
        PyObject *row = PyDict_GetItemString(model->tables[1], STATE_NAME[y]);
        if (row == NULL || !PyDict_Check(row))
            goto fail;
        for (int to = 0; to < NSTATES; to++) {
            model->trans[y][to] = model->min_float; /* trans_p[y0].get(y, MIN_FLOAT) */
            if (float_item(row, STATE_NAME[to], &model->trans[y][to]) < 0)
                goto fail;
        }
        model->emit[y] = PyDict_GetItemString(model->tables[2], STATE_NAME[y]);
        if (model->emit[y] == NULL || !PyDict_Check(model->emit[y]))
            goto fail;
    }
    return 0;
fail:
    PyErr_Clear();
    release_model(model);
    return -1;
}

static int
is_han_run(PyObject *chars)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(chars);
    int kind = PyUnicode_KIND(chars);
    const void *data = PyUnicode_DATA(chars);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x4E00 || c > 0x9FD5) /* outside finalseg's re_han */
            return 0;
    }
    return n > 0;
}

/* Append `word` to `out`, or its characters one by one when it is a Force_Split_Words
   member (as finalseg.cut does). */
static int
add_hmm_word(PyObject *out, PyObject *chars, Py_ssize_t start, Py_ssize_t end, PyObject *force_split)
{
    PyObject *word = PyUnicode_Substring(chars, start, end);
    if (word == NULL)
        return -1;
    int split = PySet_GET_SIZE(force_split) ? PySet_Contains(force_split, word) : 0;
    int rc = split < 0 ? -1 : 0;
    if (split == 0)
        rc = PyList_Append(out, word);
    for (Py_ssize_t i = start; split == 1 && rc == 0 && i < end; i++) {
        PyObject *c = PyUnicode_Substring(chars, i, i + 1);
        rc = c == NULL ? -1 : PyList_Append(out, c);
        Py_XDECREF(c);
    }
    Py_DECREF(word);
    return rc;
}

/* The words of a run of Han characters by the model (finalseg's viterbi and __cut),
   appended to `out`: 0, or -1 with an exception set. */
static int
viterbi_words(PyObject *out, PyObject *chars, const struct hmm_model *model)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(chars);
    double (*score)[NSTATES] = PyMem_Malloc((size_t)n * sizeof *score);
    unsigned char (*back)[NSTATES] = PyMem_Malloc((size_t)n * sizeof *back);
    unsigned char *pos = PyMem_Malloc((size_t)n);
    int rc = -1;
    if (score == NULL || back == NULL || pos == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *c = PyUnicode_Substring(chars, t, t + 1);
        if (c == NULL)
            goto done;
        double em[NSTATES];
        for (int y = 0; y < NSTATES; y++) {
            em[y] = model->min_float; /* emit_p[y].get(obs[t], MIN_FLOAT) */
            PyObject *value = PyDict_GetItemWithError(model->emit[y], c);
            if (value == NULL && PyErr_Occurred()) {
                Py_DECREF(c);
                goto done;
            }
            if (value != NULL) {
                em[y] = PyFloat_AsDouble(value);
                if (em[y] == -1.0 && PyErr_Occurred()) {
                    Py_DECREF(c);
                    goto done;
                }
            }
        }
        Py_DECREF(c);
        for (int y = 0; y < NSTATES; y++) {
            if (t == 0) {
                score[0][y] = model->start[y] + em[y];
                continue;
            }
            int best = -1;
            double best_score = 0.0;
            for (int k = 0; k < 2; k++) {
                int y0 = PREV[y][k];
                double s = score[t - 1][y0] + model->trans[y0][y] + em[y];
                if (best < 0 || s > best_score || (s == best_score && STATE_LETTER[y0] > STATE_LETTER[best])) {
                    best = y0;
                    best_score = s;
                }
            }
            score[t][y] = best_score;
            back[t][y] = (unsigned char)best;
        }
    }
    /* max((V[n - 1][y], y) for y in 'ES'): S on a tie */
    int state = score[n - 1][E] > score[n - 1][S] ? E : S;
    for (Py_ssize_t t = n - 1; t >= 0; t--) {
        pos[t] = (unsigned char)state;
        if (t > 0)
            state = back[t][state];
    }
    Py_ssize_t begin = 0, next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (pos[i] == B) {
            begin = i;
        }
        else if (pos[i] == E || pos[i] == S) {
            if (add_hmm_word(out, chars, pos[i] == E ? begin : i, i + 1, model->force_split) < 0)
                goto done;
            next = i + 1;
        }
    }
    if (next < n && add_hmm_word(out, chars, next, n, model->force_split) < 0)
        goto done;
    rc = 0;
done:
    PyMem_Free(score);
    PyMem_Free(back);
    PyMem_Free(pos);
    return rc;
}

/* Append finalseg.cut(chars) to `out`: compiled for a run of Han characters with
   jieba's tables, else by calling `hmm` (finalseg.cut). */
static int
add_hmm(PyObject *out, PyObject *chars, PyObject *hmm, PyObject *finalseg)
{
    struct hmm_model model;
    if (finalseg != NULL && is_han_run(chars) && read_model(finalseg, &model) == 0) {
        int rc = viterbi_words(out, chars, &model);
        release_model(&model);
        return rc;
    }
    PyObject *words = PyObject_CallOneArg(hmm, chars);
    if (words == NULL)
        return -1;
    PyObject *list = PySequence_List(words);
    Py_DECREF(words);
    if (list == NULL)
        return -1;
    Py_ssize_t size = PyList_GET_SIZE(out);
    int rc = PyList_SetSlice(out, size, size, list);
    Py_DECREF(list);
    return rc;
}

/* Append to `out` the characters [start, end) of `run` that the route took one by one,
   as jieba's __cut_DAG does: one character as it is; an unknown run through `hmm`
   (jieba.finalseg.cut); a dictionary word's characters apart. */
static int
add_singles(PyObject *out, PyObject *run, Py_ssize_t start, Py_ssize_t end, PyObject *freq,
            PyObject *hmm, PyObject *finalseg)
{
    PyObject *chars = PyUnicode_Substring(run, start, end);
    if (chars == NULL)
        return -1;
    int rc = -1;
    if (end - start == 1) {
        rc = PyList_Append(out, chars);
        goto done;
    }
    PyObject *value = PyDict_GetItemWithError(freq, chars);
    if (value == NULL && PyErr_Occurred())
        goto done;
    int known = value == NULL ? 0 : PyObject_IsTrue(value);
    if (known < 0)
        goto done;
    if (!known) {
        rc = add_hmm(out, chars, hmm, finalseg);
        goto done;
    }
    for (Py_ssize_t i = start; i < end; i++) {
        PyObject *c = PyUnicode_Substring(run, i, i + 1);
        if (c == NULL || PyList_Append(out, c) < 0) {
            Py_XDECREF(c);
            goto done;
        }
        Py_DECREF(c);
    }
    rc = 0;
done:
    Py_DECREF(chars);
    return rc;
}

PyDoc_STRVAR(cut_run_doc,
"cut_run(run, freq, log_total, hmm, finalseg=None) -> list[str]\n\n"
"The words of a run of Han characters as jieba's __cut_DAG gives them with HMM=True;\n"
"each unknown run of single characters goes to `hmm` (jieba.finalseg.cut), or with the\n"
"module `finalseg` (jieba.finalseg) to its model compiled when the run is all Han.");

PyDoc_STRVAR(hmm_cut_doc,
"hmm_cut(chars, hmm, finalseg) -> list[str]\n\n"
"`list(hmm(chars))` for jieba.finalseg.cut: compiled with the model of the module\n"
"`finalseg` when `chars` are all Han characters, else by calling `hmm`.");

static PyObject *
hmm_cut(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "expected (str, callable, module)");
        return NULL;
    }
    PyObject *out = PyList_New(0);
    if (out != NULL && add_hmm(out, args[0], args[1], args[2]) < 0)
        Py_CLEAR(out);
    return out;
}

static PyObject *
cut_run(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *run, *freq;
    double log_total;
    if (parse_run(args, nargs, 4, 5, &run, &freq, &log_total) < 0)
        return NULL;
    PyObject *hmm = args[3];
    PyObject *finalseg = nargs == 5 && args[4] != Py_None ? args[4] : NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(run);
    Py_ssize_t *ends = route_ends(run, freq, log_total);
    if (ends == NULL)
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto done;
    Py_ssize_t single = -1; /* start of the pending run of single characters */
    for (Py_ssize_t start = 0; start < n; start = ends[start]) {
        Py_ssize_t end = ends[start];
        if (end - start == 1) {
            if (single < 0)
                single = start;
            continue;
        }
        if (single >= 0) {
            if (add_singles(out, run, single, start, freq, hmm, finalseg) < 0)
                goto fail;
            single = -1;
        }
        PyObject *word = PyUnicode_Substring(run, start, end);
        if (word == NULL || PyList_Append(out, word) < 0) {
            Py_XDECREF(word);
            goto fail;
        }
        Py_DECREF(word);
    }
    if (single >= 0 && add_singles(out, run, single, n, freq, hmm, finalseg) < 0)
        goto fail;
    goto done;
fail:
    Py_CLEAR(out);
done:
    PyMem_Free(ends);
    return out;
}

static PyMethodDef route_methods[] = {
    {"best_ends", (PyCFunction)(void (*)(void))best_ends, METH_FASTCALL, best_ends_doc},
    {"cut_run", (PyCFunction)(void (*)(void))cut_run, METH_FASTCALL, cut_run_doc},
    {"hmm_cut", (PyCFunction)(void (*)(void))hmm_cut, METH_FASTCALL, hmm_cut_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef route_module = {
    PyModuleDef_HEAD_INIT, "_route",
    "jieba's best-route search, compiled (optional; pipeline.segment falls back to Python).",
    -1, route_methods,
};

PyMODINIT_FUNC
PyInit__route(void)
{
    return PyModule_Create(&route_module);
}
