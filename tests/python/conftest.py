"""Shared fixtures of the binding tests: synthetic templates (no outside data
needed) and the shared FVC data folder when it exists."""
import os

import pytest

try:  # each test module skips itself (pytest.importorskip) when numpy is missing
    import numpy as np
except ImportError:
    np = None

DATA = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))


def synthetic_minutiae(rng, count=40, size=400):
    import biomatch
    minutiae = np.zeros(count, dtype=biomatch.MINUTIA_DTYPE)
    minutiae["x"] = rng.integers(20, size - 20, count)
    minutiae["y"] = rng.integers(20, size - 20, count)
    minutiae["angle"] = rng.uniform(0, 360, count)
    minutiae["type"] = rng.choice([biomatch.RIDGE_ENDING, biomatch.BIFURCATION], count)
    minutiae["quality"] = 60
    return minutiae


def mated_minutiae(rng, minutiae, shift=(12, -9), rotation=8.0, keep=0.85, size=400):
    """Another impression of the same synthetic finger: rotated and shifted
    about the centre, with some minutiae dropped."""
    theta = np.radians(rotation)
    x = minutiae["x"].astype(float) - size / 2
    y = minutiae["y"].astype(float) - size / 2
    # Image y points down; ISO angles are counter-clockwise, so a positive
    # rotation of the picture turns both by the same amount.
    nx = np.cos(theta) * x + np.sin(theta) * y + size / 2 + shift[0]
    ny = -np.sin(theta) * x + np.cos(theta) * y + size / 2 + shift[1]
    inside = (nx >= 0) & (nx < size) & (ny >= 0) & (ny < size) & (rng.uniform(size=len(x)) < keep)
    mate = minutiae[inside].copy()
    mate["x"], mate["y"] = nx[inside].round(), ny[inside].round()
    mate["angle"] = (minutiae["angle"][inside] + rotation) % 360
    return mate


@pytest.fixture
def rng():
    if np is None:
        pytest.skip("numpy is not installed")
    return np.random.default_rng(20261127)


@pytest.fixture
def fvc_db1():
    folder = os.path.join(DATA, "fvc2002_db1_b")
    if not os.path.isdir(folder):
        pytest.skip("shared data absent: %s" % folder)
    return folder


_outcomes = {"passed": 0, "skipped": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        _outcomes["passed"] += 1
    elif report.skipped:
        _outcomes["skipped"] += 1


def pytest_collectreport(report):
    if report.skipped:  # a whole module skipped at import (pytest.importorskip)
        _outcomes["skipped"] += 1


def pytest_sessionfinish(session, exitstatus):
    """Nothing ran but skips (e.g. no numpy): exit 77, which ctest reports as
    Skipped rather than Passed."""
    if exitstatus in (0, 5) and _outcomes["passed"] == 0 and _outcomes["skipped"] > 0:  # 5: nothing collected
        session.exitstatus = 77
