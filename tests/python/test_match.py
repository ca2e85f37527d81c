"""Python bindings: prepared templates, probes, 1:many matching across threads, FMR thresholds."""
import os
import threading
import time

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import biomatch  # noqa: E402
from conftest import mated_minutiae, synthetic_minutiae  # noqa: E402


def make_gallery(rng, count):
    return [biomatch.Template(width=400, height=400, minutiae=synthetic_minutiae(rng)) for _ in range(count)]


def test_mated_scores_above_threshold_and_impostors_below(rng):
    finger = synthetic_minutiae(rng)
    with biomatch.Template(400, 400, minutiae=finger) as a, \
            biomatch.Template(400, 400, minutiae=mated_minutiae(rng, finger)) as b, \
            biomatch.Template(400, 400, minutiae=synthetic_minutiae(rng)) as other:
        threshold = biomatch.fmr_to_threshold(1e-4)
        assert biomatch.match(a, b) > threshold
        assert biomatch.match(a, other) < biomatch.fmr_to_threshold(1e-2)
        assert biomatch.score_to_fmr(biomatch.match(a, b)) < 1e-4


def test_thresholds_are_monotonic_and_checked():
    thresholds = [biomatch.fmr_to_threshold(f) for f in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)]
    assert thresholds == sorted(thresholds)
    for fmr, threshold in zip((1e-2, 1e-3), thresholds[1:3]):
        assert biomatch.score_to_fmr(threshold) == pytest.approx(fmr, rel=0.5)
    for bad in (0.0, 1.0, -1.0, float("nan")):
        with pytest.raises(biomatch.BiomatchError) as raised:
            biomatch.fmr_to_threshold(bad)
        assert raised.value.name == "BM_ERR_INVALID_ARGUMENT"


def test_match_many_equals_match_one_on_every_path(rng):
    gallery_templates = make_gallery(rng, 37)
    gallery = biomatch.PreparedTemplates(gallery_templates)
    assert len(gallery) == 37
    with biomatch.Probe(gallery_templates[5]) as probe:
        one_by_one = np.array([probe.match(gallery[i]) for i in range(len(gallery))], dtype=np.float32)
        assert np.array_equal(probe.match_many(gallery), one_by_one)
        assert np.array_equal(probe.match_many(gallery, threads=3), one_by_one)
        assert int(np.argmax(one_by_one)) == 5
        assert probe.match(gallery_templates[7]) == one_by_one[7]
    # A probe built from a prepared blob scores as one built from the template.
    with biomatch.Probe(gallery[5]) as probe:
        assert np.array_equal(probe.match_many(gallery), one_by_one)


def test_prepared_blobs_are_checked(rng):
    template = make_gallery(rng, 1)[0]
    blob = biomatch.prepare(template)
    biomatch.check_prepared(blob)
    assert 0 < biomatch.cylinder_count(blob) <= len(template)
    damaged = blob.copy()
    damaged[len(damaged) // 2] ^= 0x55
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.check_prepared(damaged)
    assert raised.value.name == "BM_ERR_PREPARED_CORRUPT"
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.Probe(blob[:10])
    assert raised.value.name == "BM_ERR_PREPARED_TRUNCATED"
    with pytest.raises(biomatch.BiomatchError) as raised:
        biomatch.prepare(biomatch.Template(400, 400))
    assert raised.value.name == "BM_ERR_NO_MINUTIAE"


def test_concurrent_threads_share_one_probe(rng):
    gallery = biomatch.PreparedTemplates(make_gallery(rng, 30))
    with biomatch.Probe(gallery[0]) as probe:
        expected = probe.match_many(gallery)
        results = [None] * 4

        def work(slot):
            results[slot] = probe.match_many(gallery)

        threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for result in results:
        assert np.array_equal(result, expected)


def longest_pause_during(call):
    """Runs call() on another thread; returns (longest gap between two
    consecutive clock readings of this thread while it ran, call duration)."""
    done = threading.Event()

    def work():
        call()
        done.set()

    worker = threading.Thread(target=work)
    # Timing starts before start(): a GIL-holding call would block this
    # thread in start() or in the loop below for the whole call.
    started = last = time.perf_counter()
    longest = 0.0
    worker.start()
    while True:  # the sample after `done` counts too: a GIL-holding call shows up as one long pause
        finished = done.is_set()
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
        if finished:
            break
    worker.join()
    return longest, time.perf_counter() - started


def test_matching_releases_the_gil(rng):
    """While one thread is inside bm_match_many, another Python thread keeps
    running: its longest pause is far shorter than the C call. With the GIL
    held, the pause would be the whole call, in every attempt; a busy
    machine can stall this thread once, so three attempts are allowed."""
    gallery = biomatch.PreparedTemplates(make_gallery(rng, 40))
    with biomatch.Probe(gallery[0]) as probe:
        # As many comparisons as make the call last >= 0.1 s on this
        # machine (a faster matcher or CPU must not make it unmeasurable).
        count = 8000
        while True:
            repeats = biomatch.PreparedTemplates([gallery[i % len(gallery)] for i in range(count)])
            started = time.perf_counter()
            probe.match_many(repeats)
            if time.perf_counter() - started >= 0.1 or count >= 1 << 20:
                break
            count *= 2
        attempts = [longest_pause_during(lambda: probe.match_many(repeats)) for _ in range(3)]
    assert min(duration for _, duration in attempts) > 0.05, "gallery too small to measure"
    assert any(pause < 0.5 * duration for pause, duration in attempts), attempts


def test_real_mates_outscore_impostors(fvc_db1):
    paths = [os.path.join(fvc_db1, "%d_%d.iso" % (finger, impression)) for finger in (101, 102) for impression in
             (1, 2)]
    templates = [biomatch.Template.read(p) for p in paths]
    gallery = biomatch.PreparedTemplates(templates)
    with biomatch.Probe(templates[0]) as probe:
        scores = probe.match_many(gallery)
    assert scores[1] > max(scores[2], scores[3])
