"""run.json has one pydantic model (equitable.provenance.RunRecord) shared by the writer and the
readers, with a schema_version."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from equitable.errors import InputError
from equitable.provenance import SCHEMA_VERSION, RunRecord, read_run_record, write_run_record


def test_the_record_has_its_schema_version_and_reads_back(tmp_path):
    (tmp_path / "in.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "out.csv").write_text("b\n2\n", encoding="utf-8")
    path = write_run_record(tmp_path, command="demo", spec={"k": 1},
                            inputs={"table": tmp_path / "in.csv"}, outputs=["out.csv"],
                            extra={"rows": 1}, caveats=[])
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["schema_version"] == SCHEMA_VERSION == 1
    rec = read_run_record(path)
    assert rec.command == "demo" and rec.spec == {"k": 1} and rec.extra == {"rows": 1}
    # "a\n1\n" is 4 bytes; its SHA-256 computed here
    assert rec.inputs["table"].file == "in.csv"
    assert rec.inputs["table"].bytes == 4
    assert rec.inputs["table"].sha256 == hashlib.sha256(b"a\n1\n").hexdigest()
    assert rec.outputs == {"out.csv": hashlib.sha256(b"b\n2\n").hexdigest()}
    assert rec.caveats == []


def test_a_record_written_before_the_field_is_version_1(tmp_path):
    old = {"tool": "equitable", "version": "0.1.0", "command": "run", "spec": {},
           "inputs": {}, "outputs": {}}
    (tmp_path / "run.json").write_text(json.dumps(old), encoding="utf-8")
    assert read_run_record(tmp_path / "run.json").schema_version == 1


def test_a_newer_or_malformed_record_is_a_one_line_error(tmp_path):
    p = tmp_path / "run.json"
    p.write_text(json.dumps({"schema_version": 2, "tool": "equitable"}), encoding="utf-8")
    with pytest.raises(InputError, match=r"run\.json: key 'schema_version': 2 is newer"):
        read_run_record(p)
    p.write_text(json.dumps({"tool": "equitable", "version": "0.1.0", "command": "run",
                             "spec": {}, "inputs": {"x": {"file": "a.csv"}}, "outputs": {}}),
                 encoding="utf-8")
    with pytest.raises(InputError, match=r"key 'inputs\.x\.bytes': Field required; "
                                         r"key 'inputs\.x\.sha256': Field required"):
        read_run_record(p)
    p.write_text("{\n  \"tool\": \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"run\.json, row 3: not valid JSON"):
        read_run_record(p)


def test_the_writer_checks_the_record_against_the_model(tmp_path):
    class Strict(RunRecord):
        extra: dict[str, int]  # type: ignore[assignment]

    with pytest.raises(ValidationError):
        write_run_record(tmp_path, command="demo", spec={}, inputs={},
                         extra={"rows": "many"}, model=Strict)
    assert not (tmp_path / "run.json").exists()
