"""Python bindings: gallery enrolment, identification (fingers, latent, face),
deduplication with progress and cancellation, persistence, threads."""
import threading

import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import biomatch  # noqa: E402
from conftest import mated_minutiae, synthetic_minutiae  # noqa: E402


def template(minutiae, position=0):
    return biomatch.Template(width=400, height=400, minutiae=minutiae, position=position)


@pytest.fixture
def people(rng):
    """6 persons: two fingers each (positions 1 and 2) and a 64-d face, plus second captures."""
    persons = []
    for _ in range(6):
        fingers = [synthetic_minutiae(rng) for _ in range(2)]
        centre = rng.standard_normal(64).astype(np.float32)
        persons.append({
            "fingers": fingers,
            "mates": [mated_minutiae(rng, f) for f in fingers],
            "face": centre + 0.3 * rng.standard_normal(64).astype(np.float32),
            "face_mate": centre + 0.3 * rng.standard_normal(64).astype(np.float32),
        })
    return persons


def enrol_all(gallery, people):
    for k, person in enumerate(people):
        gallery.enroll("person%d" % k, fingers={1: template(person["fingers"][0]), 2: template(person["fingers"][1])},
                       face=person["face"], metadata=b"card %d" % k)


def test_identify_by_fingers_latent_and_face(people):
    with biomatch.Gallery(shards=3, face_dimension=64) as gallery:
        enrol_all(gallery, people)
        assert len(gallery) == 6
        assert gallery.ids() == ["person%d" % k for k in range(6)]
        stats = gallery.stats()
        assert (stats["records"], stats["fingers"], stats["faces"]) == (6, 12, 6)

        found = gallery.identify(fingers={1: template(people[3]["mates"][0])}, top_k=3)
        assert found[0].id == "person3" and len(found) <= 3
        assert found[0].fingers[0].probe_position == 1 and found[0].fingers[0].record_position == 1
        assert found[0].fmr < 1e-4 and found[0].face_score is None
        assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
        assert found.comparisons == 6

        latent = gallery.identify(fingers={0: template(people[4]["mates"][1])})
        assert latent[0].id == "person4"
        assert max(latent[0].fingers, key=lambda f: f.score).record_position == 2
        assert latent.comparisons == 12

        by_face = gallery.identify(face=people[2]["face_mate"])
        assert by_face[0].id == "person2" and by_face[0].face_score > 0.7

        strict = gallery.identify(fingers={1: template(synthetic_minutiae(np.random.default_rng(99)))}, max_fmr=1e-6)
        assert len(strict) == 0

        record = gallery.get("person5")
        assert set(record.fingers) == {1, 2} and record.metadata == b"card 5"
        biomatch.check_prepared(record.fingers[1])
        assert record.face.shape == (64,) and abs(np.linalg.norm(record.face) - 1) < 1e-5


def test_errors_carry_codes(people):
    with biomatch.Gallery(face_dimension=64) as gallery:
        enrol_all(gallery, people[:2])
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.enroll("person0", fingers={1: template(people[0]["fingers"][0])})
        assert raised.value.name == "BM_ERR_ALREADY_EXISTS"
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.delete("nobody")
        assert raised.value.name == "BM_ERR_NOT_FOUND"
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.enroll("x", face=np.ones(32, dtype=np.float32))
        assert raised.value.name == "BM_ERR_DIMENSION"
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.identify(fingers={0: template(people[0]["fingers"][0]), 1: template(people[0]["fingers"][1])})
        assert raised.value.name == "BM_ERR_INVALID_ARGUMENT"
        gallery.enroll("person0", fingers={3: template(people[1]["fingers"][0])}, mode="merge")
        assert set(gallery.get("person0").fingers) == {1, 2, 3}
    with pytest.raises(ValueError):
        gallery.identify(face=people[0]["face"])


def test_dedup_finds_the_planted_duplicate_and_reports_progress(people):
    with biomatch.Gallery(face_dimension=64) as gallery:
        enrol_all(gallery, people)
        gallery.enroll("again-person1", fingers={1: template(people[1]["mates"][0]), 2: template(people[1]["mates"][1])})
        calls = []
        result = gallery.dedup(max_fmr=1e-6, progress=lambda done, total: calls.append((done, total)))
        assert [(p.a, p.b) for p in result.pairs] == [("again-person1", "person1")]
        assert result.clusters == [["again-person1", "person1"]]
        assert result.pairs_compared == 7 * 6 // 2
        assert calls and calls[-1][0] == calls[-1][1] == 21
        batch = gallery.dedup(batch_ids=["person1"], max_fmr=1e-6)
        assert batch.pairs_compared == 6 and len(batch.pairs) == 1
        # Progress comes from the calling thread between rows: one thread makes that certain here.
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.dedup(progress=lambda done, total: True, threads=1)
        assert raised.value.name == "BM_ERR_CANCELLED"

        def fail(done, total):
            raise KeyError("from the callback")

        with pytest.raises(KeyError):
            gallery.dedup(progress=fail, threads=1)


def test_persistent_gallery_reopens(tmp_path, people):
    with biomatch.Gallery(tmp_path / "db", face_dimension=64) as gallery:
        enrol_all(gallery, people[:3])
        gallery.delete("person1")
        gallery.checkpoint()
        gallery.enroll("late", fingers={1: template(people[5]["fingers"][0])})
    with biomatch.Gallery(tmp_path / "db") as gallery:
        assert gallery.ids() == ["late", "person0", "person2"]
        assert gallery.stats()["face_dimension"] == 64
        assert gallery.identify(fingers={1: template(people[2]["mates"][0])})[0].id == "person2"


def test_searches_from_many_threads_agree(people):
    with biomatch.Gallery(face_dimension=64) as gallery:
        enrol_all(gallery, people)
        probes = [template(p["mates"][0]) for p in people]
        expected = [gallery.identify(fingers={1: t})[0].id for t in probes]
        assert expected == ["person%d" % k for k in range(6)]
        results = {}

        def work(k):
            results[k] = [gallery.identify(fingers={1: t}, threads=1)[0].id for t in probes]

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(results[k] == expected for k in range(4))
