"""MNIST-M-style blending on digits and photographs made here; the shipped photographs load offline."""

import socket

import numpy as np
import pytest

from synthlearn.data.mnist_m import MNIST_M_SEED, PHOTOS, blend_with_photos, load_photos, make_mnist_m
from synthlearn.data.real import LabelledImages, load_real
from synthlearn.errors import UserError

from test_mnist import write_digits


def position_photos() -> list[np.ndarray]:
    """Two photographs whose pixel at (r, c) is (r, c, photo number): a crop shows where it came from."""
    photos = []
    for k, (height, width) in enumerate([(40, 50), (33, 90)]):
        rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        photos.append(np.stack([rows, cols, np.full_like(rows, k)], axis=-1).astype(np.uint8))
    return photos


def random_digits(n: int) -> np.ndarray:
    return np.random.default_rng(5).integers(0, 256, (n, 28, 28), dtype=np.uint8)


def test_same_seed_same_bytes_other_seed_differs():
    digits, photos = random_digits(50), position_photos()
    first = blend_with_photos(digits, 3, photos)
    assert first.shape == (50, 28, 28, 3) and first.dtype == np.uint8
    assert first.tobytes() == blend_with_photos(digits, 3, photos).tobytes()
    assert first.tobytes() != blend_with_photos(digits, 4, photos).tobytes()


def test_each_digit_gets_a_whole_crop_of_one_photo():
    out = blend_with_photos(np.zeros((200, 28, 28), np.uint8), 1, position_photos())
    rows, cols, which = out[..., 0].astype(int), out[..., 1].astype(int), out[..., 2]
    assert np.array_equal(rows - rows[:, :1, :1], np.broadcast_to(np.arange(28)[None, :, None], (200, 28, 28)))
    assert np.array_equal(cols - cols[:, :1, :1], np.broadcast_to(np.arange(28)[None, None, :], (200, 28, 28)))
    assert np.all(which == which[:, :1, :1]) and set(np.unique(which)) == {0, 1}
    tops, lefts, photo = rows[:, 0, 0], cols[:, 0, 0], which[:, 0, 0]
    assert np.all(tops + 28 <= np.where(photo == 0, 40, 33)) and np.all(lefts + 28 <= np.where(photo == 0, 50, 90))
    assert len(set(zip(tops, lefts, photo))) > 100  # positions vary


def test_pixel_is_absolute_difference_of_patch_and_digit():
    patch = np.zeros((28, 28, 3), np.uint8)
    patch[...] = (50, 120, 250)
    patch[0, 0] = (0, 255, 7)
    digit = np.zeros((1, 28, 28), np.uint8)
    digit[0, 0, 0], digit[0, 5, 5] = 200, 200
    out = blend_with_photos(digit, 0, [patch])  # a 28×28 photo: the crop is all of it
    assert out[0, 0, 0].tolist() == [200, 55, 193]  # |0 - 200|, |255 - 200|, |7 - 200|
    assert out[0, 5, 5].tolist() == [150, 80, 50]  # |50 - 200|, |120 - 200|, |250 - 200|
    assert out[0, 9, 9].tolist() == [50, 120, 250]  # no stroke: the photo itself


def test_make_mnist_m_keeps_labels_classes_and_count():
    source = LabelledImages(random_digits(12), np.arange(12) % 3, ("a", "b", "c"))
    blended = make_mnist_m(source, 7)
    assert blended.images.shape == (12, 28, 28, 3) and blended.images.dtype == np.uint8
    assert np.array_equal(blended.labels, source.labels) and blended.classes == source.classes


def test_bad_digits_or_photos_are_user_errors():
    with pytest.raises(UserError, match=r"grey uint8 digits \(N, H, W\), got float64"):
        blend_with_photos(np.zeros((2, 28, 28)), 0, position_photos())
    with pytest.raises(UserError, match=r"grey uint8 digits \(N, H, W\), got uint8 \(2, 28, 28, 3\)"):
        blend_with_photos(np.zeros((2, 28, 28, 3), np.uint8), 0, position_photos())
    with pytest.raises(UserError, match=r"photograph of \(20, 50\) is smaller than the \(28, 28\) digits"):
        blend_with_photos(random_digits(2), 0, [np.zeros((20, 50, 3), np.uint8)])
    with pytest.raises(UserError, match=r"uint8 RGB \(h, w, 3\), got uint8 \(40, 40\)"):
        blend_with_photos(random_digits(2), 0, [np.zeros((40, 40), np.uint8)])
    with pytest.raises(UserError, match="at least one photograph"):
        blend_with_photos(random_digits(2), 0, [])


def test_photos_load_offline_and_are_colourful(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a photograph tried to download")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    photos = load_photos()
    assert len(photos) == len(PHOTOS) >= 5
    for name, photo in zip(PHOTOS, photos):
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3 and min(photo.shape[:2]) >= 256, name
        assert photo.mean() > 50 and photo.std(axis=(0, 1)).min() > 20, name  # not mostly black, every channel varies
    assert blend_with_photos(random_digits(3), 0).shape == (3, 28, 28, 3)


def test_load_real_mnist_m_is_the_fixed_blend_of_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHLEARN_DATA", str(tmp_path))
    write_digits(tmp_path / "mnist" / "digits")
    target = load_real("mnist-m")
    expected = make_mnist_m(load_real("mnist"), MNIST_M_SEED)
    assert target.images.tobytes() == expected.images.tobytes() and target.images.shape == (20, 28, 28, 3)
    assert np.array_equal(target.labels, expected.labels) and target.classes == tuple("0123456789")
