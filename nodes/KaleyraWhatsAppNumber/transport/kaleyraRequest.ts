/**
 * The one place that sends HTTP to Kaleyra. It never throws for an answer or a
 * network failure: it reports what happened so the caller can put the item on
 * the right branch, and so retries can tell whether Kaleyra may have seen it.
 */
import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { KALEYRA_REGION_BASE_URLS } from '../../../credentials/KaleyraWhatsAppApi.credentials';
import type { HttpAnswer } from '../helpers/answers';

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

export interface KaleyraCall {
	wabaId: string;
	endpoint: 'verify' | 'retry_otp';
	body: Record<string, string>;
	timeoutMs: number;
}

export type Delivery =
	| { kind: 'answer'; answer: HttpAnswer }
	/** No connection was made, so Kaleyra cannot have seen the request. */
	| { kind: 'unreachable'; cause: string }
	/** The connection broke or timed out after the request may have been sent. */
	| { kind: 'interrupted'; cause: string; timedOut: boolean };

// Errors raised before a connection exists: the request never left this machine.
const NOT_CONNECTED_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
]);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

export function baseUrlOf(credentials: ICredentialDataDecryptedObject): string {
	const region = String(credentials.region ?? 'in');
	if (region === 'custom')
		return String(credentials.baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '');
	return KALEYRA_REGION_BASE_URLS[region as keyof typeof KALEYRA_REGION_BASE_URLS] ?? '';
}

export async function resolveAccount(this: IExecuteFunctions): Promise<KaleyraAccount> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = baseUrlOf(credentials);
	if (!/^https?:\/\/[^/]/.test(baseUrl)) {
		throw new NodeOperationError(this.getNode(), 'The Kaleyra credential has no usable base URL', {
			description:
				'Choose a region in the credential, or give a custom base URL starting with https://',
		});
	}
	const sid = String(credentials.sid ?? '').trim();
	if (sid === '') {
		throw new NodeOperationError(this.getNode(), 'The Kaleyra credential has no SID', {
			description: 'Enter the account SID shown next to the API key in kaleyra.io.',
		});
	}
	const reference = this.getNode().credentials?.[CREDENTIAL_TYPE];
	return {
		accountUrl: `${baseUrl}/v2/${encodeURIComponent(sid)}`,
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

function causeCode(error: unknown): string {
	const { cause, code } = (error ?? {}) as { cause?: { code?: unknown }; code?: unknown };
	return String(cause?.code ?? code ?? 'UNKNOWN');
}

export async function sendKaleyraCall(
	this: IExecuteFunctions,
	account: KaleyraAccount,
	call: KaleyraCall,
): Promise<Delivery> {
	try {
		const response = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			CREDENTIAL_TYPE,
			{
				method: 'POST',
				url: `${account.accountUrl}/whatsapp/${encodeURIComponent(call.wabaId)}/number/${call.endpoint}`,
				headers: { 'Content-Type': 'application/json' },
				body: call.body,
				json: true,
				// Read the body as text: HTML pages and broken JSON are reported, not thrown.
				encoding: 'text',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: call.timeoutMs,
			},
			account.credential,
		)) as { statusCode: number; headers: Record<string, unknown>; body: unknown };
		const body =
			typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
		return {
			kind: 'answer',
			answer: { statusCode: response.statusCode, headers: response.headers ?? {}, body },
		};
	} catch (error) {
		// Only the error's code is kept: the error itself holds the request, api-key header included.
		const cause = causeCode(error);
		if (NOT_CONNECTED_CODES.has(cause)) return { kind: 'unreachable', cause };
		return { kind: 'interrupted', cause, timedOut: TIMEOUT_CODES.has(cause) };
	}
}
