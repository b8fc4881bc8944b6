"""Meta-Q-Learning (Fakoor et al., ICLR 2020): TD3 with a GRU context, multi-task training, adaptation with propensity weights.

Rooms: ``config`` (settings) · ``context`` (windows of past transitions, the GRU) · ``replay``
(multi-task buffer) · ``td3`` (the agent) · ``rollout`` (one episode) · ``run`` (meta-training
in a run folder) · ``mql`` (β, ESS, λ, adaptation, rollback) · ``evaluate`` (held-out tasks).
"""
