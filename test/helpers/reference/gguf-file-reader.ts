// A small GGUF reader of its own for the reference implementation (it must share no code with the engines or the
// test-model generator). Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (GGUF v3, little
// endian): magic "GGUF", version u32, tensor count u64, metadata count u64, metadata key/value pairs, tensor infos,
// padding to `general.alignment` (default 32), then the tensor data. Reads are synchronous `readSync` calls at
// offsets of one open file descriptor, so only the bytes asked for ever leave the disk.
import { closeSync, openSync, readSync } from 'node:fs';

/** A metadata value as stored: numbers (u64/i64 as `bigint` only beyond 2^53), strings, booleans, arrays. */
export type GgufValue = number | bigint | string | boolean | GgufValue[];

export interface GgufTensorInfo {
  name: string;
  /** ggml's `ne`: ne0 is the number of columns (the PyTorch shape reversed). */
  dims: number[];
  /** `enum ggml_type` value (0 F32, 1 F16, 2 Q4_0, 8 Q8_0, 30 BF16, ...). */
  type: number;
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
}

export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: Map<string, GgufTensorInfo>;
  /** Reads `length` bytes at absolute `position`. */
  read(position: number, length: number): Buffer;
  close(): void;
}

/** `enum gguf_type` in ggml/include/gguf.h. */
const VALUE_TYPE = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const DEFAULT_ALIGNMENT = 32;
const CHUNK = 1 << 20;

/** A forward cursor over the file that refills its buffer in 1 MiB chunks (the header can be many MB). */
class Cursor {
  private buffer = Buffer.alloc(0);
  private start = 0; // file position of buffer[0]
  private at = 0; // index into buffer

  constructor(private readonly fd: number) {}

  get position(): number {
    return this.start + this.at;
  }

  private ensure(length: number): void {
    if (this.at + length <= this.buffer.length) return;
    const rest = this.buffer.subarray(this.at);
    const next = Buffer.alloc(Math.max(CHUNK, length));
    rest.copy(next);
    const read = readSync(this.fd, next, rest.length, next.length - rest.length, this.position + rest.length);
    if (rest.length + read < length) throw new Error(`GGUF: unexpected end of file at byte ${this.position}`);
    this.start = this.position;
    this.buffer = next.subarray(0, rest.length + read);
    this.at = 0;
  }

  u8(): number { this.ensure(1); return this.buffer.readUInt8(this.at++); }
  i8(): number { this.ensure(1); return this.buffer.readInt8(this.at++); }
  u16(): number { this.ensure(2); const v = this.buffer.readUInt16LE(this.at); this.at += 2; return v; }
  i16(): number { this.ensure(2); const v = this.buffer.readInt16LE(this.at); this.at += 2; return v; }
  u32(): number { this.ensure(4); const v = this.buffer.readUInt32LE(this.at); this.at += 4; return v; }
  i32(): number { this.ensure(4); const v = this.buffer.readInt32LE(this.at); this.at += 4; return v; }
  f32(): number { this.ensure(4); const v = this.buffer.readFloatLE(this.at); this.at += 4; return v; }
  f64(): number { this.ensure(8); const v = this.buffer.readDoubleLE(this.at); this.at += 8; return v; }
  u64(): number | bigint { this.ensure(8); const v = this.buffer.readBigUInt64LE(this.at); this.at += 8; return narrow(v); }
  i64(): number | bigint { this.ensure(8); const v = this.buffer.readBigInt64LE(this.at); this.at += 8; return narrow(v); }

  /** A u64 that must be a usable count or offset. */
  size(): number {
    const value = this.u64();
    if (typeof value === 'bigint') throw new Error(`GGUF: size ${value} at byte ${this.position - 8} is too large`);
    return value;
  }

  string(): string {
    const length = this.size();
    this.ensure(length);
    const text = this.buffer.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }
}

function narrow(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

function readValue(cursor: Cursor, type: number): GgufValue {
  switch (type) {
    case VALUE_TYPE.u8: return cursor.u8();
    case VALUE_TYPE.i8: return cursor.i8();
    case VALUE_TYPE.u16: return cursor.u16();
    case VALUE_TYPE.i16: return cursor.i16();
    case VALUE_TYPE.u32: return cursor.u32();
    case VALUE_TYPE.i32: return cursor.i32();
    case VALUE_TYPE.f32: return cursor.f32();
    case VALUE_TYPE.bool: return cursor.u8() !== 0;
    case VALUE_TYPE.string: return cursor.string();
    case VALUE_TYPE.u64: return cursor.u64();
    case VALUE_TYPE.i64: return cursor.i64();
    case VALUE_TYPE.f64: return cursor.f64();
    case VALUE_TYPE.array: {
      const itemType = cursor.u32();
      const count = cursor.size();
      const items = new Array<GgufValue>(count);
      for (let i = 0; i < count; i++) items[i] = readValue(cursor, itemType);
      return items;
    }
    default:
      throw new Error(`GGUF: unknown metadata value type ${type} at byte ${cursor.position - 4}`);
  }
}

/** Opens a GGUF v3 file and parses its header; the tensor data stays on disk until `read`. */
export function openGgufFile(path: string): GgufFile {
  const fd = openSync(path, 'r');
  try {
    const cursor = new Cursor(fd);
    const magic = cursor.u32();
    if (magic !== GGUF_MAGIC) throw new Error(`${path} is not a GGUF file (magic 0x${magic.toString(16)})`);
    const version = cursor.u32();
    if (version !== 3) throw new Error(`${path}: GGUF version ${version} is not supported (only 3)`);
    const tensorCount = cursor.size();
    const metadataCount = cursor.size();
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < metadataCount; i++) {
      const key = cursor.string();
      metadata.set(key, readValue(cursor, cursor.u32()));
    }
    const infos: Array<Omit<GgufTensorInfo, 'offset'> & { relative: number }> = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = cursor.string();
      const dimCount = cursor.u32();
      const dims: number[] = [];
      for (let d = 0; d < dimCount; d++) dims.push(cursor.size());
      const type = cursor.u32();
      infos.push({ name, dims, type, relative: cursor.size() });
    }
    const alignment = metadata.get('general.alignment') ?? DEFAULT_ALIGNMENT;
    if (typeof alignment !== 'number' || alignment <= 0) throw new Error(`${path}: bad general.alignment ${String(alignment)}`);
    const dataStart = Math.ceil(cursor.position / alignment) * alignment;
    const tensors = new Map<string, GgufTensorInfo>();
    for (const { relative, ...info } of infos) tensors.set(info.name, { ...info, offset: dataStart + relative });
    return {
      version,
      metadata,
      tensors,
      read(position, length) {
        const buffer = Buffer.alloc(length);
        for (let done = 0; done < length; ) {
          const got = readSync(fd, buffer, done, length - done, position + done);
          if (got === 0) throw new Error(`${path}: end of file reading ${length} bytes at ${position}`);
          done += got;
        }
        return buffer;
      },
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
