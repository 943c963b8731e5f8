/* The organisation CRF's tagging (pipeline/extract/org_crf.py), compiled: the features
   of each character straight as attribute ids, their state scores and crfsuite's
   Viterbi decoding, from the model's weights (org_crf.model_weights).

   An optional accelerator of org_crf.CharCRF: `features(known=...)` and
   `pycrfsuite.Tagger.tag` are the reference, and tests/test_org_crf.py checks that both
   give the same tags on every model call of the articles and on random text. What must
   match:
   - the attributes of an item and their order: the columns of `features` (org_crf.COLUMNS),
     then its lexicon marks (`lexicon_marks`: each entry's B/I/E marks, once each in the
     order they are first made, then the `-` edges of the position before and the `+`
     edges of the position after), keeping only the attributes the model has;
   - crfsuite's arithmetic (crf1d_tag.c, crf1d_context.c): each state score starts at
     0.0 and gets the weight of each state feature added, attribute by attribute in item
     order, feature by feature in the file's order (the weight times the attribute's
     value, 1.0: the weight itself); the Viterbi sums prev + trans, the strict `<` of its
     maximum (of equal scores the lower label wins), then + state; IEEE doubles, no fused
     multiply-add (hatch_build.py compiles with -ffp-contract=off). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <stdint.h>
#include <string.h>

/* Kinds of table key, org_crf.COLUMNS's order, then the lexicon starts (LEXICON_ONE,
   LEXICON_TWO there); the word columns are looked up in dicts, not in the table. */
enum {
    C0, CM1, CP1, CM2, CP2, CM1C, CCP1, CM1CP1, CM2CM1, CP1CP2, WP, W, WPC, WM1, WP1,
    LEX1, LEX2
};
#define KEY(kind, a, b) (((uint64_t)(kind) << 42) | ((uint64_t)(a) << 21) | (uint64_t)(b))
#define EMPTY UINT64_MAX /* no key: keys have at most 47 bits */
/* the padding characters of `features` before and after the text */
#define BEFORE 2
#define AFTER 3
enum { MARK_B, MARK_I, MARK_E };
enum { SIGN_NONE, SIGN_MINUS, SIGN_PLUS };

/* An open-addressing hash table from key to attribute id (or lexicon start). */
struct table {
    uint64_t *keys;
    int32_t *values;
    size_t mask;
};

static inline size_t
slot_of(uint64_t x, size_t mask)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (size_t)x & mask;
}

static int32_t
table_get(const struct table *t, uint64_t key)
{
    for (size_t i = slot_of(key, t->mask);; i = (i + 1) & t->mask) {
        if (t->keys[i] == key)
            return t->values[i];
        if (t->keys[i] == EMPTY)
            return -1;
    }
}

typedef struct {
    PyObject_HEAD
    struct table table;
    PyObject *words[3];        /* w=, w-1=, w+1=: dict word -> attribute id */
    int32_t first_previous;    /* w-1=\x02 */
    int32_t last_next;         /* w+1=\x03 */
    PyObject *starts;          /* tuple of (lengths, {surface: name ids}) */
    Py_ssize_t n_names;
    int32_t *marks;            /* [(name * 3 + letter) * 3 + sign]: attribute id or -1 */
    Py_ssize_t n_attributes;
    Py_ssize_t *first_feature; /* an attribute's state features: [first[a], first[a + 1]) */
    int *feature_label;
    double *feature_weight;
    int n_labels;
    double *transitions;       /* [from * n_labels + to] */
    PyObject *labels;          /* tuple of str */
} Tagger;

static void
Tagger_dealloc(Tagger *self)
{
    PyMem_Free(self->table.keys);
    PyMem_Free(self->table.values);
    for (int i = 0; i < 3; i++)
        Py_XDECREF(self->words[i]);
    Py_XDECREF(self->starts);
    PyMem_Free(self->marks);
    PyMem_Free(self->first_feature);
    PyMem_Free(self->feature_label);
    PyMem_Free(self->feature_weight);
    PyMem_Free(self->transitions);
    Py_XDECREF(self->labels);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* An int in [low, high) from `value`: 0, or -1 with an exception set. */
static int
int_in(PyObject *value, long low, long high, const char *what, long *out)
{
    long v = PyLong_AsLong(value);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < low || v >= high) {
        PyErr_Format(PyExc_ValueError, "%s %ld out of range", what, v);
        return -1;
    }
    *out = v;
    return 0;
}

