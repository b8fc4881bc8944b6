import torch

from synthlearn.nn.backbones import SmallCNN
from synthlearn.nn.coordconv import CoordConv2d


def test_small_cnn_shapes_and_coordconv_option():
    plain = SmallCNN(3, 5, width=8, depth=4, input_size=64)
    coord = SmallCNN(3, 5, width=8, depth=4, input_size=64, coord_conv=True)
    x = torch.zeros(2, 3, 64, 64)
    assert plain(x).shape == coord(x).shape == (2, 5)
    assert isinstance(coord.features[0], CoordConv2d) and not isinstance(plain.features[0], CoordConv2d)
    extra = sum(p.numel() for p in coord.parameters()) - sum(p.numel() for p in plain.parameters())
    assert extra == 8 * 2 * 3 * 3  # two coordinate channels into the first 3×3 conv of width 8
