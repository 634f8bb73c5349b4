"""The CSV every listing writes (`cli.output.emit`) is what the csv module writes:
RFC 4180 quoting, CRLF, None as empty, lists joined by "; ", booleans as true/false."""

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.cli.output import BLOCK, Format, emit

cells = st.one_of(
    st.text(alphabet=st.sampled_from('ab ,"\r\n;∞\x1f')),
    st.text(),
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.lists(st.text(alphabet=st.sampled_from('ab ,"\n')), max_size=3),
    st.lists(st.one_of(st.integers(), st.text(alphabet="ab,")), max_size=3),
)


def by_the_csv_module(rows: list[dict], columns: list[str]) -> str:
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return "; ".join(map(str, v)) if isinstance(v, list) else v

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([value(row.get(c)) for c in columns] for row in rows)
    return out.getvalue()


def emitted(rows: list[dict], columns: list[str], target) -> str:
    assert emit(iter(rows), columns, Format.csv, target) == len(rows)
    return target.read_bytes().decode("utf-8")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(
    width=st.integers(min_value=1, max_value=4),
    values=st.lists(cells, max_size=24),
)
def test_csv_is_what_the_csv_module_writes(tmp_path, width, values):
    columns = [f"c{i}" for i in range(width)]
    rows = [
        dict(zip(columns, values[i : i + width], strict=False))  # short rows: empty cells
        for i in range(0, len(values), width)
    ]
    target = tmp_path / "out.csv"
    assert emitted(rows, columns, target) == by_the_csv_module(rows, columns)


def test_csv_of_more_rows_than_a_block(tmp_path):
    columns = ["n", "day", "names"]
    rows = [
        {"n": n, "day": dt.date(2024, 1, 1 + n % 28), "names": [f"A, {n}", 'B "b"']}
        for n in range(2 * BLOCK + 7)
    ]
    target = tmp_path / "out.csv"
    assert emitted(rows, columns, target) == by_the_csv_module(rows, columns)


def test_a_lone_empty_cell_is_quoted_as_the_csv_module_does(tmp_path):
    target = tmp_path / "out.csv"
    assert emitted([{"name": ""}, {"name": None}], ["name"], target) == 'name\r\n""\r\n""\r\n'
