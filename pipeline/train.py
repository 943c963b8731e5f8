"""Train the organisation NER model shipped in `pipeline/models/orgs_ner`.

Reproducible from the files alone: a fixed seed, a held-out part of CLUENER chosen by a
hash of each sentence (so it never depends on file order), and the sha256 of every input
file plus the scores written into the model's `meta.json`.

Tokenisation choice: the model sees the pipeline's own jieba tokens (the same
`JiebaTokenizer.cut` with rules/userdict.txt), not characters, so it runs on the tokens the
pipeline already has and costs ~1.6x less than a character model. CLUENER's spans are
character spans with INCLUSIVE ends; we make them half-open and align them to jieba tokens.
About 4.5% of them cut a jieba word: those tokens are marked missing ("-") for training,
so the model is neither taught nor punished there.

CLUENER's three labels company, government and organization are merged into one `ORG`
label: the output only needs spans, and the type comes from the head word rules.

People's Daily (1998 newswire, `--peoples-daily`, the folder of BIO files) adds the register
of our articles: party and state organs, enterprises, associations. Its ORG label is one
label for the same three kinds (no company/government split), so it maps onto `ORG`
as it is; its LOC and PER are dropped (a bare place is not an organisation in either
set). The two differ at the edges: CLUENER labels sports clubs and game teams as
organization, People's Daily labels 青岛海牛队 too but also long nested organs as one
span (中共中央政治局). Its sentences are split by the same `split_of` hash as
CLUENER's (held-out / dev / train), so its held-out part is never trained on.

Domain data: CLUENER is general news (sports clubs, games, banks); alone, the model marks
press-release slogans (快建快成, 桥头堡) as organisations. So the sentences of a press-release
corpus (`--corpus`, e.g. ../shared/corpus) are added as silver data, labelled by the
rules layer (known names and heads; list siblings are left missing, see
`silver_sentences`): they teach the model the domain's non-names and its name shapes.
They are never used for the dev or held-out scores.

Architecture: see `ner_config` and `ARCHITECTURES`; the model's meta.json records the
one it was trained with, the training options and the per-epoch history. `--arch crf`
trains the character CRF of pipeline/extract/org_crf.py instead (`train_crf`; `max_epochs`
is then its L-BFGS iteration count). Compared by bench/org_arch.py (raw model, held-out
CLUENER / People's Daily F1, inference chars/s): spaCy w48 on CLUENER + silver (the model
shipped before) 0.729 / 0.383, 131k; spaCy w48 on CLUENER + People's Daily + silver 0.729 /
0.645, 138k; CRF, 300 iterations, c1 0.2, 0.755 / 0.688, 199k, 1.6 MB. The CRF is the shipped
model (`press-extract train ... --arch crf --max-epochs 300`). It used to lose a dev name, a
brand inside a project name (可口可乐包装项目), that the spaCy model found; well-known brands
are now known names (rules/brands.tsv), so the rules find that class and the lexicon
features carry them.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import pycrfsuite
import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from .extract import org_crf
from .extract.organizations import SOURCE_LISTS, model_doc, rules_only_pipeline
from .rules import load_rules
from .segment import JiebaTokenizer, sentence_spans, text_of

CLUENER_LABELS: tuple[str, ...] = ("company", "government", "organization")
LABEL = "ORG"
MODEL_NAME = "orgs_ner"
MODEL_VERSION = "orgs.ner.v2"
CRF_MODEL_VERSION = "orgs.crf.v1"
# One sentence in ten is held out for evaluation (never trained on), one in ten of the
# rest is the development set that picks the best epoch; the same for CLUENER and People's Daily.
HELDOUT_MOD, DEV_MOD = 10, 10


def ner_config(*, width: int, depth: int, maxout: int, rows: Sequence[int], features: Sequence[str]) -> dict:
    """The `ner` component's config: a `TransitionBasedParser` over a CNN on hashed token
    features. For a jieba word, NORM is the word, PREFIX its first character, SUFFIX its
    last three, SHAPE its length class and LEMMA its last character (see `model_doc`):
    the characters carry the heads (公司, 研究院, 局) and generalise to unseen names.

    Sizes were chosen by trials on the dev split and bench/org_speed.py: the CNN's matrix
    products dominate the run time, so it is narrow and shallow;
    no hidden layer after the state features (use_upper=False) is cheaper per transition
    and trained more steadily than 32 or 64 hidden units; hash tables of 20-50k rows
    scored no better than 5k rows (each key hashes to 4 rows) and learned more slowly.
    Each word's class from the rules and jieba's dictionary (known name, head word and
    its type, place, stop word, jieba's nt/ns/nr/nz/j tags, frequency band) as a TAG
    feature, instead of SHAPE or beside it, was no better on dev over four seeds;
    batch size 64, learn rate 0.002 and dropout 0.3 moved dev F1 no more than the seed
    does (about ±0.005). Nor did more capacity or other inputs lift held-out F1 above
    ~0.73 (shipped 0.729): width 64 or 96 without the upper layer diverged, an upper
    layer of 64 gave 0.68, depth 4 0.72, character tokens with word features 0.73 (depth
    2 or 4, and ~1.6x the tokens), a decaying learn rate 0.72, one entity-swapped copy of
    each training sentence 0.72-0.74, no corpus silver data 0.73, an encoder window of 2
    words 0.730, extra state tokens 0.736, patience 6 instead of 4 0.725 (dev 0.752-0.758
    for all three, against the shipped 0.746)."""
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": 32,  # unused without the upper layer: the lower one scores the actions
            "maxout_pieces": 1,
            "use_upper": False,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": width,
                    "attrs": list(features),
                    "rows": list(rows),
                    "include_static_vectors": False,
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": width,
                    "depth": depth,
                    "window_size": 1,
                    "maxout_pieces": maxout,
                },
            },
        }
    }


FEATURES = ("NORM", "PREFIX", "SUFFIX", "SHAPE", "LEMMA")
ROWS = (5000, 5000, 5000, 500, 5000)
# Named architectures (`press-extract train --arch`); the chosen one is recorded in meta.json.
ARCHITECTURES = {
    "w48": ner_config(width=48, depth=2, maxout=2, rows=ROWS, features=FEATURES),
    "w64": ner_config(width=64, depth=2, maxout=2, rows=ROWS, features=FEATURES),
}
# The character CRF (pipeline/extract/org_crf.py) is trained by `train_crf`, not by epochs.
ARCH_NAMES = (*ARCHITECTURES, org_crf.ARCH_NAME)
DEFAULT_ARCH = "w48"

Span = tuple[int, int]  # half-open character offsets


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple[Span, ...]
    # Spans whose tokens are neither taught nor punished (uncertain silver labels).
    missing: tuple[Span, ...] = ()


def split_of(text: str) -> str:
    """"heldout", "dev" or "train", fixed by the sentence's own sha1.

    >>> split_of("浙商银行企业信贷部叶老桂博士则从另一个角度对五道门槛进行了解读。")
    'heldout'
    """
    h = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "big")
    if h % HELDOUT_MOD == 0:
        return "heldout"
    return "dev" if h // HELDOUT_MOD % DEV_MOD == 0 else "train"


def read_cluener(path: Path) -> list[Sentence]:
    """CLUENER lines with their organisation spans made half-open.

    Nested or duplicate spans cannot occur in CLUENER's flat labels; we sort them.
    """
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        spans = set()
        for label in CLUENER_LABELS:
            for offsets in row.get("label", {}).get(label, {}).values():
                spans.update((s, e + 1) for s, e in offsets)  # inclusive end -> half-open
        out.append(Sentence(row["text"], tuple(sorted(spans))))
    return out


def read_peoples_daily(path: Path) -> list[Sentence]:
    """The sentences of a People's Daily BIO file (one `char TAG` line per character,
    blank lines between sentences) with their ORG spans, half-open. An I-ORG that does
    not continue an ORG opens one (as conlleval reads it). A line that is not one
    character, a space and a tag is an error naming the file and line.

    >>> import tempfile; f = Path(tempfile.mkdtemp()) / "x.bio"
    >>> _ = f.write_text("新 B-ORG\\n华 I-ORG\\n社 I-ORG\\n报 O\\n道 O\\n\\n北 B-LOC\\n京 I-LOC\\n", encoding="utf-8")
    >>> [(s.text, s.spans) for s in read_peoples_daily(f)]
    [('新华社报道', ((0, 3),)), ('北京', ())]
    """
    out: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []  # B, I or O per character: ORG only
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines() + [""], 1):
        if not line.strip():
            if chars:
                out.append(Sentence("".join(chars), tuple(org_crf.spans_of(tags))))
            chars, tags = [], []
            continue
        char, sep, tag = line.rpartition(" ")
        if not sep or len(char) != 1 or not (tag == "O" or tag[:2] in ("B-", "I-")):
            raise ValueError(f"{path}:{number}: expected one character, a space and a BIO tag, got {line!r}")
        chars.append(char)
        tags.append({"B-ORG": "B", "I-ORG": "I"}.get(tag, "O"))
    return out


def read_peoples_daily_folder(folder: Path) -> list[Sentence]:
    """Every `*.bio` file of a People's Daily folder, in name order."""
    files = sorted(folder.glob("*.bio"))
    if not files:
        raise ValueError(f"{folder}: no .bio files")
    return [s for f in files for s in read_peoples_daily(f)]


