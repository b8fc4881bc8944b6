"""Datasets on disk (sharded, checksummed) and loaders for real data a user brings."""

from synthlearn.data.shards import ShardDataset, open_dataset, write_dataset

__all__ = ["ShardDataset", "open_dataset", "write_dataset"]
