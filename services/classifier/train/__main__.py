"""Trains the learned router and writes the model file:
`python -m services.classifier.train [--out PATH] [--corrections FILE.jsonl] [--data DIR]`.

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
from services.classifier.train import corrections, datasets
from services.classifier.train.pipeline import build, default_out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.classifier.train", description=__doc__)
    parser.add_argument("--out", type=Path, help="where to write the model file (.npz)")
    parser.add_argument("--corrections", type=Path, help="agents' corrections, JSON lines {text, queue}")
    parser.add_argument("--data", type=Path, default=datasets.DATA_DIR, help="the training data folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
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


if __name__ == "__main__":
    main()
