// Response bodies exactly as Kaleyra's two pages show them (note `data` is [] in some samples
// and {} in others), each with the HTTP status NOTES.md gives for its code. `json` is the
// body serialized once, so answering costs no JSON.stringify per request.
import { deepFreeze } from './fixtures.mjs';

const reply = (status, body) => deepFreeze({ status, body, json: JSON.stringify(body) });

const OK_MESSAGE = 'Request Processed Successfully';
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

	// NOT documented by Kaleyra: plausible bodies chosen for this emulator.
	unknownPhoneNumberId: reply(400, {
		code: 'WA400',
		message: 'invalid phone number id',
		data: [],
		error: { id: 'invalid phone number id' },
	}),
	wrongOtp: reply(400, {
		code: 'WA400',
		message: 'Incorrect OTP',
		data: {},
		error: { otp: 'Incorrect OTP' },
	}),
	notFound: reply(404, {
		code: 'WA404',
		message: 'Not Found',
		data: {},
		error: { path: 'Not Found' },
	}),
});

// verify success: `data` is the phone number id as a string.
export const verified = (id) =>
	reply(200, { code: 'WA200', message: OK_MESSAGE, data: id, error: {} });

// GET .../number (list; body shape beyond code/message/error is an assumption).
export const numberList = (numbers) =>
	reply(200, { code: 'WA200', message: OK_MESSAGE, data: numbers, error: {} });
