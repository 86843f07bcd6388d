"""Issue 14, "nothing silent": `equitable sites --min-q1-share` with a schools file lacking
``vem_quartile`` exited 0 with an empty plan (every school counted outside quartile 1, so no
site could meet the share), and a CDS code in scientific notation was taken as an id."""

from __future__ import annotations

SCHOOLS = ("cds_code,students,latitude,longitude,need_weight,vem_quartile\n"
           "19647330100001,300,34.05,-118.25,1.5,1\n"
           "19647330100002,200,34.06,-118.26,1.0,2\n"
           "19647330100003,400,34.20,-118.40,1.2,1\n")


def run(capsys, *args) -> tuple[int, str, str]:
    from equitable.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def drop_last_column(text: str) -> str:
    return "".join(line.rsplit(",", 1)[0] + "\n" for line in text.splitlines())


def test_min_q1_share_without_vem_quartile_is_an_error(tmp_path, capsys):
    p = tmp_path / "schools.csv"
    p.write_text(drop_last_column(SCHOOLS))
    code, _, err = run(capsys, "sites", p, "-k", "1", "--max-km", "3", "--min-q1-share", "0.4",
                       "-o", tmp_path / "out")
    assert (code, err) == (1, (f"Error: {p}: missing column 'vem_quartile'; --min-q1-share needs "
                              "each school's VEM quartile (1-4, the output of `equitable health "
                              "schools`)\n"))
    assert not (tmp_path / "out" / "sites.csv").exists()
    p.write_text(SCHOOLS.replace("vem_quartile", "vem_quartil"))
    code, _, err = run(capsys, "sites", p, "-k", "1", "--max-km", "3", "--min-q1-share", "0.4",
                       "-o", tmp_path / "out")
    assert (code, err) == (1, (f"Error: {p}: missing column 'vem_quartile' (the file has "
                              "'vem_quartil': misspelt?); --min-q1-share needs each school's VEM "
                              "quartile (1-4, the output of `equitable health schools`)\n"))
    p.write_text(SCHOOLS.replace(",1\n", ",\n").replace(",2\n", ",\n"))
    code, _, err = run(capsys, "sites", p, "-k", "1", "--max-km", "3", "--min-q1-share", "0.4",
                       "-o", tmp_path / "out")
    assert (code, err) == (1, (f"Error: {p}, column 'vem_quartile': blank on every row; "
                              "--min-q1-share needs each school's VEM quartile (1-4)\n"))


def test_min_q1_share_with_vem_quartile_still_plans(tmp_path, capsys):
    p = tmp_path / "schools.csv"
    p.write_text(SCHOOLS)
    code, out, err = run(capsys, "sites", p, "-k", "1", "--max-km", "3", "--min-q1-share", "0.4",
                         "-o", tmp_path / "out")
    assert (code, err) == (0, "")
    # schools 1 and 2 are 1.4 km apart (x 1.4 detour < 3 km): one site serves 500 of 900
    # students, 300 of them in quartile 1 (60% >= 40%)
    assert out.splitlines()[0].startswith("1 sites (optimal, gap 0.0000%): 500 students served "
                                          "(55.56%), VEM quartile 1 share 60.00%")


def test_cds_code_in_scientific_notation_is_refused(tmp_path, capsys):
    p = tmp_path / "schools.csv"
    p.write_text(SCHOOLS.replace("19647330100002", "1.9647e+13"))
    code, _, err = run(capsys, "sites", p, "-k", "1", "--max-km", "3", "-o", tmp_path / "out")
    assert code == 1
    assert err.startswith(f"Error: {p}, column 'cds_code': 1 CDS code is in scientific notation "
                          "(row 3, e.g. '1.9647e+13'): a spreadsheet saved the CDS code as a "
                          "number and its last digits are lost; re-export the file")
