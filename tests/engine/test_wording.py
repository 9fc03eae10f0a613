"""Counts agree with their nouns in what the engine writes for people: "1 class",
"1 input column", "1 unit", never "1 classes"."""
from engine.data import load_csv
from engine.layers import create_layer
from engine.wording import noun


def test_noun_agrees_with_the_count():
    assert [noun(n, "class", "classes") for n in (0, 1, 2)] == ["classes", "class", "classes"]
    assert noun(1, "row") == "row" and noun(5, "row") == "rows"


def test_a_csv_of_one_class_and_one_input_column_is_described_in_the_singular(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a,label\n" + "".join(f"{k},same\n" for k in range(6)))
    text = load_csv(path, target="label", task="classification").description
    assert "1 input column," in text and "(1 class)" in text and "classes" not in text


def test_a_layer_of_one_unit_says_unit():
    dense = create_layer("Dense", {"units": 1, "activation": "linear"})
    assert dense.describe() == "1 unit, linear"
    lstm = create_layer("LSTM", {"units": 1})
    assert lstm.describe().startswith("1 unit, ")
