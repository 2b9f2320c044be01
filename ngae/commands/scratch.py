"""``python -m ngae train-scratch``: train found architectures from scratch on CIFAR-10."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ngae.errors import UserInputError
from ngae.retrain.cifar10 import load_cifar10
from ngae.retrain.from_scratch import (
    RESULTS_DIR,
    ScratchConfig,
    default_result_path,
    resolve_device,
    train_from_scratch,
)
from ngae.spaces.enas.arch import Arch
from ngae.spaces.errors import ArchError, DataError

DESCRIPTION = """\
Train ENAS architectures from scratch on a local CIFAR-10 copy (the python version,
'cifar-10-batches-py'; nothing is downloaded) and write one JSON result per architecture:
{"arch", "params", "test_acc", "train_loss_history", "epochs", "seconds", "device", "config"}.

With --arch, --out is the result file (default scratch_results/<arch with underscores>.json).
With --from-search, --out is a directory (default scratch_results/) that receives one
<arch with underscores>.json per distinct valid architecture, in the order of the search file.
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``train-scratch`` parser."""
    p = sub.add_parser(
        "train-scratch",
        help="train architectures from scratch on CIFAR-10",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--arch", help="one architecture as '<21 integers>'")
    source.add_argument("--from-search", type=Path, metavar="FILE", help="a search result JSON")
    p.add_argument("--top", type=int, metavar="K", help="with --from-search: only the first K")
    p.add_argument("--data-dir", type=Path, required=True, help="cifar-10-batches-py or parent")
    d = ScratchConfig()
    p.add_argument("--epochs", type=int, default=d.epochs, help=f"default {d.epochs}")
    p.add_argument("--filters", type=int, default=d.filters, help=f"default {d.filters}")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help=f"default {d.batch_size}")
    p.add_argument("--lr", type=float, default=d.lr, help=f"initial lr (default {d.lr})")
    p.add_argument("--separable", action="store_true", help="true depthwise-separable convs")
    p.add_argument("--device", default=d.device, choices=("auto", "cpu", "cuda"))
    p.add_argument("--seed", type=int, default=d.seed, help=f"default {d.seed}")
    p.add_argument("--max-train", type=int, metavar="N", help="use only the first N train images")
    p.add_argument("--max-test", type=int, metavar="N", help="use only the first N test images")
    p.add_argument("--out", type=Path, help="result file (--arch) or directory (--from-search)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train every requested architecture and print one summary line for each."""
    config = ScratchConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        lr_min=min(ScratchConfig.lr_min, args.lr),
        filters=args.filters,
        separable=args.separable,
        device=args.device,
        seed=args.seed,
        max_train=args.max_train,
        max_test=args.max_test,
    )
    config.validate()
    resolve_device(config.device)  # fail on a missing GPU before reading any data
    if args.top is not None and (args.from_search is None or args.top < 1):
        raise UserInputError("--top needs --from-search and a value of at least 1")
    if args.arch is not None:
        archs = [Arch.from_string(args.arch)]
        outs = [args.out or default_result_path(archs[0])]
    else:
        archs = read_search_archs(args.from_search)[: args.top]
        outs = [default_result_path(a, args.out or RESULTS_DIR) for a in archs]
    data = load_cifar10(args.data_dir, config.max_train, config.max_test)
    for arch, out in zip(archs, outs, strict=True):
        result = train_from_scratch(arch, data, config, out, progress=not args.no_progress)
        print(f"{result['arch']}\tparams={result['params']}\ttest_acc={result['test_acc']:.4f}")
        print(f"  -> {out}")
    return 0


def read_search_archs(path: Path) -> list[Arch]:
    """Distinct valid architectures of a search result ``{"results": [{"arch", "valid"}, ...]}``.

    Entries with ``"valid": false`` are skipped; order is kept and duplicates dropped.
    """
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: no such search result file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(f"{path}: not a JSON search result ({err.__class__.__name__})") from None
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, list):
        raise DataError(f"{path}: expected a JSON object with a 'results' list")
    archs: dict[str, Arch] = {}
    for i, item in enumerate(results):
        if not isinstance(item, dict) or item.get("valid", True) is False:
            continue
        if not isinstance(item.get("arch"), str):
            raise DataError(f"{path}: results[{i}] has no 'arch' string")
        try:
            arch = Arch.from_string(item["arch"])
        except ArchError as err:
            raise DataError(f"{path}: results[{i}]: {err}") from None
        archs.setdefault(arch.to_string(), arch)
    if not archs:
        raise DataError(f"{path}: no valid architectures in 'results'")
    return list(archs.values())