static int
read_table(Tagger *self, PyObject *table)
{
    Py_ssize_t size = 8;
    while (size < 2 * PyDict_GET_SIZE(table))
        size *= 2;
    self->table.mask = (size_t)size - 1;
    self->table.keys = PyMem_Malloc((size_t)size * sizeof(uint64_t));
    self->table.values = PyMem_Malloc((size_t)size * sizeof(int32_t));
    if (self->table.keys == NULL || self->table.values == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < size; i++)
        self->table.keys[i] = EMPTY;
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(table, &pos, &key, &value)) {
        unsigned long long k = PyLong_AsUnsignedLongLong(key);
        if (k == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        if (k >> 47) {
            PyErr_SetString(PyExc_ValueError, "table key out of range");
            return -1;
        }
        int kind = (int)(k >> 42);
        long high = kind == LEX1 || kind == LEX2 ? (long)PyTuple_GET_SIZE(self->starts) : (long)self->n_attributes;
        long v;
        if (kind > LEX2 || kind == W || kind == WM1 || kind == WP1) {
            PyErr_SetString(PyExc_ValueError, "table key of no table kind");
            return -1;
        }
        if (int_in(value, 0, high, "table value", &v) < 0)
            return -1;
        size_t i = slot_of(k, self->table.mask);
        while (self->table.keys[i] != EMPTY && self->table.keys[i] != k)
            i = (i + 1) & self->table.mask;
        self->table.keys[i] = k;
        self->table.values[i] = (int32_t)v;
    }
    return 0;
}

/* dict[word] as an attribute id, or -1 when absent; -2 with an exception on error. */
static int32_t
word_id(PyObject *dict, PyObject *word, Py_ssize_t n_attributes)
{
    PyObject *value = PyDict_GetItemWithError(dict, word);
    if (value == NULL)
        return PyErr_Occurred() ? -2 : -1;
    long v;
    if (int_in(value, 0, (long)n_attributes, "attribute id", &v) < 0)
        return -2;
    return (int32_t)v;
}

