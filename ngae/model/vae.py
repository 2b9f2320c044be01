"""NGAE: the D-VAE graph VAE with accuracy and complexity predictors on the latent mean.

Loss (Chen et al., "Efficient Neural Architecture Search via Graph VAE"; D-VAE's ``loss``)::

    recon (type NLL + edge BCE, summed) + beta * KL
    + perf_weight * sum (f_perf(mu) - acc)^2 + cmplx_weight * sum (f_cmplx(mu) - cmplx)^2
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ngae.config import ModelConfig
from ngae.model.decoder import GraphDecoder
from ngae.model.encoder import GraphEncoder
from ngae.model.products import Products


def _head(nz: int, hs: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(nz, hs), nn.Tanh(), nn.Linear(hs, 1), nn.Sigmoid())


def kl_divergence(mu: Tensor, logvar: Tensor) -> Tensor:
    """``KL(N(mu, exp(logvar)) || N(0, I))`` summed over batch and dimensions."""
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


class NGAE(nn.Module):
    """Graph VAE (encoder, decoder) plus optional predictor heads ``f_perf`` and ``f_cmplx``.

    The module keeps no per-call state, so one cached instance can serve many callers.
    ``precision`` (``fp32`` or ``bf16``, :mod:`ngae.model.precision`) is how the training loss
    multiplies matrices; a training run sets it on its own instance, inference stays fp32.
    """

    precision: str = "fp32"

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = GraphEncoder(cfg)
        self.decoder = GraphDecoder(cfg)
        if cfg.predictors:
            self.perf_head = _head(cfg.nz, cfg.hs)
            self.cmplx_head = _head(cfg.nz, cfg.hs)

    def encode(self, types: Tensor, adj: Tensor) -> tuple[Tensor, Tensor]:
        """``types`` ``(B, N)``, ``adj`` ``(B, N, N)`` -> ``mu, logvar`` ``(B, nz)``."""
        return self.encoder(types, adj.to(self.encoder.fc1.weight.dtype))

    def reparameterize(self, mu: Tensor, logvar: Tensor) -> Tensor:
        """``mu + eps_scale * eps * std`` in training, ``mu`` in eval (D-VAE)."""
        if not self.training:
            return mu
        eps = torch.randn_like(mu) * self.cfg.eps_scale
        return mu + eps * torch.exp(0.5 * logvar)

    def predict(self, mu: Tensor) -> tuple[Tensor, Tensor]:
        """Predicted accuracy and normalised complexity ``(B,)`` each."""
        if not self.cfg.predictors:
            raise ValueError("this model has no predictor heads (trained as DVAE)")
        return self.perf_head(mu).squeeze(-1), self.cmplx_head(mu).squeeze(-1)

    def decode(
        self,
        z: Tensor,
        stochastic: bool = True,
        generator: torch.Generator | None = None,
        static: bool | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Decode ``z`` ``(B, nz)`` -> ``types`` ``(B, N)`` (``-1`` padding), bool ``adj``.

        ``static`` (default: on a GPU) is the decoder's data-independent path (see
        :meth:`GraphDecoder.decode`).
        """
        static = z.is_cuda if static is None else static
        msg = self.encoder.forward_messages()
        return self.decoder.decode(z, msg, stochastic, generator, static)

    def forward(
        self,
        types: Tensor,
        adj: Tensor,
        acc: Tensor | None = None,
        cmplx: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """The loss parts (see :meth:`loss`); ``forward`` so DistributedDataParallel can wrap it."""
        return self.loss(types, adj, acc, cmplx)

    def loss(
        self,
        types: Tensor,
        adj: Tensor,
        acc: Tensor | None = None,
        cmplx: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """The training loss as named parts ``{"loss", "recon", "kl", "perf", "cmplx"}``."""
        adj = adj.to(self.encoder.fc1.weight.dtype)
        mm = Products(self.precision)
        mu, logvar = self.encoder(types, adj, mm)
        z = self.reparameterize(mu, logvar)
        type_nll, edge_nll = self.decoder.teacher_forced_nll(
            z, types, adj, self.encoder.forward_messages(mm), mm
        )
        recon = type_nll + edge_nll
        kl = kl_divergence(mu, logvar)
        parts = {"recon": recon, "kl": kl}
        loss = recon + self.cfg.beta * kl
        if self.cfg.predictors and acc is not None and cmplx is not None:
            pred_acc, pred_cmplx = self.predict(mu)
            parts["perf"] = torch.sum((pred_acc - acc) ** 2)
            parts["cmplx"] = torch.sum((pred_cmplx - cmplx) ** 2)
            loss = loss + self.cfg.perf_weight * parts["perf"]
            loss = loss + self.cfg.cmplx_weight * parts["cmplx"]
        parts["loss"] = loss
        return parts
