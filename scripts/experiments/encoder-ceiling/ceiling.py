#!/usr/bin/env python3
"""Would a frozen sentence encoder (all-MiniLM-L6-v2) lift replykit's auto-reply ceiling?

Dev splits only, the protocol of scripts/open_intent.py --dev, whose own
functions (splits, protocol_data) make the splits here: BANKING77 per label first 80 % of
train -> train, the rest -> traffic; CLINC150 train -> train, val -> traffic (its oos
messages stay unknowns). Known labels: open-25/50/75 (seeds 0-2) and full.

Needs emb/*.npy (embed_cache.py: every message embedded once, numpy forward pass of the
packaged model, minilm.py) and, for the "ours" rows, ours/*.scores.jsonl (ours_prep.py +
ours_run.py: replykit import / suggest on the same files).

Scores (each gives a predicted label and a confidence; answered = confidence >= threshold):
  knn1      cosine to the nearest training message
  knn3      mean cosine to the 3 nearest training messages of the top (kNN-1) label
  centroid  cosine to the nearest label centroid (normalised mean of its messages)
  lr        softmax probability of a logistic regression on the embeddings (C fixed = 10)
  lr*knn1   lr probability x knn1 cosine (same label required, else 0)
  ours      replykit's own calibrated top score (bag of words + char n-grams)
  ours&lr   ours score when ours and lr agree on the label, else 0
  ours*lr   ours score x lr probability when they agree, else 0
  ours*knn3 ours score x knn3 cosine when ours and kNN-1 agree, else 0
  margin    knn1 cosine minus the best cosine to a message of another label
  lr*knn3   lr probability x knn3 (same label required, else 0)

(a) oracle: best auto-reply rate at >= 97 % precision, threshold chosen on the traffic.
(b) realistic: threshold from the training file alone, CV holding out whole labels
    (5 folds, a fifth of the known labels left out each; in each fold the kept labels'
    messages are split 4:1 by position, the 1/5 held out; every message of the left-out
    labels is held out as an unknown; unknowns weighted to 50 % of the held-out traffic);
    lowest threshold with CV precision >= 98.5 % ("plain") or Wilson 95 % lower bound >=
    98.5 % ("wilson", n = weighted count); "wilson75": the same with unknowns weighted
    to 75 % of the held-out traffic. Applied to the traffic: precision, rate.
    Row "ours (crate)": replykit import's own thresholds, replykit eval on the same traffic.
(c) top-1 (in-scope, no threshold) and overall accuracy (answered = score >= a threshold
    chosen by the same CV to maximise 50/50-weighted accuracy), open-50 and full.

    python3 ceiling.py [--sets banking77,clinc150] [--protocols open-25,open-50,open-75,full]
"""
import argparse, json, math, os, random, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import open_intent as oi  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(ROOT, "..", "shared", "data")
OOS = "__oos__"  # CLINC150 full: its out-of-scope training messages, a class that means "no answer"
TARGET_ORACLE, TARGET_CV = 0.97, 0.985
LR_C = float(os.environ.get("LR_C", "10"))  # fixed; LR_C=1 or 100 to check sensitivity
ENC_SCORES = ["knn1", "knn3", "margin", "centroid", "lr", "lr*knn1", "lr*knn3"]


def load(name):
    """(train rows, traffic rows, train emb, traffic emb); rows' text replaced by the index."""
    rows = {}
    orig_read = oi.read

    def read_indexed(path):
        out = orig_read(path)
        for i, r in enumerate(out):
            r["text"] = i
        return out

    oi.read = read_indexed
    try:
        train, traffic = oi.splits(DATA, name, True)
    finally:
        oi.read = orig_read
    e_tr = np.load(os.path.join(HERE, "emb", f"{name}_train.npy"))
    e_te = e_tr if name == "banking77" else np.load(os.path.join(HERE, "emb", f"{name}_val.npy"))
    return train, traffic, e_tr, e_te


def lab(x):
    return OOS if x is None else x


