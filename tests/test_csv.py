"""Strict CSV reading: each hostile case is handled or rejected with file, line, column and value."""

import csv

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finf_train import rows
from finf_train.data import CSVError, read_csv
from finf_train.values import parse_number

GOOD = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n"


def write(tmp_path, content, name="d.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def error(tmp_path, content, target="label", name="d.csv"):
    """The one-line message read_csv raises for this file content."""
    path = write(tmp_path, content, name)
    with pytest.raises(CSVError) as info:
        read_csv(path, target)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(str(path))
    return message.removeprefix(str(path))


def test_good_file(tmp_path):
    ds = read_csv(write(tmp_path, GOOD), "label")
    assert ds.X.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]]
    assert ds.y.tolist() == [0, 1, 0, 1] and ds.classes == ["x", "y"]
    assert ds.feature_names == ["a", "b"] and ds.target == "label"
    assert ds.lines.tolist() == [2, 3, 4, 5]


def test_target_column_may_be_anywhere(tmp_path):
    ds = read_csv(write(tmp_path, "label,a,b\nx,1,2\ny,3,4\n"), "label")
    assert ds.feature_names == ["a", "b"] and ds.X.tolist() == [[1, 2], [3, 4]]


MISSING_HINT = ("missing (the first here); use --missing drop to leave out rows with missing values, or --missing "
                "impute to fill them from the training rows")
NUMBER_HINT = " (the column's other values are numbers; if the column holds categories, use --categorical b)"


def test_missing_value(tmp_path):
    assert error(tmp_path, "a,b,label\n1,2,x\n3,,y\n") == f":3: column 'b': 1 cell is {MISSING_HINT}"


def test_missing_value_of_spaces(tmp_path):
    assert error(tmp_path, "a,b,label\n1,2,x\n  ,4,y\n") == f":3: column 'a': 1 cell is {MISSING_HINT}"


@pytest.mark.parametrize("cell", ["NA", "n/a", "N/A", "NaN", "nan", "null", "None", " NULL "])
def test_missing_value_markers(tmp_path, cell):
    content = f"a,b,label\n1,2,x\n3,{cell},y\n5,,x\n"
    assert error(tmp_path, content) == f":3: column 'b': 2 cells are {MISSING_HINT}"


def test_rows_with_a_missing_label_are_dropped_and_counted(tmp_path):
    ds = read_csv(write(tmp_path, "a,b,label\n1,2,x\n3,4,\n5,6,NA\n7,8,y\n"), "label")
    assert ds.lines.tolist() == [2, 5] and ds.dropped == {"missing_target": 2}


def test_every_label_missing(tmp_path):
    assert error(tmp_path, "a,b,label\n1,2,\n3,4,NA\n") == ":1: every row's 'label' is missing"


@pytest.mark.parametrize("cell", ["abc", "?", "1,5", "0x10", "1_000", "5.1.2", "٣", "true", "1e", "--1"])
def test_non_numeric_cell(tmp_path, cell):
    quoted = '"' + cell + '"'
    message = error(tmp_path, f"a,b,label\n1,2,x\n3,{quoted},y\n")
    assert message == f":3: column 'b': expected a number, found {cell!r}{NUMBER_HINT}"


@pytest.mark.parametrize("cell", ["inf", "-inf", "+Infinity"])
def test_nan_and_infinity(tmp_path, cell):
    message = error(tmp_path, f"a,b,label\n1,2,x\n{cell},4,y\n")
    assert message == f":3: column 'a': expected a finite number, found {cell!r}"


@pytest.mark.parametrize("cell", ["1e400", "-1e39", "340282356779733661637539395458142568448"])
def test_number_beyond_float32(tmp_path, cell):
    message = error(tmp_path, f"a,b,label\n1,2,x\n{cell},4,y\n")
    assert message == f":3: column 'a': expected a number within float32 range (|x| <= 3.4e38), found {cell!r}"


def test_numbers_as_spreadsheets_write_them(tmp_path):
    ds = read_csv(write(tmp_path, "a,b,label\n .5 ,5.,x\n-1e-3,+2E2,y\n"), "label")
    assert ds.X.tolist() == [[0.5, 5.0], [-0.001, 200.0]]


def test_row_with_too_many_fields(tmp_path):
    assert error(tmp_path, "a,b,label\n1,2,x\n3,4,y,9\n") == (
        ":3: column 4 (after 'label'): unexpected field '9'; the row has 4 fields, the header 3"
    )


