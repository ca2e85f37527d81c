"""Python bindings: face index and instruction-set control."""
import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import biomatch  # noqa: E402


def clustered(people=200, samples=3, dimension=128, seed=1):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((people, dimension)).astype(np.float32)
    return np.repeat(centres, samples, axis=0) + 0.5 * rng.standard_normal((people * samples, dimension)).astype(np.float32)


def test_exact_search_agrees_with_numpy():
    vectors = clustered()
    normalised = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    with biomatch.FaceIndex(128) as index:
        index.add(np.arange(len(vectors)), vectors)
        assert len(index) == len(vectors)
        for q in range(0, len(vectors), 37):
            ids, scores = index.search(vectors[q], k=5)
            expected = np.argsort(-(normalised @ normalised[q]), kind="stable")[:5]
            assert list(ids) == list(expected)
            assert scores[0] == pytest.approx(1.0, abs=1e-5)
        batch_ids, _, counts = index.search_batch(vectors[:10], k=5)
        assert list(counts) == [5] * 10
        assert list(batch_ids[3]) == list(index.search(vectors[3], k=5)[0])


def test_int8_with_reranking_and_errors():
    vectors = clustered(seed=2)
    with biomatch.FaceIndex(128, "f32") as exact, biomatch.FaceIndex(128, "int8", keep_f32=True) as small:
        exact.add(np.arange(len(vectors)), vectors)
        small.add(np.arange(len(vectors)), vectors)
        assert small.storage_bytes < exact.storage_bytes / 3
        assert list(small.search(vectors[7], k=10, rerank=50)[0]) == list(exact.search(vectors[7], k=10)[0])
        with pytest.raises(biomatch.BiomatchError) as raised:
            small.add([1], np.full(128, np.nan, dtype=np.float32))
        assert raised.value.name == "BM_ERR_NON_FINITE"
        with pytest.raises(biomatch.BiomatchError) as raised:
            small.search(np.ones(64, dtype=np.float32))
        assert raised.value.name == "BM_ERR_DIMENSION"


def test_approximate_search():
    vectors = clustered(seed=3)
    with biomatch.FaceIndex(128) as index:
        index.add(np.arange(len(vectors)), vectors)
        index.build_approximate("HNSW16", "efSearch=64")
        ids, _ = index.search_approximate(vectors[11], k=3)
        assert ids[0] == 11
        with pytest.raises(biomatch.BiomatchError) as raised:
            index.build_approximate("NoSuchIndex")
        assert raised.value.name == "BM_ERR_FAISS"


def test_instruction_set_control():
    best = biomatch.best_isa()
    biomatch.force_isa("scalar")
    assert biomatch.active_isa() == "scalar"
    biomatch.force_isa(best)
    assert biomatch.active_isa() == best
    with pytest.raises(biomatch.BiomatchError):
        biomatch.force_isa("sse9")
