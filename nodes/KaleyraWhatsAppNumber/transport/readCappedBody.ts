/** Reads an answer's body as it streams in, and stops at a size cap instead of buffering it whole. */

/** A response body as n8n's HTTP helper hands it over with `encoding: 'stream'`. */
export interface BodyStream extends AsyncIterable<Uint8Array | string> {
	destroy(error?: Error): unknown;
}

export type BodyRead =
	| { kind: 'complete'; text: string }
	| { kind: 'tooLarge' }
	/** The stream failed: the connection broke, it was aborted, or it would not decompress. */
	| { kind: 'broken'; error: unknown };

export function isBodyStream(body: unknown): body is BodyStream {
	return (
		typeof body === 'object' &&
		body !== null &&
		typeof (body as Partial<BodyStream>)[Symbol.asyncIterator] === 'function' &&
		typeof (body as Partial<BodyStream>).destroy === 'function'
	);
}

// Shared: a decode of whole bytes (no `stream` option) keeps no state between calls.
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Counts the bytes as they arrive (after decompression, so a small gzip that inflates past
 * the cap stops at the cap too), and destroys the stream the moment the cap is passed. The text
 * is decoded once at the end: a Kaleyra answer is one chunk, and a character split between
 * chunks decodes the same as in a streaming decode.
 */
export async function readCappedBody(stream: BodyStream, maxBytes: number): Promise<BodyRead> {
	const parts: Uint8Array[] = [];
	let bytes = 0;
	try {
		for await (const chunk of stream) {
			const data = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
			bytes += data.byteLength;
			if (bytes > maxBytes) {
				stream.destroy();
				return { kind: 'tooLarge' };
			}
			parts.push(data);
		}
	} catch (error) {
		return { kind: 'broken', error };
	}
	return {
		kind: 'complete',
		text: decoder.decode(parts.length === 1 ? parts[0] : concat(parts, bytes)),
	};
}

function concat(parts: Uint8Array[], bytes: number): Uint8Array {
	const whole = new Uint8Array(bytes);
	let offset = 0;
	for (const part of parts) {
		whole.set(part, offset);
		offset += part.byteLength;
	}
	return whole;
}
