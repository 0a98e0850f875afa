"""Scripts and styles as a phone on a slow line gets them: compressed, cached for a year under a
fingerprinted address, the same for everyone (no cookies), and the small Plotly bundle."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from typing import Any

import brotli
from flask.testing import FlaskClient


def _scripts(client: FlaskClient) -> list[str]:
    page = client.get("/fortschritt").get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', page)


def test_the_page_loads_the_cartesian_plotly_bundle_not_the_full_one(
    client_for: Callable[[str], FlaskClient],
) -> None:
    scripts = _scripts(client_for("mentee"))
    plotly = [s for s in scripts if "plotly" in s and "locale" not in s]
    assert len(plotly) == 1 and "plotly-cartesian" in plotly[0], scripts
    assert not any(s.startswith(("http:", "https:", "//")) for s in scripts)  # never a CDN


def test_static_files_are_compressed_cached_and_cookie_free(
    client_for: Callable[[str], FlaskClient],
) -> None:
    client = client_for("mentee")
    bundle = next(s for s in _scripts(client) if "plotly-cartesian" in s)
    for encoding in ("br", "gzip"):
        response = client.get(bundle, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert len(response.get_data()) < 700_000  # 1.5 MB before compression
        assert "Set-Cookie" not in response.headers
        assert "cookie" not in response.headers.get("Vary", "").lower()
        cache = response.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "public" in cache
    style = client.get("/fortschritt").get_data(as_text=True)
    css = re.search(r'href="(/assets/style\.css\?m=[^"]+)"', style)
    assert css is not None
    response = client.get(css.group(1), headers={"Accept-Encoding": "br"})
    assert "Set-Cookie" not in response.headers
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_pages_are_compressed_and_never_cached(client_for: Callable[[str], FlaskClient]) -> None:
    client = client_for("mentee")
    response = client.get("/fortschritt", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "no-store"


def test_html_carries_the_viewer_language(client_for: Callable[[str], FlaskClient]) -> None:
    client = client_for("mentee")
    assert '<html lang="de">' in client.get("/fortschritt").get_data(as_text=True)
    client.get("/lang/en")
    assert '<html lang="en">' in client.get("/fortschritt").get_data(as_text=True)


def test_no_chart_offers_to_share_or_upload(app: Any) -> None:
    from dashboards.progress.components import graph_config

    for lang in ("de", "en"):
        config = graph_config(lang)
        assert config["modeBarButtons"] == [["toImage", "resetScale2d"]]
        assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
        assert config["displaylogo"] is False


def test_pages_and_data_are_compressed_as_the_browser_accepts(
    client_for: Callable[[str], FlaskClient],
) -> None:
    client = client_for("mentee")
    plain = client.get("/_dash-layout", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    brotli_page = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert brotli_page.headers["Content-Encoding"] == "br"
    assert brotli.decompress(brotli_page.data) == plain.data
    assert int(brotli_page.headers["Content-Length"]) == len(brotli_page.data) < len(plain.data)
    refused = client.get("/_dash-layout", headers={"Accept-Encoding": "br;q=0, gzip;q=0.5"})
    assert refused.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(refused.data) == plain.data
    assert "Content-Encoding" not in client.get("/_dash-layout").headers  # none accepted
