/* jieba's part-of-speech HMM (jieba.posseg.viterbi.viterbi), compiled.

   An optional accelerator of pipeline.link.postag: jieba's own `viterbi` stays the
   reference, and tests/test_link.py checks that both give the same route and score on a
   table and on random text. The states are numbered in Python's order of their tuples,
   so a tie between two scores goes to the larger state as jieba's max over (score, state)
   tuples does; the sums are jieba's, in its order, in IEEE doubles (hatch_build.py
   compiles with -ffp-contract=off). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* The states a character may take: its entry of char_states (uint16 state numbers), else
   every state. Returns the count, or -1 with an exception set. */
static Py_ssize_t
states_of(PyObject *char_states, PyObject *ch, Py_ssize_t n_states, unsigned char *mask)
{
    PyObject *entry = PyDict_GetItemWithError(char_states, ch);
    memset(mask, 0, (size_t)n_states);
    if (entry == NULL) {
        if (PyErr_Occurred())
            return -1;
        memset(mask, 1, (size_t)n_states);
        return n_states;
    }
    if (!PyBytes_Check(entry)) {
        PyErr_SetString(PyExc_TypeError, "char_states values must be bytes");
        return -1;
    }
    const unsigned short *ids = (const unsigned short *)PyBytes_AS_STRING(entry);
    Py_ssize_t k = PyBytes_GET_SIZE(entry) / (Py_ssize_t)sizeof(unsigned short), count = 0;
    for (Py_ssize_t i = 0; i < k; i++) {
        if (ids[i] >= n_states) {
            PyErr_SetString(PyExc_ValueError, "state number out of range");
            return -1;
        }
        if (!mask[ids[i]]) {
            mask[ids[i]] = 1;
            count++;
        }
    }
    return count;
}

