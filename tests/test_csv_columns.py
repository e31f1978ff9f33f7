"""Column kinds, missing values and the task, as read_csv decides them from a CSV."""

import math

import numpy as np
import pytest

from finf_train.data import MAX_CATEGORIES, CSVError, read_csv


def write(tmp_path, content, name="d.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def error(tmp_path, content, target="label", **options):
    path = write(tmp_path, content)
    with pytest.raises(CSVError) as info:
        read_csv(path, target, **options)
    assert "\n" not in str(info.value)
    return str(info.value).removeprefix(str(path))


PENGUINS = """species,island,bill,sex,year
Adelie,Torgersen,39.1,male,2007
Adelie,Dream,NA,NA,2008
Gentoo,Biscoe,46.1,female,2009
Chinstrap,Dream,46.5,female,2007
Gentoo,Biscoe,50.0,male,2008
"""


def test_text_columns_are_categorical_with_sorted_categories(tmp_path):
    ds = read_csv(write(tmp_path, PENGUINS), "species", missing="impute")
    assert ds.feature_names == ["island", "bill", "sex", "year"]
    assert ds.kinds == ["categorical", "numeric", "categorical", "numeric"]
    assert ds.categories[0] == ["Biscoe", "Dream", "Torgersen"]
    assert ds.X[:, 0].tolist() == [2, 1, 0, 1, 0]  # codes into the sorted categories
    assert math.isnan(ds.X[1, 1]) and math.isnan(ds.X[1, 2])  # NA stays missing, to be imputed
    assert ds.classes == ["Adelie", "Chinstrap", "Gentoo"] and ds.task == "classification"


def test_named_categorical_columns_keep_numbers_as_categories_in_numeric_order(tmp_path):
    ds = read_csv(write(tmp_path, PENGUINS), "species", missing="drop", categorical=["year"])
    assert ds.categories[3] == ["2007", "2008", "2009"]
    assert ds.X[:, 3].tolist() == [0, 2, 0, 1]
    assert ds.dropped == {"missing_target": 0, "missing_values": 1} and ds.lines.tolist() == [2, 4, 5, 6]


def test_ignored_columns_are_left_out(tmp_path):
    ds = read_csv(write(tmp_path, PENGUINS), "species", ignore=["island", "sex"], missing="drop")
    assert ds.feature_names == ["bill", "year"] and ds.X.shape == (4, 2)


def test_missing_values_are_an_error_by_default_naming_the_first(tmp_path):
    message = error(tmp_path, PENGUINS, "species")
    assert message.startswith(":3: column 'bill': 1 cell is missing (the first here); use --missing drop")


def test_a_typo_in_a_numeric_column_is_an_error_not_a_category(tmp_path):
    rows = "".join(f"{i}.5,x\n" for i in range(20)) + "l7.5,y\n" + "3.5,y\n"
    message = error(tmp_path, "a,label\n" + rows)
    assert message == (":22: column 'a': expected a number, found 'l7.5' (the column's other values are numbers; "
                       "if the column holds categories, use --categorical a)")


def test_a_number_among_categories_is_named(tmp_path):
    message = error(tmp_path, "a,label\nred,x\nblue,y\n7,x\ngreen,y\n")
    assert message.startswith(":4: column 'a': expected a category, found the number '7'")
    assert read_csv(write(tmp_path, "a,label\nred,x\nblue,y\n7,x\ngreen,y\n"), "label", categorical=["a"]).categories[0]


def test_too_many_categories_suggest_ignore(tmp_path):
    rows = "".join(f"name{i},{'xy'[i % 2]}\n" for i in range(MAX_CATEGORIES + 1))
    message = error(tmp_path, "name,label\n" + rows)
    assert message.endswith(f"column 'name': more than {MAX_CATEGORIES} distinct values, too many for a categorical "
                            "feature (an id, a name or free text?); leave it out with --ignore name")
    assert error(tmp_path, "n,label\n" + rows.replace("name", ""), categorical=["n"]).startswith(":52: column 'n'")


def test_a_column_of_nothing_but_missing_values(tmp_path):
    message = error(tmp_path, "a,b,label\n1,,x\n2,NA,y\n")
    assert message == ":2: column 'b': every value is missing; leave it out with --ignore b"


@pytest.mark.parametrize(("option", "column", "message"), [
    ("ignore", "nope", ":1: --ignore: no column named 'nope'; the header has 'a', 'b', 'label'"),
    ("categorical", "nope", ":1: --categorical: no column named 'nope'; the header has 'a', 'b', 'label'"),
    ("ignore", "label", ":1: --ignore: 'label' is the target column"),
    ("categorical", "label", ":1: --categorical: 'label' is the target column"),
])
def test_options_must_name_columns(tmp_path, option, column, message):
    assert error(tmp_path, "a,b,label\n1,2,x\n3,4,y\n", **{option: [column]}) == message


def test_ignoring_every_feature(tmp_path):
    assert error(tmp_path, "a,label\n1,x\n", ignore=["a"]) == (
        ":1: no feature columns: the header has only the target 'label' and ignored columns")


# --- the task ------------------------------------------------------------------------------------------

def targets(tmp_path, values, **options):
    content = "a,label\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values))
    return read_csv(write(tmp_path, content), "label", **options)


def test_few_whole_numbers_are_classes(tmp_path):
    ds = targets(tmp_path, [1, 2, 3, 1, 2, 10])
    assert ds.task == "classification" and ds.classes == ["1", "2", "3", "10"]


def test_fractions_or_many_numbers_are_a_quantity(tmp_path):
    ds = targets(tmp_path, [1.5, 2.0, 2.5])
    assert ds.task == "regression" and ds.classes is None and ds.y.dtype == np.float64
    assert ds.y.tolist() == [1.5, 2.0, 2.5]
    assert targets(tmp_path, range(100, 140)).task == "regression"


def test_an_ambiguous_target_asks_the_user(tmp_path):
    path = write(tmp_path, "a,label\n" + "".join(f"{i},{i}\n" for i in range(20)))
    with pytest.raises(CSVError) as info:
        read_csv(path, "label")
    assert str(info.value) == (f"{path}:2: column 'label': 20 distinct whole numbers could be classes or a quantity; "
                               "say which with --task classification or --task regression")
    assert read_csv(path, "label", task="regression").task == "regression"
    assert len(read_csv(path, "label", task="classification").classes) == 20


def test_a_regression_target_must_be_numbers(tmp_path):
    message = error(tmp_path, "a,label\n1,2.5\n2,abc\n", task="regression")
    assert message == ":3: column 'label': expected a number, found 'abc' (a regression target holds numbers)"
