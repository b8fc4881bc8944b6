"""Adapting a task model to unlabelled real images: self-training on its own confident pseudo labels."""
