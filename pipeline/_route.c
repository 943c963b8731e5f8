/* jieba's best-route search over a run of Han characters, compiled.

   An optional accelerator of pipeline.segment.RouteTokenizer: the pure-Python
   `best_ends` there is the reference, and tests/test_segment.py checks that both give
   the same words on every article and on random text. The arithmetic is jieba's
   (math.log of the same numbers, the same order of the sums, IEEE doubles, no fused
   multiply-add: hatch_build.py compiles with -ffp-contract=off) and so is the tie-break
   (of two routes with the same score, the longer word wins). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

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
parse_run(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t want, PyObject **run,
          PyObject **freq, double *log_total)
{
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "expected %zd arguments, got %zd", want, nargs);
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
    if (parse_run(args, nargs, 3, &run, &freq, &log_total) < 0)
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

/* Append to `out` the characters [start, end) of `run` that the route took one by one,
   as jieba's __cut_DAG does: one character as it is; an unknown run through `hmm`
   (jieba.finalseg.cut); a dictionary word's characters apart. */
static int
add_singles(PyObject *out, PyObject *run, Py_ssize_t start, Py_ssize_t end, PyObject *freq,
            PyObject *hmm)
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
        PyObject *words = PyObject_CallOneArg(hmm, chars);
        if (words == NULL)
            goto done;
        PyObject *list = PySequence_List(words);
        Py_DECREF(words);
        if (list == NULL)
            goto done;
        Py_ssize_t size = PyList_GET_SIZE(out);
        rc = PyList_SetSlice(out, size, size, list);
        Py_DECREF(list);
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
"cut_run(run, freq, log_total, hmm) -> list[str]\n\n"
"The words of a run of Han characters as jieba's __cut_DAG gives them with HMM=True;\n"
"`hmm` is called on each unknown run of single characters (jieba.finalseg.cut).");

static PyObject *
cut_run(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *run, *freq;
    double log_total;
    if (parse_run(args, nargs, 4, &run, &freq, &log_total) < 0)
        return NULL;
    PyObject *hmm = args[3];
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
            if (add_singles(out, run, single, start, freq, hmm) < 0)
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
    if (single >= 0 && add_singles(out, run, single, n, freq, hmm) < 0)
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
