"""People: ID normalisation seeds, person-resolution scoring (contract §5)."""
