from services.classifier import arabizi, dialect, features
from services.classifier.serve.learned_router import route
from services.classifier.serve.linear_model import Prediction
from services.classifier.text import normalise


def test_dialect_wanting_asking_and_negation_become_standard() -> None:
    assert dialect.to_standard(normalise("ابي اعرف وش صار على الكرت")) == "اريد اعرف ماذا صار علي بطاقه"
    assert (
        dialect.to_standard(normalise("عايز افهم ليه الفلوس مش واصله")) == "اريد افهم لماذا الاموال ليس واصله"
    )
    assert dialect.to_standard(normalise("بغيت نعرف شنو وقع")) == "اريد نعرف ماذا وقع"


def test_attached_letters_are_kept_and_the_wrapped_negation_is_opened() -> None:
    assert dialect.to_standard("وبدي") == "واريد"
    assert dialect.to_standard("ماوصلتش") == "لم وصلت"
    # A standard word of the same letters is left alone.
    assert dialect.to_standard("ماذا") == "ماذا"


def test_standard_arabic_and_english_pass_through() -> None:
    for text in ("متي تصل بطاقتي الجديده؟", "where is my card"):
        assert dialect.to_standard(text) == text


def test_dialect_is_tagged_by_its_marker_words() -> None:
    assert dialect.detect(normalise("ابي احول فلوس الحين")) == "gulf"
    assert dialect.detect(normalise("بدي احول مصاري هلق")) == "levantine"
    assert dialect.detect(normalise("بغيت نصيفط الفلوس دابا")) == "maghrebi"
    assert dialect.detect(normalise("اريد تحويل الاموال")) == "msa"


def test_arabizi_is_written_in_arabic_script() -> None:
    assert arabizi.to_arabic("bdi a7awel flos 3ala 7sabi") == "bdi a7awel flos 3ala 7sabi".replace(
        "bdi a7awel flos 3ala 7sabi", "بدي احول فلوس علي حسبي"
    )
    assert arabizi.to_arabic("wein el kart?") == "وين الكرت?"


def test_english_with_numbers_is_not_taken_for_arabizi() -> None:
    for text in ("my card is 2 weeks late, 3rd time", "top up 50eur at 7pm", "i paid 300 aed"):
        assert not arabizi.looks_arabizi(text)
        assert arabizi.to_arabic(text) == text


def test_arabizi_and_dialect_reach_the_model_as_standard_arabic() -> None:
    assert features.prepare("Bdi a7awel flos") == features.prepare("أريد احول أموال")


def _prediction(confidence: float, out_of_scope: float) -> Prediction:
    return Prediction("cards", confidence, "card_arrival", (), out_of_scope)


def test_unsure_between_bank_queues_goes_to_the_likelier_queue() -> None:
    assert route(_prediction(0.4, 0.001), 0.5) == ("cards", "matched", "card_arrival")


def test_unsure_and_maybe_off_topic_goes_to_triage() -> None:
    assert route(_prediction(0.4, 0.2), 0.5) == ("triage", "low_confidence", "card_arrival")
    assert route(_prediction(0.6, 0.2), 0.5) == ("cards", "matched", "card_arrival")
