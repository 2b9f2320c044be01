"""Write data/asia_samples.csv: 5,000 rows from the Asia network, seed 0 (byte for byte)."""

from ngae.spaces.asia.data import SAMPLES, write_samples

if __name__ == "__main__":
    write_samples()
    print(f"wrote {SAMPLES}")
