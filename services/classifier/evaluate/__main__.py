"""Evaluates the learned router against the issue's baseline on the validation data, and times it:
`python -m services.classifier.evaluate [--model PATH] [--threshold P] [--no-grpc]`.

The baseline (TF-IDF word 1-2-grams and char 2-5-grams, linear SVM) is trained in the same run on
the same rows. The model is read from --model, else from where `train` writes by default (trained
first when missing).
"""

import argparse
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from services.classifier import keyword_table, model_file
from services.classifier.evaluate import latency, validation
from services.classifier.evaluate.baseline import Baseline
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD, LearnedRouter, route
from services.classifier.serve.linear_model import LinearModel
from services.classifier.train import datasets, pipeline

SWEEP = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
# sklearn's per-call cost is ~3 ms: a sample is enough to time it.
BASELINE_TIMED = 1000
GRPC_TIMED = 2000


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _sweep(model: LinearModel, corpus: datasets.Corpus) -> list[list[str]]:
    predictions = [model.predict(pipeline.features.prepare(e.text)) for e in corpus.validation]
    rows = []
    for threshold in SWEEP:
        routed = []
        for prediction in predictions:
            queue, _, intent = route(prediction, threshold)
            routed.append(validation.Routed(queue, intent))
        figures = validation.figures(list(zip(corpus.validation, routed, strict=True)))
        in_scope = [
            (e, r) for e, r in zip(corpus.validation, routed, strict=True) if e.queue != "out_of_scope"
        ]
        sent = [(e, r) for e, r in in_scope if r.queue != "triage"]
        right = sum(e.queue == r.queue for e, r in sent) / max(len(sent), 1)
        rows.append(
            [f"{threshold:.1f}", _f(figures["in_scope_to_triage"]), _f(right), _f(figures["oos_recall"])]
        )
    return rows


def _accuracy_tables(
    model: LinearModel, corpus: datasets.Corpus, baseline: Baseline, threshold: float
) -> None:
    rows = corpus.validation
    ours = list(zip(rows, pipeline.routed(model, rows, threshold), strict=True))
    argmax = validation.figures(list(zip(rows, pipeline.routed(model, rows, 0.0), strict=True)))
    routes = baseline.route_many([e.text for e in rows])
    theirs = [(e, validation.Routed(q, i)) for e, (q, i) in zip(rows, routes, strict=True)]
    figures, baseline_figures = validation.figures(ours), validation.figures(theirs)
    _table(
        "Figures (in-scope accuracy counts triage as wrong)",
        ["figure", f"learned, threshold {threshold}", "learned, no threshold", "baseline"],
        [[n, _f(figures[n]), _f(argmax[n]), _f(baseline_figures.get(n))] for n in sorted(figures)],
    )
    queues, baseline_queues = validation.per_queue(ours), validation.per_queue(theirs)
    _table(
        "Per queue (out of scope counted as triage)",
        ["queue", "rows", "recall", "precision", "F1", "baseline F1"],
        [
            [
                q,
                int(v["rows"]),
                _f(v["recall"]),
                _f(v["precision"]),
                _f(v["f1"]),
                _f(baseline_queues[q]["f1"]),
            ]
            for q, v in queues.items()
        ],
    )
    _table(
        "Confidence threshold",
        ["threshold", "in-scope to triage", "routed right", "oos recall"],
        _sweep(model, corpus),
    )


def _latency_table(
    router: LearnedRouter, baseline: Baseline, texts: list[str], model_path: Path | None
) -> None:
    timed = [
        ("learned, in process", latency.time_calls(lambda t: router.decide(t, "", "chat", "", ""), texts)),
        ("baseline, in process", latency.time_calls(baseline.route, texts[:BASELINE_TIMED])),
    ]
    rows = [[name, *_timing(latency.summary(timings))] for name, timings in timed]
    if model_path is not None:
        with latency.server(model_path) as channel:
            for name, figures in latency.over_grpc(channel, texts[:GRPC_TIMED]).items():
                rows.append([f"learned, {name} over gRPC", *_timing(figures)])
    _table("Latency (one call at a time)", ["what", "p50 ms", "p99 ms", "per second"], rows)


def _timing(figures: dict[str, float]) -> list[str]:
    p50, p99 = figures.get("p50_ms"), figures.get("p99_ms")
    return [
        "—" if p50 is None else f"{p50:.3f}",
        "—" if p99 is None else f"{p99:.3f}",
        f"{figures['per_s']:,.0f}",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.classifier.evaluate", description=__doc__)
    parser.add_argument("--model", type=Path, help="the model file (default: where train writes)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="confidence threshold")
    parser.add_argument("--no-grpc", action="store_true", help="skip timing over gRPC")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    corpus = datasets.load()
    path = args.model or pipeline.default_out()
    if not path.is_file():
        print(f"no model at {path}: training it first")
        model_file.save(*pipeline.build(corpus), path)
    model, info = model_file.load(path)
    print(
        f"model {info.version} ({path}); threshold {args.threshold}; {len(corpus.validation)} validation rows"
    )
    started = time.perf_counter()
    baseline = Baseline(corpus.train)
    print(f"baseline trained in {time.perf_counter() - started:.0f} s on the same {len(corpus.train)} rows")
    _accuracy_tables(model, corpus, baseline, args.threshold)
    router = LearnedRouter(model, info, keyword_table.load().spec.priority, args.threshold)
    _latency_table(router, baseline, [e.text for e in corpus.validation], None if args.no_grpc else path)


if __name__ == "__main__":
    main()
