"""The LTS policy: a distribution over simulator parameters with a differentiable log-prob.

Per parameter:

* :class:`~synthlearn.params.Choice` → softmax over learnable logits.
* :class:`~synthlearn.params.Simplex`, :class:`~synthlearn.params.Uniform`,
  :class:`~synthlearn.params.IntRange` → a diagonal Gaussian ``N(μ, σ²)`` over the unbounded
  vector of :mod:`synthlearn.lts.transforms`, decoded into a valid value. ``μ`` starts at the
  encoded default value, ``σ`` at ``init_std`` (learnable unless ``learn_std=False``).

An "action" is what was sampled: the choice index, or the unbounded vector ``z``. The policy
returns both the decoded values and the actions; :meth:`Policy.log_prob` scores actions.

Example::

    >>> policy = Policy(space, init_std=0.5)
    >>> values, actions = policy.sample(np.random.default_rng(0))
    >>> policy.log_prob([actions]).shape
    torch.Size([1])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from synthlearn.lts import transforms
from synthlearn.params import Choice, ParamSpace, Simplex


class Policy:
    """A factorised policy over the parameters of ``space``."""

    def __init__(self, space: ParamSpace, init_std: float = 0.5, learn_std: bool = True, min_std: float = 0.05) -> None:
        self.space = space
        self.learn_std = learn_std
        self.min_log_std = math.log(min_std)
        self.tensors: dict[str, torch.Tensor] = {}
        for p in space:
            if isinstance(p, Choice):
                self.tensors[f"{p.name}.logits"] = torch.zeros(len(p.choices), dtype=torch.float64, requires_grad=True)
            else:
                mean = torch.tensor(transforms.encode(p, p.default), dtype=torch.float64)
                self.tensors[f"{p.name}.mean"] = mean.requires_grad_(True)
                log_std = torch.full((transforms.dim(p),), math.log(init_std), dtype=torch.float64)
                self.tensors[f"{p.name}.log_std"] = log_std.requires_grad_(learn_std)

    def parameters(self) -> list[torch.Tensor]:
        return [t for t in self.tensors.values() if t.requires_grad]

    def _probs(self, name: str) -> np.ndarray:
        return torch.softmax(self.tensors[f"{name}.logits"], 0).detach().numpy()

    def sample(self, rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
        """One draw: ``(values, actions)``; all randomness from ``rng``."""
        values, actions = {}, {}
        for p in self.space:
            if isinstance(p, Choice):
                index = int(rng.choice(len(p.choices), p=self._probs(p.name)))
                values[p.name], actions[p.name] = p.choices[index], index
            else:
                mean = self.tensors[f"{p.name}.mean"].detach().numpy()
                std = np.exp(self.tensors[f"{p.name}.log_std"].detach().numpy())
                z = mean + std * rng.standard_normal(mean.shape)
                values[p.name], actions[p.name] = transforms.decode(p, z), z.tolist()
        return values, actions

    def log_prob(self, actions: list[dict[str, Any]]) -> torch.Tensor:
        """Log-probabilities ``(K,)`` of K actions under the current policy (differentiable)."""
        total = torch.zeros(len(actions), dtype=torch.float64)
        for p in self.space:
            if isinstance(p, Choice):
                logp = torch.log_softmax(self.tensors[f"{p.name}.logits"], 0)
                total = total + logp[torch.tensor([a[p.name] for a in actions])]
            else:
                z = torch.tensor([a[p.name] for a in actions], dtype=torch.float64)
                dist = torch.distributions.Normal(self.tensors[f"{p.name}.mean"], self.tensors[f"{p.name}.log_std"].exp())
                total = total + dist.log_prob(z).sum(dim=1)
        return total

    def clamp_(self) -> None:
        """Keep every std at or above ``min_std`` (call after each optimiser step)."""
        with torch.no_grad():
            for key, tensor in self.tensors.items():
                if key.endswith(".log_std"):
                    tensor.clamp_(min=self.min_log_std)

    def mode(self) -> dict[str, Any]:
        """The most likely parameters: argmax choice, decoded mean otherwise."""
        out = {}
        for p in self.space:
            if isinstance(p, Choice):
                out[p.name] = p.choices[int(np.argmax(self._probs(p.name)))]
            else:
                out[p.name] = transforms.decode(p, self.tensors[f"{p.name}.mean"].detach().numpy())
        return out

    def summary(self) -> dict[str, Any]:
        """Per parameter: ``probs`` for Choice/Simplex, ``mean`` and ``std`` otherwise.

        For continuous parameters ``std`` is in the parameter's own units (delta method at the
        mean); for a Simplex it is the mean Gaussian std over its logits.
        """
        out: dict[str, Any] = {}
        for p in self.space:
            if isinstance(p, Choice):
                out[p.name] = {"probs": dict(zip(p.choices, map(float, self._probs(p.name))))}
                continue
            mean = self.tensors[f"{p.name}.mean"].detach().numpy()
            std = np.exp(self.tensors[f"{p.name}.log_std"].detach().numpy())
            if isinstance(p, Simplex):
                out[p.name] = {"probs": transforms.decode(p, mean), "logit_std": float(std.mean())}
            else:
                h = 1e-4
                centre, up, down = (float(transforms.decode(p, mean + d, round_int=False)) for d in (0.0, h, -h))
                out[p.name] = {"mean": centre, "std": abs(up - down) / (2 * h) * float(std[0])}
        return out

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.tensors.items()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for key, tensor in self.tensors.items():
                tensor.copy_(state[key])
