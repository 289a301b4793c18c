"""`python -m pipelines.rules`: rewrite the rule-set dbt seeds from their definitions."""

from pipelines.rules.seeds import write_seeds

if __name__ == "__main__":
    for path in write_seeds():
        print(path)