def sha256_of(path: Path, *, pattern: str = "*.txt") -> str:
    """sha256 of a file, or of a folder's files matching `pattern` (names and bytes, sorted)."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for p in sorted(path.rglob(pattern)):
        h.update(p.relative_to(path).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def silver_sentences(corpus: Path, *, rules_dir: str | None) -> list[Sentence]:
    """The sentences of every .txt under `corpus`, with the rules layer's organisations.

    Known names and head-word names are taught as names. List siblings are left missing:
    the list rules also fire on lists of projects and industries (X、Y等项目), which
    taught the model to mark 城市轨道交通 as an organisation."""
    nlp = rules_only_pipeline(rules_dir=rules_dir)
    out = []
    for path in sorted(corpus.rglob("*.txt")):
        doc = nlp(path.read_text(encoding="utf-8"))
        text = text_of(doc)
        orgs = doc._.records.get("organization", []) if doc._.records else []
        for start, end in sentence_spans(doc):
            if not text[start:end].strip():
                continue
            inside = [o for o in orgs if start <= o.start and o.end <= end]
            out.append(
                Sentence(
                    text[start:end],
                    tuple((o.start - start, o.end - start) for o in inside if o.source != SOURCE_LISTS),
                    tuple((o.start - start, o.end - start) for o in inside if o.source == SOURCE_LISTS),
                )
            )
    return out


def to_example(nlp: Language, words: Sequence[str], sentence: Sentence) -> Example:
    """An `Example` on jieba words; spans that cut a word, and the sentence's missing
    spans, leave their tokens missing."""
    doc = model_doc(nlp.vocab, words)
    tags = ["O"] * len(doc)
    for s, e in sentence.missing:
        for t in doc:
            if t.idx < e and s < t.idx + len(t):
                tags[t.i] = "-"
    for s, e in sentence.spans:
        span = doc.char_span(s, e)
        if span is None:
            inside = [t.i for t in doc if t.idx < e and s < t.idx + len(t)]
            for i in inside:
                tags[i] = "-"
        elif len(span) == 1:
            tags[span.start] = f"U-{LABEL}"
        else:
            tags[span.start] = f"B-{LABEL}"
            for i in range(span.start + 1, span.end - 1):
                tags[i] = f"I-{LABEL}"
            tags[span.end - 1] = f"L-{LABEL}"
    return Example.from_dict(doc, {"entities": tags})


def blank_model(arch: str = DEFAULT_ARCH) -> Language:
    """The model's own `Language`: blank `zh` plus `ner`. Its tokenizer is never used:
    the organisations component builds model `Doc`s from the pipeline's jieba words."""
    nlp = spacy.blank("zh")
    nlp.add_pipe("ner", config=ARCHITECTURES[arch])
    return nlp


