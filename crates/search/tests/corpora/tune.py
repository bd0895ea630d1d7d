"""Replays the server's FAQ merge (crates/server/src/faq/semantic.rs) on dumps written by the
`tuning_dump` example, and tries variants: tuned on the `tune` halves, reported on both.

    python3 tune.py [DUMP_DIR]      # default /tmp/tune; needs numpy

The figures match `cargo xtask eval` for the merge in use (same vectors, same evidence, same rules).
"""
import itertools
import json
import sys

import numpy as np

NAMES = ["gnome-help.en", "libreoffice-writer.en", "gnome-help.fr", "libreoffice-writer.fr"]
UNRELATED = 0.75  # semantic.rs: a cosine this low means unrelated
RELATIVE_CUT = 0.7  # semantic.rs: alternatives under this share of the best are dropped
SILENT_NEEDED = 0.70  # the bar for unanswerable needs left without an answer


def load(folder, name):
    dump = json.load(open(f"{folder}/{name}.json"))
    entries, queries = dump["entries"], dump["queries"]
    vectors = np.array([q["vector"] for q in queries], dtype=np.float32)
    cosines = {}
    for kind in ["question_as_query", "question_as_passage", "opening", "full"]:
        cosines[kind] = vectors @ np.array([e[kind] for e in entries], dtype=np.float32).T
    # Chunks: each entry's best and mean chunk.
    chunks = [e["chunks"] or [e["opening"]] for e in entries]
    owner = np.concatenate([[i] * len(c) for i, c in enumerate(chunks)])
    per_chunk = vectors @ np.array([v for c in chunks for v in c], dtype=np.float32).T
    best = np.full((len(queries), len(entries)), -1.0, dtype=np.float32)
    np.maximum.at(best.T, owner, per_chunk.T)
    total = np.zeros_like(best)
    np.add.at(total.T, owner, per_chunk.T)
    cosines["chunk_max"] = best
    cosines["chunk_mean"] = total / np.bincount(owner, minlength=len(entries))
    lexical = np.zeros((len(queries), len(entries)), dtype=np.float32)
    for i, query in enumerate(queries):
        for entry, evidence in query["evidence"]:
            lexical[i, entry] = evidence
    return dict(ids=[e["id"] for e in entries], queries=queries, cosines=cosines, lexical=lexical)


def meaning(cosine):
    return (cosine - UNRELATED) / (1 - UNRELATED)


def merge(weights):
    """Scores = sum of weight x meaning per kind of vector, plus weight x capped lexical evidence."""
    def scores(data):
        total = weights.get("lexical", 0) * np.minimum(data["lexical"], 1.0)
        for kind, weight in weights.items():
            if kind != "lexical" and weight:
                total = total + weight * meaning(data["cosines"][kind])
        return total
    return scores


IN_USE = merge({"opening": 1.0, "question_as_query": 0.25, "lexical": 0.3})


def figures(scorer, half, threshold):
    out = {}
    for locale in ["en", "fr"]:
        f = dict(answerable=0, at1=0, at5=0, rr=0.0, para=0, para1=0, unanswerable=0, silent=0)
        for name in (n for n in NAMES if n.endswith(locale)):
            data = DATA[name]
            all_scores = scorer(data)
            for i, query in enumerate(data["queries"]):
                if query["half"] != half:
                    continue
                s = all_scores[i]
                order = np.argsort(-s, kind="stable")
                best = s[order[0]]
                ids = [] if best < threshold else [data["ids"][j] for j in order[:5] if s[j] >= best * RELATIVE_CUT]
                if not query["expect"]:
                    f["unanswerable"] += 1
                    f["silent"] += not ids
                    continue
                rank = next((r for r, id in enumerate(ids) if id in query["expect"]), None)
                f["answerable"] += 1
                f["at1"] += rank == 0
                f["at5"] += rank is not None
                f["rr"] += 0 if rank is None else 1 / (rank + 1)
                if query["kind"] == "paraphrase":
                    f["para"] += 1
                    f["para1"] += rank == 0
        out[locale] = f
    return out


def line(f):
    a = f["answerable"]
    return "R@1 %.3f R@5 %.3f MRR %.3f paraphrase %.3f silent %.3f" % (
        f["at1"] / a, f["at5"] / a, f["rr"] / a, f["para1"] / max(1, f["para"]), f["silent"] / max(1, f["unanswerable"]))


def both_r1(result):
    return (result["en"]["at1"] + result["fr"]["at1"]) / (result["en"]["answerable"] + result["fr"]["answerable"])


def threshold_for(scorer):
    """The lowest threshold leaving SILENT_NEEDED of both locales' unanswerable tuning queries silent."""
    for threshold in np.arange(0.2, 1.6, 0.01):
        result = figures(scorer, "tune", threshold)
        if all(r["silent"] / r["unanswerable"] >= SILENT_NEEDED for r in result.values()):
            return threshold, result
    raise SystemExit("no threshold silences enough")


def report(label, scorer):
    threshold, tune = threshold_for(scorer)
    held = figures(scorer, "held", threshold)
    print(f"{label}\n  threshold {threshold:.2f}, both locales' tuning R@1 {both_r1(tune):.3f}")
    for half, result in [("tune", tune), ("held", held)]:
        print(f"  {half} en {line(result['en'])}\n  {half} fr {line(result['fr'])}")
    for half in ["tune", "held"]:
        ceiling = figures(scorer, half, -99)
        print(f"  no threshold, {half}: en R@1 {ceiling['en']['at1'] / ceiling['en']['answerable']:.3f}"
              f" fr R@1 {ceiling['fr']['at1'] / ceiling['fr']['answerable']:.3f}")


def area_under_curve(positives, negatives):
    p, n = np.array(positives)[:, None], np.array(negatives)[None, :]
    return (p > n).mean() + 0.5 * (p == n).mean()


def answerability(scorer):
    """How well the best score tells a rightly answered need from one no entry answers (tuning halves)."""
    for locale in ["en", "fr"]:
        right, unanswerable = [], []
        for name in (n for n in NAMES if n.endswith(locale)):
            data = DATA[name]
            scores = scorer(data)
            for i, query in enumerate(data["queries"]):
                if query["half"] != "tune":
                    continue
                top = int(np.argmax(scores[i]))
                if not query["expect"]:
                    unanswerable.append(scores[i][top])
                elif data["ids"][top] in query["expect"]:
                    right.append(scores[i][top])
        print(f"  best score as a sign of an answer, {locale}: AUC {area_under_curve(right, unanswerable):.3f}")


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tune"
    DATA = {name: load(folder, name) for name in NAMES}
    report("merge in use", IN_USE)
    answerability(IN_USE)
    # The variants: which passage vector, how much the question counts, how much the words.
    best = []
    for passage, extra, question, lexical in itertools.product(
        ["opening", "full", "chunk_mean", "chunk_max"], [None, "full", "chunk_mean", "question_as_passage"],
        [0, 0.25, 0.5], [0.15, 0.3, 0.5],
    ):
        if extra == passage:
            continue
        weights = {passage: 1.0, "question_as_query": question, "lexical": lexical}
        if extra:
            weights[extra] = 0.5
        threshold, tune = threshold_for(merge(weights))
        best.append((both_r1(tune), weights))
    best.sort(key=lambda b: -b[0])
    for _, weights in best[:3]:
        report(f"variant {weights}", merge(weights))