def test_row_with_a_trailing_comma(tmp_path):
    assert error(tmp_path, "a,b,label\n1,2,x,\n") == (
        ":2: column 4 (after 'label'): unexpected field ''; the row has 4 fields, the header 3"
    )


def test_row_with_too_few_fields(tmp_path):
    assert error(tmp_path, "a,b,label\n1,2,x\n3,4\n") == (
        ":3: column 'label': missing field; the row has 2 fields, the header 3"
    )


def test_utf8_byte_order_mark_is_skipped(tmp_path):
    ds = read_csv(write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode()), "label")
    assert ds.feature_names == ["a", "b"]  # not "\ufeffa"
    assert ds.X.tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]]


def test_crlf_line_ends(tmp_path):
    ds = read_csv(write(tmp_path, GOOD.replace("\n", "\r\n")), "label")
    assert ds.classes == ["x", "y"] and ds.lines.tolist() == [2, 3, 4, 5]


def test_crlf_line_ends_report_the_right_line(tmp_path):
    message = error(tmp_path, "a,b,label\r\n1,2,x\r\n3,oops,y\r\n")
    assert message == ":3: column 'b': expected a number, found 'oops'" + NUMBER_HINT


def test_blank_lines_are_skipped_and_lines_still_counted(tmp_path):
    ds = read_csv(write(tmp_path, "a,b,label\n\n1,2,x\n\n3,4,y\n\n"), "label")
    assert ds.lines.tolist() == [3, 5]
    message = error(tmp_path, "a,b,label\n\n1,2,x\n\n3,?,y\n")
    assert message == ":5: column 'b': expected a number, found '?'" + NUMBER_HINT


def test_empty_file(tmp_path):
    assert error(tmp_path, "") == ": empty file: expected a header row and data rows"


def test_file_of_blank_lines(tmp_path):
    assert error(tmp_path, "\n\r\n\n") == ": empty file: expected a header row and data rows"


def test_header_only(tmp_path):
    assert error(tmp_path, "a,b,label\n") == ":1: header only: expected data rows after it"


def test_missing_target_column(tmp_path):
    assert error(tmp_path, GOOD, target="species") == ":1: no column named 'species'; the header has 'a', 'b', 'label'"


def test_duplicated_target_column(tmp_path):
    message = error(tmp_path, "label,a,label\nx,1,y\n")
    assert message == ":1: the target column 'label' appears twice (columns 1 and 3)"


def test_duplicate_feature_headers(tmp_path):
    assert error(tmp_path, "a,b,a,label\n1,2,3,x\n") == ":1: column 'a' appears twice (columns 1 and 3)"


def test_headers_differing_only_in_spaces_are_duplicates(tmp_path):
    assert error(tmp_path, "a, a,label\n1,2,x\n") == ":1: column 'a' appears twice (columns 1 and 2)"


def test_empty_header_name(tmp_path):
    assert error(tmp_path, "a,,label\n1,2,x\n") == ":1: column 2: empty header name"


def test_target_is_the_only_column(tmp_path):
    assert error(tmp_path, "label\nx\ny\n") == ":1: no feature columns: the header has only the target 'label'"


def test_single_class(tmp_path):
    message = error(tmp_path, "a,b,label\n1,2,x\n3,4,x\n5,6,x\n")
    assert message == ":2-4: column 'label': only one class, 'x'; training needs at least 2"


def test_class_with_too_few_rows_for_the_split(tmp_path):
    from finf_train import train

    path = write(tmp_path, "a,b,label\n1,2,x\n3,4,x\n5,6,y\n7,8,x\n")
    with pytest.raises(CSVError) as info:
        train(path, "label", val_fraction=0.2)
    assert str(info.value) == (
        f"{path}:4: column 'label': class 'y' has only 1 row; a validation split needs at least 2 rows per class "
        "(or use val_fraction 0)"
    )