static int
read_weights(Tagger *self, PyObject *state, PyObject *transitions)
{
    Py_ssize_t count = 0;
    for (Py_ssize_t a = 0; a < self->n_attributes; a++) {
        PyObject *features = PyTuple_GET_ITEM(state, a);
        if (!PyTuple_Check(features)) {
            PyErr_SetString(PyExc_TypeError, "expected a tuple of (label, weight) per attribute");
            return -1;
        }
        count += PyTuple_GET_SIZE(features);
    }
    self->first_feature = PyMem_Malloc((size_t)(self->n_attributes + 1) * sizeof(Py_ssize_t));
    self->feature_label = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(int));
    self->feature_weight = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(double));
    self->transitions = PyMem_Malloc((size_t)self->n_labels * self->n_labels * sizeof(double));
    if (self->first_feature == NULL || self->feature_label == NULL || self->feature_weight == NULL ||
        self->transitions == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t r = 0;
    for (Py_ssize_t a = 0; a < self->n_attributes; a++) {
        PyObject *features = PyTuple_GET_ITEM(state, a);
        self->first_feature[a] = r;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(features); i++, r++) {
            PyObject *f = PyTuple_GET_ITEM(features, i);
            long label;
            if (!PyTuple_Check(f) || PyTuple_GET_SIZE(f) != 2) {
                PyErr_SetString(PyExc_TypeError, "expected (label, weight)");
                return -1;
            }
            if (int_in(PyTuple_GET_ITEM(f, 0), 0, self->n_labels, "label", &label) < 0)
                return -1;
            self->feature_label[r] = (int)label;
            self->feature_weight[r] = PyFloat_AsDouble(PyTuple_GET_ITEM(f, 1));
            if (self->feature_weight[r] == -1.0 && PyErr_Occurred())
                return -1;
        }
    }
    self->first_feature[self->n_attributes] = r;
    for (Py_ssize_t i = 0; i < (Py_ssize_t)self->n_labels * self->n_labels; i++) {
        self->transitions[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(transitions, i));
        if (self->transitions[i] == -1.0 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

static int
Tagger_init(Tagger *self, PyObject *args, PyObject *kwds)
{
    PyObject *table, *words, *starts, *marks, *state, *transitions, *labels;
    static char *names[] = {"table", "words", "starts", "marks", "state", "transitions", "labels", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!O!O!O!O!O!:Tagger", names, &PyDict_Type, &table,
                                     &PyTuple_Type, &words, &PyTuple_Type, &starts, &PyTuple_Type, &marks,
                                     &PyTuple_Type, &state, &PyTuple_Type, &transitions, &PyTuple_Type, &labels))
        return -1;
    if (self->labels != NULL) {
        PyErr_SetString(PyExc_TypeError, "a Tagger is made once");
        return -1;
    }
    self->n_labels = (int)PyTuple_GET_SIZE(labels);
    self->n_attributes = PyTuple_GET_SIZE(state);
    if (self->n_labels < 1 || self->n_labels > 255 || PyTuple_GET_SIZE(transitions) != self->n_labels * self->n_labels) {
        PyErr_SetString(PyExc_ValueError, "expected 1 to 255 labels and a transition weight for each pair");
        return -1;
    }
    for (int i = 0; i < self->n_labels; i++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(labels, i))) {
            PyErr_SetString(PyExc_TypeError, "labels are str");
            return -1;
        }
    }
    if (self->n_attributes > INT32_MAX || PyTuple_GET_SIZE(marks) % 9) {
        PyErr_SetString(PyExc_ValueError, "expected nine mark attributes per lexicon name");
        return -1;
    }
    if (PyTuple_GET_SIZE(words) != 3) {
        PyErr_SetString(PyExc_ValueError, "expected the dicts of w=, w-1= and w+1=");
        return -1;
    }
    Py_INCREF(labels);
    self->labels = labels;
    Py_INCREF(starts);
    self->starts = starts;
    for (int i = 0; i < 3; i++) {
        PyObject *d = PyTuple_GET_ITEM(words, i);
        if (!PyDict_Check(d)) {
            PyErr_SetString(PyExc_TypeError, "expected the dicts of w=, w-1= and w+1=");
            return -1;
        }
        Py_INCREF(d);
        self->words[i] = d;
    }
    PyObject *before = PyUnicode_FromOrdinal(BEFORE), *after = PyUnicode_FromOrdinal(AFTER);
    if (before == NULL || after == NULL) {
        Py_XDECREF(before);
        Py_XDECREF(after);
        return -1;
    }
    self->first_previous = word_id(self->words[1], before, self->n_attributes);
    self->last_next = word_id(self->words[2], after, self->n_attributes);
    Py_DECREF(before);
    Py_DECREF(after);
    if (self->first_previous == -2 || self->last_next == -2)
        return -1;
    self->n_names = PyTuple_GET_SIZE(marks) / 9;
    self->marks = PyMem_Malloc((size_t)(PyTuple_GET_SIZE(marks) ? PyTuple_GET_SIZE(marks) : 1) * sizeof(int32_t));
    if (self->marks == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(marks); i++) {
        long v;
        if (int_in(PyTuple_GET_ITEM(marks, i), -1, (long)self->n_attributes, "mark attribute", &v) < 0)
            return -1;
        self->marks[i] = (int32_t)v;
    }
    if (read_table(self, table) < 0 || read_weights(self, state, transitions) < 0)
        return -1;
    return 0;
}

/* The lexicon marks of a text, as `lexicon_marks` makes them: (position, mark) pairs. */
struct mark {
    Py_ssize_t at;
    int32_t mark; /* name * 3 + letter */
};

struct marks {
    struct mark *items;
    Py_ssize_t size, capacity;
};

static int
add_mark(struct marks *m, Py_ssize_t at, int32_t mark)
{
    if (m->size == m->capacity) {
        Py_ssize_t capacity = m->capacity ? 2 * m->capacity : 64;
        struct mark *items = PyMem_Realloc(m->items, (size_t)capacity * sizeof *items);
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        m->items = items;
        m->capacity = capacity;
    }
    m->items[m->size].at = at;
    m->items[m->size].mark = mark;
    m->size++;
    return 0;
}

/* The marks of the lexicon entries starting at `i` that `start` (one of self->starts)
   holds, in `lexicon_marks`'s order: by length, then by name. */
