"""Self-supervised feature learning from unlabelled images (NPID)."""