def predict_spans(model: Language | org_crf.CharCRF, runs: Iterable[Sequence[str]]) -> Iterator[list[Span]]:
    """For each run of words, the character spans [start, end) the model finds (offsets
    relative to the words' concatenation)."""
    if isinstance(model, org_crf.CharCRF):
        yield from (model.spans(words) for words in runs)
        return
    docs = (model_doc(model.vocab, words) for words in runs)
    for doc in model.pipe(docs, batch_size=256):
        yield [(e.start_char, e.end_char) for e in doc.ents]


def prf(gold: Iterable[set], pred: Iterable[set]) -> dict[str, float]:
    """Micro precision, recall and F1 over paired sets of spans.

    >>> prf([{(0, 2)}, {(1, 3)}], [{(0, 2), (4, 5)}, set()])
    {'p': 0.5, 'r': 0.5, 'f': 0.5, 'tp': 1, 'n_gold': 2, 'n_pred': 2}
    """
    tp = n_gold = n_pred = 0
    for g, p in zip(gold, pred):
        tp += len(g & p)
        n_gold += len(g)
        n_pred += len(p)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": round(precision, 4), "r": round(recall, 4), "f": round(f, 4), "tp": tp, "n_gold": n_gold, "n_pred": n_pred}


def evaluate(model: Language | org_crf.CharCRF, cut: Callable[[str], list[str]], sentences: Sequence[Sentence]) -> dict[str, float]:
    gold = [set(s.spans) for s in sentences]
    pred = [set(spans) for spans in predict_spans(model, (cut(x.text) for x in sentences))]
    return prf(gold, pred)


