import type { FifeError } from '@fife/api';
import { eslError, eslErrorCodes } from './errors.js';
import { parseContentLength } from './event-codec.js';
import type { EslFrame, FrameHeaders } from './frame.js';

export type FrameParserOptions = {
  /** Longest header block accepted before the stream is declared broken (default 1 MiB). */
  maxHeaderBytes?: number;
  /** Largest Content-Length accepted (default 64 MiB). */
  maxBodyBytes?: number;
};

export type FrameParserHandlers = {
  onFrame: (frame: EslFrame) => void;
  /**
   * `fatal` means the byte stream can no longer be trusted (unknown or absurd body length, endless header
   * block): the parser ignores further input until `reset()`, and a client should drop the connection.
   * Non-fatal errors (a header block that is not `Name: value` lines) are skipped and parsing resumes.
   */
  onError: (error: FifeError, fatal: boolean) => void;
};

const LF = 0x0a;
const CR = 0x0d;
const HEADER_END = Buffer.from('\n\n');

/** Content types that FreeSWITCH never sends without a body (mod_event_socket writes Content-Length first). */
const BODY_CARRYING_TYPES = new Set(['text/event-plain', 'text/event-json', 'text/event-xml', 'api/response', 'log/data']);

export const defaultMaxHeaderBytes = 1024 * 1024;
export const defaultMaxBodyBytes = 64 * 1024 * 1024;

/**
 * Streaming ESL frame parser, correct for any TCP chunking. It works on Buffers because Content-Length
 * counts bytes. A body that arrives in pieces is kept as a list and joined once; a complete body inside
 * one chunk is a zero-copy view of that chunk. Only a partial header block is ever copied.
 */
export class EslFrameParser {
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  private head: Buffer | undefined;
  private pendingHeaders: FrameHeaders | undefined;
  private bodyParts: Buffer[] = [];
  private bodyHave = 0;
  private bodyNeed = 0;
  private broken = false;

  constructor(
    private readonly handlers: FrameParserHandlers,
    options: FrameParserOptions = {},
  ) {
    this.maxHeaderBytes = options.maxHeaderBytes ?? defaultMaxHeaderBytes;
    this.maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  }

  /** True after a fatal error, until `reset()`. */
  get failed(): boolean {
    return this.broken;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return (this.head?.length ?? 0) + this.bodyHave;
  }

  reset(): void {
    this.head = undefined;
    this.pendingHeaders = undefined;
    this.bodyParts = [];
    this.bodyHave = 0;
    this.bodyNeed = 0;
    this.broken = false;
  }

  push(chunk: Buffer): void {
    if (this.broken || chunk.length === 0) return;
    let offset = 0;
    if (this.pendingHeaders !== undefined) {
      offset = this.fillBody(chunk);
      if (offset < 0 || offset === chunk.length) return;
    }
    if (this.head === undefined) {
      this.parseFrames(chunk, offset, offset);
      return;
    }
    const head = this.head;
    this.head = undefined;
    const data = Buffer.concat([head, offset === 0 ? chunk : chunk.subarray(offset)]);
    // The terminator may straddle the old tail and the new bytes, hence one byte back.
    this.parseFrames(data, 0, Math.max(0, head.length - 1));
  }

