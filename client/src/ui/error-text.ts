// A server's refusal in the page's language (client/src/ui): worded from its code and the field it names,
// never the server's English sentence (that stays in the element's title, for who needs its detail).
import type { ProtocolError } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import type { Words } from '../layers/words.js';

/** The catalogue key of each code a user may meet on this page; the others are `error.other`. */
const ERROR_WORDS: Partial<Record<ProtocolError['code'], MessageKey>> = {
  invalid: 'error.invalid',
  invalid_geometry: 'error.invalidGeometry',
  forbidden: 'error.forbidden',
  not_found: 'error.notFound',
  invalid_transition: 'error.invalidTransition',
  already_acknowledged: 'error.alreadyAcknowledged',
  stale_proposal: 'error.staleProposal',
  no_room: 'error.noRoom',
  out_of_sequence: 'error.outOfSequence',
  outside_window: 'error.outsideWindow',
  in_use: 'error.inUse',
  rate_limited: 'error.rateLimited',
  unavailable: 'error.unavailable',
};

/**
 * A refusal as a sentence of the page's language.
 * @example errorText({ code: 'out_of_sequence', message: '…', path: 'to' }, w) // 'The convoy it leaves after has not departed yet.'
 */
export function errorText(error: Pick<ProtocolError, 'code' | 'path'>, w: Words): string {
  const key = ERROR_WORDS[error.code];
  const field = w.isolate(error.path || '—');
  return key ? w.t(key, { field }) : w.t('error.other', { code: error.code });
}
