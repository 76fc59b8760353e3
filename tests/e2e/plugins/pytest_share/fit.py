"""The body of pytest.fit (tests/e2e/plugins/pytest.c): weft finds it in
the plugin's share directory, and its content is in the op's key."""
from scale import scale


def main(k, xs):
    return {"out": [scale(k, x) for x in xs], "n": len(xs)}
