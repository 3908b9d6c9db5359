// Kaleyra's number API as the two documents describe it: routing, then the checks in the
// order README.md lists. Pure apart from the state changes a successful call makes.
import { RESPONSES, numberList, verified } from './responses.mjs';

const ROUTE = /^\/v2\/([^/]+)\/whatsapp\/([^/]+)\/number(?:\/(verify|retry_otp))?$/;
const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset=utf-8\s*)?$/i;
const E164 = /^\+[1-9]\d{7,14}$/;
const OTP = /^\d{6}$/;
const DIGITS = /^\d+$/;
// The id's literal in the raw text, to tell 100 from 100.0 or 1e2 (JSON.parse cannot).
const RAW_ID = /"id"\s*:\s*([-+.\deE]+)/;

/**
 * Parse a request body once: the payload, how `id` arrived, and its digit string.
 * idDigits is null when the id is neither a digit string nor an exact, safe JSON integer
 * (a 16+ digit bare number has already lost precision in any JSON client).
 */
export function parseBody(rawBody) {
	let json = null;
	try {
		json = JSON.parse(rawBody);
	} catch {
		return { json: null, idType: null, idDigits: null };
	}
	const isObject = json !== null && typeof json === 'object' && !Array.isArray(json);
	if (!isObject || !('id' in json)) return { json, idType: null, idDigits: null };
	return { json, idType: typeof json.id, idDigits: idDigitsOf(json.id, rawBody) };
}

function idDigitsOf(id, rawBody) {
	if (typeof id === 'string') return DIGITS.test(id) ? id : null;
	if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
	return RAW_ID.exec(rawBody)?.[1] === String(id) ? String(id) : null;
}

const OPERATIONS = {
	'GET ': listNumbers,
	'POST verify': verifyNumber,
	'POST retry_otp': retryOtp,
};

/** Answer one API request. Returns one of the frozen replies from responses.mjs. */
export function answerApi(state, method, url, headers, parsed) {
	const queryAt = url.indexOf('?');
	const route = ROUTE.exec(queryAt === -1 ? url : url.slice(0, queryAt));
	const operation = route && OPERATIONS[`${method} ${route[3] ?? ''}`];
	if (!operation) return RESPONSES.notFound;

	const [, sid, wabaId] = route;
	const { account } = state;
	// 1. Only the `api-key` header counts; Authorization or ?api-key= do not.
	if (headers['api-key'] !== account.apiKey || sid !== account.sid) return RESPONSES.authFailed;
	// 2. POST bodies must be declared as JSON.
	if (method === 'POST' && !JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')) {
		return RESPONSES.badPayload;
	}
	// 3. The WABA must belong to the account.
	if (!account.wabaIds.includes(wabaId)) return RESPONSES.wabaNotOwned;
	return operation(state, parsed);
}

function listNumbers(state) {
	const list = [...state.numbers].map(([id, number]) => ({
		id,
		phone_number: number.phoneNumber,
		status: number.state,
	}));
	return numberList(list);
}

function verifyNumber(state, parsed) {
	const problem = payloadProblem(parsed, 'otp', (otp) => OTP.test(otp), RESPONSES.badOtpFormat);
	if (problem) return problem;
	const number = state.numbers.get(parsed.idDigits);
	if (!number || number.phoneNumber !== parsed.json.phone_number) {
		return RESPONSES.unknownPhoneNumberId;
	}
	if (parsed.json.otp !== number.otp) return RESPONSES.wrongOtp;
	const stateProblem = stateReply(number);
	if (stateProblem) return stateProblem;
	number.state = 'approved';
	return verified(parsed.idDigits);
}

function retryOtp(state, parsed) {
	const problem = payloadProblem(
		parsed,
		'type_verification',
		(type) => type === 'SMS' || type === 'VOICE',
		RESPONSES.badTypeVerification,
	);
	if (problem) return problem;
	const number = state.numbers.get(parsed.idDigits);
	if (!number || number.phoneNumber !== parsed.json.phone_number) {
		return RESPONSES.unknownPhoneNumberId;
	}
	const stateProblem = stateReply(number);
	if (stateProblem) return stateProblem;
	number.otpSentCount += 1;
	return RESPONSES.otpResent;
}

/**
 * Checks 4-6: exactly the keys id, phone_number and `thirdKey`, each of its JSON type;
 * then an E.164 phone number; then the operation's own third field.
 */
function payloadProblem({ json, idDigits }, thirdKey, thirdIsValid, thirdReply) {
	const keys = json && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
	const wellFormed =
		keys.length === 3 &&
		idDigits !== null &&
		typeof json.phone_number === 'string' &&
		typeof json[thirdKey] === 'string';
	if (!wellFormed) return RESPONSES.badPayload;
	if (!E164.test(json.phone_number)) return RESPONSES.invalidPhoneNumber;
	if (!thirdIsValid(json[thirdKey])) return thirdReply;
	return null;
}

// Check 8: states that refuse both operations.
function stateReply(number) {
	if (number.state === 'approved') return RESPONSES.alreadyApproved;
	if (number.state === 'unavailable') return RESPONSES.tryLater;
	return null;
}
