"""CSV tables and CSV time series: values, labels, task inference and located errors."""
import numpy as np
import pytest

from engine.data import load_csv, load_timeseries, split
from engine.errors import DataError, RaggedRowError


def write(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def load_error(tmp_path, text, **kwargs) -> DataError:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as err:
        load_csv(path, **{"target": "label", **kwargs})
    return err.value


# -- good files ------------------------------------------------------------------------

def test_numbers_and_text_labels(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,cat\n3,4.5,dog\n5,-6,cat\n7,8e1,bird\n")
    data = load_csv(path, target="label")
    assert data.task == "classification"
    assert data.class_names == ("bird", "cat", "dog")
    assert data.y.tolist() == [1, 2, 1, 0]
    assert data.y.dtype == np.int64 and data.x.dtype == np.float32
    np.testing.assert_allclose(data.x, [[1, 2], [3, 4.5], [5, -6], [7, 80]])
    assert data.feature_names == ("a", "b")


def test_target_column_can_be_anywhere_and_features_chosen(tmp_path):
    path = write(tmp_path, "label,a,b,c\n1.5,1,2,3\n2.5,4,5,6\n")
    data = load_csv(path, target="label", features=["c", "a"], task="regression")
    np.testing.assert_allclose(data.x, [[3, 1], [6, 4]])
    assert data.y.shape == (2, 1) and data.y.dtype == np.float32


def test_task_inference(tmp_path):
    few = "x,label\n" + "".join(f"{i},{i % 3}\n" for i in range(30))
    data = load_csv(write(tmp_path, few, "few.csv"), target="label")
    assert data.task == "classification" and data.class_names == ("0", "1", "2")
    many = "x,label\n" + "".join(f"{i},{i * 7}\n" for i in range(30))
    assert load_csv(write(tmp_path, many, "many.csv"), target="label").task == "regression"
    frac = "x,label\n" + "".join(f"{i},{i % 2 + 0.5}\n" for i in range(30))
    assert load_csv(write(tmp_path, frac, "frac.csv"), target="label").task == "regression"


def test_numeric_labels_map_to_indices_in_sorted_order(tmp_path):
    path = write(tmp_path, "x,label\n0,5\n1,-1\n2,5\n3,2\n4,-1\n5,2\n")
    data = load_csv(path, target="label", task="classification")
    assert data.class_names == ("-1", "2", "5")
    assert data.y.tolist() == [2, 0, 2, 1, 0, 1]


def test_forced_regression_and_several_targets(tmp_path):
    path = write(tmp_path, "x,label,other\n1,0,10\n2,1,20\n3,0,30\n")
    assert load_csv(path, target="label", task="regression").task == "regression"
    data = load_csv(path, target=["label", "other"])
    assert data.task == "regression" and data.y.shape == (3, 2)
    np.testing.assert_allclose(data.x, [[1], [2], [3]])


def test_quoted_cells_bom_crlf_and_trailing_blank_lines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'\xef\xbb\xbf"a","label"\r\n"1,5",x\r\n2,"y"\r\n\r\n\r\n')
    with pytest.raises(DataError) as err:  # "1,5" is one cell holding text
        load_csv(path, target="label")
    assert (err.value.row, err.value.column) == (2, "a")
    path.write_bytes(b'\xef\xbb\xbf"a","label"\r\n"1.5",x\r\n 2 ,"y"\r\n\r\n')
    data = load_csv(path, target="label")
    np.testing.assert_allclose(data.x[:, 0], [1.5, 2])
    assert data.class_names == ("x", "y")


def test_semicolon_delimiter(tmp_path):
    data = load_csv(write(tmp_path, "a;label\n1;u\n2;v\n"), target="label", delimiter=";")
    assert data.x.shape == (2, 1)


# -- errors name the line and the column ------------------------------------------------

def test_missing_value_names_row_and_column(tmp_path):
    err = load_error(tmp_path, "a,b,label\n1,2,x\n3,,y\n5,6,x\n")
    assert (err.row, err.column) == (3, "b")
    assert "missing" in str(err) and "line 3" in str(err)


@pytest.mark.parametrize("token", ["NA", "nan", "?", "null"])
def test_missing_markers_are_missing_values(tmp_path, token):
    err = load_error(tmp_path, f"a,label\n1,x\n{token},y\n")
    assert (err.row, err.column) == (3, "a") and "missing" in str(err)


def test_text_in_a_number_column(tmp_path):
    err = load_error(tmp_path, "a,b,label\n1,2,x\n3,4,y\n5,six,x\n")
    assert (err.row, err.column) == (4, "b")
    assert "'six'" in str(err) and "not a number" in str(err)


def test_first_problem_in_file_order_is_reported(tmp_path):
    err = load_error(tmp_path, "a,b,label\n1,2,x\n3,oops,y\nbad,4,x\n")
    assert (err.row, err.column) == (3, "b")
    err = load_error(tmp_path, "a,b,label\n1,2,x\nbad,4,y\n3,oops,x\n")
    assert (err.row, err.column) == (3, "a")


def test_a_text_input_column_says_so(tmp_path):
    err = load_error(tmp_path, "colour,a,label\nred,1,x\nblue,2,y\n")
    assert (err.row, err.column) == (2, "colour") and "whole column" in str(err)


def test_infinite_value(tmp_path):
    err = load_error(tmp_path, "a,label\n1,x\ninf,y\n")
    assert (err.row, err.column) == (3, "a")


def test_ragged_rows(tmp_path):
    short = load_error(tmp_path, "a,b,label\n1,2,x\n3,4\n")
    assert (short.row, short.column) == (3, "label")
    long = load_error(tmp_path, "a,b,label\n1,2,x\n3,4,y,9\n")
    assert long.row == 3 and long.column == "#4"
    assert "there is 1 more value than columns" in str(long)
    # The file's shape, not one column's value: the window shows it at the file's path.
    assert isinstance(short, RaggedRowError) and isinstance(long, RaggedRowError)


def test_line_numbers_count_multiline_quoted_cells(tmp_path):
    err = load_error(tmp_path, 'a,label\n1,"two\nlines"\n2,x\n,y\n')
    assert (err.row, err.column) == (5, "a")


def test_blank_line_between_rows_is_an_error(tmp_path):
    err = load_error(tmp_path, "a,label\n1,x\n\n2,y\n")
    assert err.row == 3


def test_target_that_does_not_exist_lists_the_columns(tmp_path):
    err = load_error(tmp_path, "a,b,species\n1,2,x\n", target="label")
    assert err.column == "label"
    assert "'a', 'b', 'species'" in str(err)


def test_unknown_feature_column(tmp_path):
    err = load_error(tmp_path, "a,label\n1,x\n", features=["a", "zz"])
    assert err.column == "zz"


def test_empty_file_and_header_only(tmp_path):
    assert "empty" in str(load_error(tmp_path, ""))
    assert "empty" in str(load_error(tmp_path, "  \n\n"))
    err = load_error(tmp_path, "a,label\n")
    assert "no data rows" in str(err) and err.row == 2


def test_header_problems(tmp_path):
    dup = load_error(tmp_path, "a,a,label\n1,2,x\n")
    assert (dup.row, dup.column) == (1, "a")
    blank = load_error(tmp_path, "a,,label\n1,2,x\n")
    assert (blank.row, blank.column) == (1, "#2")


def test_missing_target_value(tmp_path):
    err = load_error(tmp_path, "a,label\n1,x\n2,\n")
    assert (err.row, err.column) == (3, "label")


def test_text_in_a_numeric_target(tmp_path):
    err = load_error(tmp_path, "a,label\n1,1.5\n2,2.5\n3,oops\n4,3.5\n")
    assert (err.row, err.column) == (4, "label")
    err = load_error(tmp_path, "a,label\n1,x\n2,y\n", task="regression")
    assert (err.row, err.column) == (2, "label")


def test_fractional_class_labels_are_refused(tmp_path):
    err = load_error(tmp_path, "a,label\n1,1\n2,1.5\n", task="classification")
    assert (err.row, err.column) == (3, "label")


def test_only_target_column_and_bad_task(tmp_path):
    assert "no input columns" in str(load_error(tmp_path, "label\nx\ny\n"))
    assert "task" in str(load_error(tmp_path, "a,label\n1,x\n", task="clustering"))


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,label\n1,x\n2,caf\xe9\n")
    with pytest.raises(DataError) as err:
        load_csv(path, target="label")
    assert err.value.row == 3


def test_missing_file(tmp_path):
    with pytest.raises(DataError):
        load_csv(tmp_path / "nope.csv", target="label")


# -- time series -------------------------------------------------------------------------

SERIES = "date,temp,load\n" + "".join(f"2024-01-{d:02d},{d},{d * 10}\n" for d in range(1, 11))


def test_time_series_windows(tmp_path):
    data = load_timeseries(write(tmp_path, SERIES), target="load", window=3, horizon=1)
    assert data.x.shape == (7, 3, 2) and data.y.shape == (7, 1)
    assert data.feature_names == ("load", "temp")
    np.testing.assert_array_equal(data.x[0], [[10, 1], [20, 2], [30, 3]])
    assert data.y[0, 0] == 40 and data.y[-1, 0] == 100
    assert data.meta["skipped_columns"] == ["date"] and "date" in data.description
    assert data.input_kind == "sequence" and data.task == "regression"


def test_time_series_horizon_and_chosen_features(tmp_path):
    data = load_timeseries(write(tmp_path, SERIES), target="load", window=2, horizon=3,
                           features=["temp"])
    assert data.x.shape == (6, 2, 1)
    np.testing.assert_array_equal(data.x[0, :, 0], [1, 2])
    assert data.y[0, 0] == 50  # three steps after day 2


def test_time_series_splits_keep_time_order(tmp_path):
    data = load_timeseries(write(tmp_path, SERIES), target="load", window=2)
    parts = split(data, validation=0.25, test=0.25, seed=5)
    assert parts.train.y.max() < parts.val.y.min() <= parts.val.y.max() < parts.test.y.min()


def test_time_series_errors(tmp_path):
    path = write(tmp_path, SERIES)
    with pytest.raises(DataError) as err:
        load_timeseries(path, target="load", window=10)
    assert "at least 11" in str(err.value)
    with pytest.raises(DataError) as err:
        load_timeseries(path, target="kw")
    assert err.value.column == "kw"
    bad = write(tmp_path, "t,load\n1,1\n2,x\n3,3\n4,4\n", "bad.csv")
    with pytest.raises(DataError) as err:
        load_timeseries(bad, target="load", window=2)
    assert (err.value.row, err.value.column) == (3, "load")


def test_reading_in_small_blocks_gives_the_same_table(tmp_path, monkeypatch):
    """Blocks split lines, "\\r\\n" pairs, quoted newlines and multi-byte characters:
    the table (and every line number) is the same as read in one block."""
    from engine.data import csv_scan, table as table_module

    text = "\ufeffname,value,label\r\n" + "".join(
        f'"é{i}\r\nzß",{i * 0.25},{"ab"[i % 2]}\r\n' for i in range(300))
    path = tmp_path / "blocks.csv"
    path.write_bytes(text.encode("utf-8"))

    def seen(table):
        return (table.header, table.lines.tolist(), table.cells("name"), table.cells("label"),
                table.numbers("value").tolist(), table.count_numbers("label"))

    whole = seen(table_module.read_table(path, exact=["value"]))
    for size in (1, 2, 3, 7, 64):
        monkeypatch.setattr(csv_scan, "CHUNK_BYTES", size)
        monkeypatch.setattr(table_module, "CHUNK_ROWS", 7)
        assert seen(table_module.read_table(path, exact=["value"])) == whole
        got = table_module.numeric_columns(table_module.read_table(path, exact=["value"]), ["value"], np.float64)
        np.testing.assert_array_equal(got[:, 0], np.arange(300) * 0.25)
    assert whole[0] == ("name", "value", "label") and whole[1][:2] == [2, 4]
    assert whole[2][1] == "é1\r\nzß" and whole[3][:2] == ["a", "b"] and whole[5] == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,2\n3,\xff\n")
    monkeypatch.setattr(csv_scan, "CHUNK_BYTES", 4)
    with pytest.raises(DataError, match="bad byte on line 3"):
        table_module.read_table(bad)


def test_a_value_too_long_for_csv_is_named_by_line(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("a,label\n1,x\n" + "2" * 200_000 + ",y\n")
    with pytest.raises(DataError, match=r"long.csv, line 3: cannot be read as CSV \(field "
                                         r"larger than field limit"):
        load_csv(path, "label")


def test_values_beyond_float32_are_refused_by_line_not_turned_into_infinity(tmp_path):
    """1e308 is a finite float64 but infinite as the float32 training uses: it became
    inf, then NaN after standardisation, and the run 'diverged'."""
    path = tmp_path / "big.csv"
    path.write_text("a,b,label\n1,2,x\n3,-1e39,y\n5,6,x\n")
    with pytest.raises(DataError, match=r"big.csv, line 3, column 'b': -1e39 is beyond"):
        load_csv(path, "label")
    target = tmp_path / "target.csv"
    target.write_text("a,price\n1,2\n3,1e308\n")
    with pytest.raises(DataError, match=r"line 3, column 'price': the target is beyond"):
        load_csv(target, "price", task="regression")
    series = tmp_path / "series.csv"
    series.write_text("t,v\n" + "".join(f"{i},{i}\n" for i in range(30)) + "31,4e38\n")
    with pytest.raises(DataError, match=r"line 32, column 'v': 4e38 is beyond"):
        load_timeseries(series, "v", window=3)
