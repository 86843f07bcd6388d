"""The index engine's names for the shared file helpers, which live in :mod:`equitable.files`
(one module every layer may use: data, voice, pipeline, ... import it from there)."""

from equitable.files import (
    check_columns,
    check_output_file,
    check_utf8,
    make_output_folder,
    numeric_column,
    read_table,
    write_table,
)

__all__ = [
    "check_columns", "check_output_file", "check_utf8", "make_output_folder", "numeric_column",
    "read_table", "write_table",
]
