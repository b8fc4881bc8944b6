"""Neural-network building blocks shared by tasks, refiners and reproductions."""
