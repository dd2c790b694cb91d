#!/usr/bin/env python3
"""Writes the PEFT LoRA adapter golden files that Modular's checkpoint tests read.

The peft package is not used (it is not installed here); the files follow what PEFT's save_pretrained writes
(huggingface/peft: PeftModel.save_pretrained, PeftConfigMixin.save_pretrained, get_peft_model_state_dict):

* adapter_model.safetensors: the adapter's state dict with keys base_model.model.<module path>.lora_A.weight
  [r x in] and .lora_B.weight [out x r], the modules_to_save parameters as base_model.model.<parameter path>,
  saved through safetensors with metadata {"format": "pt"};
* adapter_config.json: json.dumps(asdict(LoraConfig), indent=2, sort_keys=True) with inference_mode set to
  true, here with every field of a recent PEFT release (Modular must ignore the ones it does not know).

It also writes modular_export/adapter_config.json: the text Python's json.dumps produces for the fields Modular
writes, which the tests compare byte for byte with Modular's own export of the same adapter.

Run: /usr/bin/python3 tests/golden/make_peft_adapter_fixture.py  (rewrites tests/golden/peft/)
"""
import json
import math
import pathlib
import struct
import sys

sys.dont_write_bytecode = True  # importing the sibling generator must not leave __pycache__ among the golden files
from make_safetensors_fixture import serialize  # noqa: E402

R, ALPHA, DROPOUT = 4, 16, 0.05
HIDDEN, CLASSES = 6, 3


def f32(values):
    return struct.pack(f"<{len(values)}f", *values)


def values(count, phase):
    """Deterministic, non-trivial values the C# test recomputes: sin(0.37 * i + phase) / 2."""
    return [math.sin(0.37 * i + phase) / 2 for i in range(count)]


def lora(modules):
    """{module path: rank} -> state-dict entries of the A and B factors."""
    tensors = {}
    for k, (path, rank) in enumerate(modules.items()):
        tensors[f"base_model.model.{path}.lora_A.weight"] = ("F32", [rank, HIDDEN], f32(values(rank * HIDDEN, 2 * k)))
        tensors[f"base_model.model.{path}.lora_B.weight"] = ("F32", [HIDDEN, rank], f32(values(HIDDEN * rank, 2 * k + 1)))
    return tensors


MODULES = {"layers.0.attention.query": R, "layers.0.attention.value": R, "layers.1.attention.value": 2}


def adapter_weights():
    tensors = lora(MODULES)
    tensors["base_model.model.classifier.weight"] = ("F32", [CLASSES, HIDDEN], f32(values(CLASSES * HIDDEN, 10)))
    tensors["base_model.model.classifier.bias"] = ("F32", [CLASSES], f32(values(CLASSES, 11)))
    return serialize(tensors, {"format": "pt"})


def peft_config():
    """asdict(LoraConfig(...)) of a recent PEFT release, as save_pretrained stores it."""
    return {
        "alpha_pattern": {},
        "auto_mapping": None,
        "base_model_name_or_path": "tiny-encoder-\u00e9",
        "bias": "none",
        "corda_config": None,
        "eva_config": None,
        "exclude_modules": None,
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "layer_replication": None,
        "layers_pattern": None,
        "layers_to_transform": None,
        "loftq_config": {},
        "lora_alpha": ALPHA,
        "lora_bias": False,
        "lora_dropout": DROPOUT,
        "megatron_config": None,
        "megatron_core": "megatron.core",
        "modules_to_save": ["classifier"],
        "peft_type": "LORA",
        "r": R,
        "rank_pattern": {"layers.1.attention.value": 2},
        "revision": None,
        "target_modules": ["value", "query"],  # a set in PEFT, so written in hash order
        "task_type": "SEQ_CLS",
        "trainable_token_indices": None,
        "use_dora": False,
        "use_rslora": False,
    }


def modular_export_config():
    """The same adapter as written by Modular: the fields it models, target_modules sorted."""
    modelled = ["alpha_pattern", "base_model_name_or_path", "bias", "fan_in_fan_out", "inference_mode", "lora_alpha",
                "lora_dropout", "modules_to_save", "peft_type", "r", "rank_pattern", "revision", "target_modules",
                "task_type", "use_rslora"]
    config = {key: peft_config()[key] for key in modelled}
    config["target_modules"] = sorted(config["target_modules"])
    return config


def dumps(config):
    return json.dumps(config, indent=2, sort_keys=True)


if __name__ == "__main__":
    root = pathlib.Path(__file__).resolve().parent / "peft"
    adapter, export = root / "lora_adapter", root / "modular_export"
    adapter.mkdir(parents=True, exist_ok=True)
    export.mkdir(parents=True, exist_ok=True)
    (adapter / "adapter_model.safetensors").write_bytes(adapter_weights())
    (adapter / "adapter_config.json").write_text(dumps(peft_config()))
    (export / "adapter_config.json").write_text(dumps(modular_export_config()))
    print(f"wrote {adapter} and {export}")
