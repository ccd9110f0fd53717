/**
 * One ESL message as it travels on the socket: a header block and, when it has a Content-Length,
 * that many body bytes. Header values are kept raw (not URL-decoded): only serialised events encode them.
 */
export type FrameHeaders = Record<string, string>;

export type EslFrame = {
  headers: FrameHeaders;
  body: Buffer | undefined;
};

export function contentType(frame: EslFrame): string | undefined {
  return frame.headers['Content-Type'];
}

/** Writes a frame exactly as FreeSWITCH does: `Name: value\n` lines, a blank line, the body bytes. */
export function encodeFrame(headers: FrameHeaders | ReadonlyArray<readonly [string, string]>, body?: Buffer | string): Buffer {
  const entries = Array.isArray(headers) ? headers : Object.entries(headers as FrameHeaders);
  let head = '';
  for (const [name, value] of entries) head += `${name}: ${value}\n`;
  head += '\n';
  if (body === undefined) return Buffer.from(head, 'utf8');
  return Buffer.concat([Buffer.from(head, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** A frame carrying `body` with the Content-Length first, the way FreeSWITCH sends events. */
export function encodeEventFrame(contentTypeValue: string, body: Buffer | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return encodeFrame(
    [
      ['Content-Length', String(bytes.length)],
      ['Content-Type', contentTypeValue],
    ],
    bytes,
  );
}