static int
entry_marks(Tagger *self, PyObject *text, Py_ssize_t n, Py_ssize_t i, PyObject *start, struct marks *m)
{
    if (!PyTuple_Check(start) || PyTuple_GET_SIZE(start) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(start, 0)) ||
        !PyDict_Check(PyTuple_GET_ITEM(start, 1))) {
        PyErr_SetString(PyExc_TypeError, "expected (lengths, {surface: name ids})");
        return -1;
    }
    PyObject *lengths = PyTuple_GET_ITEM(start, 0), *surfaces = PyTuple_GET_ITEM(start, 1);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(lengths); k++) {
        Py_ssize_t length = PyLong_AsSsize_t(PyTuple_GET_ITEM(lengths, k));
        if (length == -1 && PyErr_Occurred())
            return -1;
        if (length < 1) {
            PyErr_SetString(PyExc_ValueError, "a lexicon entry has at least one character");
            return -1;
        }
        if (i + length > n)
            break; /* a slice past the end is shorter: it could be another entry */
        PyObject *surface = PyUnicode_Substring(text, i, i + length);
        if (surface == NULL)
            return -1;
        PyObject *ids = PyDict_GetItemWithError(surfaces, surface);
        Py_DECREF(surface);
        if (ids == NULL) {
            if (PyErr_Occurred())
                return -1;
            continue;
        }
        if (!PyTuple_Check(ids)) {
            PyErr_SetString(PyExc_TypeError, "expected a tuple of name ids");
            return -1;
        }
        Py_ssize_t end = i + length - 1;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(ids); j++) {
            long name;
            if (int_in(PyTuple_GET_ITEM(ids, j), 0, (long)self->n_names, "name id", &name) < 0)
                return -1;
            int32_t base = (int32_t)name * 3;
            if (add_mark(m, i, base + MARK_B) < 0)
                return -1;
            for (Py_ssize_t p = i + 1; p < end; p++)
                if (add_mark(m, p, base + MARK_I) < 0)
                    return -1;
            if (add_mark(m, end, base + MARK_E) < 0)
                return -1;
        }
    }
    return 0;
}

/* Each position's marks, once each in their first order: marks[first[p] .. first[p] + count[p]). */
static int
position_marks(Tagger *self, PyObject *text, Py_ssize_t n, int kind, const void *data, int32_t **out,
               Py_ssize_t **first, Py_ssize_t **count)
{
    struct marks m = {NULL, 0, 0};
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        int32_t one = table_get(&self->table, KEY(LEX1, c, 0));
        int32_t more = i + 1 < n ? table_get(&self->table, KEY(LEX2, c, PyUnicode_READ(kind, data, i + 1))) : -1;
        if (one >= 0 && entry_marks(self, text, n, i, PyTuple_GET_ITEM(self->starts, one), &m) < 0)
            goto fail;
        if (more >= 0 && entry_marks(self, text, n, i, PyTuple_GET_ITEM(self->starts, more), &m) < 0)
            goto fail;
    }
    /* by position, stably (counting sort), then without repeats */
    *first = PyMem_Calloc((size_t)n + 1, sizeof(Py_ssize_t));
    *count = PyMem_Calloc((size_t)n, sizeof(Py_ssize_t));
    *out = PyMem_Malloc((size_t)(m.size ? m.size : 1) * sizeof(int32_t));
    if (*first == NULL || *count == NULL || *out == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t k = 0; k < m.size; k++)
        (*first)[m.items[k].at + 1]++;
    for (Py_ssize_t p = 0; p < n; p++)
        (*first)[p + 1] += (*first)[p];
    for (Py_ssize_t k = 0; k < m.size; k++) {
        Py_ssize_t p = m.items[k].at;
        int32_t *here = *out + (*first)[p];
        Py_ssize_t j = 0;
        while (j < (*count)[p] && here[j] != m.items[k].mark)
            j++;
        if (j == (*count)[p])
            here[(*count)[p]++] = m.items[k].mark;
    }
    PyMem_Free(m.items);
    return 0;
fail:
    PyMem_Free(m.items);
    return -1;
}

/* state[l] += the weight of each state feature of attribute `a` (none for a < 0). */
static inline void
add_state(const Tagger *self, double *state, int32_t a)
{
    if (a < 0)
        return;
    for (Py_ssize_t r = self->first_feature[a]; r < self->first_feature[a + 1]; r++)
        state[self->feature_label[r]] += self->feature_weight[r];
}

/* The words' attribute ids at each character (w=, w-1=, w+1=: ids[3 * i + k]) and the
   character's position letter in its word, as `features` spreads them. */
