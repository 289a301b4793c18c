"""One module per table the cities or registries send: how its rows are drawn from the
world and spoiled. A new city table is a new module here plus one entry in
`generator.SLOT_TABLES` (see tools/demo/README.md, "Adding a table")."""
