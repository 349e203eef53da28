import { FragmentkitError } from '@fragmentkit/core';

/**
 * Reads a request body as UTF-8 text, stopping as soon as it passes `maxBytes`. Content-Length
 * is only a shortcut: chunked bodies have none and a client may lie, so the bytes are counted.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let result = await reader.read(); !result.done; result = await reader.read()) {
    total += result.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(result.value);
  }

  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new FragmentkitError('INVALID_REQUEST', 'The request body is not valid UTF-8.', { cause: error });
  }
}

function tooLarge(maxBytes: number): FragmentkitError {
  return new FragmentkitError(
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${maxBytes} bytes. Attach fewer or smaller snippets.`,
    { details: { maxBytes } },
  );
}
