"""Trains the learned router and writes the model file:
`python -m services.classifier.train [--out PATH] [--corrections FILE.jsonl] [--data DIR]`, or for an
operator's own queues `... --taxonomy FILE.yaml [--labelled FILE.csv]` (exit code 2 when too thin).

The file records the model version, the training date, the SHA-256 of every data file (and of the
corrections) and the figures on the validation data. Without --out it goes to MODEL_PATH when
that is set (a running classifier loads it within seconds), else to the default model's place in
MODEL_DIR.
"""

import argparse
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from services.classifier import model_file
from services.classifier.train import corrections, datasets, taxonomy
from services.classifier.train.pipeline import build, build_taxonomy, default_out


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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
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