static int
word_columns(Tagger *self, PyObject *words, Py_ssize_t n, int32_t *ids, Py_UCS4 *letters)
{
    Py_ssize_t count = PySequence_Fast_GET_SIZE(words), at = 0, letter = 0;
    PyObject **items = PySequence_Fast_ITEMS(words);
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *word = items[k];
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "words are str");
            return -1;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(word);
        if (length > n - at) {
            PyErr_SetString(PyExc_ValueError, "the words are longer than the text");
            return -1;
        }
        int32_t w = word_id(self->words[0], word, self->n_attributes);
        int32_t previous = k ? word_id(self->words[1], items[k - 1], self->n_attributes) : self->first_previous;
        int32_t next = self->last_next;
        if (k + 1 < count) {
            if (!PyUnicode_Check(items[k + 1])) {
                PyErr_SetString(PyExc_TypeError, "words are str");
                return -1;
            }
            next = word_id(self->words[2], items[k + 1], self->n_attributes);
        }
        if (w == -2 || previous == -2 || next == -2)
            return -1;
        for (Py_ssize_t j = 0; j < length; j++, at++) {
            ids[3 * at] = w;
            ids[3 * at + 1] = previous;
            ids[3 * at + 2] = next;
        }
        /* "S" for one character, else "B" + "M" * (length - 2) + "E" (an empty word: "BE") */
        Py_ssize_t middle = length - 2;
        if (length == 1 && letter < n)
            letters[letter] = 'S';
        if (length != 1) {
            if (letter < n)
                letters[letter] = 'B';
            for (Py_ssize_t j = 1; j <= middle; j++)
                if (letter + j < n)
                    letters[letter + j] = 'M';
            if (letter + 1 + (middle > 0 ? middle : 0) < n)
                letters[letter + 1 + (middle > 0 ? middle : 0)] = 'E';
        }
        letter += length == 1 ? 1 : 2 + (middle > 0 ? middle : 0);
    }
    if (at != n) {
        PyErr_SetString(PyExc_ValueError, "the words do not make the text");
        return -1;
    }
    return 0;
}

/* crfsuite's crf1dc_viterbi on state[n][L] with the model's transitions: labels[n]. */
static void
viterbi(const Tagger *self, Py_ssize_t n, const double *state, double *score, int *back, int *labels)
{
    const int L = self->n_labels;
    for (int j = 0; j < L; j++)
        score[j] = state[j];
    for (Py_ssize_t t = 1; t < n; t++) {
        const double *previous = score + (t - 1) * L;
        for (int j = 0; j < L; j++) {
            double best = -DBL_MAX;
            int argmax = -1;
            for (int i = 0; i < L; i++) {
                double s = previous[i] + self->transitions[i * L + j];
                if (best < s) {
                    best = s;
                    argmax = i;
                }
            }
            /* crfsuite keeps the link it had when no score beats -DBL_MAX (NaN weights) */
            back[t * L + j] = argmax >= 0 ? argmax : 0;
            score[t * L + j] = best + state[t * L + j];
        }
    }
    double best = -DBL_MAX;
    labels[n - 1] = 0;
    for (int i = 0; i < L; i++) {
        if (best < score[(n - 1) * L + i]) {
            best = score[(n - 1) * L + i];
            labels[n - 1] = i;
        }
    }
    for (Py_ssize_t t = n - 2; t >= 0; t--)
        labels[t] = back[(t + 1) * L + labels[t + 1]];
}

PyDoc_STRVAR(tag_doc,
"tag(text, words) -> list[str]\n\n"
"The label of each character of `text` (the concatenation of `words`), as\n"
"pycrfsuite.Tagger.tag gives it for org_crf.features(text, words, lexicon, known=...).");

