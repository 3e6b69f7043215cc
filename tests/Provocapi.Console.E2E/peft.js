// A PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors, F32) for the shipped demo model:
// hidden size 192, 4 layers, q_proj 192 → 192. Random small values; the console only needs a valid upload.

export const demoShape = { layers: 4, hidden: 192 };

function safetensors(tensors) {
  const header = {};
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8, 'ascii');
  let at = 8 + json.length;
  for (const t of tensors) for (const v of t.data) { out.writeFloatLE(v, at); at += 4; }
  return out;
}

export function peftAdapter(rank = 4, { layers, hidden } = demoShape) {
  let seed = 7;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
  const values = count => Array.from({ length: count }, () => random() * 0.2);
  const tensors = [];
  for (let layer = 0; layer < layers; layer++) {
    const prefix = `base_model.model.model.layers.${layer}.self_attn.q_proj`;
    tensors.push({ name: `${prefix}.lora_A.weight`, shape: [rank, hidden], data: values(rank * hidden) });
    tensors.push({ name: `${prefix}.lora_B.weight`, shape: [hidden, rank], data: values(hidden * rank) });
  }
  const config = { peft_type: 'LORA', r: rank, lora_alpha: 2 * rank, use_rslora: false, target_modules: ['q_proj'], base_model_name_or_path: 'demo' };
  return [
    { name: 'adapter_config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)) },
    { name: 'adapter_model.safetensors', mimeType: 'application/octet-stream', buffer: safetensors(tensors) },
  ];
}
