"""Background work: the period closer, the digest log and the projection process."""
