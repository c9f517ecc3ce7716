// A small streaming GGUF v3 writer for generated test models.
// Binary layout (little endian): https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
//   header:      magic "GGUF", u32 version, u64 tensor count, u64 metadata kv count
//   metadata kv: gguf string key (u64 length + UTF-8 bytes), u32 value type, value
//   tensor info: gguf string name, u32 n_dims, u64 dims[n_dims] (ne0 first), u32 ggml type,
//                u64 offset (relative to the data section, a multiple of the alignment)
//   data:        starts at the next multiple of the alignment after the tensor infos
// Tensor data is produced tensor by tensor by a generator, so a large model never sits in memory at once.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/** GGUF value type ids, from `enum gguf_type` in ggml/include/gguf.h. */
const GGUF_VALUE_TYPE = { uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9 } as const;

/** The GGUF default alignment (`GGUF_DEFAULT_ALIGNMENT` in ggml/include/gguf.h); no `general.alignment` key needed. */
export const GGUF_ALIGNMENT = 32;

/** A metadata value with its GGUF type. Only the types our generated models use. */
export type GgufMetadataValue =
  | { type: 'string'; value: string }
  | { type: 'uint32'; value: number }
  | { type: 'int32'; value: number }
  | { type: 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'int32[]'; value: ArrayLike<number> };

/** ggml tensor types this writer can size (ids from `enum ggml_type` in ggml/include/ggml.h). */
export type GgmlTensorType = 'F32' | 'F16' | 'BF16' | 'Q8_0' | 'Q4_0' | 'Q4_1';

const GGML_TYPE: Record<GgmlTensorType, { id: number; blockSize: number; bytesPerBlock: number }> = {
  F32: { id: 0, blockSize: 1, bytesPerBlock: 4 },
  F16: { id: 1, blockSize: 1, bytesPerBlock: 2 },
  BF16: { id: 30, blockSize: 1, bytesPerBlock: 2 },
  // block_q8_0 in ggml/src/ggml-common.h: f16 scale + 32 int8 values.
  Q8_0: { id: 8, blockSize: 32, bytesPerBlock: 34 },
  // block_q4_0: f16 scale + 16 bytes of 4-bit values; block_q4_1: f16 scale, f16 minimum + 16 bytes.
  Q4_0: { id: 2, blockSize: 32, bytesPerBlock: 18 },
  Q4_1: { id: 3, blockSize: 32, bytesPerBlock: 20 },
};

export interface GgufTensor {
  name: string;
  /** GGUF dims, ne0 (the contiguous, fastest-varying dimension) first. */
  dims: readonly number[];
  type: GgmlTensorType;
  /**
   * Yields the tensor's data in order, in chunks of any size. The writer finishes writing a chunk before it
   * asks for the next one, so a generator may reuse one buffer for every chunk.
   */
  data: () => Iterable<Uint8Array>;
}

export interface GgufFile {
  metadata: ReadonlyArray<readonly [key: string, value: GgufMetadataValue]>;
  tensors: readonly GgufTensor[];
}

export interface WriteGgufOptions {
  /** Called after each data chunk with the bytes of tensor data written so far and the total. Default: none. */
  onProgress?: (writtenBytes: number, totalBytes: number) => void;
}

/** Number of bytes a tensor of this type and these dims takes in the data section. */
function ggmlTensorByteSize(type: GgmlTensorType, dims: readonly number[]): number {
  const { blockSize, bytesPerBlock } = GGML_TYPE[type];
  const elements = dims.reduce((product, dim) => product * dim, 1);
  if ((dims[0] ?? 1) % blockSize !== 0) {
    throw new RangeError(`${type} needs ne0 to be a multiple of ${blockSize}, got dims [${dims.join(', ')}]`);
  }
  return (elements / blockSize) * bytesPerBlock;
}

function alignUp(offset: number): number {
  return Math.ceil(offset / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
}

/** Collects the header bytes in growing chunks; the header of a 152k-token vocabulary is a few MB. */
class ByteSink {
  private chunks: Buffer[] = [];
  private current = Buffer.alloc(1 << 20);
  private position = 0;
  length = 0;

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.current.length) return;
    this.chunks.push(this.current.subarray(0, this.position));
    this.current = Buffer.alloc(Math.max(1 << 20, bytes));
    this.position = 0;
  }

  u32(value: number): void {
    this.reserve(4);
    this.current.writeUInt32LE(value, this.position);
    this.advance(4);
  }

  i32(value: number): void {
    this.reserve(4);
    this.current.writeInt32LE(value, this.position);
    this.advance(4);
  }

  u64(value: number): void {
    this.reserve(8);
    this.current.writeBigUInt64LE(BigInt(value), this.position);
    this.advance(8);
  }

  f32(value: number): void {
    this.reserve(4);
    this.current.writeFloatLE(value, this.position);
    this.advance(4);
  }

  u8(value: number): void {
    this.reserve(1);
    this.current.writeUInt8(value, this.position);
    this.advance(1);
  }

  string(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.u64(bytes);
    this.reserve(bytes);
    this.current.write(value, this.position, 'utf8');
    this.advance(bytes);
  }

  padTo(length: number): void {
    const padding = length - this.length;
    this.reserve(padding);
    this.current.fill(0, this.position, this.position + padding);
    this.advance(padding);
  }

  toBuffer(): Buffer {
    return Buffer.concat([...this.chunks, this.current.subarray(0, this.position)]);
  }

  private advance(bytes: number): void {
    this.position += bytes;
    this.length += bytes;
  }
}

