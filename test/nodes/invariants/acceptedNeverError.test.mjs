// Invariant 2: an item Kaleyra accepted is never an error, and a success had a Kaleyra yes,
// judged from the emulator's log (cases.mjs). Every case also checks 1 and 4.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { judge, useBatchProperties } from './cases.mjs';

describe('Invariants under random batches and fault mixes', () => {
	const { property } = useBatchProperties();

	it('2. an item Kaleyra accepted is never an error; a success had a Kaleyra yes', async () => {
		await property(2, (testCase, { outputs }) => {
			for (const { branch, item, requests, number, invalidField } of outputs) {
				const where = `item ${item.pairedItem.item} (${JSON.stringify(requests.map((r) => r.fault ?? r.code))})`;
				if (invalidField !== undefined) {
					assert.equal(branch, 'failed', `[2] ${where}: malformed input succeeded`);
					assert.equal(item.json.error.code, 'INVALID_INPUT');
					assert.deepEqual(item.json.error.fields, [invalidField]);
					continue;
				}
				if (testCase.target === 'closedPort') {
					assert.equal(branch, 'failed', `[2] ${where}: success with nothing listening`);
					assert.equal(item.json.error.code, 'NETWORK_ERROR');
					assert.match(item.json.error.message, /ECONNREFUSED/);
					continue;
				}
				assert.ok(requests.length >= 1, `[2] ${where}: a valid item was never sent`);
				const judged = requests.map((request) => judge(request, number, testCase.faults));
				// Any yes Kaleyra gave for this item, not only the last answer, makes it a success.
				if (judged.some(({ accepted }) => accepted))
					assert.equal(branch, 'success', `[2] ${where}: accepted, yet on Error`);
				const last = judged.at(-1);
				const approvedIsSuccess = last.approved && testCase.treatAlreadyApprovedAsSuccess;
				if (last.accepted || approvedIsSuccess) {
					assert.equal(
						branch,
						'success',
						`[2] ${where}: Kaleyra said yes, the node said ${item.json.error?.code}`,
					);
					// Kaleyra's yes is the item's code; an already approved keeps its WA500 as kaleyraCode.
					const code = last.approved ? item.json.kaleyraCode : item.json.code;
					assert.equal(code, last.code, `[2] ${where}: code`);
					// Verify Number always says whether; Retry OTP only when it was already approved.
					const alreadyApproved =
						testCase.operation === 'retryOtp' && !last.approved ? undefined : last.approved;
					assert.equal(item.json.alreadyApproved, alreadyApproved);
				} else {
					assert.equal(branch, 'failed', `[2] ${where}: success without a Kaleyra yes`);
					assert.equal(item.json.error.code, last.code, `[2] ${where}: error code`);
					assert.equal(item.json.error.httpStatus, last.status, `[2] ${where}: httpStatus`);
				}
			}
		});
	});
});
