"""Write Asia's DAG data sets: random DAGs over the 8 variables with their BIC (seed 0).

    python scripts/make_asia_dataset.py          # data/asia_bn.jsonl: 20,000 networks, in git
    python scripts/make_asia_dataset.py --large  # data/asia_bn_200k.jsonl: 200,000, made by make

Both files are byte-identical on every run (a test checks their hashes), and the first 20,000
networks of the large set are the small set's, in the same order.
"""

import argparse
import time

from ngae.spaces.asia.data import DATASET, LARGE_DATASET, LARGE_SIZE, write_dataset

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--large", action="store_true", help="the 200,000-network set (D-VAE's scale)")
    args = p.parse_args()
    start = time.perf_counter()
    if args.large:
        write_dataset(LARGE_DATASET, LARGE_SIZE)
    else:
        write_dataset()
    print(f"wrote {LARGE_DATASET if args.large else DATASET} ({time.perf_counter() - start:.0f} s)")
