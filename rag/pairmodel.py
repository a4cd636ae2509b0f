"""A support classifier trained here, on the team's hand-labelled claim/passage pairs.

The judge's own evidence (similarity, word coverage, hard checks) cannot tell a free restatement
("takes the edge off the cramps") from a near-miss. No NLI model can be downloaded on this
machine, so this module reads the pair the way one would: the packaged MiniLM encoder gets the
passage and the claim as one sequence ([CLS] passage [SEP] claim [SEP]), its token states are
mean-pooled, and one logistic unit says whether the passage supports the claim. It is trained by
`python -m eval.train_judge` (or `make judge-model`) in about 15 minutes on two cores.

A trained model is a folder: the encoder (`save_pretrained`: config, weights as safetensors,
tokenizer), the head (`head.safetensors`) and `pair_model.json` (what it was trained on, and the
decision rule chosen on pairs it was not trained on). `SupportJudge(nli=folder)` and
`bqa eval judge --nli folder` load it; the judge's hard checks still veto.

Models trained from different seeds disagree by a few points on fresh pairs, so the trainer writes
several (`--seeds`, two by default) into one folder as members (`member-<seed>/`, each a pair model of
its own) and the folder's `pair_model.json` lists them; `load_pair_model` reads either kind, and a
`PairEnsemble` answers with the mean of its members' probabilities.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

MARKER = "pair_model.json"
FORMAT = "bqa-pair-model"
MAX_LENGTH = 256


def read_info(path: str | Path) -> dict[str, Any] | None:
    """The `pair_model.json` of a folder written by `PairModel.save` or `PairEnsemble.save` (None when
    `path` is no such folder or the file cannot be read)."""
    try:
        info = json.loads((Path(path).expanduser() / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("format") == FORMAT else None


def write_info(path: str | Path, info: dict[str, Any], *, version: int) -> None:
    """Write `info` as the folder's `pair_model.json`, marked with the format and `version`; written
    beside it and switched in, so a reader never sees half a file."""
    marker = Path(path).expanduser() / MARKER
    body = {"format": FORMAT, "version": version, **{k: v for k, v in info.items() if k not in ("format", "version")}}
    staging = marker.with_name(MARKER + ".partial")
    staging.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    staging.replace(marker)


def is_pair_model(path: str | Path) -> bool:
    """True when `path` is a folder written by `PairModel.save` or `PairEnsemble.save`."""
    return read_info(path) is not None


def load_pair_model(path: str | Path) -> PairModel | PairEnsemble:
    """A folder written by `PairModel.save` or `PairEnsemble.save`.

    Raises:
        ModelError: the folder is missing, is not a pair model, or cannot be read.
    """
    info = read_info(path)
    return PairEnsemble.load(path) if info and info.get("members") else PairModel.load(path)


def _torch() -> Any:
    import torch

    return torch


class PairModel:
    """A transformer encoder plus a logistic head over its mean-pooled token states.

    Args:
        encoder: a `transformers` model (e.g. `AutoModel.from_pretrained(...)`).
        tokenizer: its tokenizer.
        info: what `pair_model.json` holds (training sets, rule, figures).
        head: optional (weight, bias) tensors for the head; a fresh zero-initialised head when None.
    """

    def __init__(self, encoder: Any, tokenizer: Any, info: dict[str, Any] | None = None, head: Any = None) -> None:
        torch = _torch()
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.info: dict[str, Any] = dict(info or {})
        self.head = torch.nn.Linear(int(encoder.config.hidden_size), 1)
        if head is None:
            torch.nn.init.zeros_(self.head.weight)
            torch.nn.init.zeros_(self.head.bias)
        else:
            self.head.load_state_dict(head)

    # -- building, loading, saving ----------------------------------------------------------
    @classmethod
    def from_base(cls, base: str | Path) -> PairModel:
        """A fresh model on a local sentence-transformers or transformers folder (never downloaded)."""
        from index.embeddings import _offline_env
        from index.errors import ModelError

        _offline_env()
        base = Path(base).expanduser()
        try:
            from transformers import AutoModel, AutoTokenizer

            encoder = AutoModel.from_pretrained(str(base), local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(str(base), local_files_only=True)
        except Exception as exc:
            raise ModelError(
                f"cannot load base model {str(base)!r} ({type(exc).__name__})", hint="give a local model folder"
            ) from None
        return cls(encoder, tokenizer, {"base": str(base)})

    @classmethod
    def load(cls, path: str | Path) -> PairModel:
        """Load a folder written by `save`.

        Raises:
            ModelError: the folder is missing, is not a pair model, or cannot be read.
        """
        from index.embeddings import _offline_env
        from index.errors import ModelError

        _offline_env()
        path = Path(path).expanduser()
        info = read_info(path)
        if info is None:
            raise ModelError(f"not a trained pair model: {path}", hint="train one with `make judge-model`")
        try:
            from safetensors.torch import load_file
            from transformers import AutoModel, AutoTokenizer

            encoder = AutoModel.from_pretrained(str(path), local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            head = load_file(str(path / "head.safetensors"))
        except Exception as exc:
            raise ModelError(f"cannot load pair model {str(path)!r} ({type(exc).__name__})") from None
        model = cls(encoder, tokenizer, info, head)
        model.encoder.eval()
        return model

    def save(self, path: str | Path) -> Path:
        """Write the encoder, tokenizer, head and `pair_model.json` to `path` (created if needed)."""
        from safetensors.torch import save_file

        path = Path(path).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(str(path))
        self.tokenizer.save_pretrained(str(path))
        save_file({k: v.contiguous() for k, v in self.head.state_dict().items()}, str(path / "head.safetensors"))
        write_info(path, self.info, version=1)
        return path

    # -- reading pairs ----------------------------------------------------------------------
    @property
    def rule(self) -> Any:
        """The decision rule chosen on validation pairs, {"nli_weight", "threshold"}, as saved (None when
        absent); `SupportJudge` checks its shape, as it does for any model that brings one."""
        return self.info.get("rule")

    def logits(self, pairs: list[tuple[str, str]]) -> Any:
        """One logit per (passage, claim) pair, with gradients when the encoder is in training mode."""
        batch = self.tokenizer(
            [p for p, _ in pairs],
            [c for _, c in pairs],
            padding=True,
            truncation="longest_first",
            max_length=MAX_LENGTH,
            return_tensors="pt",
        )
        states = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.head(pooled).squeeze(-1)

    def predict(self, pairs: list[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """Support probability per (passage, claim) pair (the NLI order: premise first)."""
        torch = _torch()
        self.encoder.eval()
        out = []
        with torch.inference_mode():
            for start in range(0, len(pairs), batch_size):
                chunk = [(str(p), str(c)) for p, c in pairs[start : start + batch_size]]
                out.append(torch.sigmoid(self.logits(chunk)).float().numpy())
        return np.concatenate(out) if out else np.zeros(0)


class PairEnsemble:
    """Pair models trained from different seeds, answering with the mean of their probabilities.

    Args:
        members: the trained `PairModel`s.
        info: what the folder's `pair_model.json` holds besides the member list (rule, figures).
    """

    def __init__(self, members: list[PairModel], info: dict[str, Any] | None = None) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = list(members)
        self.info: dict[str, Any] = dict(info or {})

    @classmethod
    def load(cls, path: str | Path) -> PairEnsemble:
        """Load a folder written by `save` (each member from its own sub-folder)."""
        from index.errors import ModelError

        path = Path(path).expanduser()
        info = read_info(path) or {}
        names = info.get("members")
        if not isinstance(names, list) or not all(isinstance(n, str) and "/" not in n for n in names):
            raise ModelError(f"pair model {str(path)!r} lists its members wrongly")
        return cls([PairModel.load(path / name) for name in names], info)

    def save(self, path: str | Path) -> Path:
        """Write each member to `member-<n>/` under `path` and the folder's `pair_model.json`."""
        path = Path(path).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        names = []
        for n, member in enumerate(self.members):
            name = f"member-{member.info.get('seed', n)}"
            member.save(path / name)
            names.append(name)
        write_info(path, {**{k: v for k, v in self.info.items() if k != "members"}, "members": names}, version=2)
        return path

    @property
    def rule(self) -> Any:
        """The decision rule chosen on validation pairs for the ensemble (None when absent)."""
        return self.info.get("rule")

    def predict(self, pairs: list[tuple[str, str]], batch_size: int = 32) -> np.ndarray:
        """The members' mean support probability per (passage, claim) pair."""
        return np.mean([m.predict(pairs, batch_size) for m in self.members], axis=0)
