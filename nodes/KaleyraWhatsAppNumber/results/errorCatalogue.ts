/**
 * Every error code an item can carry, Kaleyra's and the package's own, each with what to do
 * about it (hint) and the fields it names: error items are built from these entries. Kaleyra's
 * codes and messages are quoted from its pages (see docs/kaleyra-api.md).
 */
import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';

/** The package's own error codes, next to Kaleyra's; their hints follow. */
export const OWN_ERROR_CODES = {
	invalidInput: 'INVALID_INPUT',
	invalidCredential: 'INVALID_CREDENTIAL',
	network: 'NETWORK_ERROR',
	timeout: 'TIMEOUT',
	rateLimited: 'RATE_LIMITED',
	httpError: 'HTTP_ERROR',
	invalidResponse: 'INVALID_RESPONSE',
	unexpected: 'UNEXPECTED_ERROR',
	redirect: 'REDIRECT',
	connectionLost: 'CONNECTION_LOST',
	cancelled: 'CANCELLED',
} as const;

/**
 * What to do about the package's own failures. INVALID_INPUT takes the hint of each field at fault
 * (the FieldSpecs'), INVALID_CREDENTIAL the credential's own; a failure on the way says whether
 * the request may have reached Kaleyra (mayHaveArrived, or readAgain for a read).
 */
export const OWN_HINTS = {
	rateLimited:
		'Send fewer requests at once: lower Concurrency or set Max Requests per Second in the node options, then run the item again.',
	gatewayTrouble:
		'Kaleyra or a gateway in front of it is having trouble. Try again in a few minutes.',
	notKaleyra:
		'Check the region or the custom base URL in the credential: the server that answered does not look like Kaleyra.',
	redirect:
		"Check the region or the custom base URL in the credential: Kaleyra's API does not redirect. If a proxy or load balancer redirects (from http to https, say), use the address it redirects to as the base URL.",
	unreachable:
		'Check that n8n can reach the Kaleyra API domain of the chosen region (or the custom base URL), then run the item again: the request was not sent.',
	mayHaveArrived:
		"The request may have reached Kaleyra: a Verify Number may have used up one of the OTP's tries, a Retry OTP may have sent a code. Check the number before sending it again.",
	readAgain:
		'Nothing was changed at Kaleyra by this request, whatever became of its answer: run the item again.',
	customApiCall:
		"For another Kaleyra endpoint, use n8n's HTTP Request node with Authentication: Predefined Credential Type and the Kaleyra WhatsApp API credential.",
	stoppedBeforeSending:
		'The execution was stopped before this item was sent; run it again when ready.',
	nodeFault:
		'This is a fault in the node, not in your data. Please report it with the workflow that shows it.',
} as const;

/** Kaleyra's codes of an accepted request: with a 2xx status, and only then, an item succeeds. */
export const SUCCESS_CODES: ReadonlySet<string> = new Set(['WA200', 'WA202']);

export function isAccepted(statusCode: number, envelope: KaleyraEnvelope): boolean {
	return statusCode >= 200 && statusCode < 300 && SUCCESS_CODES.has(envelope.code);
}

export const CREDENTIAL_FIELDS = ['credentials.sid', 'credentials.apiKey', 'credentials.region'];
export const ADDRESS_FIELDS = ['credentials.region', 'credentials.baseUrl'];

/** One documented error of Kaleyra's: its code, and the message that tells it from its siblings. */
export interface KaleyraError {
	/** Kaleyra's code as it stands in the answer; some come with and without a dash (WA-401). */
	codes: readonly string[];
	/** The code the item carries. */
	reportedAs: string;
	/** Tells apart entries that share a code; absent on the code's catch-all entry. */
	message?: RegExp;
	hint: string;
	/** The node's parameters this error is about (only those the operation has are named). */
	fields: readonly string[];
	/** A repeat within the run cannot help, whatever the HTTP status it came with. */
	neverRetried?: boolean;
}

const WA401 = ['WA401', 'WA-401'];
const UNAUTHORIZED_NUMBER = /unauthori[sz]ed phone number|phone number is not present/i;