def fit_predict(Xtr, ytr, Xte, need_lr=True):
    """Per traffic row: dict score-name -> (pred label or None, confidence)."""
    ytr = np.asarray(ytr, dtype=object)
    classes = sorted(set(ytr))
    cidx = {c: i for i, c in enumerate(classes)}
    yi = np.array([cidx[c] for c in ytr])
    sims = Xte @ Xtr.T
    nn = sims.argmax(1)
    knn1 = sims[np.arange(len(Xte)), nn]
    knn_lab = yi[nn]
    # knn3: mean of the 3 best cosines within the kNN-1 label
    knn3 = np.empty(len(Xte))
    for c in range(len(classes)):
        rows = np.where(knn_lab == c)[0]
        if len(rows) == 0:
            continue
        s = sims[np.ix_(rows, np.where(yi == c)[0])]
        k = min(3, s.shape[1])
        knn3[rows] = -np.sort(-s, axis=1)[:, :k].mean(1)
    # margin: knn1 cosine minus the best cosine to a message of any other label
    other = np.where(yi[None, :] == knn_lab[:, None], -np.inf, sims).max(1)
    margin = knn1 - other
    cent = np.stack([Xtr[yi == c].mean(0) for c in range(len(classes))])
    cent /= np.linalg.norm(cent, axis=1, keepdims=True)
    cs = Xte @ cent.T
    c_lab = cs.argmax(1)
    c_sc = cs.max(1)
    out = {"knn1": (knn_lab, knn1), "knn3": (knn_lab, knn3), "margin": (knn_lab, margin), "centroid": (c_lab, c_sc)}
    if need_lr:
        lr = LogisticRegression(C=LR_C, max_iter=300)
        lr.fit(Xtr, yi)
        p = lr.predict_proba(Xte)
        l_lab = lr.classes_[p.argmax(1)]
        l_sc = p.max(1)
        out["lr"] = (l_lab, l_sc)
        out["lr*knn1"] = (l_lab, np.where(l_lab == knn_lab, l_sc * knn1, 0.0))
        out["lr*knn3"] = (l_lab, np.where(l_lab == knn_lab, l_sc * knn3, 0.0))
    res = {}
    for k, v in out.items():
        if k.startswith("_"):
            continue
        labs = [classes[i] for i in v[0]]
        sc = np.array(v[1], dtype=float)
        # a prediction of the out-of-scope class is "no answer"
        sc = np.where(np.array([l == OOS for l in labs]), -np.inf, sc)
        res[k] = ([None if l == OOS else l for l in labs], sc)
    return res


def curve(score, correct, weight=None):
    """Distinct thresholds (descending) with answered weight and correct weight at each."""
    w = np.ones(len(score)) if weight is None else weight
    ok = np.isfinite(score)
    s, c, w = score[ok], correct[ok].astype(float), w[ok]
    order = np.argsort(-s, kind="stable")
    s, c, w = s[order], c[order], w[order]
    cw, cc = np.cumsum(w), np.cumsum(c * w)
    last = np.r_[s[1:] != s[:-1], True]  # cut only after a run of equal scores
    return s[last], cw[last], cc[last]


def oracle(score, correct, n, target=TARGET_ORACLE):
    t, ans, cor = curve(score, correct)
    good = cor / np.maximum(ans, 1e-12) >= target
    if not good.any():
        return 0.0, None
    i = np.where(good)[0][ans[good].argmax()]
    return ans[i] / n, cor[i] / ans[i]


