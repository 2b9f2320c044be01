"""Write data/asia_bn.jsonl: 20,000 distinct random DAGs over Asia with their BIC (seed 0)."""

from ngae.spaces.asia.data import DATASET, write_dataset

if __name__ == "__main__":
    write_dataset()
    print(f"wrote {DATASET}")
