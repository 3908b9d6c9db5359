/**
 * The one place that sends HTTP to Kaleyra. It never throws for an answer or a
 * network failure: it reports what happened so the caller can put the item on
 * the right branch, and so retries can tell whether Kaleyra may have seen it.
 */
import type { IAdditionalCredentialOptions, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

import { accountUrlOf } from '../../../credentials/kaleyraAccountUrl';
import type { HttpAnswer, KaleyraEnvelope } from './kaleyraEnvelope';
import {
	MAX_ANSWER_BYTES,
	MAX_ANSWER_DEPTH,
	nestsDeeperThan,
	parseKaleyraEnvelope,
} from './kaleyraEnvelope';
import { isBodyStream, readCappedBody } from './readCappedBody';

export const CREDENTIAL_TYPE = 'kaleyraWhatsAppApi';

export interface KaleyraAccount {
	/** e.g. https://api.in.kaleyra.io/v2/HXAP16XXXXXX97IN */
	accountUrl: string;
	/**
	 * The credential as read once for the run, handed to every request. Without it n8n reads
	 * it again for each request: in a real instance a database query, a decryption and an
	 * expression pass, about 3 ms per request on n8n 2.41 (bench/real-n8n.mjs).
	 */
	credential: IAdditionalCredentialOptions;
}

/** One call to Kaleyra's number API, under the account URL (`…/v2/<sid>`). */
export interface KaleyraRequest {
	/** Any of a REST API's verbs: a new operation of Kaleyra's needs no change here. */
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	/** The path after the account URL, each segment already encoded: `/whatsapp/<waba>/number`. */
	path: string;
	/** A JSON body, for the verbs that carry one. */
	body?: Record<string, string>;
}

export interface KaleyraCall extends KaleyraRequest {
	timeoutMs: number;
}

export type Delivery = AnswerDelivery | UnreachableDelivery | LostDelivery;

/** A whole answer, of whatever status; `envelope` when its body is Kaleyra's JSON. */
export interface AnswerDelivery {
	kind: 'answer';
	answer: HttpAnswer;
	envelope: KaleyraEnvelope | undefined;
	/** The body nests deeper than MAX_ANSWER_DEPTH: it is not read at all. */
	tooDeep?: true;
}

/** No connection was made, so Kaleyra cannot have seen the request. */
export interface UnreachableDelivery {
	kind: 'unreachable';
	cause: string;
	host: string;
}

/** The request was, or may have been, sent, and no whole answer came back. */
export interface LostDelivery {
	kind: 'lost';
	reason: LostReason;
	cause: string;
	host: string;
	/** The answer's status, when its headers had arrived. */
	statusCode: number | null;
}

export type LostReason =
	| 'connectionBroke'
	| 'answerBroke'
	| 'notDecompressible'
	| 'tooLarge'
	| 'timedOut'
	| 'stopped';

// Errors raised before a connection exists, or in the TLS handshake before any of the request
// was written: the request never left this machine.
const NOT_CONNECTED_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The account URL and the credential, read once for the run. A credential that cannot give a
 * URL throws accountUrlOf's InvalidCredentialError (field, message, hint) unchanged: no
 * request is sent.
 */
export async function resolveAccount(
	this: IExecuteFunctions | IPollFunctions,
): Promise<KaleyraAccount> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const accountUrl = accountUrlOf(credentials);
	const reference = this.getNode().credentials?.[CREDENTIAL_TYPE];
	return {
		accountUrl,
		credential: {
			credentialsDecrypted: {
				id: reference?.id ?? '',
				name: reference?.name ?? CREDENTIAL_TYPE,
				type: CREDENTIAL_TYPE,
				data: credentials,
			},
		},
	};
}

interface HelperResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/**
 * The helper's answer, or a rejection the moment `signal` aborts: a server that never sends its
 * headers cannot hold the item past its deadline. An abandoned request is left to n8n's idle
 * timeout, and a body that still arrives is destroyed unread.
 */
