"""Python bindings: several face embeddings per gallery record (enroll faces=,
Record.faces, merge appending, the 16-embedding limit, Candidate.face_index /
faces_compared)."""
import pytest

np = pytest.importorskip("numpy", reason="numpy is not installed")
import biomatch  # noqa: E402
from biomatch.gallery import MAX_FACES  # noqa: E402


def unit(vector):
    return vector / np.linalg.norm(vector)


def test_record_matches_on_its_best_face_and_reads_back(rng):
    photos = rng.standard_normal((5, 3, 64)).astype(np.float32)  # 5 people x 3 unrelated-looking photos
    with biomatch.Gallery(shards=2, face_dimension=64) as gallery:
        for k in range(5):
            gallery.enroll("p%d" % k, faces=photos[k])          # a 2-d array: one row per photo
        gallery.enroll("single", face=photos[0][0])
        assert gallery.stats()["faces"] == 16

        record = gallery.get("p3")
        assert len(record.faces) == 3 and record.face is not None
        for stored, photo in zip(record.faces, photos[3]):
            assert np.allclose(stored, unit(photo), atol=1e-6)
        assert np.array_equal(record.face, record.faces[0])

        probe = photos[3][2] + 0.2 * rng.standard_normal(64).astype(np.float32)
        found = gallery.identify(face=probe, top_k=2)
        assert found[0].id == "p3" and found[0].face_index == 2 and found[0].faces_compared == 3
        assert abs(found[0].face_score - float(unit(probe) @ unit(photos[3][2]))) < 1e-5

        assert len(gallery.get("single").faces) == 1


def test_merge_appends_replace_replaces_and_the_limit(rng, tmp_path):
    photos = rng.standard_normal((MAX_FACES + 1, 64)).astype(np.float32)
    with biomatch.Gallery(tmp_path / "db", face_dimension=64) as gallery:
        gallery.enroll("x", face=photos[0])
        gallery.enroll("x", faces=[photos[1], photos[2]], mode="merge")
        assert len(gallery.get("x").faces) == 3
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.enroll("x", faces=photos[3:MAX_FACES + 1], mode="merge")  # 3 + 14 > 16
        assert raised.value.name == "BM_ERR_TOO_MANY_FACES"
        assert len(gallery.get("x").faces) == 3
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.enroll("y", faces=photos)  # 17 in one record
        assert raised.value.name == "BM_ERR_TOO_MANY_FACES"
        with pytest.raises(biomatch.BiomatchError) as raised:
            gallery.enroll("z", faces=[photos[0], np.zeros(64, dtype=np.float32)])
        assert raised.value.name == "BM_ERR_ZERO_VECTOR"
        gallery.enroll("w", faces=[photos[4], photos[5]])
        gallery.enroll("w", face=photos[6], mode="replace")
        assert len(gallery.get("w").faces) == 1
    with biomatch.Gallery(tmp_path / "db") as gallery:  # the log replays every embedding
        faces = gallery.get("x").faces
        assert len(faces) == 3 and np.allclose(faces[2], unit(photos[2]), atol=1e-6)
        assert gallery.stats()["faces"] == 4
        found = gallery.identify(fingers=None, face=photos[1])
        assert found[0].id == "x" and found[0].face_index == 1