def train(
    *,
    cluener: Path,
    out: Path,
    peoples_daily: Path | None = None,
    corpus: Path | None = None,
    rules_dir: str | None = None,
    seed: int = 13,
    max_epochs: int = 30,
    max_minutes: float = 20.0,
    patience: int = 4,
    batch_size: int = 32,
    dropout: float = 0.2,
    learn_rate: float = 0.001,
    arch: str = DEFAULT_ARCH,
    limit: int = 0,
    log: Callable[[str], None] = lambda line: None,
) -> dict:
    """Train on the train split of CLUENER (and of People's Daily, a folder of BIO files,
    when given), keep the epoch with the best dev F1 (the mean of the two data sets' dev
    F1 when both are given), score it on each held-out split and save it to `out` with
    the scores and data hashes in its meta. `limit` > 0 trains on only the first `limit`
    training sentences of each data set (quick trials); dev and held-out stay whole."""
    if arch not in ARCH_NAMES:
        raise ValueError(f"unknown architecture {arch!r} (choose from {', '.join(ARCH_NAMES)})")
    fix_random_seed(seed)
    rng = random.Random(seed)
    rules = load_rules(rules_dir)
    tokenizer = JiebaTokenizer(spacy.blank("zh").vocab, rules=rules)
    parts = split_parts(read_cluener(cluener), limit=limit)
    pd_parts = split_parts(read_peoples_daily_folder(peoples_daily), limit=limit) if peoples_daily else None
    silver = silver_sentences(corpus, rules_dir=rules_dir) if corpus else []
    log(
        "CLUENER " + ", ".join(f"{k} {len(v)}" for k, v in parts.items())
        + ("; People's Daily " + ", ".join(f"{k} {len(v)}" for k, v in pd_parts.items()) if pd_parts else "")
        + f"; silver {len(silver)}"
    )
    data = {
        cluener.name: sha256_of(cluener),
        **({f"{peoples_daily.name}/": sha256_of(peoples_daily, pattern="*.bio")} if peoples_daily else {}),
        **({f"{corpus.name}/": sha256_of(corpus)} if corpus else {}),
        "rules": rules.sha256,
    }
    other = "config.cfg" if arch == org_crf.ARCH_NAME else org_crf.MODEL_FILE
    if (out / other).exists():
        raise ValueError(f"{out}: holds a model of another architecture ({other}); train into an empty folder")
    if arch == org_crf.ARCH_NAME:
        return train_crf(
            parts=parts, pd_parts=pd_parts, silver=silver, rules=rules, cut=tokenizer.cut, out=out, data=data,
            max_iterations=max_epochs, log=log,
        )

    nlp = blank_model(arch)
    nlp.get_pipe("ner").add_label(LABEL)
    train_sentences = parts["train"] + (pd_parts["train"] if pd_parts else []) + silver
    examples = [to_example(nlp, tokenizer.cut(s.text), s) for s in train_sentences]
    optimizer = nlp.initialize(lambda: examples[:500])
    optimizer.learn_rate = learn_rate

    best_f, best_bytes, best_epoch, bad = -1.0, b"", 0, 0
    started = time.monotonic()
    history = []
    for epoch in range(1, max_epochs + 1):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=batch_size):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            dev = evaluate(nlp, tokenizer.cut, parts["dev"])
            pd_dev = evaluate(nlp, tokenizer.cut, pd_parts["dev"]) if pd_parts else None
            score = (dev["f"] + pd_dev["f"]) / 2 if pd_dev else dev["f"]
            if score > best_f:
                best_f, best_bytes, best_epoch, bad = score, nlp.to_bytes(), epoch, 0
            else:
                bad += 1
        minutes = (time.monotonic() - started) / 60
        row = {"epoch": epoch, "loss": round(losses.get("ner", 0.0), 1), "dev_f": dev["f"], "minutes": round(minutes, 1)}
        if pd_dev:
            row["peoples_daily_dev_f"] = pd_dev["f"]
        history.append(row)
        log(
            f"epoch {epoch}: loss {losses.get('ner', 0.0):.1f} dev P {dev['p']:.3f} R {dev['r']:.3f} F {dev['f']:.3f}"
            + (f"; People's Daily dev P {pd_dev['p']:.3f} R {pd_dev['r']:.3f} F {pd_dev['f']:.3f}" if pd_dev else "")
            + f" ({minutes:.1f} min)"
        )
        # Stop on patience or before the next epoch would overrun the time budget.
        if bad >= patience or minutes * (epoch + 1) / epoch > max_minutes:
            break

    nlp.from_bytes(best_bytes)
    scores = {"dev": evaluate(nlp, tokenizer.cut, parts["dev"]), "heldout": evaluate(nlp, tokenizer.cut, parts["heldout"])}
    if pd_parts:
        scores["peoples_daily_dev"] = evaluate(nlp, tokenizer.cut, pd_parts["dev"])
        scores["peoples_daily_heldout"] = evaluate(nlp, tokenizer.cut, pd_parts["heldout"])
    held = scores["heldout"]
    log(f"best epoch {best_epoch}; CLUENER held-out P {held['p']:.3f} R {held['r']:.3f} F {held['f']:.3f}")
    if pd_parts:
        held = scores["peoples_daily_heldout"]
        log(f"People's Daily held-out P {held['p']:.3f} R {held['r']:.3f} F {held['f']:.3f}")
    nlp.meta.update(
        {
            "name": MODEL_NAME,
            "version": "1.0.0",
            "description": "Organisation NER on jieba tokens (label ORG), trained on CLUENER company+government+organization"
            + (" and People's Daily 1998 ORG." if pd_parts else "."),
            "press_extract": {
                "source": MODEL_VERSION,
                "seed": seed,
                "architecture": {"name": arch, **ARCHITECTURES[arch]["model"]},
                "training": {"batch_size": batch_size, "dropout": dropout, "learn_rate": learn_rate, "limit": limit},
                "best_epoch": best_epoch,
                "history": history,
                "data": data,
                "split": f"sha1(text) % {HELDOUT_MOD} == 0 held out; of the rest, (h // {HELDOUT_MOD}) % {DEV_MOD} == 0 dev",
                "sizes": {
                    **{k: len(v) for k, v in parts.items()},
                    **({f"peoples_daily_{k}": len(v) for k, v in pd_parts.items()} if pd_parts else {}),
                    "silver": len(silver),
                },
                "scores": scores,
            },
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return nlp.meta["press_extract"]


def crf_lexicon_rows(rules) -> list[tuple[str, str, str]]:
    """The CRF's dictionary features from rules/: head words, division names and short
    forms, known organisation names (see org_crf.lexicon_rows)."""
    return org_crf.lexicon_rows(
        heads=rules.org_patterns.heads,
        places=(s for d in rules.divisions.by_code.values() for s in (d.name, *d.short)),
        known=((e["pattern"], e["org_type"]) for e in rules.organizations),
    )


def train_crf(
    *,
    parts: dict[str, list[Sentence]],
    pd_parts: dict[str, list[Sentence]] | None,
    silver: Sequence[Sentence],
    rules,
    cut: Callable[[str], list[str]],
    out: Path,
    data: dict,
    max_iterations: int,
    c1: float = 0.2,  # chosen by dev F1 over 0.05 (bench/org_arch.py figures in the module docstring)
    c2: float = 0.01,
    log: Callable[[str], None] = lambda line: None,
) -> dict:
    """Train the character CRF (L-BFGS, `max_iterations`, L1 `c1` + L2 `c2`; features with
    count < 2 dropped) on the train splits and the silver sentences, save it to `out`
    with its lexicon, score it on the dev and held-out splits. A silver sentence with
    uncertain (missing) spans is left out: a CRF has no missing labels, and taught as O
    its list siblings would be taught as non-names."""
    rows = crf_lexicon_rows(rules)
    lexicon = org_crf.lexicon_from_rows(rows)
    sentences = parts["train"] + (pd_parts["train"] if pd_parts else []) + [s for s in silver if not s.missing]
    trainer = pycrfsuite.Trainer(verbose=False)
    for s in sentences:
        trainer.append(org_crf.features(s.text, cut(s.text), lexicon), org_crf.bio_tags(len(s.text), s.spans))
    params = {"c1": c1, "c2": c2, "max_iterations": max_iterations, "feature.possible_transitions": True, "feature.minfreq": 2}
    trainer.set_params(params)
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out / org_crf.MODEL_FILE))
    log(f"CRF trained on {len(sentences)} sentences in {(time.monotonic() - started) / 60:.1f} min")
    org_crf.write_lexicon(out / org_crf.LEXICON_FILE, rows)
    meta = {
        "name": MODEL_NAME,
        "description": "Organisation names, character CRF with dictionary features (label ORG), trained on CLUENER"
        " company+government+organization" + (" and People's Daily 1998 ORG." if pd_parts else "."),
        "press_extract": {
            "source": CRF_MODEL_VERSION,
            "architecture": {"name": org_crf.ARCH_NAME, **params},
            "best_epoch": max_iterations,
            "data": data,
            "split": f"sha1(text) % {HELDOUT_MOD} == 0 held out; of the rest, (h // {HELDOUT_MOD}) % {DEV_MOD} == 0 dev",
            "sizes": {
                **{k: len(v) for k, v in parts.items()},
                **({f"peoples_daily_{k}": len(v) for k, v in pd_parts.items()} if pd_parts else {}),
                "silver": len(silver),
                "trained": len(sentences),
                "lexicon": len(rows),
            },
        },
    }
    (out / org_crf.META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    model = org_crf.CharCRF(out)
    scores = {"dev": evaluate(model, cut, parts["dev"]), "heldout": evaluate(model, cut, parts["heldout"])}
    if pd_parts:
        scores["peoples_daily_dev"] = evaluate(model, cut, pd_parts["dev"])
        scores["peoples_daily_heldout"] = evaluate(model, cut, pd_parts["heldout"])
    for name, sc in scores.items():
        log(f"{name} P {sc['p']:.3f} R {sc['r']:.3f} F {sc['f']:.3f}")
    meta["press_extract"]["scores"] = scores
    (out / org_crf.META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return meta["press_extract"]


def split_parts(sentences: Iterable[Sentence], *, limit: int = 0) -> dict[str, list[Sentence]]:
    """Sentences by `split_of`; `limit` > 0 keeps only the first `limit` training ones."""
    parts: dict[str, list[Sentence]] = {"train": [], "dev": [], "heldout": []}
    for s in sentences:
        parts[split_of(s.text)].append(s)
    if limit:
        parts["train"] = parts["train"][:limit]
    return parts


def iter_split(sentences: Iterable[Sentence], split: str) -> Iterator[Sentence]:
    """The sentences of one split ("train", "dev", "heldout"), by `split_of`; the same for
    CLUENER (`read_cluener`) and People's Daily (`read_peoples_daily_folder`)."""
    return (s for s in sentences if split_of(s.text) == split)