def test_quoted_fields(tmp_path):
    content = '"a","b, in cm",label\n"1.5",2,"Iris ""setosa"", wild"\n3,4,"two\nlines"\n5,6,plain\n'
    ds = read_csv(write(tmp_path, content), "label")
    assert ds.feature_names == ["a", "b, in cm"]
    assert ds.X.tolist() == [[1.5, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert ds.classes == ['Iris "setosa", wild', "plain", "two\nlines"]
    assert ds.lines.tolist() == [2, 3, 5]  # the quoted line break moves later rows down


def test_error_after_a_multi_line_field_names_the_right_line(tmp_path):
    content = 'a,b,label\n1,2,"two\nlines"\n3,x,y\n'
    assert error(tmp_path, content) == ":4: column 'b': expected a number, found 'x'" + NUMBER_HINT


def test_unterminated_quote(tmp_path):
    message = error(tmp_path, 'a,b,label\n1,2,x\n3,"4,y\n5,6,x\n')
    assert message.startswith(":3: malformed CSV: ")


def test_text_after_a_closing_quote(tmp_path):
    message = error(tmp_path, 'a,b,label\n1,"2"3,x\n')
    assert message == ":2: malformed CSV: ',' expected after '\"'"


def test_field_over_the_csv_modules_limit(tmp_path):
    limit = csv.field_size_limit()
    huge = "9" * (limit + 10)
    message = error(tmp_path, f"a,b,label\n1,2,x\n3,{huge},y\n")
    assert message == (
        f":3: column 2: field longer than the CSV limit of {limit} characters: "
        f"'9999999999999999999999999999999999999999'... ({limit + 10} characters)"
    )
    assert csv.field_size_limit() == limit  # the limit is restored


def test_not_utf8(tmp_path):
    message = error(tmp_path, b"a,b,label\n1,2,x\n3,4,caf\xe9\n")
    assert message == ":3: not UTF-8 text: byte 0xe9 at byte offset 23; save the file as UTF-8 CSV"


def test_utf16(tmp_path):
    assert error(tmp_path, GOOD.encode("utf-16")) == ":1: UTF-16 text: save the file as UTF-8 CSV"


def test_nul_byte(tmp_path):
    message = error(tmp_path, "a,b,label\n1,2,x\n3,4\x00,y\n")
    assert message.startswith(":3: ")


def test_file_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(rows, "MAX_CSV_BYTES", 20)
    assert error(tmp_path, GOOD) == ": file too large: expected at most 20 bytes"


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(CSVError, match=r"nope.csv: cannot read: No such file or directory$"):
        read_csv(path, "label")


def test_directory(tmp_path):
    with pytest.raises(CSVError, match=r": cannot read: Is a directory$"):
        read_csv(tmp_path, "label")


def test_integer_labels_sort_numerically(tmp_path):
    ds = read_csv(write(tmp_path, "a,label\n1,10\n2,2\n3,-1\n4,2\n"), "label")
    assert ds.classes == ["-1", "2", "10"] and ds.y.tolist() == [2, 1, 0, 1]


def test_text_labels_sort_as_text(tmp_path):
    ds = read_csv(write(tmp_path, "a,label\n1,b\n2,10\n3,a\n"), "label")
    assert ds.classes == ["10", "a", "b"]


def test_parse_number_is_the_csv_grammar():
    assert parse_number(" -1.5 ") == -1.5
    for bad in ["", "nan", "1_0", "0x1", "1e400", "١"]:
        with pytest.raises(ValueError):
            parse_number(bad)


def test_long_values_are_shortened_in_messages(tmp_path):
    message = error(tmp_path, "a,b,label\n1,2,x\n3," + "z" * 500 + ",y\n")
    assert message == f":3: column 'b': expected a number, found {'z' * 40!r}... (500 characters)" + NUMBER_HINT


def test_memory_stays_near_the_file_size(tmp_path):
    rows = "".join(f"{i},{i % 7}.5,{i % 3}\n" for i in range(20000))
    ds = read_csv(write(tmp_path, "a,b,label\n" + rows), "label")
    assert ds.X.shape == (20000, 2) and ds.X.dtype == np.float64
    assert ds.X.nbytes == 20000 * 2 * 8  # 8 bytes a value: read into array("d"), not lists of floats


# --- property tests: whatever the bytes, a Dataset or one CSVError line ------------------------------------

CSV_ALPHABET = st.sampled_from(list('0123456789.,-+e"\n\r xylabn\ufeff\x00\xe9') + ["nan", "inf", "label", "1e400"])


def check_read(path, content):
    path.write_bytes(content)
    try:
        ds = read_csv(path, "label")
    except CSVError as error:
        message = str(error)
        assert message.startswith(str(path)) and "\n" not in message and "\r" not in message
        return
    assert ds.X.shape == (len(ds.y), len(ds.feature_names)) and np.isfinite(ds.X).all()
    assert len(ds.classes) >= 2 and ds.y.max() < len(ds.classes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CSV_ALPHABET, max_size=80).map("".join))
def test_any_csv_like_text_reads_or_fails_in_one_line(tmp_path, text):
    check_read(tmp_path / "p.csv", ("a,b,label\n" + text).encode("utf-8"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_bytes_read_or_fail_in_one_line(tmp_path, content):
    check_read(tmp_path / "p.csv", content)
