import type { ResolveModelOptions } from './models/resolve-model.js';

/**
 * The tokenizer of a local GGUF reranker, as the local engines use it: llama.cpp's own (node-llama-cpp with
 * `vocabOnly`), user text tokenized through the same body tokenizer (`engines/local/body-tokenizer.ts`), so counts equal the
 * tokens a document's text becomes inside a rerank prompt.
 */
export interface ModelTokenizer {
  /** Tokens in the vocabulary (ids are `0 … vocabularySize - 1`). */
  readonly vocabularySize: number;
  /** The weights' type from the GGUF's `general.file_type` (`q8_0`, `float16`…). */
  readonly dtype: string;
  /**
   * User text as a rerank prompt's body tokenizes it: plain text, Qwen3's added tokens that are not chat control
   * tokens (`<think>`, `<tool_call>`) become their ids, control tokens (`<|im_end|>`) stay literal characters (the
   * README's "Control tokens in user text"). Texts past 64 Ki characters are tokenized on a worker thread.
   */
  tokenize(text: string): Promise<number[]>;
  /** Text of `tokens`, control tokens written out (`<|im_end|>`). */
  detokenize(tokens: readonly number[]): string;
  /** A token as the vocabulary spells it (`Ġworld`: the Hugging Face tokenizer's `convert_ids_to_tokens`). */
  tokenString(token: number): string;
  /** The exact bytes of one token (a byte-level BPE token may hold part of a UTF-8 character). */
  pieceBytes(token: number): Uint8Array;
  /** Whether a token is a control token (`<|im_end|>`, `<|endoftext|>`…). */
  isControl(token: number): boolean;
  close(): Promise<void>;
}

export interface CreateTokenizerOptions extends Pick<ResolveModelOptions, 'modelsDir'> {
  /** Local GGUF path or `hf:owner/repo[:quant]` URI, as for `createReranker`. Default: `DEFAULT_MODEL`. */
  model?: string;
}

interface GgufTokenizerMetadata {
  general?: { file_type?: number };
  tokenizer?: { ggml?: { tokens?: readonly string[]; token_type?: readonly number[] } };
}

/** llama.cpp `llama_ftype` (include/llama.h) values of `general.file_type`, named as TEI names dtypes where it can. */
const FILE_TYPE_NAMES: Record<number, string> = {
  0: 'float32',
  1: 'float16',
  2: 'q4_0',
  3: 'q4_1',
  7: 'q8_0',
  8: 'q5_0',
  9: 'q5_1',
  10: 'q2_k',
  11: 'q3_k_s',
  12: 'q3_k_m',
  13: 'q3_k_l',
  14: 'q4_k_s',
  15: 'q4_k_m',
  16: 'q5_k_s',
  17: 'q5_k_m',
  18: 'q6_k',
  32: 'bfloat16',
};

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp `llama_token_type`: 1 normal, 3 control, 4 user-defined). */
const CONTROL_TOKEN_TYPE = 3;
const NORMAL_TOKEN_TYPE = 1;

/** Loads the vocabulary only (no weights) of a local reranker GGUF. */
export async function createTokenizer(options: CreateTokenizerOptions = {}): Promise<ModelTokenizer> {
  const { resolveModelPath } = await import('./models/resolve-model.js');
  const modelPath = await resolveModelPath(options.model, { modelsDir: options.modelsDir });
  const { createBodyTokenizer } = await import('./engines/local/body-tokenizer.js');
  const { sharedVocabularyRuntime } = await import('./engines/local/llama-runtime.js');
  const llama = await sharedVocabularyRuntime();
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  const body = createBodyTokenizer(model, modelPath);
  const metadata = model.fileInfo.metadata as unknown as GgufTokenizerMetadata;
  const ggml = metadata.tokenizer?.ggml;
  const texts = ggml?.tokens ?? [];
  const types = ggml?.token_type ?? [];
  const byteOf = unicodeToByte();
  const fileType = metadata.general?.file_type;
  return {
    vocabularySize: texts.length,
    dtype: fileType === undefined ? 'unknown' : (FILE_TYPE_NAMES[fileType] ?? `file_type_${fileType}`),
    async tokenize(text) {
      return [...(await body.tokenize(text))];
    },
    detokenize(tokens) {
      return model.detokenize(tokens as Parameters<typeof model.detokenize>[0], true);
    },
    tokenString(token) {
      return texts[token] ?? '';
    },
    pieceBytes(token) {
      const text = texts[token] ?? '';
      if (types[token] !== NORMAL_TOKEN_TYPE) return new TextEncoder().encode(text);
      // A normal byte-level BPE token is stored with GPT-2's byte-to-character map; undo it.
      return Uint8Array.from([...text].map((character) => byteOf.get(character) ?? 0x3f));
    },
    isControl(token) {
      return types[token] === CONTROL_TOKEN_TYPE;
    },
    async close() {
      await body.close();
      await model.dispose();
    },
  };
}

/**
 * GPT-2's byte-level alphabet, inverted: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100
 * onwards in byte order (openai/gpt-2 src/encoder.py `bytes_to_unicode`; llama.cpp llama-vocab.cpp
 * `unicode_byte_to_utf8`).
 */
function unicodeToByte(): Map<string, number> {
  const printable = (byte: number) => (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const map = new Map<string, number>();
  let next = 0;
  for (let byte = 0; byte < 256; byte++) {
    map.set(String.fromCodePoint(printable(byte) ? byte : 0x100 + next++), byte);
  }
  return map;
}
