from services.shared.kpi_targets import evaluate


def test_targets_are_met_by_direction_and_unknown_when_there_is_no_figure() -> None:
    report = evaluate({"asa_s": 14.0, "service_level": 0.79, "aht_s": None, "offered": 10})
    assert report == {
        "asa_s": {"target": 20, "direction": "max", "met": True},
        "service_level": {"target": 0.80, "direction": "min", "met": False},
        "aht_s": {"target": 300, "direction": "max", "met": None},
    }
