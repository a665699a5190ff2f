"""The formation report: content, order, totals, Indonesian number style; and, where Chromium is
installed, that a real browser renders it and prints it on A4."""

import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from conftest import AS_OF, ROOT
from formasi_rules.report import PdfUnavailable, render, to_pdf
from formasi_rules.report._format import date, number

SUMSEL = ROOT / "examples" / "sumsel"
WORKLOAD, OFFICERS = SUMSEL / "workload.csv", SUMSEL / "officers.csv"


class Tables(HTMLParser):
    """The text of every cell of the table with class ``summary``, row by row, by section."""

    def __init__(self):
        super().__init__()
        self.rows, self.section, self.inside, self.cell = [], None, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "summary" in (attrs.get("class") or ""):
            self.inside = True
        elif self.inside and tag in ("tbody", "tfoot"):
            self.section = tag
        elif self.inside and self.section and tag == "tr":
            self.rows.append((self.section, []))
        elif self.inside and self.section and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1][1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture(scope="module")
def result(default_engine):
    return default_engine.formation(WORKLOAD, OFFICERS, as_of=AS_OF)


@pytest.fixture(scope="module")
def page(result, policy):
    return render(result, policy)


def summary_rows(page):
    parser = Tables()
    parser.feed(page)
    return [cells for section, cells in parser.rows if section == "tbody"], \
           [cells for section, cells in parser.rows if section == "tfoot"]


def test_indonesian_numbers_and_dates():
    assert number(75000) == "75.000"
    assert number(Decimal("0.288"), 3) == "0,288"
    assert number(1234567.891, 2) == "1.234.567,89"
    assert number(-1) == "−1" and number(3, sign=True) == "+3" and number(0, sign=True) == "0"
    assert number(75000, lang="en") == "75,000" and number(None) == "—"
    assert date(AS_OF) == "9 Oktober 2025"


def test_regions_sorted_by_shortfall_with_totals(page, result):
    body, foot = summary_rows(page)
    assert len(body) == 17
    names = [cells[1].replace("tanpa pejabat", "").strip() for cells in body]
    shortfalls = [int(cells[-2]) for cells in body]
    assert shortfalls == sorted(shortfalls, reverse=True)
    assert names[0] == "Kota Palembang" and shortfalls[0] == 3
    assert names[-1] == "Kota Prabumulih"  # no shortfall, a surplus of one Ahli Muda
    assert body[0][2:5] == ["7", "6", "+1"]  # Ahli Pertama: need, in post, gap
    assert body[-1][-1] == "1" and "−1" in body[-1]
    (total,) = foot
    assert total[1] == "Jumlah seluruh wilayah"
    assert total[-4:] == ["47", "28", "20", "1"]  # need, in post, shortfall, surplus
    assert total[2:5] == ["29", "20", "+9"]  # Ahli Pertama for the province
    every = result.to_dict()["totals"]["all"]
    assert (every["need"], every["existing"]) == (47, 28)


def test_shortfall_and_surplus_are_highlighted(page):
    assert page.count('class="num gap short"') >= 20 and 'class="num gap surplus">−1<' in page


def test_regions_without_officers_are_called_out(page):
    callout = page[page.index('id="without"'):page.index("</div>", page.index('id="without"'))]
    for name in ("Kabupaten Empat Lawang", "Kabupaten Musi Rawas", "Kabupaten Musi Rawas Utara",
                 "Kabupaten OKU Selatan", "Kota Pagar Alam"):
        assert f"<li>{name}: 1 (Ahli Pertama 1)</li>" in callout
    assert callout.count("<li>") == 5
    assert page.count('<span class="badge">tanpa pejabat</span>') == 5


def test_parameters_citations_and_thousands(page):
    assert "75.000 menit" in page
    assert "Peraturan Menteri PANRB Nomor 1 Tahun 2020" in page  # the working time's citation
    assert "134.400" in page and "1,792" in page  # workload minutes and exact need, Indonesian style
    assert "Pendaftaran pencari kerja (kartu AK/I)" in page  # the catalogue with its norms


def test_chart_is_one_panel_per_level_inline_svg(page, policy):
    assert page.count('class="panel"') == 3  # the levels that have rows: not the one without
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert svg.count('class="short"') == sum(1 for _ in re.finditer(r'class="value short-label"', svg))
    for forbidden in ("<script", "<link", "<img", "src=", "@import"):
        assert forbidden not in page


def test_rows_not_computed_and_region_warnings(default_engine, policy, tmp_path):
    workload = tmp_path / "w.csv"
    workload.write_text("region,activity,level,volume\nKota A,registrasi_pencari_kerja,ahli_pertama,100\n"
                        "Kota A,penempatn,ahli_pertama,5\n")
    officers = tmp_path / "o.csv"
    officers.write_text("region,level,count\nKota B,ahli_pertama,1\n")
    page = render(default_engine.formation(workload, officers, as_of=AS_OF), policy)
    problems = page[page.index('id="problems"'):page.index('id="detail"')]
    assert f"<code>{workload}:3 $[1].activity</code>" in problems and "kegiatan tidak dikenal" in problems
    assert "did you mean &#39;penempatan&#39;" in problems
    assert "Kota B" in page[page.index('id="warnings"'):page.index('id="problems"')]
    # 100 x 20 minutes rounds to 0 officers; the policy's minimum-staffing rule makes it 1, and says so
    assert "<code>formation.minimum_staffing</code>" in page[page.index('id="detail"'):]


def test_english_first_on_request(result, policy):
    page = render(result, policy, lang="en")
    assert '<html lang="en">' in page and "Formation needs<span" in page and "75,000 minutes" in page
    with pytest.raises(ValueError):
        render(result, policy, lang="fr")


def test_cli_html_in_english(tmp_path):
    from click.testing import CliRunner

    from formasi_rules.cli import main

    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["formation", str(WORKLOAD), "--existing", str(OFFICERS), "--as-of", "2025-10-09",
                                  "--policies", str(ROOT / "policies"), "--format", "html", "--lang", "en",
                                  "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "Summary per region<span" in out.read_text(encoding="utf-8")


def test_renders_without_the_policy(result):
    page = render(result)
    assert "Kota Palembang" in page and "Pendaftaran pencari kerja" not in page


def test_pdf_without_chromium_says_so(monkeypatch, tmp_path, page):
    monkeypatch.setenv("FORMASI_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(PdfUnavailable, match="no headless Chromium"):
        to_pdf(page, tmp_path / "r.pdf")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_in_a_real_browser(page, tmp_path):
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"  # kept with the test's files, to look at
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}"]
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1200,1600", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", html.as_uri()], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    assert dom.count("<rect") > 40 and "Jumlah seluruh wilayah" in dom  # parsed, SVG and all
    pdf = tmp_path / "report.pdf"
    to_pdf(page, pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data))
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)  # A4
    assert 2 <= len(re.findall(rb"/Type\s*/Page\b", data)) <= 8