static PyObject *
Tagger_tag(Tagger *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (self->labels == NULL) {
        PyErr_SetString(PyExc_TypeError, "the Tagger was not made");
        return NULL;
    }
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "expected (str, sequence of str)");
        return NULL;
    }
    PyObject *text = args[0];
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *words = PySequence_Fast(args[1], "expected a sequence of words");
    if (words == NULL)
        return NULL;
    PyObject *out = NULL;
    const int L = self->n_labels;
    int32_t *ids = PyMem_Malloc((size_t)(n ? n : 1) * 3 * sizeof(int32_t));
    Py_UCS4 *letters = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_UCS4));
    double *state = PyMem_Calloc((size_t)(n ? n : 1) * L, sizeof(double));
    double *score = PyMem_Malloc((size_t)(n ? n : 1) * L * sizeof(double));
    int *back = PyMem_Malloc((size_t)(n ? n : 1) * L * sizeof(int));
    int *labels = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int));
    int32_t *marks = NULL;
    Py_ssize_t *first = NULL, *count = NULL;
    if (ids == NULL || letters == NULL || state == NULL || score == NULL || back == NULL || labels == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (word_columns(self, words, n, ids, letters) < 0)
        goto done;
    if (n == 0) {
        out = PyList_New(0);
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (position_marks(self, text, n, kind, data, &marks, &first, &count) < 0)
        goto done;
    const struct table *tb = &self->table;
    for (Py_ssize_t i = 0; i < n; i++) {
        double *s = state + i * L;
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        Py_UCS4 p1 = i >= 1 ? PyUnicode_READ(kind, data, i - 1) : BEFORE;
        Py_UCS4 p2 = i >= 2 ? PyUnicode_READ(kind, data, i - 2) : BEFORE;
        Py_UCS4 n1 = i + 1 < n ? PyUnicode_READ(kind, data, i + 1) : AFTER;
        Py_UCS4 n2 = i + 2 < n ? PyUnicode_READ(kind, data, i + 2) : AFTER;
        add_state(self, s, table_get(tb, KEY(C0, c, 0)));
        add_state(self, s, table_get(tb, KEY(CM1, p1, 0)));
        add_state(self, s, table_get(tb, KEY(CP1, n1, 0)));
        add_state(self, s, table_get(tb, KEY(CM2, p2, 0)));
        add_state(self, s, table_get(tb, KEY(CP2, n2, 0)));
        add_state(self, s, table_get(tb, KEY(CM1C, p1, c)));
        add_state(self, s, table_get(tb, KEY(CCP1, c, n1)));
        add_state(self, s, table_get(tb, KEY(CM1CP1, p1, n1)));
        add_state(self, s, table_get(tb, KEY(CM2CM1, p2, p1)));
        add_state(self, s, table_get(tb, KEY(CP1CP2, n1, n2)));
        add_state(self, s, table_get(tb, KEY(WP, letters[i], 0)));
        add_state(self, s, ids[3 * i]);
        add_state(self, s, table_get(tb, KEY(WPC, letters[i], c)));
        add_state(self, s, ids[3 * i + 1]);
        add_state(self, s, ids[3 * i + 2]);
        for (Py_ssize_t k = 0; k < count[i]; k++)
            add_state(self, s, self->marks[marks[first[i] + k] * 3 + SIGN_NONE]);
        /* the edges: entries ending just before (marks at i - 1), starting just after (i + 1) */
        for (Py_ssize_t k = 0; i >= 1 && k < count[i - 1]; k++)
            if (marks[first[i - 1] + k] % 3 != MARK_I)
                add_state(self, s, self->marks[marks[first[i - 1] + k] * 3 + SIGN_MINUS]);
        for (Py_ssize_t k = 0; i + 1 < n && k < count[i + 1]; k++)
            if (marks[first[i + 1] + k] % 3 != MARK_I)
                add_state(self, s, self->marks[marks[first[i + 1] + k] * 3 + SIGN_PLUS]);
    }
    viterbi(self, n, state, score, back, labels);
    out = PyList_New(n);
    for (Py_ssize_t t = 0; out != NULL && t < n; t++) {
        PyObject *label = PyTuple_GET_ITEM(self->labels, labels[t]);
        Py_INCREF(label);
        PyList_SET_ITEM(out, t, label);
    }
done:
    Py_DECREF(words);
    PyMem_Free(ids);
    PyMem_Free(letters);
    PyMem_Free(state);
    PyMem_Free(score);
    PyMem_Free(back);
    PyMem_Free(labels);
    PyMem_Free(marks);
    PyMem_Free(first);
    PyMem_Free(count);
    return out;
}

static PyMethodDef Tagger_methods[] = {
    {"tag", (PyCFunction)(void (*)(void))Tagger_tag, METH_FASTCALL, tag_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(Tagger_doc,
"Tagger(table, words, starts, marks, state, transitions, labels)\n\n"
"A CRF model's tagger over org_crf's features (made by org_crf.compiled_tagger).");

static PyTypeObject TaggerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pipeline.extract._crf.Tagger",
    .tp_basicsize = sizeof(Tagger),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Tagger_doc,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Tagger_init,
    .tp_dealloc = (destructor)Tagger_dealloc,
    .tp_methods = Tagger_methods,
};

static struct PyModuleDef crf_module = {
    PyModuleDef_HEAD_INIT, "_crf",
    "The organisation CRF's tagging, compiled (optional; org_crf.CharCRF falls back to pycrfsuite).",
    -1, NULL,
};

PyMODINIT_FUNC
PyInit__crf(void)
{
    if (PyType_Ready(&TaggerType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&crf_module);
    if (module == NULL)
        return NULL;
    Py_INCREF(&TaggerType);
    if (PyModule_AddObject(module, "Tagger", (PyObject *)&TaggerType) < 0) {
        Py_DECREF(&TaggerType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