/* emit[y].get(ch, min_float); 0 or -1 with an exception set. */
static int
emission(PyObject *emit, Py_ssize_t y, PyObject *ch, double min_float, double *out)
{
    PyObject *table = PyList_GET_ITEM(emit, y);
    PyObject *value = PyDict_GetItemWithError(table, ch);
    if (value == NULL) {
        if (PyErr_Occurred())
            return -1;
        *out = min_float;
        return 0;
    }
    *out = PyFloat_AsDouble(value);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* viterbi(obs, start, trans, present, char_states, emit, min_float) -> (prob, route)

   start: N doubles; trans: N*N doubles (row: from-state), its missing entries -inf;
   present: N*N bytes, 1 where trans_p[from] holds `to`; char_states: str -> uint16 state
   numbers; emit: N dicts str -> float. route: a state number per character. */
static PyObject *
viterbi(PyObject *self, PyObject *args)
{
    PyObject *obs, *char_states, *emit;
    Py_buffer start, trans, present;
    double min_float;
    if (!PyArg_ParseTuple(args, "Uy*y*y*O!O!d", &obs, &start, &trans, &present, &PyDict_Type, &char_states,
                          &PyList_Type, &emit, &min_float))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t N = PyList_GET_SIZE(emit), n = PyUnicode_GET_LENGTH(obs);
    double *V = NULL, *W = NULL;
    unsigned short *back = NULL;
    unsigned char *alive = NULL, *next = NULL, *cand = NULL, *has_out = NULL;
    Py_ssize_t *prev = NULL;
    if (start.len != N * (Py_ssize_t)sizeof(double) || trans.len != N * N * (Py_ssize_t)sizeof(double)
        || present.len != N * N || N == 0 || N > 65535) {
        PyErr_SetString(PyExc_ValueError, "tables of mismatched sizes");
        goto done;
    }
    if (n == 0) {
        PyErr_SetString(PyExc_IndexError, "string index out of range");  /* jieba's obs[0] */
        goto done;
    }
    const double *S = start.buf, *T = trans.buf;
    const unsigned char *P = present.buf;
    V = PyMem_Malloc((size_t)N * sizeof(double));
    W = PyMem_Malloc((size_t)N * sizeof(double));
    back = PyMem_Malloc((size_t)n * (size_t)N * sizeof(unsigned short));
    alive = PyMem_Malloc((size_t)N);
    next = PyMem_Malloc((size_t)N);
    cand = PyMem_Malloc((size_t)N);
    has_out = PyMem_Malloc((size_t)N);
    prev = PyMem_Malloc((size_t)N * sizeof(Py_ssize_t));
    if (!V || !W || !back || !alive || !next || !cand || !has_out || !prev) {
        PyErr_NoMemory();
        goto done;
    }
    memset(has_out, 2, (size_t)N);  /* 2: not looked at yet (most states are never alive) */
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *ch = PyUnicode_Substring(obs, t, t + 1);
        if (ch == NULL)
            goto done;
        if (states_of(char_states, ch, N, cand) < 0) {
            Py_DECREF(ch);
            goto done;
        }
        if (t == 0) {
            for (Py_ssize_t y = 0; y < N; y++) {
                alive[y] = cand[y];
                if (cand[y]) {
                    double e;
                    if (emission(emit, y, ch, min_float, &e) < 0) {
                        Py_DECREF(ch);
                        goto done;
                    }
                    V[y] = S[y] + e;
                }
            }
            Py_DECREF(ch);
            continue;
        }
        /* prev_states: alive with a transition out; their successors; the states to score. */
        int any_next = 0, any_obs = 0;
        Py_ssize_t n_prev = 0;
        memset(next, 0, (size_t)N);
        for (Py_ssize_t x = 0; x < N; x++) {
            if (!alive[x])
                continue;
            if (has_out[x] == 2) {
                has_out[x] = 0;
                for (Py_ssize_t y = 0; y < N && !has_out[x]; y++)
                    has_out[x] = P[x * N + y];
            }
            if (!has_out[x])
                continue;
            prev[n_prev++] = x;  /* in increasing order */
            for (Py_ssize_t y = 0; y < N; y++)
                next[y] |= P[x * N + y];
        }
        for (Py_ssize_t y = 0; y < N; y++) {
            any_next |= next[y];
            cand[y] = cand[y] && next[y];
            any_obs |= cand[y];
        }
        if (!any_obs) {
            if (any_next)
                memcpy(cand, next, (size_t)N);
            else
                memset(cand, 1, (size_t)N);
        }
        if (n_prev == 0) {
            Py_DECREF(ch);
            PyErr_SetString(PyExc_ValueError, "max() arg is an empty sequence");  /* jieba's max */
            goto done;
        }
        for (Py_ssize_t y = 0; y < N; y++) {
            if (!cand[y])
                continue;
            double e;
            if (emission(emit, y, ch, min_float, &e) < 0) {
                Py_DECREF(ch);
                goto done;
            }
            double best = 0.0;
            Py_ssize_t best_x = -1;
            for (Py_ssize_t k = 0; k < n_prev; k++) {
                Py_ssize_t x = prev[k];
                double s = V[x] + T[x * N + y] + e;
                /* max over (score, state): a tie goes to the larger state (numbered in order) */
                if (best_x < 0 || s > best || (s == best && x > best_x)) {
                    best = s;
                    best_x = x;
                }
            }
            W[y] = best;
            back[t * N + y] = (unsigned short)best_x;
        }
        Py_DECREF(ch);
        memcpy(alive, cand, (size_t)N);
        double *swap = V;
        V = W;
        W = swap;
    }
    double prob = 0.0;
    Py_ssize_t state = -1;
    for (Py_ssize_t y = 0; y < N; y++) {
        if (alive[y] && (state < 0 || V[y] > prob || (V[y] == prob && y > state))) {
            prob = V[y];
            state = y;
        }
    }
    PyObject *route = PyList_New(n);
    if (route == NULL)
        goto done;
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        PyObject *number = PyLong_FromSsize_t(state);
        if (number == NULL) {
            Py_DECREF(route);
            goto done;
        }
        PyList_SET_ITEM(route, i, number);
        if (i > 0)
            state = back[i * N + state];
    }
    result = Py_BuildValue("(dN)", prob, route);
done:
    PyMem_Free(V);
    PyMem_Free(W);
    PyMem_Free(back);
    PyMem_Free(alive);
    PyMem_Free(next);
    PyMem_Free(cand);
    PyMem_Free(has_out);
    PyMem_Free(prev);
    PyBuffer_Release(&start);
    PyBuffer_Release(&trans);
    PyBuffer_Release(&present);
    return result;
}

static PyMethodDef methods[] = {
    {"viterbi", viterbi, METH_VARARGS, "jieba.posseg's viterbi over numbered states: (prob, route of state numbers)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_viterbi", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__viterbi(void)
{
    return PyModule_Create(&module);
}
