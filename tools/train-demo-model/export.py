"""Writes a trained model as a Hugging Face folder and as a GGUF v3 file, with small writers of our own."""
import json
import os
import struct

import torch

from bpe import SPECIALS

# ChatML after BOS, as the chat documents were trained (a chat template writes BOS itself).
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
BOS, EOS, EOT = "<|endoftext|>", "<|endoftext|>", "<|im_end|>"


def hf_tensors(model):
    """The weights under Hugging Face Llama names (rotate-half RoPE layout, as trained)."""
    out = {"model.embed_tokens.weight": model.embed.weight, "model.norm.weight": model.norm.weight}
    for i, b in enumerate(model.blocks):
        p = f"model.layers.{i}."
        out.update({
            p + "input_layernorm.weight": b.attn_norm.weight,
            p + "self_attn.q_proj.weight": b.q.weight,
            p + "self_attn.k_proj.weight": b.k.weight,
            p + "self_attn.v_proj.weight": b.v.weight,
            p + "self_attn.o_proj.weight": b.o.weight,
            p + "post_attention_layernorm.weight": b.ffn_norm.weight,
            p + "mlp.gate_proj.weight": b.gate.weight,
            p + "mlp.up_proj.weight": b.up.weight,
            p + "mlp.down_proj.weight": b.down.weight,
        })
    return {k: v.detach().float().contiguous() for k, v in out.items()}


def write_safetensors(path, tensors):
    """safetensors: 8-byte little-endian header length, a JSON header (dtype, shape, data_offsets), then the raw data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_hf(folder, model, tok, merges):
    c = model.c
    os.makedirs(folder, exist_ok=True)
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "vocab_size": c["vocab"], "hidden_size": c["dim"], "intermediate_size": c["ffn"],
        "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"], "num_key_value_heads": c["kv_heads"],
        "max_position_embeddings": c["ctx"], "rms_norm_eps": c["eps"], "rope_theta": c["rope_theta"],
        "hidden_act": "silu", "tie_word_embeddings": True, "attention_bias": False, "torch_dtype": "float32",
        "bos_token_id": tok.special(BOS), "eos_token_id": [tok.special(EOS), tok.special(EOT)],
    }
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_safetensors(os.path.join(folder, "model.safetensors"), hf_tensors(model))
    bos_id = tok.special(BOS)
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": tok.special(s), "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for s in SPECIALS],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": BOS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": BOS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": BOS, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {BOS: {"id": BOS, "ids": [bos_id], "tokens": [BOS]}},
        },
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tok.tokens) if t not in SPECIALS},
                  "merges": [f"{a} {b}" for a, b in merges]},
    }
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": BOS, "eos_token": EOT, "pad_token": EOS,
        "add_bos_token": True, "add_eos_token": False, "model_max_length": c["ctx"], "chat_template": CHAT_TEMPLATE,
    }
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tokenizer_config, f, indent=2)


def gguf_permute(w, heads):
    """GGUF llama files pair rotary dimensions (2i, 2i+1): each head's two halves are interleaved row by row."""
    out_dim, in_dim = w.shape
    return w.reshape(heads, 2, out_dim // heads // 2, in_dim).transpose(1, 2).reshape(out_dim, in_dim)


def gguf_string(s):
    data = s.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def gguf_value(v):
    """(type id, bytes) of a metadata value: uint32 4, float32 6, bool 7, string 8, array 9 (of string or int32)."""
    if isinstance(v, bool):
        return 7, struct.pack("<?", v)
    if isinstance(v, int):
        return 4, struct.pack("<I", v)
    if isinstance(v, float):
        return 6, struct.pack("<f", v)
    if isinstance(v, str):
        return 8, gguf_string(v)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return 9, struct.pack("<IQ", 8, len(v)) + b"".join(gguf_string(x) for x in v)
    if isinstance(v, list):
        return 9, struct.pack("<IQ", 5, len(v)) + b"".join(struct.pack("<i", x) for x in v)
    raise TypeError(type(v))


def write_gguf(path, model, tok, merges, name):
    c = model.c
    types = [3 if t in SPECIALS else 1 for t in tok.tokens]  # 1 normal, 3 control
    meta = {
        "general.architecture": "llama", "general.name": name, "general.file_type": 0, "general.alignment": 32,
        "llama.context_length": c["ctx"], "llama.embedding_length": c["dim"], "llama.block_count": c["layers"],
        "llama.feed_forward_length": c["ffn"], "llama.attention.head_count": c["heads"],
        "llama.attention.head_count_kv": c["kv_heads"], "llama.attention.layer_norm_rms_epsilon": float(c["eps"]),
        "llama.rope.freq_base": float(c["rope_theta"]), "llama.rope.dimension_count": c["dim"] // c["heads"],
        "llama.vocab_size": c["vocab"],
        "tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "gpt-2", "tokenizer.ggml.tokens": tok.tokens,
        "tokenizer.ggml.token_type": types, "tokenizer.ggml.merges": [f"{a} {b}" for a, b in merges],
        "tokenizer.ggml.bos_token_id": tok.special(BOS), "tokenizer.ggml.eos_token_id": tok.special(EOS),
        "tokenizer.ggml.eot_token_id": tok.special(EOT), "tokenizer.ggml.add_bos_token": True,
        "tokenizer.chat_template": CHAT_TEMPLATE,
    }
    hf = hf_tensors(model)
    tensors = {"token_embd.weight": hf["model.embed_tokens.weight"], "output_norm.weight": hf["model.norm.weight"]}
    for i in range(c["layers"]):
        p, q = f"model.layers.{i}.", f"blk.{i}."
        tensors.update({
            q + "attn_norm.weight": hf[p + "input_layernorm.weight"],
            q + "attn_q.weight": gguf_permute(hf[p + "self_attn.q_proj.weight"], c["heads"]),
            q + "attn_k.weight": gguf_permute(hf[p + "self_attn.k_proj.weight"], c["kv_heads"]),
            q + "attn_v.weight": hf[p + "self_attn.v_proj.weight"],
            q + "attn_output.weight": hf[p + "self_attn.o_proj.weight"],
            q + "ffn_norm.weight": hf[p + "post_attention_layernorm.weight"],
            q + "ffn_gate.weight": hf[p + "mlp.gate_proj.weight"],
            q + "ffn_up.weight": hf[p + "mlp.up_proj.weight"],
            q + "ffn_down.weight": hf[p + "mlp.down_proj.weight"],
        })
    out = bytearray(struct.pack("<IIQQ", 0x46554747, 3, len(tensors), len(meta)))
    for key, value in meta.items():
        kind, data = gguf_value(value)
        out += gguf_string(key) + struct.pack("<I", kind) + data
    blobs, offset = [], 0
    for tname, t in tensors.items():
        data = t.contiguous().numpy().astype("<f4").tobytes()
        # GGUF lists dimensions innermost first: a [out, in] matrix is written as (in, out).
        out += gguf_string(tname) + struct.pack("<I", t.dim()) + b"".join(struct.pack("<Q", d) for d in reversed(t.shape))
        out += struct.pack("<IQ", 0, offset)  # type 0 = F32
        blobs.append(data)
        offset += len(data) + (-len(data) % 32)
    out += b"\0" * (-len(out) % 32)
    for data in blobs:
        out += data + b"\0" * (-len(data) % 32)
    with open(path, "wb") as f:
        f.write(out)
