"""A small full-resolution head that corrects a UNet's speedline edges.

smp's UNet has no skip connection at the input's own resolution: its last decoder block
upsamples stride-2 features, so where the edge of a 1-2 px line falls is guessed from
half-resolution detail. On the shipped model three quarters of the wrong crop pixels are such
edge errors (docs/results.md, "Where the IoU goes"). The refiner looks at the decoder's
full-resolution features, the UNet's logits and the image's own pixels through a few 3x3
convolutions and adds a correction to the logits. Its last layer starts at zero, so a
refined model begins exactly where its UNet was and can be trained with the UNet frozen.
"""

from __future__ import annotations

import torch
from torch import nn


class EdgeRefiner(nn.Module):
    """Logit correction from (decoder features, image, logits) at full resolution."""

    def __init__(self, features: int, image_channels: int, channels: int, classes: int = 1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(features + image_channels + classes, channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, classes, 1),
        )
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, features: torch.Tensor, image: torch.Tensor, logits: torch.Tensor):
        return logits + self.body(torch.cat([features, image, logits], dim=1))


class RefinedSegmentation(nn.Module):
    """A smp encoder-decoder model with an ``EdgeRefiner`` on its logits.

    The smp parts keep their names (``encoder.*``, ``decoder.*``, ``segmentation_head.*``), so
    the weights of an unrefined model load into it unchanged; only ``refiner.*`` is new.
    """

    def __init__(self, base: nn.Module, channels: int, image_channels: int = 3):
        super().__init__()
        self.encoder = base.encoder
        self.decoder = base.decoder
        self.segmentation_head = base.segmentation_head
        self.classification_head = base.classification_head
        head = base.segmentation_head[0]
        self.refiner = EdgeRefiner(head.in_channels, image_channels, channels, head.out_channels)

    def unet_parameters(self):
        """Everything but the refiner: what ``--train-only refiner`` freezes."""
        return [p for n, p in self.named_parameters() if not n.startswith("refiner.")]

    def forward(self, x: torch.Tensor):
        stride = self.encoder.output_stride
        if not torch.jit.is_tracing() and (x.shape[-2] % stride or x.shape[-1] % stride):
            raise RuntimeError(f"image sides must be multiples of {stride}, not {x.shape[-2:]}")
        features = self.encoder(x)
        decoded = self.decoder(features)
        masks = self.refiner(decoded, x, self.segmentation_head(decoded))
        if self.classification_head is not None:
            return masks, self.classification_head(features[-1])
        return masks