function writeMetadataValue(sink: ByteSink, value: GgufMetadataValue): void {
  switch (value.type) {
    case 'string':
      sink.u32(GGUF_VALUE_TYPE.string);
      sink.string(value.value);
      return;
    case 'uint32':
      sink.u32(GGUF_VALUE_TYPE.uint32);
      sink.u32(value.value);
      return;
    case 'int32':
      sink.u32(GGUF_VALUE_TYPE.int32);
      sink.i32(value.value);
      return;
    case 'float32':
      sink.u32(GGUF_VALUE_TYPE.float32);
      sink.f32(value.value);
      return;
    case 'bool':
      sink.u32(GGUF_VALUE_TYPE.bool);
      sink.u8(value.value ? 1 : 0);
      return;
    case 'string[]':
      sink.u32(GGUF_VALUE_TYPE.array);
      sink.u32(GGUF_VALUE_TYPE.string);
      sink.u64(value.value.length);
      for (const item of value.value) sink.string(item);
      return;
    case 'int32[]':
      sink.u32(GGUF_VALUE_TYPE.array);
      sink.u32(GGUF_VALUE_TYPE.int32);
      sink.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) sink.i32(value.value[i] ?? 0);
      return;
  }
}

/** Serialises the header, metadata and tensor infos, padded to the start of the data section. */
function encodeHeader(file: GgufFile, sizes: readonly number[]): { header: Buffer; offsets: number[] } {
  const sink = new ByteSink();
  sink.u32(0x46554747); // "GGUF" read as a little-endian u32
  sink.u32(3);
  sink.u64(file.tensors.length);
  sink.u64(file.metadata.length);
  for (const [key, value] of file.metadata) {
    sink.string(key);
    writeMetadataValue(sink, value);
  }
  const offsets: number[] = [];
  let offset = 0;
  file.tensors.forEach((tensor, index) => {
    sink.string(tensor.name);
    sink.u32(tensor.dims.length);
    for (const dim of tensor.dims) sink.u64(dim);
    sink.u32(GGML_TYPE[tensor.type].id);
    sink.u64(offset);
    offsets.push(offset);
    offset = alignUp(offset + (sizes[index] ?? 0));
  });
  sink.padTo(alignUp(sink.length));
  return { header: sink.toBuffer(), offsets };
}

/**
 * Writes a GGUF v3 file. Data goes to a unique temporary name next to `path` first and is renamed into place
 * when complete, so an interrupted run (or a concurrent writer) never leaves a truncated file under the final name.
 */
export async function writeGgufFile(path: string, file: GgufFile, options: WriteGgufOptions = {}): Promise<void> {
  const sizes = file.tensors.map((tensor) => ggmlTensorByteSize(tensor.type, tensor.dims));
  const { header, offsets } = encodeHeader(file, sizes);
  const lastIndex = sizes.length - 1;
  const totalBytes = lastIndex < 0 ? 0 : (offsets[lastIndex] ?? 0) + (sizes[lastIndex] ?? 0);
  const partialPath = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  const handle = await open(partialPath, 'w');
  try {
    await handle.write(header);
    const padding = Buffer.alloc(GGUF_ALIGNMENT);
    let written = 0;
    for (const [index, tensor] of file.tensors.entries()) {
      const start = offsets[index] ?? 0;
      if (start > written) {
        await handle.write(padding, 0, start - written);
        written = start;
      }
      for (const chunk of tensor.data()) {
        await handle.write(chunk);
        written += chunk.byteLength;
        options.onProgress?.(written, totalBytes);
      }
      if (written !== start + (sizes[index] ?? 0)) {
        throw new Error(`tensor ${tensor.name}: generator wrote ${written - start} bytes, expected ${sizes[index]}`);
      }
    }
    await handle.close();
    await rename(partialPath, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partialPath, { force: true });
    throw error;
  }
}
