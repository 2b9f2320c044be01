#!/usr/bin/env bash
# The one prepared GPU check, for a session that is lent a CUDA machine (run from the repo root):
#
#     bash benchmarks/gpu_check.sh            # log in $OUT/gpu_check.log (or ./gpu_check.log)
#
# It needs only torch, numpy, tqdm and pytest there (no igraph, Streamlit or browser) and runs:
#   1. the `-m gpu` tests: CUDA loss == CPU loss, a captured training step replays the eager
#      steps (fp32 and bf16), a whole `fit` with the graph, the graphed decoder;
#   2. training throughput at batch 32 and 128, eager and from a CUDA graph (the issue's
#      before/after: goal 5,000 graphs/s at batch 32), each followed by 10,000 decodes
#      (goal: under 0.1 s from the graph).
# Each benchmark line ends in `graphs_per_s=... device=cuda precision=... cuda_graph=...`.
# Its run time on an H200 is not measured yet (four benchmark runs, each loading the data set);
# give it the device's 600-s limit. Exits 2 at once where no CUDA device is visible.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
LOG=${OUT:-.}/gpu_check.log
export PYTHONUNBUFFERED=1 PYTHONPATH=.

if ! $PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_check: no CUDA device visible to $PY (torch.cuda.is_available() is False)" >&2
    exit 2
fi

{
    status=0
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    $PY -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())"
    echo "== gpu tests"
    $PY -m pytest -q -p no:cacheprovider -m gpu tests/model/test_gpu.py tests/training/test_step.py \
        || status=1
    for batch in 32 128; do
        for graph in "" --cuda-graph; do
            echo "== training, batch $batch ${graph:-eager}"
            $PY benchmarks/train_throughput.py --device cuda --batch-size "$batch" $graph \
                --decode-points 10000 || status=1
        done
    done
    exit $status
} 2>&1 | tee "$LOG"
exit "${PIPESTATUS[0]}"
