"""Settings of a Meta-Q-Learning run (TD3, its GRU context, multi-task training, MQL adaptation).

Loaded from YAML with ``load_config(path, overrides, RLConfig)``; see
``experiments/rl_point_robot.yaml``. Defaults are small, for a CPU and the point robot;
REFERENCE §7 gives the paper's (MLPs 300-300, history 30, GRU 30, batch 256).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt

from synthlearn.config import Settings

Method = Literal["td3", "td3-context", "mql"]


class TD3Settings(Settings):
    hidden: PositiveInt = 64
    """Width of the two hidden layers of the actor and of each critic MLP."""
    lr: PositiveFloat = 3e-4
    """Adam learning rate of actor and critics."""
    gamma: float = Field(0.99, ge=0.0, le=1.0)
    """Discount factor."""
    tau: float = Field(0.005, gt=0.0, le=1.0)
    """Soft target update rate: target ← τ·online + (1 − τ)·target."""
    batch_size: PositiveInt = 128
    """Transitions per gradient update."""
    policy_noise: float = Field(0.2, ge=0.0)
    """Target policy smoothing noise std, as a fraction of the action limit."""
    noise_clip: float = Field(0.5, ge=0.0)
    """Clip of the smoothing noise, as a fraction of the action limit."""
    policy_delay: PositiveInt = 2
    """The actor and the targets are updated every ``policy_delay`` critic updates."""
    exploration_noise: float = Field(0.1, ge=0.0)
    """Gaussian exploration noise std while collecting, as a fraction of the action limit."""


class ContextSettings(Settings):
    history: PositiveInt = 10
    """H: the context sees the last H transitions (previous action, reward, previous observation) of the episode."""
    hidden: PositiveInt = 30
    """GRU hidden size (the context vector's length)."""


class TrainingSettings(Settings):
    steps: PositiveInt = 20_000
    """Environment steps of meta-training (rounded up to whole episodes). May be raised on --resume."""
    start_steps: int = Field(1_000, ge=0)
    """The first steps take uniform random actions, and no gradient updates happen before them."""
    updates_per_step: PositiveInt = 1
    """Gradient updates per environment step."""
    checkpoint_every: PositiveInt = 50
    """Episodes between checkpoints (one is always written at the end)."""


class TaskSettings(Settings):
    family: str = "point-robot"
    """Task family: point-robot, halfcheetah-vel, halfcheetah-fwd-back."""
    train: PositiveInt = 40
    """Number of training tasks."""
    test: PositiveInt = 20
    """Number of held-out tasks per evaluation split."""
    seed: int = Field(0, ge=0)
    """Seed of the task sets (fixed across training seeds, so every seed sees the same tasks)."""


class AdaptationSettings(Settings):
    classifier_c: PositiveFloat = 0.5
    """Inverse regularisation C of the logistic-regression propensity classifier."""
    classifier_samples: PositiveInt = 1_000
    """Meta-training transitions drawn as the classifier's 'old' class."""
    beta_clip: float = 1.0
    """β = exp(−logit) is clipped at e^beta_clip."""
    lam: float = Field(0.1, ge=0.0)
    """Fixed proximal coefficient λ (the released scripts' choice)."""
    lam_from_ess: bool = False
    """Use λ = 1 − ESS instead of the fixed λ."""
    new_data_steps: int = Field(10, ge=0)
    """TD3 updates on the new task's episode alone."""
    buffer_steps: int = Field(100, ge=0)
    """β-weighted TD3 updates on the meta-training buffer (with the proximal term)."""
    batch_multiplier: PositiveInt = 5
    """Batch size on the meta-training buffer = batch_size × this."""


class EvaluationSettings(Settings):
    episodes: PositiveInt = 1
    """Evaluation episodes per held-out task (the point robot is deterministic: 1 suffices)."""


class RLConfig(Settings):
    """A Meta-Q-Learning run: train one agent over a family's training tasks, evaluate on held-out ones."""

    name: str = "rl"
    """A name for messages and figures."""
    seed: int = Field(0, ge=0)
    """Seed of network initialisation, exploration and replay sampling."""
    method: Method = "mql"
    """td3 (no context), td3-context (GRU context, no adaptation), mql (td3-context + adaptation at test time)."""
    tasks: TaskSettings = TaskSettings()
    td3: TD3Settings = TD3Settings()
    context: ContextSettings = ContextSettings()
    training: TrainingSettings = TrainingSettings()
    adaptation: AdaptationSettings = AdaptationSettings()
    evaluation: EvaluationSettings = EvaluationSettings()

    @property
    def uses_context(self) -> bool:
        return self.method != "td3"