async function untilAborted(
	sent: Promise<HelperResponse>,
	signal: AbortSignal,
): Promise<HelperResponse> {
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () =>
			reject(Object.assign(new Error('The request was abandoned'), { code: 'ABANDONED' }));
		if (signal.aborted) onAbort();
		else signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([sent, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
		if (signal.aborted)
			sent.then(
				({ body }) => (isBodyStream(body) ? body.destroy() : undefined),
				() => undefined,
			);
	}
}

function causeCode(error: unknown): string {
	const { cause, code } = (error ?? {}) as { cause?: { code?: unknown }; code?: unknown };
	return String(cause?.code ?? code ?? 'UNKNOWN');
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'Kaleyra';
	}
}

/**
 * Sends one call and reads its whole answer within `call.timeoutMs`, connect, headers and body
 * together, never more than MAX_ANSWER_BYTES of it, and gives up at once when `stop` (the
 * execution's cancel signal) fires.
 */
export async function sendKaleyraCall(
	// The action node's run, or the trigger's poll: both send through n8n's helpers.
	this: IExecuteFunctions | IPollFunctions,
	account: KaleyraAccount,
	call: KaleyraCall,
	stop?: AbortSignal,
): Promise<Delivery> {
	const url = `${account.accountUrl}${call.path}`;
	// Only a failure names the host: a URL parse per request saved on every answer.
	const host = () => hostOf(url);
	const request = new AbortController();
	const deadline = AbortSignal.timeout(call.timeoutMs);
	const abort = () => request.abort();
	deadline.addEventListener('abort', abort);
	stop?.addEventListener('abort', abort);
	if (stop?.aborted) abort();
	// Whatever broke, a deadline or a Stop that came first is what the user is told.
	const lost = (reason: LostReason, cause: string, statusCode: number | null = null): Delivery => ({
		kind: 'lost',
		reason: deadline.aborted ? 'timedOut' : stop?.aborted ? 'stopped' : reason,
		cause,
		host: host(),
		statusCode,
	});
	try {
		let response: HelperResponse;
		try {
			const sent = this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				{
					method: call.method,
					url,
					...(call.body
						? { headers: { 'Content-Type': 'application/json' }, body: call.body }
						: {}),
					json: true,
					// A stream, read here under a size cap: HTML pages and broken JSON are reported,
					// not thrown, and a huge or endless answer is never buffered whole.
					encoding: 'stream',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					// Kaleyra's number API does not redirect. Following one would turn the POST into a
					// GET (301/302) or carry the api-key header and the OTP wherever it points (307/308).
					disableFollowRedirect: true,
					// Until the headers, n8n's own idle timeout: n8n hands axios the execution's
					// cancel signal in place of any other, so the deadline cannot abort the request.
					timeout: call.timeoutMs,
				},
				account.credential,
			) as Promise<HelperResponse>;
			response = await untilAborted(sent, request.signal);
		} catch (error) {
			// Only the error's code is kept: the error itself holds the request, api-key included.
			const cause = causeCode(error);
			if (!request.signal.aborted && NOT_CONNECTED_CODES.has(cause))
				return { kind: 'unreachable', cause, host: host() };
			return lost('connectionBroke', cause);
		}

		const { statusCode, headers = {}, body } = response;
		let text: string;
		if (isBodyStream(body)) {
			const destroy = () => body.destroy();
			request.signal.addEventListener('abort', destroy);
			const read = await readCappedBody(body, MAX_ANSWER_BYTES);
			request.signal.removeEventListener('abort', destroy);
			if (read.kind === 'tooLarge') return lost('tooLarge', 'MAX_ANSWER_BYTES', statusCode);
			if (read.kind === 'broken') {
				const cause = causeCode(read.error);
				return lost(
					cause.startsWith('Z_') ? 'notDecompressible' : 'answerBroke',
					cause,
					statusCode,
				);
			}
			text = read.text;
		} else {
			// An n8n that ignores `encoding: 'stream'` hands over the body already read.
			text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
			if (text.length > MAX_ANSWER_BYTES) return lost('tooLarge', 'MAX_ANSWER_BYTES', statusCode);
		}
		const answer = { statusCode, headers, body: text, url };
		if (nestsDeeperThan(text, MAX_ANSWER_DEPTH))
			return { kind: 'answer', answer, envelope: undefined, tooDeep: true };
		return { kind: 'answer', answer, envelope: parseKaleyraEnvelope(text) };
	} finally {
		deadline.removeEventListener('abort', abort);
		stop?.removeEventListener('abort', abort);
	}
}
