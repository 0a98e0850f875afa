"""The manual platform fetches nothing and says how counts get in instead."""

from __future__ import annotations

import pytest

from connectors import get_connector
from connectors.errors import ConnectorError


def test_fetches_raise_and_point_to_tracker_record():
    conn = get_connector("manual", {})
    with pytest.raises(ConnectorError, match="tracker record") as info:
        conn.fetch_profile("tiktok")
    assert (info.value.platform, info.value.handle) == ("manual", "tiktok")
    with pytest.raises(ConnectorError, match="tracker record"):
        conn.fetch_posts("tiktok")
