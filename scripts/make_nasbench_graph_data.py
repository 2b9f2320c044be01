"""Write data/nasbench_graph.jsonl: all 26,206 NAS-Bench-Graph architectures with Cora's figures."""

from ngae.spaces.nasbench_graph.data_file import DATASET, write_dataset

if __name__ == "__main__":
    write_dataset()
    print(f"wrote {DATASET}")
