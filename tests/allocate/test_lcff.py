"""The LCFF calculator: hand-computed entitlements and the rate files' consistency with CDE's
published COLAs."""

from __future__ import annotations

import doctest
from decimal import ROUND_HALF_UP, Decimal

import pytest

import equitable.allocate._lcff as lcff_module
from equitable.allocate import lcff_entitlement, lcff_rates, lcff_years
from equitable.errors import InputError, SpecError


def test_district_2024_25_by_hand():
    # adjusted base per ADA: K-3 10,025 + round(10,025 x 10.4% = 1,042.6) = 11,068;
    # 4-6 10,177; 7-8 10,478; 9-12 12,144 + round(12,144 x 2.6% = 315.744) = 12,460
    e = lcff_entitlement({"k_3": 1000, "4_6": 800, "7_8": 500, "9_12": 1200}, 80.0, "2024-25")
    assert e.adjusted_base_per_ada == {"k_3": 11068, "4_6": 10177, "7_8": 10478, "9_12": 12460}
    # base: 11,068,000 + 8,141,600 + 5,239,000 + 14,952,000 = 39,400,600
    assert e.base_total_cents == 39_400_600_00
    # supplemental: 39,400,600 x 20% x 80% = 6,304,096
    assert e.supplemental_cents == 6_304_096_00
    # concentration: 39,400,600 x 65% x (80% - 55%) = 6,402,597.50
    assert e.concentration_cents == 6_402_597_50
    assert e.total_cents == 52_107_293_50


def test_concentration_was_50_percent_before_2021_22():
    # 2020-21, 9-12: 9,329 + round(242.554) = 9,572 per ADA; 100 ADA -> 957,200
    # supplemental 957,200 x 20% x 75% = 143,580; concentration 957,200 x 50% x 20% = 95,720
    e = lcff_entitlement({"9_12": 100}, 75, "2020-21")
    assert (e.base_total_cents, e.supplemental_cents, e.concentration_cents) == (
        957_200_00, 143_580_00, 95_720_00)
    e21 = lcff_entitlement({"9_12": 100}, 75, "2021-22")
    assert e21.rates.adjustments.concentration_pct == 65


def test_no_concentration_grant_at_or_below_55_percent():
    e = lcff_entitlement({"4_6": 10}, 55, "2023-24")
    assert e.concentration_cents == 0
    assert e.supplemental_cents == 10 * 10069 * 100 * 20 * 55 // 10000  # 20% x 55%


