"""TD3 (Fujimoto et al. 2018) with an optional GRU context, read top to bottom.

Networks: an actor ``π(o, c)`` and twin critics ``Q1, Q2(o, a, c)``. With a context, the actor
has its own :class:`~synthlearn.rl.context.ContextEncoder` and the critic one more, shared by
its two heads (so a critic update trains the critic's GRU, an actor update the actor's).
One update (:meth:`TD3Agent.update`):

1. target policy smoothing: ``a' = clip(π_targ(o', c') + clip(ε, −c, c), −limit, limit)``,
   ``ε ~ N(0, (policy_noise·limit)²)``, ``c = noise_clip·limit``;
2. clipped double-Q target: ``y = r + γ (1 − done) min(Q1_targ, Q2_targ)(o', a', c')``
   (:func:`td3_target`);
3. critic loss ``mean(w · ((Q1 − y)² + (Q2 − y)²))`` (``w`` = per-sample weights, 1 by default);
4. every ``policy_delay`` updates: actor loss ``−mean(w · Q1(o, π(o, c), c))`` (gradients for the actor only),
   then soft target updates ``θ_targ ← τ θ + (1 − τ) θ_targ`` of actor, critic and their GRUs.

Optionally each loss adds ``λ ‖θ − θ_anchor‖²`` over its network's parameters (MQL's proximal term).

Example::

    agent = TD3Agent(obs_dim=2, act_dim=2, act_limit=0.1, settings=TD3Settings(), context=ContextSettings())
    losses = agent.update(batch, noise=torch.Generator().manual_seed(0))
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from synthlearn.rl.config import ContextSettings, TD3Settings
from synthlearn.rl.context import ContextEncoder


def mlp(inputs: int, hidden: int, outputs: int) -> nn.Sequential:
    """``inputs → hidden → hidden → outputs`` with ReLUs."""
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


class Actor(nn.Module):
    """``π(o (B, O), window (B, H, F) or None) → action (B, A)`` in ``[−limit, limit]``."""

    def __init__(self, obs_dim: int, act_dim: int, act_limit: float, hidden: int, context: ContextSettings | None) -> None:
        super().__init__()
        self.context = ContextEncoder(obs_dim, act_dim, act_limit, context.hidden) if context else None
        self.net = mlp(obs_dim + (context.hidden if context else 0), hidden, act_dim)
        self.act_limit = act_limit

    def embed(self, obs: torch.Tensor, window: torch.Tensor | None) -> torch.Tensor:
        """The MLP input ``(B, O [+ context])``."""
        return obs if self.context is None else torch.cat([obs, self.context(window)], dim=1)

    def forward(self, obs: torch.Tensor, window: torch.Tensor | None) -> torch.Tensor:
        return self.act_limit * torch.tanh(self.net(self.embed(obs, window)))


class Critic(nn.Module):
    """Twin critics ``(o (B, O), a (B, A), window) → (Q1 (B,), Q2 (B,))`` sharing one context GRU (actions scaled to [−1, 1])."""

    def __init__(self, obs_dim: int, act_dim: int, act_limit: float, hidden: int, context: ContextSettings | None) -> None:
        super().__init__()
        self.context = ContextEncoder(obs_dim, act_dim, act_limit, context.hidden) if context else None
        self.act_scale = 1.0 / act_limit
        inputs = obs_dim + act_dim + (context.hidden if context else 0)
        self.q1, self.q2 = mlp(inputs, hidden, 1), mlp(inputs, hidden, 1)

    def encode(self, window: torch.Tensor | None) -> torch.Tensor | None:
        """The critic's context ``(B, hidden)`` of windows ``(B, H, F)`` (None without a context)."""
        return None if self.context is None else self.context(window)

    def _inputs(self, obs: torch.Tensor, act: torch.Tensor, context: torch.Tensor | None) -> torch.Tensor:
        act = act * self.act_scale  # actions enter in [−1, 1]
        return torch.cat([obs, act] if context is None else [obs, act, context], dim=1)

    def heads(self, obs: torch.Tensor, act: torch.Tensor, context: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(Q1, Q2)`` given an already encoded context."""
        x = self._inputs(obs, act, context)
        return self.q1(x)[:, 0], self.q2(x)[:, 0]

    def first_head(self, obs: torch.Tensor, act: torch.Tensor, context: torch.Tensor | None) -> torch.Tensor:
        """``Q1 (B,)`` alone (the actor loss needs no Q2)."""
        return self.q1(self._inputs(obs, act, context))[:, 0]

    def forward(self, obs: torch.Tensor, act: torch.Tensor, window: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(obs, act, self.encode(window))


def td3_target(reward: torch.Tensor, done: torch.Tensor, next_q1: torch.Tensor, next_q2: torch.Tensor, gamma: float) -> torch.Tensor:
    """Clipped double-Q target ``r + γ (1 − done) min(Q1', Q2')``, all ``(B,)``."""
    return reward + gamma * (1.0 - done) * torch.minimum(next_q1, next_q2)


def squared_distance(module: nn.Module, anchor: dict[str, torch.Tensor]) -> torch.Tensor:
    """``Σ ‖θ − θ_anchor‖²`` over the parameters of ``module`` (``anchor`` = a ``named_parameters`` copy)."""
    return sum(((p - anchor[name]) ** 2).sum() for name, p in module.named_parameters())


class TD3Agent:
    """Actor, twin critics, their targets and optimisers; ``context=None`` gives plain TD3.

    Batches are dicts of tensors: ``obs (B, O)``, ``act (B, A)``, ``rew (B,)``, ``next_obs (B, O)``,
    ``done (B,)`` and, with a context, ``hist``/``next_hist (B, H, F)``.
    """

    def __init__(self, obs_dim: int, act_dim: int, act_limit: float, settings: TD3Settings, context: ContextSettings | None) -> None:
        self.settings, self.act_limit, self.history = settings, act_limit, context.history if context else 0
        self.actor = Actor(obs_dim, act_dim, act_limit, settings.hidden, context)
        self.critic = Critic(obs_dim, act_dim, act_limit, settings.hidden, context)
        self.actor_target, self.critic_target = copy.deepcopy(self.actor), copy.deepcopy(self.critic)
        for p in [*self.actor_target.parameters(), *self.critic_target.parameters()]:
            p.requires_grad_(False)
        # fused Adam: the same update rule as the per-parameter loop, ~3× faster on this CPU (rounding differs by ~1e-7)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=settings.lr, fused=True)
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=settings.lr, fused=True)
        self.updates = 0

    @property
    def uses_context(self) -> bool:
        return self.actor.context is not None

    @torch.no_grad()
    def act(self, obs: np.ndarray, window: np.ndarray | None) -> np.ndarray:
        """The deterministic action ``(A,)`` for one observation ``(O,)`` and its window ``(H, F)``."""
        w = torch.from_numpy(window)[None] if self.uses_context else None
        return self.actor(torch.from_numpy(obs)[None], w)[0].numpy()

    @torch.no_grad()
    def target(self, batch: dict[str, torch.Tensor], noise: torch.Generator) -> torch.Tensor:
        """The TD3 target ``y (B,)`` (steps 1–2 of the module docstring); ``noise`` draws ε."""
        s = self.settings
        next_window = batch.get("next_hist")
        next_act = self.actor_target(batch["next_obs"], next_window)
        eps = torch.randn(next_act.shape, generator=noise) * (s.policy_noise * self.act_limit)
        eps = eps.clamp(-s.noise_clip * self.act_limit, s.noise_clip * self.act_limit)
        next_act = (next_act + eps).clamp(-self.act_limit, self.act_limit)
        q1, q2 = self.critic_target(batch["next_obs"], next_act, next_window)
        return td3_target(batch["rew"], batch["done"], q1, q2, s.gamma)

    def update(self, batch: dict[str, torch.Tensor], noise: torch.Generator, weights: torch.Tensor | None = None,
               anchor: dict[str, dict[str, torch.Tensor]] | None = None, lam: float = 0.0) -> dict[str, float]:
        """One TD3 update; ``weights (B,)`` weight the per-sample losses, ``anchor`` (``{"actor": …, "critic": …}``
        parameter copies) adds ``lam ‖θ − θ_anchor‖²``. Returns the losses (the actor's only on delayed steps)."""
        s = self.settings
        w = torch.ones_like(batch["rew"]) if weights is None else weights
        y = self.target(batch, noise)
        q1, q2 = self.critic(batch["obs"], batch["act"], batch.get("hist"))
        critic_loss = (w * ((q1 - y) ** 2 + (q2 - y) ** 2)).mean()
        if anchor is not None:
            critic_loss = critic_loss + lam * squared_distance(self.critic, anchor["critic"])
        self.critic_opt.zero_grad()
        critic_loss.backward()
        self.critic_opt.step()
        self.updates += 1
        losses = {"critic_loss": critic_loss.item()}
        if self.updates % s.policy_delay == 0:
            with torch.no_grad():  # the actor loss does not train the critic's GRU: skip its backward pass
                critic_context = self.critic.encode(batch.get("hist"))
            self.critic.requires_grad_(False)  # nor the critic's heads: no gradients for their weights
            try:
                q = self.critic.first_head(batch["obs"], self.actor(batch["obs"], batch.get("hist")), critic_context)
                actor_loss = -(w * q).mean()
                if anchor is not None:
                    actor_loss = actor_loss + lam * squared_distance(self.actor, anchor["actor"])
                self.actor_opt.zero_grad()
                actor_loss.backward()
            finally:
                self.critic.requires_grad_(True)
            self.actor_opt.step()
            self._soft_update()
            losses["actor_loss"] = actor_loss.item()
        return losses

    @torch.no_grad()
    def _soft_update(self) -> None:
        tau = self.settings.tau
        online = [*self.actor.parameters(), *self.critic.parameters()]
        targets = [*self.actor_target.parameters(), *self.critic_target.parameters()]
        torch._foreach_mul_(targets, 1.0 - tau)  # one call over all tensors; the same arithmetic as a per-tensor loop
        torch._foreach_add_(targets, online, alpha=tau)

    def parameters_copy(self) -> dict[str, dict[str, torch.Tensor]]:
        """Detached copies of the actor's and critic's parameters (the anchor of the proximal term)."""
        return {name: {k: p.detach().clone() for k, p in net.named_parameters()}
                for name, net in (("actor", self.actor), ("critic", self.critic))}

    def state_dict(self) -> dict:
        """Networks, targets, optimisers and the update count (tensors and plain data only)."""
        return {"actor": self.actor.state_dict(), "critic": self.critic.state_dict(),
                "actor_target": self.actor_target.state_dict(), "critic_target": self.critic_target.state_dict(),
                "actor_opt": self.actor_opt.state_dict(), "critic_opt": self.critic_opt.state_dict(), "updates": self.updates}

    def load_state_dict(self, state: dict) -> None:
        """Restore exactly what :meth:`state_dict` returned."""
        for name in ("actor", "critic", "actor_target", "critic_target", "actor_opt", "critic_opt"):
            getattr(self, name).load_state_dict(state[name])
        self.updates = int(state["updates"])
