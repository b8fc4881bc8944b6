"""Reports: figures (matplotlib, Agg backend) written atomically next to run outputs."""
