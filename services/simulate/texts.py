"""Inquiry texts for simulated contacts, in Arabic and English (reads data files; no I/O after load).

Human contacts take their words from the classifier's training data (BANKING77 in English, its
Arabised ArBanking77 in Arabic, as services/classifier/data holds them): a customer's story is a few
sentences of one intent, over 300 characters, so the FAQ (which answers short frequent questions
only) leaves it to a person and the classifier routes it by its intent. Self-service contacts (FAQ
on the web, mobile and chat; the IVR on calls) ask one of the knowledge base's own questions
(services/classifier/faq.yaml) of an entry that names no intents, which the FAQ answers at once
by its wording alone. Both files are read as data: the
simulator imports nothing of the classifier.
"""

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "services" / "classifier" / "data"
FAQ_FILE = ROOT / "services" / "classifier" / "faq.yaml"
# The FAQ answers inquiries of at most 300 characters (services/classifier/faq.py MAX_CHARS).
STORY_MIN_CHARS = 320
STORY_MAX_SENTENCES = 12
# Wordings of the knowledge base that the shipped classifier leaves to a person all the same
# (measured through the stack: their intent is one the FAQ never answers, e.g. a phone read as a
# lost phone, or urgent), so a customer asking them is not self-served.
LEFT_TO_A_PERSON = frozenset(
    {
        "Is there an app for my phone?",
        "What is the status of my chargeback?",
        "When will I hear back about my dispute?",
        "How long does a dispute take?",
        "هل يوجد تطبيق للجوال؟",
        "من أين أحصل على تطبيق الجوال؟",
        "كيف أتواصل مع البنك؟",
    }
)


@dataclass(frozen=True)
class Texts:
    # language -> intent -> sentences
    stories: dict[str, dict[str, tuple[str, ...]]]
    # language -> the knowledge base's questions
    questions: dict[str, tuple[str, ...]]

    def story(self, rng: random.Random, language: str) -> str:
        """A customer's inquiry of one intent, long enough that only a person answers it."""
        by_intent = self.stories[language]
        intent = rng.choice(sorted(by_intent))
        sentences = by_intent[intent]
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < STORY_MIN_CHARS and len(parts) < STORY_MAX_SENTENCES:
            parts.append(rng.choice(sentences))
        text = " ".join(parts)
        # An intent with few short sentences still ends up long enough.
        while len(text) < STORY_MIN_CHARS:
            text = f"{text} {text}"
        return text

    def question(self, rng: random.Random, language: str) -> str:
        """A frequent question, worded as the knowledge base has it: the FAQ answers it."""
        return rng.choice(self.questions[language])


def load(data: Path = DATA, faq_file: Path = FAQ_FILE) -> Texts:
    english: dict[str, list[str]] = defaultdict(list)
    with (data / "banking77" / "train.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            english[row["category"]].append(row["text"].strip())
    arabic: dict[str, list[str]] = defaultdict(list)
    with (data / "arbanking77" / "Banking77_Arabized_MSA_PAL_train.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            arabic[row["label"]].append(row["text"].strip())
    faq = yaml.safe_load(faq_file.read_text(encoding="utf-8"))
    questions: dict[str, list[str]] = defaultdict(list)
    for entry in faq["entries"]:
        # An entry that lists intents answers only when the classifier's intent agrees, which a
        # frequent question's own wording does not always earn; the wording alone decides the others.
        if entry.get("intents"):
            continue
        for language, wordings in (entry.get("questions") or {}).items():
            # Only real questions: the FAQ's bare keywords ("activate card") are not how people call.
            questions[language].extend(
                w for w in wordings if len(w.split()) >= 4 and w not in LEFT_TO_A_PERSON
            )
    return Texts(
        stories={
            "en": {k: tuple(v) for k, v in english.items() if v},
            "ar": {k: tuple(v) for k, v in arabic.items() if v},
        },
        questions={k: tuple(v) for k, v in questions.items()},
    )
