"""People: ID normalisation seeds, person-resolution scoring (docs/contract.md §5)."""
