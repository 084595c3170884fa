"""Profiles: changing mof → hubei changes exactly the findings README's table of differences
lists, on samples/audit/profiles/hubei-style-project.pdf (worked by hand in samples/build_audit.py);
a jixiao.toml switches rules off and changes severities; a wrong key is a usage error naming it."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.audit import judge, resolve_profile
from jixiao.cli import main
from jixiao.models import Report
from jixiao.pipeline import parse_path
from jixiao.validate.profile import ProfileError, load_profile

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "audit" / "profiles" / "hubei-style-project.pdf"


@pytest.fixture(scope="module")
def report() -> Report:
    (r,) = parse_path(SAMPLE)
    assert isinstance(r, Report)
    return r


def seen(report: Report, profile_name: str) -> set[tuple[str, str, str | None, str | None, str]]:
    (judged,) = judge([report], load_profile(profile_name))
    assert isinstance(judged, Report)
    return {(f.rule, f.severity, f.expected, f.found, f.profile) for f in judged.findings}


def test_mof_and_hubei_differ_exactly_as_the_readme_table_says(report: Report) -> None:
    # fund 分值 blank: mof scores it out of 10, Hubei out of 20 (score 20 at 100%); weights 80 + 10 / 20;
    # ≤10万元 target, 12.5万元 actual, 7.8 of 10: mof (1 − 2.5/10) × 10 = 7.50, Hubei 10/12.5 × 10 = 8.00;
    # 未达成, 5.5 of 10: mof allows up to 60% = 6.00, Hubei 50% = 5.00.
    assert seen(report, "mof") == {
        ("execution_score", "error", "10.00", "20", "mof"),
        ("weight_total", "error", "100", "90", "mof"),
        ("score_formula", "warning", "≤ 7.50", "7.8", "mof"),
    }
    assert seen(report, "hubei") == {("score_formula", "warning", "≤ 5.00", "5.5", "hubei")}


def test_config_switches_rules_off_and_changes_severity(report: Report, tmp_path: Path) -> None:
    config = tmp_path / "jixiao.toml"
    config.write_text(
        'profile = "mof"\n[rules]\ndisabled = ["weight_total"]\n[severity]\nexecution_score = "info"\n',
        encoding="utf-8",
    )
    profile = resolve_profile(None, None, [str(tmp_path)])  # found next to the inputs
    assert profile.name == "mof+jixiao.toml"
    (judged,) = judge([report], profile)
    assert isinstance(judged, Report)
    assert {(f.rule, f.severity, f.profile) for f in judged.findings} == {
        ("execution_score", "info", "mof+jixiao.toml"),
        ("score_formula", "warning", "mof+jixiao.toml"),
    }


def test_config_sets_bands_formula_and_tolerance(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'profile = "hubei"\nname = "mine"\n[scoring]\nle_formula = "linear"\ngrade_bands = { "优秀" = 85, "合格" = 60 }\n'
        "[tolerance]\nextra = 0.5\n",
        encoding="utf-8",
    )
    p = resolve_profile(None, config, [])
    assert (p.name, p.le_formula, p.execution_weight, p.tolerance_extra) == ("mine", "linear", Decimal(20), Decimal("0.5"))
    assert (p.grade_for(Decimal(86)), p.grade_for(Decimal(70)), p.grade_for(Decimal(10))) == ("优秀", "合格", "差")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[scoring]\nexecution_wieght = 20\n", "scoring.execution_wieght"),
        ('[scoring]\nle_formula = "inverse"\n', "scoring.le_formula"),
        ("[scoring]\nqualitative_bands = [50, 80]\n", "scoring.qualitative_bands"),
        ('[rules]\ndisabled = ["no_such_rule"]\n', "rules.disabled: no_such_rule"),
        ('[severity]\nscore_total = "fatal"\n', "severity.score_total"),
        ("colour = 1\n", "colour"),
    ],
)
def test_wrong_key_or_value_is_a_usage_error_naming_it(tmp_path: Path, text: str, named: str) -> None:
    config = tmp_path / "jixiao.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=named.replace(".", r"\.")):
        resolve_profile(None, config, [])
    shutil.copy(SAMPLE, tmp_path / "a.pdf")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "a.pdf"), "-q", "-w", "0"])  # found beside the input
    assert result.exit_code == 2
    assert named in result.output


def test_cli_profile_changes_exit_code_and_unknown_profile_is_refused() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(SAMPLE), "-q", "-w", "0"]).exit_code == 1  # errors under mof
    hubei = runner.invoke(main, ["check", str(SAMPLE), "-w", "0", "--profile", "hubei"])  # -q would print only the summary
    assert hubei.exit_code == 0 and "规则配置 hubei" in hubei.output
    unknown = runner.invoke(main, ["check", str(SAMPLE), "--profile", "atlantis"])
    assert unknown.exit_code == 2 and "atlantis" in unknown.output


def test_store_keeps_the_findings_of_the_profile_that_judged_them(tmp_path: Path) -> None:
    from jixiao.store import read_db

    shutil.copy(SAMPLE, tmp_path / "a.pdf")
    db = tmp_path / "s.sqlite"
    runner = CliRunner()
    args = ["check", str(tmp_path / "a.pdf"), "--db", str(db), "-w", "0"]  # not -q: it prints only the summary
    assert runner.invoke(main, args).exit_code == 1  # mof: two errors
    stored = read_db(db)["findings"]
    assert sorted(zip(stored["rule"], stored["profile"], strict=True)) == [
        ("execution_score", "mof"), ("score_formula", "mof"), ("weight_total", "mof")
    ]
    first = runner.invoke(main, [*args, "--profile", "hubei", "--new-only"])
    assert first.exit_code == 0 and "学员意见整改" in first.output  # first seen under hubei
    stored = read_db(db)["findings"]
    assert list(zip(stored["rule"], stored["profile"], stored["expected"], strict=True)) == [
        ("score_formula", "hubei", "≤ 5.00")
    ]
    again = runner.invoke(main, [*args, "--profile", "hubei", "--new-only"])
    assert again.exit_code == 0 and "学员意见整改" not in again.output
