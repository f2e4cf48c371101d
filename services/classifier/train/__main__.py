"""Trains the learned router and writes the model file:
`python -m services.classifier.train [--out PATH] [--corrections FILE.jsonl] [--data DIR]`; for an
operator's own queues `... --taxonomy FILE.yaml [--labelled FILE.csv] [--hold-out]` (exit code 1 when
too thin); from agents' transfers in DATABASE_URL `... --from-corrections [--since DATE]` (writes the
new model only when it is no worse than the one at the target: exit code 3 when refused);
`... --if-missing` trains the default model only when a classifier started now would have to (the
learned router, no MODEL_PATH, nothing in MODEL_DIR yet), so a caller can have it before starting one.

The file records the model version, the training date, the SHA-256 of every data file (and of the
corrections) and the figures on the validation data. Without --out it goes to MODEL_PATH when
that is set (a running classifier loads it within seconds), else to the default model's place in
MODEL_DIR.
"""

import argparse
import logging
import os
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import psycopg

from services.classifier import model_file
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD
from services.classifier.settings import ModelChoice
from services.classifier.train import corrections, datasets, taxonomy
from services.classifier.train.pipeline import (
    build,
    build_taxonomy,
    default_model_missing,
    default_out,
    learn_from_floor,
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.classifier.train", description=__doc__)
    parser.add_argument("--out", type=Path, help="where to write the model file (.npz)")
    parser.add_argument("--corrections", type=Path, help="agents' corrections, JSON lines {text, queue}")
    parser.add_argument("--data", type=Path, default=datasets.DATA_DIR, help="the training data folder")
    parser.add_argument("--taxonomy", type=Path, help="an operator's queues and examples (YAML)")
    parser.add_argument("--labelled", type=Path, help="with --taxonomy: past inquiries, CSV text,queue")
    parser.add_argument(
        "--hold-out",
        action="store_true",
        help="with --taxonomy: train without every 5th example per queue and language; measure on them",
    )
    parser.add_argument(
        "--from-corrections",
        action="store_true",
        help="retrain with agents' transfers from DATABASE_URL; write the model only if it is no worse",
    )
    parser.add_argument(
        "--since", type=datetime.fromisoformat, help="with --from-corrections: corrections since (ISO date)"
    )
    parser.add_argument(
        "--threshold", type=float, default=DEFAULT_THRESHOLD, help="the served CONFIDENCE_THRESHOLD"
    )
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="train the default model only when a classifier started now would train it at its start",
    )
    args = parser.parse_args(argv)
    if args.if_missing:
        missing = default_model_missing(ModelChoice.from_env(os.environ))
        if missing is None:
            return
        print(f"no model at {missing}: training the default model first (about a minute, once)", flush=True)
        args.out = missing
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    if args.from_corrections:
        raise SystemExit(_from_corrections(args.data, args.out or default_out(), args.since, args.threshold))
    if args.taxonomy:
        _taxonomy(args.taxonomy, args.labelled, args.data, args.out or default_out(), args.hold_out)
        return
    try:
        corpus = datasets.load(args.data)
        extra = corrections.load(args.corrections) if args.corrections else []
    except (OSError, ValueError) as error:
        raise SystemExit(f"train: {error}") from None
    extra_checksums = {}
    if args.corrections:
        extra_checksums[f"corrections/{args.corrections.name}"] = datasets.sha256(args.corrections)
    model, info = build(corpus, extra, extra_checksums)
    out = args.out or default_out()
    model_file.save(model, info, out)
    print(f"wrote {out} ({info.version}) in {time.perf_counter() - started:.0f} s; trained on "
          f"{len(corpus.train) + len(extra)} rows ({len(extra)} corrections)")  # fmt: skip
    for name, value in sorted(info.validation.items()):
        print(f"  {name:28s} {value:.4f}")


def _from_corrections(data: Path, out: Path, since: datetime | None, threshold: float) -> int:
    """0 when the new model was written, 3 when it was refused (the served one stays)."""
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("train: --from-corrections needs DATABASE_URL")
    try:
        extra = corrections.from_database(database_url, since)
        corpus = datasets.load(data)
    except (OSError, ValueError, psycopg.Error) as error:
        raise SystemExit(f"train: {error}") from None
    result = learn_from_floor(corpus, extra, out, threshold)
    print(f"corrections: {result.trained_on} trained on, {result.held_back} held back")
    print(f"{'queue accuracy':28s} {'validation':>10s} {'held-back corrections':>22s}")
    for name, figures in (
        ("served " + str(out), result.current),
        (result.candidate_version, result.candidate),
    ):
        if figures is not None:
            print(f"{name[:28]:28s} {figures.validation:10.4f} {figures.corrections:22.4f}")
    verdict = "written" if result.verdict.accepted else "refused, the served model stays"
    print(f"{result.candidate_version}: {verdict}: {result.verdict.why}")
    return 0 if result.verdict.accepted else 3


def _taxonomy(path: Path, labelled: Path | None, data: Path, out: Path, hold_out: bool) -> None:
    try:
        queues, rows = taxonomy.load(path, labelled)
        corpus = datasets.load(data)
    except taxonomy.TaxonomyError as error:
        raise SystemExit(f"train: {error}") from None
    except (OSError, ValueError) as error:
        raise SystemExit(f"train: {error}") from None
    model, info, cv, held = build_taxonomy(
        rows, corpus, {f"taxonomy/{path.name}": datasets.sha256(path)}, hold_out
    )
    model_file.save(model, info, out)
    print(f"wrote {out} ({info.version}): {len(queues)} queues, {len(rows)} examples")
    print(
        f"cross-validated ({taxonomy.FOLDS} folds): accuracy {cv.accuracy:.4f}, "
        f"to triage {cv.to_triage:.1%}, "
        f"public rows to triage {cv.out_of_scope_recall:.1%}, out-of-scope floor {cv.floor}"
    )
    _print_figures(cv)
    if held is not None:
        print(
            f"held back (every {taxonomy.HOLD_OUT_EVERY}th example of each queue and language): "
            f"accuracy {held.accuracy:.4f}, to triage {held.to_triage:.1%}"
        )
        _print_figures(held)


def _print_figures(cv: taxonomy.CrossValidation) -> None:
    for lang, accuracy in cv.per_language.items():
        print(f"  {lang:28s} {accuracy:.4f}")
    for queue, (count, accuracy) in cv.per_queue.items():
        print(f"  {queue:28s} {accuracy:.4f}  ({count} examples)")
    print("confused (gold -> routed: count):" if cv.confusions else "no confusions")
    for (gold, routed), count in cv.confusions.items():
        print(f"  {gold} -> {routed}: {count}")


if __name__ == "__main__":
    main()