def wilson_lower(p, n, z=1.96):
    if n <= 0:
        return 0.0
    d = 1 + z * z / n
    return (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d


def cv_threshold(score, correct, weight, kind):
    """Lowest threshold whose CV precision (plain or Wilson lower bound) >= TARGET_CV."""
    t, ans, cor = curve(score, correct, weight)
    best = math.inf
    for ti, a, c in zip(t, ans, cor):
        p = c / a
        v = p if kind == "plain" else wilson_lower(p, a)
        if v >= TARGET_CV:
            best = ti  # thresholds descend: the last that passes is the lowest
    return best


def cv_best_accuracy_threshold(score, correct, weight, is_unknown):
    """Threshold maximising weighted overall accuracy (answered right, or unknown left alone)."""
    t, ans, cor = curve(score, correct, weight)
    ok = np.isfinite(score)
    # unknowns answered at each threshold
    order = np.argsort(-score[ok], kind="stable")
    s = score[ok][order]
    uw = np.cumsum((weight[ok] * is_unknown[ok])[order])
    last = np.r_[s[1:] != s[:-1], True]
    unk_answered = uw[last]
    total_unknown = (weight * is_unknown).sum()
    acc = cor + (total_unknown - unk_answered)
    none_acc = total_unknown
    if len(acc) == 0 or none_acc >= acc.max():
        return math.inf
    return t[acc.argmax()]


def cv_scores(Xtr, ytr, seed, with_ours=False):
    """Held-out (score, correct, weight, unknown) per score name over 5 label-folds."""
    labels = sorted({y for y in ytr if y != OOS})
    rnd = random.Random(100 + seed)
    order = list(labels)
    rnd.shuffle(order)
    folds = [set(order[f::5]) for f in range(5)]
    pos = {}
    position = np.zeros(len(ytr), dtype=int)
    for i, y in enumerate(ytr):
        position[i] = pos.get(y, 0)
        pos[y] = position[i] + 1
    acc = {k: ([], [], [], []) for k in ENC_SCORES}
    ytr = np.asarray(ytr, dtype=object)
    for f in range(5):
        out_lab = np.array([y in folds[f] for y in ytr])
        held_in = (~out_lab) & (position % 5 == f)
        fit = (~out_lab) & ~held_in
        if len(set(ytr[fit])) < 2:
            continue
        held = out_lab | held_in
        unknown = out_lab | (held_in & (ytr == OOS))
        res = fit_predict(Xtr[fit], ytr[fit], Xtr[held])
        n_known = (held_in & (ytr != OOS)).sum()
        n_unk = unknown.sum()
        w = np.where(unknown[held], n_known / max(n_unk, 1), 1.0)
        truth = ytr[held]
        for k in ENC_SCORES:
            labs, sc = res[k]
            corr = np.array([(not u) and l == t for l, t, u in zip(labs, truth, unknown[held])])
            a = acc[k]
            a[0].append(sc); a[1].append(corr); a[2].append(w); a[3].append(unknown[held].astype(float))
    return {k: tuple(np.concatenate(x) for x in v) for k, v in acc.items()}


def ours_scores(name, protocol, seed):
    path = os.path.join(HERE, "ours", f"{name}-{protocol}-{seed}.scores.jsonl")
    if not os.path.exists(path):
        return None
    rows = [json.loads(l) for l in open(path)]
    return [r["top"] for r in rows], np.array([r["score"] or 0.0 for r in rows], dtype=float)


def run(name, protocol, seed, data):
    train, traffic, e_tr, e_te = data
    tr, te = oi.protocol_data(train, traffic, protocol, seed)
    Xtr = e_tr[[r["text"] for r in tr]]
    ytr = [lab(r["label"]) for r in tr]
    Xte = e_te[[r["text"] for r in te]]
    truth = [r["label"] for r in te]
    n = len(te)
    res = fit_predict(Xtr, ytr, Xte)
    ours = ours_scores(name, protocol, seed)
    if ours is not None:
        np.seterr(invalid="ignore")  # -inf x 0 in the products below, masked by np.where
        o_lab, o_sc = ours
        l_lab, l_sc = res["lr"]
        agree = np.array([a == b and a is not None for a, b in zip(o_lab, l_lab)])
        res["ours"] = (o_lab, o_sc)
        ev = os.path.join(HERE, "ours", f"{name}-{protocol}-{seed}.eval.json")
        res["ours&lr"] = (o_lab, np.where(agree, o_sc, 0.0))
        res["ours*lr"] = (o_lab, np.where(agree, o_sc * l_sc, 0.0))
        k_lab, k_sc = res["knn3"]
        agree3 = np.array([a == b and a is not None for a, b in zip(o_lab, k_lab)])
        res["ours*knn3"] = (o_lab, np.where(agree3, o_sc * k_sc, 0.0))
    out = {}
    in_scope = np.array([t is not None for t in truth])
    for k, (labs, sc) in res.items():
        corr = np.array([t is not None and l == t for l, t in zip(labs, truth)])
        rate, prec = oracle(sc, corr, n)
        top1 = corr[in_scope].mean()  # argmax label, thresholds ignored
        out[k] = {"oracle_rate": rate, "oracle_prec": prec, "top1": top1}
    if ours is not None and os.path.exists(ev):
        e = json.load(open(ev))
        out["ours"].update({"crate_prec": e["auto_reply_precision"], "crate_rate": e["auto_reply_rate"],
                            "overall_acc": e["overall_accuracy"]})
    cv = cv_scores(Xtr, ytr, seed)
    unknown_te = ~in_scope
    for k in ENC_SCORES:
        labs, sc = res[k]
        corr = np.array([t is not None and l == t for l, t in zip(labs, truth)])
        s_cv, c_cv, w_cv, u_cv = cv[k]
        w75 = np.where(u_cv > 0, 3.0 * w_cv, w_cv)
        for kind in ("plain", "wilson", "wilson75"):
            t = cv_threshold(s_cv, c_cv, w75 if kind == "wilson75" else w_cv, "plain" if kind == "plain" else "wilson")
            answered = sc >= t
            out[k][f"{kind}_thr"] = t
            out[k][f"{kind}_rate"] = answered.mean()
            out[k][f"{kind}_prec"] = corr[answered].mean() if answered.any() else None
        ta = cv_best_accuracy_threshold(s_cv, c_cv, w_cv, u_cv)
        answered = sc >= ta
        right = np.where(answered, corr, unknown_te)
        out[k]["overall_acc"] = right.mean()
        out[k]["oos_recall"] = (~answered[unknown_te]).mean() if unknown_te.any() else None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="banking77,clinc150")
    ap.add_argument("--protocols", default="open-25,open-50,open-75,full")
    ap.add_argument("--json", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--table-only", action="store_true", help="print the tables from --json, no run")
    args = ap.parse_args()
    if args.table_only:
        allres = json.load(open(args.json))
        table(allres)
        seed_table(allres)
        return
    allres = {}
    for name in args.sets.split(","):
        data = load(name)
        for p in args.protocols.split(","):
            for seed in ((0, 1, 2) if p.startswith("open") else (0,)):
                t0 = time.time()
                allres[f"{name}|{p}|{seed}"] = run(name, p, seed, data)
                print(f"{name} {p} seed {seed}: {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
                json.dump(allres, open(args.json, "w"), indent=1, default=float)
    table(allres)
    seed_table(allres)


def seed_table(allres, scores=("knn3", "lr", "lr*knn1", "lr*knn3")):
    print()
    print("| set | protocol | score | per seed: oracle rate · CV plain prec/rate · CV Wilson prec/rate |")
    print("|---|---|---|---|")
    for k0 in ("open-25", "open-50", "open-75"):
        for name in ("banking77", "clinc150"):
            for sc in scores:
                cells = []
                for seed in (0, 1, 2):
                    r = allres.get(f"{name}|{k0}|{seed}", {}).get(sc)
                    if r is None:
                        continue
                    cells.append(f"s{seed}: {fmt(r['oracle_rate'])} · {fmt(r['plain_prec'])}/{fmt(r['plain_rate'])} · {fmt(r['wilson_prec'])}/{fmt(r['wilson_rate'])}")
                if cells:
                    print(f"| {name} | {k0} | {sc} | " + "; ".join(cells) + " |")


def mean(vals):
    vals = [v for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(vals) / len(vals) if vals else None


def fmt(x, pct=True):
    return "–" if x is None else (f"{100 * x:.1f}" if pct else f"{x:.3f}")


def table(allres):
    keys = sorted({tuple(k.split("|")[:2]) for k in allres}, key=lambda x: (x[0], ["open-25", "open-50", "open-75", "full"].index(x[1])))
    print("| set | protocol | score | oracle rate @97 % | CV-thr (plain) prec / rate | CV-thr (Wilson) prec / rate | CV-thr (Wilson, 75 % unk.) prec / rate | top-1 | overall acc |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, p in keys:
        runs = [v for k, v in allres.items() if k.startswith(f"{name}|{p}|")]
        for score in runs[0]:
            g = lambda f: mean([r[score].get(f) for r in runs])
            cells = [fmt(g("oracle_rate"))]
            if "plain_rate" in runs[0][score]:
                cells += [f"{fmt(g(k + '_prec'))} / {fmt(g(k + '_rate'))}" for k in ("plain", "wilson", "wilson75")]
            elif "crate_rate" in runs[0][score]:
                cells += [f"crate's import: {fmt(g('crate_prec'))} / {fmt(g('crate_rate'))}", "", ""]
            else:
                cells += ["", "", ""]
            cells += [fmt(g("top1")), fmt(g("overall_acc")) if "overall_acc" in runs[0][score] else ""]
            print(f"| {name} | {p} | {score} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
