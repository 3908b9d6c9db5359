/**
 * What came back for one item (a Kaleyra answer, or a transport failure) as its Success items or
 * its Error item. Whether an Error item is retryable is decided here, once, for every failure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { KaleyraEnvelope } from '../transport/kaleyraEnvelope';
import { isRedirect } from '../transport/kaleyraEnvelope';
import type { AnswerDelivery, Delivery } from '../transport/kaleyraRequest';
import { deliveryClass } from './deliveryClass';
import { ALREADY_APPROVED_HINT, isAccepted, isAlreadyApproved } from './errorCatalogue';
import type { FailureWords, ItemContext, ItemResult } from './itemResults';
import { failureResult, successResult } from './itemResults';
import type { ParameterRules } from './kaleyraRefusal';
import { kaleyraRefusal } from './kaleyraRefusal';
import type { WordingRules } from './transportFailure';
import {
	lostFailure,
	notKaleyraFailure,
	redirectFailure,
	tooDeepFailure,
	unreachableFailure,
} from './transportFailure';

/** What the mapping needs to know of the operation and the item's options. */
export interface AnswerRules extends ParameterRules {
	treatAlreadyApprovedAsSuccess: boolean;
	timeoutMs: number;
	/** What the operation states of itself (its KaleyraOperation). */
	operation: {
		/** A read: a repeat can change nothing, so an uncertain delivery is safe to send again. */
		safeToRepeat: boolean;
		/** Kaleyra's "already approved" means the operation's goal is reached. */
		alreadyApprovedIsDone: boolean;
	};
	/** The operation's own fields of each Success item. */
	successItems: (envelope: KaleyraEnvelope) => IDataObject[];
}

/** Whether sending the same request again is safe: the same classes the retry policy acts on. */
export function isSafeToSendAgain(delivery: Delivery, safeToRepeat: boolean): boolean {
	const kind = deliveryClass(delivery);
	return kind === 'safe' || (safeToRepeat && kind === 'uncertain');
}

const wordingRules = ({ operation, timeoutMs }: AnswerRules): WordingRules => ({
	safeToRepeat: operation.safeToRepeat,
	timeoutMs,
});

/** Kaleyra's accepting answer with the operation's own fields, or the words of the Error item. */
type Outcome = { accepted: KaleyraEnvelope; own: IDataObject[] } | { failed: FailureWords };

const accepted = (envelope: KaleyraEnvelope, own: IDataObject[]) => ({ accepted: envelope, own });

function outcomeOfAnswer(delivery: AnswerDelivery, rules: AnswerRules): Outcome {
	const { answer, envelope } = delivery;
	if (isRedirect(answer.statusCode)) return { failed: redirectFailure(delivery) };
	if (delivery.tooDeep) return { failed: tooDeepFailure(delivery) };
	if (!envelope) return { failed: notKaleyraFailure(delivery, wordingRules(rules)) };

	if (isAccepted(answer.statusCode, envelope))
		return accepted(envelope, rules.successItems(envelope));

	if (rules.operation.alreadyApprovedIsDone && isAlreadyApproved(envelope)) {
		if (rules.treatAlreadyApprovedAsSuccess)
			return accepted(envelope, [{ alreadyApproved: true, data: envelope.data as IDataObject }]);
		const words = {
			code: 'WA500',
			message: envelope.message,
			httpStatus: answer.statusCode,
			fields: [],
			hint: ALREADY_APPROVED_HINT,
		};
		return { failed: words };
	}
	return { failed: kaleyraRefusal(envelope, answer.statusCode, rules) };
}

/** The item's result from the last attempt's delivery, whatever it was. */
export function resultOfDelivery(
	context: ItemContext,
	delivery: Delivery,
	rules: AnswerRules,
	attempts: number,
): ItemResult {
	let outcome: Outcome;
	switch (delivery.kind) {
		case 'answer':
			outcome = outcomeOfAnswer(delivery, rules);
			break;
		case 'unreachable':
			outcome = { failed: unreachableFailure(delivery) };
			break;
		case 'lost':
			outcome = { failed: lostFailure(delivery, wordingRules(rules)) };
			break;
	}
	if ('accepted' in outcome) return successResult(context, outcome.accepted, outcome.own, attempts);
	const retryable = isSafeToSendAgain(delivery, rules.operation.safeToRepeat);
	return failureResult(context, { ...outcome.failed, retryable }, attempts);
}