  /** Returns the bytes of `chunk` used to finish the pending body, or -1 when it is still incomplete. */
  private fillBody(chunk: Buffer): number {
    const need = this.bodyNeed - this.bodyHave;
    if (chunk.length < need) {
      this.bodyParts.push(chunk);
      this.bodyHave += chunk.length;
      return -1;
    }
    this.bodyParts.push(need === chunk.length ? chunk : chunk.subarray(0, need));
    const parts = this.bodyParts;
    const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.bodyNeed);
    const headers = this.pendingHeaders!;
    this.pendingHeaders = undefined;
    this.bodyParts = [];
    this.bodyHave = 0;
    this.bodyNeed = 0;
    this.emit({ headers, body });
    return need;
  }

  private parseFrames(data: Buffer, start: number, scanFrom: number): void {
    let offset = start;
    while (offset < data.length && !this.broken) {
      offset = skipBlankLines(data, offset);
      if (offset >= data.length) return;
      const end = data.indexOf(HEADER_END, Math.max(scanFrom, offset));
      if (end === -1) {
        this.keepPartialHead(data, offset);
        return;
      }
      if (end - offset > this.maxHeaderBytes) return this.fail(headerTooLarge(end - offset, this.maxHeaderBytes));
      const headers = parseFrameHeaders(data, offset, end);
      offset = end + 2;
      scanFrom = offset;
      if (typeof headers === 'string') {
        this.report(eslError(eslErrorCodes.frameMalformed, `ESL header block skipped: ${headers}`), false);
        continue;
      }
      const declared = headers['Content-Length'];
      if (declared === undefined) {
        // FreeSWITCH always sends these with a Content-Length. One without it means bytes that were not a
        // frame (junk without a blank line) swallowed the real header lines: every later frame would be
        // misread the same way, silently, so the stream is given up (the client reconnects).
        const type = headers['Content-Type'];
        if (type !== undefined && BODY_CARRYING_TYPES.has(type)) {
          return this.fail(eslError(eslErrorCodes.frameMalformed, `ESL ${type} frame without Content-Length: the byte stream is out of step`));
        }
        this.emit({ headers, body: undefined });
        continue;
      }
      const length = this.bodyLength(declared);
      if (length < 0) return;
      if (data.length - offset >= length) {
        this.emit({ headers, body: data.subarray(offset, offset + length) });
        offset += length;
        scanFrom = offset;
        continue;
      }
      this.pendingHeaders = headers;
      this.bodyNeed = length;
      this.bodyParts = [data.subarray(offset)];
      this.bodyHave = data.length - offset;
      return;
    }
  }

  private bodyLength(declared: string): number {
    const length = parseContentLength(declared);
    if (length < 0) {
      this.fail(eslError(eslErrorCodes.badContentLength, `ESL Content-Length "${declared.slice(0, 40)}" is not a byte count`));
      return -1;
    }
    if (length > this.maxBodyBytes) {
      this.fail(
        eslError(eslErrorCodes.frameTooLarge, `ESL body of ${length} bytes exceeds the ${this.maxBodyBytes}-byte limit`, {
          length,
          max: this.maxBodyBytes,
        }),
      );
      return -1;
    }
    return length;
  }

  private keepPartialHead(data: Buffer, offset: number): void {
    const size = data.length - offset;
    if (size > this.maxHeaderBytes) return this.fail(headerTooLarge(size, this.maxHeaderBytes));
    // A copy, so a small tail does not pin a large socket chunk in memory.
    this.head = Buffer.from(data.subarray(offset));
  }

  private fail(error: FifeError): void {
    this.reset();
    this.broken = true;
    this.report(error, true);
  }

  private emit(frame: EslFrame): void {
    try {
      this.handlers.onFrame(frame);
    } catch (error) {
      this.report(eslError(eslErrorCodes.listener, `frame handler threw: ${String(error)}`, {}, error), false);
    }
  }

  private report(error: FifeError, fatal: boolean): void {
    try {
      this.handlers.onError(error, fatal);
    } catch {
      // An error handler that throws has nowhere left to report to; the parser must stay usable.
    }
  }
}

function headerTooLarge(size: number, max: number): FifeError {
  return eslError(eslErrorCodes.frameTooLarge, `ESL header block of ${size}+ bytes exceeds the ${max}-byte limit`, {
    size,
    max,
  });
}

function skipBlankLines(data: Buffer, offset: number): number {
  let at = offset;
  while (at < data.length && (data[at] === LF || data[at] === CR)) at++;
  return at;
}

/** `Name: value` lines; returns a description of the problem when a line has no name. */
export function parseFrameHeaders(data: Buffer, start: number, end: number): FrameHeaders | string {
  const block = data.toString('utf8', start, end);
  // A literal object keeps V8's fast properties; a `__proto__` header is dropped (string assignment is a no-op).
  const headers: FrameHeaders = {};
  let lineStart = 0;
  while (lineStart < block.length) {
    let lineEnd = block.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = block.length;
    const colon = block.indexOf(':', lineStart);
    if (colon <= lineStart || colon >= lineEnd) {
      return `line "${block.slice(lineStart, Math.min(lineEnd, lineStart + 60))}" is not "Name: value"`;
    }
    const valueStart = block.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
    const valueEnd = block.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
    headers[block.slice(lineStart, colon)] = valueStart < valueEnd ? block.slice(valueStart, valueEnd) : '';
    lineStart = lineEnd + 1;
  }
  return headers;
}
