// Response bodies exactly as Kaleyra's two pages show them (note `data` is [] in some samples
// and {} in others), each with the HTTP status docs/kaleyra-api.md gives for its code; then the
// codes Kaleyra's other pages name without a sample body, and the bodies Kaleyra does not
// publish (add, list, details, unknown id...), each an assumption. `json` is the body
// serialized once, so answering costs no JSON.stringify per request.
import { deepFreeze } from './fixtures.mjs';

const reply = (status, body) => deepFreeze({ status, body, json: JSON.stringify(body) });

const OK_MESSAGE = 'Request Processed Successfully';
const UNAUTHORIZED_PHONE_NUMBER =
	'Unauthorized phone number – Phone number is not present or does not belong to the account.';
const TYPE_VERIFICATION_ERROR =
	"key: 'cloudapinumberotpretryrequest.type_verification' error:field validation for 'type_verification' failed on the 'isvalidtypeverification' tag";

export const RESPONSES = deepFreeze({
	// Documented (identical in both pages unless noted).
	authFailed: reply(401, {
		code: 'RBC001',
		message: 'Incorrect SID or API key.',
		data: [],
		error: { body: 'Incorrect SID or API key.', error: 'record not found' },
	}),
	wabaNotOwned: reply(401, {
		code: 'WA401',
		message: 'Waba_id is not present or does not belong to the account.',
		data: {},
		error: { waba_id: 'Waba_id is not present or does not belong to the account.' },
	}),
	badPayload: reply(400, {
		code: 'WA400',
		message: 'Refer to correct payload format',
		data: {},
		error: { payload: 'Incorrect payload format' },
	}),
	badOtpFormat: reply(400, {
		// verify only
		code: 'WA400',
		message: 'Incorrect OTP format',
		data: {},
		error: { error: 'Incorrect OTP format' },
	}),
	badTypeVerification: reply(400, {
		// retry_otp only
		code: 'WA400',
		message: TYPE_VERIFICATION_ERROR,
		data: [],
		error: { type_verification: TYPE_VERIFICATION_ERROR },
	}),
	invalidPhoneNumber: reply(400, {
		code: 'WA400',
		message: 'invalid phone number',
		data: [],
		error: { phone_number: 'invalid phone number' },
	}),
	alreadyApproved: reply(500, {
		code: 'WA500',
		message: 'wa phone number already approved',
		data: [],
		error: { error: 'wa phone number already approved' },
	}),
	tryLater: reply(500, {
		code: 'WA500',
		message: 'Please try again later',
		data: {},
		error: { error: 'Internal server error' },
	}),
	otpResent: reply(200, { code: 'WA200', message: OK_MESSAGE, data: true, error: {} }),

	// Codes and messages Kaleyra's pages list in tables, without a sample body: the envelope
	// of the documented ones around them. ASSUMED (docs/kaleyra-api.md#error-envelope): the
	// `data` and `error` parts, and the error keys.
	// ASSUMED (docs/kaleyra-api.md#wa401-phone-number): also what details answers for a
	// number it does not find in the form it wants (dialect wrongPathAnswer 'wa401').
	unauthorizedPhoneNumber: reply(401, {
		code: 'WA401',
		message: UNAUTHORIZED_PHONE_NUMBER,
		data: {},
		error: { phone_number: UNAUTHORIZED_PHONE_NUMBER },
	}),
	// docs/kaleyra-api.md#wa-401-account-type
	accountTypeNotAllowed: reply(401, {
		code: 'WA-401',
		message: 'Unauthorised Account type – API is not available for given customer',
		data: {},
		error: { error: 'Unauthorised Account type – API is not available for given customer' },
	}),
	// docs/kaleyra-api.md#wa-401-api-version
	otherApiVersion: reply(401, {
		code: 'WA-401',
		message: "The phone number you're using is associated with different Version of our WA API.",
		data: {},
		error: {
			error: "The phone number you're using is associated with different Version of our WA API.",
		},
	}),
	// docs/kaleyra-api.md#e110-low-balance
	lowBalance: reply(400, {
		code: 'E110',
		message: 'Low balance – Please check your balance, You have a low balance!',
		data: {},
		error: { error: 'Low balance – Please check your balance, You have a low balance!' },
	}),
	// ASSUMED (docs/kaleyra-api.md#wav2101-daily-limit): HTTP 429; Kaleyra names no status.
	dailyLimitReached: reply(429, {
		code: 'WAV2101',
		message: 'Account daily limit reached.',
		data: {},
		error: { error: 'Account daily limit reached.' },
	}),

	// NOT documented by Kaleyra: plausible bodies chosen for this emulator.
	// ASSUMED (docs/kaleyra-api.md#unknown-id): unknown id, an id of another WABA, or a phone
	// number that is not the id's.
	unknownPhoneNumberId: reply(400, {
		code: 'WA400',
		message: 'invalid phone number id',
		data: [],
		error: { id: 'invalid phone number id' },
	}),
	// ASSUMED (docs/kaleyra-api.md#wrong-otp): a well-formed OTP that is not the number's.
	wrongOtp: reply(400, {
		code: 'WA400',
		message: 'Incorrect OTP',
		data: {},
		error: { otp: 'Incorrect OTP' },
	}),
	// ASSUMED (docs/kaleyra-api.md#add-errors): Kaleyra publishes no error body for add; the
	// documented envelope, one `error` key naming the field, `data` [] like the documented
	// invalidPhoneNumber.
	invalidCountryCode: reply(400, {
		code: 'WA400',
		message: 'invalid country code',
		data: [],
		error: { country_code: 'invalid country code' },
	}),
	// ASSUMED (docs/kaleyra-api.md#display-name): 3 to 512 characters is Meta's display-name
	// rule, not something Kaleyra states.
	invalidName: reply(400, {
		code: 'WA400',
		message: 'name must be 3 to 512 characters',
		data: [],
		error: { name: 'name must be 3 to 512 characters' },
	}),
	// ASSUMED (docs/kaleyra-api.md#add-errors): retry_otp's documented validator text, reused
	// as is, under add's own key.
	badVerificationType: reply(400, {
		code: 'WA400',
		message: TYPE_VERIFICATION_ERROR,
		data: [],
		error: { verification_type: TYPE_VERIFICATION_ERROR },
	}),
	// ASSUMED (docs/kaleyra-api.md#add-errors): a number already on the account (in any of
	// its WABAs).
	phoneNumberExists: reply(400, {
		code: 'WA400',
		message: 'phone number already exists',
		data: [],
		error: { phone_number: 'phone number already exists' },
	}),
	// ASSUMED (docs/kaleyra-api.md#list-paging): an `after` cursor the list never gave.
	invalidCursor: reply(400, {
		code: 'WA400',
		message: 'invalid cursor',
		data: [],
		error: { after: 'invalid cursor' },
	}),
	// ASSUMED (docs/kaleyra-api.md#not-found): any method and path the emulator does not serve.
	notFound: reply(404, {
		code: 'WA404',
		message: 'Not Found',
		data: {},
		error: { path: 'Not Found' },
	}),
});

// An accepted request in the dialect's `accepted` code: 200 WA200 "Request Processed
// Successfully" (the seed pages), or 202 WA202 "Request Accepted." (the message API's page).
// ASSUMED (docs/kaleyra-api.md#accepted-codes): which one the number API uses.
const ACCEPTED = {
	WA200: { status: 200, code: 'WA200', message: OK_MESSAGE },
	WA202: { status: 202, code: 'WA202', message: 'Request Accepted.' },
};
export function accepted(data, dialect) {
	const { status, code, message } = ACCEPTED[dialect.accepted];
	return reply(status, { code, message, data, error: {} });
}