def test_rate_files_follow_published_colas():
    # CDE's published statutory COLAs: 2022-23 6.56%, 2023-24 8.22%, 2024-25 1.07%
    # (Funding Rates and Information pages). Each year's base grant is the prior year's
    # increased by the COLA, rounded to the dollar.
    assert [lcff_rates(y).cola_pct for y in ("2022-23", "2023-24", "2024-25")] == [
        6.56, 8.22, 1.07]
    for prev, year in (("2022-23", "2023-24"), ("2023-24", "2024-25")):
        r0, r1 = lcff_rates(prev), lcff_rates(year)
        factor = 1 + Decimal(repr(r1.cola_pct)) / 100
        for span, rate in r0.base_grant_per_ada.items():
            expected = (Decimal(rate) * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert r1.base_grant_per_ada[span] == expected, (year, span)


def test_2021_22_rates_follow_ab_130_compounded_cola():
    """2021-22 = 2020-21 x (1 + 2.31%) x (1 + 2.70%), rounded to the dollar.

    CDE, "Funding Rates and Information, Fiscal Year 2021-22"
    (https://www.cde.ca.gov/fg/aa/pa/pa2122rates.asp), section "Cost-of-Living Adjustment":
    AB 130 (Statutes of 2021) computes the 2021-22 rates "by first assuming the 2020-21 funded
    COLA was 2.31% instead of zero", then applies the 2021-22 funded COLA for LCFF of 2.70%
    (1.70% statutory + 1.00%), "a compounded COLA of approximately 5.07%". The 2020-21 page
    (https://www.cde.ca.gov/fg/aa/pa/pa2021rates.asp) gives the 2020-21 COLA as 0.00%.
    This ties the two files to each other and to CDE's stated method; it is not a check
    against CDE's rate table itself (see the files' ``check_note``).
    """
    r20, r21 = lcff_rates("2020-21"), lcff_rates("2021-22")
    assert r20.cola_pct == 0 and r21.cola_pct == 5.07
    for span, rate in r20.base_grant_per_ada.items():
        # K-3: 7,702 x 1.0231 x 1.027 = 8,092.68 -> 8,093; 9-12: 9,329 -> 9,802.2 -> 9,802
        expected = (Decimal(rate) * Decimal("1.0231") * Decimal("1.027")).quantize(
            Decimal(1), rounding=ROUND_HALF_UP)
        assert r21.base_grant_per_ada[span] == expected, span
    assert r21.base_grant_per_ada == {"k_3": 8093, "4_6": 8215, "7_8": 8458, "9_12": 9802}
    # And no other whole-dollar 2020-21 rate gives the same 2021-22 rate (the preimage interval
    # is 1 / 1.0507 < $1 wide), so the 2021-22 rates pin the 2020-21 ones.
    f = Decimal("1.0231") * Decimal("1.027")
    for span, target in r21.base_grant_per_ada.items():
        candidates = [x for x in range(target - 1000, target + 1)
                      if (Decimal(x) * f).quantize(Decimal(1), rounding=ROUND_HALF_UP) == target]
        assert candidates == [r20.base_grant_per_ada[span]], span


def test_2021_22_rates_reproduce_a_districts_published_funding_factors():
    """San Juan Unified School District, 2022-23 Adopted Budget (Board of Education packet,
    14 June 2022), "2022-23 LCFF Funding Factors": base grant per ADA K-3 $8,902 + grade span
    adjustment $926 = $9,828; 4-6 $9,037; 7-8 $9,304; 9-12 $10,782 + $280 = $11,062, built on
    the district's 10.00% 2022-23 planning COLA (the May Revision's 6.56% COLA plus the proposed
    LCFF increase). Each of our 2021-22 rates is the only whole-dollar rate that, x 1.10 and
    rounded, gives the district's figure, and the calculator's grade span adjustments (10.4%,
    2.6%, rounded half up) give the district's $926 and $280.

    Copy read: github.com/ccorcos/focs, docs/SJUSD/2022-06-14/agenda-packet.md.
    """
    r21 = lcff_rates("2021-22")
    published_base = {"k_3": 8902, "4_6": 9037, "7_8": 9304, "9_12": 10782}
    published_total = {"k_3": 9828, "4_6": 9037, "7_8": 9304, "9_12": 11062}
    cola = Decimal("1.10")
    for span, target in published_base.items():
        candidates = [x for x in range(target - 1500, target + 1)
                      if (Decimal(x) * cola).quantize(Decimal(1), rounding=ROUND_HALF_UP) == target]
        assert candidates == [r21.base_grant_per_ada[span]], span
    projected = r21.model_copy(update={"base_grant_per_ada": published_base})
    assert {s: int(projected.adjusted_base(s)) for s in published_base} == published_total


@pytest.mark.parametrize("prev, year, factor", [("2022-23", "2023-24", "1.0822"),
                                                 ("2023-24", "2024-25", "1.0107")])
def test_earlier_rates_are_the_only_ones_consistent_with_the_next_year(prev, year, factor):
    """For each span exactly one whole-dollar rate rounds to next year's rate under CDE's COLA
    (the preimage interval is 1/factor < $1 wide), and it is the file's.

    Chained, the 2022-23 and 2023-24 files are pinned by the 2024-25 rates (quoted by
    attendly.com, "Local Control Funding Formula entitlements") and CDE's published COLAs
    (pa2324rates.asp 8.22%, pa2425rates.asp 1.07%), although CDE's 2022-23 rate table itself
    was not in the stored material.
    """
    r0, r1 = lcff_rates(prev), lcff_rates(year)
    f = Decimal(factor)
    assert Decimal(repr(r1.cola_pct)) == (f - 1) * 100
    for span, target in r1.base_grant_per_ada.items():
        candidates = [x for x in range(target - 1500, target + 1)
                      if (Decimal(x) * f).quantize(Decimal(1), rounding=ROUND_HALF_UP) == target]
        assert candidates == [r0.base_grant_per_ada[span]], span


def test_per_ada_value_matches_cde_derived_value_of_ada_method():
    """CDE's published per-grade-span LCFF value of one ADA, "2021-22 Derived Value of ADA
    Methodology" (https://cde.ca.gov/fg/au/ag/adavalue21method.asp), table "LCFF Value of ADA
    for School Districts": A.1 + (A.1 x A.2 x A.3) + (A.1 x A.4 x A.5), where A.1 is the
    current-year ADJUSTED base grant per ADA for TK-3 and 9-12 (exhibit lines A-12, A-13; the
    base grant for 4-6 and 7-8), A.2 the UPP, A.3 the supplemental factor (20%), A.4 the
    percentage used for the concentration grant (UPP - 55%) and A.5 its factor (65%).

    This is CDE's method, not a published dollar figure: it checks that supplemental and
    concentration grants are computed on the base grant INCLUDING the grade span adjustments,
    span by span, as CDE does. 2021-22, UPP 70%:
    TK-3 8,093 + round(841.672) = 8,935 -> 8,935 x (1 + 0.2 x 0.7 + 0.65 x 0.15) = 11,057.0625;
    9-12 9,802 + round(254.852) = 10,057 -> 12,445.5375; 4-6 8,215 -> 10,166.0625;
    7-8 8,458 -> 10,466.775.
    """
    expected = {"k_3": Decimal("11057.0625"), "4_6": Decimal("10166.0625"),
                "7_8": Decimal("10466.775"), "9_12": Decimal("12445.5375")}
    for span, value in expected.items():
        e = lcff_entitlement({span: 1}, 70, "2021-22")
        assert e.total_cents == int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert lcff_entitlement({"k_3": 1}, 70, "2021-22").adjusted_base_per_ada["k_3"] == 8935
    assert lcff_entitlement({"9_12": 1}, 70, "2021-22").adjusted_base_per_ada["9_12"] == 10057


def test_every_rate_file_cites_its_source():
    assert lcff_years() == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    for y in lcff_years():
        r = lcff_rates(y)
        assert r.fiscal_year == y
        assert "cde.ca.gov" in r.source and "Funding Rates" in r.source
        assert r.adjustments.k_3_class_size_pct == 10.4
        assert r.adjustments.g9_12_cte_pct == 2.6
        assert r.adjustments.supplemental_pct == 20
        assert r.adjustments.concentration_threshold_pct == 55


def test_docstring_examples_run():
    assert doctest.testmod(lcff_module).failed == 0


def test_errors():
    with pytest.raises(SpecError, match="no LCFF rates for fiscal year '2019-20'"):
        lcff_entitlement({"k_3": 1}, 50, "2019-20")
    with pytest.raises(InputError) as e:
        lcff_entitlement({"k_3": 1}, 150, "2024-25")
    assert str(e.value) == "the unduplicated pupil percentage must be between 0 and 100, got 150"
    with pytest.raises(InputError, match="unknown grade span 'k3'"):
        lcff_entitlement({"k3": 1}, 50, "2024-25")
    with pytest.raises(InputError, match="must be >= 0"):
        lcff_entitlement({"k_3": -1}, 50, "2024-25")


@pytest.fixture
def run_cli(capsys):
    """Run ``equitable ARGS`` in-process (the real entry point); return (code, stdout, stderr)."""
    from equitable.cli import main

    def run(*args):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_cli_single_lea(run_cli):
    code, out, err = run_cli("lcff", "--year", "2024-25", "--upp", "60", "--ada-k3", "100")
    assert code == 0, err
    assert "total                     $1,275,587.00" in out


def test_cli_table(tmp_path, run_cli):
    src = tmp_path / "leas.csv"
    src.write_text("cds_code,ada_k_3,ada_9_12,unduplicated_pupil_pct\n"
                   "19647330000000,100,0,60\n01000000000000,0,100,75\n")
    out = tmp_path / "lcff.csv"
    code, _, err = run_cli("lcff", "--year", "2024-25", "--input", src, "-o", out)
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0].endswith("base_cents,supplemental_cents,concentration_cents,total_cents")
    assert lines[1] == "19647330000000,100,0,60,110680000,13281600,3597100,127558700"
    # row 2: 9-12 12,460 x 100 = 1,246,000; supp x 20% x 75% = 186,900; conc x 65% x 20% = 161,980
    assert lines[2] == "01000000000000,0,100,75,124600000,18690000,16198000,159488000"
    (tmp_path / "bad.csv").write_text("ada_k_3,unduplicated_pupil_pct\n10,abc\n")
    code, _, err = run_cli("lcff", "--year", "2024-25", "--input", tmp_path / "bad.csv", "-o",
                           out)
    assert code == 1
    assert err.strip() == (f"Error: {tmp_path / 'bad.csv'}, row 2, column "
                           "'unduplicated_pupil_pct': not a number ('abc')")