// Order matters: the first entry whose code and message match is the one.
export const KALEYRA_ERRORS: readonly KaleyraError[] = [
	{
		codes: ['RBC001'],
		reportedAs: 'RBC001',
		hint: 'Check the SID and API key in the credential, and that its region matches your Kaleyra account: a wrong region answers the same way. A key limited to whitelisted IPs must allow this n8n server.',
		fields: CREDENTIAL_FIELDS,
	},
	{
		// "Unauthorized phone number – Phone number is not present or does not belong to the account."
		codes: WA401,
		reportedAs: 'WA401',
		message: UNAUTHORIZED_NUMBER,
		hint: 'Kaleyra does not know this phone number on the account of this SID. Check the number (with "+" and its country code), that it was added to a WABA of this account, and that the credential is the right one.',
		fields: ['phoneNumber'],
	},
	{
		// "Unauthorised Account type – API is not available for given customer"
		codes: WA401,
		reportedAs: 'WA401',
		message: /account type|not available for given customer/i,
		hint: "This Kaleyra account's type does not include this API. Ask Kaleyra support to enable the WhatsApp number API (V2) for the account of this SID; changing the request will not help.",
		fields: ['credentials.sid'],
	},
	{
		// "The phone number you're using is associated with different Version of our WA API."
		codes: WA401,
		reportedAs: 'WA401',
		message: /different version/i,
		hint: "This number is set up on Kaleyra's WhatsApp V1 API, which this node does not speak: manage it with Kaleyra's V1 API, or ask Kaleyra support to move it to V2.",
		fields: ['phoneNumber'],
	},
	{
		// The number endpoints' own: "Waba_id is not present or does not belong to the account."
		codes: WA401,
		reportedAs: 'WA401',
		hint: 'The WABA ID is missing or does not belong to the Kaleyra account of this SID. Check the WABA ID, or the credential used.',
		fields: ['wabaId'],
	},
	{
		// "Low balance – Please check your balance, You have a low balance!"
		codes: ['E110'],
		reportedAs: 'E110',
		hint: "The Kaleyra account's balance is too low. Top up the balance in Kaleyra's console, then run the item again.",
		fields: [],
		neverRetried: true,
	},
	{
		// "Account daily limit reached."
		codes: ['WAV2101'],
		reportedAs: 'WAV2101',
		hint: "The Kaleyra account's daily limit is reached. It resets daily: run the item again tomorrow, or ask Kaleyra to raise the limit. The node does not retry it within the run.",
		fields: [],
		neverRetried: true,
	},
	{
		codes: ['WA500'],
		reportedAs: 'WA500',
		// Kaleyra's own advice on WA500.
		hint: 'Kaleyra had an internal error. Kaleyra advises "3 retries with intervals of 5, 10, and 15 minutes": run the item again later (a Wait node or a schedule), not at once.',
		fields: [],
	},
];

/** The hint of Kaleyra's "already approved" when it goes to Error. */
export const ALREADY_APPROVED_HINT =
	'The number is already verified: nothing is left to do. Turn on "Treat Already Approved as Success" to send such items to the Success output.';

/** Any other refusal: Kaleyra's own message says why. */
export const REJECTED_HINT =
	'Kaleyra refused the request: its message says why. Check the values it names against what Kaleyra holds for this account.';

/** The documented entry for Kaleyra's answer, or undefined for a code with no entry. */
export function kaleyraErrorOf(envelope: KaleyraEnvelope): KaleyraError | undefined {
	return KALEYRA_ERRORS.find(
		({ codes, message }) =>
			codes.includes(envelope.code) && (message === undefined || message.test(envelope.message)),
	);
}

/**
 * How Kaleyra refuses a number it does not know: 400 WA400 "invalid phone number", or 401 WA401
 * "Unauthorized phone number – Phone number is not present or does not belong to the account."
 */
export function isUnknownNumberRefusal(statusCode: number, envelope: KaleyraEnvelope): boolean {
	if (statusCode === 400 && envelope.code === 'WA400')
		return /^\s*invalid phone number\s*\.?\s*$/i.test(envelope.message);
	return (
		statusCode === 401 &&
		WA401.includes(envelope.code) &&
		UNAUTHORIZED_NUMBER.test(envelope.message)
	);
}

/** Kaleyra's "already approved", in its own words only: not inside another sentence. */
export function isAlreadyApproved(envelope: KaleyraEnvelope): boolean {
	return (
		envelope.code === 'WA500' &&
		/^[\s\p{P}]*wa\s+phone\s+number\s+already\s+approved[\s\p{P}]*$/iu.test(envelope.message)
	);
}
