"""The baseline of docs/classifier.md, trained for comparison only: TF-IDF words and chars, a linear SVM.

Trained on the same rows and labels as the learned model, with scikit-learn's own text handling
(lower case, no Arabic normalisation) and no calibration: it sends to triage only what it labels
out of scope.
"""

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from services.classifier.decision import TRIAGE_QUEUE
from services.classifier.labels import OUT_OF_SCOPE
from services.classifier.train.datasets import Example


class Baseline:
    def __init__(self, examples: Sequence[Example]):
        self._queues = {example.intent: example.queue for example in examples}
        self.pipeline = Pipeline(
            [
                (
                    "features",
                    FeatureUnion(
                        [
                            ("words", TfidfVectorizer(ngram_range=(1, 2))),
                            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(2, 5))),
                        ]
                    ),
                ),
                ("svm", LinearSVC(C=1.0)),
            ]
        )
        self.pipeline.fit([example.text for example in examples], [example.intent for example in examples])

    def route(self, text: str) -> tuple[str, str]:
        """(queue, intent) for one text: the per-call cost of a scikit-learn pipeline."""
        intent = str(self.pipeline.predict([text])[0])
        queue = self._queues[intent]
        return (TRIAGE_QUEUE, "") if queue == OUT_OF_SCOPE else (queue, intent)

    def route_many(self, texts: Sequence[str]) -> list[tuple[str, str]]:
        results = []
        for intent in self.pipeline.predict(list(texts)):
            queue = self._queues[str(intent)]
            results.append((TRIAGE_QUEUE, "") if queue == OUT_OF_SCOPE else (queue, str(intent)))
        return results
