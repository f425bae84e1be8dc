/**
 * A `Blob` for the on-send script. The MIME parser joins decoded parts with `new Blob(chunks).arrayBuffer()`, and the
 * `Blob` constructor fails in classic Outlook's JS-only runtime (office-js #5869). This one only joins bytes in memory,
 * which is all that use needs.
 */
import { PureTextEncoder } from './text-codec';

type BlobPart = string | ArrayBuffer | ArrayBufferView | PureBlob;

const encoder = new PureTextEncoder();

export class PureBlob {
  readonly size: number;
  readonly type: string;
  private readonly bytes: Uint8Array;

  constructor(parts: readonly BlobPart[] = [], options: { type?: string } = {}) {
    const chunks = parts.map((part): Uint8Array => {
      if (typeof part === 'string') {
        return encoder.encode(part);
      }
      if (part instanceof PureBlob) {
        return part.bytes;
      }
      if (ArrayBuffer.isView(part)) {
        return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      }
      return new Uint8Array(part);
    });
    let size = 0;
    for (const c of chunks) {
      size += c.length;
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.length;
    }
    this.bytes = bytes;
    this.size = size;
    this.type = (options.type ?? '').toLowerCase();
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.bytes.slice().buffer);
  }
}

/**
 * A `FileReader` for the same parser's fallback path, which is only taken for a Blob without `arrayBuffer()`: never
 * with {@link PureBlob}, but then no code in the script refers to the host's FileReader.
 */
export class PureFileReader {
  result: ArrayBuffer | null = null;
  error: Error | null = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;

  readAsArrayBuffer(blob: PureBlob): void {
    blob.arrayBuffer().then(
      (buffer) => {
        this.result = buffer;
        if (this.onload) {
          this.onload();
        }
      },
      (e: Error) => {
        this.error = e;
        if (this.onerror) {
          this.onerror();
        }
      },
    );
  }
}
